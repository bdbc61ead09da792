"""Figures and display tables of the unit-level analysis (notebook 05).

Every function takes frames from :mod:`dvcanalysis.units` / :mod:`dvcanalysis.unit_targets`
(or a :class:`~dvcanalysis.unit_targets.UnitReport`) and draws or formats them; nothing here
computes a share, a rank or a status.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from dvcanalysis import citations, fmt
from dvcanalysis.plots._base import (
    SEGMENT_COLORS,
    TARGET_COLOR,
    Provenance,
    add_footer,
    new_figure,
    save,
)

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


def _name_col(lang: str) -> str:
    return "name_vi" if lang == "vi" else "name_en"


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
    fig, ax = new_figure(7.5, max(3.0, 0.28 * len(d) + 1.8))
    y = np.arange(len(d))
    colors = [STATUS_COLORS.get(s, NO_DATA) for s in d["status"]]
    ax.barh(y, d["fully_online_share"].fillna(0), color=colors, edgecolor="#555555", linewidth=0.4)
    ax.set_yticks(
        y,
        [f"{n} ({c})" for n, c in zip(d[_name_col(lang)], d["unit_code"], strict=True)],
        fontsize=7,
    )
    for yi, v in zip(y, d["fully_online_share"], strict=True):
        text = fmt.share(v, lang) if pd.notna(v) else fmt.label("units.legend.no_data", lang)
        ax.text((0 if pd.isna(v) else v) + 0.01, yi, text, va="center", fontsize=6.5)
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
    add_footer(fig, provenance, lang)
    # keep the axis label clear of the footer on short figures (room in inches, not fractions)
    fig.subplots_adjust(bottom=min(0.6, 1.05 / fig.get_figheight()))
    return fig


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
    cmap = mpl.colormaps["YlGn"]
    groups = sorted(set(df.loc[df["merged"], "merge_group"]))
    palette = mpl.colormaps["tab20"]
    handles = []
    for r in df.itertuples():
        if color_by == "share":
            v = getattr(r, "fully_online_share", np.nan)
            color = cmap(0.15 + 0.85 * v) if pd.notna(v) else NO_DATA
        elif color_by == "status":
            color = STATUS_COLORS.get(getattr(r, "status", ""), NO_DATA)
        else:
            color = palette(groups.index(r.merge_group) % 20) if r.merged else NO_DATA
        ax.add_patch(
            Rectangle((r.col, -r.row), 0.95, 0.95, facecolor=color, edgecolor="white", linewidth=1)
        )
        name = getattr(r, _name_col(lang))
        ax.text(
            r.col + 0.475,
            -r.row + 0.62,
            "\n".join(textwrap.wrap(name, 10)),
            ha="center",
            va="center",
            fontsize=4.8,
        )
        sub = r.unit_code
        if color_by == "share" and pd.notna(getattr(r, "fully_online_share", np.nan)):
            sub = fmt.share(r.fully_online_share, lang)
        ax.text(
            r.col + 0.475,
            -r.row + 0.18,
            sub,
            ha="center",
            va="center",
            fontsize=5.5,
            color="#333333",
        )
    if color_by == "share":
        norm = mpl.colors.Normalize(0, 1)
        sm = mpl.cm.ScalarMappable(
            cmap=mpl.colors.ListedColormap(cmap(np.linspace(0.15, 1, 256))), norm=norm
        )
        cb = fig.colorbar(
            sm, ax=ax, shrink=0.4, format=mpl.ticker.FuncFormatter(lambda v, _: fmt.share(v, lang))
        )
        cb.set_label(fmt.label("units.axis.share", lang), fontsize=7)
        handles = [Patch(color=NO_DATA, label=fmt.label("units.legend.no_data", lang))]
        title = fmt.label(
            "units.title.tiles", lang, layout=fmt.label(f"units.layout.{layout}", lang)
        )
    elif color_by == "status":
        handles = [
            Patch(color=c, label=fmt.label(f"units.status.{s}", lang))
            for s, c in STATUS_COLORS.items()
        ]
        title = fmt.label(
            "units.title.tiles", lang, layout=fmt.label(f"units.layout.{layout}", lang)
        )
    else:
        handles = [
            Patch(color=palette(0), label=fmt.label("units.merge.merged", lang)),
            Patch(color=NO_DATA, label=fmt.label("units.merge.unchanged", lang)),
        ]
        title = fmt.label(
            "units.title.tiles_merge", lang, layout=fmt.label(f"units.layout.{layout}", lang)
        )
    for h in handles:  # narrow labels: the legend sits in the empty columns left of the coast
        h.set_label("\n".join(textwrap.wrap(h.get_label(), 24)))
    ax.legend(handles=handles, loc="center left", fontsize=6.5, frameon=False)
    ax.set_xlim(-0.2, ncols + 0.2)
    ax.set_ylim(-nrows + 0.9, 1.05)
    ax.set_aspect("equal")
    ax.set_anchor("S")  # slack above the title, where the saved (tight) figure crops it
    ax.axis("off")
    ax.set_title(title, fontsize=9)
    ax.text(
        0, -nrows + 0.75, fmt.label("units.note.tiles", lang), fontsize=6, color="#555555", va="top"
    )
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.0, top=0.97)  # no axis labels to hold
    add_footer(fig, provenance, lang, wrap=90)
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
    fig, ax = new_figure(7.5, 4.2)
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
    add_footer(fig, provenance, lang)
    return fig


# ---------------------------------------------------------------- report helpers
def report_figures(rep, *, lang: str = "vi", kind: str = "tiles"):
    """Draw and save one kind of figure of a unit report (``tiles``, ``ranked``, ``distribution``).

    Figures are saved with :func:`dvcanalysis.plots.save` into ``figures/``. Without a
    counts file, ``ranked`` and ``distribution`` draw nothing and return a Markdown note
    saying how to supply counts; ``tiles`` then shows the layout coloured by merge group.

    Returns
    -------
    list of str or IPython Markdown
        The saved figure names, or the note.
    """
    from IPython.display import Markdown  # noqa: PLC0415 (only for notebooks)

    fmt.check_lang(lang)
    prov = rep.provenance()
    if kind == "tiles":
        data = rep.tile_frame()
        color_by = "share" if rep.has_counts else "merge"
        fig = tile_map(data, layout=rep.layout, lang=lang, color_by=color_by, provenance=prov)
        name = f"units_tiles_{rep.layout}_{lang}"
        save(fig, name, data=data, provenance=prov)
        return [name]
    if not rep.has_counts:
        return Markdown(
            fmt.label(
                "units.note.needs_counts", lang, figure=fmt.label(f"units.figure.{kind}", lang)
            )
        )
    names = []
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
        save(fig, name, data=data, provenance=prov)
        names.append(name)
    return names


def intro(rep, *, lang: str = "vi"):
    """A Markdown paragraph saying what the report holds (or how to supply counts)."""
    from IPython.display import Markdown  # noqa: PLC0415

    layout = fmt.label(f"units.layout.{rep.layout}", lang)
    if not rep.has_counts:
        return Markdown(fmt.label("units.intro.no_counts", lang, layout=layout))
    a = rep.analysis
    text = fmt.label(
        "units.intro.counts",
        lang,
        file=fmt.md(Path(str(rep.counts_file)).name),  # the name only: no user's path
        n_units=a[["unit_type", "unit_code"]].drop_duplicates().shape[0],
        n_periods=a["period"].nunique(),
        layout=layout,
        as_of=fmt.day(rep.as_of, lang),
        n_incomplete=int((~rep.counts["complete"]).sum()),
    )
    if rep.scenario_pace:
        paces = ", ".join(
            f"{fmt.label(f'segment.{s}', lang)} {fmt.pp(v, lang)}/{fmt.label('word.year', lang).lower()}"
            for s, v in sorted(rep.scenario_pace.items())
        )
        text += " " + fmt.label("units.intro.pace", lang, scenario=rep.scenario, paces=paces)
    else:
        text += " " + fmt.label("units.intro.no_pace", lang, scenario=rep.scenario)
    return Markdown(text)


def national_table(rep, *, lang: str = "vi") -> pd.DataFrame:
    """The evidence's segment figures (latest observed shares and targets), formatted."""
    n = rep.national
    bound = {
        "min": fmt.label("units.bound.min", lang) + " ",
        "approx": fmt.label("units.bound.approx", lang) + " ",
    }
    return pd.DataFrame(
        {
            fmt.label("units.col.segment", lang): [
                fmt.label(f"segment.{s}", lang) for s in n["segment"]
            ],
            fmt.label("units.col.kind", lang): [fmt.label(f"kind.{k}", lang) for k in n["kind"]],
            fmt.label("units.col.period", lang): [fmt.period(p, lang) for p in n["period"]],
            fmt.label("units.col.value", lang): [
                bound.get(b, "") + fmt.share(v, lang)
                for b, v in zip(n["bound"], n["value_share"], strict=True)
            ],
            fmt.label("units.col.evidence", lang): [i.replace(";", ", ") for i in n["evidence_id"]],
        }
    )


