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

from dvcanalysis import fmt
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
    "off track": "#e67e22",
    "missed": "#c0392b",
    "unknown": "#d5d8dc",
}
NO_DATA = "#eaeded"
_SEGMENT = {"province": "localities", "ministry": "ministries"}


def _name_col(lang: str) -> str:
    return "name_vi" if lang == "vi" else "name_en"


def provenance(rep, **extra) -> Provenance:
    """The provenance of a unit report's figures: sources and parameters."""
    params = {"layout": rep.layout, "as_of": rep.as_of}
    if rep.has_counts:
        params |= {"counts_path": rep.counts_file, "scenario": rep.scenario}
    params |= extra
    note = "" if rep.has_counts else "units.note.no_counts_footer"  # a label key
    return Provenance(sources=list(rep.sources), parameters=params, note=note)


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
    prov = provenance(rep)
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
