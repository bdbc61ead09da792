"""Tests of dvcanalysis.savings: the official reference case, properties, errors, sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from dvcanalysis import evidence, fmt, paths, savings
from dvcanalysis.errors import InputError

FIX = "savings"


def ev_value(i: str) -> float:
    return float(evidence.load().set_index("id").loc[i, "value"])


# ---------------------------------------------------------------- reference case
def test_reference_is_derived_from_the_evidence_rows():
    ref = savings.reference()
    assert ref.ids["dossiers_online"] == "seed003-04"
    assert ref.ids["saving"] == "seed003-05"
    # hand check: 17.5 million / 0.70 = 25 million; 2,600 billion / 17.5 million = 148,571.43
    assert_allclose(ref.total_dossiers, 25e6, rtol=1e-12)
    assert_allclose(ref.per_dossier_vnd, 2.6e12 / 17.5e6, rtol=1e-12)
    assert_allclose(ref.per_dossier_vnd, 148_571.43, rtol=1e-7)
    assert ref.total_dossiers == ev_value("seed003-04") / ev_value("seed003-02")


def test_official_case_is_reproduced_with_the_shipped_defaults():
    r = savings.estimate(0.70)
    assert_allclose(r.total_dossiers, 25e6, rtol=1e-12)
    assert_allclose(r.dossiers_online, 17.5e6, rtol=1e-12)
    assert_allclose(r.savings_vnd, 2.6e12, rtol=1e-9)
    assert_allclose(r.per_dossier_vnd, 148_571.43, rtol=1e-7)
    df = r.to_df()
    assert list(df["component"]) == [*savings.COMPONENTS, "total"]
    total = df.set_index("component").loc["total"]
    assert_allclose(total["saving_vnd"], r.per_dossier_vnd, rtol=1e-12)
    assert_allclose(total["savings_vnd_per_year"], 2.6e12, rtol=1e-9)
    assert_allclose(df["saving_vnd"].iloc[:-1].sum(), total["saving_vnd"], rtol=1e-12)
    assert_allclose(total["offline_vnd"] - total["online_vnd"], total["saving_vnd"], rtol=1e-12)


def test_bottom_up_differs_from_calibrated_and_is_reported():
    r = savings.estimate(0.70)
    # bottom-up by hand with the defaults: (4 - 1) h x VOT + 2 x 25,000 - 3,000 + 15,000 - 2,000
    # + (0.5 - 0.2) h x staff cost, VOT = staff cost = GSO 2024 income / (Decree 74 monthly / hourly)
    vot = ev_value("ref_gso_income-04") / (
        ev_value("ref_decree74-01") / ev_value("ref_decree74-02")
    )
    expected = 3 * vot + 2 * 25_000 - 3_000 + 15_000 - 2_000 + 0.3 * vot
    assert_allclose(r.bottom_up_per_dossier_vnd, expected, rtol=1e-12)
    assert_allclose(r.calibration_factor, 148_571.43 / expected, rtol=1e-7)
    raw = savings.estimate(0.70, calibration="none")
    assert raw.calibration_factor == 1.0
    assert_allclose(raw.savings_vnd, 17.5e6 * expected, rtol=1e-12)
    fixed = savings.estimate(0.70, calibration=100_000)
    assert_allclose(fixed.per_dossier_vnd, 100_000, rtol=1e-12)


def test_config_target_none_gives_bottom_up(fixtures):
    cfg = savings.load_config(fixtures / FIX / "savings_valid_bottom_up.yml")
    r = savings.estimate(0.70, config=cfg)
    assert r.calibration_factor == 1.0
    assert r.per_dossier_vnd == r.bottom_up_per_dossier_vnd


def test_incremental_against_the_evidence_baseline():
    kw = savings.notebook_inputs(share=0.70)
    assert kw["baseline_share"] == ev_value("seed000-02")  # 17% in localities, 31/8/2024
    r = savings.estimate(**kw)
    assert_allclose(r.incremental_savings_vnd, 25e6 * (0.70 - 0.17) * 148_571.43, rtol=1e-7)
    assert r.incremental_savings_vnd < r.savings_vnd
    assert savings.estimate(0.70).incremental_savings_vnd is None
    assert "incremental_savings_vnd_per_year" in r.to_df()


def test_hours_per_month_override_rederives_value_of_time():
    base = savings.parameter_values()
    v = savings.parameter_values({"hours_per_month": 176})
    assert_allclose(
        v["value_of_time_vnd_per_hour"], ev_value("ref_gso_income-04") / 176, rtol=1e-12
    )
    assert v["value_of_time_vnd_per_hour"] > base["value_of_time_vnd_per_hour"]
    v2 = savings.parameter_values({"hours_per_month": 176, "value_of_time_vnd_per_hour": 20_000})
    assert v2["value_of_time_vnd_per_hour"] == 20_000


# ---------------------------------------------------------------- properties
@settings(max_examples=60, deadline=None)
@given(
    s1=st.floats(0, 1),
    s2=st.floats(0, 1),
    total=st.floats(0, 1e9),
)
def test_more_online_dossiers_never_save_less(s1, s2, total):
    lo, hi = sorted((s1, s2))
    a = savings.estimate(lo, total_dossiers=total)
    b = savings.estimate(hi, total_dossiers=total)
    assert b.dossiers_online >= a.dossiers_online
    assert b.savings_vnd >= a.savings_vnd


@settings(max_examples=60, deadline=None)
@given(v1=st.floats(0, 500_000), v2=st.floats(0, 500_000), share=st.floats(0, 1))
def test_higher_value_of_time_never_lowers_the_saving(v1, v2, share):
    lo, hi = sorted((v1, v2))
    a = savings.estimate(share, value_of_time_vnd_per_hour=lo)
    b = savings.estimate(share, value_of_time_vnd_per_hour=hi)
    assert b.per_dossier_vnd >= a.per_dossier_vnd
    assert b.savings_vnd >= a.savings_vnd


# ---------------------------------------------------------------- bad arguments
@pytest.mark.parametrize(
    ("call", "wording"),
    [
        (lambda: savings.estimate(1.7), "share=1.7 is out of range; expected a share from 0 to 1"),
        (
            lambda: savings.estimate(-0.1),
            "share=-0.1 is out of range; expected a share from 0 to 1",
        ),
        (
            lambda: savings.estimate(0.7, baseline_share=17),
            "baseline_share=17 is out of range; expected a share from 0 to 1",
        ),
        (
            lambda: savings.estimate(0.7, total_dossiers=-5),
            "total_dossiers=-5 is out of range; expected a number of dossiers a year >= 0",
        ),
        (lambda: savings.estimate("lots"), "share='lots' is not a number"),
        (
            lambda: savings.estimate(0.7, value_of_tme_vnd_per_hour=1),
            "unknown parameter 'value_of_tme_vnd_per_hour'; expected one of: hours_per_month",
        ),
        (
            lambda: savings.estimate(0.7, trips_offline=-1),
            "trips_offline=-1 is out of range; expected 0 to 100 (count)",
        ),
        (
            lambda: savings.estimate(0.7, travel_cost_vnd_per_trip=-1),
            "travel_cost_vnd_per_trip=-1 is out of range; expected a number >= 0 (vnd)",
        ),
        (
            lambda: savings.estimate(0.7, include=["staff_time", "coffee"]),
            "unknown component 'coffee'; expected one of: applicant_time, travel_out_of_pocket",
        ),
        (
            lambda: savings.uncertainty(0.7, n_draws=0),
            "n_draws=0 is not accepted; expected a whole number >= 1",
        ),
        (
            lambda: savings.sobol_indices(
                lambda x: x[:, 0], {"names": ["a"], "bounds": [[0, 1]]}, n=300
            ),
            "n=300 is not accepted; expected a power of 2",
        ),
    ],
)
def test_bad_arguments_name_the_argument_and_what_is_accepted(call, wording):
    with pytest.raises(InputError) as exc:
        call()
    assert wording in str(exc.value)
    assert "\n" not in str(exc.value)


# ---------------------------------------------------------------- broken YAML
@pytest.mark.parametrize(
    ("name", "wording"),
    [
        (
            "unknown_key",
            "key 'per_dossier.trips_offline.colour': unknown key; expected one of: description, unit, default, range, distribution, source, reason",
        ),
        ("missing_field", "key 'per_dossier.trips_offline.unit': missing field"),
        (
            "wrong_type",
            "key 'per_dossier.applicant_hours_offline.default': 'four' is neither a number, an evidence id nor a conversion name; expected a number, an evidence row id",
        ),
        (
            "out_of_range",
            "key 'per_dossier.staff_hours_offline.default': 1.5 is out of range; expected 0.25 to 1 (the declared range)",
        ),
        (
            "unknown_evidence",
            "key 'reference.share': 'seed003-99' is not an evidence row id of data/evidence.csv",
        ),
        (
            "unknown_section",
            "key 'discount': unknown section; expected one of: reference, calibration, conversions, per_dossier, volume, discounting",
        ),
        (
            "assumption_without_reason",
            "key 'per_dossier.applicant_hours_online.reason': missing; source 'assumption' needs a reason",
        ),
        (
            "wrong_unit",
            "key 'per_dossier.travel_cost_vnd_per_trip.unit': 'usd' is not accepted; expected vnd",
        ),
        (
            "bad_calibration",
            "key 'calibration.target': 'officially' is not accepted; expected official, none or a positive number",
        ),
        (
            "negative_range",
            "key 'per_dossier.online_out_of_pocket_vnd.range': -100 is out of range; expected at least 0 (vnd)",
        ),
        ("not_yaml", ":27: not valid YAML"),
    ],
)
def test_broken_yaml_is_reported_with_file_and_key(fixtures, name, wording):
    path = fixtures / FIX / f"savings_{name}.yml"
    with pytest.raises(InputError) as exc:
        savings.load_config(path)
    lines = str(exc.value).splitlines()
    assert any(wording in line for line in lines), lines
    assert all(f"savings_{name}.yml" in line for line in lines)


def test_cli_validates_savings_yml(fixtures, capsys):
    from dvcanalysis import cli

    assert cli.main(["validate", "data/savings.yml"]) == 0
    assert cli.main(["validate", str(fixtures / FIX / "savings_unknown_key.yml")]) == 2
    assert "per_dossier.trips_offline.colour" in capsys.readouterr().err


def test_every_parameter_has_a_source_or_a_reason():
    for p in savings.load_config().parameters.values():
        assert p.low <= p.default <= p.high
        assert p.source != "assumption" or p.reason


# ---------------------------------------------------------------- Monte Carlo
def test_monte_carlo_is_seeded_and_vectorized_consistently():
    a = savings.uncertainty(0.70, n_draws=500, seed=3, baseline_share=0.17)
    b = savings.uncertainty(0.70, n_draws=500, seed=3, baseline_share=0.17)
    c = savings.uncertainty(0.70, n_draws=500, seed=4, baseline_share=0.17)
    pd.testing.assert_frame_equal(a.to_df(), b.to_df())
    assert not a.draws["savings_vnd"].equals(c.draws["savings_vnd"])
    # each draw equals a scalar estimate with that draw's inputs
    names = savings.uncertain_names()
    row = a.draws.iloc[7]
    point = savings.estimate(0.70, **{n: row[n] for n in names})
    assert_allclose(row["savings_vnd"], point.savings_vnd, rtol=1e-12)
    q = a.to_df().set_index("measure")
    assert q.loc["savings_vnd", "q05"] < 2.6e12 < q.loc["savings_vnd", "q95"]


def test_overrides_are_held_fixed_in_the_monte_carlo():
    u = savings.uncertainty(0.70, n_draws=200, seed=0, trips_offline=1)
    assert (u.draws["trips_offline"] == 1).all()
    assert u.draws["applicant_hours_offline"].std() > 0


# ---------------------------------------------------------------- tornado
def test_tornado_is_sorted_by_swing_and_brackets_the_base():
    t = savings.tornado().to_df()
    assert list(t["swing_vnd"]) == sorted(t["swing_vnd"], reverse=True)
    assert set(t["parameter"]) == set(savings.uncertain_names())
    assert_allclose(t["base_vnd"], 2.6e12, rtol=1e-9)
    lo = t[["savings_at_low_vnd", "savings_at_high_vnd"]].min(axis=1)
    hi = t[["savings_at_low_vnd", "savings_at_high_vnd"]].max(axis=1)
    assert ((lo <= 2.6e12 + 1) & (hi >= 2.6e12 - 1)).all()
    # applicant hours offline (2-8 h around 4 h) moves the result most with the shipped ranges
    assert t["parameter"].iloc[0] == "applicant_hours_offline"


def test_tornado_ordering_follows_the_declared_ranges(tmp_path):
    # widen the online paper cost range enough that it must come first
    text = (savings.paths.data_dir() / "savings.yml").read_text(encoding="utf-8")
    old = "    default: 2000\n    range: [0, 10000]\n"
    assert old in text
    p = tmp_path / "savings.yml"
    p.write_text(
        text.replace(old, "    default: 2000\n    range: [0, 5000000]\n"), encoding="utf-8"
    )
    t = savings.tornado(config=p).to_df()
    assert t["parameter"].iloc[0] == "paper_cost_online_vnd"


# ---------------------------------------------------------------- Sobol
def test_sobol_matches_the_analytic_answer_for_an_additive_model():
    # Y = sum a_i X_i with X_i ~ U(0, 1): Var(a_i X_i) = a_i^2 / 12, so
    # S1_i = ST_i = a_i^2 / sum_j a_j^2 (Saltelli et al. 2008, Global Sensitivity Analysis, ch. 1).
    a = np.array([1.0, 2.0, 3.0])
    problem = {"names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3}
    res = savings.sobol_indices(lambda X: X @ a, problem, n=2048, seed=1)
    expected = a**2 / (a**2).sum()
    assert_allclose(res.S1, expected, atol=0.03)
    assert_allclose(res.ST, expected, atol=0.03)
    df = res.to_df()
    assert list(df.columns) == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert list(df["parameter"]) == ["x3", "x2", "x1"]


def test_sobol_of_the_savings_model_is_seeded_and_sums_near_one():
    a = savings.sensitivity(n=256, seed=0).to_df()
    b = savings.sensitivity(n=256, seed=0).to_df()
    pd.testing.assert_frame_equal(a, b)
    # the model is additive except the products hours x value of time: S1 sums close to 1
    assert 0.85 < a["S1"].sum() < 1.15
    assert a["parameter"].iloc[0] == "applicant_hours_offline"


# ---------------------------------------------------------------- over time
class FakeProjection:
    """A projection with two draws, two years and flat shares, for hand checks."""

    sources = ["seed000"]

    def to_df(self):
        rows = []
        for draw in (0, 1):
            for year, share in ((2025, 0.5), (2026, 0.7)):
                rows.append({"draw": draw, "year": year, "segment": "national", "share": share})
        return pd.DataFrame(rows)


def test_over_time_by_hand_with_a_synthetic_projection():
    o = savings.over_time(FakeProjection(), discount_rate=0.1, uncertain=False)
    d = o.to_df(draws=True)
    per = 2.6e12 / 17.5e6
    y1, y2 = 25e6 * 0.5 * per, 25e6 * 0.7 * per
    first = d[(d["draw"] == 0) & (d["year"] == 2026)].iloc[0]
    assert_allclose(first["savings_vnd"], y2, rtol=1e-9)
    assert_allclose(first["cumulative_savings_vnd"], y1 + y2 / 1.1, rtol=1e-9)
    q = o.to_df()
    assert set(q["measure"]) >= {"savings_vnd", "cumulative_savings_vnd"}
    assert list(q.columns) == ["year", "measure", "unit", "mean", "q05", "q50", "q95"]
    inc = savings.over_time(
        FakeProjection(), discount_rate=0.0, baseline_share=0.6, uncertain=False
    ).to_df(draws=True)
    assert_allclose(inc.loc[inc["year"] == 2025, "savings_vnd"], 0.0)
    assert_allclose(inc.loc[inc["year"] == 2026, "savings_vnd"], 25e6 * 0.1 * per, rtol=1e-9)


def test_over_time_uncertain_draws_are_seeded_and_ordered():
    a = savings.over_time(FakeProjection(), seed=5).to_df()
    b = savings.over_time(FakeProjection(), seed=5).to_df()
    pd.testing.assert_frame_equal(a, b)
    assert (a["q05"] <= a["q50"]).all() and (a["q50"] <= a["q95"]).all()


def test_over_time_rejects_a_frame_without_the_contract_columns():
    class Bad:
        def to_df(self):
            return pd.DataFrame({"year": [2025], "share": [0.5]})

    with pytest.raises(InputError, match="lacks column"):
        savings.over_time(Bad())
    with pytest.raises(InputError, match="discount_rate=-0.1 is out of range"):
        savings.over_time(FakeProjection(), discount_rate=-0.1)


def test_over_time_with_the_real_uptake_projection():
    uptake = pytest.importorskip("dvcanalysis.uptake")
    proj = uptake.project("business-as-usual", n_draws=50, seed=0)
    o = savings.over_time(proj, seed=0)
    q = o.to_df()
    cum = q[q["measure"] == "cumulative_savings_vnd"].sort_values("year")
    assert (np.diff(cum["q50"].to_numpy()) >= 0).all()
    assert o.parameters["segment"] == "national"


# ---------------------------------------------------------------- claims audit
def test_claims_audit_recomputes_each_claim_from_the_evidence():
    a = savings.claims_audit().set_index("claim")
    assert list(a.index) == [
        "social_cost_target",
        "people_vs_dossiers",
        "paper_document_exchange",
        "portal_launch_2019",
        "portal_2021",
        "health_insurance_reissue",
    ]
    ref = a.loc["social_cost_target"]
    assert ref["verdict"] == "reference"
    assert_allclose(ref["implied_dossiers"], 25e6)
    assert_allclose(ref["implied_per_dossier_vnd"], 148_571.43, rtol=1e-7)
    assert 3.5 < ref["implied_hours_of_avg_wage"] < 4.5
    assert a.loc["people_vs_dossiers", "ratio"] == 1.0
    assert a.loc["paper_document_exchange", "verdict"] == "not_comparable"
    assert a.loc["paper_document_exchange", "evidence_ids"] == "seed004-09"
    assert_allclose(a.loc["portal_launch_2019", "ratio"], 4222 / 2600, rtol=1e-9)
    assert_allclose(a.loc["portal_2021", "claim_vnd_per_year"], 9.3e12, rtol=1e-9)
    assert a.loc["portal_2021", "implied_dossiers"] > 25e6  # more than the implied national total
    hi = a.loc["health_insurance_reissue"]
    assert_allclose(hi["implied_per_dossier_vnd"], 958.4e9 / 2.6e6, rtol=1e-12)
    assert_allclose(hi["implied_per_dossier_vnd"], 368_615, rtol=1e-5)
    assert hi["verdict"] == "higher"
    assert all(isinstance(s, str) and s for s in a["sources"])


# ---------------------------------------------------------------- review fixes
def test_include_counts_only_the_chosen_components_at_the_full_calibration_factor():
    full = savings.estimate(0.70)
    paper = savings.estimate(0.70, include=("paper_postage",))
    # one factor, fixed over all components at the defaults: 148,571.43 / bottom-up total
    assert paper.calibration_factor == full.calibration_factor
    # paper and postage by hand: (15,000 - 2,000) VND x factor x 17.5 million dossiers
    assert_allclose(paper.savings_vnd, 13_000 * full.calibration_factor * 17.5e6, rtol=1e-12)
    assert paper.savings_vnd < 0.1 * full.savings_vnd
    parts = [savings.estimate(0.70, include=(c,)).savings_vnd for c in savings.COMPONENTS]
    assert_allclose(sum(parts), 2.6e12, rtol=1e-9)
    assert list(paper.to_df()["component"]) == ["paper_postage", "total"]
    # the reference case is untouched
    assert_allclose(full.dossiers_online, 17.5e6, rtol=1e-12)
    assert_allclose(full.savings_vnd, 2.6e12, rtol=1e-9)


def test_tornado_takes_the_same_overrides_as_estimate():
    point = savings.estimate(0.70, value_of_time_vnd_per_hour=60_000)
    t = savings.tornado(0.70, value_of_time_vnd_per_hour=60_000)
    assert_allclose(t.base_vnd, point.savings_vnd, rtol=1e-12)
    assert t.base_vnd > 3e12  # not the 2,600 billion of the defaults
    df = t.to_df()
    assert_allclose(df["base_vnd"], point.savings_vnd, rtol=1e-12)
    # an overridden input is held at its value (as in the Monte Carlo): it has no row
    assert "value_of_time_vnd_per_hour" not in set(df["parameter"])
    assert set(df["parameter"]) == set(savings.uncertain_names()) - {"value_of_time_vnd_per_hour"}
    row = df.set_index("parameter").loc["trips_offline"]
    lo = savings.estimate(0.70, value_of_time_vnd_per_hour=60_000, trips_offline=1)
    assert_allclose(row["savings_at_low_vnd"], lo.savings_vnd, rtol=1e-12)
    assert t.parameters["value_of_time_vnd_per_hour"] == 60_000
    with pytest.raises(InputError, match="unknown parameter 'value_of_tme"):
        savings.tornado(0.70, value_of_tme=1)
    with pytest.raises(InputError, match="trips_offline=-1 is out of range"):
        savings.tornado(0.70, trips_offline=-1)


class MixProjection:
    """Ministries and localities only, with the ministries' volume share drawn per draw."""

    sources = ["seed000"]
    draws = {"ministries_volume_share": np.array([0.1, 0.5])}

    def to_df(self):
        rows = []
        for draw in (0, 1):
            for seg, share in (("ministries", 0.9), ("localities", 0.4)):
                rows.append({"draw": draw, "year": 2025, "segment": seg, "share": share})
        return pd.DataFrame(rows)


