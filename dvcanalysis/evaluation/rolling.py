"""Rolling-origin evaluation: forecasts made at past data vintages, scored on what came later.

For each origin (a cut-off; by default every date at which the evidence gained a fully-online
observation and after which there is at least one more), the model (:func:`uptake.project`
with the data up to the origin) and the naive baselines (:mod:`dvcanalysis.uptake.baselines`)
forecast every later fully-online observation of every segment, and each forecast is scored
(:mod:`~dvcanalysis.evaluation.scoring`). An origin at which one forecaster cannot be built is
dropped for all of them and listed in :attr:`Evaluation.skipped`, so every forecaster is scored
on exactly the same (origin, observation) pairs.

Periods. An observation is the share of its period's dossiers (``period_start`` to
``period_end``; a level on a day when they are equal). It is compared with the forecast's value
over the same period: by default (``period="span"``) the time-average of each draw's share over
the period, which is the period's share when the dossiers flow evenly; ``"midpoint"`` reads the
forecast at the period's midpoint (the models' own convention, equal to the average for a path
close to linear; ``data/README.md``); ``"end"`` at the period's end. Only point values are
scored (bound ``eq`` or ``approx``); a figure known only as a bound is not a point forecast target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from dvcanalysis import evidence, targets
from dvcanalysis.errors import InputError, check_choice
from dvcanalysis.evaluation import scoring
from dvcanalysis.evaluation.result import (
    BRIER_COLUMNS,
    FORECAST_COLUMNS,
    SKIPPED_COLUMNS,
    Evaluation,
    all_observations,
)
from dvcanalysis.scenarios import Scenario
from dvcanalysis.uptake import baselines as _baselines
from dvcanalysis.uptake.inputs import INDICATOR, SEGMENTS, observations, parse_cutoff
from dvcanalysis.uptake.montecarlo import project, resolve_scenario
from dvcanalysis.vocabulary import ROLE_AFTER_CUTOFF

# Observations scored: point values (``eq``, ``approx``); a bound (``min``, ``max``) is not one.
POINT_BOUNDS = ("eq", "approx")
PERIODS = ("span", "midpoint", "end")


def default_origins() -> list[date]:
    """Every date at which the evidence gained a fully-online observation with a later one.

    The dates are the observations' period ends (a data vintage is the evidence up to one of
    them); the latest is left out, as nothing after it can be scored. New rows of the
    evidence add origins by themselves.
    """
    obs = all_observations()
    points = obs[obs["bound"].isin(POINT_BOUNDS)]
    if points.empty:
        return []
    last = points["period_end"].max()
    return sorted({d.date() for d in obs["period_end"] if d < last})


def _origins(origins: Sequence[str | date] | None) -> list[date]:
    if origins is None or (isinstance(origins, Sequence) and len(origins) == 0):
        out = default_origins()
        if not out:
            raise InputError(
                "origins: the evidence has fewer than two dates of fully-online observations; "
                "nothing can be scored"
            )
        return out
    if isinstance(origins, (str, bytes, date)) or not isinstance(origins, Sequence):
        raise InputError(
            f"origins={origins!r} is not accepted; expected a list of dates (YYYY-MM-DD), "
            "or empty for every data vintage"
        )
    obs = all_observations()
    last = obs[obs["bound"].isin(POINT_BOUNDS)]["period_end"].max().date()
    out = []
    for o in origins:
        d = parse_cutoff(o)
        if d >= last:
            raise InputError(
                f"origins: {d.isoformat()} has no later fully-online observation (the latest is "
                f"{last.isoformat()}); expected earlier dates"
            )
        out.append(d)
    return sorted(set(out))


def _bounds(later: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each observation's period as decimal times ``(t_start, t_end)`` (equal for a day's level).

    Read from :func:`~dvcanalysis.uptake.observations` (``t_start``, ``t_end``); an evidence
    without period starts gives every observation its end only.
    """
    if {"t_start", "t_end"} <= set(later.columns):
        return later["t_start"].to_numpy(float), later["t_end"].to_numpy(float)
    t_end = np.array([evidence.decimal_year(d.date()) for d in later["period_end"]])
    return t_end.copy(), t_end


def _period_times(t0: float, t1: float, period: str) -> np.ndarray:
    """Decimal times at which a forecast of a period's share is read (see :func:`evaluate`)."""
    if period == "end" or t1 - t0 < 1.5 / 365:
        return np.array([t1])
    if period == "midpoint":
        return np.array([(t0 + t1) / 2])
    k = max(2, math.ceil(24 * (t1 - t0)))  # span: midpoints of at least two slices a month
    return t0 + (np.arange(k) + 0.5) * (t1 - t0) / k


def _forecast_draws(proj, later: pd.DataFrame, period: str) -> np.ndarray:
    """``(n_observations, n_draws)``: each draw's value over each observation's period."""
    t0, t1 = _bounds(later)
    grids = [_period_times(a, b, period) for a, b in zip(t0, t1, strict=True)]
    times = np.unique(np.concatenate(grids))
    shares = proj.shares_at(times)
    rows = []
    for seg, g in zip(later["segment"], grids, strict=True):
        rows.append(shares[seg][:, np.searchsorted(times, g)].mean(axis=1))
    return np.vstack(rows)


def _score_rows(
    head: dict, later: pd.DataFrame, draws: np.ndarray, own: set[str], cut: date
) -> list[dict]:
    """One :data:`FORECAST_COLUMNS` row per later observation of one forecaster and origin."""
    scores = scoring.score(later["value"].to_numpy(float), draws)
    t_end = _bounds(later)[1]
    rows = []
    for i, r in enumerate(later.itertuples(index=False)):
        row = {
            **head,
            "segment": r.segment,
            "id": r.id,
            "period": r.period,
            "period_start": getattr(r, "period_start", pd.NaT),
            "period_end": r.period_end,
            "lead_years": float(t_end[i]) - evidence.decimal_year(cut),
            "own_observation": r.segment in own,
            "observed": float(r.value),
            "source_id": r.source_id,
        }
        row.update({k: scores[k][i].item() for k in scoring.SCORE_COLUMNS})
        rows.append(row)
    return rows


