"""Figures of the per-unit evidence (notebook 05): what :mod:`dvcanalysis.unit_evidence` says
about each unit (a value, an interval, or nothing), as a tile map and a ranking.

Nothing here decides a status or an interval; the words for intervals and contradictions come
from :mod:`dvcanalysis.tables.unit_evidence`, which also holds the tables.
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from dvcanalysis import fmt
from dvcanalysis.plots._base import (
    SEGMENT_COLORS,
    TARGET_COLOR,
    Provenance,
    SavedNames,
    attach,
    new_figure,
    save,
)
from dvcanalysis.plots.units import (
    NO_DATA,
    share_color,
    share_colorbar,
    tile_grid,
    tile_text,
)
from dvcanalysis.tables.unit_evidence import flag_text, interval_words
from dvcanalysis.tables.units import name_column, unit_name

TYPE_COLORS = {
    "province": SEGMENT_COLORS["localities"],
    "ministry": SEGMENT_COLORS["ministries"],
    "agency": "#566573",
}
HATCHES = ("////", "...", "\\\\\\\\", "xx", "--")
BOUNDED_FACE, BOUNDED_EDGE = "#f4f6f6", "#7b8a8b"


# ---------------------------------------------------------------- tile map
def _bounded_intervals(df: pd.DataFrame) -> dict[tuple[float, float], str]:
    """The intervals units are known to lie in, narrowest first, each with its hatch."""
    intervals = sorted(
        {(r.low_share, r.high_share) for r in df.itertuples() if r.status == "bounded"},
        key=lambda iv: (iv[1] - iv[0], iv[0]),
    )
    return {iv: HATCHES[i % len(HATCHES)] for i, iv in enumerate(intervals)}


def _evidence_tile(ax, r, hatch: dict, lang: str) -> None:
    """One province: coloured by its value, hatched by its interval, grey with no figure,
    outlined in red when sources contradict each other."""
    edge, lw, h = "white", 1.0, None
    if r.status == "known":
        color, sub = share_color(r.value_share), fmt.share(r.value_share, lang, 1)
    elif r.status == "bounded":
        color, edge, lw = BOUNDED_FACE, BOUNDED_EDGE, 0.6
        h = hatch[(r.low_share, r.high_share)]
        sub = interval_words(r.low_share, r.high_share, lang, short=True)
    else:
        color, sub = NO_DATA, "?"
    ax.add_patch(
        Rectangle(
            (r.col, -r.row), 0.95, 0.95, facecolor=color, edgecolor=edge, linewidth=lw, hatch=h
        )
    )
    if len(r.flags):
        ax.add_patch(
            Rectangle(
                (r.col, -r.row), 0.95, 0.95, fill=False, edgecolor=TARGET_COLOR, linewidth=1.6
            )
        )
    box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.75, "pad": 0.3}
    bbox = box if r.status == "bounded" else None
    tile_text(ax, r.col, r.row, getattr(r, name_column(lang)), sub, bbox=bbox)


def _tile_handles(df: pd.DataFrame, hatch: dict, lang: str) -> list:
    """Legend entries: known (with a count), each interval in words, unknown, contradicted."""
    n = df["status"].value_counts()
    handles = [
        Patch(
            facecolor=mpl.colormaps["YlGn"](0.6),  # a green from the middle of the scale
            label=fmt.label("unit_evidence.legend.known", lang, n=int(n.get("known", 0))),
        )
    ]
    bounded = df[df["status"] == "bounded"]
    for iv, h in hatch.items():
        k = int(((bounded["low_share"] == iv[0]) & (bounded["high_share"] == iv[1])).sum())
        label = fmt.label(
            "unit_evidence.legend.interval", lang, interval=interval_words(*iv, lang), n=k
        )
        handles.append(Patch(facecolor=BOUNDED_FACE, edgecolor=BOUNDED_EDGE, hatch=h, label=label))
    handles.append(
        Patch(
            facecolor=NO_DATA,
            label=fmt.label("unit_evidence.legend.unknown", lang, n=int(n.get("unknown", 0))),
        )
    )
    if df["flags"].map(len).sum():
        handles.append(
            Patch(
                fill=False,
                edgecolor=TARGET_COLOR,
                label=fmt.label("unit_evidence.legend.flagged", lang),
            )
        )
    return handles


def evidence_tile_map(ue, *, lang: str = "vi", provenance: Provenance | None = None):
    """The 63 provinces (pre-2025 tile grid) by what the evidence says about their share.

    Known values are coloured on the share scale (as :func:`dvcanalysis.plots.units.tile_map`);
    provinces known only to lie in an interval are hatched, one pattern per interval, named in
    words in the legend; provinces with no figure are grey. A red outline marks contradicting
    sources.

    Parameters
    ----------
    ue
        A :class:`~dvcanalysis.unit_evidence.UnitEvidence`.
    """
    fmt.check_lang(lang)
    df = ue.tile_frame()
    nrows, ncols = int(df["row"].max()) + 1, int(df["col"].max()) + 1
    fig, ax = new_figure(0.62 * ncols + 3.2, 0.62 * nrows + 1.6)
    hatch = _bounded_intervals(df)
    for r in df.itertuples():
        _evidence_tile(ax, r, hatch, lang)
    handles = _tile_handles(df, hatch, lang)
    cb = share_colorbar(fig, ax, lang, shrink=0.25)
    known = int((df["status"] == "known").sum())
    cb.set_label(fmt.label("unit_evidence.legend.known", lang, n=known), fontsize=7)
    cb.ax.tick_params(labelsize=6.5)
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.02), fontsize=6.5, frameon=False
    )
    tile_grid(ax, nrows, ncols)
    ax.axis("off")
    ax.set_title(
        "\n".join(textwrap.wrap(fmt.label("unit_evidence.title.tiles", lang, year=ue.year), 70)),
        fontsize=9,
    )
    ax.text(
        ncols - 0.05,
        -nrows + 0.75,
        fmt.label("units.note.tiles", lang),
        fontsize=6,
        color="#555555",
        va="top",
        ha="right",
    )
    attach(fig, provenance)
    return fig


# ---------------------------------------------------------------- ranking
def _ranked_rows(ue, lang: str) -> pd.DataFrame:
    """Rows of the ranked chart: each unit with a value or its own interval, one row per group
    interval (units bounded by a group row only), sorted by the interval's low then high end."""
    d = ue.units
    shown = d[(d["status"] == "known") | ((d["status"] == "bounded") & ~d["group_bound"])]
    rows = [
        {
            "label": unit_name(r, lang) + (" *" if len(r["flags"]) else ""),
            "unit_type": r["unit_type"],
            "status": r["status"],
            "low": r["low_share"],
            "high": r["high_share"],
            "values": r["values_share"],
            "n": 1,
        }
        for _, r in shown.iterrows()
    ]
    grouped = d[(d["status"] == "bounded") & d["group_bound"]]
    for (ut, lo, hi), g in grouped.groupby(["unit_type", "low_share", "high_share"], sort=True):
        rows.append(
            {
                "label": fmt.label("unit_evidence.group_row", lang, n=len(g))
                if ut == "province"
                else f"{len(g)} {fmt.label(f'unit_evidence.types.{ut}', lang)}",
                "unit_type": ut,
                "status": "bounded",
                "low": lo,
                "high": hi,
                "values": (),
                "n": len(g),
            }
        )
    out = pd.DataFrame(rows, columns=["label", "unit_type", "status", "low", "high", "values", "n"])
    out["_t"] = out["unit_type"].map({"province": 0, "ministry": 1, "agency": 2})
    out = out.sort_values(["low", "high", "_t", "label"], ascending=[True, True, True, False])
    return out.drop(columns="_t").reset_index(drop=True)


