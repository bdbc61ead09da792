"""Rolling-origin scoring as the forecast hubs do it.

Every forecaster is made at every origin (:func:`~dvcanalysis.forecast.vintages.origins`) and
scored on every later figure of every segment that had a figure of its own at the origin, read
over that figure's period (:func:`score_pairs`). Scores are proper and come from
``scoringrules`` (:mod:`dvcanalysis.evaluation.scoring`): CRPS, WIS of the 50% and 90% bands
with the median, coverage, PIT. Forecasters are compared by **relative WIS** (Cramer et al.
2022): for each two forecasters the ratio of their mean WIS on the pairs both scored, the
geometric mean of those ratios over all forecasters, divided by the reference's
(:func:`relative_wis`): below 1 beats persistence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from dvcanalysis.errors import InputError
from dvcanalysis.evaluation import scoring
from dvcanalysis.forecast import members

REFERENCE = "persistence"


def score_pairs(
    names: Sequence[str],
    pairs: pd.DataFrame,
    *,
    n_draws: int = 1000,
    seed: int = 0,
    makers: Mapping[str, object] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score forecasters on (origin, figure) pairs (:func:`~dvcanalysis.forecast.vintages.pairs`).

    Returns
    -------
    (scores, skipped)
        One row per (forecaster, pair) with the figure, ``horizon_years`` and
        :data:`~dvcanalysis.evaluation.scoring.SCORE_COLUMNS`; and the (forecaster, origin)
        that could not be made, with the reason.
    """
    rows, skipped = [], []
    for name in names:
        make = (makers or {}).get(name) or members.maker(name)
        for origin, g in pairs.groupby("origin", sort=True):
            try:
                fc = make(origin, n_draws=n_draws, seed=seed)
                draws = np.vstack(
                    [
                        fc.period_draws(f.segment, f.period_start, f.period_end)
                        for f in g.itertuples()
                    ]
                )
            except InputError as e:
                skipped.append({"origin": origin.isoformat(), "model": name, "reason": str(e)})
                continue
            sc = scoring.score(g["value"].to_numpy(float), draws)
            for i, f in enumerate(g.itertuples(index=False)):
                row = {"model": name, "kind": members.kind(name), **f._asdict()}
                row["origin"] = origin.isoformat()
                row.update({k: sc[k][i].item() for k in scoring.SCORE_COLUMNS})
                rows.append(row)
    return pd.DataFrame(rows), pd.DataFrame(skipped, columns=["origin", "model", "reason"])


def relative_wis(scores: pd.DataFrame, reference: str = REFERENCE) -> pd.Series:
    """Relative WIS of each forecaster against ``reference`` (pairwise, geometric mean).

    ``theta_ij`` is forecaster i's mean WIS over the pairs both i and j scored divided by j's;
    ``theta_i`` the geometric mean of ``theta_ij`` over every j (i included); the result
    ``theta_i / theta_reference``. NaN where the reference was not scored.
    """
    if scores.empty:
        return pd.Series(dtype=float)
    key = scores["origin"].astype(str) + "|" + scores["id"].astype(str)
    table = pd.DataFrame({"model": scores["model"], "key": key, "wis": scores["wis_share"]})
    wide = table.pivot_table(index="key", columns="model", values="wis", aggfunc="mean")
    models = list(dict.fromkeys(scores["model"]))
    theta = {}
    for i in models:
        logs = []
        for j in models:
            if i == j:
                logs.append(0.0)
                continue
            both = wide[[i, j]].dropna()
            if both.empty or both[j].mean() <= 0:
                continue
            logs.append(np.log(both[i].mean() / both[j].mean()))
        theta[i] = float(np.exp(np.mean(logs))) if logs else float("nan")
    ref = theta.get(reference, float("nan"))
    return pd.Series({m: theta[m] / ref for m in models}, name="relative_wis")
