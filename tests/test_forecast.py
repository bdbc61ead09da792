"""The default forecast (dvcanalysis.forecast): its arithmetic, its procedure, its evaluation.

Numbers are pinned on the frozen evidence to 31 July 2025 (tests/fixtures/data_2025-07-31), so
figures published later change no test here.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dvcanalysis import forecast
from dvcanalysis.errors import InputError
from dvcanalysis.forecast import (
    archive,
    calibrated,
    ensemble,
    randomwalk,
    rolling,
    settings,
    vintages,
)

FIX = "tests/fixtures/forecast"


@pytest.fixture
def data_2025(monkeypatch, fixtures):
    d = fixtures / "data_2025-07-31"
    monkeypatch.setenv("DVC_DATA_DIR", str(d))
    return d


# ------------------------------------------------------------------ arithmetic
@pytest.mark.parametrize(
    "anchor, target, expected",
    [
        ((2024.0, 2025.0), (2025.0, 2026.0), 2 / 3),  # gap 0 + 1/3 + 1/3
        ((2024.0, 2025.0), (2027.0, 2028.0), 2 + 2 / 3),  # gap 2 years
        ((2024.0, 2024.0), (2025.0, 2025.0), 1.0),  # a day to a day a year later
        ((2024.0, 2024.5), (2024.0, 2025.0), 1 / 12),  # H1 to its year: half of H2 - H1
        ((2024.0, 2025.0), (2024.0, 2025.0), 0.0),  # the same period
    ],
)
def test_period_distance_hand_cases(anchor, target, expected):
    assert randomwalk.period_distance(anchor, target) == pytest.approx(expected, abs=2e-3)


def test_tau_from_two_reports_of_one_month():
    # June 2025 provinces: 15.21% and 14.48%; d = logit difference, tau^2 = m d^2 / 2
    d = math.log(0.1521 / 0.8479) - math.log(0.1448 / 0.8552)
    assert randomwalk.estimate_tau([(0.1521, 0.1448, 1.0)]) == pytest.approx(abs(d) / math.sqrt(2))
    assert randomwalk.estimate_tau([]) == 0.0
    # a year's report is twelve times less noisy than a month's, in variance
    assert randomwalk.noise_variance(12, 0.3) == pytest.approx(
        randomwalk.noise_variance(1, 0.3) / 12
    )


def test_conformal_ranks_and_fallback():
    q, fb = calibrated.conformal(np.arange(1, 20) / 10)  # 19 errors: ranks 10 and 18
    assert not fb and q[0.5] == pytest.approx(1.0) and q[0.9] == pytest.approx(1.8)
    for few in ([0.1, 0.2, 0.3], [5.0, 6.0, 7.0], []):  # too few for the 90% band: fallback
        q, fb = calibrated.conformal(few)
        assert fb and q == calibrated.LEVELS
    # an old error (weight ~0) counts for almost nothing
    q, fb = calibrated.conformal(np.r_[np.full(19, 0.2), 9.0], np.r_[np.ones(19), 1e-6])
    assert not fb and q[0.9] == pytest.approx(0.2)


def test_relative_wis_is_the_ratio_for_two_forecasters():
    scores = pd.DataFrame(
        {
            "model": ["persistence", "persistence", "m", "m"],
            "origin": ["2024-06-30"] * 4,
            "id": ["a", "b", "a", "b"],
            "wis_share": [0.02, 0.04, 0.01, 0.02],
        }
    )
    rel = rolling.relative_wis(scores)
    assert rel["persistence"] == 1.0
    assert rel["m"] == pytest.approx(0.5)


def test_median_of_quantiles():
    a, b, c = np.array([3.0, 1.0, 2.0]), np.array([10.0, 20.0, 30.0]), np.array([0.0, 0.0, 0.0])
    assert ensemble.median_of_quantiles([a, b, c]).tolist() == [1.0, 2.0, 3.0]


# ------------------------------------------------------------------ vintages
def test_vintages_origins_and_pairs(data_2025):
    assert vintages.vintages()[0] == date(2019, 12, 31)
    assert vintages.origins() == [
        date(2024, 6, 30),
        date(2024, 7, 31),
        date(2024, 8, 31),
        date(2024, 12, 31),
        date(2025, 6, 30),
    ]
    pairs = vintages.pairs()
    assert len(pairs) == 20
    # a segment is scored only from origins where it had a figure of its own
    assert set(pairs.loc[pairs["origin"] == date(2024, 6, 30), "segment"]) == {"national"}
    assert (pairs["period_end"] > pd.to_datetime(pairs["origin"])).all()


# ------------------------------------------------------------------ the forecast
def test_forecast_is_centred_on_the_latest_figure(data_2025):
    fc = forecast.forecast(n_draws=1000)
    assert fc.cutoff == date(2025, 7, 31)
    assert fc.segments == ["ministries", "localities", "national"]
    # persistence on the log-odds: the median of any later period is the latest figure
    assert np.median(fc.period_draws("localities", "2025-08-01", "2025-08-31")) == pytest.approx(
        0.1181, abs=1e-4
    )
    assert np.median(fc.period_draws("ministries", "2025-08-01", "2025-08-31")) == pytest.approx(
        0.5119, abs=1e-4
    )
    d = fc.year_draws("national", 2026)
    assert d.shape == (1000,) and ((d > 0) & (d < 1)).all()


def test_bands_widen_with_the_horizon_and_after_a_break(data_2025):
    fc = forecast.forecast(n_draws=2000)
    w = []
    for year in (2026, 2027, 2028):  # after every recorded break
        q = fc.quantiles("ministries", f"{year}-01-01", f"{year}-12-31")
        w.append(q["q95"] - q["q05"])
    assert w[0] < w[1] < w[2]
    # at 30 June 2025 the provinces' merger of 1 July (decided 12 April) is known: July's band
    # is wider than it would be without the break
    before = forecast.forecast("2025-06-30", n_draws=2000).core
    c, s = before.centre_and_scale("localities", "2025-07-01", "2025-07-31")
    no_break = calibrated.RuleForecast(**{**before.__dict__, "breaks": before.breaks.iloc[0:0]})
    _, s0 = no_break.centre_and_scale("localities", "2025-07-01", "2025-07-31")
    assert s**2 == pytest.approx(s0**2 + settings.load().value("break_sd_logit") ** 2)


def test_targets_of_2025_get_probabilities_from_the_forecast(data_2025):
    fc = forecast.forecast(n_draws=1000)
    for seg, share in (("ministries", 0.85), ("localities", 0.70), ("national", 0.80)):
        p = fc.probability_at_least(seg, 2025, share)
        assert 0.0 <= p < 0.01  # every 2025 figure so far is far below its target


def test_forecast_is_reproducible_and_checks_its_input(data_2025):
    a = forecast.forecast(n_draws=300, seed=1).period_draws("national", "2026-01-01", "2026-12-31")
    forecast._forecasts.clear()
    b = forecast.forecast(n_draws=300, seed=1).period_draws("national", "2026-01-01", "2026-12-31")
    assert np.array_equal(a, b)
    fc = forecast.forecast(n_draws=300)
    with pytest.raises(InputError, match="segment='province'.*expected one of"):
        fc.period_draws("province", "2026-01-01", "2026-12-31")
    with pytest.raises(InputError, match="end is before the start"):
        fc.period_draws("national", "2026-12-31", "2026-01-01")
    with pytest.raises(InputError, match="n_draws=5 is not accepted"):
        forecast.forecast(n_draws=5)


def test_members_join_only_where_they_beat_persistence(data_2025):
    fc = forecast.forecast(n_draws=500)
    sel = fc.selection.set_index("candidate")
    assert not sel.loc["business-as-usual", "joined"]
    assert sel.loc["business-as-usual", "relative_wis"] > 1
    assert list(fc.members) == ["calibrated-persistence", *sel.index[sel["joined"]]]


# ------------------------------------------------------------------ evaluation
def test_rolling_evaluation_meets_the_bar(data_2025):
    """Issue 18's bar: relative WIS <= 1, 90% coverage in [0.8, 1], 50% in [0.35, 0.65]."""
    ev = forecast.evaluate(n_draws=1000)
    f = ev.forecasts
    d = f[f["model"] == "default"]
    assert len(d) == 20
    rel = ev.relative_wis()
    assert rel["default"] <= 1.0
    assert 0.8 <= d["in90"].mean() <= 1.0
    assert 0.35 <= d["in50"].mean() <= 0.65
    # the uptake curve that the briefings published lost to persistence
    assert rel["business-as-usual"] > 1.5
    summary = ev.by_segment()
    assert {"relative_wis", "coverage50", "coverage90"} <= set(summary.columns)
    assert set(ev.by_horizon()["model"]) >= {"default", "persistence"}
    pit = ev.pit_histogram()
    assert pit.groupby("model")["fraction"].sum().round(9).eq(1.0).all()


