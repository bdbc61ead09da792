"""The track record of one segment: the last forecast checked against what was published.

:func:`track_record` returns numbers only (a :class:`TrackRecord`); the sentence a briefing
shows is built by :func:`dvcanalysis.tables.evaluation.track_record_text` in vi or en.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dvcanalysis import cache
from dvcanalysis.errors import check_choice
from dvcanalysis.evaluation.result import REFERENCE, Evaluation
from dvcanalysis.evaluation.rolling import evaluate
from dvcanalysis.provenance import Provenance
from dvcanalysis.results import Result
from dvcanalysis.scenarios import Scenario
from dvcanalysis.uptake.inputs import SEGMENTS


@dataclass(frozen=True, kw_only=True, repr=False)
class TrackRecord(Result):
    """The forecast made at the previous data vintage for a segment's newest observation.

    Attributes
    ----------
    segment, scenario
        The segment and the model (scenario name).
    origin
        The previous data vintage: the latest origin scored before the newest observation.
    observation_id, period, period_end, source_id
        The newest observation of the segment (evidence id, period as published, its end,
        source id).
    observed_share
        Its value (0-1).
    median_share, low_share, high_share
        The model's forecast of it made at ``origin``: median and the 90% band (5% and 95%).
    inside_band
        Whether the observation lies in the 90% band.
    crps_skill
        The model's skill against persistence over all origins and observations of this
        segment (``1 - mean CRPS / mean CRPS of persistence``; positive: better; NaN if
        persistence was not scored).
    n_forecasts, n_origins
        How many forecasts of this segment the skill rests on, from how many origins.
    own_only
        Whether the skill counts only forecasts made when the segment had a figure of its own.
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
    crps_skill: float
    n_forecasts: int
    n_origins: int
    own_only: bool = False

    @property
    def beats_persistence(self) -> bool:
        """True only when the skill against persistence is positive (NaN: False)."""
        return bool(self.crps_skill > 0) if not math.isnan(self.crps_skill) else False

    @property
    def parameters(self) -> dict[str, object]:
        """What produced it: ``segment``, ``scenario``, ``origin``, ``own_only``."""
        return {
            "segment": self.segment,
            "scenario": self.scenario,
            "origin": self.origin.isoformat(),
            "own_only": self.own_only,
        }

    @property
    def sources(self) -> list[str]:
        """The source of the newest observation."""
        return [self.source_id]

    def summary(self) -> str:
        """E.g. ``localities, forecast at 2024-06-30 of 2024 (2024-12-31): inside the 90% band``."""
        where = "inside" if self.inside_band else "outside"
        return (
            f"{self.segment}, forecast at {self.origin.isoformat()} of {self.period} "
            f"({self.observation_id}): {where} the 90% band"
        )

    def to_df(self) -> pd.DataFrame:
        """One row: ``segment, scenario, origin, id, period, period_end, observed, q05, q50, q95,
        inside_band, crps_skill, n_forecasts, n_origins, own_only, source_id`` (shares 0-1)."""
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
                    "crps_skill": self.crps_skill,
                    "n_forecasts": self.n_forecasts,
                    "n_origins": self.n_origins,
                    "own_only": self.own_only,
                    "source_id": self.source_id,
                }
            ]
        )

    def provenance(self) -> Provenance:
        """The newest observation's source, the parameters; data as of its period's end."""
        return Provenance(
            sources=self.sources,
            parameters=self.parameters,
            data_date=self.period_end.isoformat(),
        )

    def plot(self, ax=None, *, lang: str = "vi"):
        """The forecast's 90% band and median beside the published figure; returns the axes.

        See :func:`dvcanalysis.plots.evaluation.interval_chart`.
        """
        from dvcanalysis.plots import evaluation as eplot

        return eplot.interval_chart(self.to_df(), lang=lang, ax=ax, provenance=self.provenance())


def track_record(
    segment: str,
    scenario: str | Scenario = "business-as-usual",
    *,
    evaluation: Evaluation | None = None,
    n_draws: int = 1000,
    seed: int = 0,
    own_only: bool = False,
) -> TrackRecord | None:
    """The track record of ``segment``: last forecast vs the newest observation, and skill.

    Parameters
    ----------
    segment
        ``national``, ``ministries`` or ``localities``.
    scenario
        The model (used when ``evaluation`` is not given).
    evaluation
        A ready :class:`Evaluation` (e.g. the one a notebook already computed); else
        :func:`evaluate` runs with the default origins, ``n_draws`` and ``seed``.
    own_only
        Count in the skill only the forecasts made when the segment had a figure of its own
        (see :meth:`Evaluation.by_segment`); the forecast shown is the same either way.

    Returns
    -------
    TrackRecord or None
        None when the segment's newest observation was not forecast from any earlier origin
        (no observation of it, or none after the first origin that every forecaster could use).
    """
    check_choice("segment", segment, SEGMENTS)
    ev = evaluation if evaluation is not None else evaluate(scenario, n_draws=n_draws, seed=seed)
    f = ev.forecasts
    model = f[(f["kind"] == "model") & (f["segment"] == segment)]
    if model.empty:
        return None
    # the forecasts keep the observations' order: where two reports give the segment's newest
    # period, the preferred one (see uptake.observations) comes last
    newest = model.sort_values("period_end", kind="stable").iloc[-1]
    same = model[model["id"] == newest["id"]].sort_values("origin")
    last = same.iloc[-1]  # the latest origin before the observation: the previous vintage
    summ = ev.by_segment(own_only=own_only)
    row = summ[(summ["kind"] == "model") & (summ["segment"] == segment)]
    skill = float(row["crps_skill"].iloc[0]) if len(row) else float("nan")
    has_ref = (f["model"] == REFERENCE).any()
    return TrackRecord(
        segment=segment,
        scenario=str(last["model"]),
        origin=date.fromisoformat(str(last["origin"])),
        observation_id=str(last["id"]),
        period=str(last["period"]),
        period_end=pd.Timestamp(last["period_end"]).date(),
        source_id=str(last["source_id"]),
        observed_share=float(last["observed"]),
        median_share=float(last["q50"]),
        low_share=float(last["q05"]),
        high_share=float(last["q95"]),
        inside_band=bool(last["in90"]),
        crps_skill=skill if has_ref else float("nan"),
        n_forecasts=int(row["n_forecasts"].iloc[0]) if len(row) else 0,
        n_origins=int(row["n_origins"].iloc[0]) if len(row) else 0,
        own_only=own_only,
    )


def evaluate_cached(
    scenario: str | Scenario = "business-as-usual",
    *,
    origins: Sequence[str | date] | None = None,
    n_draws: int = 1000,
    seed: int = 0,
) -> Evaluation:
    """:func:`dvcanalysis.evaluation.evaluate` (default baselines), computed once per data
    vintage and code version when a results cache is set (:mod:`dvcanalysis.cache`, which
    ``dvcanalysis render`` sets): the briefings of a scenario and the evaluation notebook
    share one evaluation instead of each running it.

    A scenario given by name is keyed by its name (its file is part of the data hashed);
    a loaded :class:`Scenario` by its contents.
    """
    ident = scenario  # a name, or a Scenario keyed by its fields (cache.canonical)
    arguments = {
        "scenario": ident,
        "origins": None if origins is None else [str(o) for o in origins],
        "n_draws": n_draws,
        "seed": seed,
    }
    return cache.cached(
        "evaluation",
        arguments,
        lambda: evaluate(scenario, origins=origins, n_draws=n_draws, seed=seed),
        codec=Evaluation,
    )
