"""Forecast evaluation: scores, the evaluation result and the track record.

The rolling evaluation itself is :func:`dvcanalysis.forecast.evaluate` (every data vintage an
origin, every forecaster scored on every later figure read over its period); this package
holds what it is made of and what it returns:

:mod:`~dvcanalysis.evaluation.scoring`
    Per-forecast measures from draws (:func:`score`, :func:`pit`, :func:`brier`) through
    ``scoringrules``.
:mod:`~dvcanalysis.evaluation.result`
    The :class:`Evaluation` result (``.to_df()``, ``.relative_wis()``, ``.by_segment()``,
    ``.by_horizon()``, ``.pit_histogram()``, ``.by_origin()``, ``.plot()``).
:mod:`~dvcanalysis.evaluation.track`
    :func:`track_record` and :class:`TrackRecord`, the numbers of a briefing's track record.

``python -m dvcanalysis.evaluation`` prints the summary.

Examples
--------
>>> from dvcanalysis import forecast
>>> ev = forecast.evaluate()  # doctest: +SKIP
>>> ev.relative_wis()  # doctest: +SKIP
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
    "pit",
    "score",
    "track_record",
]