# ------------------------------------------------------------------ archive
def test_archive_is_written_once(data_2025, tmp_path, monkeypatch):
    fc = forecast.forecast(n_draws=200)
    monkeypatch.setattr(archive, "folder", lambda: tmp_path)
    p, written = archive.publish(fc)
    assert written and p.exists()
    first = p.read_bytes()
    p2, written2 = archive.publish(forecast.forecast(n_draws=300))
    assert p2 == p and not written2 and p.read_bytes() == first
    table = archive.load()
    assert set(table["segment"]) == set(fc.segments) and (table["q05"] <= table["q95"]).all()
    # scored on a later figure of the same period (a synthetic one)
    later = pd.DataFrame(
        [
            {
                "id": "synthetic-01",
                "segment": "localities",
                "period": "2025-08",
                "period_start": pd.Timestamp("2025-08-01"),
                "period_end": pd.Timestamp("2025-08-31"),
                "value": 0.12,
            }
        ]
    )
    scored = archive.score_archived(later)
    assert len(scored) == 1 and bool(scored["archived"].iloc[0]) and bool(scored["in90"].iloc[0])


def test_shipped_data_vintage_is_archived(shipped_data):
    """A data update publishes its vintage's forecast (`make archive`) before it lands."""
    from dvcanalysis import evidence

    p = archive.path_for(evidence.data_date().isoformat())
    assert p.exists(), f"no archived forecast for the data date: run `make archive` ({p.name})"


# ------------------------------------------------------------------ settings
@pytest.mark.parametrize(
    "name, message",
    [
        ("unknown_key", "key 'members': unknown key; expected one of: parameters, candidates"),
        ("out_of_range", "fallback_sd_logit.default': 9 is out of range; expected 0.05 to 5"),
        ("unknown_candidate", "'no-such-model' is not a forecaster; expected any of: damped-trend"),
    ],
)
def test_settings_are_read_strictly(name, message):
    with pytest.raises(InputError) as e:
        settings.load(f"{FIX}/{name}.yml")
    assert message in str(e.value)
    assert f"{name}.yml" in str(e.value)
