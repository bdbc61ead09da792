"""Which members join the default forecast, and how they are combined.

Calibrated persistence is always a member. Each candidate of ``data/forecast.yml`` joins only
if, on the rolling evaluation of the pairs resolved by the cut-off (origins before it, figures
published by it), it beats the persistence baseline: relative WIS below 1 on at least
``min_pairs_to_join`` common pairs (:func:`select`). Members are combined by the equal-weight
median of their quantiles (:func:`median_of_quantiles`), which hub studies found robust when
members disagree with the data (Ray et al. 2023).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from dvcanalysis.forecast import rolling, vintages
from dvcanalysis.forecast.settings import Settings

SELECTION_COLUMNS = ("candidate", "n_pairs", "relative_wis", "joined", "reason")


def select(cutoff: date, settings: Settings, *, n_draws: int, seed: int) -> pd.DataFrame:
    """One row per candidate: pairs scored, relative WIS against persistence, joined or not."""
    pairs = vintages.pairs(until=cutoff)
    need = int(settings.value("min_pairs_to_join"))
    rows = []
    for cand in settings.candidates:
        if pairs.empty:
            rows.append((cand, 0, float("nan"), False, "no scored pair yet"))
            continue
        scores, _ = rolling.score_pairs(
            [rolling.REFERENCE, cand], pairs, n_draws=n_draws, seed=seed
        )
        if scores.empty or not (scores["model"] == cand).any():
            rows.append((cand, 0, float("nan"), False, "could not be made at any origin"))
            continue
        keys = scores.groupby("model")[["origin", "id"]].apply(
            lambda g: set(zip(g["origin"], g["id"], strict=True))
        )
        common = keys.get(cand, set()) & keys.get(rolling.REFERENCE, set())
        sel = scores[
            [(o, i) in common for o, i in zip(scores["origin"], scores["id"], strict=True)]
        ]
        rel = rolling.relative_wis(sel).get(cand, float("nan"))
        n = len(common)
        if n < need:
            rows.append((cand, n, rel, False, f"fewer than {need} scored pairs"))
        elif not rel < 1:
            rows.append((cand, n, rel, False, "does not beat persistence"))
        else:
            rows.append((cand, n, rel, True, "beats persistence"))
    return pd.DataFrame(rows, columns=list(SELECTION_COLUMNS))


def median_of_quantiles(draws: list[np.ndarray]) -> np.ndarray:
    """The equal-weight median ensemble: at each probability, the median of the members'
    quantiles (each member's draws sorted; all members give the same number of draws)."""
    if len(draws) == 1:
        return np.sort(draws[0])
    return np.median(np.vstack([np.sort(d) for d in draws]), axis=0)
