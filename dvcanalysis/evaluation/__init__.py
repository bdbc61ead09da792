"""Forecast evaluation: the model and naive baselines scored at rolling origins.

How good were the earlier forecasts? For each past data vintage (origin) the model is
projected with the data up to it, and so are the naive baselines (persistence and linear trend,
:mod:`dvcanalysis.uptake.baselines`); every later fully-online observation of every segment is
then scored with proper scores from the ``scoringrules`` library (CRPS from draws, weighted
interval score), with PIT, band coverage and the absolute error of the median, and every
official target whose deadline has an observation with a Brier score.

:mod:`~dvcanalysis.evaluation.scoring`
    Per-forecast measures from draws (:func:`score`, :func:`pit`, :func:`brier`).
:mod:`~dvcanalysis.evaluation.rolling`
    :func:`evaluate` (rolling origins, forecasters, periods) and :func:`default_origins`.
:mod:`~dvcanalysis.evaluation.result`
    The :class:`Evaluation` result (``.to_df()``, ``.by_segment()``, ``.by_origin()``, ``.plot()``).
:mod:`~dvcanalysis.evaluation.track`
    :func:`track_record` and :class:`TrackRecord`, the numbers of a briefing's track record.

``python -m dvcanalysis.evaluation [--scenario NAME] [--n-draws N] [--seed S]`` prints the
summary table.

Examples
--------
>>> from dvcanalysis import evaluation
>>> ev = evaluation.evaluate("business-as-usual")  # doctest: +SKIP
>>> ev.by_segment()  # doctest: +SKIP
"""

from __future__ import annotations

from dvcanalysis.evaluation.result import (
    BRIER_COLUMNS,
    FORECAST_COLUMNS,
    REFERENCE,
    SKIPPED_COLUMNS,
    SUMMARY_COLUMNS,
    Evaluation,
)
from dvcanalysis.evaluation.rolling import default_origins, evaluate
from dvcanalysis.evaluation.scoring import SCORE_COLUMNS, brier, pit, score
from dvcanalysis.evaluation.track import TrackRecord, track_record

__all__ = [
    "BRIER_COLUMNS",
    "FORECAST_COLUMNS",
    "REFERENCE",
    "SCORE_COLUMNS",
    "SKIPPED_COLUMNS",
    "SUMMARY_COLUMNS",
    "Evaluation",
    "TrackRecord",
    "brier",
    "default_origins",
    "evaluate",
    "pit",
    "score",
    "track_record",
]
