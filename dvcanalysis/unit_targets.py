"""Provinces and ministries against their segment's official target (notebook 05).

The per-unit model step: each unit's fully-online share (from the counts of
:mod:`dvcanalysis.units`) is compared with the binding target of its segment
(:func:`dvcanalysis.targets.binding`) with the pace and status rules of
:func:`dvcanalysis.targets.pace_needed` and :func:`dvcanalysis.targets.status`, the same
rules :func:`dvcanalysis.targets.attainment` applies to the segments.

A unit with a single period has no pace of its own; it may be given the median yearly
pace of an uptake scenario (:func:`scenario_paces`), read from a
:class:`~dvcanalysis.uptake.Projection` the caller built with
:func:`dvcanalysis.uptake.project`. This module does not import :mod:`dvcanalysis.uptake`.

Examples
--------
>>> from dvcanalysis import units, unit_targets, uptake  # doctest: +SKIP
>>> proj = uptake.project("business-as-usual", n_draws=500, seed=0)  # doctest: +SKIP
>>> rep = unit_targets.unit_report("counts.csv", projection=proj)  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dvcanalysis import evidence, paths, targets, units
from dvcanalysis.dates import parse_cutoff
from dvcanalysis.errors import InputError, check_choice
from dvcanalysis.provenance import Provenance
from dvcanalysis.results import Result, check_own_figure

#: Segments a unit can belong to (``units.SEGMENT_OF`` values).
UNIT_SEGMENTS = tuple(units.SEGMENT_OF.values())


def segment_targets() -> pd.DataFrame:
    """The binding fully-online targets of the unit segments (:func:`dvcanalysis.targets.binding`)."""
    return targets.binding(segments=UNIT_SEGMENTS)


def scenario_paces(projection, year_from: int, year_to: int) -> dict[str, float]:
    """Median yearly pace (share per year) by segment implied by a projection.

    ``(q50[year_to] - q50[year_from]) / (year_to - year_from)`` for each projected segment.

    Parameters
    ----------
    projection
        A :class:`~dvcanalysis.uptake.Projection` (anything with ``.quantiles(qs)`` giving
        ``year, segment, q50``).
    year_from, year_to
        End-of-year values to take the pace between.

    Raises
    ------
    InputError
        If ``year_to`` is not after ``year_from`` or the projection lacks both years.
    """
    if year_to <= year_from:
        raise InputError(f"year_to={year_to} must be after year_from={year_from}")
    q = projection.quantiles((0.05, 0.5, 0.95))
    out = {}
    for seg, grp in q.groupby("segment"):
        by_year = grp.set_index("year")["q50"]
        if year_from in by_year.index and year_to in by_year.index:
            out[str(seg)] = float((by_year[year_to] - by_year[year_from]) / (year_to - year_from))
    if not out:
        name = getattr(getattr(projection, "scenario", None), "name", "?")
        raise InputError(
            f"scenario {name!r}: the projection has no years {year_from} and {year_to}"
        )
    return out


def unit_status(
    counts: pd.DataFrame,
    *,
    as_of: str | date | None = None,
    scenario_pace: float | Mapping[str, float] | None = None,
    targets_frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Share, rank, distance to target, pace needed and status per unit and period.

    Parameters
    ----------
    counts
        One layout (from :func:`dvcanalysis.units.load_counts` or
        :func:`dvcanalysis.units.to_layout`).
    as_of
        Keep periods ending on or before this date, and assess every row as of this date
        (whether its deadline has passed). Without it each row is assessed as of its own
        period end.
    scenario_pace
        Share per year assumed for a unit with no earlier period of its own: a number, or
        a mapping ``segment -> number`` (``localities``, ``ministries``), e.g. from
        :func:`scenario_paces`.
    targets_frame
        ``segment, deadline, target_share`` (default: :func:`segment_targets`).

    Returns
    -------
    DataFrame
        The counts columns plus ``segment, rank, n_ranked, target_share, deadline,
        gap_share, years_left, pace_needed_share_per_year, pace_share_per_year,
        pace_source, status``. The target is the segment's next deadline on or after the
        period's end (the last one once all have passed); ``years_left`` runs from the
        as-of date to it. ``rank`` is 1 for the highest share among the units with the
        same period end (unit type, layout). The unit's own pace is the change of its
        share since its previous period, per year. ``pace_needed_share_per_year`` and
        ``status`` follow :func:`dvcanalysis.targets.pace_needed` and
        :func:`dvcanalysis.targets.status` (projected share at the deadline from the pace
        used): ``met``, ``on track``, ``off track``, ``missed`` or ``unknown``.
    """
    if counts["layout"].nunique() > 1:
        raise InputError(
            "counts mix layouts; re-express them first with units.to_layout(counts, layout)"
        )
    tf = segment_targets() if targets_frame is None else targets_frame
    df = counts.copy()
    if as_of is not None:
        df = df[df["period_end"] <= pd.Timestamp(as_of)]
    as_of_t = None if as_of is None else evidence.decimal_year(pd.Timestamp(as_of).date())
    df = df.sort_values(["unit_type", "unit_code", "period_end"]).reset_index(drop=True)
    df["segment"] = df["unit_type"].map(units.SEGMENT_OF)
    by_period = df.groupby(["unit_type", "layout", "period_end"])["fully_online_share"]
    df["rank"] = by_period.rank(ascending=False, method="min").astype("Int64")
    df["n_ranked"] = by_period.transform("count")
    df["_dec"] = [evidence.decimal_year(t.date()) for t in df["period_end"]]
    prev_share = df.groupby(["unit_type", "unit_code"])["fully_online_share"].shift(1)
    prev_dec = df.groupby(["unit_type", "unit_code"])["_dec"].shift(1)
    own = (df["fully_online_share"] - prev_share) / (df["_dec"] - prev_dec)
    rows = []
    for i, r in df.iterrows():
        seg_t = tf[tf["segment"] == r["segment"]].sort_values("deadline")
        if seg_t.empty:
            rows.append((math.nan, pd.NaT, math.nan, math.nan, math.nan, math.nan, "", "unknown"))
            continue
        later = seg_t[seg_t["deadline"] >= r["period_end"]]
        t = later.iloc[0] if not later.empty else seg_t.iloc[-1]
        now = r["_dec"] if as_of_t is None else as_of_t
        years_left = targets.deadline_time(t["deadline"]) - now
        years_since = now - r["_dec"]
        share = r["fully_online_share"]
        if not math.isnan(own.iloc[i]) and math.isfinite(own.iloc[i]):
            pace, source = float(own.iloc[i]), "own series"
        elif scenario_pace is not None:
            pace = (
                scenario_pace.get(r["segment"], math.nan)
                if isinstance(scenario_pace, Mapping)
                else float(scenario_pace)
            )
            source = "scenario" if not math.isnan(pace) else ""
        else:
            pace, source = math.nan, ""
        target = float(t["target_share"])
        need = targets.pace_needed(share, target, years_left, years_since=years_since)
        st = targets.status(
            share, target, years_left=years_left, pace=pace, years_since=years_since
        )
        rows.append((target, t["deadline"], target - share, years_left, need, pace, source, st))
    extra = pd.DataFrame(
        rows,
        columns=list(STATUS_COLUMNS),
        index=df.index,
    )
    return pd.concat([df.drop(columns="_dec"), extra], axis=1)


