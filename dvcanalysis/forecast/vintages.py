"""Data vintages: which figures were known at a cut-off, and which came after.

The evidence base is the clock. A **vintage** is the evidence up to the end of the period of
one published fully-online figure; the **origins** of the rolling evaluation are every vintage
but the first (the first has no past to learn from). A **pair** is (origin, a later figure of a
segment that had a figure of its own at the origin): what a forecaster made at the origin is
scored on that figure, read over that figure's period.

Figures are the point observations (bound ``eq`` or ``approx``) of
:func:`dvcanalysis.uptake.observations`; where two reports give one period both are kept (both
are scored, and the forecast anchors on their mean log-odds).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from dvcanalysis.dates import parse_cutoff
from dvcanalysis.forecast.randomwalk import logit, months
from dvcanalysis.uptake.inputs import observations
from dvcanalysis.vocabulary import SEGMENTS

# Observations that are point values; a figure known only as a bound is no point to forecast.
POINT_BOUNDS = ("eq", "approx")
FIGURE_COLUMNS = (
    "id",
    "segment",
    "period",
    "period_start",
    "period_end",
    "t_start",
    "t_end",
    "months",
    "value",
    "source_id",
)


def figures(cutoff: str | date | None = None) -> pd.DataFrame:
    """The point figures of the three segments up to ``cutoff`` (None: every figure).

    Columns :data:`FIGURE_COLUMNS`: the period as published and as decimal years
    (``t_start`` = ``t_end`` for a level on a day), its length in months (at least one), the
    share (0-1) and its source. Sorted by period end, segment and id.
    """
    obs = observations(cutoff=date.max)  # a fresh copy each call: keyed by its content
    key = int(pd.util.hash_pandas_object(obs[_KEY_COLUMNS], index=False).sum())
    if _all.get("key") != key:
        pts = obs[obs["bound"].isin(POINT_BOUNDS)].copy()
        pts["months"] = [months(a, b) for a, b in zip(pts["t_start"], pts["t_end"], strict=True)]
        pts = pts.sort_values(["period_end", "segment", "id"], kind="stable")
        _all.update(key=key, frame=pts[list(FIGURE_COLUMNS)].reset_index(drop=True))
    out = _all["frame"]
    if cutoff is not None:
        out = out[out["period_end"] <= pd.Timestamp(parse_cutoff(cutoff))]
    return out.reset_index(drop=True)


# the figures of the last observations read, keyed by a hash of what they are made from
_KEY_COLUMNS = [
    "id",
    "segment",
    "period_start",
    "period_end",
    "t_start",
    "t_end",
    "value",
    "bound",
    "source_id",
]
_all: dict = {}


def vintages() -> list[date]:
    """Every data vintage: the distinct period ends of the figures, in order."""
    return sorted({d.date() for d in figures()["period_end"]})


def origins(until: str | date | None = None) -> list[date]:
    """The origins of the rolling evaluation: every vintage but the first, before ``until``.

    ``until`` (default: the latest figure's date) is excluded: an origin needs a later figure.
    """
    v = vintages()
    end = parse_cutoff(until) if until not in (None, "") else (v[-1] if v else date.min)
    return [d for d in v[1:] if d < end]


def pairs(until: str | date | None = None) -> pd.DataFrame:
    """Every (origin, later figure) pair resolved by ``until`` (default: every figure).

    A figure counts when its period ended by ``until``; the origin must be earlier than the
    figure's period end, and the figure's segment must have had a figure of its own at the
    origin. Columns: ``origin`` (date) then :data:`FIGURE_COLUMNS` of the later figure and
    ``horizon_years`` (origin to the end of the figure's period).
    """
    figs = figures(until)
    rows = []
    for o in origins(until):
        ts = pd.Timestamp(o)
        known = set(figs.loc[figs["period_end"] <= ts, "segment"])
        later = figs[(figs["period_end"] > ts) & figs["segment"].isin(known)]
        for r in later.itertuples(index=False):
            rows.append({"origin": o, **r._asdict()})
    out = pd.DataFrame(rows, columns=["origin", *FIGURE_COLUMNS])
    out["horizon_years"] = [
        (pd.Timestamp(e) - pd.Timestamp(o)).days / 365.25
        for o, e in zip(out["origin"], out["period_end"], strict=True)
    ]
    return out


def anchor(known: pd.DataFrame, segment: str) -> dict | None:
    """The latest figure of ``segment`` in ``known`` (from :func:`figures`), or None.

    Where two reports give that period, the anchor is their mean log-odds (and both ids are
    kept). Returns ``{"x": log-odds, "t_start", "t_end", "months", "ids", "period_end"}``.
    """
    g = known[known["segment"] == segment]
    if g.empty:
        return None
    last = g["period_end"].max()
    same = g[g["period_end"] == last]
    same = same[same["t_start"] == same["t_start"].min()]  # one period: the longest of that end
    return {
        "x": float(np.mean(logit(same["value"].to_numpy(float)))),
        "t_start": float(same["t_start"].iloc[0]),
        "t_end": float(same["t_end"].iloc[0]),
        "months": float(same["months"].iloc[0]),
        "ids": list(same["id"]),
        "period_end": pd.Timestamp(last).date(),
    }


def duplicate_reports(known: pd.DataFrame) -> list[tuple[float, float, float]]:
    """Pairs of reports of one period and segment: ``(share_1, share_2, months)``.

    What :func:`~dvcanalysis.forecast.randomwalk.estimate_tau` measures reporting noise from.
    """
    out = []
    for _, g in known.groupby(["segment", "t_start", "t_end"], sort=True):
        v = g["value"].to_numpy(float)
        for i in range(len(v)):
            for j in range(i + 1, len(v)):
                out.append((float(v[i]), float(v[j]), float(g["months"].iloc[0])))
    return out


__all__ = [
    "FIGURE_COLUMNS",
    "POINT_BOUNDS",
    "SEGMENTS",
    "anchor",
    "duplicate_reports",
    "figures",
    "origins",
    "pairs",
    "vintages",
]
