"""Official targets, crossing years, the pace a target needs, its status, and attainment.

Targets come from the evidence base (``kind == "target"``). A target "in 2024"
means by the end of 2024. :func:`attainment` reads a
:class:`~dvcanalysis.uptake.Projection` and answers, per segment and target:
how likely is it to be met by its deadline, by how much is it missed, when is
it crossed, what pace would it need, and what is its status today.

This module is the one place for the target rules. :func:`official` lists every
stated target, :func:`binding` the one target per segment and deadline that a
model or a unit is held to, :func:`pace_needed` and :func:`status` the pace and
status rules used by :func:`attainment` (segments) and by
:func:`dvcanalysis.unit_targets.unit_status` (provinces and ministries), so the
same numbers give the same answer for a segment and for a unit.

Examples
--------
>>> from dvcanalysis import targets, uptake
>>> targets.official()  # doctest: +SKIP
>>> att = targets.attainment(uptake.project("business-as-usual"))  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dvcanalysis import evidence
from dvcanalysis.dates import parse_date
from dvcanalysis.errors import InputError
from dvcanalysis.vocabulary import ROLE_AFTER_CUTOFF, SEGMENTS

MODEL_INDICATOR = "fully_online_share"
MODEL_SEGMENTS = SEGMENTS
#: Every status :func:`status` returns, in display order.
STATUSES = ("met", "on track", "uncertain", "off track", "missed", "unknown")
#: A segment is on track only when the probability of meeting its target is at least this
#: (a high bar: "on track" is said only when meeting the target is likely)...
ON_TRACK_PROBABILITY = 0.8
#: ... and off track when it is below this; in between the outcome is uncertain.
OFF_TRACK_PROBABILITY = 0.2


def official(
    *, indicators: Sequence[str] = ("fully_online_share", "online_share_any_level")
) -> pd.DataFrame:
    """The official share targets in the evidence base, deduplicated across sources.

    Parameters
    ----------
    indicators
        Indicators whose share targets to list.

    Returns
    -------
    DataFrame
        One row per (indicator, segment, target date, value): ``indicator, segment, year,
        deadline, period, target_share, bound, ids, source_ids, modelled``. ``year`` is the
        deadline's year (the target is read at the end of its period); ``period`` is the
        period as first stated; ``ids`` and
        ``source_ids`` keep every row and source stating it (joined by ``;``);
        ``modelled`` is True for fully-online targets of the modelled segments (the
        others, e.g. ``online_share_any_level``, measure something else and are not
        used for fully-online attainment).
    """
    ev = evidence.load()
    sel = ev[
        (ev["kind"] == "target") & ev["indicator"].isin(list(indicators)) & (ev["unit"] == "share")
    ]
    rows = []
    for (ind, seg, end, value), g in sel.groupby(
        ["indicator", "segment", "period_end", "value"], sort=True
    ):
        rows.append(
            {
                "indicator": ind,
                "segment": seg,
                "year": int(end.year),
                "deadline": end,
                "period": str(g.sort_values("id")["period"].iloc[0]),
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
    return (
        out.sort_values(["indicator", "year", "_o", "target_share"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def binding(
    *, indicator: str = MODEL_INDICATOR, segments: Sequence[str] | None = None
) -> pd.DataFrame:
    """The one target per segment and deadline that a projection or a unit is held to.

    When several statements give different shares for the same segment and deadline,
    the **higher** one binds (meeting it meets the others); ``conflict`` marks such rows
    and ``ids``/``source_ids`` keep every statement. This is the rule for every caller
    (attainment, the target path of :mod:`dvcanalysis.uptake`, the unit analysis).

    Parameters
    ----------
    indicator
        The share indicator (default: the modelled fully-online share).
    segments
        Segments to keep (default: all with a target).

    Returns
    -------
    DataFrame
        ``indicator, segment, year, deadline, period, target_share, bound, ids, source_ids,
        modelled, conflict``, one row per (segment, deadline), sorted by deadline then segment.
    """
    off = official(indicators=(indicator,))
    if off.empty:
        return off.assign(conflict=pd.Series(dtype=bool))
    if segments is not None:
        off = off[off["segment"].isin(list(segments))]
    rows = []
    for _, g in off.groupby(["segment", "deadline"], sort=False):
        top = g.sort_values("target_share").iloc[-1].to_dict()
        top["ids"] = ";".join(sorted({i for ids in g["ids"] for i in ids.split(";")}))
        top["source_ids"] = ";".join(sorted({i for ids in g["source_ids"] for i in ids.split(";")}))
        top["conflict"] = g["target_share"].nunique() > 1
        rows.append(top)
    out = pd.DataFrame(rows, columns=[*off.columns, "conflict"])
    order = {s: i for i, s in enumerate(MODEL_SEGMENTS)}
    out["_o"] = out["segment"].map(order).fillna(len(order))
    return out.sort_values(["deadline", "_o"]).drop(columns="_o").reset_index(drop=True)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float | np.floating) and math.isnan(x))


def pace_needed(
    share: float, target: float, years_left: float, *, years_since: float = 0.0
) -> float:
    """Share per year needed on a straight line from the observed share to the target.

    Parameters
    ----------
    share
        The latest observed share (0-1); NaN/None when there is none.
    target
        The target share (0-1).
    years_left
        Years from the as-of date (the date of the assessment) to the deadline; <= 0 means
        the deadline has passed.
    years_since
        Years from the observation to the as-of date (>= 0). The line runs from the
        observation, so the pace is ``(target - share) / (years_since + years_left)``.

    Returns
    -------
    float
        NaN without a share; **0** when the share is at or above the target (met); **NaN**
        when the deadline has passed and the target is not met; otherwise the pace.

    Examples
    --------
    >>> round(pace_needed(0.17, 0.30, 0.5), 2)
    0.26
    >>> pace_needed(0.40, 0.30, 0.5), pace_needed(0.40, 0.30, -1.0)
    (0.0, 0.0)
    >>> pace_needed(0.20, 0.30, 0.0)
    nan
    """
    if _missing(share):
        return math.nan
    if share >= target:
        return 0.0
    if years_left <= 0:
        return math.nan
    return (target - share) / (years_since + years_left)


def required_pace(
    latest_share: float, latest_year: int, target_share: float, target_year: int
) -> float:
    """Share a year needed on a straight line from the latest published figure (a figure of
    ``latest_year``: the year's share, or a figure dated in that year) to the target of
    ``target_year``, over the years left: ``(target - latest) / (target_year - latest_year)``.

    The pace a segment's target needs (:func:`attainment`, the briefings): a year's target
    is assessed on that year's share, so a 2024 figure and a 2025 target are one year apart.
    0 when the target is already reached; NaN without a figure or when no year is left.

    Examples
    --------
    >>> round(required_pace(0.458, 2024, 0.80, 2025), 3)   # national: 34.2 points in one year
    0.342
    >>> required_pace(0.9, 2024, 0.8, 2025), required_pace(0.5, 2025, 0.8, 2025)
    (0.0, nan)
    """
    if _missing(latest_share):
        return math.nan
    if latest_share >= target_share:
        return 0.0
    years_left = int(target_year) - int(latest_year)
    if years_left <= 0:
        return math.nan
    return (target_share - latest_share) / years_left


def status(
    share: float,
    target: float,
    *,
    years_left: float,
    probability: float | None = None,
    pace: float | None = None,
    years_since: float = 0.0,
) -> str:
    """The status of a target: ``met``, ``on track``, ``off track``, ``missed`` or ``unknown``.

    Parameters
    ----------
    share
        The latest observed share up to the as-of date (0-1); NaN/None when there is none.
    target
        The target share (0-1).
    years_left
        Years from the as-of date to the deadline (<= 0: the deadline has passed).
    probability
        The probability of reaching the target by its deadline (segments: the share of
        Monte Carlo draws at or above it). Used when given.
    pace
        Otherwise, the pace the share is expected to keep, in share per year (units: their
        own recent pace, or one implied by an uptake scenario).
    years_since
        Years from the observation to the as-of date (the pace runs from the observation).

    Notes
    -----
    The rules, in order:

    1. ``met`` when the observed share is at or above the target;
    2. ``missed`` when the deadline has passed (``years_left <= 0``) and the observed
       share is below the target;
    3. with a probability: ``on track`` when it is at least :data:`ON_TRACK_PROBABILITY`,
       ``off track`` below :data:`OFF_TRACK_PROBABILITY`, ``uncertain`` in between; without
       one, ``on track`` when the share projected at the deadline with the pace,
       ``share + pace * (years_since + years_left)``, reaches the target, ``off track``
       otherwise;
    4. ``unknown`` when there is nothing to judge by: no observed share and no
       probability (a passed deadline without an observation cannot be called missed),
       or a share with neither a probability nor a pace.

    Examples
    --------
    >>> status(0.30, 0.30, years_left=0.5)
    'met'
    >>> status(0.17, 0.30, years_left=-1.25, probability=0.9)
    'missed'
    >>> status(0.20, 0.30, years_left=0.5, pace=0.25), status(0.20, 0.30, years_left=0.5, pace=0.15)
    ('on track', 'off track')
    >>> status(float("nan"), 0.70, years_left=0.33, probability=0.6)
    'uncertain'
    >>> status(0.5, 0.70, years_left=1, probability=0.9), status(0.5, 0.70, years_left=1, probability=0.1)
    ('on track', 'off track')
    """
    has_share = not _missing(share)
    if has_share and share >= target:
        return "met"
    if years_left <= 0:
        return "missed" if has_share else "unknown"
    if not _missing(probability):
        if probability >= ON_TRACK_PROBABILITY:
            return "on track"
        return "off track" if probability < OFF_TRACK_PROBABILITY else "uncertain"
    if has_share and not _missing(pace):
        reached = share + pace * (years_since + years_left)
        return "on track" if reached >= target - 1e-12 else "off track"
    return "unknown"


def deadline_time(deadline) -> float:
    """A deadline (date, Timestamp or year ``Y``, meaning the end of ``Y``) as a decimal year."""
    if isinstance(deadline, int | np.integer):
        return float(deadline) + 1.0
    return evidence.decimal_year(pd.Timestamp(deadline).date())


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
            raise InputError(
                f"crossing_year: {values.shape[1]} columns but {years_arr.size} years; expected one year per column"
            )
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

    The assessment is made as of the projection's cut-off (``projection.parameters["cutoff"]``)
    with the rules of :func:`status` and :func:`pace_needed`.

    Parameters
    ----------
    projection
        A :class:`~dvcanalysis.uptake.Projection`.
    targets
        Targets to assess (default: :func:`binding` rows of the modelled segments); needs
        ``segment, year, target_share, ids`` (``deadline`` optional: the end of ``year``).

    Returns
    -------
    DataFrame
        ``segment, target_year, target_share, probability, median_share, gap_share``
        (median share at the deadline minus the target; negative = short),
        ``median_crossing_year`` (NaN if the median draw never crosses within the horizon),
        ``latest_share, latest_date, latest_id`` (the latest observation of the segment up to
        the cut-off; NaN where there is none), ``required_pace_share_per_year`` (the straight
        line from the latest figure's year to the target year, :func:`required_pace`: 0 when
        met, NaN when no year is left), ``status`` (:func:`status` with the
        probability: ``met``, ``on track``, ``off track``, ``missed`` or ``unknown``),
        ``target_ids``, ``scenario``. ``probability`` and ``median_share`` are NaN for a
        deadline outside the projected years.
    """
    if targets is None:
        targets = binding(segments=MODEL_SEGMENTS)
    years = list(projection.years)
    obs = projection.observations
    cutoff = projection.parameters.get("cutoff")
    as_of = evidence.decimal_year(parse_date(cutoff)) if cutoff else None
    rows = []
    for t in targets.itertuples(index=False):
        seg = t.segment
        if seg not in projection.shares:
            continue
        shares = projection.shares[seg]
        cross = crossing_year(shares, t.target_share, years=years)
        cross_sorted = np.where(np.isnan(cross), np.inf, cross)
        med_cross = float(np.median(cross_sorted))
        latest = obs[(obs["segment"] == seg) & (obs["role"] != ROLE_AFTER_CUTOFF)]
        # stable: the projection's observations put the preferred report of a period last
        latest = latest.sort_values("period_end", kind="stable").tail(1)
        if len(latest):
            lv, ld, lid = (
                float(latest["value"].iloc[0]),
                latest["period_end"].iloc[0],
                latest["id"].iloc[0],
            )
            lt = float(latest["decimal_year"].iloc[0])
        else:
            lv, ld, lid, lt = float("nan"), pd.NaT, "", float("nan")
        now = as_of if as_of is not None else lt  # the assessment date (decimal year)
        dl = getattr(t, "deadline", None)
        due = deadline_time(dl if dl is not None and pd.notna(dl) else int(t.year))
        years_left = due - now if not math.isnan(now) else math.inf
        if t.year in years:
            # a year's target is assessed on that year's published (full-year) share
            year_shares = getattr(projection, "year_shares", None) or projection.shares
            col = year_shares[seg][:, years.index(t.year)]
            p = probability_at_least(col, t.target_share)
            med = float(np.median(col))
        else:
            p = med = float("nan")
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
                "required_pace_share_per_year": required_pace(
                    lv, ld.year if pd.notna(ld) else 0, t.target_share, int(t.year)
                ),
                "status": status(lv, t.target_share, years_left=years_left, probability=p),
                "target_ids": t.ids,
                "scenario": projection.scenario.name,
            }
        )
    return pd.DataFrame(rows)