def status_table(rep, *, lang: str = "vi") -> pd.DataFrame:
    """The latest period of each unit with share, rank, target, pace and status, formatted.

    Empty without a counts file.
    """
    if not rep.has_counts:
        return pd.DataFrame()
    from dvcanalysis import units  # noqa: PLC0415

    d = units.latest(rep.analysis)
    per_year = "/năm" if lang == "vi" else "/yr"
    return pd.DataFrame(
        {
            fmt.label("units.col.unit", lang): list(d[_name_col(lang)]),
            fmt.label("units.col.code", lang): list(d["unit_code"]),
            fmt.label("units.col.period", lang): [fmt.period(p, lang) for p in d["period"]],
            fmt.label("units.col.dossiers", lang): [
                fmt.count(x, lang) for x in d["dossiers_total"]
            ],
            fmt.label("units.col.share", lang): [
                fmt.share(x, lang, 1) for x in d["fully_online_share"]
            ],
            fmt.label("units.col.rank", lang): [
                f"{r}/{n}" if pd.notna(r) else "–"
                for r, n in zip(d["rank"], d["n_ranked"], strict=True)
            ],
            fmt.label("units.col.target", lang): [fmt.share(x, lang) for x in d["target_share"]],
            fmt.label("units.col.deadline", lang): [
                fmt.day(t.date(), lang) if pd.notna(t) else "–" for t in d["deadline"]
            ],
            fmt.label("units.col.gap", lang): [fmt.pp(x, lang) for x in d["gap_share"]],
            fmt.label("units.col.pace_needed", lang): [
                fmt.pp(x, lang) + per_year if pd.notna(x) else "–"
                for x in d["pace_needed_share_per_year"]
            ],
            fmt.label("units.col.pace", lang): [
                fmt.pp(x, lang) + per_year if pd.notna(x) else "–" for x in d["pace_share_per_year"]
            ],
            fmt.label("units.col.pace_source", lang): [
                fmt.label(f"units.pace_source.{s}", lang) if s else "–" for s in d["pace_source"]
            ],
            fmt.label("units.col.status", lang): [
                fmt.label(f"units.status.{s}", lang) for s in d["status"]
            ],
        }
    )


