"""The evaluation's tables from the rolling scores: per-forecast rows and Brier rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from dvcanalysis import targets
from dvcanalysis.evaluation import scoring
from dvcanalysis.evaluation.result import BRIER_COLUMNS, FORECAST_COLUMNS
from dvcanalysis.forecast import members
from dvcanalysis.uptake.inputs import INDICATOR
from dvcanalysis.vocabulary import SEGMENTS


def tables(scores: pd.DataFrame, makers, *, n_draws: int, seed: int):
    """``(forecasts, brier)`` frames of :class:`~dvcanalysis.evaluation.Evaluation`."""
    f = scores.rename(columns={"value": "observed", "horizon_years": "lead_years"}).copy()
    f["own_observation"] = True
    f["horizon_months"] = np.round(12 * f["lead_years"]).astype(int)
    cols = [*FORECAST_COLUMNS, "horizon_months"]
    forecasts = f[cols].reset_index(drop=True) if len(f) else pd.DataFrame(columns=cols)
    return forecasts, _brier(forecasts, makers, n_draws=n_draws, seed=seed)


def _brier(forecasts: pd.DataFrame, makers, *, n_draws: int, seed: int) -> pd.DataFrame:
    """One row per scored full-year figure whose year has a binding target of its segment."""
    binding = targets.binding(indicator=INDICATOR, segments=SEGMENTS)
    goal = {(t.segment, int(t.year)): float(t.target_share) for t in binding.itertuples()}
    rows = []
    for r in forecasts.itertuples(index=False):
        s, e = pd.Timestamp(r.period_start), pd.Timestamp(r.period_end)
        if not (s.month == 1 and s.day == 1 and e.month == 12 and e.day == 31 and s.year == e.year):
            continue
        tgt = goal.get((r.segment, e.year))
        if tgt is None:
            continue
        make = makers.get(r.model) or members.maker(r.model)
        fc = make(date.fromisoformat(str(r.origin)), n_draws=n_draws, seed=seed)
        p = float(np.mean(fc.period_draws(r.segment, s.date(), e.date()) >= tgt))
        outcome = int(r.observed >= tgt)
        rows.append(
            {
                "model": r.model,
                "kind": r.kind,
                "origin": r.origin,
                "segment": r.segment,
                "id": r.id,
                "target_year": e.year,
                "target_share": tgt,
                "probability": p,
                "observed": r.observed,
                "outcome": outcome,
                "brier": float(scoring.brier(outcome, p)[0]),
            }
        )
    return pd.DataFrame(rows, columns=list(BRIER_COLUMNS))
