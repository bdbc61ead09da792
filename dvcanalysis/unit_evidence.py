"""Per-unit evidence of one year, honestly partial (notebook 05).

What the evidence base says about each province and ministry of the pre-2025 layout (and
the agencies it names) for one year: a point value (``known``), an interval from a bound
such as "below 10%" or "above 50%" (``bounded``), or nothing (``unknown``, the interval
[0, 1]). Nothing is invented: every interval comes from evidence rows, every row keeps
their ids, and contradictions between sources are flagged, never resolved silently.

Rules
-----
* Rows read: indicator ``fully_online_share`` of kinds ``observed`` and ``bounded`` whose
  period ends in the year; of those, only the rows sharing the latest period end (so
  every unit is read over the same period, for 2024 the full year).
* A row's bound decides what it says: ``eq``/``approx`` a point value; ``max`` "at or
  below the value" (the interval [0, value]); ``min`` "at or above" ([value, 1]).
* Unit rows name their unit (segment ``province``/``ministry`` with ``unit_code``;
  segment ``agency`` with the agency named in the note, see :data:`AGENCIES`). A bounded
  row of a group segment (``localities``, ``ministries``) applies to every unit of that
  type **not named with a value** ("all other provinces and cities below 50%").
* A unit with point values is ``known``: ``value_share`` is the first report (by
  evidence id) and the interval spans every report; two different reports are flagged
  ``reports_differ``. A bound a point value breaks is flagged ``value_outside_bound``;
  bounds with no common value are flagged ``bounds_disjoint`` (the interval is then
  their hull).
* A list of units on one side of a threshold is taken as complete only when its source
  states how many units it counts (indicator ``units_below_10pct``,
  ``units_above_50pct``, ...). A unit the evidence puts on that side (its whole interval)
  that such a list leaves out is flagged ``omitted_from_list``.

:func:`consistency` then checks the segment aggregates against these intervals
(:class:`Consistency`).

Examples
--------
>>> from dvcanalysis import unit_evidence  # doctest: +SKIP
>>> ue = unit_evidence.unit_evidence()  # doctest: +SKIP
>>> ue.counts()  # doctest: +SKIP
>>> unit_evidence.consistency(ue).to_df()  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dvcanalysis import evidence, targets, units
from dvcanalysis.errors import InputError
from dvcanalysis.provenance import Provenance
from dvcanalysis.results import Result, check_own_figure

INDICATOR = "fully_online_share"
LAYOUT = "pre-2025"
UNIT_TYPES = ("province", "ministry", "agency")
STATUSES = ("known", "bounded", "unknown")
FLAGS = ("reports_differ", "value_outside_bound", "bounds_disjoint", "omitted_from_list")
#: Evidence segment of each unit type's aggregate (and of the group bounds that apply to it).
AGGREGATE_SEGMENT = {"province": "localities", "ministry": "ministries"}
#: Agencies outside the ministries list that evidence rows may name in their note
#: (segment ``agency`` has no unit code): code -> (name_vi, name_en).
AGENCIES = {"BHXH": ("Bảo hiểm xã hội Việt Nam", "Vietnam Social Security")}
_POINT = ("eq", "approx")
_LIST_COUNT = re.compile(r"^units_(below|above)_(\d+)pct$")
_COLUMNS = [
    "unit_type",
    "unit_code",
    "name_vi",
    "name_en",
    "status",
    "value_share",
    "values_share",
    "low_share",
    "high_share",
    "group_bound",
    "flags",
    "flag_source_ids",
    "omitted_from",
    "evidence_ids",
    "source_ids",
]


@dataclass(kw_only=True, repr=False)
class UnitEvidence(Result):
    """The per-unit evidence of one year (see the module's rules).

    Attributes
    ----------
    year
        The year read.
    period_end
        The period end shared by the rows read (``None`` when no per-unit row exists).
    units
        One row per unit: ``unit_type`` (province, ministry, agency), ``unit_code``,
        ``name_vi``, ``name_en``, ``status`` (known, bounded, unknown), ``value_share``
        (first report; NaN unless known), ``values_share`` (every distinct report, a
        tuple), ``low_share``/``high_share`` (the interval), ``group_bound`` (the interval
        comes from a group row only), ``flags`` and ``flag_source_ids`` (tuples), ``omitted_from`` (the complete
        lists that leave the unit out: ``(source_id, "below" | "above", threshold)`` tuples),
        ``evidence_ids`` and ``source_ids`` (``;``-joined).
    rows
        The evidence rows of the year used (unit, group, aggregate, count and list-count
        rows).
    targets
        The binding targets of the unit segments with a deadline in ``year``
        (:func:`dvcanalysis.targets.binding`): ``segment, target_share, ids, source_ids``.
    """

    year: int
    period_end: pd.Timestamp | None
    units: pd.DataFrame
    rows: pd.DataFrame
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_df(self) -> pd.DataFrame:
        """The per-unit table (a copy)."""
        return self.units.copy()

    @property
    def parameters(self) -> dict[str, object]:
        """The year read."""
        return {"year": self.year}

    def provenance(self) -> Provenance:
        """The sources (cited by outlet and date in a figure's footer) and the year read."""
        return Provenance(sources=self.sources, parameters=self.parameters)

    def summary(self) -> str:
        c = self.units["status"].value_counts()
        known, bounded = int(c.get("known", 0)), int(c.get("bounded", 0))
        return f"{self.year}, {len(self.units)} units: {known} known, {bounded} bounded"

    def plot(self, ax=None, *, lang: str = "vi"):
        """The provinces as tiles by what the evidence says of their share
        (:func:`dvcanalysis.plots.units.evidence_tile_map`); returns the figure."""
        check_own_figure(self, ax)
        from dvcanalysis.plots import units as pu

        return pu.evidence_tile_map(self, lang=lang, provenance=self.provenance())

    def counts(self) -> pd.DataFrame:
        """Units by type and status: ``unit_type, known, bounded, unknown, total`` plus a
        ``total`` row."""
        c = pd.crosstab(self.units["unit_type"], self.units["status"])
        c = c.reindex(
            index=[t for t in UNIT_TYPES if t in set(self.units["unit_type"])],
            columns=list(STATUSES),
            fill_value=0,
        )
        c.loc["total"] = c.sum()
        c["total"] = c[list(STATUSES)].sum(axis=1)
        return c.rename_axis(index="unit_type", columns=None).reset_index()

    def tile_frame(self) -> pd.DataFrame:
        """The pre-2025 province tiles (:func:`dvcanalysis.units.tiles`) with each
        province's status, value and interval."""
        p = self.units[self.units["unit_type"] == "province"].drop(columns=["name_vi", "name_en"])
        return units.tiles(LAYOUT).merge(p, on="unit_code", how="left", validate="one_to_one")

    @property
    def sources(self) -> list[str]:
        """Every source behind the table and the targets."""
        ids = {s for v in self.units["source_ids"] for s in v.split(";") if s}
        ids |= {s for v in self.targets.get("source_ids", []) for s in v.split(";") if s}
        return sorted(ids)


# ---------------------------------------------------------------- building
def _interval(bound: str, value: float) -> tuple[float, float]:
    if bound in _POINT:
        return value, value
    if bound == "max":
        return 0.0, value
    if bound == "min":
        return value, 1.0
    raise InputError(f"bound {bound!r} not understood; expected one of eq, approx, min, max")


def _agency_code(row) -> str:
    for code, (name_vi, name_en) in AGENCIES.items():
        if name_en in row["note"] or name_vi in row["note"]:
            return code
    raise InputError(
        f"evidence row {row['id']}: segment 'agency' but the note names no agency known to "
        f"dvcanalysis.unit_evidence.AGENCIES ({', '.join(n for _, n in AGENCIES.values())})"
    )


def _year_rows(ev: pd.DataFrame, year: int) -> pd.DataFrame:
    return ev[ev["period_end"].dt.year == year]


def unit_evidence(
    year: int | None = None, *, evidence_table: pd.DataFrame | None = None
) -> UnitEvidence:
    """The per-unit fully-online evidence of ``year``, one row per unit.

    Parameters
    ----------
    year
        The year to read (default: the year of the latest observation,
        :func:`dvcanalysis.evidence.data_date`).
    evidence_table
        An evidence table as :func:`dvcanalysis.evidence.load` returns it (default: the
        data folder's); tests pass synthetic ones.

    Returns
    -------
    UnitEvidence
        The 63 provinces and 22 ministries of the pre-2025 layout, then one row per agency
        the evidence names.
    """
    ev = evidence.load() if evidence_table is None else evidence_table
    if year is None:
        year = (
            evidence.data_date().year
            if evidence_table is None
            else int(
                ev.loc[(ev["indicator"] == INDICATOR) & (ev["kind"] == "observed"), "period_end"]
                .max()
                .year
            )
        )
    if not isinstance(year, int) or isinstance(year, bool):
        raise InputError(
            f"year={year!r} is not a year; expected a whole number such as 2024, or None"
        )
    yr = _year_rows(ev, year)
    shares = yr[(yr["indicator"] == INDICATOR) & yr["kind"].isin(["observed", "bounded"])]
    unit_rows = shares[shares["segment"].isin(UNIT_TYPES)]
    group_rows = shares[
        shares["segment"].isin(AGGREGATE_SEGMENT.values()) & (shares["kind"] == "bounded")
    ]
    per_unit = pd.concat([unit_rows, group_rows])
    period_end = per_unit["period_end"].max() if not per_unit.empty else None
    if period_end is not None:
        unit_rows = unit_rows[unit_rows["period_end"] == period_end]
        group_rows = group_rows[group_rows["period_end"] == period_end]
    unit_rows = unit_rows.sort_values("id").copy()
    unit_rows["_code"] = [
        _agency_code(r) if r["segment"] == "agency" else r["unit_code"]
        for _, r in unit_rows.iterrows()
    ]
    lists = _complete_lists(yr, unit_rows)

    roster = [
        ("province", units.unit_list("province", LAYOUT)),
        ("ministry", units.unit_list("ministry", LAYOUT)),
        (
            "agency",
            pd.DataFrame(
                [
                    (c, *AGENCIES[c])
                    for c in sorted(set(unit_rows.loc[unit_rows["segment"] == "agency", "_code"]))
                ],
                columns=["unit_code", "name_vi", "name_en"],
            ),
        ),
    ]
    out = []
    for unit_type, roster_df in roster:
        group_seg = AGGREGATE_SEGMENT.get(unit_type)
        groups = (
            group_rows[group_rows["segment"] == group_seg] if group_seg else group_rows.iloc[0:0]
        )
        for u in roster_df.itertuples(index=False):
            own = unit_rows[
                (unit_rows["segment"] == unit_type) & (unit_rows["_code"] == u.unit_code)
            ]
            out.append(_one_unit(unit_type, u, own, groups, lists))
    table = pd.DataFrame(out, columns=_COLUMNS)
    seg_targets = targets.binding(segments=tuple(AGGREGATE_SEGMENT.values()))
    seg_targets = seg_targets[seg_targets["deadline"].dt.year == year][
        ["segment", "target_share", "ids", "source_ids"]
    ].reset_index(drop=True)
    used = _used_rows(yr, unit_rows, group_rows)
    return UnitEvidence(
        year=int(year), period_end=period_end, units=table, rows=used, targets=seg_targets
    )


def _used_rows(yr: pd.DataFrame, unit_rows: pd.DataFrame, group_rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of the year a :class:`UnitEvidence` keeps: the unit and group rows read, the
    segments' observed aggregates, the units' dossier counts and the list counts."""
    used = yr[
        yr["id"].isin(unit_rows["id"])
        | yr["id"].isin(group_rows["id"])
        | (
            (yr["indicator"] == INDICATOR)
            & yr["segment"].isin(AGGREGATE_SEGMENT.values())
            & (yr["kind"] == "observed")
        )
        | yr["indicator"].isin(["dossiers_fully_online", "dossiers_handled"])
        & yr["segment"].isin(UNIT_TYPES)
        | yr["indicator"].str.match(_LIST_COUNT)
    ]
    return used.reset_index(drop=True)


def _complete_lists(yr: pd.DataFrame, unit_rows: pd.DataFrame) -> list[dict]:
    """Lists whose source states how many units they count: side, threshold, members."""
    out = []
    counts = yr[yr["indicator"].str.match(_LIST_COUNT) & (yr["kind"] == "observed")]
    for _, c in counts.sort_values("id").iterrows():
        side, pct = _LIST_COUNT.match(c["indicator"]).groups()
        bound = "max" if side == "below" else "min"
        thr = int(pct) / 100
        members = unit_rows[
            (unit_rows["source_id"] == c["source_id"])
            & (unit_rows["bound"] == bound)
            & unit_rows["value"].sub(thr).abs().lt(1e-12)
        ]
        out.append(
            {
                "count_id": c["id"],
                "source_id": c["source_id"],
                "side": side,
                "bound": bound,
                "threshold": thr,
                "stated": int(c["value"]),
                "members": {(r["segment"], r["_code"]) for _, r in members.iterrows()},
                "member_ids": list(members["id"]),
            }
        )
    return out


def _one_unit(
    unit_type: str, u, own: pd.DataFrame, groups: pd.DataFrame, lists: list[dict]
) -> dict:
    points = own[own["bound"].isin(_POINT)]
    bounds = own[~own["bound"].isin(_POINT)]
    flags: list[str] = []
    flag_sources: list[str] = []
    omitted: list[tuple[str, str, float]] = []
    used = own
    group_bound = False
    if points.empty and not groups.empty:
        bounds = pd.concat([bounds, groups])
        used = pd.concat([own, groups])
        group_bound = own.empty
    ivs = [_interval(b, v) for b, v in zip(bounds["bound"], bounds["value"], strict=True)]
    value = math.nan
    values: tuple[float, ...] = ()
    if not points.empty:
        status = "known"
        values = tuple(dict.fromkeys(float(v) for v in points["value"]))
        value = values[0]
        low, high = min(values), max(values)
        if len(values) > 1:
            flags.append("reports_differ")
            flag_sources += list(points["source_id"])
        for (lo, hi), sid in zip(ivs, bounds["source_id"], strict=True):
            if any(v < lo - 1e-12 or v > hi + 1e-12 for v in values):
                flags.append("value_outside_bound")
                flag_sources.append(sid)
    elif ivs:
        status = "bounded"
        low, high = max(i[0] for i in ivs), min(i[1] for i in ivs)
        if low > high + 1e-12:
            flags.append("bounds_disjoint")
            flag_sources += list(bounds["source_id"])
            low, high = min(i[0] for i in ivs), max(i[1] for i in ivs)
    else:
        status, low, high = "unknown", 0.0, 1.0
    for lst in lists:
        on_side = (
            high <= lst["threshold"] + 1e-12
            if lst["side"] == "below"
            else low >= lst["threshold"] - 1e-12
        )
        if status != "unknown" and on_side and (unit_type, u.unit_code) not in lst["members"]:
            flags.append("omitted_from_list")
            flag_sources.append(lst["source_id"])
            omitted.append((lst["source_id"], lst["side"], lst["threshold"]))
    return {
        "unit_type": unit_type,
        "unit_code": u.unit_code,
        "name_vi": u.name_vi,
        "name_en": u.name_en,
        "status": status,
        "value_share": value,
        "values_share": values,
        "low_share": float(low),
        "high_share": float(high),
        "group_bound": group_bound,
        "flags": tuple(dict.fromkeys(flags)),
        "flag_source_ids": tuple(sorted(set(flag_sources))),
        "omitted_from": tuple(omitted),
        "evidence_ids": ";".join(sorted(used["id"])),
        "source_ids": ";".join(sorted(set(used["source_id"]))),
    }


# ---------------------------------------------------------------- consistency
#: Checks :func:`consistency` may return (rows come segment by segment, then per unit, then lists).
CHECKS = (
    "unweighted_mean_range",
    "unknown_mean_needed",
    "weighted_range",
    "counts_share",
    "min_dossiers_handled",
    "max_dossier_weight",
    "implied_dossiers_handled",
    "list_count",
)
#: What ``computed`` (and ``low``/``high``) measure, by check: a share (0-1), a number of
#: dossiers, or a number of units.
_COMPUTED_UNIT = {
    "unweighted_mean_range": "share",
    "unknown_mean_needed": "share",
    "weighted_range": "share",
    "counts_share": "share",
    "min_dossiers_handled": "dossiers",
    "max_dossier_weight": "share",
    "implied_dossiers_handled": "dossiers",
    "list_count": "units",
}
_CHECK_COLUMNS = [
    "check",
    "segment",
    "unit_code",
    "stated",
    "computed",
    "stated_unit",
    "computed_unit",
    "listed",
    "low",
    "high",
    "consistent",
    "list_source_id",
    "evidence_ids",
    "source_ids",
    "note",
]


@dataclass(kw_only=True, repr=False)
class Consistency(Result):
    """What the per-unit evidence says about the published aggregates.

    ``checks`` is one row per statement, with columns:

    * ``check``: one of :data:`CHECKS`; ``segment`` and ``unit_code``: what it is about;
    * ``stated``: the published figure; ``computed``: the number worked out from the
      evidence; ``low`` and ``high``: a range worked out from it; ``stated_unit`` and
      ``computed_unit``: what they measure (``share`` 0-1, ``dossiers`` or ``units``);
    * ``listed`` and ``list_source_id`` (``list_count`` only): the units the list names
      and the list's source;
    * ``consistent``: True, False, or None where the statement is a derived bound rather
      than a test;
    * ``evidence_ids`` and ``source_ids`` (``;``-joined: every number is traced);
      ``note``: a machine note (English).
    """

    year: int
    checks: pd.DataFrame

    def to_df(self) -> pd.DataFrame:
        """The checks (a copy)."""
        return self.checks.copy()

    @property
    def parameters(self) -> dict[str, object]:
        """The year read."""
        return {"year": self.year}

    @property
    def sources(self) -> list[str]:
        """Every source behind the checks."""
        return sorted({s for v in self.checks["source_ids"] for s in str(v).split(";") if s})

    def provenance(self) -> Provenance:
        """The sources behind the checks and the year read."""
        return Provenance(sources=self.sources, parameters=self.parameters)

    def summary(self) -> str:
        c = list(self.checks["consistent"])
        n_yes = sum(v is True or v is np.True_ for v in c)
        n_no = sum(v is False or v is np.False_ for v in c)
        return f"{self.year}, {len(c)} checks: {n_yes} consistent, {n_no} not"

    def plot(self, ax=None, *, lang: str = "vi"):
        """Each check on a share as the published figure against the range the per-unit
        evidence allows (:func:`dvcanalysis.plots.unit_consistency.checks_chart`); returns
        the axes."""
        from dvcanalysis.plots import unit_consistency

        return unit_consistency.checks_chart(
            self.to_df(), year=self.year, ax=ax, lang=lang, provenance=self.provenance()
        )


def _decimals(x: float) -> int:
    """Decimals a published share carries (0.6854 -> 4), for the rounding tolerance."""
    s = repr(float(x))
    return len(s.split(".")[1].rstrip("0")) if "." in s and "e" not in s else 6


def _ids(*frames_or_lists) -> str:
    out: set[str] = set()
    for x in frames_or_lists:
        for v in x:
            out |= {i for i in str(v).split(";") if i}
    return ";".join(sorted(out))


def consistency(ue: UnitEvidence) -> Consistency:
    """Check the segments' published aggregates against the units' evidence.

    For each unit segment with a published aggregate in the year (localities 18.54%,
    ministries 63.47% for 2024):

    * ``unweighted_mean_range``: the range of the unweighted mean of the units' intervals
      (mean of the lows, mean of the highs). Only indicative: the official figure is a
      dossier-weighted share, and the units' dossier counts are not published.
    * ``unknown_mean_needed``: where some units have no evidence, the mean they would need
      for that unweighted mean to equal the aggregate (as indicative as the previous).
    * ``weighted_range``: with unknown dossier weights, any aggregate between the lowest
      low and the highest high of the units is possible; the test is whether the figure
      lies there.
    * ``min_dossiers_handled``: the segment's fully-online dossiers are at least the sum
      published for its units, so at the aggregate share the segment handled at least
      ``sum / aggregate`` dossiers.
    * ``max_dossier_weight``: for a unit with both counts, the largest share of the
      segment's dossiers it can have handled (its handled count over that minimum).

    Per unit: ``counts_share`` (a share recomputed from its counts, against its stated
    share, within the rounding of the stated figure) and ``implied_dossiers_handled``
    (fully-online count over share, where only the first is published). Per list whose
    source states its size: ``list_count`` (stated count, units listed, units the
    evidence puts on that side; consistent when all three agree).
    """
    r = ue.rows
    counts = r[r["indicator"].isin(["dossiers_fully_online", "dossiers_handled"])]
    rows: list[dict] = []
    for unit_type, seg in AGGREGATE_SEGMENT.items():
        agg = r[(r["indicator"] == INDICATOR) & (r["segment"] == seg) & (r["kind"] == "observed")]
        agg = agg[agg["bound"].isin(_POINT)].sort_values(["period_end", "id"])
        d = ue.units[ue.units["unit_type"] == unit_type]
        if agg.empty or d.empty:
            continue
        a = agg.iloc[-1]
        rows += _mean_checks(a, d, seg)
        rows += _dossier_checks(a, counts[counts["segment"] == unit_type], seg)
    rows += _unit_count_checks(ue, counts)
    rows += _list_checks(ue)
    for row in rows:
        row["stated_unit"] = "units" if row["check"] == "list_count" else "share"
        row["computed_unit"] = _COMPUTED_UNIT[row["check"]]
    out = pd.DataFrame(rows, columns=_CHECK_COLUMNS)
    out["list_source_id"] = out["list_source_id"].fillna("")
    return Consistency(year=ue.year, checks=out.reset_index(drop=True))


def _mean_checks(a: pd.Series, d: pd.DataFrame, seg: str) -> list[dict]:
    """``unweighted_mean_range``, ``unknown_mean_needed`` and ``weighted_range`` of the
    segment ``seg`` whose published aggregate is the row ``a`` and units the rows ``d``."""
    s = float(a["value"])
    unit_ids = _ids(d["evidence_ids"])
    base = {
        "segment": seg,
        "unit_code": "",
        "stated": s,
        "computed": math.nan,
        "evidence_ids": _ids([a["id"], unit_ids]),
        "source_ids": _ids([a["source_id"]], d["source_ids"]),
    }
    lo, hi = float(d["low_share"].mean()), float(d["high_share"].mean())
    rows = [
        base
        | {
            "check": "unweighted_mean_range",
            "low": lo,
            "high": hi,
            "consistent": lo <= s <= hi,
            "note": f"unweighted mean over {len(d)} units (unknown units as [0, 1]); "
            "indicative only: the official figure is dossier-weighted",
        }
    ]
    unknown = d[d["status"] == "unknown"]
    if not unknown.empty:
        rest = d[d["status"] != "unknown"]
        n, k = len(d), len(unknown)
        need_lo = (s * n - float(rest["high_share"].sum())) / k
        need_hi = (s * n - float(rest["low_share"].sum())) / k
        rows.append(
            base
            | {
                "check": "unknown_mean_needed",
                "low": need_lo,
                "high": need_hi,
                "consistent": need_lo <= 1 and need_hi >= 0,
                "note": f"mean the {k} units without evidence need for the unweighted mean to equal the "
                "aggregate (low: the others at their highs; high: at their lows); indicative only",
            }
        )
    wlo, whi = float(d["low_share"].min()), float(d["high_share"].max())
    rows.append(
        base
        | {
            "check": "weighted_range",
            "low": wlo,
            "high": whi,
            "consistent": wlo <= s <= whi,
            "note": "any dossier-weighted mean of the units' intervals lies in [lowest low, highest high]",
        }
    )
    return rows


def _dossier_checks(a: pd.Series, counts: pd.DataFrame, seg: str) -> list[dict]:
    """``min_dossiers_handled`` of the segment ``seg`` (aggregate row ``a``, its units' count
    rows ``counts``) and ``max_dossier_weight`` of each unit with a handled count."""
    s = float(a["value"])
    full = counts[counts["indicator"] == "dossiers_fully_online"]
    if full.empty or s <= 0:
        return []
    base = {"segment": seg, "unit_code": "", "stated": s, "consistent": None}
    dmin = float(full["value"].sum()) / s
    rows = [
        base
        | {
            "check": "min_dossiers_handled",
            "computed": dmin,
            "low": dmin,
            "high": math.nan,
            "evidence_ids": _ids([a["id"]], full["id"]),
            "source_ids": _ids([a["source_id"]], full["source_id"]),
            "note": f"fully-online dossiers of {', '.join(sorted(full['unit_code']))} "
            f"({int(full['value'].sum())}) over the aggregate share",
        }
    ]
    handled = counts[counts["indicator"] == "dossiers_handled"]
    for _, h in handled.sort_values("id").iterrows():
        w = float(h["value"]) / dmin
        rows.append(
            base
            | {
                "check": "max_dossier_weight",
                "unit_code": h["unit_code"],
                "computed": w,
                "low": math.nan,
                "high": w,
                "evidence_ids": _ids([a["id"], h["id"]], full["id"]),
                "source_ids": _ids([a["source_id"], h["source_id"]], full["source_id"]),
                "note": "dossiers handled over the minimum the segment handled",
            }
        )
    return rows


def _unit_count_checks(ue: UnitEvidence, counts: pd.DataFrame) -> list[dict]:
    """Per known unit with a fully-online count: ``counts_share`` (with a handled count) or
    ``implied_dossiers_handled`` (without)."""
    u, r = ue.units, ue.rows
    rows = []
    for (seg, code), g in counts.groupby(["segment", "unit_code"], sort=True):
        unit = u[(u["unit_type"] == seg) & (u["unit_code"] == code)]
        if unit.empty or unit.iloc[0]["status"] != "known":
            continue
        x = unit.iloc[0]
        full = g[g["indicator"] == "dossiers_fully_online"]
        handled = g[g["indicator"] == "dossiers_handled"]
        if full.empty:
            continue
        share_rows = r[
            r["id"].isin(x["evidence_ids"].split(";"))
            & (r["indicator"] == INDICATOR)
            & r["bound"].isin(_POINT)
        ]
        f = float(full["value"].iloc[0])
        base = {"segment": seg, "unit_code": code, "stated": x["value_share"]}
        if not handled.empty:
            computed = f / float(handled["value"].iloc[0])
            # a share is published as a percentage: 60% (0.6) is 59.5-60.5%, 68.54% is 68.535-68.545%
            tol = 0.5 * 10 ** -max(_decimals(x["value_share"]), 2) + 1e-12
            rows.append(
                base
                | {
                    "check": "counts_share",
                    "computed": computed,
                    "low": math.nan,
                    "high": math.nan,
                    "consistent": abs(computed - x["value_share"]) <= tol,
                    "evidence_ids": _ids(share_rows["id"], g["id"]),
                    "source_ids": _ids(share_rows["source_id"], g["source_id"]),
                    "note": f"fully online over handled, against the stated share within its rounding ({tol:.6f})",
                }
            )
        else:
            vals = [v for v in x["values_share"] if v > 0]
            rows.append(
                base
                | {
                    "check": "implied_dossiers_handled",
                    "computed": f / x["value_share"],
                    "low": f / max(vals),
                    "high": f / min(vals),
                    "consistent": None,
                    "evidence_ids": _ids(share_rows["id"], full["id"]),
                    "source_ids": _ids(share_rows["source_id"], full["source_id"]),
                    "note": "fully-online dossiers over the stated share(s); dossiers handled not published",
                }
            )
    return rows


def _list_checks(ue: UnitEvidence) -> list[dict]:
    """``list_count`` of each list whose source states its size."""
    u = ue.units
    rows = []
    for lst in _complete_lists(ue.rows, _coded(ue.rows)):
        thr = lst["threshold"]
        on_side = u[
            (u["high_share"] <= thr + 1e-12)
            if lst["side"] == "below"
            else (u["low_share"] >= thr - 1e-12)
        ]
        on_side = on_side[on_side["status"] != "unknown"]
        n_listed = len(lst["members"])
        rows.append(
            {
                "check": "list_count",
                "segment": f"{lst['side']}_{round(100 * thr)}pct",
                "unit_code": "",
                "stated": lst["stated"],
                "computed": float(len(on_side)),
                "listed": float(n_listed),
                "low": math.nan,
                "high": math.nan,
                "consistent": lst["stated"] == n_listed == len(on_side),
                "list_source_id": lst["source_id"],
                "evidence_ids": _ids([lst["count_id"]], lst["member_ids"], on_side["evidence_ids"]),
                "source_ids": _ids([lst["source_id"]], on_side["source_ids"]),
                "note": f"stated count; listed = units the list names; computed = units the evidence puts "
                f"{lst['side']} {round(100 * thr)}% ({', '.join(on_side['unit_code'])})",
            }
        )
    return rows


def _coded(rows: pd.DataFrame) -> pd.DataFrame:
    """Unit share rows of ``rows`` with their unit's code in ``_code`` (agencies by name)."""
    d = rows[(rows["indicator"] == INDICATOR) & rows["segment"].isin(UNIT_TYPES)].copy()
    d["_code"] = [
        _agency_code(r) if r["segment"] == "agency" else r["unit_code"] for _, r in d.iterrows()
    ]
    return d
