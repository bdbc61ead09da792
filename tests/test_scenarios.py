"""Scenario YAML: the shipped files load; broken fixtures fail with one clear line each."""

from __future__ import annotations

import pytest

from dvcanalysis import scenarios
from dvcanalysis.cli import main as cli_main
from dvcanalysis.errors import InputError


def test_shipped_scenarios_load_with_every_assumption_sourced():
    names = scenarios.names()
    assert {"business-as-usual", "accelerated", "stalled", "target-path"} <= set(names)
    for name in names:
        sc = scenarios.load(name)
        assert set(sc.assumptions) == set(scenarios.SPECS)
        for a in sc.assumptions.values():
            assert a.description and a.unit == scenarios.SPECS[a.name].unit
            assert a.low <= a.default <= a.high
            assert a.source != "assumption" or a.reason, a.name


def test_extends_replaces_only_the_fields_given():
    bau, acc = scenarios.load("business-as-usual"), scenarios.load("accelerated")
    assert acc.assumptions["pace_multiplier"].default == 2.0
    assert (
        acc.assumptions["pace_multiplier"].description
        == bau.assumptions["pace_multiplier"].description
    )
    assert acc.assumptions["ministries_ratio"] == bau.assumptions["ministries_ratio"]
    assert acc.pace_from.isoformat() == "2025-01-01" and bau.pace_from is None


@pytest.mark.parametrize(
    ("case", "wording"),
    [
        (
            "unknown_key",
            "key 'assumptions.pace_multiplier.defualt': unknown key; expected one of: description, unit, default",
        ),
        (
            "out_of_range",
            "key 'assumptions.ceiling_share.default': 1.2 is out of range; expected 0.3 to 1 (share)",
        ),
        ("bad_date", "key 'pace_from': '2025-13-01' is not a date; expected YYYY-MM-DD"),
        (
            "wrong_type",
            "key 'assumptions.ministries_ratio.default': 'two' is not a number; expected a number from 0.5 to 6",
        ),
        (
            "missing_reason",
            "key 'assumptions.ministries_ratio.reason': missing; source 'assumption' needs a reason",
        ),
        (
            "trend_pace_out_of_range",
            "key 'assumptions.trend_pace_ratio.range': 6 is out of range; expected 0 to 5 (ratio)",
        ),
    ],
)
def test_broken_fixture_names_file_and_key(fixtures, case, wording):
    path = fixtures / "scenarios" / case / "scenarios" / "broken.yml"
    with pytest.raises(InputError) as exc:
        scenarios.load_file(path)
    lines = str(exc.value).splitlines()
    assert any(wording in line and "broken.yml" in line for line in lines), lines


def test_unknown_scenario_name_lists_the_known_ones():
    with pytest.raises(
        InputError, match=r"unknown scenario 'bau'; expected one of: accelerated, business-as-usual"
    ):
        scenarios.load("bau")


def test_overrides_are_checked():
    sc = scenarios.load("business-as-usual")
    fixed = sc.with_overrides({"ministries_ratio": 3.0})
    assert fixed.assumptions["ministries_ratio"].distribution == "fixed"
    assert fixed.assumptions["ministries_ratio"].default == 3.0
    with pytest.raises(
        InputError, match=r"key 'assumptions.ceiling_share.default': 1.5 is out of range"
    ):
        sc.with_overrides({"ceiling_share": 1.5})
    with pytest.raises(InputError, match=r"key 'no_such' is not accepted; expected one of: curve"):
        sc.with_overrides({"no_such": 1})
    with pytest.raises(
        InputError, match=r"key 'curve': 'cubic' is not accepted; expected one of: linear"
    ):
        sc.with_overrides(curve="cubic")


def test_cli_validate_exit_codes(fixtures, capsys):
    assert cli_main(["validate", "data/scenarios/business-as-usual.yml"]) == 0
    assert (
        cli_main(
            ["validate", str(fixtures / "scenarios" / "bad_date" / "scenarios" / "broken.yml")]
        )
        == 2
    )
    assert "key 'pace_from'" in capsys.readouterr().err


