"""Display tables and reader text of the savings model (notebook 03), in vi or en.

Every function takes result objects of :mod:`dvcanalysis.savings` (or their ``.to_df()``) and
formats them through :mod:`dvcanalysis.fmt`; nothing here computes the model.
"""

from __future__ import annotations

import math

import pandas as pd

from dvcanalysis import fmt


def component_label(c: str, lang: str) -> str:
    """The display name of a cost component (``time``, ``travel``...)."""
    return fmt.label(f"savings.component.{c}", lang)


def parameter_label(name: str, lang: str) -> str:
    """The display name of a savings parameter (its name when it has no label)."""
    key = f"savings.param.{name}"
    return fmt.label(key, lang) if fmt.has_label(key) else name


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
        source=fmt.md(_reference_source(ref, lang)),
    )


def _reference_source(ref, lang: str) -> str:
    """The official claim's sources as readers cite them (no evidence ids)."""
    from dvcanalysis import citations, evidence

    ev = evidence.load().set_index("id")
    ids = [ref.ids[k] for k in ("dossiers_online", "share", "saving") if ref.ids[k] in ev.index]
    return "; ".join(
        citations.reader(s, lang) for s in dict.fromkeys(ev.loc[i, "source_id"] for i in ids)
    )


def components_table(est, lang: str = "vi") -> pd.DataFrame:
    """The per-dossier cost by component, offline and online, formatted."""
    df = est.to_df()
    out = pd.DataFrame(
        {
            fmt.label("savings.col.component", lang): [
                component_label(c, lang) for c in df["component"]
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
            fmt.label("savings.col.parameter", lang): [
                parameter_label(p, lang) for p in df["parameter"]
            ],
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


def by_year_table(ot, lang: str = "vi") -> pd.DataFrame:
    """The briefing's savings table: one row per year, the yearly and the cumulative saving
    (median and 90% interval), in billions of dong without decimals in every cell."""
    L = lambda k: fmt.label(k, lang)  # noqa: E731
    df = ot.to_df()
    billions = lambda x: fmt.number(x / 1e9, lang, 0)  # noqa: E731
    rows = []
    for year in sorted(df["year"].unique()):
        row = {L("briefing.col.year"): str(int(year))}
        for measure, col in (
            ("savings_vnd", "briefing.col.yearly"),
            ("cumulative_savings_vnd", "briefing.col.cumulative"),
        ):
            r = df[(df["measure"] == measure) & (df["year"] == year)].iloc[0]
            row[f"{L(col)}: {L('briefing.col.median')}"] = billions(r["q50"])
            row[f"{L(col)}: {L('briefing.col.interval')}"] = fmt.interval(
                billions(r["q05"]), billions(r["q95"]), lang
            )
        rows.append(row)
    return pd.DataFrame(rows)


def baseline_md(lang: str = "vi") -> str:
    """Markdown: the default baseline share of incremental savings, as the evidence gives it
    when the notebook runs (value, segment, period, source)."""
    from dvcanalysis import citations, evidence, savings

    ref = savings.reference()
    row = evidence.load().set_index("id").loc[ref.ids["baseline_share"]]
    return fmt.label(
        "savings.text.baseline",
        lang,
        share=fmt.share_as_published(ref.baseline_share, lang),
        segment=fmt.label(f"segment.{row['segment']}", lang),
        period=fmt.period(row["period"], lang),
        source=fmt.md(citations.reader(row["source_id"], lang)),
    )


def reading_md(lang: str = "vi") -> str:
    """Markdown: what the official reference case implies (hours of the average wage per
    dossier, the total dossiers), computed from the evidence and ``savings.yml`` at run time."""
    from dvcanalysis import savings
    from dvcanalysis.savings.config import load_config
    from dvcanalysis.savings.model import parameter_values

    ref = savings.reference()
    v = parameter_values({}, config=load_config(None))
    hours = ref.per_dossier_vnd / v["value_of_time_vnd_per_hour"]
    return fmt.label(
        "savings.text.reading",
        lang,
        saving=fmt.vnd(ref.saving_vnd, lang),
        per_dossier=fmt.vnd(round(ref.per_dossier_vnd, -3), lang, 0),
        hours=fmt.number(hours, lang, 1),
        day_share=fmt.share(hours / v["hours_per_day"], lang),
        people=fmt.count(ref.people, lang),
        dossiers=fmt.count(ref.dossiers_online, lang),
        total=fmt.count(ref.total_dossiers, lang),
    )