def _draw_known(ax, yi: int, r, color: str, lang: str) -> None:
    """A known value as a dot; a second, different report as a ring around it."""
    ax.plot([r.values[0]], [yi], "o", color=color, markersize=6, zorder=4)
    for v in r.values[1:]:  # a ring around the first report (they may coincide)
        ax.plot(
            [v], [yi], "o", markerfacecolor="none", markeredgecolor=color, markersize=10, zorder=3
        )
    text = " / ".join(fmt.share(v, lang, 2) for v in r.values)
    ax.annotate(
        text,
        (max(r.values), yi),
        xytext=(8, 0),
        textcoords="offset points",
        va="center",
        fontsize=7.5,
    )


def _draw_interval(ax, yi: int, r, color: str, lang: str) -> None:
    """An interval as a hatched bar, named in words beside it."""
    ax.barh(
        yi,
        r.high - r.low,
        left=r.low,
        height=0.55,
        color=color,
        alpha=0.3,
        edgecolor=color,
        hatch="///",
        linewidth=0.6,
    )
    right = r.high < 0.9
    ax.text(
        r.high + 0.015 if right else r.low - 0.015,
        yi,
        interval_words(r.low, r.high, lang),
        va="center",
        fontsize=7.5,
        ha="left" if right else "right",
    )


