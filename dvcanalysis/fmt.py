"""Every display string: labels and number formats in Vietnamese and English.

Nothing else in the package formats numbers for people. Models return numbers;
notebooks, plots and briefings ask this module for text.

Labels live in ``dvcanalysis/labels/*.yml`` (one file per topic, each key
mapping to ``{vi: ..., en: ...}``); a key defined twice is an error.

Number conventions
------------------
=========  ==========================  ============================
what       vi                          en
=========  ==========================  ============================
money      ``2.600 tỷ đồng``           ``VND 2,600 billion``
count      ``17,5 triệu``              ``17.5 million``
share      ``17%``, ``43,4%``          ``17%``, ``43.4%``
date       ``31/8/2024``               ``31 Aug 2024``
=========  ==========================  ============================
"""

from __future__ import annotations

import html
import math
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

from dvcanalysis import _io
from dvcanalysis.errors import InputError, check_choice

LANGS = ("vi", "en")
_LABEL_DIR = Path(__file__).parent / "labels"
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# (threshold, vi word, en word); money is shown in billions from 1e9 up, as
# Vietnamese official texts do ("2.600 tỷ đồng", not "2,6 nghìn tỷ").
_COUNT_SCALES = ((1e9, "tỷ", "billion"), (1e6, "triệu", "million"))
_MONEY_SCALES = ((1e9, "tỷ", "billion"), (1e6, "triệu", "million"))


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``"vi"`` or ``"en"``, else raise :class:`InputError`."""
    check_choice("lang", lang, LANGS)
    return lang


# ---------------------------------------------------------------- labels
@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(_LABEL_DIR.glob("*.yml")):
        data = _io.read_yaml(path, what="label file (YAML)") or {}
        if not isinstance(data, dict):
            raise InputError(
                f"{path.name}: expected a mapping of label key to {{vi: ..., en: ...}}"
            )
        for key, value in data.items():
            if key in merged:
                raise InputError(f"{path.name}: label {key!r} is defined twice")
            if not isinstance(value, dict) or set(value) != set(LANGS):
                raise InputError(f"{path.name}: label {key!r} needs exactly the keys vi and en")
            merged[key] = {k: str(v) for k, v in value.items()}
    return merged


def label(key: str, lang: str = "vi", **kwargs: object) -> str:
    """The display label ``key`` in ``lang``, with ``{placeholders}`` filled from ``kwargs``.

    Raises
    ------
    InputError
        If the key is unknown (the message lists close matches).
    """
    check_lang(lang)
    labels = _labels()
    if key not in labels:
        import difflib

        close = difflib.get_close_matches(key, labels, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"unknown label {key!r}{hint}")
    text = labels[key][lang]
    return text.format(**kwargs) if kwargs else text


def has_label(key: str) -> bool:
    """Whether a label ``key`` exists."""
    return key in _labels()


# ---------------------------------------------------------------- markup
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|!~])")


def md(text: object) -> str:
    """Text from data files (titles, labels, sources) made safe to insert into Markdown:
    HTML's ``& < >`` become entities and Markdown's markup characters are backslash-escaped,
    so ``<img src=x onerror=...>`` or ``**`` show as written and run or format nothing."""
    s = html.escape(str(text), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", s)


# ---------------------------------------------------------------- numbers
def number(x: float, lang: str = "vi", decimals: int = 0) -> str:
    """A plain number with the locale's separators: vi ``1.234,5``, en ``1,234.5``."""
    check_lang(lang)
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    s = f"{x:,.{decimals}f}"
    if s.lstrip("-").strip("0.,") == "":  # -0.001 shown with 0 decimals is "0", not "-0"
        s = s.lstrip("-")
    if lang == "vi":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return s


def _trim(x: float, lang: str, max_decimals: int) -> str:
    """Number with up to ``max_decimals`` decimals, trailing zeros dropped."""
    s = number(x, lang, max_decimals)
    dec = "," if lang == "vi" else "."
    if dec in s:
        s = s.rstrip("0").rstrip(dec)
    return s


def count(x: float, lang: str = "vi", max_decimals: int = 1) -> str:
    """A count in words for large numbers: vi ``17,5 triệu``, en ``17.5 million``.

    Below one million the full number is shown with separators (``47.377``).
    """
    check_lang(lang)
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    for threshold, vi, en in _COUNT_SCALES:
        # choose the scale after rounding, so 999,950,000 is "1 billion", not "1,000 million"
        if abs(round(x / threshold, max_decimals)) >= 1:
            return f"{_trim(x / threshold, lang, max_decimals)} {vi if lang == 'vi' else en}"
    return _trim(x, lang, 0 if float(x).is_integer() else max_decimals)