# ---------------------------------------------------------------- national view and report
def national_view(*, as_of: str | date | None = None) -> pd.DataFrame:
    """Segment figures from the evidence: the latest observed fully-online share by
    segment (up to ``as_of``) and the binding official targets (:func:`dvcanalysis.targets.binding`).

    Returns
    -------
    DataFrame
        ``segment, kind (observed | target), period, period_end, value_share, bound,
        evidence_id, source_id`` (for targets, every stating row and source, joined by ``;``).
    """
    rows = []
    for seg in ("national", "ministries", "localities", "locality_best"):
        s = evidence.series("fully_online_share", seg, kind="observed", cutoff=as_of)
        if not s.empty:
            last = s.iloc[-1]
            rows.append(
                {
                    "segment": seg,
                    "kind": "observed",
                    "period": last["period"],
                    "period_end": last["period_end"],
                    "value_share": last["value"],
                    "bound": last["bound"],
                    "evidence_id": last["id"],
                    "source_id": last["source_id"],
                }
            )
    order = {s: i for i, s in enumerate(("national", "ministries", "localities"))}
    tgt = targets.binding(segments=tuple(order))
    tgt = tgt.assign(_o=tgt["segment"].map(order)).sort_values(["_o", "deadline"])
    for t in tgt.itertuples(index=False):
        rows.append(
            {
                "segment": t.segment,
                "kind": "target",
                "period": t.period,
                "period_end": t.deadline,
                "value_share": t.target_share,
                "bound": t.bound,
                "evidence_id": t.ids,
                "source_id": t.source_ids,
            }
        )
    return pd.DataFrame(rows)


