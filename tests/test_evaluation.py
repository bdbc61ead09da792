"""Forecast evaluation: scores from draws, baselines as projections, the rolling evaluation of
the default forecast (dvcanalysis.forecast.evaluate), the track record and its text."""

from __future__ import annotations

import dataclasses
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dvcanalysis import evaluation, evidence, forecast, targets, uptake
from dvcanalysis.errors import InputError
from dvcanalysis.evaluation import scoring
from dvcanalysis.forecast import vintages
from dvcanalysis.tables import evaluation as evaluation_tables
from dvcanalysis.uptake import baselines

# ---------------------------------------------------------------- scores (hand-checked)


def test_point_mass_crps_and_wis_equal_absolute_error():
    s = scoring.score([0.3], np.full(200, 0.5))
    assert s["crps_share"][0] == pytest.approx(0.2)
    assert s["wis_share"][0] == pytest.approx(0.2)
    assert s["abs_error_share"][0] == pytest.approx(0.2)
    # interval score of the 90% band [0.5, 0.5]: width 0 + (2 / 0.1) * 0.2
    assert s["interval_score90_share"][0] == pytest.approx(4.0)
    assert s["pit"][0] == 0.0 and not s["in90"][0] and not s["in50"][0]


def test_crps_of_two_point_ensemble():
    # E|X - y| - E|X - X'| / 2 = 0.5 - 0.25 for draws {0, 1} and y = 0
    assert scoring.score([0.0], [0.0, 1.0])["crps_share"][0] == pytest.approx(0.25)


def test_wis_hand_checked_case():
    # y = m = 0.5, 90% band [0.3, 0.7] (IS 0.4), 50% band [0.4, 0.6] (IS 0.2):
    # (0.5 * 0 + 0.05 * 0.4 + 0.25 * 0.2) / 2.5 = 0.028
    w = scoring.weighted_interval_score(
        [0.5], [0.5], [[0.3, 0.4]], [[0.7, 0.6]], np.array([0.1, 0.5])
    )
    assert w[0] == pytest.approx(0.028)
    # the median's term: y = 0.6 above the median, inside both bands
    w = scoring.weighted_interval_score(
        [0.6], [0.5], [[0.3, 0.4]], [[0.7, 0.6]], np.array([0.1, 0.5])
    )
    assert w[0] == pytest.approx((0.5 * 0.1 + 0.05 * 0.4 + 0.25 * 0.2) / 2.5)


def test_pit_of_known_sample():
    draws = np.arange(100) / 100  # 0.00 ... 0.99
    assert scoring.pit([0.495], draws)[0] == pytest.approx(0.5)
    assert scoring.pit([0.5], draws)[0] == pytest.approx(0.505)  # 50 below, one tie split
    assert scoring.pit([-1.0], draws)[0] == 0.0 and scoring.pit([2.0], draws)[0] == 1.0


@settings(max_examples=50, deadline=None)
@given(
    y=st.floats(0, 1),
    m=st.floats(0, 1),
    draws=st.lists(st.floats(0, 1), min_size=1, max_size=30),
)
def test_score_properties(y, m, draws):
    s = scoring.score([y], draws)
    assert s["crps_share"][0] >= -1e-12 and s["wis_share"][0] >= -1e-12
    assert 0.0 <= s["pit"][0] <= 1.0
    point = scoring.score([y], [m] * 5)  # a point forecast scores its absolute error
    assert point["crps_share"][0] == pytest.approx(abs(y - m), abs=1e-12)
    assert point["wis_share"][0] == pytest.approx(abs(y - m), abs=1e-12)


def test_bands_and_brier():
    s = scoring.score([0.3, 0.9], np.tile(np.linspace(0, 1, 101), (2, 1)))
    assert list(s["in50"]) == [True, False] and list(s["in90"]) == [True, True]
    assert scoring.brier([1, 0], [0.8, 0.3]) == pytest.approx([0.04, 0.09])


def test_bad_scoring_input():
    with pytest.raises(InputError, match="do not fit"):
        scoring.score([0.1, 0.2], np.zeros((3, 10)))
    with pytest.raises(InputError, match="outcomes of 0 or 1"):
        scoring.brier([2], [0.5])


# ---------------------------------------------------------------- synthetic observations


def _frame(rows) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["id", "segment", "period", "value"])
    out["period_end"] = pd.to_datetime(out["period"])
    out["period_start"] = out["period_end"]  # levels on a day
    out["decimal_year"] = [evidence.decimal_year(d.date()) for d in out["period_end"]]
    out["t_start"] = out["t_end"] = out["decimal_year"]
    out["bound"] = "eq"
    out["source_id"] = "seed000"  # a known source id, so footers can cite it
    return out


