"""The facts of one briefing: every number it states, computed once, read by every rendering.

A briefing states the same figure in its key message, its headline list, its tables, its chart
and its PDF. Each of those reads it from one :class:`Facts` record built by :func:`compute`
from the model results (projection, attainment, savings), so two renderings cannot disagree:
the text, the attainment table, the savings table and the chart's data frame
(:attr:`Facts.chart`, the frame the fan chart is drawn from and saved beside it as CSV) are
all formatted from these fields.

Two rules live here, written once:

- :func:`outlook`: the status word of a target from its probability (``on_track``,
  ``uncertain``, ``off_track``), the same thresholds as :mod:`dvcanalysis.targets`; the text's
  phrase and the table's status both come from it.
- :func:`required_pace`: the pace, in share a year, from the latest published figure to the
  target in the years left (national 45.8% in 2024 -> 80% in 2025: 34.2 points a year).

A year whose figure is published (a full-year observation of the segment up to the cut-off)
is an **outcome** (met or missed, with the published figure); a later year is a **forecast**.
A year's value is always the share of that year's dossiers (``Projection.year_shares``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from dvcanalysis import evidence, targets
from dvcanalysis.vocabulary import ROLE_AFTER_CUTOFF

#: Status keys :func:`outlook` returns (forecast years), and those of outcome years.
OUTLOOKS = ("on_track", "uncertain", "off_track")
OUTCOMES = ("met", "missed")


def outlook(probability: float) -> str:
    """The status of a forecast target from its probability: one rule for text and tables.

    ``on_track`` when the probability is at least :data:`dvcanalysis.targets.ON_TRACK_PROBABILITY`
    (0.8), ``off_track`` below :data:`dvcanalysis.targets.OFF_TRACK_PROBABILITY` (0.2),
    ``uncertain`` in between; ``unknown`` without a probability.

    Examples
    --------
    >>> outlook(0.07), outlook(0.2), outlook(0.79), outlook(0.8)
    ('off_track', 'uncertain', 'uncertain', 'on_track')
    """
    if probability is None or (isinstance(probability, float) and math.isnan(probability)):
        return "unknown"
    if probability >= targets.ON_TRACK_PROBABILITY:
        return "on_track"
    if probability < targets.OFF_TRACK_PROBABILITY:
        return "off_track"
    return "uncertain"


#: The pace rule is :func:`dvcanalysis.targets.required_pace` (one rule for briefings and
#: notebook 04).
required_pace = targets.required_pace


@dataclass(frozen=True)
class Figure:
    """A published figure: share (0-1), the period it measures, its evidence and source ids."""

    share: float
    period: str
    year: int
    full_year: bool
    evidence_id: str
    source_id: str


@dataclass(frozen=True)
class TargetFact:
    """One official target of the segment, as an outcome (published year) or a forecast.

    ``status``: ``met``/``missed`` for an outcome, :func:`outlook` of the default forecast's
    probability for a year not yet published. ``probability``, ``median_share``, ``low_share``,
    ``high_share`` are the default forecast's (:func:`dvcanalysis.forecast.forecast`) for the
    share of that year's dossiers; ``path_*`` the scenario's what-if path for the same year,
    and ``path_status`` on the target path ``required`` (the path meets it) or ``short`` (a mix
    of the segments' paths, the national share, that falls short of its own target);
    ``crossing_year`` is the year the scenario's median path reaches the target.
    ``source_ids``: only the sources that state this value for this year.
    """

    year: int
    target_share: float
    source_ids: tuple[str, ...]
    outcome: bool
    status: str
    observed: Figure | None = None
    probability: float = math.nan
    median_share: float = math.nan
    low_share: float = math.nan
    high_share: float = math.nan
    gap_share: float = math.nan
    required_pace_share_per_year: float = math.nan
    crossing_year: int | None = None
    path_median_share: float = math.nan
    path_low_share: float = math.nan
    path_high_share: float = math.nan
    path_status: str = ""


@dataclass(frozen=True)
class SavingsFact:
    """Savings of the segment in one year: median and 90% interval (VND), and dossiers."""

    year: int
    median_vnd: float
    low_vnd: float
    high_vnd: float
    cumulative_median_vnd: float
    cumulative_low_vnd: float
    cumulative_high_vnd: float
    dossiers_online: float


@dataclass(frozen=True)
class Facts:
    """Every number one briefing states (no text: :mod:`dvcanalysis.briefing` formats them).

    Attributes
    ----------
    segment, scenario, curve
        What the briefing is about.
    data_date, production_date
        The date of the latest figure used, and the day the briefing is produced.
    latest
        The segment's latest published figure up to the cut-off (None: none).
    targets
        The segment's official targets in year order (outcomes, then forecasts).
    savings
        Savings of the segment by projected year.
    chart
        The frame the fan chart is drawn from: ``year, segment, q05, q25, q50, q75, q95``,
        each year's share of its dossiers.
    per_dossier_vnd
        The saving per fully-online dossier at the default assumptions.
    """

    segment: str
    scenario: str
    curve: str
    data_date: date
    production_date: date
    latest: Figure | None
    targets: tuple[TargetFact, ...]
    savings: tuple[SavingsFact, ...]
    chart: pd.DataFrame = field(repr=False)
    per_dossier_vnd: float = math.nan

    @property
    def outcomes(self) -> tuple[TargetFact, ...]:
        return tuple(t for t in self.targets if t.outcome)

    @property
    def forecasts(self) -> tuple[TargetFact, ...]:
        return tuple(t for t in self.targets if not t.outcome)

    @property
    def headline_target(self) -> TargetFact:
        """The target the key message is about: the first forecast one, else the last."""
        return self.forecasts[0] if self.forecasts else self.targets[-1]

    def savings_in(self, year: int) -> SavingsFact | None:
        return next((s for s in self.savings if s.year == year), None)

    def chart_value(self, year: int, q: str = "q50") -> float:
        """The chart's value for ``year`` (the figure the chart shows), NaN when not drawn."""
        r = self.chart[self.chart["year"] == year]
        return float(r[q].iloc[0]) if len(r) else math.nan


# ---------------------------------------------------------------- building
def _year_of(period: str) -> int:
    return int(str(period)[:4])


def figures(projection, segment: str) -> list[Figure]:
    """The segment's published figures up to the cut-off, oldest first."""
    obs = projection.observations
    obs = obs[(obs["segment"] == segment) & (obs["role"] != ROLE_AFTER_CUTOFF)]
    obs = obs.sort_values(["period_end", "period"])
    return [
        Figure(
            share=float(r.value),
            period=str(r.period),
            year=_year_of(r.period),
            full_year=len(str(r.period)) == 4,
            evidence_id=str(r.id),
            source_id=str(r.source_id),
        )
        for r in obs.itertuples(index=False)
    ]


def target_sources(ids: str, target_share: float, year: int) -> tuple[str, ...]:
    """Sources of the evidence rows ``ids`` that state ``target_share`` for ``year``."""
    ev = evidence.load().set_index("id")
    out = []
    for i in str(ids).split(";"):
        if i not in ev.index:
            continue
        r = ev.loc[i]
        try:
            same = abs(float(r["value"]) - target_share) < 1e-9 and _year_of(r["period"]) == year
        except (TypeError, ValueError):
            same = False
        if same and r["source_id"] not in out:
            out.append(r["source_id"])
    return tuple(out)


def year_share_frame(projection, segment: str) -> pd.DataFrame:
    """Long table ``draw, year, segment, share`` of each year's full-year share (one segment,
    with the volume-share draws beside it for the savings of a segment)."""
    arr = (projection.year_shares or projection.shares)[segment]
    n, k = arr.shape
    return pd.DataFrame(
        {
            "draw": np.repeat(np.arange(n), k),
            "year": np.tile(projection.years, n),
            "segment": segment,
            "share": arr.ravel(),
        }
    )


QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def chart_frame(projection, segment: str, forecast=None) -> pd.DataFrame:
    """The fan chart's data: each year's share of its dossiers for ``segment``.

    ``q05 ... q95``: the default forecast's quantiles (the scenario path's when no forecast is
    given); ``path_q05``, ``path_q50``, ``path_q95``: the scenario's what-if path.
    """
    arr = (projection.year_shares or projection.shares)[segment]
    years = projection.years.astype(int)
    pv = np.quantile(arr, QUANTILES, axis=0)
    if forecast is not None and segment in forecast.segments:
        qv = np.array(
            [np.quantile(forecast.year_draws(segment, int(y)), QUANTILES) for y in years]
        ).T
    else:
        qv = pv
    d = {"year": years, "segment": segment}
    d.update({f"q{round(q * 100):02d}": qv[i] for i, q in enumerate(QUANTILES)})
    d.update({"path_q05": pv[0], "path_q50": pv[2], "path_q95": pv[4]})
    return pd.DataFrame(d)


def volume_weight(projection, segment: str) -> np.ndarray:
    """The segment's share of all dossiers, draw by draw (1 for the whole country)."""
    if segment == "national":
        return np.ones(projection.n_draws)
    w = np.asarray(projection.draws["ministries_volume_share"], dtype=float)
    return w if segment == "ministries" else 1 - w


def _savings_facts(savings_q: pd.DataFrame, years: list[int]) -> list[SavingsFact]:
    """The savings quantiles (``OverTime.to_df()``) of each projected year as records."""
    sv = savings_q.set_index(["measure", "year"])
    saved = []
    for y in years:
        if ("savings_vnd", y) not in sv.index:
            continue
        s, c = sv.loc[("savings_vnd", y)], sv.loc[("cumulative_savings_vnd", y)]
        d = sv.loc[("dossiers_online", y)]
        saved.append(
            SavingsFact(
                year=y,
                median_vnd=float(s["q50"]),
                low_vnd=float(s["q05"]),
                high_vnd=float(s["q95"]),
                cumulative_median_vnd=float(c["q50"]),
                cumulative_low_vnd=float(c["q05"]),
                cumulative_high_vnd=float(c["q95"]),
                dossiers_online=float(d["q50"]),
            )
        )
    return saved


def compute(
    projection,
    attainment: pd.DataFrame,
    savings_q: pd.DataFrame,
    *,
    segment: str,
    data_date: date,
    production_date: date,
    per_dossier_vnd: float,
    forecast=None,
) -> Facts:
    """The facts of a briefing from its results (see :class:`Facts`).

    ``attainment`` is the segment's rows of :func:`dvcanalysis.targets.attainment` (the
    scenario path's); ``savings_q`` the segment's savings quantiles (``OverTime.to_df()``);
    ``forecast`` the default forecast (:class:`dvcanalysis.forecast.Forecast`), which the
    probabilities, medians, intervals and statuses of the years not yet published come from
    (without it, from the scenario path).
    """
    figs = figures(projection, segment)
    latest = figs[-1] if figs else None
    published = {f.year: f for f in figs if f.full_year}
    chart = chart_frame(projection, segment, forecast)
    has_forecast = forecast is not None and segment in forecast.segments
    arr = (projection.year_shares or projection.shares)[segment]
    years = [int(y) for y in projection.years]
    facts = []
    for r in attainment.sort_values("target_year").itertuples(index=False):
        y, t = int(r.target_year), float(r.target_share)
        src = target_sources(r.target_ids, t, y) or ()
        if y in published:
            f = published[y]
            facts.append(
                TargetFact(
                    year=y,
                    target_share=t,
                    source_ids=src,
                    outcome=True,
                    status="met" if f.share >= t - 1e-12 else "missed",
                    observed=f,
                    gap_share=f.share - t,
                )
            )
            continue
        pmed = plo = phi = math.nan
        if y in years:
            col = arr[:, years.index(y)]
            pmed, plo, phi = (float(v) for v in np.quantile(col, (0.5, 0.05, 0.95)))
        if has_forecast:
            col = forecast.year_draws(segment, y)
        if has_forecast or y in years:
            p = targets.probability_at_least(col, t)
            med, lo, hi = (float(v) for v in np.quantile(col, (0.5, 0.05, 0.95)))
        else:  # a target year outside the projection and not published: nothing to say
            p = med = lo = hi = math.nan
        cross = r.median_crossing_year
        pace = required_pace(latest.share, latest.year, t, y) if latest is not None else math.nan
        path_status = ""
        if projection.scenario.curve == "target-path":  # a requirement: met on the path, or short
            path_status = "required" if pmed >= t - 1e-9 else "short"
        status = outlook(p)
        facts.append(
            TargetFact(
                year=y,
                target_share=t,
                source_ids=src,
                outcome=False,
                status=status,
                probability=p,
                median_share=med,
                low_share=lo,
                high_share=hi,
                gap_share=med - t,
                required_pace_share_per_year=pace,
                crossing_year=None if pd.isna(cross) else int(cross),
                path_median_share=pmed,
                path_low_share=plo,
                path_high_share=phi,
                path_status=path_status,
            )
        )
    saved = _savings_facts(savings_q, years)
    return Facts(
        segment=segment,
        scenario=projection.scenario.name,
        curve=projection.scenario.curve,
        data_date=data_date,
        production_date=production_date,
        latest=latest,
        targets=tuple(facts),
        savings=tuple(saved),
        chart=chart,
        per_dossier_vnd=per_dossier_vnd,
    )
