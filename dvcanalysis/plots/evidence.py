"""Figures of the evidence base (notebook 01); its display tables are in
:mod:`dvcanalysis.tables.evidence`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dvcanalysis import evidence as evidence_mod
from dvcanalysis import fmt
from dvcanalysis.plots import layout
from dvcanalysis.plots._base import (
    SEGMENT_COLORS,
    Provenance,
    attach,
    legend_below,
    new_figure,
    year_axis,
    year_x,
)
from dvcanalysis.tables import label_or

# targets of one year dodged by segment (years), so each segment's bar stays visible
_DODGE = {"ministries": -0.17, "localities": 0.0, "national": 0.17}


def _x(period: str, period_end) -> float:
    """Where a figure sits on the year axis: a whole year's at its tick (mid-year), a figure
    dated within a year (a day, a month, a half) at that date."""
    if len(str(period)) == 4 and str(period).isdigit():
        return year_x(int(period))
    return evidence_mod.decimal_year(pd.Timestamp(period_end).date())


def timeline(df: pd.DataFrame, *, lang: str = "vi", provenance: Provenance | None = None):
    """Observed shares and official targets by segment on one timeline.

    Years on the axis as on the fan chart (:func:`dvcanalysis.plots._base.year_axis`): a
    year's figure on its tick, a dated figure at its date. Each value is labelled once (two
    indicators giving 30% for one year share one label), next to its point where it covers
    no other label or marker (:func:`dvcanalysis.plots.layout.place`).

    Parameters
    ----------
    df
        :func:`dvcanalysis.evidence.shares_timeline` output.
    """
    fig, ax = new_figure(7.0, 4.4)
    notes, labelled = [], set()

    def note(x, v, color):
        text = fmt.share(v, lang)
        key = (round(x, 2), text, color)
        if key in labelled:
            return
        labelled.add(key)
        notes.append(
            ax.annotate(
                text, (x, v), xytext=(5, 4), textcoords="offset points", fontsize=7, color=color
            )
        )

    df = df.assign(x=[_x(p, e) for p, e in zip(df["period"], df["period_end"], strict=True)])
    for (indicator, segment, kind), g in df.groupby(["indicator", "segment", "kind"], sort=True):
        color = SEGMENT_COLORS.get(segment, "#555555")
        seg = label_or(f"segment.{segment}", segment, lang)
        hollow = indicator != "fully_online_share"
        if kind == "target":
            g = g.drop_duplicates(["x", "value_share"])
            x = g["x"] + _DODGE.get(segment, 0.0)
            ax.scatter(
                x,
                g["value_share"],
                marker="D" if hollow else "_",
                s=36 if hollow else 260,
                linewidths=1.5 if hollow else 3,
                color=color,
                facecolors="white" if hollow else color,
                zorder=3,
                label=None if hollow else fmt.label("evidence.target_marker", lang, segment=seg),
            )
            for xi, v in zip(x, g["value_share"], strict=True):
                note(float(xi), v, color)
        else:
            g = g.sort_values("x")
            ax.plot(
                g["x"],
                g["value_share"],
                marker="o",
                ms=5,
                linestyle=":" if hollow else "-",
                color=color,
                markerfacecolor="white" if hollow else color,
                zorder=4,
                label=None if hollow else fmt.label("evidence.observed_marker", lang, segment=seg),
            )
            for xi, v in zip(g["x"], g["value_share"], strict=True):
                note(float(xi), v, color)
    first, last = int(df["x"].min()), int(df["x"].max())
    ax.set_xlim(first + 0.1, last + 0.95)
    year_axis(ax, range(first, last + 1), None)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(lambda v, _: fmt.share(v, lang))
    ax.set_ylabel(fmt.label("axis.fully_online_share", lang))
    ax.set_title(fmt.label("evidence.timeline_title", lang))
    ax.axhline(0, color="#999999", linewidth=0.5)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, fontsize=7, loc="upper left", frameon=False)
    ax.text(
        0.99,
        0.02,
        fmt.label("evidence.any_level_note", lang),
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        color="#555555",
    )
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    ax.grid(True, alpha=0.3)
    attach(fig, provenance)
    layout.place(fig, ax, notes)  # 30% and 30%, 69% and 70% next to each other, apart
    return fig


def counts_chart(summary: pd.DataFrame, *, lang: str = "vi", provenance: Provenance | None = None):
    """Evidence rows by source (bars) split by kind (stacked); each source named as a reader
    knows it (outlet and date, :func:`dvcanalysis.evidence.source_label`), not by its id."""
    import textwrap

    import matplotlib as mpl

    wide = summary.pivot(index="source_id", columns="kind", values="rows").fillna(0)
    names = [
        textwrap.shorten(evidence_mod.source_label(s, lang), 48, placeholder="…")
        for s in wide.index
    ]
    fig, ax = new_figure(5.4, 1.2 + 0.21 * len(wide))
    y = np.arange(len(wide))
    left = np.zeros(len(wide))
    colors = mpl.colormaps["tab10"]
    for i, kind in enumerate(wide.columns):
        ax.barh(
            y,
            wide[kind],
            left=left,
            height=0.75,
            color=colors(i % 10),
            label=label_or(f"kind.{kind}", kind, lang),
        )
        left += wide[kind].to_numpy(float)
    ax.set_yticks(y, names, fontsize=7.5)
    ax.set_ylim(len(wide) - 0.4, -0.6)  # the first source on top
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(fmt.label("word.count", lang))
    ax.set_ylabel(fmt.label("word.source", lang))
    ax.set_title(fmt.label("evidence.counts_title", lang))
    legend_below(fig, *ax.get_legend_handles_labels(), fontsize=7.5)
    attach(fig, provenance)
    return fig
