"""Numbers as the sources write them: does an evidence row's value appear in its quote?

A typo in a new evidence row (``0.19`` typed for "17%") should be caught before it reaches a
briefing, so :func:`value_in_quote` reads every number of a quote in both conventions
(Vietnamese ``2.600`` / ``17,5``; English ``2,600`` / ``17.5``), with its scale word
(``tỷ``, ``triệu``, ``nghìn tỷ``, ``billion``, ``million``, ``%`` ...) or a scale word stated
elsewhere in the quote ("7.1 million VND in 2023 (urban 8.7 ...)"), and small numbers written
as words ("hai", "gấp đôi", "one", "eight").

Examples
--------
>>> value_in_quote(0.17, "share", "mới chỉ 17% hồ sơ ở địa phương")
True
>>> value_in_quote(2.6e12, "vnd_per_year", "khoảng 2.600 tỷ đồng/năm")
True
>>> value_in_quote(17.5e6, "count", "17,5 triệu người dân")
True
>>> value_in_quote(0.19, "share", "mới chỉ 17% hồ sơ")
False
"""

from __future__ import annotations

import math
import re

# A number: digits with thousands groups ("2.600", "115,665") and an optional decimal part.
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)")
# Scale words, longest first ("nghìn tỷ" before "tỷ" and "nghìn").
_SCALES: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"(nghìn|ngàn)\s+tỷ", re.I), 1e12),
    (re.compile(r"tỷ", re.I), 1e9),
    (re.compile(r"triệu", re.I), 1e6),
    (re.compile(r"(nghìn|ngàn)", re.I), 1e3),
    (re.compile(r"trillion", re.I), 1e12),
    (re.compile(r"billion", re.I), 1e9),
    (re.compile(r"million", re.I), 1e6),
    (re.compile(r"thousand", re.I), 1e3),
    (re.compile(r"(%|phần trăm|percent)", re.I), 0.01),
)
_WORDS = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
    "mười": 10, "gấp đôi": 2, "gấp ba": 3,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twice": 2, "double": 2, "doubled": 2,
}  # fmt: skip
_WORD = re.compile(r"(?<!\w)(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")(?!\w)", re.I)
# What marks a row whose value is implied rather than written (said in its note).
IMPLIED_MARK = "value implied:"


def _readings(token: str) -> set[float]:
    """A number token read both ways: ``.`` or ``,`` as the thousands separator."""
    out = set()
    for thousands, decimal in ((".", ","), (",", ".")):
        groups = token.split(thousands)
        if len(groups) > 1 and not all(len(g) == 3 for g in groups[1:]):
            continue  # not a thousands grouping in this convention
        try:
            out.add(float(token.replace(thousands, "").replace(decimal, ".")))
        except ValueError:
            pass
    return out


def _scale_after(text: str) -> float | None:
    for pattern, scale in _SCALES:
        m = pattern.match(text.lstrip())
        if m:
            return scale
    return None


def quote_values(quote: str) -> set[float]:
    """Every value a quote states: each number, as written, times its scale word, and times
    any scale word the quote states elsewhere (for lists such as "7.1 million (urban 8.7)")."""
    scales_anywhere = {s for p, s in _SCALES if p.search(quote)}
    values: set[float] = set()
    for m in _NUMBER.finditer(quote):
        own = _scale_after(quote[m.end() : m.end() + 14])
        for x in _readings(m.group(1)):
            values.add(x)
            if own is not None:
                values.add(x * own)
            values.update(x * s for s in scales_anywhere)
    values.update(float(_WORDS[m.group(1).lower()]) for m in _WORD.finditer(quote))
    return values


def value_in_quote(value: float, unit: str, quote: str) -> bool:
    """Whether ``value`` (in ``unit``; shares 0-1) is a number that ``quote`` states."""
    candidates = {float(value)}
    if unit.startswith("share"):
        candidates.add(float(value) * 100)  # "17" in "17 phần trăm" read without its scale
    return any(
        math.isclose(v, c, rel_tol=1e-9, abs_tol=1e-12)
        for v in quote_values(quote)
        for c in candidates
    )