SYNTHETIC = _frame(
    [  # synthetic: not evidence, made for these tests
        ("syn-01", "national", "2020-12-31", 0.10),
        ("syn-02", "national", "2022-12-31", 0.30),
        ("syn-03", "localities", "2022-12-31", 0.20),
    ]
)
LATER = _frame(
    [
        ("syn-04", "national", "2024-12-31", 0.50),
        ("syn-05", "localities", "2024-12-31", 0.25),
    ]
)


@pytest.fixture
def synthetic(monkeypatch):
    """Replace the fully-online observations everywhere they are read with a synthetic set."""
    state = {"frame": SYNTHETIC}

    def fake(*, cutoff=uptake.DEFAULT_CUTOFF):
        cut = pd.Timestamp(uptake.parse_cutoff(cutoff))
        o = state["frame"].copy()
        o["role"] = np.where(o["period_end"] <= cut, "comparison", "after cutoff")
        return o.sort_values(["segment", "period_end", "id"]).reset_index(drop=True)

    for mod in (uptake.montecarlo, baselines, vintages):
        monkeypatch.setattr(mod, "observations", fake)
    forecast._forecasts.clear()
    forecast.members._made.clear()
    yield state
    forecast._forecasts.clear()
    forecast.members._made.clear()


def test_persistence_rule_hand_checked(synthetic):
    b = baselines.persistence(cutoff="2022-12-31", n_draws=500, seed=1, horizon=2026)
    # one pair of national changes: 0.2 over 2 years -> sigma^2 = 0.04 / 2
    assert b.rule["sigma"] == pytest.approx(math.sqrt(0.02))
    j = list(b.years).index(2024)  # end of 2024 = two years after the anchor: sd 0.2
    nat = np.clip(0.30 + 0.2 * b.draws["z_national"], 0, 1)
    assert b.shares["national"][:, j] == pytest.approx(nat)
    assert b.anchors["ministries"] == uptake.Anchor(id="syn-02", time=2023.0, value=0.3, proxy=True)
    assert b.anchors["localities"].proxy is False
    loc = np.clip(0.20 + 0.2 * b.draws["z_localities"], 0, 1)
    assert b.shares["localities"][:, j] == pytest.approx(loc)
    # antithetic draws: the median path is the line itself (here flat), not sampling noise
    assert np.median(b.shares["national"], axis=0) == pytest.approx(np.full(len(b.years), 0.30))


def test_linear_trend_rule_hand_checked(synthetic):
    b = baselines.linear_trend(cutoff="2022-12-31", n_draws=500, seed=1, horizon=2026)
    j = list(b.years).index(2024)
    # national slope (0.3 - 0.1) / 2 = 0.1 a year; localities borrow it (one point of their own)
    assert b.shares["national"][:, j] == pytest.approx(
        np.clip(0.5 + 0.2 * b.draws["z_national"], 0, 1)
    )
    assert b.shares["localities"][:, j] == pytest.approx(
        np.clip(0.4 + 0.2 * b.draws["z_localities"], 0, 1)
    )


def test_baseline_needs_a_past_change(synthetic):
    with pytest.raises(InputError, match="two observations of one segment"):
        baselines.persistence(cutoff="2021-06-30")
    with pytest.raises(InputError, match="kind='flat' is not accepted|flat"):
        baselines.baseline("flat")


def test_baseline_is_an_ordinary_projection(synthetic, figures_tmp):
    b = baselines.persistence(cutoff="2022-12-31", n_draws=200, seed=0, horizon=2026)
    assert isinstance(b, uptake.Projection)
    q = b.quantiles((0.05, 0.5, 0.95))
    assert set(q["segment"]) == set(uptake.SEGMENTS)
    att = targets.attainment(b)
    assert len(att) and att["probability"].between(0, 1).all()
    fig = b.plot(lang="en")
    assert fig is not None
    from dvcanalysis.tables import uptake as uptake_tables

    assert "random walk" in uptake_tables.calibration_text(b, "en")
    assert "Persistence" in uptake_tables.attainment_text(att, b, "en")
    assert b.assumptions["name"].iloc[0] == "sigma_share_per_sqrt_year"
    # the same numbers at the year ends through shares_at (what the evaluation reads)
    again = b.shares_at(uptake.end_of_year(b.years))
    assert all(np.array_equal(again[s], b.shares[s]) for s in b.segments)