#: The columns :func:`unit_status` adds for each unit's target (after its rank).
STATUS_COLUMNS = (
    "target_share",
    "deadline",
    "gap_share",
    "years_left",
    "pace_needed_share_per_year",
    "pace_share_per_year",
    "pace_source",
    "status",
)
#: The columns of the per-unit analysis (:func:`unit_status`; ``UnitReport.to_df``).
ANALYSIS_COLUMNS = (*units.LAYOUT_COLUMNS, "segment", "rank", "n_ranked", *STATUS_COLUMNS)


@dataclass(kw_only=True, repr=False)
class UnitReport(Result):
    """Everything the unit notebook shows, as frames (no text, no figures).

    Attributes
    ----------
    layout, as_of, scenario
        The parameters (``scenario``: the name of the projection giving the pace).
    national
        :func:`national_view`.
    counts
        The counts in ``layout`` (:func:`dvcanalysis.units.to_layout`), or ``None`` without
        a counts file.
    analysis
        :func:`unit_status` of ``counts`` (``None`` without a counts file).
    scenario_pace
        The pace by segment used for units with a single period (``None`` without one).
    counts_file
        The counts file as given (relative to the project root where possible).
    sources
        Source ids behind the report.
    """

    layout: str
    as_of: str
    scenario: str
    national: pd.DataFrame
    counts: pd.DataFrame | None = None
    analysis: pd.DataFrame | None = None
    scenario_pace: dict[str, float] | None = None
    counts_file: str = ""
    # a plain default (not a factory), so that the field shadows Result.sources (a property)
    sources: list[str] = ()

    def __post_init__(self) -> None:
        self.sources = list(self.sources)

    @property
    def has_counts(self) -> bool:
        return self.counts is not None

    @property
    def parameters(self) -> dict[str, object]:
        """``layout``, ``as_of`` and, with a counts file, ``counts_path`` and ``scenario``."""
        params: dict[str, object] = {"layout": self.layout, "as_of": self.as_of}
        if self.has_counts:
            params |= {"counts_path": self.counts_file, "scenario": self.scenario}
        return params

    def provenance(self) -> Provenance:
        """Sources and :attr:`parameters`; without counts the note is the label key
        ``units.note.no_counts_footer`` (the footer says counts are missing)."""
        note = "" if self.has_counts else "units.note.no_counts_footer"  # a label key
        return Provenance(sources=list(self.sources), parameters=self.parameters, note=note)

    def summary(self) -> str:
        n = 0 if self.analysis is None else self.analysis["unit_code"].nunique()
        counts = f"{n} units from {self.counts_file}" if self.has_counts else "no counts"
        return f"layout {self.layout}, as of {self.as_of}, {counts}"

    def plot(self, ax=None, *, lang: str = "vi"):
        """The provinces as tiles in the report's layout, coloured by share (by merge group
        without counts) (:func:`dvcanalysis.plots.units.tile_map`); returns the figure."""
        check_own_figure(self, ax)
        from dvcanalysis.plots import units as pu

        return pu.tile_map(
            self.tile_frame(),
            layout=self.layout,
            lang=lang,
            color_by="share" if self.has_counts else "merge",
            provenance=self.provenance(),
        )

    def tile_frame(self, period: str | None = None) -> pd.DataFrame:
        """Province tiles in the report's layout with the latest share and status per unit
        (NaN/empty without counts)."""
        t = units.tiles(self.layout)
        if self.analysis is None:
            return t.assign(fully_online_share=np.nan, status="")
        a = self.analysis[self.analysis["unit_type"] == "province"]
        if period is not None:
            a = a[a["period"] == period]
        a = units.latest(a)[["unit_code", "period", "fully_online_share", "status"]]
        return t.merge(a, on="unit_code", how="left")

    def to_df(self) -> pd.DataFrame:
        """The per-unit analysis (without counts: no rows, the same columns)."""
        if self.analysis is None:
            return pd.DataFrame(columns=list(ANALYSIS_COLUMNS))
        return self.analysis.copy()