# ---------------------------------------------------------------- per-unit evidence (issue 9)
# Figures and text of :mod:`dvcanalysis.unit_evidence`: what the evidence says about each unit
# (a value, an interval, or nothing). Nothing here decides a status or an interval.
_UE_TYPE_COLORS = {
    "province": SEGMENT_COLORS["localities"],
    "ministry": SEGMENT_COLORS["ministries"],
    "agency": "#566573",
}
_UE_HATCHES = ("////", "...", "\\\\\\\\", "xx", "--")


def _ue_interval_words(low: float, high: float, lang: str, short: bool = False) -> str:
    """An interval in words: "below 10%", "above 50%", "between 20% and 30%", "unknown"."""
    pre = "unit_evidence.short" if short else "unit_evidence.interval"
    if low <= 0 and high >= 1:
        return "?" if short else fmt.label("unit_evidence.interval.unknown", lang)
    if low <= 0:
        return fmt.label(f"{pre}.below", lang, x=fmt.share(high, lang))
    if high >= 1:
        return fmt.label(f"{pre}.above", lang, x=fmt.share(low, lang))
    return (
        fmt.interval(fmt.share(low, lang), fmt.share(high, lang), lang)
        if short
        else fmt.label(
            "unit_evidence.interval.between",
            lang,
            low=fmt.share(low, lang),
            high=fmt.share(high, lang),
        )
    )


