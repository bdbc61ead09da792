"""Display tables and reader text of the evidence base (notebook 01), in vi or en."""

from __future__ import annotations

import re

import pandas as pd

from dvcanalysis import citations, evidence, fmt
from dvcanalysis.tables._base import label_or, reader_index
from dvcanalysis.vocabulary import SEGMENTS

_UNITS_DISPLAY = {
    "share": fmt.share_as_published,
    "count": fmt.count,
    "count_per_year": fmt.count,
    "vnd": fmt.vnd,
    "vnd_per_year": fmt.vnd,
    "vnd_per_month": fmt.vnd,
    "vnd_per_hour": fmt.vnd,
}


def value_text(value: float, unit: str, lang: str = "vi") -> str:
    """A value in its unit, for tables (``2.600 tỷ đồng``, ``17,5 triệu``, ``70%``)."""
    f = _UNITS_DISPLAY.get(unit)
    if f is None and fmt.has_label(f"unit.{unit}"):
        n = (
            fmt.count(value, lang, 2)
            if unit == "usd_per_year"
            else fmt.number(value, lang, 2 if value % 1 else 0)
        )
        return fmt.label(f"unit.{unit}", lang, n=n)
    text = f(value, lang) if f else fmt.number(value, lang, 2 if value % 1 else 0)
    if unit.endswith("_per_year"):
        text += "/năm" if lang == "vi" else " a year"
    return text


def claims_table(lang: str = "vi", kinds: tuple[str, ...] = ("claim", "target")) -> pd.DataFrame:
    """Official claims and targets with their value, period, source and quote (display table)."""
    ev = evidence.load()
    sel = ev[ev["kind"].isin(kinds)].sort_values(["kind", "period_end", "id"])
    rows = []
    for _, r in sel.iterrows():
        rows.append(
            {
                fmt.label("word.kind", lang): label_or(f"kind.{r['kind']}", r["kind"], lang),
                fmt.label("word.indicator", lang): label_or(
                    f"indicator.{r['indicator']}", r["indicator"], lang
                ),
                fmt.label("word.segment", lang): label_or(
                    f"segment.{r['segment']}", r["segment"], lang
                ),
                fmt.label("evidence.col_period", lang): fmt.period(r["period"], lang),
                fmt.label("evidence.col_bound", lang): fmt.label(f"bound.{r['bound']}", lang),
                fmt.label("word.value", lang): value_text(r["value"], r["unit"], lang),
                fmt.label("word.source", lang): citations.reader(r["source_id"], lang),
                fmt.label("word.quote", lang): _statement(r, lang),
            }
        )
    return reader_index(pd.DataFrame(rows))


def counts_table(lang: str = "vi") -> pd.DataFrame:
    """Evidence rows counted by source (rows) and kind (columns), with totals."""
    s = evidence.summary()
    wide = s.pivot(index="source_id", columns="kind", values="rows").fillna(0).astype(int)
    wide.index = [citations.short(i, lang) for i in wide.index]
    wide = wide.groupby(level=0, sort=False).sum()  # one outlet cited by several sources
    wide["Σ"] = wide.sum(axis=1)
    wide.loc["Σ"] = wide.sum(axis=0)
    wide.columns = [label_or(f"kind.{k}", k, lang) for k in wide.columns]
    wide.index.name = fmt.label("word.source", lang)
    return wide


def overview(lang: str = "vi") -> str:
    """One Markdown line: how many evidence rows and sources the base holds."""
    ev = evidence.load()
    return fmt.label("evidence.overview", lang, rows=len(ev), sources=ev["source_id"].nunique())


def _latest(s: pd.DataFrame) -> pd.Series:
    """The latest row of a series; of two reports of the same period, the more precise."""
    last = s[s["period_end"] == s["period_end"].max()]
    digits = last["value"].map(lambda v: len(f"{100 * float(v):.6g}".partition(".")[2]))
    return last.loc[digits.idxmax()]


def headline(lang: str = "vi") -> str:
    """Markdown lines: the latest fully-online figure of each segment and the official targets,
    each target value cited by the sources that state it (read from the evidence at run time)."""
    lines = []
    for segment in ("ministries", "localities", "locality_best", "national"):
        s = evidence.series("fully_online_share", segment)
        if s.empty:
            continue
        last = _latest(s)
        seg = label_or(f"segment.{segment}", segment, lang)
        when = fmt.period(last["period"], lang)
        lines.append(
            f"- **{fmt.md(seg)}** ({when}): **{fmt.share_as_published(last['value'], lang)}** — "
            f"{fmt.md(citations.reader(last['source_id'], lang))}"
        )
    for segment in SEGMENTS:
        t = evidence.series("fully_online_share", segment, kind="target")
        if t.empty:
            continue
        seg = label_or(f"segment.{segment}", segment, lang)
        parts = []
        for (period, value), g in t.groupby(["period", "value"], sort=True):
            cites = "; ".join(citations.reader(x, lang) for x in dict.fromkeys(g["source_id"]))
            parts.append(f"{fmt.period(period, lang)}: {fmt.share(value, lang)} ({fmt.md(cites)})")
        lines.append(f"- {fmt.label('kind.target', lang)} **{fmt.md(seg)}**: " + "; ".join(parts))
    return "\n".join(lines)