def vnd(x: float, lang: str = "vi", max_decimals: int = 1, *, fixed: bool = False) -> str:
    """Money in dong: vi ``2.600 tỷ đồng``, en ``VND 2,600 billion``; small sums in full.

    ``fixed=True`` keeps ``max_decimals`` decimals (``1.257,0``), so that numbers shown side by
    side (an interval, a column) have the same decimals.
    """
    check_lang(lang)
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    for threshold, vi, en in _MONEY_SCALES:
        if abs(round(x / threshold, max_decimals)) >= 1:
            n = (
                number(x / threshold, lang, max_decimals)
                if fixed
                else _trim(x / threshold, lang, max_decimals)
            )
            return f"{n} {vi} đồng" if lang == "vi" else f"VND {n} {en}"
    n = _trim(x, lang, 0)
    return f"{n} đồng" if lang == "vi" else f"VND {n}"


#: Savings are shown to this many significant figures (the standard cost model's inputs are
#: assumptions known to a factor, not to the last billion), and never finer than
#: :data:`SAVINGS_MIN_STEP_VND`.
SAVINGS_SIGNIFICANT = 2
SAVINGS_MIN_STEP_VND = 10e9


def round_savings(x: float) -> float:
    """A savings figure rounded to what the method supports: two significant figures, at
    least to 10 billion VND (2,308.2 billion -> 2,300 billion; 13,869 -> 14,000; 87 -> 90).

    >>> round_savings(2_308.2e9) / 1e9, round_savings(13_869.4e9) / 1e9, round_savings(87e9) / 1e9
    (2300.0, 14000.0, 90.0)
    """
    if x is None or (isinstance(x, float) and math.isnan(x)) or x == 0:
        return x
    step = max(
        10 ** (math.floor(math.log10(abs(x))) - SAVINGS_SIGNIFICANT + 1), SAVINGS_MIN_STEP_VND
    )
    return round(x / step) * step


def savings(x: float, lang: str = "vi") -> str:
    """A savings figure rounded by :func:`round_savings`: vi ``2.300 tỷ đồng``, en ``VND 2,300 billion``."""
    return vnd(round_savings(x), lang, 0)


def savings_billion(x: float, lang: str = "vi") -> str:
    """A savings figure in billion VND without the unit, rounded by :func:`round_savings` (tables)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return number(round_savings(x) / 1e9, lang, 0)


def share_as_published(x: float, lang: str = "vi") -> str:
    """A published share with the decimals it was published with, at most two:
    ``45,8%`` / ``45.8%``, ``63,47%``, ``17%``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    decimals = len(f"{100 * x:.6g}".partition(".")[2])
    return share(x, lang, min(decimals, 2))


def share(x: float, lang: str = "vi", decimals: int = 0) -> str:
    """A share (0-1) as a percentage: ``17%``; vi ``43,4%``, en ``43.4%``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{number(100 * x, lang, decimals)}%"


def pp(x: float, lang: str = "vi", decimals: int = 1, signed: bool = True) -> str:
    """A difference of shares in percentage points: vi ``-12,3 điểm phần trăm``, en ``-12.3 pp``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if round(100 * x, decimals) == 0:  # no "-0 pp" nor "+0 pp"
        x = 0.0
    s = number(100 * x + 0.0, lang, decimals)
    if signed and x > 0:
        s = "+" + s
    return f"{s} {'điểm phần trăm' if lang == 'vi' else 'pp'}"


def probability(p: float, lang: str = "vi") -> str:
    """A probability as a rounded percentage; extremes shown as ``<1%`` / ``>99%``."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    if 0 < p < 0.01:
        return "<1%"
    if 0.99 < p < 1:
        return ">99%"
    return share(p, lang, 0)


def interval(low: str, high: str, lang: str = "vi") -> str:
    """A range of two formatted values: ``a – b``."""
    return f"{low} – {high}"


# ---------------------------------------------------------------- dates
def day(d: date | str, lang: str = "vi") -> str:
    """A date: vi ``31/8/2024``, en ``31 Aug 2024``."""
    check_lang(lang)
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    if lang == "vi":
        return f"{d.day}/{d.month}/{d.year}"
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def period(text: str, lang: str = "vi") -> str:
    """An evidence period (``2024-08-31``, ``2024-08``, ``2024-H1``, ``2025-Q2``, ``2024``)."""
    check_lang(lang)
    text = str(text)
    if len(text) == 10:
        return day(text, lang)
    if len(text) == 7 and text[4] == "-" and text[5:].isdigit():
        y, m = int(text[:4]), int(text[5:])
        return f"{m}/{y}" if lang == "vi" else f"{_MONTHS_EN[m - 1]} {y}"
    if len(text) == 7 and text[5] in "HQ":
        y, kind, n = text[:4], text[5], text[6]
        if lang == "vi":
            return (
                f"{'6 tháng đầu' if (kind, n) == ('H', '1') else '6 tháng cuối'} {y}"
                if kind == "H"
                else f"Quý {n}/{y}"
            )
        return f"{'H' if kind == 'H' else 'Q'}{n} {y}"
    return text
