"""Figures of the savings model (notebook 03); its display tables are in
:mod:`dvcanalysis.tables.savings`.

Every function takes result objects of :mod:`dvcanalysis.savings` (or their ``.to_df()``) and
draws them; nothing here computes the model. A figure's provenance is its result's
(``result.provenance()``).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from dvcanalysis import fmt
from dvcanalysis.plots._base import (
    SEGMENT_COLORS,
    TARGET_COLOR,
    Provenance,
    attach,
    legend_below,
    new_figure,
)
from dvcanalysis.tables.savings import component_label, parameter_label

OFFLINE_COLOR = "#7f8c8d"
ONLINE_COLOR = SEGMENT_COLORS["national"]
SAVING_COLOR = SEGMENT_COLORS["localities"]


def _money_axis(ax, lang: str, axis: str = "x", nbins: int = 5) -> None:
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(nbins))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(lambda v, _: fmt.vnd(v, lang))


# ---------------------------------------------------------------- figures
def components(est, *, lang: str = "vi", provenance: Provenance | None = None):
    """Per-dossier cost by component, offline vs fully online (calibrated VND)."""
    df = est.to_df()
    df = df[df["component"] != "total"].iloc[::-1]
    fig, ax = new_figure(6.4, 3.8)
    y = np.arange(len(df))
    for channel, offset, color in (("offline", 0.2, OFFLINE_COLOR), ("online", -0.2, ONLINE_COLOR)):
        ax.barh(
            y + offset,
            df[f"{channel}_vnd"],
            height=0.4,
            color=color,
            label=fmt.label(f"savings.col.{channel}", lang),
        )
    for yi, (off, on) in enumerate(zip(df["offline_vnd"], df["online_vnd"], strict=True)):
        ax.annotate(
            fmt.vnd(off - on, lang),
            (off, yi + 0.2),
            xytext=(4, -3),
            textcoords="offset points",
            fontsize=8,
            color=SAVING_COLOR,
        )
    ax.set_yticks(y, [component_label(c, lang) for c in df["component"]])
    _money_axis(ax, lang)
    ax.set_xlabel(fmt.label("savings.axis.per_dossier", lang))
    ax.set_title(
        fmt.label(
            "savings.components_title",
            lang,
            per_dossier=fmt.vnd(est.per_dossier_vnd, lang),
            bottom_up=fmt.vnd(est.bottom_up_per_dossier_vnd, lang),
        )
    )
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    attach(fig, provenance)
    return fig


def gross_incremental(est, unc, *, lang: str = "vi", provenance: Provenance | None = None):
    """Gross and incremental yearly savings with their 5-95% Monte Carlo intervals."""
    q = unc.to_df().set_index("measure")
    rows = [("savings_vnd", est.savings_vnd)]
    if est.incremental_savings_vnd is not None and "incremental_savings_vnd" in q.index:
        rows.append(("incremental_savings_vnd", est.incremental_savings_vnd))
    fig, ax = new_figure(6.5, 3.4)
    for i, (m, point) in enumerate(rows):
        ax.bar(i, point, color=SAVING_COLOR if i == 0 else ONLINE_COLOR, width=0.55)
        ax.errorbar(
            i,
            point,
            yerr=[[point - q.loc[m, "q05"]], [q.loc[m, "q95"] - point]],
            color="#333333",
            capsize=6,
        )
        ax.annotate(
            fmt.vnd(point, lang), (i, point), xytext=(8, 0), textcoords="offset points", fontsize=8
        )
    ax.set_xticks(range(len(rows)), [fmt.label(f"savings.measure.{m}", lang) for m, _ in rows])
    _money_axis(ax, lang, "y")
    ax.set_ylabel(fmt.label("savings.axis.per_year", lang))
    base = "" if est.baseline_share is None else fmt.share(est.baseline_share, lang)
    title = fmt.label("savings.gross_title", lang, share=fmt.share(est.share, lang), baseline=base)
    ax.set_title(textwrap.fill(title, 70))
    attach(fig, provenance)
    return fig


def over_time(ot, *, lang: str = "vi", provenance: Provenance | None = None):
    """Yearly (left) and cumulative discounted (right) savings: median and 5-95% band."""
    df = ot.to_df()
    fig, axes = new_figure(7.0, 3.8, ncols=2)
    for ax, measure in zip(axes, ("savings_vnd", "cumulative_savings_vnd"), strict=True):
        g = df[df["measure"] == measure].sort_values("year")
        ax.fill_between(
            g["year"],
            g["q05"],
            g["q95"],
            color=SAVING_COLOR,
            alpha=0.25,
            label=fmt.label("savings.band", lang),
        )
        ax.plot(
            g["year"],
            g["q50"],
            color=SAVING_COLOR,
            marker="o",
            label=fmt.label("savings.col.median", lang),
        )
        key = "yearly_savings_vnd" if measure == "savings_vnd" else measure
        ax.set_title(fmt.label(f"savings.measure.{key}", lang))
        _money_axis(ax, lang, "y")
        years = [int(y) for y in g["year"]]  # a year's saving on its tick, labelled
        width_in = ax.get_position().width * fig.get_figwidth()
        step = -(-len(years) // max(3, int(width_in / 0.45)))  # ~0.45 in a label
        ax.set_xticks(years[::step], [str(y) for y in years[::step]])
        ax.set_xlabel(fmt.label("word.year", lang))
        ax.set_ylim(bottom=0)
    baseline = ot.parameters.get("baseline_share")
    base_text = (
        fmt.label("savings.over_time_gross", lang)
        if baseline is None
        else fmt.label("savings.over_time_baseline", lang, baseline=fmt.share(baseline, lang))
    )
    title = fmt.label(
        "savings.over_time_title",
        lang,
        rate=fmt.share(ot.parameters.get("discount_rate", 0), lang, 0),
        basis=base_text,
    )
    fig.suptitle(textwrap.fill(title, 80), fontsize=10)
    fig.subplots_adjust(wspace=0.45, top=0.78 if len(title) > 80 else 0.82)
    legend_below(fig, *axes[0].get_legend_handles_labels(), fontsize=8)
    attach(fig, provenance)
    return fig


def tornado(tor, *, lang: str = "vi", provenance: Provenance | None = None):
    """One-at-a-time swings of the yearly saving over each input's declared range."""
    df = tor.to_df().iloc[::-1].reset_index(drop=True)
    base = tor.base_vnd
    fig, ax = new_figure(6.0, 4.4)
    for i, r in df.iterrows():
        lo, hi = r["savings_at_low_vnd"], r["savings_at_high_vnd"]
        ax.barh(i, lo - base, left=base, color=OFFLINE_COLOR, height=0.6)
        ax.barh(i, hi - base, left=base, color=SAVING_COLOR, height=0.6)
    ax.axvline(base, color=TARGET_COLOR, linewidth=1)
    ax.set_yticks(
        range(len(df)),
        [
            f"{parameter_label(p, lang)}\n({_range_text(r, lang)})"
            for p, (_, r) in zip(df["parameter"], df.iterrows(), strict=True)
        ],
        fontsize=7,
    )
    _money_axis(ax, lang, nbins=3)
    ax.set_xlabel(fmt.label("savings.axis.per_year", lang))
    ax.set_title(fmt.label("savings.tornado_title", lang, base=fmt.vnd(base, lang)))
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=OFFLINE_COLOR, label=fmt.label("savings.at_low", lang)),
            Patch(color=SAVING_COLOR, label=fmt.label("savings.at_high", lang)),
        ],
        frameon=False,
        fontsize=8,
        loc="lower right",
    )
    attach(fig, provenance)
    return fig