def _pace_window(projection, as_of: date) -> tuple[int, int]:
    """Years to read a scenario's pace between: from the as-of year (within the projected
    years) to the last unit-segment deadline (at least one year later)."""
    years = [int(y) for y in projection.years]
    last = segment_targets()["deadline"].max()
    year_to = int(last.year) if pd.notna(last) else as_of.year + 1
    year_from = min(as_of.year, year_to - 1)
    if years:
        year_from = max(year_from, years[0])
    return year_from, max(year_to, year_from + 1)


def unit_report(
    counts_path: str = "",
    *,
    layout: str = "2025",
    as_of: str = "",
    projection=None,
    scenario_pace: float | Mapping[str, float] | None = None,
    scenario: str = "",
) -> UnitReport:
    """Build the unit report behind ``notebooks/05_units.ipynb``.

    Without ``counts_path`` only the national and segment view from the evidence is
    filled. With it: counts loaded strictly, re-expressed in ``layout`` and assessed up to
    ``as_of`` (:func:`unit_status`; empty: the date of the latest observation,
    :func:`dvcanalysis.evidence.data_date`).

    Parameters
    ----------
    projection
        A :class:`~dvcanalysis.uptake.Projection` giving the pace of units with a single
        period (:func:`scenario_paces` from the as-of year, within the projected years, to
        the last target deadline). ``None``: no scenario pace.
    scenario_pace
        Share per year (a number or ``segment -> number``); overrides the projection.
    scenario
        The scenario's name for display (default: the projection's).
    """
    check_choice("layout", layout, units.LAYOUTS)
    as_of_date = parse_cutoff(as_of, name="as_of")  # empty: the evidence's own date
    if projection is not None and not scenario:
        scenario = projection.scenario.name
    national = national_view(as_of=as_of_date)
    sources = {s for ids in national["source_id"] for s in ids.split(";")}
    if not counts_path:
        return UnitReport(
            layout=layout,
            as_of=as_of_date.isoformat(),
            scenario=scenario,
            national=national,
            sources=sorted(sources | set(units.SOURCES["province"])),
        )
    counts = units.to_layout(units.load_counts(counts_path), layout)
    if scenario_pace is None and projection is not None:
        year_from, year_to = _pace_window(projection, as_of_date)
        scenario_pace = scenario_paces(projection, year_from, year_to)
    analysis = unit_status(counts, as_of=as_of_date, scenario_pace=scenario_pace)
    if isinstance(scenario_pace, Mapping):
        pace = {s: float(v) for s, v in scenario_pace.items() if s in UNIT_SEGMENTS}
    elif scenario_pace is not None:
        pace = {seg: float(scenario_pace) for seg in UNIT_SEGMENTS}
    else:
        pace = None
    used = {s for ut in set(counts["unit_type"]) for s in units.SOURCES[ut]}
    return UnitReport(
        layout=layout,
        as_of=as_of_date.isoformat(),
        scenario=scenario,
        national=national,
        counts=counts,
        analysis=analysis,
        scenario_pace=pace,
        counts_file=paths.relative(counts_path),
        sources=sorted(sources | used | set(units.SOURCES["province"])),
    )