def test_national_observation_sd_and_widened_ministries_ranges():
    sc = scenarios.load("business-as-usual")
    sd = sc.assumptions["national_observation_sd_share"]
    assert (sd.default, sd.low, sd.high, sd.unit, sd.source) == (
        0.1,
        0.02,
        1.0,
        "share",
        "assumption",
    )
    assert "definition" in sd.reason and "switches the conditioning off" in sd.reason
    ratio, volume = sc.assumptions["ministries_ratio"], sc.assumptions["ministries_volume_share"]
    assert (ratio.low, ratio.high) == (1.0, 5.5)
    # the end-2024 figures imply about 0.6 ((45.8 - 18.54) / (63.47 - 18.54)): inside the range
    assert volume.low <= 0.45 and volume.high >= 0.75
    with pytest.raises(
        InputError,
        match=r"key 'assumptions.national_observation_sd_share.default': 0.001 is out of range",
    ):
        sc.with_overrides({"national_observation_sd_share": 0.001})


def test_localities_to_national_ratio_is_a_named_sourced_assumption_in_every_scenario():
    from dvcanalysis import evidence

    ev = evidence.load().set_index("id")["value"]
    for name in scenarios.names():  # the others extend business-as-usual and inherit it
        a = scenarios.load(name).assumptions["localities_to_national_ratio"]
        assert (a.unit, a.distribution, a.low, a.high, a.default) == (
            "ratio",
            "uniform",
            0.25,
            1.0,
            0.4,
        )
        assert "seed000-02" in a.reason and "ref_vietnamnet_en-04" in a.reason
        assert "cut-off" in a.description
    # The default is the evidence's ratio: localities on 31 Aug 2024 over national in July 2024.
    assert ev["seed000-02"] / ev["ref_vietnamnet_en-04"] == pytest.approx(0.4, abs=0.01)
    sc = scenarios.load("business-as-usual")
    with pytest.raises(
        InputError,
        match=r"key 'assumptions.localities_to_national_ratio.range': 3 is out of range; expected 0.05 to 2",
    ):
        sc.with_overrides({"localities_to_national_ratio": {"range": [0.25, 3]}})


def test_trend_pace_ratio_is_a_named_assumption_in_every_scenario():
    for name in scenarios.names():  # the others extend business-as-usual and inherit it
        a = scenarios.load(name).assumptions["trend_pace_ratio"]
        assert (a.unit, a.distribution, a.low, a.default, a.high, a.source) == (
            "ratio",
            "triangular",
            0.0,
            1.0,
            2.0,
            "assumption",
        )
        # symmetric around the trend (mean 1), a full stall included
        assert a.describe() == "triangular(0, 1, 2)"
        for cited in ("ref_vietnamnet_en-01", "ref_vnexpress_2025-02"):
            assert cited in a.reason
        assert "not a policy lever" in a.reason and "pace_multiplier" in a.reason
        assert "1 = the long-run trend continues" in a.description
    assert (scenarios.SPECS["trend_pace_ratio"].low, scenarios.SPECS["trend_pace_ratio"].high) == (
        0.0,
        5.0,
    )


def test_trend_pace_ratio_out_of_range_is_one_line_naming_file_and_key(fixtures):
    path = fixtures / "scenarios" / "trend_pace_out_of_range" / "scenarios" / "broken.yml"
    with pytest.raises(InputError) as exc:
        scenarios.load_file(path)
    (line,) = str(exc.value).splitlines()
    assert "broken.yml" in line and "key 'assumptions.trend_pace_ratio.range'" in line
    sc = scenarios.load("business-as-usual")
    assert sc.with_overrides({"trend_pace_ratio": 2.0}).assumptions["trend_pace_ratio"].default == 2
    with pytest.raises(InputError) as exc:
        sc.with_overrides({"trend_pace_ratio": -0.05})
    assert str(exc.value).splitlines() == [
        "overrides for scenario 'business-as-usual': key 'assumptions.trend_pace_ratio.default': "
        "-0.05 is out of range; expected 0 to 5 (ratio)"
    ]