def _range_text(r: pd.Series, lang: str) -> str:
    unit = r["unit"]
    show = (
        fmt.vnd
        if unit.startswith("vnd")
        else (lambda v, lang: fmt.number(v, lang, 2 if v % 1 else 0))
    )
    return fmt.interval(show(r["low"], lang), show(r["high"], lang), lang)


def sobol(sob, *, lang: str = "vi", provenance: Provenance | None = None):
    """First-order (S1) and total (ST) Sobol indices with their confidence half-widths."""
    df = sob.to_df().iloc[::-1].reset_index(drop=True)
    fig, ax = new_figure(6.2, 4.2)
    y = np.arange(len(df))
    for index, offset, color in (("S1", 0.2, ONLINE_COLOR), ("ST", -0.2, SAVING_COLOR)):
        ax.barh(
            y + offset,
            df[index],
            xerr=df[f"{index}_conf"],
            height=0.4,
            color=color,
            label=index,
            error_kw={"linewidth": 0.8},
        )
    ax.set_yticks(y, [parameter_label(p, lang) for p in df["parameter"]], fontsize=7)
    ax.set_xlim(left=min(0.0, float((df["S1"] - df["S1_conf"]).min())))
    ax.set_xlabel(fmt.label("savings.axis.sobol", lang))
    ax.set_title(fmt.label("savings.sobol_title", lang))
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    attach(fig, provenance)
    return fig
