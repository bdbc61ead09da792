"""Departures from the trend (uptake.shocks): shares can stall and fall; hand-checkable variances."""

from __future__ import annotations

import numpy as np
import pytest

from dvcanalysis import targets, uptake
from dvcanalysis.uptake import shocks


def _flat(n: int, k: int, share: float = 0.5) -> dict[str, np.ndarray]:
    return {seg: np.full((n, k), share) for seg in ("ministries", "localities", "national")}


ANCHORS = {
    s: uptake.Anchor(id=f"{s}-1", time=2024.5, value=0.5) for s in ("ministries", "localities")
}


def test_walk_has_variance_sd_squared_times_time_since_the_anchor():
    # A flat trend at 50% (log-odds 0): the log-odds are the walk, variance sd^2 (t - anchor).
    n, t = 200_000, np.array([2024.0, 2025.0, 2026.0, 2028.5])
    draws = {"logit_shock_sd": np.full(n, 0.5), "ministries_volume_share": np.full(n, 0.4)}
    out = shocks.apply(
        _flat(n, len(t)), t, ANCHORS, draws, shock_from=None, national="mix",
        rng=np.random.default_rng(0),
    )  # fmt: skip
    x = np.log(out["localities"] / (1 - out["localities"]))
    np.testing.assert_allclose(x[:, 0], 0.0)  # before the anchor: the history is unchanged
    np.testing.assert_allclose(x.var(axis=0)[1:], 0.25 * (t[1:] - 2024.5), rtol=0.02)
    # one path per draw: successive years are correlated as a random walk's are
    c = np.corrcoef(x[:, 1], x[:, 2])[0, 1]
    assert c == pytest.approx(np.sqrt(0.5 / 1.5), abs=0.01)
    # national is the volume-weighted mix of the shocked segments
    np.testing.assert_allclose(out["national"], 0.4 * out["ministries"] + 0.6 * out["localities"])


def test_marginal_evaluation_has_the_same_distribution_as_the_paths():
    n, t = 200_000, np.array([2025.0, 2026.0])
    draws = {"logit_shock_sd": np.full(n, 0.6), "ministries_volume_share": np.full(n, 0.5)}
    kw = dict(shock_from=None, national="mix")
    grid = shocks.apply(_flat(n, 2, 0.3), t, ANCHORS, draws, rng=np.random.default_rng(1), **kw)
    marg = shocks.at_times(_flat(n, 2, 0.3), t, ANCHORS, draws, seed=2, **kw)
    for q in (0.05, 0.5, 0.95):
        np.testing.assert_allclose(
            np.quantile(grid["localities"], q, axis=0),
            np.quantile(marg["localities"], q, axis=0),
            atol=0.004,
        )


def test_coverage_shock_moves_log_odds_once_from_its_date():
    n, t = 10, np.array([2025.0, 2025.5, 2026.0])
    draws = {
        "logit_shock_sd": np.zeros(n),
        "coverage_shock_logit": np.full(n, -0.4),
        "ministries_volume_share": np.full(n, 0.5),
    }
    out = shocks.apply(
        _flat(n, 3), t, ANCHORS, draws, shock_from=2025.5, national="mix",
        rng=np.random.default_rng(0),
    )  # fmt: skip
    np.testing.assert_allclose(out["localities"][:, 0], 0.5)
    np.testing.assert_allclose(out["localities"][:, 1:], 1 / (1 + np.exp(0.4)))


def test_coverage_shock_is_not_applied_twice_after_an_anchor_that_shows_it():
    # an anchor measured after the change (July 2025, first month after the mergers) already
    # shows it: the shock applies only to the segment anchored before it
    n, t = 10, np.array([2025.75, 2026.0])
    draws = {
        "logit_shock_sd": np.zeros(n),
        "coverage_shock_logit": np.full(n, -0.4),
        "ministries_volume_share": np.full(n, 0.5),
    }
    anchors = {
        "ministries": uptake.Anchor(id="m-1", time=2025.45, value=0.5),
        "localities": uptake.Anchor(id="l-1", time=2025.54, value=0.5),
    }
    out = shocks.apply(
        _flat(n, 2), t, anchors, draws, shock_from=2025.5, national="mix",
        rng=np.random.default_rng(0),
    )  # fmt: skip
    np.testing.assert_allclose(out["localities"], 0.5)
    np.testing.assert_allclose(out["ministries"], 1 / (1 + np.exp(0.4)))