def summary_md(lang: str = "vi") -> str:
    """Markdown: how many fully-online figures each segment has and of which periods, read
    from the evidence when the notebook runs (so a data update cannot make the prose false)."""
    parts = []
    for segment in SEGMENTS:
        s = evidence.series("fully_online_share", segment)
        seg = label_or(f"segment.{segment}", segment, lang)
        if s.empty:
            parts.append(fmt.label("evidence.summary.none", lang, segment=seg))
            continue
        periods = ", ".join(dict.fromkeys(fmt.period(p, lang) for p in s["period"]))
        secondary = sum(citations.is_secondary(x) for x in s["source_id"])
        parts.append(
            fmt.label(
                "evidence.summary.some",
                lang,
                segment=seg,
                n=len(s),
                periods=periods,
                secondary=secondary,
            )
        )
    return fmt.label("evidence.summary.head", lang) + " " + "; ".join(parts) + "."


_MD_MARKS = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")


def clean_quote(text: str) -> str:
    """A quote as readers see it: no Markdown emphasis, no table pipes.

    >>> clean_quote("| national | 45.8% | 50% |"), clean_quote("gives **45%** for 2024")
    ('national, 45.8%, 50%', 'gives 45% for 2024')
    """
    text = _MD_MARKS.sub("", str(text))
    if "|" in text:
        text = ", ".join(c.strip() for c in text.strip().strip("|").split("|") if c.strip())
    return text.strip()


def _statement(e: pd.Series, lang: str) -> str:
    """The quote of an evidence row: the Vietnamese original, or in English the gloss; an
    English source's own words are shown clean, marked as English."""
    if lang == "en" and e["gloss_en"]:
        return clean_quote(e["gloss_en"])
    if e["quote_vi"]:
        return clean_quote(e["quote_vi"])
    if e["gloss_en"]:
        return f"“{clean_quote(e['gloss_en'])}” ({fmt.label('evidence.english_summary', lang)})"
    if e["quote_ref"]:
        return f"“{clean_quote(e['quote_ref'])}” ({fmt.label('evidence.english_original', lang)})"
    return ""


def sources_table(lang: str = "vi") -> pd.DataFrame:
    """The sources behind the evidence as readers cite them, and the rows each gives."""
    src = evidence.load_sources()
    n = evidence.load().groupby("source_id").size()
    return reader_index(
        pd.DataFrame(
            {
                fmt.label("word.source", lang): [citations.reader(s, lang) for s in src.index],
                fmt.label("word.count", lang): [int(n.get(s, 0)) for s in src.index],
            }
        )
    )


def disagreements_table(lang: str = "vi") -> pd.DataFrame:
    """Where sources disagree (:func:`dvcanalysis.evidence.disagreements`), as a display table.

    One row per figure involved, grouped: the quantity, its period, the value each source
    gives, the source as a reader cites it, and the statement (the quote in Vietnamese, the
    English gloss in English).
    """
    ev = evidence.load().set_index("id")
    rows = []
    for _, r in evidence.disagreements().iterrows():
        e = ev.loc[r["id"]]
        who = label_or(f"segment.{r['segment']}", r["segment"], lang)
        if r["unit_code"]:
            who = f"{who} ({r['unit_code']})"
        statement = _statement(e, lang)
        rows.append(
            {
                fmt.label("evidence.col_group", lang): int(r["group"]),
                fmt.label("word.indicator", lang): label_or(
                    f"indicator.{r['indicator']}", r["indicator"], lang
                ),
                fmt.label("word.segment", lang): who,
                fmt.label("word.kind", lang): label_or(f"kind.{r['kind']}", r["kind"], lang),
                fmt.label("evidence.col_period", lang): fmt.period(r["period"], lang),
                fmt.label("word.value", lang): value_text(r["value"], r["unit"], lang),
                fmt.label("word.source", lang): citations.reader(r["source_id"], lang),
                fmt.label("word.quote", lang): statement,
            }
        )
    return reader_index(pd.DataFrame(rows))