def _target_lines(ax, ue, lang: str) -> list:
    """The year's segment targets as vertical lines; their legend entries."""
    seg_name = {"ministries": "units.unit_type.ministry", "localities": "units.unit_type.province"}
    styles = {"ministries": "--", "localities": ":"}
    handles = []
    for t in ue.targets.itertuples():
        color = SEGMENT_COLORS.get(t.segment, TARGET_COLOR)
        style = styles.get(t.segment, "--")
        ax.axvline(t.target_share, color=color, linestyle=style, linewidth=1.3)
        label = fmt.label(
            "unit_evidence.legend.target",
            lang,
            year=ue.year,
            segment=fmt.label(seg_name.get(t.segment, f"segment.{t.segment}"), lang),
            target=fmt.share(t.target_share, lang),
        )
        handles.append(Line2D([], [], color=color, linestyle=style, label=label))
    return handles


def _ranked_handles(d: pd.DataFrame, targets: list, lang: str) -> list:
    """Legend entries: unit types present, targets, and the marks the chart uses."""
    present = [t for t in ("province", "ministry", "agency") if t in set(d["unit_type"])]
    handles = [
        Patch(color=TYPE_COLORS[t], label=fmt.label(f"unit_evidence.types.{t}", lang))
        for t in present
    ] + targets
    marker = {"marker": "o", "linestyle": ""}
    if (d["status"] == "known").any():
        label = fmt.label("unit_evidence.status.known", lang)
        handles.append(Line2D([], [], **marker, color="#333333", label=label))
        if d["values"].map(len).gt(1).any():
            label = fmt.label("unit_evidence.legend.second_report", lang)
            ring = {"markerfacecolor": "none", "markeredgecolor": "#333333", "markersize": 9}
            handles.append(Line2D([], [], **marker, **ring, label=label))
    if (d["status"] == "bounded").any():
        label = fmt.label("unit_evidence.status.bounded", lang)
        handles.append(Patch(facecolor="#cccccc", hatch="///", edgecolor="#777777", label=label))
    if d["label"].str.endswith(" *").any():
        handles.append(Patch(color="none", label=fmt.label("unit_evidence.legend.flagged", lang)))
    return handles


def _ranked_notes(ue, lang: str) -> str:
    """The lines under the chart: how many units have no figure, and each unit's
    contradictions."""
    notes = []
    unknown = ue.units[ue.units["status"] == "unknown"]
    if not unknown.empty:
        items = ", ".join(
            f"{len(g)} {fmt.label(f'unit_evidence.types.{t}', lang)}"
            for t, g in unknown.groupby("unit_type", sort=False)
        )
        notes.append(fmt.label("unit_evidence.unknown_note", lang, items=items))
    for _, r in ue.units[ue.units["flags"].map(len) > 0].iterrows():
        notes.append(f"* {unit_name(r, lang)}: {flag_text(r, lang)}.")
    return "\n".join(line for n in notes for line in textwrap.wrap(n, 85))


