"""Uptake curves, calibration, Monte Carlo projection, comparison and backtest."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from dvcanalysis import uptake
from dvcanalysis.errors import InputError


# ---------------------------------------------------------------- curves, by hand
def test_logistic_through_two_known_points():
    # Ceiling 1, 10% at t=0 and 50% at t=2: logit goes from ln(1/9) to 0, so k = ln(9)/2
    # and at t=4 the share is 1/(1 + 1/9) = 0.9 (symmetry about the midpoint).
    s = uptake.logistic_through(np.array([0.0, 2.0, 4.0]), 0.0, 0.1, 2.0, 0.5, 1.0)
    np.testing.assert_allclose(s, [0.1, 0.5, 0.9])
    # With a ceiling of 0.8, the curve passes through both points and tends to 0.8.
    s = uptake.logistic_through(np.array([2019.0, 2024.0, 2100.0]), 2019.0, 0.05, 2024.0, 0.3, 0.8)
    np.testing.assert_allclose(s[:2], [0.05, 0.3])
    assert s[2] == pytest.approx(0.8, abs=1e-6)


def test_bass_closed_form_matches_numerical_integration():
    p, q, m = 0.03, 0.38, 0.9
    t = np.linspace(0, 15, 16)
    sol = solve_ivp(lambda _, f: (p + q * f / m) * (m - f), (0, 15), [0.0], t_eval=t, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(uptake.bass_cdf(t, p, q, m), sol.y[0], rtol=1e-7, atol=1e-9)


def test_bass_known_values_and_inverse():
    # At t=0 nothing; the initial slope is p*m; the inflection share is m(q-p)/(2q).
    p, q, m = 0.03, 0.38, 1.0
    assert uptake.bass_cdf(0.0, p, q, m) == 0.0
    h = 1e-6
    assert uptake.bass_cdf(h, p, q, m) / h == pytest.approx(p * m, rel=1e-4)
    t_star = math.log(q / p) / (p + q)
    assert uptake.bass_cdf(t_star, p, q, m) == pytest.approx(m * (q - p) / (2 * q))
    share = np.array([0.05, 0.17, 0.6])
    np.testing.assert_allclose(uptake.bass_cdf(uptake.bass_time_to(share, p, q, m), p, q, m), share)


def test_linear_and_target_path_by_hand():
    s = uptake.linear_through(np.array([2020.0, 2025.0, 2040.0]), 2020.0, 0.05, 2024.0, 0.25, 0.9)
    np.testing.assert_allclose(s, [0.05, 0.3, 0.9])  # +5 pp a year, capped at the ceiling
    # From 17% at 2024.5 to 30% at 2025.0 and 70% at 2026.0, then flat.
    path = uptake.target_path(np.array([2024.5, 2024.75, 2025.0, 2025.5, 2026.0, 2027.0]), 2024.5, np.array([0.17, 0.4]),
                              [2025.0, 2026.0], [0.3, 0.7])
    np.testing.assert_allclose(path[0], [0.17, 0.235, 0.3, 0.5, 0.7, 0.7])
    np.testing.assert_allclose(path[1], [0.4, 0.4, 0.4, 0.5, 0.7, 0.7])  # already above: never falls


def test_effective_time_applies_pace_after_its_start():
    te = uptake.effective_time(np.array([2024.0, 2025.0, 2026.0]), np.array([1.0, 2.0]), 2025.0)
    np.testing.assert_allclose(te, [[2024, 2025, 2026], [2024, 2025, 2027]])


# ---------------------------------------------------------------- projection
def test_project_shapes_columns_and_calibration():
    proj = uptake.project("business-as-usual", n_draws=200, seed=1)
    assert list(proj.years) == list(range(2024, 2031))
    assert set(proj.shares) == {"ministries", "localities", "national"}
    assert all(a.shape == (200, 7) for a in proj.shares.values())
    df = proj.to_df()
    assert list(df.columns) == ["draw", "year", "segment", "share"] and len(df) == 200 * 7 * 3
    q = proj.quantiles((0.05, 0.5, 0.95))
    assert list(q.columns) == ["year", "segment", "q05", "q50", "q95"]
    assert (q["q05"] <= q["q50"]).all() and (q["q50"] <= q["q95"]).all()
    anchor = proj.observations.set_index("id").loc["seed000-02"]
    assert anchor["role"] == "anchor" and anchor["value"] == pytest.approx(0.17)
    assert "seed000" in proj.sources and "ref_bass" in proj.sources
    assert {"name", "value", "unit", "source", "description"} <= set(proj.assumptions.columns)
    assert proj.parameters["cutoff"] == "2024-08-31" and proj.parameters["seed"] == 1


def test_fixed_assumptions_give_a_hand_checkable_national_mix():
    fixed = {"base_year": 2019, "base_share": 0.05, "ceiling_share": 0.9, "anchor_error_share": 0.0,
             "ministries_ratio": 2.0, "ministries_volume_share": 0.25}
    proj = uptake.project("business-as-usual", n_draws=3, seed=0, curve="linear", overrides=fixed)
    t_a = 2024 + 244 / 366  # 31 Aug 2024 = day 244 of 366, read at end of day
    slope = (0.17 - 0.05) / (t_a - 2020.0)
    loc_2025 = 0.17 + slope * (2026.0 - t_a)
    np.testing.assert_allclose(proj.shares["localities"][:, 1], loc_2025)
    min_2025 = 0.34 + (0.34 - 0.05) / (t_a - 2020.0) * (2026.0 - t_a)
    np.testing.assert_allclose(proj.shares["ministries"][:, 1], min_2025)
    np.testing.assert_allclose(proj.shares["national"][:, 1], 0.25 * min_2025 + 0.75 * loc_2025)


def test_seeded_run_is_pinned():
    q = uptake.project("business-as-usual", n_draws=500, seed=0).quantiles((0.5,))
    got = q.set_index(["segment", "year"])["q50"]
    np.testing.assert_allclose(
        [got[("localities", 2025)], got[("ministries", 2025)], got[("national", 2030)]],
        PINNED, rtol=1e-5,
    )


# Medians of a seeded run (500 draws, seed 0, conditioned on the national observations);
# pinned so that a change of the model is noticed.
PINNED = [0.25262916188197465, 0.8380341368472833, 0.7373301124189486]


# ---------------------------------------------------------------- conditioning on national observations
def test_national_likelihood_and_resampling_by_hand():
    # Two draws, one observation at 0.4, sd 0.1: the draw at 0.4 has log-likelihood -log(0.1),
    # the draw at 0.2 two standard deviations less likely: -2 - log(0.1).
    lw = uptake.national_log_likelihood(np.array([[0.4], [0.2]]), np.array([0.4]), np.array([0.1, 0.1]))
    np.testing.assert_allclose(lw, [-math.log(0.1), -2.0 - math.log(0.1)])
    idx, w, ess = uptake.resample_indices(lw, 20_000, np.random.default_rng(0))
    np.testing.assert_allclose(w, [1 / (1 + math.exp(-2)), math.exp(-2) / (1 + math.exp(-2))])
    assert ess == pytest.approx(1 / (w**2).sum())
    assert np.mean(idx == 1) == pytest.approx(w[1], abs=0.01)
    # A zero weight is never drawn.
    idx, _, _ = uptake.resample_indices(np.array([0.0, -np.inf, 0.0]), 1000, np.random.default_rng(1))
    assert set(idx) == {0, 2}


def test_conditioning_brings_the_national_band_to_the_national_observations():
    proj = uptake.project("business-as-usual", n_draws=1000, seed=0)
    cal = proj.calibration
    assert cal["applied"] and cal["observation_ids"] == ["ref_vietnamnet_en-01", "ref_vietnamnet_en-02", "ref_vietnamnet_en-04"]
    assert cal["pool"] == uptake.POOL_FACTOR * 1000 == proj.parameters["prior_pool"]
    assert 0.1 * cal["pool"] < cal["ess"] <= cal["pool"] and cal["ess_share"] == pytest.approx(cal["ess"] / cal["pool"])
    assert not cal["low_ess"] and cal["weights"].shape == (cal["pool"],)
    roles = proj.observations.set_index("id")["role"]
    assert (roles[cal["observation_ids"]] == "calibration (likelihood)").all()
    q = proj.quantiles((0.05, 0.5, 0.95)).set_index(["segment", "year"])
    assert q.loc[("national", 2024), "q05"] <= 0.43 <= q.loc[("national", 2024), "q95"]
    prior = uptake.project("business-as-usual", n_draws=1000, seed=0, calibrate=False)
    assert not prior.calibration["applied"] and prior.calibration["reason"] == "disabled"
    assert (prior.observations["role"] != "calibration (likelihood)").all()
    # The observations pull the national median up towards 42-43%.
    assert q.loc[("national", 2024), "q50"] > np.median(prior.shares["national"][:, 0]) + 0.05


def test_a_large_observation_sd_gives_back_the_prior():
    kw = dict(n_draws=2000, seed=4)
    loose = uptake.project("business-as-usual", overrides={"national_observation_sd_share": 1.0}, **kw)
    prior = uptake.project("business-as-usual", calibrate=False, **kw)
    assert loose.calibration["applied"] and loose.calibration["ess_share"] > 0.95
    a, b = loose.quantiles(), prior.quantiles()
    np.testing.assert_allclose(a[["q05", "q50", "q95"]], b[["q05", "q50", "q95"]], atol=0.03)


def test_conditioning_is_seeded():
    a = uptake.project("business-as-usual", n_draws=100, seed=7)
    b = uptake.project("business-as-usual", n_draws=100, seed=7)
    for k in a.draws:
        np.testing.assert_array_equal(a.draws[k], b.draws[k])
    assert a.calibration["ess"] == b.calibration["ess"]
    np.testing.assert_array_equal(a.calibration["weights"], b.calibration["weights"])


def test_observations_after_the_cutoff_never_enter_the_likelihood():
    # Cut-off end 2023: the 2024 national points are after it; the 2019 point is the proxy anchor.
    proj = uptake.project("business-as-usual", n_draws=100, seed=0, cutoff="2023-12-31", curve="bass")
    cal = proj.calibration
    assert not cal["applied"] and cal["reason"] == "no_observation" and cal["observation_ids"] == []
    np.testing.assert_array_equal(cal["weights"], np.full(cal["pool"], 1 / cal["pool"]))
    assert cal["ess"] == cal["pool"]
    roles = proj.observations.set_index("id")["role"]
    assert (roles[["ref_vietnamnet_en-02", "ref_vietnamnet_en-04"]] == "after cutoff").all()
    assert roles["ref_vietnamnet_en-01"] == "anchor"
    # Mid-2024 cut-off before July: only the first-half figure enters; July is after it.
    mid = uptake.project("business-as-usual", n_draws=100, seed=0, cutoff="2024-06-30", curve="bass")
    assert mid.anchors["localities"]["id"] == "ref_vietnamnet_en-02"
    assert mid.calibration["observation_ids"] == ["ref_vietnamnet_en-01"]


def test_national_from_observations_is_not_conditioned_again():
    proj = uptake.project("business-as-usual", n_draws=50, seed=0, overrides={"national": "observations"})
    assert not proj.calibration["applied"] and proj.calibration["reason"] == "national_observations"
    used = proj.assumptions.set_index("name")["used"]
    assert not used["national_observation_sd_share"]


def test_narrative_warns_on_a_small_effective_sample_size():
    from dvcanalysis import tables

    tight = uptake.project("business-as-usual", n_draws=200, seed=0, overrides={"national_observation_sd_share": 0.02})
    assert tight.calibration["low_ess"]
    assert "small effective sample size" in tables.uptake_evidence_text(tight, "en")
    assert "cỡ mẫu hiệu dụng nhỏ" in tables.uptake_evidence_text(tight, "vi")
    ok = uptake.project("business-as-usual", n_draws=200, seed=0)
    text = tables.uptake_evidence_text(ok, "en")
    assert "Effective sample size" in text and "small effective sample size" not in text


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    curve=st.sampled_from(["linear", "logistic", "bass", "target-path"]),
    ratio=st.floats(0.5, 6.0),
    pace=st.floats(0.0, 5.0),
    error=st.floats(0.0, 0.2),
)
def test_shares_stay_within_0_1(seed, curve, ratio, pace, error):
    proj = uptake.project("business-as-usual", n_draws=50, seed=seed, curve=curve,
                          overrides={"ministries_ratio": ratio, "pace_multiplier": pace, "anchor_error_share": error})
    for a in proj.shares.values():
        assert np.isfinite(a).all() and (a >= 0).all() and (a <= 1).all()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32), curve=st.sampled_from(["linear", "logistic", "bass"]))
def test_same_seed_same_draws_and_higher_pace_never_lower(seed, curve):
    a = uptake.project("business-as-usual", n_draws=30, seed=seed, curve=curve)
    b = uptake.project("business-as-usual", n_draws=30, seed=seed, curve=curve)
    fast = uptake.project("business-as-usual", n_draws=30, seed=seed, curve=curve, overrides={"pace_multiplier": 1.5})
    for seg in a.shares:
        np.testing.assert_array_equal(a.shares[seg], b.shares[seg])
        assert (fast.shares[seg] >= a.shares[seg] - 1e-12).all()
    c = uptake.project("business-as-usual", n_draws=30, seed=seed + 1, curve=curve)
    assert not np.array_equal(a.shares["localities"], c.shares["localities"])


def test_national_from_observations_is_anchored_on_the_national_series():
    proj = uptake.project("business-as-usual", n_draws=200, seed=0, overrides={"national": "observations", "anchor_error_share": 0.0})
    assert proj.anchors["national"]["id"] == "ref_vietnamnet_en-04"
    assert np.median(proj.shares["national"][:, 0]) > 0.43


@pytest.mark.parametrize(
    ("kwargs", "wording"),
    [
        ({"cutoff": "2024-02-30"}, "cutoff='2024-02-30' is not a date; expected YYYY-MM-DD"),
        ({"cutoff": "2018-01-01"}, "no fully-online observation on or before it"),
        ({"cutoff": "2021-06-30"}, "is not after the base year range"),
        ({"n_draws": 0}, "n_draws=0 is out of range"),
        ({"horizon": 2020}, "horizon=2020 is out of range; expected 2024 to 2050"),
        ({"scenario": "nope"}, "unknown scenario 'nope'"),
    ],
)
def test_bad_options_raise_input_error(kwargs, wording):
    kwargs = {"n_draws": 10, **kwargs}
    with pytest.raises(InputError, match=wording.replace("(", r"\(").replace(")", r"\)")):
        uptake.project(**kwargs)


def test_cutoff_before_localities_observation_uses_national_as_proxy():
    proj = uptake.project("business-as-usual", n_draws=20, cutoff="2024-07-31")
    assert proj.anchors["localities"]["proxy"] and proj.anchors["localities"]["id"] == "ref_vietnamnet_en-04"
    assert proj.observations.set_index("id").loc["seed000-02", "role"] == "after cutoff"


def test_compare_and_backtest():
    cmp = uptake.compare(["business-as-usual", "stalled"], n_draws=100)
    assert list(cmp.columns) == ["scenario", "year", "segment", "q05", "q50", "q95"]
    bt = uptake.backtest("online_share_any_level", "national", cutoff="2022-12-31", n_draws=200)
    assert set(bt["curve"]) == {"linear", "logistic", "bass"} and bt["identifiable"].all()
    lin = bt[bt["curve"] == "linear"].iloc[0]
    # 30% at end 2021 and 40% at end Aug 2022: +0.1 over 243/365 years; 5 Jun 2023 is 278 days later.
    assert lin["q50"] == pytest.approx(0.4 + 0.1 / (243 / 365) * (278 / 365), abs=0.01)
    one_point = uptake.backtest("fully_online_share", "national", cutoff="2019-12-31", n_draws=50)
    assert not one_point[one_point["curve"] == "linear"]["identifiable"].any()
    assert one_point[one_point["curve"] == "bass"]["identifiable"].all()


def test_plots_draw_from_frames(figures_tmp):
    from dvcanalysis import plots, scenarios, targets
    from dvcanalysis.plots import uptake as uplot

    proj = uptake.project("business-as-usual", n_draws=50)
    fig = proj.plot(lang="en")
    assert len(fig.axes) == 3
    written = plots.save(fig, "fan_test", data=proj.quantiles(), provenance=proj.provenance())
    assert written["png"].exists() and written["csv"].exists()
    fig2 = uplot.compare_chart(uptake.compare(["stalled"], n_draws=20), titles={"stalled": scenarios.load("stalled").title["vi"]})
    fig3 = uplot.attainment_chart(targets.attainment(proj), lang="vi")
    _, ax = plt.subplots()
    proj.plot(segment="localities", ax=ax)
    with pytest.raises(InputError, match="segment='x' is not in the projection"):
        proj.plot(segment="x")
    plt.close("all")
    assert fig2 and fig3