def test_new_observation_adds_origin_and_brier(synthetic):
    before = vintages.origins()
    synthetic["frame"] = pd.concat([SYNTHETIC, LATER], ignore_index=True)
    after = vintages.origins()
    assert before == []  # two vintages, the first has no past to learn from
    assert after == [date(2022, 12, 31)]
    ev = forecast.evaluate(["default", "persistence"], n_draws=4000, seed=0)
    assert ev.origins == ["2022-12-31"]
    assert set(ev.forecasts["id"]) == {"syn-04", "syn-05"}
    # a level on a day is not a year's share: no target year is scored
    assert ev.brier.empty
    # persistence forecasts the latest figure: its median is the figure at 2022-12-31
    p = ev.forecasts[ev.forecasts["model"] == "persistence"].set_index("id")
    assert p.loc["syn-05", "q50"] == pytest.approx(0.20, abs=0.01)


def test_bounds_are_not_scored(synthetic):
    bound = LATER.iloc[[0]].assign(id="syn-06", bound="max", value=0.9)
    synthetic["frame"] = pd.concat([SYNTHETIC, LATER, bound], ignore_index=True)
    ev = forecast.evaluate(["default", "persistence"], n_draws=200, seed=0)
    assert "syn-06" not in set(ev.forecasts["id"])
    assert set(ev.forecasts["id"]) == {"syn-04", "syn-05"}
    assert ev.forecasts["own_observation"].all()


# ---------------------------------------------------------------- on the evidence (no pinned values)


@pytest.fixture(scope="module")
def ev():
    return forecast.evaluate(n_draws=300, seed=0)


def test_documented_columns(ev):
    assert (
        tuple(ev.to_df().columns)[: len(evaluation.FORECAST_COLUMNS)] == evaluation.FORECAST_COLUMNS
    )
    assert tuple(ev.by_segment().columns) == evaluation.SUMMARY_COLUMNS
    assert tuple(ev.brier.columns) == evaluation.BRIER_COLUMNS
    assert tuple(ev.skipped.columns) == evaluation.SKIPPED_COLUMNS


def test_every_forecaster_scored_on_the_same_pairs(ev):
    f = ev.forecasts
    pairs = {
        m: set(zip(f.loc[f["model"] == m, "origin"], f.loc[f["model"] == m, "id"], strict=True))
        for m in ev.models
    }
    assert {"default", "persistence", "linear-trend"} <= set(pairs)
    ref = pairs["default"]
    assert ref and all(p == ref for p in pairs.values())
    want = vintages.pairs()
    assert ref == {(o.isoformat(), i) for o, i in zip(want["origin"], want["id"], strict=True)}


def test_summary_consistent_with_forecasts(ev):
    s = ev.by_segment().set_index(["model", "segment"])
    f = ev.forecasts
    m = f[f["model"] == "default"]
    p = f[f["model"] == "persistence"]
    assert s.loc[("default", "all"), "coverage90"] == pytest.approx(m["in90"].mean())
    assert s.loc[("default", "all"), "crps_skill"] == pytest.approx(
        1 - m["crps_share"].mean() / p["crps_share"].mean()
    )
    assert s.loc[("persistence", "all"), "relative_wis"] == pytest.approx(1.0)
    # with the same pairs, relative WIS of two forecasters is the ratio of their mean WIS
    two = f[f["model"].isin(["default", "persistence"])]
    from dvcanalysis.forecast import rolling

    assert rolling.relative_wis(two)["default"] == pytest.approx(
        m["wis_share"].mean() / p["wis_share"].mean()
    )


def test_track_record_and_text(ev):
    rec = evaluation.track_record("national", evaluation=ev)
    assert evaluation.track_record("localities", evaluation=ev) is None  # one figure, none later
    f = ev.forecasts
    mine = f[(f["model"] == "default") & (f["segment"] == "national")]
    newest = mine.sort_values(["period_end", "id"], kind="stable").iloc[-1]
    assert rec.observation_id == newest["id"]
    assert rec.origin.isoformat() == mine[mine["id"] == newest["id"]]["origin"].max()
    assert rec.inside_band == (rec.low_share <= rec.observed_share <= rec.high_share)
    assert rec.n_forecasts == len(mine) and not rec.archived
    assert rec.relative_wis == pytest.approx(ev.relative_wis(segment="national")["default"])
    en = evaluation_tables.track_record_text(rec, "en")
    vi = evaluation_tables.track_record_text(rec, "vi")
    assert ("did not beat" in en) == (rec.relative_wis > 1)
    assert "re-made with today's method" in en
    assert "KHÔNG" not in vi
    assert rec.observation_id not in en and "seed" not in vi  # no evidence ids for readers