def test_business_as_usual_can_fall_in_every_segment():
    proj = uptake.project("business-as-usual", n_draws=2000, seed=0)
    y = list(proj.years)
    for seg, s in proj.shares.items():
        fall = np.mean(s[:, y.index(2026)] < s[:, y.index(2025)])
        assert fall > 0.05, seg  # a real probability of a lower share a year later


def test_stalled_has_no_trend_growth():
    proj = uptake.project("stalled", n_draws=200, seed=0, overrides={"logit_shock_sd": 0.0})
    assert proj.scenario.assumptions["pace_multiplier"].default == 0.0
    y = list(proj.years)
    for seg in ("ministries", "localities"):
        s = proj.shares[seg]
        # from pace_from (1 Jan 2025) on, the trend is flat: end-2025 equals end-2030
        np.testing.assert_allclose(s[:, y.index(2025)], s[:, y.index(2030)])


def test_reorganisation_lowers_the_measured_share_from_mid_2025_only():
    kw = dict(n_draws=500, seed=0)
    base = uptake.project("business-as-usual", **kw)
    reorg = uptake.project("reorganisation", **kw)
    assert reorg.scenario.assumptions["coverage_shock_logit"].high <= 0.0
    y = list(base.years)
    for seg in ("ministries", "localities"):
        # the same draws and walks; the shock applies from 2025.5 (year-end 2025 onwards)
        assert (reorg.shares[seg][:, y.index(2025)] <= base.shares[seg][:, y.index(2025)]).all()
        assert np.median(reorg.shares[seg][:, y.index(2025)]) < np.median(
            base.shares[seg][:, y.index(2025)]
        )


def test_target_path_carries_no_shocks():
    proj = uptake.project("target-path", n_draws=50, seed=0)
    assert proj.scenario.assumptions["logit_shock_sd"].default == 0.0
    tgt = uptake.all_segment_targets()
    trend = uptake.simulate(
        proj.scenario, uptake.end_of_year(proj.years), proj.anchors, proj.draws, tgt
    )
    for seg in proj.shares:
        np.testing.assert_allclose(trend[seg], proj.shares[seg])


def test_a_years_target_is_assessed_on_that_years_full_year_share():
    proj = uptake.project("business-as-usual", n_draws=10, seed=0)
    years = list(proj.years)
    n = 8
    proj.shares = {"localities": np.full((n, len(years)), 0.9)}  # end-of-year levels
    mid = np.full((n, len(years)), 0.2)
    mid[:2, years.index(2025)] = 0.75  # a quarter of the draws' 2025 shares meet 70%
    proj.year_shares = {"localities": mid}
    row = targets.attainment(proj).set_index("target_year").loc[2025]
    assert row["probability"] == pytest.approx(0.25)
    assert row["median_share"] == pytest.approx(0.2)


def test_a_dates_shock_does_not_depend_on_the_other_dates_asked_for():
    n = 50
    draws = {"logit_shock_sd": np.full(n, 0.5), "ministries_volume_share": np.full(n, 0.5)}
    kw = dict(shock_from=None, national="mix", seed=7)
    both = shocks.at_times(_flat(n, 2), np.array([2025.0, 2025.7]), ANCHORS, draws, **kw)
    one = shocks.at_times(_flat(n, 1), np.array([2025.7]), ANCHORS, draws, **kw)
    np.testing.assert_array_equal(both["localities"][:, 1], one["localities"][:, 0])


def test_choice_range_spans_the_curve_shapes():
    r = uptake.choice_range("business-as-usual", n_draws=300, seed=0)
    df = r.to_df()
    assert set(r.frame["choice"]) == set(uptake.CURVE_CHOICES)
    assert (df["probability_low"] <= df["probability_high"]).all()
    cols = [f"probability_{c}" for c in uptake.CURVE_CHOICES]
    np.testing.assert_allclose(df["probability_low"], df[cols].min(axis=1))
    lo, hi = r.for_target("localities", 2025)
    row = df.set_index(["segment", "target_year"]).loc[("localities", 2025)]
    assert (lo, hi) == (row["probability_low"], row["probability_high"])
    # each choice's probability is the attainment of that curve's own projection
    p = uptake.project("business-as-usual", n_draws=300, seed=0, curve="linear")
    att = targets.attainment(p).set_index(["segment", "target_year"])
    assert row["probability_linear"] == att.loc[("localities", 2025), "probability"]


def test_choice_range_of_the_target_path_is_the_path_itself():
    r = uptake.choice_range("target-path", n_draws=50, seed=0)
    assert set(r.frame["choice"]) == {"target-path"}