def _legend_and_notes_below(fig, handles, notes: str, fontsize: float = 7.5) -> None:
    """The legend under the axes and the notes under the legend; the figure grows by their
    height and the axes keep theirs."""
    ncol = 2
    legend_in = -(-len(handles) // ncol) * fontsize * 1.55 / 72 + 0.1
    notes_in = (notes.count("\n") + 1) * fontsize * 1.3 / 72 + 0.1 if notes else 0.0
    axis_in = 0.55  # the x tick labels and the axis label
    h, top = fig.get_figheight(), fig.subplotpars.top
    new_h = h + legend_in + notes_in
    fig.set_figheight(new_h)
    fig.subplots_adjust(
        bottom=(axis_in + legend_in + notes_in) / new_h, top=1 - (1 - top) * h / new_h
    )
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=ncol,
        fontsize=fontsize,
        frameon=False,
        bbox_to_anchor=(0.5, (notes_in + 0.02) / new_h),
    )
    if notes:
        fig.text(0.01, 0.05 / new_h, notes, fontsize=fontsize, color="#333333", va="bottom")


def evidence_ranked(ue, *, lang: str = "vi", provenance: Provenance | None = None):
    """Units ranked by what the evidence says: known values as dots (a second, different
    report as a hollow dot), intervals as bars, units with no figure counted under the chart,
    and the year's segment targets as dashed lines.

    Parameters
    ----------
    ue
        A :class:`~dvcanalysis.unit_evidence.UnitEvidence`.
    """
    fmt.check_lang(lang)
    d = _ranked_rows(ue, lang)
    fig, ax = new_figure(5.8, max(2.4, 0.26 * len(d) + 1.2))
    y = np.arange(len(d))
    for yi, r in zip(y, d.itertuples(), strict=True):
        draw = _draw_known if r.status == "known" else _draw_interval
        draw(ax, yi, r, TYPE_COLORS[r.unit_type], lang)
    ax.set_yticks(y, list(d["label"]), fontsize=7.5)
    handles = _ranked_handles(d, _target_lines(ax, ue, lang), lang)
    ax.set_xlim(0, 1.05)
    ax.set_ylim(-0.7, len(d) - 0.3)
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: fmt.share(v, lang)))
    ax.set_xlabel(fmt.label("units.axis.share", lang))
    ax.grid(axis="y", visible=False)
    ax.set_title(
        "\n".join(textwrap.wrap(fmt.label("unit_evidence.title.ranked", lang, year=ue.year), 80)),
        fontsize=10,
    )
    attach(fig, provenance)
    _legend_and_notes_below(fig, handles, _ranked_notes(ue, lang))
    return fig


def evidence_figures(ue, *, lang: str = "vi", kind: str = "tiles") -> SavedNames:
    """Draw and save one per-unit evidence figure (``tiles`` or ``ranked``) into ``figures/``
    with its data and provenance (:func:`dvcanalysis.plots.save`); returns the saved names,
    shown in a notebook as the saved image."""
    fmt.check_lang(lang)
    prov = ue.provenance()
    if kind == "tiles":
        fig, data = evidence_tile_map(ue, lang=lang, provenance=prov), ue.tile_frame()
    elif kind == "ranked":
        fig, data = evidence_ranked(ue, lang=lang, provenance=prov), ue.to_df()
    else:
        raise ValueError(f"unknown figure kind {kind!r}; expected tiles or ranked")
    name = f"unit_evidence_{kind}_{ue.year}_{lang}"
    saved = save(
        fig,
        name,
        data=data.map(lambda v: ";".join(map(str, v)) if isinstance(v, tuple) else v),
        provenance=prov,
    )
    return SavedNames([saved])
