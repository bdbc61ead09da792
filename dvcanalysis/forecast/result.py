"""The default forecast as a result: :class:`Forecast`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from dvcanalysis.errors import check_choice
from dvcanalysis.evaluation.scoring import QUANTILES
from dvcanalysis.forecast import ensemble
from dvcanalysis.provenance import Provenance
from dvcanalysis.results import Result
from dvcanalysis.vocabulary import SEGMENTS

QUANTILE_COLUMNS = tuple(f"q{int(round(100 * p)):02d}" for p in QUANTILES)
FORECAST_TABLE_COLUMNS = ("segment", "period", "period_start", "period_end", *QUANTILE_COLUMNS)


@dataclass(kw_only=True, repr=False)
class Forecast(Result):
    """The default forecast made at one cut-off (:func:`dvcanalysis.forecast.forecast`).

    Attributes
    ----------
    cutoff
        The data vintage it was made from (the evidence up to this date).
    members
        ``name -> forecaster`` of the median ensemble (calibrated persistence always).
    selection
        Every candidate member with its pairs, relative WIS against persistence and whether
        it joined (:func:`dvcanalysis.forecast.ensemble.select`).
    parameters
        ``cutoff``, ``n_draws``, ``seed``, ``members`` and the settings' values.
    """

    cutoff: date
    members: dict[str, object]
    selection: pd.DataFrame
    parameters: dict[str, object] = field(default_factory=dict)
    _source_ids: list[str] = field(default_factory=list)

    @property
    def core(self):
        """The calibrated-persistence member (its anchors and calibration)."""
        return self.members["calibrated-persistence"]

    @property
    def segments(self) -> list[str]:
        """Segments with a figure of their own up to the cut-off, in the package's order."""
        return [s for s in SEGMENTS if s in self.core.anchors]

    def period_draws(self, segment: str, start, end) -> np.ndarray:
        """Draws (1-D, ``n_draws``) of the share of the dossiers of the period ``start``-``end``.

        A period is what a published figure or a target measures: a month
        (``2025-06-01``, ``2025-06-30``), a year to date, a year. Dates or ``YYYY-MM-DD``; both
        days included; equal for a level on one day. The draws are the forecast's quantiles at
        evenly spaced probabilities (sorted), so any statistic of them is reproducible.

        Raises
        ------
        InputError
            For a segment without a figure up to the cut-off, or an end before the start.
        """
        check_choice("segment", segment, SEGMENTS)
        draws = [m.period_draws(segment, start, end) for m in self.members.values()]
        return ensemble.median_of_quantiles(draws)

    def year_draws(self, segment: str, year: int) -> np.ndarray:
        """:meth:`period_draws` of the calendar year ``year`` (what a yearly target measures)."""
        return self.period_draws(segment, date(int(year), 1, 1), date(int(year), 12, 31))

    def probability_at_least(self, segment: str, year: int, threshold_share: float) -> float:
        """The probability that the share of ``year``'s dossiers reaches ``threshold_share``."""
        return float(np.mean(self.year_draws(segment, year) >= threshold_share))

    def quantiles(self, segment: str, start, end) -> dict[str, float]:
        """``q05 ... q95`` of :meth:`period_draws` (shares)."""
        q = np.quantile(self.period_draws(segment, start, end), QUANTILES)
        return dict(zip(QUANTILE_COLUMNS, (float(v) for v in q), strict=True))

    def periods(self) -> list[tuple[str, date, date]]:
        """The periods :meth:`to_df` tabulates: the next twelve months and the years from the
        cut-off's year (when it does not end it) to two years after it."""
        out = []
        y, m = self.cutoff.year, self.cutoff.month
        for k in range(1, 13):
            mm = (m - 1 + k) % 12 + 1
            yy = y + (m - 1 + k) // 12
            last = (pd.Timestamp(yy, mm, 1) + pd.offsets.MonthEnd(0)).date()
            out.append((f"{yy}-{mm:02d}", date(yy, mm, 1), last))
        first = y if (m, self.cutoff.day) != (12, 31) else y + 1
        for yy in range(first, y + 3):
            out.append((str(yy), date(yy, 1, 1), date(yy, 12, 31)))
        return out

    def to_df(self) -> pd.DataFrame:
        """Quantiles (shares) by segment and period: :data:`FORECAST_TABLE_COLUMNS`."""
        rows = []
        for seg in self.segments:
            for label, s, e in self.periods():
                rows.append(
                    {
                        "segment": seg,
                        "period": label,
                        "period_start": s.isoformat(),
                        "period_end": e.isoformat(),
                        **self.quantiles(seg, s, e),
                    }
                )
        return pd.DataFrame(rows, columns=list(FORECAST_TABLE_COLUMNS))

    @property
    def sources(self) -> list[str]:
        """Sources of the figures the forecast was made from."""
        return list(self._source_ids)

    def provenance(self) -> Provenance:
        """Sources, parameters, and the data date (the cut-off)."""
        keep = ("cutoff", "n_draws", "seed", "members")
        return Provenance(
            sources=self.sources,
            parameters={k: self.parameters[k] for k in keep if k in self.parameters},
            data_date=self.cutoff.isoformat(),
        )

    def summary(self) -> str:
        """E.g. ``default forecast at 2025-07-31: calibrated-persistence, 1000 draws``."""
        return (
            f"default forecast at {self.cutoff.isoformat()}: {', '.join(self.members)}, "
            f"{self.parameters.get('n_draws')} draws"
        )

    def plot(self, ax=None, *, lang: str = "vi", segment: str = "national", **options):
        """The forecast's yearly shares with their 50% and 90% bands for ``segment``; returns
        the axes (:func:`dvcanalysis.plots.forecast.forecast_chart`)."""
        from dvcanalysis.plots import forecast as fplot

        return fplot.forecast_chart(self, segment=segment, lang=lang, ax=ax, **options)
