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
        ("ministries", 2024): 0.70, ("localities", 2024): 0.30,
        ("ministries", 2025): 0.85, ("localities", 2025): 0.70, ("national", 2025): 0.70,
    }
    loc24 = fo[(fo["segment"] == "localities") & (fo["year"] == 2024)].iloc[0]
    assert loc24["source_ids"] == "seed000;seed003"
    other = off[off["indicator"] == "online_share_any_level"]
    assert len(other) == 1 and other["target_share"].iloc[0] == 0.9 and not other["modelled"].iloc[0]
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
    att = targets.attainment(proj).set_index("target_year")
    row = att.loc[2025]
    assert row["probability"] == pytest.approx(0.25)
    assert row["status"] == "off track"
    assert row["latest_share"] == pytest.approx(0.17) and row["latest_id"] == "seed000-02"
    # From 17% on 31 Aug 2024 to 70% at the end of 2025: 0.53 over 1 + 122/366 years.
    assert row["required_pace_share_per_year"] == pytest.approx(0.53 / (1 + 122 / 366))


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
    assert targets.probability_at_least(np.minimum(base + bump, 1), threshold) >= targets.probability_at_least(base, threshold)


def test_faster_scenario_never_lowers_any_probability():
    kw = dict(n_draws=400, seed=3)
    probs = [targets.attainment(uptake.project(n, **kw))["probability"].to_numpy() for n in ("stalled", "business-as-usual", "accelerated")]
    assert (probs[0] <= probs[1]).all() and (probs[1] <= probs[2]).all()
