"""The sourced evidence base: load, validate, cite, series.

Every number the package uses that is not a user's parameter comes from
``data/evidence.csv``, where each row carries its source and the exact quote
that states it. :func:`load` validates the whole table first and reports every
problem at once, one line each, naming file, line, column and rule.

Examples
--------
>>> from dvcanalysis import evidence
>>> ev = evidence.load()
>>> evidence.series("fully_online_share", "localities")  # doctest: +SKIP
>>> print(evidence.cite("seed000-01", lang="en"))  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dvcanalysis import _io, paths, quotes
from dvcanalysis.errors import InputError, Problem, check_fields

EVIDENCE_COLUMNS = (
    "id",
    "indicator",
    "segment",
    "unit_code",
    "period",
    "period_start",
    "period_precision",
    "value",
    "unit",
    "kind",
    "bound",
    "definition",
    "source_id",
    "quote_vi",
    "quote_ref",
    "gloss_en",
    "note",
)
# Columns added in 0.2: a table without them is read as if they were empty.
OPTIONAL_EVIDENCE_COLUMNS = ("unit_code", "period_start", "definition")
# Segments whose rows describe one unit, named by ``unit_code`` (file of their codes).
UNIT_SEGMENTS = {"province": "provinces_pre2025.csv", "ministry": "ministries.csv"}
SOURCE_COLUMNS = (
    "source_id",
    "kind",
    "outlet",
    "title",
    "url",
    "event_date",
    "published_date",
    "raw_file",
    "language",
    "note",
)
BOUNDS = ("eq", "min", "max", "approx")
SOURCE_KINDS = ("seed", "reference")

_PERIOD_PATTERNS = {
    "day": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "month": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    "quarter": re.compile(r"^\d{4}-Q[1-4]$"),
    "half": re.compile(r"^\d{4}-H[12]$"),
    "year": re.compile(r"^\d{4}$"),
}
_ID_PATTERN = re.compile(r"^[a-z0-9_]+-\d{2,3}$")


# ---------------------------------------------------------------- periods
def period_end(period: str, precision: str) -> date:
    """The last day of an evidence period (a period is read at its end).

    Parameters
    ----------
    period
        ``2024-08-31``, ``2024-08``, ``2024-Q2``, ``2024-H1`` or ``2024``.
    precision
        ``day``, ``month``, ``quarter``, ``half`` or ``year``.

    Examples
    --------
    >>> period_end("2024-H1", "half")
    datetime.date(2024, 6, 30)
    >>> period_end("2024", "year")
    datetime.date(2024, 12, 31)
    """
    pattern = _PERIOD_PATTERNS.get(precision)
    if pattern is None:
        raise ValueError(
            f"unknown precision {precision!r}; expected one of {', '.join(_PERIOD_PATTERNS)}"
        )
    if not pattern.match(period):
        raise ValueError(f"period {period!r} does not match precision {precision!r}")
    y = int(period[:4])
    if precision == "day":
        return date.fromisoformat(period)
    if precision == "year":
        return date(y, 12, 31)
    if precision == "month":
        m = int(period[5:7])
    elif precision == "quarter":
        m = 3 * int(period[6])
    else:
        m = 6 * int(period[6])
    first_next = date(y + (m == 12), m % 12 + 1, 1)
    return date.fromordinal(first_next.toordinal() - 1)


def period_start(period: str, precision: str) -> date:
    """The first day of an evidence period at its precision (a day's period is that day).

    Examples
    --------
    >>> period_start("2024-H1", "half")
    datetime.date(2024, 1, 1)
    >>> period_start("2024-08-31", "day")
    datetime.date(2024, 8, 31)
    """
    end = period_end(period, precision)
    if precision == "day":
        return end
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[precision]
    m = end.month - months + 1
    return date(end.year, m, 1)


def decimal_year(d: date) -> float:
    """A date as a decimal year measured at end of day (31 Dec 2024 -> 2025.0)."""
    start = date(d.year, 1, 1)
    days = (date(d.year + 1, 1, 1) - start).days
    return d.year + ((d - start).days + 1) / days


# ---------------------------------------------------------------- vocabulary
@lru_cache(maxsize=4)
def _vocabulary(path: str) -> dict[str, dict[str, str]]:
    p = Path(path)
    if not p.exists():
        raise InputError(
            f"{paths.relative(p)}: file not found (the vocabulary of units, kinds and segments)"
        )
    data = _io.read_yaml(p, what="vocabulary file (YAML)") or {}
    if not isinstance(data, dict):
        raise InputError(
            f"{paths.relative(p)}: expected a mapping with sections units, kinds, precisions, segments"
        )
    missing = {"units", "kinds", "precisions", "segments"} - set(data)
    if missing:
        raise InputError(f"{paths.relative(p)}: missing sections {sorted(missing)}")
    return data


def vocabulary(data_dir: Path | None = None) -> dict[str, dict[str, str]]:
    """The controlled vocabularies (``units``, ``kinds``, ``precisions``, ``segments``)."""
    d = Path(data_dir) if data_dir else paths.data_dir()
    return _vocabulary(str(d / "vocabulary.yml"))


# ---------------------------------------------------------------- reading
def read_rows(
    path: Path, required: Iterable[str], optional: Iterable[str] = ()
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """The rows of a CSV table with their line numbers (pure csv, so messages can name the line).

    Shared by the readers of the data layer (evidence, sources, breaks).

    Parameters
    ----------
    path
        The CSV file (UTF-8, a leading byte-order mark accepted).
    required
        Its columns; a missing one is a problem and no row is read.
    optional
        Columns that may be absent (read as empty).

    Returns
    -------
    tuple
        ``(rows, problems)``: ``(line, {column: text})`` per non-blank row, and one
        :class:`~dvcanalysis.errors.Problem` per problem (missing file, unknown column, a row
        with the wrong number of fields, bad UTF-8, malformed CSV).
    """
    shown = paths.relative(path)
    if not path.exists():
        return [], [Problem(shown, "file not found")]
    if path.is_dir():
        return [], [Problem(shown, "is a folder; expected a CSV file")]
    problems: list[Problem] = []
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        # a leading byte-order mark (Excel's "CSV UTF-8") is accepted, as by every reader
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                return [], [Problem(shown, "file is empty; expected a header line", line=1)]
            header = [h.strip() for h in header]
            optional = list(optional)
            required = [c for c in required if c not in optional]
            missing = [c for c in required if c not in header]
            unknown = [c for c in header if c not in required and c not in optional]
            if missing:
                problems.append(
                    Problem(
                        shown,
                        f"missing column(s) {', '.join(missing)}; expected columns: {', '.join(required)}",
                        line=1,
                    )
                )
            if unknown:
                problems.append(
                    Problem(
                        shown,
                        f"unknown column(s) {', '.join(unknown)}; expected columns: {', '.join(required)}",
                        line=1,
                    )
                )
            if missing:
                return [], problems
            last = reader.line_num
            for record in reader:
                start = last + 1
                last = reader.line_num
                if not any(cell.strip() for cell in record):
                    continue
                if not check_fields(record, header, shown, start, problems):
                    continue
                row = dict.fromkeys(optional, "")
                row.update(zip(header, record, strict=True))
                rows.append((start, row))
    except UnicodeDecodeError as exc:
        return [], [Problem(shown, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")]
    except csv.Error as exc:
        return [], [Problem(shown, f"malformed CSV: {exc}")]
    return rows, problems


def checked_sources(path: Path, raw: Path) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    """The source table, checked (the rules of :func:`validate_sources`).

    Parameters
    ----------
    path
        ``sources.csv``.
    raw
        The folder the ``raw_file`` column is relative to (``data/raw/``).

    Returns
    -------
    tuple
        ``(sources, problems)``: ``source_id -> row`` and every problem found.
    """
    rows, problems = read_rows(path, SOURCE_COLUMNS)
    shown = paths.relative(path)
    sources: dict[str, dict[str, str]] = {}
    for line, row in rows:
        sid = row["source_id"].strip()
        if not sid:
            problems.append(Problem(shown, "empty source_id", line, "source_id"))
            continue
        if sid in sources:
            problems.append(Problem(shown, f"duplicate source_id {sid!r}", line, "source_id"))
        if row["kind"] not in SOURCE_KINDS:
            problems.append(
                Problem(
                    shown,
                    f"kind {row['kind']!r} not accepted; expected one of {', '.join(SOURCE_KINDS)}",
                    line,
                    "kind",
                )
            )
        for col in ("event_date", "published_date"):
            v = row[col].strip()
            if v and not any(
                p.match(v) for k, p in _PERIOD_PATTERNS.items() if k in ("day", "month", "year")
            ):
                problems.append(
                    Problem(
                        shown,
                        f"{v!r} is not a date; expected YYYY-MM-DD, YYYY-MM or YYYY",
                        line,
                        col,
                    )
                )
        rf = row["raw_file"].strip()
        if rf and not (raw / rf).is_file():
            problems.append(
                Problem(
                    shown,
                    f"raw file {rf!r} not found under {paths.relative(raw)}",
                    line,
                    "raw_file",
                )
            )
        elif rf and raw_text(str(raw / rf)) is None:
            problems.append(Problem(shown, f"raw file {rf!r} is not UTF-8 text", line, "raw_file"))
        sources[sid] = row
    return sources, problems


@lru_cache(maxsize=16)
def raw_text(path: str) -> str | None:
    """The text of a raw source file, or None if it is missing or not UTF-8 (reported elsewhere).

    Cached by path: quotes of many rows are looked up in one read.
    """
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def validate(
    path: Path | str | None = None, *, data_dir: Path | str | None = None
) -> list[Problem]:
    """Check an evidence table; return every problem (empty list when valid).

    Rules: columns as :data:`EVIDENCE_COLUMNS`; ids unique and of the form
    ``<source_id>-<nn>``; values numeric and finite; unit, kind, segment and
    precision from ``vocabulary.yml``; period parseable at its precision; shares
    within 0-1; bound one of :data:`BOUNDS`; source id known; a seed-sourced row's
    ``quote_vi`` (a reference row's ``quote_ref``) found verbatim in its source text.

    Parameters
    ----------
    path
        The evidence CSV (default ``data/evidence.csv``).
    data_dir
        The folder holding ``sources.csv``, ``vocabulary.yml`` and ``raw/``
        (default: the folder of ``path`` if it has ``sources.csv``, else ``data/``).
    """
    path = Path(path) if path is not None else paths.data_dir() / "evidence.csv"
    if data_dir is None:
        data_dir = path.parent if (path.parent / "sources.csv").exists() else paths.data_dir()
    data_dir = Path(data_dir)
    shown = paths.relative(path)
    try:
        vocab = vocabulary(data_dir)
    except InputError as exc:
        return [p if isinstance(p, Problem) else Problem(shown, str(p)) for p in exc.problems]
    sources, problems = checked_sources(data_dir / "sources.csv", data_dir / "raw")
    if problems:  # every row cites a source: say what is wrong with the table and stop
        return [
            *problems,
            Problem(shown, "not checked: sources.csv has the problems above"),
        ]
    rows, row_problems = read_rows(path, EVIDENCE_COLUMNS, OPTIONAL_EVIDENCE_COLUMNS)
    problems += row_problems
    if not rows and not row_problems:
        problems.append(
            Problem(shown, "has a header but no rows; expected at least one evidence row", 2)
        )
    codes = _unit_codes(data_dir)
    seen: dict[str, int] = {}
    for line, row in rows:

        def bad(column: str, message: str, line: int = line) -> None:
            problems.append(Problem(shown, message, line, column))

        _check_row_id(row, line, seen, bad)
        unit_ok = _check_row_vocabulary(row, vocab, codes, bad)
        value = _check_row_value(row, unit_ok, bad)
        sid = row["source_id"]
        if sid not in sources:
            bad("source_id", f"unknown source_id {sid!r}; known: {', '.join(sources) or '(none)'}")
            continue
        _check_row_quote(row, sources[sid], data_dir / "raw", value if unit_ok else None, bad)
    return problems


def _check_row_id(row: dict[str, str], line: int, seen: dict[str, int], bad) -> None:
    """An evidence row's ``id``: present, unique (``seen``: id -> first line), of the form
    ``<source_id>-<nn>`` with its own source id."""
    rid = row["id"].strip()
    if not rid:
        bad("id", "empty id")
    elif rid in seen:
        bad("id", f"duplicate id {rid!r} (first on line {seen[rid]})")
    else:
        seen[rid] = line
        if not _ID_PATTERN.match(rid):
            bad("id", f"id {rid!r} does not have the form <source_id>-<nn>")
        elif rid.rsplit("-", 1)[0] != row["source_id"]:
            bad("id", f"id {rid!r} does not start with its source_id {row['source_id']!r}")


def _check_row_vocabulary(row: dict[str, str], vocab: dict, codes, bad) -> bool:
    """An evidence row's words against the vocabulary: indicator, segment, unit, kind, bound,
    period and its precision, period start, unit code, definition. Returns whether the unit
    is known (the value checks need it)."""

    def choice(column: str, value: str, accepted: Iterable[str]) -> bool:
        accepted = list(accepted)
        if value not in accepted:
            bad(
                column,
                f"{value!r} is not in the vocabulary; expected one of: {', '.join(accepted)}",
            )
            return False
        return True

    if not re.match(r"^[a-z][a-z0-9_]*$", row["indicator"]):
        bad("indicator", f"indicator {row['indicator']!r} is not snake_case")
    choice("segment", row["segment"], vocab["segments"])
    unit_ok = choice("unit", row["unit"], vocab["units"])
    choice("kind", row["kind"], vocab["kinds"])
    choice("bound", row["bound"], BOUNDS)
    if choice("period_precision", row["period_precision"], vocab["precisions"]):
        try:
            end = period_end(row["period"], row["period_precision"])
        except ValueError:
            example = vocab["precisions"][row["period_precision"]]
            bad(
                "period",
                f"period {row['period']!r} is not parseable at precision {row['period_precision']!r}; expected {example}",
            )
        else:
            _check_period_start(row["period_start"].strip(), end, lambda m: bad("period_start", m))
    _check_unit_code(row["segment"], row["unit_code"].strip(), codes, lambda m: bad("unit_code", m))
    _check_definition(
        row["indicator"], row["definition"].strip(), vocab, lambda m: bad("definition", m)
    )
    return unit_ok


def _check_row_value(row: dict[str, str], unit_ok: bool, bad) -> float | None:
    """An evidence row's value: a finite number, a share within 0-1. None when refused (one
    problem per cause: no quote check of a value already refused)."""
    try:
        value = float(row["value"])
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        bad("value", f"value {row['value']!r} is not a finite number")
        return None
    if unit_ok and row["unit"] == "share" and not 0 <= value <= 1:
        bad("value", f"share {value} is outside 0-1 (write 17% as 0.17)")
        return None
    return value


def _check_row_quote(
    row: dict[str, str], src: dict[str, str], raw: Path, value: float | None, bad
) -> None:
    """An evidence row's quote: in the column its source kind uses (a seed's ``quote_vi``, a
    reference's ``quote_ref``), found verbatim in the source's raw text, stating ``value``
    (None: not checked) unless the note says why not; the other quote column empty."""
    col = "quote_vi" if src["kind"] == "seed" else "quote_ref"
    other = "quote_ref" if col == "quote_vi" else "quote_vi"
    quote = row[col]
    if not quote.strip():
        bad(
            col, f"empty {col}; a {src['kind']} source needs the exact quote that states the number"
        )
    elif src["raw_file"]:
        text = raw_text(str(raw / src["raw_file"]))
        if text is None:
            bad(col, f"cannot check the quote: {src['raw_file']} is missing or not UTF-8 text")
        elif quote not in text:
            bad(col, f"quote not found verbatim in {src['raw_file']}: {quote[:60]!r}")
        elif (
            value is not None
            and not row["note"].strip().lower().startswith(quotes.IMPLIED_MARK)
            and not quotes.value_in_quote(value, row["unit"], quote)
        ):
            bad(
                "value",
                f"value {row['value']} ({row['unit']}) is not a number its quote states ({quote[:60]!r}); "
                f"expected the quoted figure (17% as 0.17, 2.600 tỷ as 2.6e12), or a note starting "
                f"'{quotes.IMPLIED_MARK}' that says why the value is not written",
            )
    if row[other].strip():
        bad(other, f"{other} must be empty for a {src['kind']} source (use {col})")


def _check_period_start(text: str, end: date, bad) -> None:
    """``period_start``: empty (the period's natural start) or an ISO date on or before its end."""
    if not text:
        return
    try:
        start = date.fromisoformat(text)
    except ValueError:
        bad(
            f"{text!r} is not a date; expected YYYY-MM-DD (the first day the figure measures) or empty"
        )
        return
    if start > end:
        bad(
            f"period_start {text} is after the period's end {end.isoformat()}; expected a date on or before it"
        )


def _unit_codes(data_dir: Path) -> dict[str, set[str] | None]:
    """Known unit codes per unit segment (None where the units file cannot be read)."""
    out: dict[str, set[str] | None] = {}
    for seg, name in UNIT_SEGMENTS.items():
        try:
            with (data_dir / "units" / name).open(encoding="utf-8", newline="") as fh:
                out[seg] = {r["unit_code"] for r in csv.DictReader(fh) if r.get("unit_code")}
        except (OSError, UnicodeDecodeError, KeyError, csv.Error):
            out[seg] = None
    return out


def _check_unit_code(segment: str, code: str, codes: dict[str, set[str] | None], bad) -> None:
    """A unit segment (``province``, ``ministry``) names its unit; other segments name none."""
    if segment in UNIT_SEGMENTS:
        known = codes.get(segment)
        if not code:
            bad(
                f"empty unit_code; a {segment} row names its unit (a code of data/units/{UNIT_SEGMENTS[segment]})"
            )
        elif known is not None and code not in known:
            bad(
                f"unit_code {code!r} is not a {segment} code of data/units/{UNIT_SEGMENTS[segment]}"
            )
    elif code:
        bad(
            f"unit_code {code!r} given for segment {segment!r}; only {', '.join(UNIT_SEGMENTS)} rows name a unit"
        )


def _check_definition(indicator: str, definition: str, vocab: dict, bad) -> None:
    """A row of an indicator with definitions carries one of them (old-definition figures never
    enter the fully-online series); a definition is always a vocabulary term."""
    known = vocab.get("definitions") or {}
    allowed = (vocab.get("indicator_definitions") or {}).get(indicator)
    if definition and definition not in known:
        bad(
            f"{definition!r} is not in the vocabulary; expected one of: {', '.join(known) or '(none)'}"
        )
    elif allowed is not None and definition not in allowed:
        others = [
            i for i, d in (vocab.get("indicator_definitions") or {}).items() if definition in d
        ]
        hint = f" (a {definition} figure belongs to indicator {others[0]})" if others else ""
        bad(
            f"indicator {indicator} needs definition {' or '.join(allowed)}, not {definition or '(empty)'!r}{hint}"
        )


def _check(path: Path | None = None) -> None:
    problems = validate(path)
    if problems:
        raise InputError(problems)


# ---------------------------------------------------------------- loading
@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> pd.DataFrame:
    _check(Path(path))
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df["value"] = df["value"].astype(float)
    for col in OPTIONAL_EVIDENCE_COLUMNS:
        if col not in df:
            df[col] = ""
    df["period_end"] = pd.to_datetime(
        [period_end(p, q) for p, q in zip(df["period"], df["period_precision"], strict=True)]
    )
    df["period_start"] = pd.to_datetime(
        [
            s or period_start(p, q)
            for s, p, q in zip(
                df["period_start"], df["period"], df["period_precision"], strict=True
            )
        ]
    )
    return df[[*EVIDENCE_COLUMNS, "period_end"]]


def load(path: Path | str | None = None) -> pd.DataFrame:
    """The validated evidence table.

    Columns are :data:`EVIDENCE_COLUMNS` plus ``period_end`` (a Timestamp, the
    last day of the period); ``period_start`` is a Timestamp too (the first day the figure
    measures: as written, else the period's natural start, see :func:`period_start`). Results are cached by file modification time; a copy
    is returned so callers may modify it.

    Raises
    ------
    InputError
        Listing every problem found, one per line.
    """
    p = Path(path) if path is not None else paths.data_dir() / "evidence.csv"
    if not p.exists():
        raise InputError(f"{paths.relative(p)}: file not found")
    return _load(str(p.resolve()), p.stat().st_mtime).copy()


def validate_sources(path: Path | str | None = None) -> list[Problem]:
    """Check a source table (default ``data/sources.csv``, raw texts under ``raw/`` beside it);
    return every problem (empty list when valid).

    Rules: columns as :data:`SOURCE_COLUMNS`; ``source_id`` present and unique; ``kind`` one of
    :data:`SOURCE_KINDS`; dates ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; a ``raw_file`` exists
    under ``raw/`` and is UTF-8 text.
    """
    p = Path(path) if path is not None else paths.data_dir() / "sources.csv"
    return checked_sources(p, p.parent / "raw")[1]


def load_sources(path: Path | str | None = None) -> pd.DataFrame:
    """The validated source table (``data/sources.csv``), indexed by ``source_id``."""
    p = Path(path) if path is not None else paths.data_dir() / "sources.csv"
    _, problems = checked_sources(p, p.parent / "raw")
    if problems:
        raise InputError(problems)
    return pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index(
        "source_id"
    )


def source_label(source_id: str, lang: str = "vi") -> str:
    """A short label for a source: outlet and date (event or publication)."""
    from dvcanalysis import fmt

    src = load_sources()
    if source_id not in src.index:
        raise InputError(f"unknown source_id {source_id!r}; known: {', '.join(src.index)}")
    row = src.loc[source_id]
    outlet = row["outlet"]
    when = row["published_date"] or row["event_date"]
    if when:
        precision = {10: "day", 7: "month", 4: "year"}[len(when)]
        shown = fmt.period(when, lang) if precision != "day" else fmt.day(when, lang)
    else:
        shown = fmt.label("word.unknown_date", lang)
    return f"{outlet} ({shown})"


def cite(id: str, lang: str = "vi") -> str:
    """A formatted citation of evidence row ``id``.

    vi: the original Vietnamese quote; en: the English gloss with the quote.
    Both name the outlet and the date.
    """
    from dvcanalysis import fmt

    fmt.check_lang(lang)
    ev = load().set_index("id")
    if id not in ev.index:
        raise InputError(f"unknown evidence id {id!r}; see data/evidence.csv for the ids")
    row = ev.loc[id]
    src = source_label(row["source_id"], lang)
    quote = row["quote_vi"] or row["quote_ref"]
    if lang == "vi":
        return f"“{quote}” — {src} [{id}]"
    gloss = row["gloss_en"]
    return f"{gloss} (“{quote}”) — {src} [{id}]"


def series(
    indicator: str,
    segment: str,
    *,
    kind: str | Iterable[str] = "observed",
    cutoff: str | date | None = None,
) -> pd.DataFrame:
    """A time series from the evidence, sorted by date.

    Parameters
    ----------
    indicator, segment
        For example ``"fully_online_share"``, ``"localities"``.
    kind
        ``"observed"`` (default), ``"target"``, ... or several.
    cutoff
        Keep only rows whose period ends on or before this date (for backtests).

    Returns
    -------
    DataFrame
        Columns ``period_end, value, unit, bound, id, source_id, period, period_precision,
        period_start, definition``.
        Empty if nothing matches (the indicator and segment are still checked
        against the table so a typo is an error, not an empty series).
    """
    ev = load()
    if indicator not in set(ev["indicator"]):
        import difflib

        close = difflib.get_close_matches(indicator, sorted(set(ev["indicator"])), n=3)
        raise InputError(
            f"unknown indicator {indicator!r}"
            + (f"; did you mean {', '.join(close)}?" if close else "")
        )
    segs = vocabulary()["segments"]
    if segment not in segs:
        raise InputError(f"unknown segment {segment!r}; expected one of: {', '.join(segs)}")
    kinds = [kind] if isinstance(kind, str) else list(kind)
    known = vocabulary()["kinds"]
    for k in kinds:
        if k not in known:
            raise InputError(f"unknown kind {k!r}; expected one of: {', '.join(known)}")
    sel = ev[(ev["indicator"] == indicator) & (ev["segment"] == segment) & ev["kind"].isin(kinds)]
    if cutoff is not None:
        from dvcanalysis.dates import parse_cutoff

        sel = sel[sel["period_end"] <= pd.Timestamp(parse_cutoff(cutoff))]
    cols = [
        "period_end",
        "value",
        "unit",
        "bound",
        "id",
        "source_id",
        "period",
        "period_precision",
        "period_start",
        "definition",
    ]
    return sel.sort_values(["period_end", "id"])[cols].reset_index(drop=True)


def data_date(indicator: str = "fully_online_share") -> date:
    """The date the evidence runs to: the latest period end of an observation of ``indicator``.

    This is the evidence base's clock: the default cut-off of projections and the "data as of"
    date of briefings. New figures added as rows move it; nothing in code names the date.

    Raises
    ------
    InputError
        If the evidence has no observation of ``indicator``.
    """
    ev = load()
    sel = ev[(ev["indicator"] == indicator) & (ev["kind"] == "observed")]
    if sel.empty:
        raise InputError(
            f"no observed {indicator!r} row in the evidence base; cannot date the data"
        )
    return sel["period_end"].max().date()


def summary() -> pd.DataFrame:
    """Rows counted by kind and source (long table: ``source_id, kind, rows``)."""
    ev = load()
    out = ev.groupby(["source_id", "kind"]).size().rename("rows").reset_index()
    return out.sort_values(["source_id", "kind"]).reset_index(drop=True)


def shares_timeline(
    indicators: Iterable[str] = (
        "fully_online_share",
        "online_submission_share",
        "online_share_any_level",
    ),
) -> pd.DataFrame:
    """Observed shares and official targets on one timeline (long table).

    Columns ``indicator, segment, kind, bound, period, period_end, value_share, id, source_id``;
    one row per evidence row with ``unit == "share"`` and kind observed or target, for the
    segments as a whole (a single unit's figures are left out).
    """
    ev = load()
    sel = ev[
        ev["indicator"].isin(list(indicators))
        & ev["kind"].isin(["observed", "target"])
        & (ev["unit"] == "share")
        & ~ev["segment"].isin([*UNIT_SEGMENTS, "agency"])
    ]
    out = sel.rename(columns={"value": "value_share"})[
        [
            "indicator",
            "segment",
            "kind",
            "bound",
            "period",
            "period_end",
            "value_share",
            "id",
            "source_id",
        ]
    ]
    return out.sort_values(["indicator", "segment", "period_end", "id"]).reset_index(drop=True)


def disagreements() -> pd.DataFrame:
    """Where sources disagree: figures of one quantity that differ, and rows flagged as contradictory.

    A quantity is an (indicator, segment, unit, period end, kind, definition); it disagrees when
    its rows carry more than one value (for example 45.8% and 45% nationally for 2024). Rows
    whose note says a source contradicts itself or another are added (``reason``
    ``flagged``), so that self-contradictory lists show too.

    Returns
    -------
    DataFrame
        ``group, reason, id, indicator, segment, unit_code, period, kind, value, unit, source_id,
        note``, one row per evidence row involved, grouped by ``group`` (1, 2, ...).
    """
    ev = load()
    key = ["indicator", "segment", "unit_code", "period_end", "kind", "definition"]
    n_values = ev.groupby(key)["value"].transform("nunique")
    differ = ev[n_values > 1].assign(reason="values differ")
    flagged_ids = ev["note"].str.contains(r"contradict|inconsistent", case=False, regex=True)
    flagged = ev[flagged_ids & ~ev["id"].isin(differ["id"])]
    # a flagged row joins the group of its quantity when it has one
    flagged = flagged.assign(reason="flagged")
    out = pd.concat([differ, flagged], ignore_index=True)
    cols = ["group", "reason", "id", "indicator", "segment", "unit_code", "period", "kind"]
    cols += ["value", "unit", "source_id", "note"]
    if out.empty:
        return pd.DataFrame(columns=cols)
    out["_key"] = ["|".join(map(str, r)) for r in out[key].itertuples(index=False)]
    out = out.sort_values(["_key", "period_end", "id"])
    out["group"] = pd.factorize(out["_key"])[0] + 1
    return out[cols].reset_index(drop=True)