def _ue_name(row, lang: str) -> str:
    return row["name_vi"] if lang == "vi" else row["name_en"]


def _ue_flag_text(row, lang: str) -> str:
    """The contradictions of one unit, in words (sources by outlet and date)."""

    parts = []
    for f in row["flags"]:
        if f == "reports_differ":
            values = ", ".join(fmt.share(v, lang, 2) for v in row["values_share"])
            parts.append(fmt.label("unit_evidence.flag.reports_differ", lang, values=values))
        elif f == "omitted_from_list":
            for sid, side, thr in row["omitted_from"]:
                parts.append(
                    fmt.label(
                        "unit_evidence.flag.omitted_from_list",
                        lang,
                        interval=_ue_interval_words(0.0, thr, lang)
                        if side == "below"
                        else _ue_interval_words(thr, 1.0, lang),
                        source=citations.reader(sid, lang),
                    )
                )
        else:
            parts.append(fmt.label(f"unit_evidence.flag.{f}", lang))
    return "; ".join(parts)


def evidence_tile_map(ue, *, lang: str = "vi", provenance: Provenance | None = None):
    """The 63 provinces (pre-2025 tile grid) by what the evidence says about their share.

    Known values are coloured on the share scale (as :func:`tile_map`); provinces known only
    to lie in an interval are hatched, one pattern per interval, named in words in the
    legend; provinces with no figure are grey. A red outline marks contradicting sources.

    Parameters
    ----------
    ue
        A :class:`~dvcanalysis.unit_evidence.UnitEvidence`.
    """
    fmt.check_lang(lang)
    df = ue.tile_frame()
    nrows, ncols = int(df["row"].max()) + 1, int(df["col"].max()) + 1
    fig, ax = new_figure(0.62 * ncols + 3.2, 0.62 * nrows + 1.6)
    cmap = mpl.colormaps["YlGn"]
    intervals = sorted(
        {(r.low_share, r.high_share) for r in df.itertuples() if r.status == "bounded"},
        key=lambda iv: (iv[1] - iv[0], iv[0]),
    )
    hatch = {iv: _UE_HATCHES[i % len(_UE_HATCHES)] for i, iv in enumerate(intervals)}
    for r in df.itertuples():
        edge, lw, h = "white", 1.0, None
        if r.status == "known":
            color, sub = cmap(0.15 + 0.85 * r.value_share), fmt.share(r.value_share, lang, 1)
        elif r.status == "bounded":
            color, edge, lw = "#f4f6f6", "#7b8a8b", 0.6
            h = hatch[(r.low_share, r.high_share)]
            sub = _ue_interval_words(r.low_share, r.high_share, lang, short=True)
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
        name = getattr(r, _name_col(lang))
        ax.text(
            r.col + 0.475,
            -r.row + 0.62,
            "\n".join(textwrap.wrap(name, 10)),
            ha="center",
            va="center",
            fontsize=4.8,
            bbox=box if r.status == "bounded" else None,
        )
        ax.text(
            r.col + 0.475,
            -r.row + 0.18,
            sub,
            ha="center",
            va="center",
            fontsize=5.5,
            color="#333333",
            bbox=box if r.status == "bounded" else None,
        )
    n = df["status"].value_counts()
    handles = [
        Patch(
            facecolor=cmap(0.6),
            label=fmt.label("unit_evidence.legend.known", lang, n=int(n.get("known", 0))),
        )
    ]
    for iv in intervals:
        k = int(
            (
                (df["low_share"] == iv[0])
                & (df["high_share"] == iv[1])
                & (df["status"] == "bounded")
            ).sum()
        )
        handles.append(
            Patch(
                facecolor="#f4f6f6",
                edgecolor="#7b8a8b",
                hatch=hatch[iv],
                label=fmt.label(
                    "unit_evidence.legend.interval",
                    lang,
                    interval=_ue_interval_words(*iv, lang),
                    n=k,
                ),
            )
        )
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
    norm = mpl.colors.Normalize(0, 1)
    sm = mpl.cm.ScalarMappable(
        cmap=mpl.colors.ListedColormap(cmap(np.linspace(0.15, 1, 256))), norm=norm
    )
    cb = fig.colorbar(
        sm, ax=ax, shrink=0.25, format=mpl.ticker.FuncFormatter(lambda v, _: fmt.share(v, lang))
    )
    cb.set_label(
        fmt.label("unit_evidence.legend.known", lang, n=int(n.get("known", 0))), fontsize=7
    )
    cb.ax.tick_params(labelsize=6.5)
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.02), fontsize=6.5, frameon=False
    )
    ax.set_xlim(-0.2, ncols + 0.2)
    ax.set_ylim(-nrows + 0.9, 1.05)
    ax.set_aspect("equal")
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
    add_footer(fig, provenance, lang, wrap=110)
    return fig


