"""The default forecast's chart: the share of each year's dossiers with its bands.

Draws what a :class:`dvcanalysis.forecast.Forecast` holds, nothing else: for each year after
the cut-off (and the cut-off's own year when it is not over) the median and the 50% and 90%
forecast intervals of that year's share, the figures published up to the cut-off (a year's
figure at its year; a month, half-year or year to date at the middle of its period), the
targets the caller passes, and the recorded breaks as vertical lines. Year ticks sit on the
years: the value drawn at "2025" is the share of 2025's dossiers.
"""

from __future__ import annotations

from datetime import date

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from dvcanalysis import fmt

BLUE = "#1f5fa8"


def _x(t_start: float, t_end: float) -> float:
    """Where a period sits on the year axis (the year ``Y`` spans ``Y - 0.5`` to ``Y + 0.5``)."""
    return (t_start + t_end) / 2 - 0.5


def _draw_bands(ax, years: np.ndarray, q: pd.DataFrame, lang: str) -> None:
    """Each year's 90% and 50% intervals as bars and its median as a ring."""
    ax.vlines(
        years,
        q["q05"],
        q["q95"],
        color=BLUE,
        alpha=0.35,
        lw=9,
        label=fmt.label("forecast.band90", lang),
    )
    ax.vlines(
        years,
        q["q25"],
        q["q75"],
        color=BLUE,
        alpha=0.7,
        lw=9,
        label=fmt.label("forecast.band50", lang),
    )
    ax.plot(
        years,
        q["q50"],
        "o",
        color="white",
        mec=BLUE,
        mew=1.5,
        ms=6,
        label=fmt.label("forecast.median", lang),
    )


def _draw_figures(ax, known: pd.DataFrame, lang: str) -> np.ndarray:
    """The published figures: a year's at its year, a shorter period's at its middle; returns
    their x positions."""
    whole = known["months"].round() >= 12
    xs = np.asarray(
        [_x(a, b) for a, b in zip(known["t_start"], known["t_end"], strict=True)], dtype=float
    )
    if whole.any():
        ax.plot(
            xs[whole.to_numpy()],
            known.loc[whole, "value"],
            "s",
            color="black",
            ms=5,
            label=fmt.label("forecast.observed_year", lang),
        )
    if (~whole).any():
        ax.plot(
            xs[~whole.to_numpy()],
            known.loc[~whole, "value"],
            "^",
            color="#444444",
            ms=5,
            mfc="none",
            label=fmt.label("forecast.observed_part", lang),
        )
    return xs


def forecast_chart(
    fc,
    *,
    segment: str,
    lang: str = "vi",
    ax=None,
    targets: pd.DataFrame | None = None,
    last_year: int | None = None,
):
    """Draw the forecast of ``segment``; returns the axes.

    Parameters
    ----------
    fc
        A :class:`dvcanalysis.forecast.Forecast`.
    targets
        Optional ``year, target_share`` rows of the segment (drawn as diamonds at the year).
    last_year
        The last year drawn (default: two years after the cut-off).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.3, 3.4))
    first = fc.cutoff.year if (fc.cutoff.month, fc.cutoff.day) != (12, 31) else fc.cutoff.year + 1
    last = last_year or fc.cutoff.year + 2
    years = np.arange(first, last + 1)
    q = pd.DataFrame(
        [fc.quantiles(segment, date(int(y), 1, 1), date(int(y), 12, 31)) for y in years],
        index=years,
    )
    _draw_bands(ax, years, q, lang)
    xs = _draw_figures(ax, fc.core.known[fc.core.known["segment"] == segment], lang)
    if targets is not None and len(targets):
        ax.plot(
            targets["year"],
            targets["target_share"],
            "D",
            color="#c0392b",
            ms=6,
            label=fmt.label("forecast.target", lang),
        )
    lo = min(2019, int(np.floor(xs.min())) if len(xs) else first) if len(xs) else first - 1
    ax.set_xlim(max(lo, first - 3) - 0.6, last + 0.6)
    ticks = np.arange(max(lo, first - 3), last + 1)
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: fmt.share(v, lang)))
    ax.set_xlabel(fmt.label("forecast.axis_year", lang), fontsize=8)
    ax.set_ylabel(fmt.label("forecast.axis_share", lang), fontsize=8)
    ax.tick_params(labelsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(
        fmt.label("forecast.title", lang, segment=fmt.label(f"segment.{segment}", lang)), fontsize=9
    )
    ax.legend(fontsize=7, loc="upper left", frameon=False, ncol=2)
    return ax
