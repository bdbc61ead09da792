"""Official targets, crossing years and target attainment.

Targets come from the evidence base (``kind == "target"``). A target "in 2024"
means by the end of 2024. :func:`attainment` reads a
:class:`~dvcanalysis.uptake.Projection` and answers, per segment and target:
how likely is it to be met by its deadline, by how much is it missed, when is
it crossed, what pace would it need, and what is its status today.

Examples
--------
>>> from dvcanalysis import targets, uptake
>>> targets.official()  # doctest: +SKIP
>>> att = targets.attainment(uptake.project("business-as-usual"))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dvcanalysis import evidence
from dvcanalysis.errors import InputError

MODEL_INDICATOR = "fully_online_share"
MODEL_SEGMENTS = ("ministries", "localities", "national")
STATUSES = ("met", "on track", "off track", "unknown")


def official(*, indicators: Sequence[str] = ("fully_online_share", "online_share_any_level")) -> pd.DataFrame:
    """The official share targets in the evidence base, deduplicated across sources.

    Parameters
    ----------
    indicators
        Indicators whose share targets to list.

    Returns
    -------
    DataFrame
        One row per (indicator, segment, target date): ``indicator, segment, year,
        deadline, target_share, bound, ids, source_ids, modelled``. ``year`` is the
        deadline's year (the target is read at the end of its period); ``ids`` and
        ``source_ids`` keep every row and source stating it (joined by ``;``);
        ``modelled`` is True for fully-online targets of the modelled segments (the
        others, e.g. ``online_share_any_level``, measure something else and are not
        used for fully-online attainment).
    """
    ev = evidence.load()
    sel = ev[(ev["kind"] == "target") & ev["indicator"].isin(list(indicators)) & (ev["unit"] == "share")]
    rows = []
    for (ind, seg, end, value), g in sel.groupby(["indicator", "segment", "period_end", "value"], sort=True):
        rows.append(
            {
                "indicator": ind,
                "segment": seg,
                "year": int(end.year),
                "deadline": end,
                "target_share": float(value),
                "bound": "min" if "min" in set(g["bound"]) else g["bound"].iloc[0],
                "ids": ";".join(sorted(g["id"])),
                "source_ids": ";".join(sorted(set(g["source_id"]))),
                "modelled": ind == MODEL_INDICATOR and seg in MODEL_SEGMENTS,
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    order = {s: i for i, s in enumerate(MODEL_SEGMENTS)}
    out["_o"] = out["segment"].map(order).fillna(len(order))
    return out.sort_values(["indicator", "year", "_o", "target_share"]).drop(columns="_o").reset_index(drop=True)


def crossing_year(series, threshold: float, *, years: Sequence[int] | None = None):
    """The first year whose value is at or above ``threshold``.

    Parameters
    ----------
    series
        A pandas Series indexed by year, or a 2-D array (draws x years) with ``years``
        given (or a 1-D array with ``years``).
    threshold
        The share to reach (0-1).
    years
        The years of the array's columns (required for arrays).

    Returns
    -------
    int or None, or ndarray of float
        For a Series or a 1-D array: the year, or None if never reached within the
        years given. For a 2-D array: one float per draw, NaN where never reached.

    Examples
    --------
    >>> import pandas as pd
    >>> crossing_year(pd.Series([0.2, 0.5, 0.8], index=[2024, 2025, 2026]), 0.5)
    2025
    >>> crossing_year(pd.Series([0.2, 0.3], index=[2024, 2025]), 0.5) is None
    True
    """
    if isinstance(series, pd.Series):
        years_arr = np.asarray(series.index, dtype=float)
        values = np.asarray(series.to_numpy(dtype=float))[None, :]
        one = True
    else:
        if years is None:
            raise InputError("crossing_year: an array needs years=[...] for its columns")
        values = np.asarray(series, dtype=float)
        one = values.ndim == 1
        values = np.atleast_2d(values)
        years_arr = np.asarray(years, dtype=float)
        if values.shape[1] != years_arr.size:
            raise InputError(f"crossing_year: {values.shape[1]} columns but {years_arr.size} years; expected one year per column")
    hit = values >= threshold
    first = np.argmax(hit, axis=1)
    out = np.where(hit.any(axis=1), years_arr[first], np.nan)
    if one:
        return None if np.isnan(out[0]) else int(out[0])
    return out


def probability_at_least(shares: np.ndarray, threshold: float) -> float:
    """Share of draws at or above ``threshold`` (the attainment probability)."""
    shares = np.asarray(shares, dtype=float)
    return float(np.mean(shares >= threshold)) if shares.size else float("nan")


def attainment(projection, *, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (segment, official fully-online target): can it be met by its deadline?

    Parameters
    ----------
    projection
        A :class:`~dvcanalysis.uptake.Projection`.
    targets
        Targets to assess (default: :func:`official` rows with ``modelled`` True).

    Returns
    -------
    DataFrame
        ``segment, target_year, target_share, probability, median_share, gap_share``
        (median share at the deadline minus the target; negative = short),
        ``median_crossing_year`` (NaN if the median draw never crosses within the horizon),
        ``latest_share, latest_date, latest_id`` (the latest observation of the segment up to
        the cut-off; NaN where there is none), ``required_pace_share_per_year`` (the straight
        line from the latest observation to the target), ``status`` (``met`` if the latest
        observation is already at or above the target, ``on track`` if the probability is at
        least 0.5, ``off track`` otherwise, ``unknown`` if the deadline is outside the
        projection), ``target_ids``, ``scenario``.
    """
    if targets is None:
        targets = official()
        targets = targets[targets["modelled"]]
    years = list(projection.years)
    obs = projection.observations
    rows = []
    for t in targets.itertuples(index=False):
        seg = t.segment
        if seg not in projection.shares:
            continue
        shares = projection.shares[seg]
        cross = crossing_year(shares, t.target_share, years=years)
        cross_sorted = np.where(np.isnan(cross), np.inf, cross)
        med_cross = float(np.median(cross_sorted))
        latest = obs[(obs["segment"] == seg) & (obs["role"] != "after cutoff")]
        latest = latest.sort_values("period_end").tail(1)
        if len(latest):
            lv, ld, lid = float(latest["value"].iloc[0]), latest["period_end"].iloc[0], latest["id"].iloc[0]
            lt = float(latest["decimal_year"].iloc[0])
            pace = (t.target_share - lv) / max(t.year + 1.0 - lt, 1e-9)
        else:
            lv, ld, lid, pace = float("nan"), pd.NaT, "", float("nan")
        if t.year in years:
            col = shares[:, years.index(t.year)]
            p = probability_at_least(col, t.target_share)
            med = float(np.median(col))
        else:
            p = med = float("nan")
        if not np.isnan(lv) and lv >= t.target_share:
            status = "met"
        elif np.isnan(p):
            status = "unknown"
        else:
            status = "on track" if p >= 0.5 else "off track"
        rows.append(
            {
                "segment": seg,
                "target_year": int(t.year),
                "target_share": float(t.target_share),
                "probability": p,
                "median_share": med,
                "gap_share": med - t.target_share,
                "median_crossing_year": med_cross if np.isfinite(med_cross) else float("nan"),
                "latest_share": lv,
                "latest_date": ld,
                "latest_id": lid,
                "required_pace_share_per_year": pace,
                "status": status,
                "target_ids": t.ids,
                "scenario": projection.scenario.name,
            }
        )
    return pd.DataFrame(rows)