def _ue_ranked_rows(ue, lang: str) -> pd.DataFrame:
    """Rows of the ranked chart: each unit with a value or its own interval, one row per group
    interval (units bounded by a group row only), sorted by the interval's low then high end."""
    d = ue.units
    shown = d[(d["status"] == "known") | ((d["status"] == "bounded") & ~d["group_bound"])]
    rows = [
        {
            "label": _ue_name(r, lang) + (" *" if len(r["flags"]) else ""),
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
    d = _ue_ranked_rows(ue, lang)
    fig, ax = new_figure(7.5, max(3.2, 0.26 * len(d) + 2.4))
    y = np.arange(len(d))
    for yi, r in zip(y, d.itertuples(), strict=True):
        color = _UE_TYPE_COLORS[r.unit_type]
        if r.status == "known":
            ax.plot([r.values[0]], [yi], "o", color=color, markersize=6, zorder=4)
            for v in r.values[1:]:  # a ring around the first report (they may coincide)
                ax.plot(
                    [v],
                    [yi],
                    "o",
                    markerfacecolor="none",
                    markeredgecolor=color,
                    markersize=10,
                    zorder=3,
                )
            ax.text(
                max(r.values) + 0.015,
                yi,
                " / ".join(fmt.share(v, lang, 2) for v in r.values),
                va="center",
                fontsize=6.5,
            )
        else:
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
            ax.text(
                r.high + 0.015 if r.high < 0.9 else r.low - 0.015,
                yi,
                _ue_interval_words(r.low, r.high, lang),
                va="center",
                fontsize=6.5,
                ha="left" if r.high < 0.9 else "right",
            )
    ax.set_yticks(y, list(d["label"]), fontsize=7)
    handles = []
    seg_name = {"ministries": "units.unit_type.ministry", "localities": "units.unit_type.province"}
    styles = {"ministries": "--", "localities": ":"}
    for t in ue.targets.itertuples():
        color = SEGMENT_COLORS.get(t.segment, TARGET_COLOR)
        ax.axvline(
            t.target_share, color=color, linestyle=styles.get(t.segment, "--"), linewidth=1.3
        )
        handles.append(
            Line2D(
                [],
                [],
                color=color,
                linestyle=styles.get(t.segment, "--"),
                label=fmt.label(
                    "unit_evidence.legend.target",
                    lang,
                    year=ue.year,
                    segment=fmt.label(seg_name.get(t.segment, f"segment.{t.segment}"), lang),
                    target=fmt.share(t.target_share, lang),
                ),
            )
        )
    present = [t for t in ("province", "ministry", "agency") if t in set(d["unit_type"])]
    handles = [
        Patch(color=_UE_TYPE_COLORS[t], label=fmt.label(f"unit_evidence.types.{t}", lang))
        for t in present
    ] + handles
    if (d["status"] == "known").any():
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                color="#333333",
                label=fmt.label("unit_evidence.status.known", lang),
            )
        )
        if d["values"].map(len).gt(1).any():
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markerfacecolor="none",
                    markeredgecolor="#333333",
                    markersize=9,
                    label=fmt.label("unit_evidence.legend.second_report", lang),
                )
            )
    if (d["status"] == "bounded").any():
        handles.append(
            Patch(
                facecolor="#cccccc",
                hatch="///",
                edgecolor="#777777",
                label=fmt.label("unit_evidence.status.bounded", lang),
            )
        )
    if d["label"].str.endswith(" *").any():
        handles.append(Patch(color="none", label=fmt.label("unit_evidence.legend.flagged", lang)))
    ax.legend(handles=handles, loc="lower right", fontsize=6.5, framealpha=0.9)
    ax.set_xlim(0, 1.05)
    ax.set_ylim(-0.7, len(d) - 0.3)
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: fmt.share(v, lang)))
    ax.set_xlabel(fmt.label("units.axis.share", lang))
    ax.grid(axis="y", visible=False)
    ax.set_title(
        "\n".join(textwrap.wrap(fmt.label("unit_evidence.title.ranked", lang, year=ue.year), 80)),
        fontsize=10,
    )
    notes = []
    unknown = ue.units[ue.units["status"] == "unknown"]
    if not unknown.empty:
        items = ", ".join(
            f"{len(g)} {fmt.label(f'unit_evidence.types.{t}', lang)}"
            for t, g in unknown.groupby("unit_type", sort=False)
        )
        notes.append(fmt.label("unit_evidence.unknown_note", lang, items=items))
    for _, r in ue.units[ue.units["flags"].map(len) > 0].iterrows():
        notes.append(f"* {_ue_name(r, lang)}: {_ue_flag_text(r, lang)}.")
    add_footer(fig, provenance, lang, wrap=120)
    if notes:
        text = "\n".join(line for n in notes for line in textwrap.wrap(n, 120))
        n_footer = len(textwrap.wrap(provenance.text(lang), 120)) if provenance else 0
        fig.text(
            0.01,
            0.005 + 0.16 * (n_footer + 0.5) / fig.get_figheight(),
            text,
            fontsize=6.5,
            color="#333333",
            ha="left",
            va="bottom",
        )
        lines = text.count("\n") + 1 + n_footer
        fig.subplots_adjust(bottom=min(0.5, (0.55 + 0.14 * lines) / fig.get_figheight()))
    return fig