def test_track_record_says_plainly_when_persistence_wins():
    rec = evaluation.TrackRecord(
        segment="national", scenario="default", origin=date(2024, 8, 31),
        observation_id="x-01", period="2024", period_end=date(2024, 12, 31), source_id="src",
        observed_share=0.458, median_share=0.40, low_share=0.30, high_share=0.50,
        inside_band=True, relative_wis=1.25, n_forecasts=6, n_origins=3,
    )  # fmt: skip
    assert not rec.beats_persistence
    en = evaluation_tables.track_record_text(rec, "en")
    assert "did not beat simply carrying the latest figure forward" in en and "25%" in en
    better = dataclasses.replace(rec, relative_wis=0.75, archived=True)
    text = evaluation_tables.track_record_text(better, "en")
    assert "did better" in text and "published then" in text
    assert evaluation_tables.track_record_text(None, "vi") == ""


def test_display_tables_and_plot(ev, figures_tmp):
    for lang in ("vi", "en"):
        t = evaluation_tables.summary_table(ev.by_segment(), lang)
        assert len(t) == len(ev.by_segment())
        assert evaluation_tables.summary_text(ev, lang)
        assert len(evaluation_tables.forecasts_table(ev.forecasts, lang)) == len(ev.forecasts)
        assert len(evaluation_tables.horizon_table(ev.by_horizon(), lang)) == len(ev.by_horizon())
    assert len(ev.plot(lang="en").axes) == 3
    with pytest.raises(InputError, match=r"ax is not accepted by Evaluation.plot"):
        ev.plot("en")  # lang is keyword-only; three panels are a figure of their own


def test_bad_options():
    with pytest.raises(InputError, match="forecaster 'flat' is not known"):
        forecast.evaluate(["flat"])


def test_command_prints_summary_and_exits_2_on_bad_input(capsys):
    from dvcanalysis.evaluation.__main__ import main

    assert main(["--n-draws", "100"]) == 0
    out = capsys.readouterr().out
    assert "origins:" in out and "relative_wis" in out and "persistence" in out
    assert main(["--until", "31/12/2024"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "31/12/2024" in err


def test_on_the_shipped_data(shipped_data):
    """The evidence the project ships: every data vintage but the first and the last is an
    origin, and where two reports give a segment's newest period the track record uses one of
    them, the same for every segment's record."""
    ev = forecast.evaluate(["default", "persistence"], n_draws=200, seed=0)
    v = vintages.vintages()
    assert ev.origins == [d.isoformat() for d in v[1:-1]]
    figs = vintages.figures()
    for seg in uptake.SEGMENTS:
        rec = evaluation.track_record(seg, evaluation=ev)
        if rec is None:
            continue
        mine = figs[figs["segment"] == seg]
        assert rec.observation_id in set(mine[mine["period_end"] == mine["period_end"].max()]["id"])


def test_shares_at_is_what_the_backtest_reads():
    """``Projection.shares_at`` (what the evaluation scores) gives the model's numbers at the
    year ends and the same quantiles as ``backtest_projection`` at the observations' dates: a
    change to how a projection is read at a date must change both."""
    # without shocks, exactly the year-end numbers; with them, the same distribution
    flat = uptake.project(
        "business-as-usual",
        n_draws=400,
        seed=3,
        cutoff="2024-06-30",
        overrides={"logit_shock_sd": 0.0},
    )
    again = flat.shares_at(uptake.end_of_year(flat.years))
    assert all(np.array_equal(again[s], flat.shares[s]) for s in flat.segments)
    big = uptake.project("business-as-usual", n_draws=20_000, seed=3, cutoff="2024-06-30")
    again = big.shares_at(uptake.end_of_year(big.years))
    for s in big.segments:
        np.testing.assert_allclose(
            np.quantile(again[s], (0.1, 0.5, 0.9), axis=0),
            np.quantile(big.shares[s], (0.1, 0.5, 0.9), axis=0),
            atol=0.02,
        )
    proj = uptake.project("business-as-usual", n_draws=400, seed=3, cutoff="2024-06-30")
    bt = uptake.backtest_projection(proj).to_df()
    assert len(bt)
    for r in bt.itertuples(index=False):
        col = proj.shares_at([r.decimal_year])[r.segment][:, 0]
        assert np.quantile(col, (0.05, 0.5, 0.95)) == pytest.approx([r.q05, r.q50, r.q95])
