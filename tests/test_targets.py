"""Official targets, crossing years and attainment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dvcanalysis import targets, uptake


def test_official_targets_deduplicated_with_all_sources():
    off = targets.official()
    fo = off[off["indicator"] == "fully_online_share"]
    got = {(r.segment, r.year): r.target_share for r in fo.itertuples()}
    assert got == {
        ("ministries", 2024): 0.70,
        ("localities", 2024): 0.30,
        ("ministries", 2025): 0.85,
        ("localities", 2025): 0.70,
        ("national", 2025): 0.70,
    }
    loc24 = fo[(fo["segment"] == "localities") & (fo["year"] == 2024)].iloc[0]
    assert loc24["source_ids"] == "seed000;seed003"
    other = off[off["indicator"] == "online_share_any_level"]
    assert (
        len(other) == 1 and other["target_share"].iloc[0] == 0.9 and not other["modelled"].iloc[0]
    )
    assert fo["modelled"].all()


def test_crossing_year_series_and_array():
    s = pd.Series([0.2, 0.5, 0.8], index=[2024, 2025, 2026])
    assert targets.crossing_year(s, 0.5) == 2025  # at the threshold counts
    assert targets.crossing_year(s, 0.81) is None
    arr = np.array([[0.1, 0.6, 0.9], [0.1, 0.2, 0.3], [0.7, 0.7, 0.7]])
    out = targets.crossing_year(arr, 0.6, years=[2024, 2025, 2026])
    np.testing.assert_array_equal(out, [2025, np.nan, 2024])


def test_attainment_of_a_hand_made_projection():
    proj = uptake.project("business-as-usual", n_draws=10, seed=0)
    # Replace the draws by a known fan: a quarter of the draws meet localities 2025 (70%).
    years = list(proj.years)
    n = 8
    loc = np.tile(np.linspace(0.2, 0.5, len(years)), (n, 1))
    loc[:2, years.index(2025)] = 0.75
    proj.shares = {"localities": loc}
    proj.year_shares = None  # assessed on these shares (no separate full-year shares)
    att = targets.attainment(proj).set_index("target_year")
    row = att.loc[2025]
    assert row["probability"] == pytest.approx(0.25)
    assert row["status"] == "uncertain"  # 0.2 <= 0.25 < 0.8
    assert row["latest_share"] == pytest.approx(0.17) and row["latest_id"] == "seed000-02"
    # From 17% (a 2024 figure) to the 2025 target of 70%: 0.53 in the one year left.
    assert row["required_pace_share_per_year"] == pytest.approx(0.53)


def test_status_met_when_latest_observation_is_at_target():
    proj = uptake.project("business-as-usual", n_draws=20, seed=0)
    tg = pd.DataFrame([{"segment": "localities", "year": 2025, "target_share": 0.17, "ids": "x"}])
    att = targets.attainment(proj, targets=tg)
    assert att["status"].iloc[0] == "met"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=50),
    st.floats(0, 1),
    st.floats(0, 0.5),
)
def test_raising_uptake_never_lowers_probability(shares, threshold, bump):
    base = np.array(shares)
    assert targets.probability_at_least(
        np.minimum(base + bump, 1), threshold
    ) >= targets.probability_at_least(base, threshold)


def test_faster_scenario_never_lowers_any_probability():
    kw = dict(n_draws=400, seed=3)
    probs = [
        targets.attainment(uptake.project(n, **kw))["probability"].to_numpy()
        for n in ("stalled", "business-as-usual", "accelerated")
    ]
    assert (probs[0] <= probs[1]).all() and (probs[1] <= probs[2]).all()


# ---------------------------------------------------------------- the unified rules
@pytest.mark.parametrize(
    "share, target, years_left, kw, expected",
    [
        (0.30, 0.30, 0.5, {}, "met"),  # at the target counts as met
        (0.40, 0.30, -1.0, {"probability": 0.0}, "met"),  # met stays met after the deadline
        (0.17, 0.30, 0.0, {"probability": 1.0}, "missed"),  # deadline reached, not met
        (0.17, 0.30, -1.25, {"pace": 1.0}, "missed"),
        (np.nan, 0.70, -0.5, {"probability": 0.9}, "unknown"),  # no observation: cannot say missed
        (np.nan, 0.70, 0.5, {"probability": 0.8}, "on track"),  # the probability alone decides
        (np.nan, 0.70, 0.5, {"probability": 0.79}, "uncertain"),  # on track only when likely
        (np.nan, 0.70, 0.5, {"probability": 0.2}, "uncertain"),
        (np.nan, 0.70, 0.5, {"probability": 0.19}, "off track"),
        (0.20, 0.30, 0.5, {"probability": 0.9, "pace": 0.0}, "on track"),  # probability first
        (0.20, 0.30, 0.5, {"pace": 0.1, "years_since": 0.5}, "on track"),  # 0.20 + 0.1 * 1.0
        (0.20, 0.30, 0.5, {}, "unknown"),  # nothing to judge by
        (np.nan, 0.30, 0.5, {}, "unknown"),
    ],
)
def test_status_rules(share, target, years_left, kw, expected):
    assert targets.status(share, target, years_left=years_left, **kw) == expected
    assert expected in targets.STATUSES


def test_pace_needed_rules():
    assert targets.pace_needed(0.30, 0.30, 0.5) == 0.0  # met: no pace needed, never negative
    assert targets.pace_needed(0.90, 0.30, -2.0) == 0.0
    assert np.isnan(targets.pace_needed(0.17, 0.30, 0.0))  # deadline passed, not met
    assert np.isnan(targets.pace_needed(0.17, 0.30, -0.5))
    assert np.isnan(targets.pace_needed(np.nan, 0.30, 0.5))
    # the straight line runs from the observation: 0.53 over 1/3 + 1 year
    assert targets.pace_needed(0.17, 0.70, 1.0, years_since=1 / 3) == pytest.approx(0.53 / (4 / 3))


def test_binding_takes_the_higher_of_conflicting_statements(monkeypatch):
    two = pd.DataFrame(
        [
            {"indicator": "fully_online_share", "segment": "localities", "year": 2025, "deadline": pd.Timestamp("2025-12-31"),
             "period": "2025", "target_share": v, "bound": "min", "ids": i, "source_ids": s, "modelled": True}
            for v, i, s in ((0.70, "a-1", "a"), (0.80, "b-1", "b"))
        ]
    )  # fmt: skip
    monkeypatch.setattr(targets, "official", lambda **kw: two)
    (row,) = targets.binding().itertuples()
    assert (row.target_share, row.ids, row.source_ids, row.conflict) == (
        0.80,
        "a-1;b-1",
        "a;b",
        True,
    )


def test_binding_of_the_evidence_has_one_row_per_segment_and_deadline():
    b = targets.binding()
    assert not b.duplicated(["segment", "deadline"]).any() and not b["conflict"].any()
    assert len(b) == len(targets.official().query("modelled"))


def test_past_deadline_is_missed_not_unknown():
    # Review case: with a cut-off after every deadline, localities' 17% (Aug 2024) missed 30% and 70%
    proj = uptake.project("business-as-usual", n_draws=20, seed=0, cutoff="2026-03-31")
    att = targets.attainment(proj).set_index(["segment", "target_year"])
    assert (
        list(att.loc[[("localities", 2024), ("localities", 2025), ("national", 2025)], "status"])
        == ["missed"] * 3
    )
    assert (
        att.loc[("localities", 2024), "required_pace_share_per_year"]
        != att.loc[("localities", 2024), "required_pace_share_per_year"]
    )
    # ministries have no observation: a passed deadline cannot be called missed
    assert set(att.loc["ministries", "status"]) == {"unknown"}


def test_met_target_needs_no_pace():
    proj = uptake.project("business-as-usual", n_draws=20, seed=0)
    tg = pd.DataFrame([{"segment": "localities", "year": 2025, "target_share": 0.15, "ids": "x"}])
    row = targets.attainment(proj, targets=tg).iloc[0]
    assert row["status"] == "met" and row["required_pace_share_per_year"] == 0.0


@pytest.mark.parametrize(
    "target, cutoff, status",
    [(0.30, "2025-03-31", "missed"), (0.17, "2025-03-31", "met"), (0.15, "2024-08-31", "met")],
)
def test_same_numbers_same_status_for_a_segment_and_a_unit(tmp_path, target, cutoff, status):
    """Localities at 17% on 31 Aug 2024 and a province at 17% on the same day, same target."""
    from dvcanalysis import unit_targets, units

    proj = uptake.project("business-as-usual", n_draws=20, seed=0, cutoff=cutoff)
    tg = pd.DataFrame([{"segment": "localities", "year": 2024, "deadline": pd.Timestamp("2024-12-31"),
                        "target_share": target, "ids": "x"}])  # fmt: skip
    seg = targets.attainment(proj, targets=tg).iloc[0]
    p = tmp_path / "c.csv"
    p.write_text(
        "unit_type,unit_code,layout,period,dossiers_total,dossiers_fully_online\n"
        "province,01,2025,2024-08-31,100,17\n",
        encoding="utf-8",
    )
    unit = unit_targets.unit_status(units.load_counts(p), as_of=cutoff, targets_frame=tg).iloc[0]
    assert seg["latest_share"] == unit["fully_online_share"] == 0.17
    assert seg["status"] == unit["status"] == status
    np.testing.assert_equal(seg["required_pace_share_per_year"], unit["pace_needed_share_per_year"])


def test_same_numbers_same_pace_while_the_deadline_is_ahead(tmp_path):
    from dvcanalysis import unit_targets, units

    proj = uptake.project("business-as-usual", n_draws=20, seed=0)  # cut-off 31 Aug 2024
    tg = pd.DataFrame([{"segment": "localities", "year": 2025, "deadline": pd.Timestamp("2025-12-31"),
                        "target_share": 0.70, "ids": "x"}])  # fmt: skip
    seg = targets.attainment(proj, targets=tg).iloc[0]
    p = tmp_path / "c.csv"
    p.write_text(
        "unit_type,unit_code,layout,period,dossiers_total,dossiers_fully_online\n"
        "province,01,2025,2024-08-31,100,17\n",
        encoding="utf-8",
    )
    unit = unit_targets.unit_status(
        units.load_counts(p), as_of="2024-08-31", targets_frame=tg
    ).iloc[0]
    # a segment's target is assessed on the year's share: from a 2024 figure to the 2025
    # target is one year (targets.required_pace); a unit's level runs to its deadline's end
    assert seg["required_pace_share_per_year"] == pytest.approx(0.53)
    assert unit["pace_needed_share_per_year"] == pytest.approx(0.53 / (1 + 122 / 366))
    # the same rule decides: off track for the segment (probability 0) and for a unit whose
    # pace cannot reach 70% from 17% by the end of 2025
    assert seg["status"] == "off track"
    unit_slow = unit_targets.unit_status(
        units.load_counts(p), targets_frame=tg, scenario_pace=0.1
    ).iloc[0]
    assert unit_slow["status"] == "off track"
