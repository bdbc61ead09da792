"""Figures and display tables of the savings model (notebook 03).

Every function takes result objects of :mod:`dvcanalysis.savings` (or their ``.to_df()``) and
draws or formats them; nothing here computes the model. A figure's provenance is its result's
(``result.provenance()``).
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd

from dvcanalysis import fmt
from dvcanalysis.plots._base import SEGMENT_COLORS, TARGET_COLOR, Provenance, add_footer, new_figure

OFFLINE_COLOR = "#7f8c8d"
ONLINE_COLOR = SEGMENT_COLORS["national"]
SAVING_COLOR = SEGMENT_COLORS["localities"]


def _component(c: str, lang: str) -> str:
    return fmt.label(f"savings.component.{c}", lang)


def _param(name: str, lang: str) -> str:
    key = f"savings.param.{name}"
    return fmt.label(key, lang) if fmt.has_label(key) else name


def _money_axis(ax, lang: str, axis: str = "x") -> None:
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(5))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(lambda v, _: fmt.vnd(v, lang))


# ---------------------------------------------------------------- text and tables
def reference_text(est, ref, lang: str = "vi") -> str:
    """Markdown: the official arithmetic and the model's reproduction of it."""
    return fmt.label(
        "savings.reference_text",
        lang,
        dossiers_online=fmt.count(ref.dossiers_online, lang),
        share=fmt.share(ref.share, lang),
        saving=fmt.vnd(ref.saving_vnd, lang),
        total=fmt.count(ref.total_dossiers, lang),
        per_dossier=fmt.vnd(ref.per_dossier_vnd, lang),
        model_online=fmt.count(est.dossiers_online, lang),
        model_saving=fmt.vnd(est.savings_vnd, lang),
        bottom_up=fmt.vnd(est.bottom_up_per_dossier_vnd, lang),
        factor=fmt.number(est.calibration_factor, lang, 2),
        ratio=fmt.number(est.cost_ratio_offline_to_online, lang, 1),
        ids=", ".join(ref.ids[k] for k in ("dossiers_online", "share", "saving")),
    )


def components_table(est, lang: str = "vi") -> pd.DataFrame:
    """The per-dossier cost by component, offline and online, formatted."""
    df = est.to_df()
    out = pd.DataFrame(
        {
            fmt.label("savings.col.component", lang): [
                _component(c, lang) for c in df["component"]
            ],
            fmt.label("savings.col.offline", lang): [fmt.vnd(v, lang) for v in df["offline_vnd"]],
            fmt.label("savings.col.online", lang): [fmt.vnd(v, lang) for v in df["online_vnd"]],
            fmt.label("savings.col.saving", lang): [fmt.vnd(v, lang) for v in df["saving_vnd"]],
            fmt.label("savings.col.bottom_up", lang): [
                fmt.vnd(v, lang) for v in df["bottom_up_saving_vnd"]
            ],
            fmt.label("savings.col.per_year", lang): [
                fmt.vnd(v, lang) for v in df["savings_vnd_per_year"]
            ],
        }
    )
    return out


def quantiles_table(unc, lang: str = "vi") -> pd.DataFrame:
    """Monte Carlo quantiles (5%, median, 95%) of each measure, formatted."""
    df = unc.to_df()
    return pd.DataFrame(
        {
            fmt.label("savings.col.measure", lang): [
                fmt.label(f"savings.measure.{m}", lang) for m in df["measure"]
            ],
            "5%": [fmt.vnd(v, lang) for v in df["q05"]],
            fmt.label("savings.col.median", lang): [fmt.vnd(v, lang) for v in df["q50"]],
            "95%": [fmt.vnd(v, lang) for v in df["q95"]],
        }
    )


def sobol_table(sob, lang: str = "vi") -> pd.DataFrame:
    """Sobol indices with their 95% confidence half-widths, formatted."""
    df = sob.to_df()
    return pd.DataFrame(
        {
            fmt.label("savings.col.parameter", lang): [_param(p, lang) for p in df["parameter"]],
            "S1": [
                f"{fmt.number(s, lang, 2)} ± {fmt.number(c, lang, 2)}"
                for s, c in zip(df["S1"], df["S1_conf"], strict=True)
            ],
            "ST": [
                f"{fmt.number(s, lang, 2)} ± {fmt.number(c, lang, 2)}"
                for s, c in zip(df["ST"], df["ST_conf"], strict=True)
            ],
        }
    )