def _brier_rows(
    head: dict, later: pd.DataFrame, draws: np.ndarray, binding: pd.DataFrame
) -> list[dict]:
    """:data:`BRIER_COLUMNS` rows: each official target whose deadline (the end of its year) is
    the end of a later observation's period, with the forecast probability of meeting it."""
    rows = []
    for t in binding.itertuples(index=False):
        due = pd.Timestamp(date(int(t.year), 12, 31))
        for j in later.index[(later["segment"] == t.segment) & (later["period_end"] == due)]:
            p = float(np.mean(draws[j] >= t.target_share))
            observed = float(later.at[j, "value"])
            outcome = int(observed >= t.target_share)
            rows.append(
                {
                    **head,
                    "segment": t.segment,
                    "id": later.at[j, "id"],
                    "target_year": int(t.year),
                    "target_share": float(t.target_share),
                    "probability": p,
                    "observed": observed,
                    "outcome": outcome,
                    "brier": float(scoring.brier(outcome, p)[0]),
                }
            )
    return rows


def _first_year(cut: date) -> int:
    return cut.year if (cut.month, cut.day) != (12, 31) else cut.year + 1


def evaluate(
    scenario: str | Scenario = "business-as-usual",
    *,
    origins: Sequence[str | date] | None = None,
    baselines: Sequence[str] = _baselines.BASELINES,
    n_draws: int = 1000,
    seed: int = 0,
    period: str = "span",
) -> Evaluation:
    """Score the scenario's projections and the baselines at rolling origins.

    Parameters
    ----------
    scenario
        The model: a scenario name or a loaded Scenario (projected with :func:`uptake.project`).
    origins
        Cut-off dates (YYYY-MM-DD); None or empty: :func:`default_origins`.
    baselines
        Baselines scored beside the model (:data:`~dvcanalysis.uptake.baselines.BASELINES`);
        ``persistence`` is the reference of the skill score.
    n_draws, seed
        Draws per forecast and the seed (the same for every origin and forecaster).
    period
        ``span`` (the forecast averaged over the observation's period), ``midpoint`` (at the
        period's midpoint) or ``end`` (at its end); a level on a day is read on that day.

    Raises
    ------
    InputError
        For a bad option, an origin with no later observation, or when no origin can be
        forecast by every forecaster.
    """
    check_choice("period", period, PERIODS)
    if isinstance(baselines, str) or not isinstance(baselines, Sequence):
        raise InputError(
            f"baselines={baselines!r} is not accepted; expected a list of: {', '.join(_baselines.BASELINES)}"
        )
    for b in baselines:
        check_choice("baselines", b, _baselines.BASELINES)
    sc = resolve_scenario(scenario, None, None)
    cuts = _origins(origins)
    binding = targets.binding(indicator=INDICATOR, segments=SEGMENTS)
    rows, brier_rows, skipped = [], [], []
    for cut in cuts:
        obs = observations(cutoff=cut)
        later = obs[(obs["role"] == ROLE_AFTER_CUTOFF) & obs["bound"].isin(POINT_BOUNDS)]
        # stable: within a segment and period end, observations() puts the preferred report last
        later = later.sort_values(["period_end", "segment"], kind="stable")
        later = later.reset_index(drop=True)
        if later.empty:
            continue
        horizon = max(_first_year(cut), int(later["period_end"].max().year))
        made, failed = [], []
        makers = [
            (
                sc.name,
                "model",
                lambda c=cut, h=horizon: project(
                    sc, n_draws=n_draws, seed=seed, cutoff=c, horizon=h
                ),
            )
        ]
        makers += [
            (
                b,
                "baseline",
                lambda b=b, c=cut, h=horizon: _baselines.baseline(
                    b, n_draws=n_draws, seed=seed, cutoff=c, horizon=h
                ),
            )
            for b in baselines
        ]
        for name, kind, make in makers:
            try:
                made.append((name, kind, make()))
            except InputError as e:
                failed.append({"origin": cut.isoformat(), "model": name, "reason": str(e)})
        if failed:
            skipped += failed
            continue
        own = set(obs[obs["role"] != ROLE_AFTER_CUTOFF]["segment"])
        for name, kind, proj in made:
            draws = _forecast_draws(proj, later, period)
            head = {"model": name, "kind": kind, "origin": cut.isoformat()}
            rows += _score_rows(head, later, draws, own, cut)
            brier_rows += _brier_rows(head, later, draws, binding)
    if not rows:
        why = "; ".join(f"{s['origin']} {s['model']}: {s['reason']}" for s in skipped[:3])
        raise InputError(
            f"evaluate: no origin could be forecast by every forecaster ({why}); "
            "expected origins after the scenario's base year range, or a curve that needs one point"
        )
    last = all_observations()["period_end"].max().date().isoformat()
    params = {
        "scenario": sc.name,
        "origins": [c.isoformat() for c in cuts],
        "baselines": list(baselines),
        "n_draws": n_draws,
        "seed": seed,
        "period": period,
        "data_as_of": last,
    }
    return Evaluation(
        forecasts=pd.DataFrame(rows, columns=list(FORECAST_COLUMNS)),
        brier=pd.DataFrame(brier_rows, columns=list(BRIER_COLUMNS)),
        skipped=pd.DataFrame(skipped, columns=list(SKIPPED_COLUMNS)),
        parameters=params,
    )
