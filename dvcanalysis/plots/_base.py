"""Shared figure style, provenance footer and deterministic saving."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

from dvcanalysis import _io, paths
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


def add_footer(fig, provenance: Provenance | None, lang: str = "vi", wrap: int = 125) -> float:
    """Write the sources under the figure as readers cite them (wrapped, grey text legible
    in print). Parameters and ids stay in the provenance JSON saved beside the figure.

    Returns the top of the footer in figure coordinates (0 when there is none), so that a
    legend placed under the axes can sit above it.
    """
    if provenance is None:
        return 0.0
    import textwrap

    from dvcanalysis import citations

    text = "\n".join(
        textwrap.wrap(citations.footer(provenance.sources, lang, note=provenance.note), wrap)
    )
    if not text:
        return 0.0
    # the footer gets its own room: the figure grows by the footer's height and the axes keep
    # theirs, so a long list of sources never runs into the axis labels
    n = text.count("\n") + 1
    lines_in = n * 7.5 * 1.3 / 72
    foot_in = lines_in + 0.45  # the lines, and room for the x-axis label above them
    h = fig.get_figheight()
    sp = fig.subplotpars
    bottom, top = sp.bottom, sp.top
    new_h = h + foot_in
    fig.set_figheight(new_h)
    fig.subplots_adjust(bottom=(bottom * h + foot_in) / new_h, top=1 - (1 - top) * h / new_h)
    fig.text(0.01, 0.005, text, fontsize=7.5, color="#444444", ha="left", va="bottom")
    return (lines_in + 0.03) / new_h


def legend_below(
    fig,
    handles,
    labels,
    *,
    above: float,
    ncol: int | None = None,
    fontsize: float = 7.5,
    axis_in: float = 0.5,
) -> None:
    """One legend under the axes and above the sources footer: never over the data or the sources.

    ``above`` is the top of the footer in figure coordinates (what :func:`add_footer` returns);
    ``axis_in`` the room (inches) the lowest axes' tick labels and axis label take under them.
    """
    ncol = ncol or min(4, len(labels)) or 1
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
    fig.subplots_adjust(bottom=above + (legend_in + axis_in) / fig.get_figheight())


def save(
    fig,
    name: str,
    data: pd.DataFrame | None = None,
    *,
    provenance: Provenance | None = None,
    directory: Path | str | None = None,
) -> dict[str, Path]:
    """Save ``fig`` as ``<name>.png`` and ``<name>.svg`` with ``data`` as ``<name>.csv``.

    Every file is written atomically. SVG and PNG carry no timestamps, so the
    same inputs give the same bytes. A ``<name>.json`` sidecar records the
    provenance (sources and parameters).

    Returns
    -------
    dict
        The written paths by extension.
    """
    directory = Path(directory) if directory is not None else paths.figures_dir()
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        target = directory / f"{name}.{ext}"
        _io.write_with(
            target,
            lambda tmp, e=ext, m=meta: fig.savefig(tmp, format=e, metadata=m, bbox_inches="tight"),
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
    return written
