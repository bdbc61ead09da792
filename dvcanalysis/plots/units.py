"""Figures of the unit-level analysis (notebook 05): per-unit counts, tile maps, ranks.

Every function takes frames from :mod:`dvcanalysis.units` / :mod:`dvcanalysis.unit_targets`
(or a :class:`~dvcanalysis.unit_targets.UnitReport`) and draws them; nothing here computes a
share, a rank or a status. The tables are in :mod:`dvcanalysis.tables.units`; the per-unit
evidence figures in :mod:`dvcanalysis.plots.unit_evidence`.
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
from dvcanalysis.tables.units import name_column

STATUS_COLORS = {
    "met": "#1e8449",
    "on track": "#82e0aa",
    "uncertain": "#f4d03f",
    "off track": "#e67e22",
    "missed": "#c0392b",
    "unknown": "#d5d8dc",
}
NO_DATA = "#eaeded"
_SEGMENT = {"province": "localities", "ministry": "ministries"}


# ---------------------------------------------------------------- figures
def ranked_bars(df: pd.DataFrame, *, lang: str = "vi", provenance: Provenance | None = None):
    """Horizontal bars of the units' fully-online shares, best at the top, with the target.

    Parameters
    ----------
    df
        One unit type and one period per unit (for example ``units.latest(analysis)``),
        with ``fully_online_share``, ``target_share``, ``status`` and the name columns
        (from :func:`dvcanalysis.unit_targets.unit_status`).
    """
    fmt.check_lang(lang)
    d = df.sort_values("fully_online_share", ascending=True, na_position="first")
    unit_type = d["unit_type"].iloc[0] if len(d) else "province"
    fig, ax = new_figure(6.6, max(3.0, 0.28 * len(d) + 1.8))
    y = np.arange(len(d))
    colors = [STATUS_COLORS.get(s, NO_DATA) for s in d["status"]]
    ax.barh(y, d["fully_online_share"].fillna(0), color=colors, edgecolor="#555555", linewidth=0.4)
    ax.set_yticks(
        y,
        [f"{n} ({c})" for n, c in zip(d[name_column(lang)], d["unit_code"], strict=True)],
        fontsize=7,
    )
    for yi, v in zip(y, d["fully_online_share"], strict=True):
        text = fmt.share(v, lang) if pd.notna(v) else fmt.label("units.legend.no_data", lang)
        ax.text((0 if pd.isna(v) else v) + 0.01, yi, text, va="center", fontsize=7)
    target_handles = []
    for t in sorted(set(d["target_share"].dropna())):
        ax.axvline(t, color=TARGET_COLOR, linestyle="--", linewidth=1.2)
        label = fmt.label("units.legend.target", lang, target=fmt.share(t, lang))
        target_handles.append(Line2D([], [], color=TARGET_COLOR, linestyle="--", label=label))
    ax.set_xlim(0, 1.05)
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: fmt.share(v, lang)))
    ax.set_xlabel(fmt.label("units.axis.share", lang))
    periods = sorted(set(d["period"]))
    ax.set_title(
        fmt.label(
            "units.title.ranked",
            lang,
            unit_type=fmt.label(f"units.unit_type.{unit_type}", lang),
            period=", ".join(fmt.period(p, lang) for p in periods),
        ),
        fontsize=10,
    )
    present = [s for s in STATUS_COLORS if s in set(d["status"])]
    ax.legend(
        handles=[
            Patch(color=STATUS_COLORS[s], label=fmt.label(f"units.status.{s}", lang))
            for s in present
        ]
        + target_handles,
        loc="lower right",
        fontsize=7,
    )
    ax.grid(axis="y", visible=False)
    attach(fig, provenance)
    # keep the axis label clear of the footer on short figures (room in inches, not fractions)
    fig.subplots_adjust(bottom=min(0.6, 1.05 / fig.get_figheight()))
    return fig


def tile_text(
    ax, col: int, row: int, name: str, sub: str, *, bbox: dict | None = None, fontsize: float = 5.6
) -> None:
    """A tile's two lines: the unit's name (wrapped) above and ``sub`` below (``fontsize``: at
    least 7 pt as the figure prints on A4, see :func:`dvcanalysis.plots.layout.small_text`)."""
    ax.text(
        col + 0.475,
        -row + 0.62,
        "\n".join(textwrap.wrap(name, 10)),
        ha="center",
        va="center",
        fontsize=fontsize,
        bbox=bbox,
    )
    ax.text(
        col + 0.475,
        -row + 0.18,
        sub,
        ha="center",
        va="center",
        fontsize=fontsize,
        color="#333333",
        bbox=bbox,
    )


def share_colorbar(fig, ax, lang: str, *, shrink: float):
    """The colour bar of the share scale the tile maps use (light green 0%, dark green 100%)."""
    cmap = mpl.colormaps["YlGn"]
    sm = mpl.cm.ScalarMappable(
        cmap=mpl.colors.ListedColormap(cmap(np.linspace(0.15, 1, 256))),
        norm=mpl.colors.Normalize(0, 1),
    )
    return fig.colorbar(
        sm, ax=ax, shrink=shrink, format=mpl.ticker.FuncFormatter(lambda v, _: fmt.share(v, lang))
    )


def share_color(share: float):
    """The colour of a share on the tile maps' scale."""
    return mpl.colormaps["YlGn"](0.15 + 0.85 * share)