def evidence_figures(ue, *, lang: str = "vi", kind: str = "tiles") -> list[str]:
    """Draw and save one per-unit evidence figure (``tiles`` or ``ranked``) into ``figures/``
    with its data and provenance (:func:`dvcanalysis.plots.save`); returns the saved names."""
    fmt.check_lang(lang)
    prov = ue.provenance()
    if kind == "tiles":
        fig, data = evidence_tile_map(ue, lang=lang, provenance=prov), ue.tile_frame()
    elif kind == "ranked":
        fig, data = evidence_ranked(ue, lang=lang, provenance=prov), ue.to_df()
    else:
        raise ValueError(f"unknown figure kind {kind!r}; expected tiles or ranked")
    name = f"unit_evidence_{kind}_{ue.year}_{lang}"
    save(
        fig,
        name,
        data=data.map(lambda v: ";".join(map(str, v)) if isinstance(v, tuple) else v),
        provenance=prov,
    )
    return [name]


def evidence_intro(ue, *, lang: str = "vi"):
    """A Markdown paragraph: how many units are known, bounded or unknown."""
    from IPython.display import Markdown  # noqa: PLC0415

    fmt.check_lang(lang)
    if ue.period_end is None:
        return Markdown(fmt.label("unit_evidence.intro.none", lang, year=ue.year))
    c = ue.counts().set_index("unit_type")
    get = lambda t: int(c.loc[t, "total"]) if t in c.index else 0  # noqa: E731
    return Markdown(
        fmt.label(
            "unit_evidence.intro",
            lang,
            year=ue.year,
            period_end=fmt.day(ue.period_end.date(), lang),
            n_total=get("total"),
            n_province=get("province"),
            n_ministry=get("ministry"),
            n_agency=get("agency"),
            known=int(c.loc["total", "known"]),
            bounded=int(c.loc["total", "bounded"]),
            unknown=int(c.loc["total", "unknown"]),
        )
    )


