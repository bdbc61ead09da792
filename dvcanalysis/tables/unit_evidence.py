"""Display tables and reader text of the per-unit evidence (notebook 05), in vi or en.

What :mod:`dvcanalysis.unit_evidence` says about each unit (a value, an interval, or
nothing), in words; nothing here decides a status or an interval. The figures are in
:mod:`dvcanalysis.plots.unit_evidence`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dvcanalysis import citations, fmt
from dvcanalysis.tables.units import unit_name


def interval_words(low: float, high: float, lang: str, short: bool = False) -> str:
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


def list_interval_words(side: str, threshold: float, lang: str) -> str:
    """The interval a published list names: ``below`` or ``above`` ``threshold``, in words."""
    if side == "below":
        return interval_words(0.0, threshold, lang)
    return interval_words(threshold, 1.0, lang)


def flag_text(row, lang: str) -> str:
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
                        interval=list_interval_words(side, thr, lang),
                        source=citations.reader(sid, lang),
                    )
                )
        else:
            parts.append(fmt.label(f"unit_evidence.flag.{f}", lang))
    return "; ".join(parts)


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
            fmt.label("unit_evidence.col.unit", lang): [
                unit_name(r, lang) for _, r in d.iterrows()
            ],
            fmt.label("unit_evidence.col.type", lang): [
                fmt.label(f"unit_evidence.types.{t}", lang) for t in d["unit_type"]
            ],
            fmt.label("unit_evidence.col.status", lang): [
                fmt.label(f"unit_evidence.status.{s}", lang) for s in d["status"]
            ],
            fmt.label("unit_evidence.col.value", lang): [
                " / ".join(fmt.share(v, lang, 2) for v in r["values_share"])
                if r["status"] == "known"
                else interval_words(r["low_share"], r["high_share"], lang)
                for _, r in d.iterrows()
            ],
            fmt.label("unit_evidence.col.sources", lang): [
                "; ".join(citations.reader(s, lang) for s in r["source_ids"].split(";") if s)
                for _, r in d.iterrows()
            ],
            fmt.label("unit_evidence.col.flags", lang): [
                flag_text(r, lang) or "–" for _, r in d.iterrows()
            ],
        }
    ).reset_index(drop=True)


def _pct1(x: float, lang: str) -> str:
    """A share with one decimal, or none when it is a whole percentage (0%, 100%)."""
    return fmt.share(x, lang, 0 if float(round(100 * x, 1)).is_integer() else 1)


@dataclass(frozen=True)
class _Checked:
    """What the statement of one consistency check reads besides its row."""

    ue: object
    units: pd.DataFrame  # ue.units indexed by (unit_type, unit_code)
    rows: pd.DataFrame  # the evidence rows by id
    lang: str

    def name(self, unit_type: str, code: str) -> str:
        return unit_name(self.units.loc[(unit_type, code)], self.lang)

    def evidence(self, ids: str, indicator: str) -> pd.DataFrame:
        rows = self.rows.loc[[i for i in ids.split(";") if i in self.rows.index]]
        return rows[rows["indicator"] == indicator]

    def total(self, ids: str, indicator: str) -> float:
        return float(self.evidence(ids, indicator)["value"].sum())

    def n_units(self, segment: str, *, unknown: bool = False) -> int:
        of_type = self.ue.units["unit_type"].eq(_UNIT_TYPE[segment])
        if unknown:
            of_type &= self.ue.units["status"].eq("unknown")
        return int(of_type.sum())

    def segment(self, segment: str) -> str:
        key = _SEGMENT_LABEL.get(segment, "unit_evidence.types.total")
        return fmt.label(key, self.lang).capitalize()

    def share(self, x: float) -> str:
        return fmt.share(x, self.lang, 2)


_SEGMENT_LABEL = {
    "localities": "units.unit_type.province",
    "ministries": "units.unit_type.ministry",
}
_UNIT_TYPE = {"localities": "province", "ministries": "ministry"}


def _verdict(r, c: _Checked, kind: str = "") -> str:
    ok = r["consistent"]
    if kind:  # counts, list
        return fmt.label(f"unit_evidence.verdict.{kind}_{'ok' if ok else 'bad'}", c.lang)
    return fmt.label(f"unit_evidence.verdict.{'inside' if ok else 'outside'}", c.lang)


def _range_check(r, c: _Checked) -> dict:
    return {
        "segment": c.segment(r["segment"]),
        "stated": c.share(r["stated"]),
        "n": c.n_units(r["segment"]),
        "low": _pct1(r["low"], c.lang),
        "high": _pct1(r["high"], c.lang),
        "verdict": _verdict(r, c),
    }


def _unknown_mean_needed(r, c: _Checked) -> dict:
    return {
        "segment": c.segment(r["segment"]),
        "stated": c.share(r["stated"]),
        "n": c.n_units(r["segment"], unknown=True),
        "low": _pct1(min(max(r["low"], 0.0), 1.0), c.lang),
    }


def _counts_share(r, c: _Checked) -> dict:
    return {
        "unit": c.name(r["segment"], r["unit_code"]),
        "full": fmt.number(c.total(r["evidence_ids"], "dossiers_fully_online"), c.lang),
        "handled": fmt.number(c.total(r["evidence_ids"], "dossiers_handled"), c.lang),
        "computed": fmt.share(r["computed"], c.lang, 3),
        "stated": c.share(r["stated"]),
        "verdict_counts": _verdict(r, c, "counts"),
    }


def _min_dossiers_handled(r, c: _Checked) -> dict:
    full = c.evidence(r["evidence_ids"], "dossiers_fully_online")
    unit_type = _UNIT_TYPE[r["segment"]]
    return {
        "segment": c.segment(r["segment"]),
        "stated": c.share(r["stated"]),
        "units": ", ".join(c.name(unit_type, u) for u in full["unit_code"]),
        "full": fmt.number(full["value"].sum(), c.lang),
        "computed": fmt.number(int(np.ceil(r["computed"])), c.lang),
        "year": c.ue.year,
    }


def _max_dossier_weight(r, c: _Checked) -> dict:
    return {
        "unit": c.name(_UNIT_TYPE[r["segment"]], r["unit_code"]),
        "handled": fmt.number(c.total(r["evidence_ids"], "dossiers_handled"), c.lang),
        "computed": fmt.share(r["computed"], c.lang, 1),
        "segment": fmt.label(_SEGMENT_LABEL[r["segment"]], c.lang),
    }


def _implied_dossiers_handled(r, c: _Checked) -> dict:
    return {
        "unit": c.name(r["segment"], r["unit_code"]),
        "full": fmt.count(c.total(r["evidence_ids"], "dossiers_fully_online"), c.lang, 3),
        "stated": c.share(r["stated"]),
        "computed": fmt.count(r["computed"], c.lang, 2),
    }


def _list_count(r, c: _Checked) -> dict:
    side, pct = r["segment"].split("_")
    units = c.ue.units
    missing = units[
        units["flags"].map(lambda f: "omitted_from_list" in f)
        & units["flag_source_ids"].map(lambda s, sid=r["list_source_id"]: sid in s)
    ]
    verdict = _verdict(r, c, "list")
    if not missing.empty:
        verdict += " " + fmt.label(
            "unit_evidence.verdict.list_missing",
            c.lang,
            names=", ".join(unit_name(m, c.lang) for _, m in missing.iterrows()),
        )
    return {
        "interval": list_interval_words(side, int(pct.removesuffix("pct")) / 100, c.lang),
        "source": citations.reader(r["list_source_id"], c.lang),
        "stated": int(r["stated"]),
        "listed": int(r["listed"]),
        "computed": int(r["computed"]),
        "verdict_list": verdict,
    }


# The statement of each check: a label ``unit_evidence.check.<check>`` filled by its function.
_CHECKS = {
    "unweighted_mean_range": _range_check,
    "weighted_range": _range_check,
    "unknown_mean_needed": _unknown_mean_needed,
    "counts_share": _counts_share,
    "min_dossiers_handled": _min_dossiers_handled,
    "max_dossier_weight": _max_dossier_weight,
    "implied_dossiers_handled": _implied_dossiers_handled,
    "list_count": _list_count,
}


def consistency_statements(ue, cons, *, lang: str = "vi"):
    """The consistency checks (:func:`dvcanalysis.unit_evidence.consistency`) as a Markdown
    list of statements, numbers formatted, sources by outlet and date (no evidence ids).

    A check this display does not know yet says nothing rather than guess.
    """
    from IPython.display import Markdown  # noqa: PLC0415

    fmt.check_lang(lang)
    c = cons.to_df()
    if c.empty:
        return Markdown(fmt.label("unit_evidence.checks.none", lang, year=ue.year))
    checked = _Checked(
        ue=ue,
        units=ue.units.set_index(["unit_type", "unit_code"]),
        rows=ue.rows.set_index("id"),
        lang=lang,
    )
    lines = [
        "- "
        + fmt.label(f"unit_evidence.check.{r['check']}", lang, **_CHECKS[r["check"]](r, checked))
        for _, r in c.iterrows()
        if r["check"] in _CHECKS
    ]
    return Markdown("\n".join(lines))