def test_over_time_combines_segments_with_the_projections_own_volume_share_draws():
    o = savings.over_time(MixProjection(), uncertain=False, segment="combined")
    d = o.to_df(draws=True).set_index("draw")
    # by hand: 0.1 x 0.9 + 0.9 x 0.4 = 0.45; 0.5 x 0.9 + 0.5 x 0.4 = 0.65
    assert_allclose(d.loc[0, "share"], 0.45, rtol=1e-12)
    assert_allclose(d.loc[1, "share"], 0.65, rtol=1e-12)
    assert o.parameters["segment"] == "combined"
    # the same weighting is the default when there is no national segment
    auto = savings.over_time(MixProjection(), uncertain=False).to_df(draws=True)
    assert_allclose(auto["share"], [0.45, 0.65], rtol=1e-12)
    # the assumption lives in the scenarios only
    assert "ministries_volume_share" not in savings.load_config().parameters


def test_over_time_combined_matches_the_projections_national_mix():
    uptake = pytest.importorskip("dvcanalysis.uptake")
    proj = uptake.project("business-as-usual", n_draws=200, seed=1)
    combined = savings.over_time(proj, segment="combined", uncertain=False).to_df(draws=True)
    national = savings.over_time(proj, segment="national", uncertain=False).to_df(draws=True)
    assert_allclose(combined["share"], national["share"], rtol=1e-12, atol=1e-15)


