"""The track record of one segment: the last forecast checked against what was published.

:func:`track_record` reads the rolling evaluation of the default forecast
(:func:`dvcanalysis.forecast.evaluate`) and returns numbers only (a :class:`TrackRecord`): the
default forecast made at the previous data vintage for the segment's newest figure, whether the
figure fell in its 90% band, and the relative WIS of the default against persistence over every
scored forecast of the segment (below 1: better than carrying the latest figure forward). The
forecast shown is **re-made** by today's code at that vintage unless an archived (published)
forecast of the figure's period exists (``archived``). The sentence a briefing shows is built by
:func:`dvcanalysis.tables.evaluation.track_record_text`; notebook 06 reads the same evaluation,
so the two cannot disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dvcanalysis.errors import check_choice
from dvcanalysis.evaluation.result import Evaluation
from dvcanalysis.provenance import Provenance
from dvcanalysis.results import Result
from dvcanalysis.vocabulary import SEGMENTS

#: The forecaster whose record a briefing shows.
DEFAULT = "default"


@dataclass(frozen=True, kw_only=True, repr=False)
class TrackRecord(Result):
    """The default forecast made at the previous data vintage for a segment's newest figure.

    Attributes
    ----------
    segment, scenario
        The segment and the forecaster (``default``).
    origin
        The previous data vintage: the latest origin scored before the newest figure.
    observation_id, period, period_end, source_id
        The newest figure of the segment (evidence id, period as published, its end, source).
    observed_share
        Its value (0-1).
    median_share, low_share, high_share
        The forecast of it made at ``origin``: median and the 90% band (5% and 95%).
    inside_band
        Whether the figure lies in the 90% band.
    relative_wis
        Relative WIS of the default against persistence over every scored forecast of the
        segment (pairwise; below 1 is better; NaN without persistence).
    n_forecasts, n_origins
        How many forecasts of this segment the comparison rests on, from how many origins.
    archived
        True when the forecast shown is an archived (published) one, False when re-made.
    """

    segment: str
    scenario: str
    origin: date
    observation_id: str
    period: str
    period_end: date
    source_id: str
    observed_share: float
    median_share: float
    low_share: float
    high_share: float
    inside_band: bool
    relative_wis: float
    n_forecasts: int
    n_origins: int
    archived: bool = False

    @property
    def beats_persistence(self) -> bool:
        """True only when the relative WIS is below 1 (NaN: False)."""
        return bool(self.relative_wis < 1) if not math.isnan(self.relative_wis) else False

    @property
    def parameters(self) -> dict[str, object]:
        """What produced it: ``segment``, ``scenario``, ``origin``, ``archived``."""
        return {
            "segment": self.segment,
            "scenario": self.scenario,
            "origin": self.origin.isoformat(),
            "archived": self.archived,
        }

    @property
    def sources(self) -> list[str]:
        """The source of the newest figure."""
        return [self.source_id]

    def summary(self) -> str:
        """E.g. ``localities, forecast at 2025-06-30 of 2025-07 (...): inside the 90% band``."""
        where = "inside" if self.inside_band else "outside"
        return (
            f"{self.segment}, forecast at {self.origin.isoformat()} of {self.period} "
            f"({self.observation_id}): {where} the 90% band"
        )

    def to_df(self) -> pd.DataFrame:
        """One row: ``segment, scenario, origin, id, period, period_end, observed, q05, q50, q95,
        inside_band, relative_wis, n_forecasts, n_origins, archived, source_id`` (shares 0-1)."""
        return pd.DataFrame(
            [
                {
                    "segment": self.segment,
                    "scenario": self.scenario,
                    "origin": self.origin.isoformat(),
                    "id": self.observation_id,
                    "period": self.period,
                    "period_end": pd.Timestamp(self.period_end),
                    "observed": self.observed_share,
                    "q05": self.low_share,
                    "q50": self.median_share,
                    "q95": self.high_share,
                    "inside_band": self.inside_band,
                    "relative_wis": self.relative_wis,
                    "n_forecasts": self.n_forecasts,
                    "n_origins": self.n_origins,
                    "archived": self.archived,
                    "source_id": self.source_id,
                }
            ]
        )

    def provenance(self) -> Provenance:
        """The newest figure's source, the parameters; data as of its period's end."""
        return Provenance(
            sources=self.sources, parameters=self.parameters, data_date=self.period_end.isoformat()
        )

    def plot(self, ax=None, *, lang: str = "vi"):
        """The forecast's 90% band and median beside the published figure; returns the axes.

        See :func:`dvcanalysis.plots.evaluation.interval_chart`.
        """
        from dvcanalysis.plots import evaluation as eplot

        return eplot.interval_chart(self.to_df(), lang=lang, ax=ax, provenance=self.provenance())


def track_record(
    segment: str, *, evaluation: Evaluation, archived: pd.DataFrame | None = None
) -> TrackRecord | None:
    """The track record of ``segment`` from the rolling evaluation.

    Parameters
    ----------
    segment
        ``national``, ``ministries`` or ``localities``.
    evaluation
        The rolling evaluation (:func:`dvcanalysis.forecast.evaluate`).
    archived
        Archived forecasts scored on later figures
        (:func:`dvcanalysis.forecast.archive.score_archived`); where one scored the newest
        figure, it is shown instead of the re-made forecast.

    Returns
    -------
    TrackRecord or None
        None when the segment's newest figure was not forecast from an earlier vintage.
    """
    check_choice("segment", segment, SEGMENTS)
    f = evaluation.forecasts
    mine = f[(f["model"] == DEFAULT) & (f["segment"] == segment)]
    if mine.empty:
        return None
    newest = mine.sort_values(["period_end", "id"], kind="stable").iloc[-1]
    last = mine[mine["id"] == newest["id"]].sort_values("origin").iloc[-1]
    rel = evaluation.relative_wis(segment=segment).get(DEFAULT, float("nan"))
    row = dict(
        origin=date.fromisoformat(str(last["origin"])),
        median_share=float(last["q50"]),
        low_share=float(last["q05"]),
        high_share=float(last["q95"]),
        inside_band=bool(last["in90"]),
        archived=False,
    )
    if archived is not None and len(archived):
        a = archived[(archived["id"] == newest["id"]) & (archived["model"] == DEFAULT)]
        if len(a):
            a = a.sort_values("cutoff").iloc[-1]
            row.update(
                origin=date.fromisoformat(str(a["cutoff"])),
                median_share=float(a["q50"]),
                low_share=float(a["q05"]),
                high_share=float(a["q95"]),
                inside_band=bool(a["in90"]),
                archived=True,
            )
    return TrackRecord(
        segment=segment,
        scenario=DEFAULT,
        observation_id=str(last["id"]),
        period=str(last["period"]),
        period_end=pd.Timestamp(last["period_end"]).date(),
        source_id=str(last["source_id"]),
        observed_share=float(last["observed"]),
        relative_wis=float(rel),
        n_forecasts=len(mine),
        n_origins=int(mine["origin"].nunique()),
        **row,
    )
