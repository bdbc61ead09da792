"""Figures of the evidence base (notebook 01); its display tables are in
:mod:`dvcanalysis.tables.evidence`."""

from __future__ import annotations

import pandas as pd

from dvcanalysis import fmt
from dvcanalysis.plots import layout
from dvcanalysis.plots._base import SEGMENT_COLORS, Provenance, attach, new_figure
from dvcanalysis.tables import label_or

_DODGE_DAYS = {"ministries": -75, "localities": 0, "national": 75}


def timeline(df: pd.DataFrame, *, lang: str = "vi", provenance: Provenance | None = None):
    """Observed shares and official targets by segment on one timeline.

    Parameters
    ----------
    df
        :func:`dvcanalysis.evidence.shares_timeline` output.
    """
    fig, ax = new_figure(8, 4.6)
    notes = []
    for (indicator, segment, kind), g in df.groupby(["indicator", "segment", "kind"], sort=True):
        color = SEGMENT_COLORS.get(segment, "#555555")
        seg = label_or(f"segment.{segment}", segment, lang)
        hollow = indicator != "fully_online_share"
        if kind == "target":
            g = g.drop_duplicates(["period_end", "value_share"])
            # dodge targets that share a date so each segment's bar stays visible
            x = g["period_end"] + pd.Timedelta(days=_DODGE_DAYS.get(segment, 0))
            ax.scatter(
                x,
                g["value_share"],
                marker="D" if hollow else "_",
                s=40 if hollow else 400,
                linewidths=1.5 if hollow else 3,
                color=color,
                facecolors="white" if hollow else color,
                zorder=3,
                label=None if hollow else fmt.label("evidence.target_marker", lang, segment=seg),
            )
            for xi, v in zip(x, g["value_share"], strict=True):
                notes.append(
                    ax.annotate(
                        fmt.share(v, lang),
                        (xi, v),
                        xytext=(0, 6),
                        textcoords="offset points",
                        fontsize=7,
                        color=color,
                        ha="center",
                    )
                )
        else:
            ax.plot(
                g["period_end"],
                g["value_share"],
                marker="o",
                linestyle=":" if hollow else "-",
                color=color,
                markerfacecolor="white" if hollow else color,
                zorder=4,
                label=None if hollow else fmt.label("evidence.observed_marker", lang, segment=seg),
            )
            for _, r in g.iterrows():
                notes.append(
                    ax.annotate(
                        fmt.share(r["value_share"], lang),
                        (r["period_end"], r["value_share"]),
                        xytext=(4, 5),
                        textcoords="offset points",
                        fontsize=7,
                        color=color,
                    )
                )
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
    ax.tick_params(axis="x", rotation=0)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    ax.grid(True, alpha=0.3)
    attach(fig, provenance)
    layout.separate(fig, notes)  # 42% and 43% a month apart must not print over each other
    return fig


def counts_chart(summary: pd.DataFrame, *, lang: str = "vi", provenance: Provenance | None = None):
    """Evidence rows by source (bars) split by kind (stacked)."""
    wide = summary.pivot(index="source_id", columns="kind", values="rows").fillna(0)
    wide.columns = [label_or(f"kind.{k}", k, lang) for k in wide.columns]
    fig, ax = new_figure(8, 4.6)
    wide.plot.barh(stacked=True, ax=ax, colormap="tab10", width=0.75)
    ax.invert_yaxis()
    ax.set_xlabel(fmt.label("word.count", lang))
    ax.set_ylabel(fmt.label("word.source", lang))
    ax.set_title(fmt.label("evidence.counts_title", lang))
    ax.legend(fontsize=7, frameon=False)
    attach(fig, provenance)
    return fig