def tile_grid(ax, nrows: int, ncols: int) -> None:
    """Axes limits of a tile grid, squares kept square, no axis drawn."""
    ax.set_xlim(-0.2, ncols + 0.2)
    ax.set_ylim(-nrows + 0.9, 1.05)
    ax.set_aspect("equal")


def _tile_color(r, color_by: str, groups: list):
    if color_by == "share":
        v = getattr(r, "fully_online_share", np.nan)
        return share_color(v) if pd.notna(v) else NO_DATA
    if color_by == "status":
        return STATUS_COLORS.get(getattr(r, "status", ""), NO_DATA)
    return mpl.colormaps["tab20"](groups.index(r.merge_group) % 20) if r.merged else NO_DATA


def _tile_legend(fig, ax, color_by: str, layout: str, lang: str) -> tuple[list, str]:
    """The legend's handles and the title of a tile map coloured by ``color_by``."""
    layout_name = fmt.label(f"units.layout.{layout}", lang)
    if color_by == "share":
        cb = share_colorbar(fig, ax, lang, shrink=0.4)
        cb.set_label(fmt.label("units.axis.share", lang), fontsize=7)
        handles = [Patch(color=NO_DATA, label=fmt.label("units.legend.no_data", lang))]
        return handles, fmt.label("units.title.tiles", lang, layout=layout_name)
    if color_by == "status":
        handles = [
            Patch(color=c, label=fmt.label(f"units.status.{s}", lang))
            for s, c in STATUS_COLORS.items()
        ]
        return handles, fmt.label("units.title.tiles", lang, layout=layout_name)
    handles = [
        Patch(color=mpl.colormaps["tab20"](0), label=fmt.label("units.merge.merged", lang)),
        Patch(color=NO_DATA, label=fmt.label("units.merge.unchanged", lang)),
    ]
    return handles, fmt.label("units.title.tiles_merge", lang, layout=layout_name)


def tile_map(
    df: pd.DataFrame,
    *,
    layout: str,
    lang: str = "vi",
    color_by: str = "share",
    provenance: Provenance | None = None,
):
    """A tile-grid cartogram of the provinces (one square per unit, north at the top).

    Parameters
    ----------
    df
        ``units.tiles(layout)`` or ``UnitReport.tile_frame()``: ``row, col, unit_code``,
        names, ``merge_group``, ``merged`` and, for ``color_by="share"`` / ``"status"``,
        ``fully_online_share`` / ``status``.
    color_by
        ``"share"``, ``"status"`` or ``"merge"`` (which old provinces form one new unit).
    """
    fmt.check_lang(lang)
    nrows, ncols = int(df["row"].max()) + 1, int(df["col"].max()) + 1
    fig, ax = new_figure(0.62 * ncols + 1.8, 0.62 * nrows + 1.4)
    groups = sorted(set(df.loc[df["merged"], "merge_group"]))
    for r in df.itertuples():
        ax.add_patch(
            Rectangle(
                (r.col, -r.row),
                0.95,
                0.95,
                facecolor=_tile_color(r, color_by, groups),
                edgecolor="white",
                linewidth=1,
            )
        )
        sub = r.unit_code
        if color_by == "share" and pd.notna(getattr(r, "fully_online_share", np.nan)):
            sub = fmt.share(r.fully_online_share, lang)
        tile_text(ax, r.col, r.row, getattr(r, name_column(lang)), sub, fontsize=6.2)
    handles, title = _tile_legend(fig, ax, color_by, layout, lang)
    for h in handles:  # narrow labels: the legend sits in the empty columns left of the coast
        h.set_label("\n".join(textwrap.wrap(h.get_label(), 24)))
    ax.legend(handles=handles, loc="center left", fontsize=7, frameon=False)
    tile_grid(ax, nrows, ncols)
    ax.set_anchor("S")  # slack above the title, where the saved (tight) figure crops it
    ax.axis("off")
    ax.set_title(title, fontsize=9)
    ax.text(
        0, -nrows + 0.75, fmt.label("units.note.tiles", lang), fontsize=7, color="#555555", va="top"
    )
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.0, top=0.97)  # no axis labels to hold
    attach(fig, provenance)
    return fig