def audit_table(df: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The claims audit (:func:`dvcanalysis.savings.claims_audit`) formatted for display.

    The note of each claim is a label template filled with that row's numbers and the
    reference row's (the one whose verdict is ``reference``); the ratio column is headed with
    the reference claim's value and the wage's year comes from ``wage_period``.
    """

    def _period(p: object, lang: str) -> str:
        return "–" if missing(p) or p == "" else fmt.period(str(p), lang)

    def missing(v: object) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v))

    def money(v: float) -> str:
        return "–" if missing(v) else fmt.vnd(v, lang)

    def cnt(v: float) -> str:
        return "–" if missing(v) else fmt.count(v, lang)

    def num(v: float, d: int = 1) -> str:
        return "–" if missing(v) else fmt.number(v, lang, d)

    ref = df[df["verdict"] == "reference"].iloc[0]
    ref_saving = money(ref["claim_vnd_per_year"])
    notes = []
    for _, r in df.iterrows():
        notes.append(
            fmt.label(
                r["note"],
                lang,
                total=cnt(ref["implied_dossiers"]),
                ref_per_dossier=money(ref["implied_per_dossier_vnd"]),
                ref_hours=num(ref["implied_hours_of_avg_wage"]),
                ref_saving=ref_saving,
                ratio=num(r["ratio"], 2),
                implied_dossiers=cnt(r["implied_dossiers"]),
                implied_per_dossier=money(r["implied_per_dossier_vnd"]),
                vnd_per_hour=money(r["implied_vnd_per_hour"]),
                wage_ratio=num(r["implied_wage_ratio"], 2),
                wage_period=_period(r.get("wage_period"), lang),
                online_dossiers=cnt(r.get("stated_online_dossiers", math.nan)),
                per_online_dossier=money(r.get("per_stated_online_dossier_vnd", math.nan)),
            )
        )
    return pd.DataFrame(
        {
            fmt.label("savings.col.claim", lang): [
                fmt.label(f"savings.audit.claim.{c}", lang) for c in df["claim"]
            ],
            fmt.label("savings.col.period", lang): [fmt.period(p, lang) for p in df["period"]],
            fmt.label("savings.col.claim_value", lang): [
                money(v) for v in df["claim_vnd_per_year"]
            ],
            fmt.label("savings.col.implied_dossiers", lang): [
                cnt(v) for v in df["implied_dossiers"]
            ],
            fmt.label("savings.col.implied_per_dossier", lang): [
                money(v) for v in df["implied_per_dossier_vnd"]
            ],
            fmt.label("savings.col.hours", lang): [num(v) for v in df["implied_hours_of_avg_wage"]],
            fmt.label("savings.col.ratio", lang, ref_saving=ref_saving): [
                f"{num(r, 2)} ({fmt.label(f'savings.basis.{b}', lang)})"
                for r, b in zip(df["ratio"], df["basis"], strict=True)
            ],
            fmt.label("savings.col.verdict", lang): [
                fmt.label(f"savings.verdict.{v}", lang) for v in df["verdict"]
            ],
            fmt.label("savings.col.note", lang): notes,
            fmt.label("savings.col.evidence", lang): list(
                df["evidence_ids"].str.replace(";", ", ")
            ),
        }
    )


# ---------------------------------------------------------------- figures
def components(est, *, lang: str = "vi", provenance: Provenance | None = None):
    """Per-dossier cost by component, offline vs fully online (calibrated VND)."""
    df = est.to_df()
    df = df[df["component"] != "total"].iloc[::-1]
    fig, ax = new_figure(7.5, 3.8)
    y = np.arange(len(df))
    ax.barh(
        y + 0.2,
        df["offline_vnd"],
        height=0.4,
        color=OFFLINE_COLOR,
        label=fmt.label("savings.col.offline", lang),
    )
    ax.barh(
        y - 0.2,
        df["online_vnd"],
        height=0.4,
        color=ONLINE_COLOR,
        label=fmt.label("savings.col.online", lang),
    )
    for yi, (off, on) in enumerate(zip(df["offline_vnd"], df["online_vnd"], strict=True)):
        ax.annotate(
            fmt.vnd(off - on, lang),
            (off, yi + 0.2),
            xytext=(4, -3),
            textcoords="offset points",
            fontsize=7,
            color=SAVING_COLOR,
        )
    ax.set_yticks(y, [_component(c, lang) for c in df["component"]])
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
    add_footer(fig, provenance, lang)
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
    add_footer(fig, provenance, lang)
    return fig


def over_time(ot, *, lang: str = "vi", provenance: Provenance | None = None):
    """Yearly (left) and cumulative discounted (right) savings: median and 5-95% band."""
    df = ot.to_df()
    fig, axes = new_figure(9, 3.8, ncols=2)
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
        ax.set_xticks(list(g["year"]))
        ax.set_xlabel(fmt.label("word.year", lang))
        ax.set_ylim(bottom=0)
    axes[0].legend(frameon=False, fontsize=8, loc="upper left")
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
    fig.suptitle(textwrap.fill(title, 95), fontsize=10)
    fig.subplots_adjust(wspace=0.45, top=0.78 if len(title) > 95 else 0.82)
    add_footer(fig, provenance, lang)
    return fig


def tornado(tor, *, lang: str = "vi", provenance: Provenance | None = None):
    """One-at-a-time swings of the yearly saving over each input's declared range."""
    df = tor.to_df().iloc[::-1].reset_index(drop=True)
    base = tor.base_vnd
    fig, ax = new_figure(8, 4.4)
    for i, r in df.iterrows():
        lo, hi = r["savings_at_low_vnd"], r["savings_at_high_vnd"]
        ax.barh(i, lo - base, left=base, color=OFFLINE_COLOR, height=0.6)
        ax.barh(i, hi - base, left=base, color=SAVING_COLOR, height=0.6)
    ax.axvline(base, color=TARGET_COLOR, linewidth=1)
    ax.set_yticks(
        range(len(df)),
        [
            f"{_param(p, lang)} ({_range_text(r, lang)})"
            for p, (_, r) in zip(df["parameter"], df.iterrows(), strict=True)
        ],
        fontsize=7,
    )
    _money_axis(ax, lang)
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
    add_footer(fig, provenance, lang)
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
    fig, ax = new_figure(7.5, 4.2)
    y = np.arange(len(df))
    ax.barh(
        y + 0.2,
        df["S1"],
        xerr=df["S1_conf"],
        height=0.4,
        color=ONLINE_COLOR,
        label="S1",
        error_kw={"linewidth": 0.8},
    )
    ax.barh(
        y - 0.2,
        df["ST"],
        xerr=df["ST_conf"],
        height=0.4,
        color=SAVING_COLOR,
        label="ST",
        error_kw={"linewidth": 0.8},
    )
    ax.set_yticks(y, [_param(p, lang) for p in df["parameter"]], fontsize=7)
    ax.set_xlim(left=min(0.0, float((df["S1"] - df["S1_conf"]).min())))
    ax.set_xlabel(fmt.label("savings.axis.sobol", lang))
    ax.set_title(fmt.label("savings.sobol_title", lang))
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    add_footer(fig, provenance, lang)
    return fig


def over_time_table(ot, lang: str = "vi") -> pd.DataFrame:
    """Yearly and cumulative savings by year (median and 5-95%), formatted."""
    df = ot.to_df()
    rows = []
    for measure in ("savings_vnd", "cumulative_savings_vnd"):
        key = "yearly_savings_vnd" if measure == "savings_vnd" else measure
        for _, r in df[df["measure"] == measure].sort_values("year").iterrows():
            rows.append(
                {
                    fmt.label("savings.col.measure", lang): fmt.label(
                        f"savings.measure.{key}", lang
                    ),
                    fmt.label("word.year", lang): str(int(r["year"])),
                    "5%": fmt.vnd(r["q05"], lang),
                    fmt.label("savings.col.median", lang): fmt.vnd(r["q50"], lang),
                    "95%": fmt.vnd(r["q95"], lang),
                }
            )
    return pd.DataFrame(rows)