def evidence_counts_table(ue, *, lang: str = "vi") -> pd.DataFrame:
    """Units by type and by what the evidence says (known, interval only, unknown), formatted."""
    c = ue.counts()
    return pd.DataFrame(
        {
            fmt.label("unit_evidence.col.type", lang): [
                fmt.label(f"unit_evidence.types.{t}", lang) for t in c["unit_type"]
            ],
            **{
                fmt.label(f"unit_evidence.status.{s}", lang): list(c[s])
                for s in ("known", "bounded", "unknown")
            },
            fmt.label("unit_evidence.types.total", lang).capitalize(): list(c["total"]),
        }
    )


def evidence_table(ue, *, lang: str = "vi") -> pd.DataFrame:
    """The units with evidence of their own (a value or their own interval), formatted, with
    their sources (outlet and date) and the contradictions between sources."""

    d = ue.units
    d = d[(d["status"] == "known") | ((d["status"] == "bounded") & ~d["group_bound"])]
    d = d.assign(_o=-d["low_share"], _h=-d["high_share"]).sort_values(
        ["_o", "_h", "unit_type", "unit_code"]
    )
    return pd.DataFrame(
        {
            fmt.label("unit_evidence.col.unit", lang): [_ue_name(r, lang) for _, r in d.iterrows()],
            fmt.label("unit_evidence.col.type", lang): [
                fmt.label(f"unit_evidence.types.{t}", lang) for t in d["unit_type"]
            ],
            fmt.label("unit_evidence.col.status", lang): [
                fmt.label(f"unit_evidence.status.{s}", lang) for s in d["status"]
            ],
            fmt.label("unit_evidence.col.value", lang): [
                " / ".join(fmt.share(v, lang, 2) for v in r["values_share"])
                if r["status"] == "known"
                else _ue_interval_words(r["low_share"], r["high_share"], lang)
                for _, r in d.iterrows()
            ],
            fmt.label("unit_evidence.col.sources", lang): [
                "; ".join(citations.reader(s, lang) for s in r["source_ids"].split(";") if s)
                for _, r in d.iterrows()
            ],
            fmt.label("unit_evidence.col.flags", lang): [
                _ue_flag_text(r, lang) or "–" for _, r in d.iterrows()
            ],
        }
    ).reset_index(drop=True)


def _pct1(x: float, lang: str) -> str:
    """A share with one decimal, or none when it is a whole percentage (0%, 100%)."""
    return fmt.share(x, lang, 0 if float(round(100 * x, 1)).is_integer() else 1)