def distribution(df: pd.DataFrame, *, lang: str = "vi", provenance: Provenance | None = None):
    """Box plots of the units' shares by period, with every unit as a dot and the targets.

    Parameters
    ----------
    df
        The analysis rows of one unit type (``period_end``, ``fully_online_share``,
        ``target_share``).
    """
    fmt.check_lang(lang)
    d = df.dropna(subset=["fully_online_share"]).sort_values("period_end")
    unit_type = df["unit_type"].iloc[0] if len(df) else "province"
    periods = list(dict.fromkeys(d["period"]))
    fig, ax = new_figure(6.6, 4.2)
    data = [d.loc[d["period"] == p, "fully_online_share"].to_numpy() for p in periods]
    color = SEGMENT_COLORS[_SEGMENT[unit_type]]
    if periods:
        ax.boxplot(
            data,
            positions=range(len(periods)),
            widths=0.5,
            showfliers=False,
            medianprops={"color": color},
        )
        for i, vals in enumerate(data):
            ax.scatter(np.full(len(vals), i), vals, s=12, color=color, alpha=0.6, zorder=3)
        targets = d.groupby("period", sort=False)["target_share"].first()
        ax.scatter(
            range(len(periods)),
            [targets[p] for p in periods],
            marker="_",
            s=300,
            color=TARGET_COLOR,
            linewidths=2,
            zorder=4,
        )
    ax.set_xticks(range(len(periods)), [fmt.period(p, lang) for p in periods])
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: fmt.share(v, lang)))
    ax.set_ylabel(fmt.label("units.axis.share", lang))
    ax.set_xlabel(fmt.label("units.axis.period", lang))
    ax.set_title(
        fmt.label(
            "units.title.distribution",
            lang,
            unit_type=fmt.label(f"units.unit_type.{unit_type}", lang),
        ),
        fontsize=10,
    )
    ax.legend(
        handles=[Patch(color=TARGET_COLOR, label=fmt.label("units.col.target", lang))],
        loc="upper left",
        fontsize=7,
    )
    attach(fig, provenance)
    return fig


def report_figures(rep, *, lang: str = "vi", kind: str = "tiles"):
    """Draw and save one kind of figure of a unit report (``tiles``, ``ranked``, ``distribution``).

    Figures are saved with :func:`dvcanalysis.plots.save` into ``figures/``. Without a
    counts file, ``ranked`` and ``distribution`` draw nothing and return a Markdown note
    saying how to supply counts; ``tiles`` then shows the layout coloured by merge group.

    Returns
    -------
    SavedNames or IPython Markdown
        The saved figure names (shown in a notebook as the saved images), or the note.
    """
    from IPython.display import Markdown  # noqa: PLC0415 (only for notebooks)

    fmt.check_lang(lang)
    prov = rep.provenance()
    if kind == "tiles":
        data = rep.tile_frame()
        color_by = "share" if rep.has_counts else "merge"
        fig = tile_map(data, layout=rep.layout, lang=lang, color_by=color_by, provenance=prov)
        name = f"units_tiles_{rep.layout}_{lang}"
        return SavedNames([save(fig, name, data=data, provenance=prov)])
    if not rep.has_counts:
        return Markdown(
            fmt.label(
                "units.note.needs_counts", lang, figure=fmt.label(f"units.figure.{kind}", lang)
            )
        )
    saved = []
    for unit_type in ("province", "ministry"):
        a = rep.analysis[rep.analysis["unit_type"] == unit_type]
        if a.empty:
            continue
        if kind == "ranked":
            from dvcanalysis import units  # noqa: PLC0415

            data = units.latest(a)
            fig = ranked_bars(data, lang=lang, provenance=prov)
        elif kind == "distribution":
            data = a
            fig = distribution(data, lang=lang, provenance=prov)
        else:
            raise ValueError(
                f"unknown figure kind {kind!r}; expected tiles, ranked or distribution"
            )
        name = f"units_{kind}_{unit_type}_{rep.layout}_{lang}"
        saved.append(save(fig, name, data=data, provenance=prov))
    return SavedNames(saved)
