"""Shared figure style and deterministic saving (each format drawn once)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from dvcanalysis import _io, fmt, paths
from dvcanalysis.provenance import Provenance

# Colours by segment, used by every topic module so a segment looks the same everywhere.
SEGMENT_COLORS = {
    "national": "#1b4f72",
    "ministries": "#b9770e",
    "localities": "#1e8449",
    "locality_best": "#7d3c98",
}
TARGET_COLOR = "#c0392b"

_RC = {
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "font.family": "DejaVu Sans",  # ships with matplotlib; has Vietnamese diacritics
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.6,
    "grid.color": "#dddddd",
    "axes.edgecolor": "#bbbbbb",
    "axes.facecolor": "white",
    "axes.axisbelow": True,
    "svg.hashsalt": "dvcanalysis",  # stable element ids in SVG output
    "svg.fonttype": "path",
}


#: where a year's figure is drawn on the decimal-year axis: the middle of the year
YEAR_X = 0.5


def year_x(year):
    """The x position of year ``year``'s figure (its tick): ``year + 0.5``."""
    return np.asarray(year, dtype=float) + YEAR_X if np.ndim(year) else float(year) + YEAR_X


def year_axis(ax, years, lang: str | None, labelled=()) -> None:
    """Calendar years on a decimal-year axis: each year's tick, label and gridline at its
    middle (where its figure is drawn), a short mark without gridline at each year's start.

    When the axes is too narrow for every year's label (~0.45 in each), every second (or
    third...) year is labelled, chosen so that the years in ``labelled`` (the targets') are among them.
    ``lang``: the language of the axis title "Year" (None: no axis title).
    """
    years = [int(y) for y in years]
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    step = -(-len(years) // max(3, int(width_in / 0.45)))
    wanted = [int(y) for y in labelled if years[0] <= int(y) <= years[-1]]
    first = (wanted[0] - years[0]) % step if wanted else 0
    shown = years[first::step]
    ax.set_xticks([year_x(y) for y in shown], [str(y) for y in shown])
    ax.set_xticks([float(y) for y in [*years, years[-1] + 1]], minor=True)
    ax.tick_params(axis="x", which="major", length=0)
    ax.tick_params(axis="x", which="minor", length=3)
    ax.xaxis.grid(False, which="minor")
    if lang is not None:
        ax.set_xlabel(fmt.label("uptake.axis_year", lang))


def style() -> None:
    """Apply the project's figure style (idempotent): a white-grid look, fonts with
    Vietnamese diacritics and stable SVG ids.

    Plain matplotlib settings, not ``seaborn.set_theme``: importing seaborn pulls in
    ``scipy.stats`` (about 0.5-1 s per kernel, measured with ``python -X importtime``),
    which would dominate each briefing's run time.
    """
    matplotlib.rcParams.update(_RC)


def new_figure(width: float = 7.5, height: float = 4.2, **kwargs):
    """A styled figure and axes."""
    style()
    return plt.subplots(figsize=(width, height), **kwargs)


def _legend_columns(labels, fontsize: float, width_pt: float, most: int = 4) -> int:
    """The most columns (up to ``most``) in which a legend of ``labels`` fits ``width_pt``,
    from the labels' widths (matplotlib fills a legend column by column)."""
    from matplotlib.textpath import TextPath

    widths = [TextPath((0, 0), lab, size=fontsize).get_extents().width for lab in labels]
    best = 1
    for ncol in range(2, min(most, len(labels)) + 1):
        rows = -(-len(labels) // ncol)
        cols = [widths[i : i + rows] for i in range(0, len(widths), rows)]
        if sum(max(c) + 3.6 * fontsize for c in cols) <= width_pt:
            best = ncol
    return best


def legend_below(
    fig,
    handles,
    labels,
    *,
    above: float = 0.0,
    ncol: int | None = None,
    fontsize: float = 7.5,
    axis_in: float = 0.5,
) -> None:
    """One legend under the axes, at the foot of the figure: never over the data. The figure
    grows by the legend's height, so the axes keep theirs.

    ``above`` is the lowest the legend may sit, in figure coordinates (0: the figure's
    foot); ``axis_in`` the room (inches) the lowest axes' tick labels and axis label take
    under them. Without ``ncol``, as many columns (at most 4) as fit the figure's width.
    """
    if ncol is None:
        ncol = _legend_columns(labels, fontsize, 0.95 * fig.get_figwidth() * 72)
    rows = -(-len(labels) // ncol)
    legend_in = rows * fontsize * 1.6 / 72 + 0.1
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=ncol,
        fontsize=fontsize,
        frameon=False,
        bbox_to_anchor=(0.5, above + 0.01),
    )
    # the figure grows by the legend's height and the axes keep theirs
    h, sp = fig.get_figheight(), fig.subplotpars
    new_h = h + legend_in
    fig.set_figheight(new_h)
    fig.subplots_adjust(
        bottom=above + (legend_in + axis_in) / new_h, top=1 - (1 - sp.top) * h / new_h
    )


def attach(fig, provenance: Provenance | None) -> None:
    """Record ``provenance`` on ``fig`` for :func:`save` (its JSON sidecar). Nothing is
    drawn: the figure shows no sources block, the page that shows it cites them."""
    if provenance is not None:
        fig.dvc_provenance = provenance


class Saved(dict):
    """The files :func:`save` wrote, by extension (``png``, ``svg``, and ``csv``, ``json``
    when given); shown in a notebook as the saved PNG itself, so the inline image is the
    file on disk and the figure is not drawn again for it."""

    def _repr_mimebundle_(self, include=None, exclude=None):
        png = self["png"]
        return {"image/png": png.read_bytes(), "text/plain": png.stem}

    def _ipython_display_(self) -> None:
        # raw: IPython's printer for dicts would otherwise replace text/plain with the paths
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)

    def image(self):
        """The saved PNG as an :class:`IPython.display.Image`."""
        from IPython.display import Image

        return Image(filename=str(self["png"]))


class SavedNames(list):
    """The names of figures :func:`save` wrote (a list of str); shown in a notebook as
    their saved PNGs."""

    def __init__(self, saved: list[Saved]):
        super().__init__(s["png"].stem for s in saved)
        self.saved = list(saved)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(*self.saved)


#: room left around the drawn content when a figure is cut to it (inches)
PAD_IN = 0.1


def layout_box(fig):
    """The box of what ``fig`` draws, padded by :data:`PAD_IN`, in inches rounded to 1/1000:
    the box every format is saved with. Measured from the artists' extents, without drawing
    (a figure with a layout engine is laid out once by a draw that renders nothing, and
    the engine then removed, so no format lays it out again).

    The pass runs at ``savefig.dpi``, the PNG's: Agg hints glyphs, so text is not quite as
    wide at another resolution (a long tick label differs by a few hundredths of an inch).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import Bbox

    if not hasattr(fig.canvas, "get_renderer"):  # a figure pyplot closed: give it a canvas
        FigureCanvasAgg(fig)
    dpi = fig.dpi
    fig.dpi = float(matplotlib.rcParams["savefig.dpi"])
    try:
        if fig.get_layout_engine() is not None:
            fig.draw_without_rendering()
            fig.set_layout_engine("none")
        box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(PAD_IN)
    finally:
        fig.dpi = dpi
    return Bbox(np.round(box.get_points(), 3))


def save(
    fig,
    name: str,
    data: pd.DataFrame | None = None,
    *,
    provenance: Provenance | None = None,
    directory: Path | str | None = None,
    close: bool = True,
) -> Saved:
    """Save ``fig`` as ``<name>.png`` and ``<name>.svg`` with ``data`` as ``<name>.csv``.

    The box of what the figure draws is measured once (:func:`layout_box`) and the figure
    drawn once per format within that box; ``bbox_inches="tight"`` would add a layout draw
    to each format. Every file
    is written atomically; SVG and PNG carry no timestamps, so the same inputs give the
    same bytes. A ``<name>.json`` sidecar records the provenance (sources and parameters;
    ``provenance``, else what the plotting function recorded with :func:`attach`): a figure
    carries no sources block of its own, the page cites them.

    Parameters
    ----------
    close
        Close the figure (pyplot forgets it) once saved, so that a notebook does not
        draw it a third time for its inline image: show the returned object instead
        (its image is the saved PNG).

    Returns
    -------
    Saved
        The written paths by extension; displayed in a notebook as the saved PNG.
    """
    if provenance is None:
        provenance = getattr(fig, "dvc_provenance", None)

    directory = Path(directory) if directory is not None else paths.figures_dir()
    directory.mkdir(parents=True, exist_ok=True)
    written = Saved()
    box = layout_box(fig)
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        target = directory / f"{name}.{ext}"
        _io.write_with(
            target,
            lambda tmp, e=ext, m=meta: fig.savefig(tmp, format=e, metadata=m, bbox_inches=box),
        )
        written[ext] = target
    if data is not None:
        target = directory / f"{name}.csv"
        _io.write_text(target, data.to_csv(index=False, lineterminator="\n"))
        written["csv"] = target
    if provenance is not None:
        target = directory / f"{name}.json"
        _io.write_text(
            target,
            json.dumps(provenance.to_dict(), ensure_ascii=False, indent=1, default=str) + "\n",
        )
        written["json"] = target
    if close:
        plt.close(fig)
    return written