def test_over_time_without_volume_share_draws_asks_for_a_segment():
    class NoDraws(MixProjection):
        draws = None

    for seg in (None, "combined"):
        with pytest.raises(InputError) as exc:
            savings.over_time(NoDraws(), uncertain=False, segment=seg)
        msg = str(exc.value)
        assert "ministries_volume_share" in msg and "segment=" in msg, msg
        assert "ministries" in msg and "localities" in msg
        assert "\n" not in msg
    ok = savings.over_time(NoDraws(), uncertain=False, segment="localities").to_df(draws=True)
    assert_allclose(ok["share"], 0.4)


def test_savings_yml_with_the_scenario_assumption_is_told_where_it_lives(tmp_path):
    text = (savings.paths.data_dir() / "savings.yml").read_text(encoding="utf-8")
    block = (
        "  ministries_volume_share:\n    description: x\n    unit: share\n    default: 0.2\n"
        "    range: [0.05, 0.5]\n    source: assumption\n    reason: x\n"
    )
    p = tmp_path / "savings.yml"
    p.write_text(text.replace("volume:\n", "volume:\n" + block, 1), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        savings.load_config(p)
    assert "key 'volume.ministries_volume_share': unknown parameter" in str(exc.value)
    assert "data/scenarios" in str(exc.value)


def test_savings_draws_are_independent_of_the_projection_draws_for_the_same_seed():
    uptake = pytest.importorskip("dvcanalysis.uptake")
    n = 2000
    proj = uptake.project("business-as-usual", n_draws=n, seed=0, calibrate=False)
    sav = savings.draw_parameters(n, seed=0)
    varied = [c for c in sav if sav[c].std() > 0]
    pairs = [
        abs(np.corrcoef(proj.draws[a], sav[c])[0, 1])
        for a in proj.draws
        if np.std(proj.draws[a]) > 0
        for c in varied
    ]
    # with the shared stream value of time vs base_year correlated 0.94; independent draws of
    # 2,000 give |r| of about 0.02 (sd 1 / sqrt(2000)), so 0.1 is far beyond chance
    assert max(pairs) < 0.1
    # over_time draws the per-dossier inputs from the same savings stream
    ot = savings.over_time(proj, seed=0).to_df(draws=True)
    per = ot.groupby("draw")["per_dossier_vnd"].first().to_numpy()
    for a in proj.draws:
        if np.std(proj.draws[a]) > 0:
            assert abs(np.corrcoef(proj.draws[a], per)[0, 1]) < 0.1


def test_savings_stream_is_documented_and_reproducible():
    a = savings.draw_parameters(50, seed=7)
    pd.testing.assert_frame_equal(a, savings.draw_parameters(50, seed=7))
    assert not a.equals(savings.draw_parameters(50, seed=8))
    rng = np.random.default_rng(np.random.SeedSequence([7, savings.RNG_STREAM]))
    cfg = savings.load_config()
    # One row of uniforms per input in the declared order, through the triangular quantile
    # function: numpy's own triangular draws from the same stream, up to rounding (numpy
    # multiplies the two widths before the uniform, the package after it: 2e-16 apart).
    for name, p in cfg.section("per_dossier").items():
        expected = rng.triangular(p.low, p.default, p.high, 50)
        assert_allclose(a[name], expected, rtol=1e-14, atol=0)
    u = np.random.default_rng(np.random.SeedSequence([7, savings.RNG_STREAM])).random((11, 50))
    for row, name in zip(u, savings.SECTIONS["per_dossier"], strict=True):
        assert_allclose(a[name], cfg.parameters[name].ppf(row), rtol=0, atol=0)
    u1 = savings.uncertainty(0.7, n_draws=300, seed=7).to_df()
    pd.testing.assert_frame_equal(u1, savings.uncertainty(0.7, n_draws=300, seed=7).to_df())
    with pytest.raises(InputError, match="seed=-1 is not accepted"):
        savings.draw_parameters(5, seed=-1)


def test_notebook_inputs_use_none_for_the_evidence_defaults():
    d = savings.notebook_inputs(share=0.70)
    assert d["baseline_share"] == ev_value("seed000-02")
    assert d["total_dossiers"] is None
    assert "value_of_time_vnd_per_hour" not in d
    zero = savings.notebook_inputs(
        share=0.70, baseline_share=0, total_dossiers=0, value_of_time_vnd_per_hour=0
    )
    assert zero["baseline_share"] == 0.0
    assert zero["total_dossiers"] == 0.0
    assert zero["value_of_time_vnd_per_hour"] == 0.0
    r = savings.estimate(**savings.notebook_inputs(share=0.70, baseline_share=0))
    assert_allclose(r.incremental_savings_vnd, r.savings_vnd, rtol=1e-12)
    assert savings.parameter_overrides(zero) == {"value_of_time_vnd_per_hour": 0.0}


def test_notebook_parameters_use_none_as_from_the_evidence():
    from dvcanalysis.render import read_parameters

    params = read_parameters(paths.root() / "notebooks" / "03_savings.ipynb")
    for name in ("baseline_share", "total_dossiers", "value_of_time_vnd_per_hour"):
        assert params[name].default is None and params[name].optional, name


def test_audit_labels_carry_no_hard_coded_numbers():
    from dvcanalysis.plots import savings as ps

    for lang in ("vi", "en"):
        # the ratio column names the reference claim as computed from the evidence
        t = ps.audit_table(savings.claims_audit(), lang)
        ref = savings.reference()
        assert any(fmt.vnd(ref.saving_vnd, lang) in c for c in t.columns), list(t.columns)
    audit = savings.claims_audit()
    assert set(audit["wage_period"]) == {"2024"}  # GSO 2024 income (ref_gso_income-04)
    # swap the year of the wage row: the note follows the evidence, not the label
    audit["wage_period"] = "2031"
    t = ps.audit_table(audit, "en")
    note = t[fmt.label("savings.col.note", "en")].iloc[-1]
    assert "2031 average hourly income" in note and "2024" not in note
    text = (paths.root() / "dvcanalysis" / "labels" / "savings.yml").read_text("utf-8")
    assert "2.600" not in text and "2,600" not in text and "2024" not in text


@pytest.mark.parametrize("bad", ["x", object(), 3, None])
def test_over_time_rejects_something_that_is_not_a_projection(bad):
    with pytest.raises(InputError) as exc:
        savings.over_time(bad)
    msg = str(exc.value)
    assert msg.startswith("projection=") and "to_df()" in msg
    assert "draw, year, segment, share" in msg
    assert "0x" not in msg  # no memory address


def test_over_time_rejects_a_to_df_that_is_not_a_table():
    class NotATable:
        def to_df(self):
            return [1, 2]

    with pytest.raises(InputError, match=r"projection.to_df\(\) returned list"):
        savings.over_time(NotATable())