def consistency_statements(ue, cons, *, lang: str = "vi"):
    """The consistency checks (:func:`dvcanalysis.unit_evidence.consistency`) as a Markdown
    list of statements, numbers formatted, sources by outlet and date (no evidence ids)."""
    from IPython.display import Markdown  # noqa: PLC0415

    fmt.check_lang(lang)
    c = cons.to_df()
    if c.empty:
        return Markdown(fmt.label("unit_evidence.checks.none", lang, year=ue.year))
    units_ = ue.units.set_index(["unit_type", "unit_code"])
    ev = ue.rows.set_index("id")
    seg_label = {"localities": "units.unit_type.province", "ministries": "units.unit_type.ministry"}
    unit_type_of = {"localities": "province", "ministries": "ministry"}

    def uname(ut: str, code: str) -> str:
        return _ue_name(units_.loc[(ut, code)], lang)

    def counts_of(ids: str, indicator: str) -> float:
        rows = ev.loc[[i for i in ids.split(";") if i in ev.index]]
        return float(rows.loc[rows["indicator"] == indicator, "value"].sum())

    lines = []
    for _, r in c.iterrows():
        seg = fmt.label(seg_label.get(r["segment"], "unit_evidence.types.total"), lang).capitalize()
        share = lambda x: fmt.share(x, lang, 2)  # noqa: E731
        verdict = fmt.label(
            f"unit_evidence.verdict.{'inside' if r['consistent'] else 'outside'}", lang
        )
        ck = r["check"]
        if ck in ("unweighted_mean_range", "weighted_range"):
            n = int(ue.units["unit_type"].eq(unit_type_of[r["segment"]]).sum())
            text = fmt.label(
                f"unit_evidence.check.{ck}",
                lang,
                segment=seg,
                stated=share(r["stated"]),
                n=n,
                low=_pct1(r["low"], lang),
                high=_pct1(r["high"], lang),
                verdict=verdict,
            )
        elif ck == "unknown_mean_needed":
            n = int(
                (
                    ue.units["unit_type"].eq(unit_type_of[r["segment"]])
                    & ue.units["status"].eq("unknown")
                ).sum()
            )
            text = fmt.label(
                f"unit_evidence.check.{ck}",
                lang,
                segment=seg,
                stated=share(r["stated"]),
                n=n,
                low=_pct1(min(max(r["low"], 0.0), 1.0), lang),
            )
        elif ck == "counts_share":
            text = fmt.label(
                f"unit_evidence.check.{ck}",
                lang,
                unit=uname(r["segment"], r["unit_code"]),
                full=fmt.number(counts_of(r["evidence_ids"], "dossiers_fully_online"), lang),
                handled=fmt.number(counts_of(r["evidence_ids"], "dossiers_handled"), lang),
                computed=fmt.share(r["computed"], lang, 3),
                stated=share(r["stated"]),
                verdict_counts=fmt.label(
                    f"unit_evidence.verdict.counts_{'ok' if r['consistent'] else 'bad'}", lang
                ),
            )
        elif ck == "min_dossiers_handled":
            full_rows = ev.loc[[i for i in r["evidence_ids"].split(";") if i in ev.index]]
            full_rows = full_rows[full_rows["indicator"] == "dossiers_fully_online"]
            text = fmt.label(
                f"unit_evidence.check.{ck}",
                lang,
                segment=seg,
                stated=share(r["stated"]),
                units=", ".join(
                    uname(unit_type_of[r["segment"]], u) for u in full_rows["unit_code"]
                ),
                full=fmt.number(full_rows["value"].sum(), lang),
                computed=fmt.number(int(np.ceil(r["computed"])), lang),
                year=ue.year,
            )
        elif ck == "max_dossier_weight":
            text = fmt.label(
                f"unit_evidence.check.{ck}",
                lang,
                unit=uname(unit_type_of[r["segment"]], r["unit_code"]),
                handled=fmt.number(counts_of(r["evidence_ids"], "dossiers_handled"), lang),
                computed=fmt.share(r["computed"], lang, 1),
                segment=fmt.label(seg_label[r["segment"]], lang),
            )
        elif ck == "implied_dossiers_handled":
            text = fmt.label(
                f"unit_evidence.check.{ck}",
                lang,
                unit=uname(r["segment"], r["unit_code"]),
                full=fmt.count(counts_of(r["evidence_ids"], "dossiers_fully_online"), lang, 3),
                stated=share(r["stated"]),
                computed=fmt.count(r["computed"], lang, 2),
            )
        elif ck == "list_count":
            side, pct = r["segment"].split("_")
            thr = int(pct.removesuffix("pct")) / 100
            interval = (
                _ue_interval_words(0.0, thr, lang)
                if side == "below"
                else _ue_interval_words(thr, 1.0, lang)
            )
            missing = ue.units[
                ue.units["flags"].map(lambda f: "omitted_from_list" in f)
                & ue.units["flag_source_ids"].map(lambda s, sid=r["list_source_id"]: sid in s)
            ]
            verdict_list = fmt.label(
                f"unit_evidence.verdict.list_{'ok' if r['consistent'] else 'bad'}", lang
            )
            if not missing.empty:
                verdict_list += " " + fmt.label(
                    "unit_evidence.verdict.list_missing",
                    lang,
                    names=", ".join(_ue_name(m, lang) for _, m in missing.iterrows()),
                )
            text = fmt.label(
                f"unit_evidence.check.{ck}",
                lang,
                interval=interval,
                source=citations.reader(r["list_source_id"], lang),
                stated=int(r["stated"]),
                listed=int(r["listed"]),
                computed=int(r["computed"]),
                verdict_list=verdict_list,
            )
        else:  # a check this display does not know yet: say nothing rather than guess
            continue
        lines.append(f"- {text}")
    return Markdown("\n".join(lines))
