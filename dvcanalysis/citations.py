"""Sources as readers cite them: issuing body or outlet, title or document number, date.

The source table (``data/sources.csv``) is a machine record: ids, raw file names, notes for
maintainers. Readers see :func:`reader` (one source) and :class:`Notes` (numbered notes, so a
briefing can refer to "[2]" instead of an evidence id). The wording per source lives in
``dvcanalysis/labels/sources.yml`` (``source.<id>``, vi and en); a source without an entry is
cited from its outlet and title columns with anything that names a file or an id removed.

Examples
--------
>>> from dvcanalysis import citations
>>> citations.reader("ref_decree74", "en")  # doctest: +SKIP
'Government, Decree 74/2024/NĐ-CP on the regional minimum wage from 1 July 2024, 1 Jul 2024'
"""

from __future__ import annotations

import re

from dvcanalysis import evidence, fmt

# what a source's outlet or title may carry that readers must not see
_MACHINE = re.compile(
    r"\s*\((?:as summarised in|outlet not named)[^)]*\)|\s*\[[^\]]*\]|\S*/\S*\.(?:md|txt|csv)\b"
)


def _when(row, lang: str) -> str:
    when = row["published_date"] or row["event_date"]
    if not when:
        return fmt.label("word.unknown_date", lang)
    return fmt.day(when, lang) if len(when) == 10 else fmt.period(when, lang)


def reader(source_id: str, lang: str = "vi") -> str:
    """One source as a reader cites it: ``outlet, title, date`` in ``lang``.

    Raises
    ------
    InputError
        If ``source_id`` is not in the source table (the message lists the known ids).
    """
    fmt.check_lang(lang)
    src = evidence.load_sources()
    if source_id not in src.index:
        evidence.source_label(source_id, lang)  # raises the one-line error naming the known ids
    row = src.loc[source_id]
    key = f"source.{source_id}"
    if fmt.has_label(key):
        body = fmt.label(key, lang, date="{date}")
        if (
            "{date}" in body
        ):  # a decision or a law is cited with its date inside: "942/QĐ-TTg of 15 Jun 2021"
            return body.replace("{date}", _when(row, lang))
    else:
        outlet = _MACHINE.sub("", row["outlet"]).strip() or fmt.label("citation.unnamed", lang)
        title = _MACHINE.sub("", row["title"]).strip()
        body = f"{outlet}, “{title}”" if title else outlet
    return f"{body}, {_when(row, lang)}"


def quote(evidence_id: str, lang: str = "vi") -> str:
    """One evidence row as a reader cites it: the quote (vi) or gloss and quote (en), then
    the source (outlet, title, date)."""
    fmt.check_lang(lang)
    ev = evidence.load().set_index("id")
    if evidence_id not in ev.index:
        evidence.cite(evidence_id, lang)  # raises the one-line error
    row = ev.loc[evidence_id]
    text = row["quote_vi"] or row["quote_ref"]
    if lang == "en" and row["gloss_en"]:
        text = f"{row['gloss_en']} (“{text}”)"
    else:
        text = f"“{text}”"
    return f"{text} — {reader(row['source_id'], lang)}"


def short(source_id: str, lang: str = "vi") -> str:
    """A compact citation for table cells: the issuing body or outlet only (no title, no date)."""
    text = reader(source_id, lang)
    return text.split(", ", 1)[0]


def is_secondary(source_id: str) -> bool:
    """Whether a source is secondary (named in the reference notes, not a primary article)."""
    src = evidence.load_sources()
    return source_id in src.index and src.loc[source_id, "kind"] != "seed"


class Notes:
    """Numbered source notes in order of first mention: ``notes.ref("seed000") -> "[1]"``."""

    def __init__(self, lang: str) -> None:
        self.lang = fmt.check_lang(lang)
        self._ids: list[str] = []

    def number(self, source_id: str) -> int:
        """The note number of ``source_id`` (added at the end if new)."""
        if source_id not in self._ids:
            reader(source_id, self.lang)  # unknown ids fail here, not in the rendered page
            self._ids.append(source_id)
        return self._ids.index(source_id) + 1

    def ref(self, *source_ids: str) -> str:
        """``[1]`` or ``[1, 3]`` for the given sources."""
        nums = sorted({self.number(s) for s in source_ids})
        return "[" + ", ".join(str(n) for n in nums) + "]" if nums else ""

    @property
    def ids(self) -> list[str]:
        """Source ids in note order (for machine records)."""
        return list(self._ids)

    def lines(self) -> list[str]:
        """The notes, in order, each as a reader citation (without its number)."""
        return [reader(s, self.lang) for s in self._ids]


def footer(source_ids, lang: str = "vi", *, note: str = "") -> str:
    """A figure or table footer for readers: ``Sources: a; b`` (no ids, parameters or paths)."""
    ids = sorted(set(source_ids))
    parts = []
    if ids:
        parts.append(
            f"{fmt.label('word.sources', lang)}: " + "; ".join(reader(s, lang) for s in ids)
        )
    if note:
        parts.append(fmt.label(note, lang) if fmt.has_label(note) else note)
    return " | ".join(parts)
