"""Structural breaks as data: the days a segment's share began to measure something else.

``data/breaks.csv`` records, one row per segment and change, the day a change took effect
(``date``: ministries merged on 1 March 2025, provinces merged on 1 July 2025), the day it was
decided where a source gives it (``announced``), its ``kind`` (``break_kinds`` of
``vocabulary.yml``), what changed, and the source with the exact quote that states it. Models
read the breaks from here, never from code: :func:`known` gives the breaks a forecast made at a
cut-off could have known.

:func:`load` validates the whole file first and reports every problem at once, one line each,
naming file, line, column and what is accepted (as :mod:`dvcanalysis.evidence` does).

Examples
--------
>>> from dvcanalysis import breaks
>>> breaks.known("2025-06-30")[["segment", "date", "kind"]]  # doctest: +SKIP
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dvcanalysis import evidence, paths
from dvcanalysis.dates import parse_cutoff
from dvcanalysis.errors import InputError, Problem
from dvcanalysis.vocabulary import SEGMENTS

#: The columns of ``data/breaks.csv``, in order.
BREAK_COLUMNS = (
    "id",
    "segment",
    "date",
    "announced",
    "kind",
    "what_changed",
    "source_id",
    "quote_ref",
    "note",
)
#: The columns of :func:`load` and :func:`known`.
LOADED_COLUMNS = ("id", "segment", "date", "announced", "kind", "what_changed", "source_id")
_ID = re.compile(r"^[a-z0-9_]+$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _default_path() -> Path:
    return paths.data_dir() / "breaks.csv"


def _day(text: str, column: str, bad) -> date | None:
    """A ``YYYY-MM-DD`` cell as a date, or None after reporting why not."""
    try:
        if not _DAY.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        what = "the day the change took effect" if column == "date" else "the day it was decided"
        bad(column, f"{text!r} is not a date; expected YYYY-MM-DD ({what})")
        return None


def validate(
    path: Path | str | None = None, *, data_dir: Path | str | None = None
) -> list[Problem]:
    """Check a breaks table; return every problem (empty list when valid).

    Rules: columns as :data:`BREAK_COLUMNS`; ``id`` present, unique, snake_case; ``segment``
    one of the modelled segments (:data:`dvcanalysis.vocabulary.SEGMENTS`); ``date`` a day
    (``YYYY-MM-DD``); ``announced`` empty or a day on or before ``date``; ``kind`` a term of
    ``break_kinds`` in ``vocabulary.yml``; ``what_changed`` not empty; one row per segment,
    date and kind; ``source_id`` a source of ``sources.csv``; ``quote_ref`` not empty and
    found verbatim in that source's raw file.

    Parameters
    ----------
    path
        The breaks CSV (default ``data/breaks.csv``).
    data_dir
        The folder holding ``sources.csv``, ``vocabulary.yml`` and ``raw/`` (default: the
        folder of ``path`` if it has ``sources.csv``, else ``data/``).

    Returns
    -------
    list of Problem
        One per problem, each naming file, line and column.
    """
    path = Path(path) if path is not None else _default_path()
    if data_dir is None:
        data_dir = path.parent if (path.parent / "sources.csv").exists() else paths.data_dir()
    data_dir = Path(data_dir)
    shown = paths.relative(path)
    try:
        vocab = evidence.vocabulary(data_dir)
    except InputError as exc:
        return [p if isinstance(p, Problem) else Problem(shown, str(p)) for p in exc.problems]
    kinds = list(vocab.get("break_kinds") or {})
    sources, problems = evidence.checked_sources(data_dir / "sources.csv", data_dir / "raw")
    if problems:  # every row cites a source: say what is wrong with that table and stop
        return [*problems, Problem(shown, "not checked: sources.csv has the problems above")]
    rows, problems = evidence.read_rows(path, BREAK_COLUMNS)
    if not kinds:
        problems.append(
            Problem(
                paths.relative(data_dir / "vocabulary.yml"),
                "no break_kinds section; expected the kinds of structural break with their meaning",
            )
        )
    seen: dict[str, int] = {}
    changes: dict[tuple[str, str, str], int] = {}
    for line, row in rows:

        def bad(column: str, message: str, line: int = line) -> None:
            problems.append(Problem(shown, message, line, column))

        rid = row["id"].strip()
        if not rid:
            bad("id", "empty id")
        elif rid in seen:
            bad("id", f"duplicate id {rid!r} (first on line {seen[rid]})")
        else:
            seen[rid] = line
            if not _ID.match(rid):
                bad("id", f"id {rid!r} is not snake_case (a-z, 0-9 and _)")
        if row["segment"] not in SEGMENTS:
            bad(
                "segment",
                f"{row['segment']!r} is not accepted; expected one of: {', '.join(SEGMENTS)}",
            )
        if kinds and row["kind"] not in kinds:
            bad(
                "kind",
                f"{row['kind']!r} is not in the vocabulary (break_kinds); expected one of: {', '.join(kinds)}",
            )
        took_effect = _day(row["date"].strip(), "date", bad)
        announced_text = row["announced"].strip()
        announced = _day(announced_text, "announced", bad) if announced_text else None
        if took_effect and announced and announced > took_effect:
            bad(
                "announced",
                f"announced {announced.isoformat()} is after the date the change took effect "
                f"({took_effect.isoformat()}); expected a day on or before it, or empty",
            )
        if not row["what_changed"].strip():
            bad("what_changed", "empty what_changed; say what the change was")
        key = (row["segment"], row["date"].strip(), row["kind"])
        if key in changes:
            bad(
                "date",
                f"a {key[2]} break of {key[0]} on {key[1]} is already on line {changes[key]}",
            )
        else:
            changes[key] = line
        _check_quote(row, sources, data_dir, bad)
    return problems


def _check_quote(row: dict[str, str], sources: dict, data_dir: Path, bad) -> None:
    """A row's ``source_id`` is known and its ``quote_ref`` is found verbatim in that source's raw file."""
    sid = row["source_id"].strip()
    if sid not in sources:
        table = paths.relative(data_dir / "sources.csv")
        bad("source_id", f"unknown source_id {sid!r}; expected a source_id of {table}")
        return
    raw = data_dir / "raw"
    quote = row["quote_ref"]
    raw_file = sources[sid]["raw_file"].strip()
    if not quote.strip():
        bad(
            "quote_ref",
            "empty quote_ref; a break needs the exact quote of its source that states it",
        )
    elif not raw_file:
        bad("quote_ref", f"cannot check the quote: source {sid!r} has no raw_file in sources.csv")
    else:
        text = evidence.raw_text(str(raw / raw_file))
        if text is None:
            bad("quote_ref", f"cannot check the quote: {raw_file} is missing or not UTF-8 text")
        elif quote not in text:
            bad("quote_ref", f"quote not found verbatim in {raw_file}: {quote[:60]!r}")


def _stamp(p: Path) -> tuple[int, int] | None:
    try:
        st = p.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _load(path: str, stamp: tuple, data_dir: str) -> pd.DataFrame:
    """The validated table of ``path`` (``stamp``: the breaks and sources files' stamps)."""
    problems = validate(path, data_dir=data_dir)
    if problems:
        raise InputError(problems)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    df["announced"] = pd.to_datetime(df["announced"].replace("", None), format="%Y-%m-%d")
    return df[list(LOADED_COLUMNS)].sort_values(["date", "segment", "id"]).reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.Series(dtype=str),
            "segment": pd.Series(dtype=str),
            "date": pd.Series(dtype="datetime64[ns]"),
            "announced": pd.Series(dtype="datetime64[ns]"),
            "kind": pd.Series(dtype=str),
            "what_changed": pd.Series(dtype=str),
            "source_id": pd.Series(dtype=str),
        }
    )


def load(path: Path | str | None = None) -> pd.DataFrame:
    """The validated structural breaks, in date order.

    Parameters
    ----------
    path
        The breaks CSV (default ``data/breaks.csv``; a data folder without that file has no
        recorded breaks, as the frozen test data of 2024 have none).

    Returns
    -------
    DataFrame
        Columns ``id, segment, date, announced, kind, what_changed, source_id``; ``date``
        (the day the change took effect) and ``announced`` (the day it was decided) are
        Timestamps, ``announced`` NaT where no source gives it (then the break is known from
        ``date`` on). Cached on the stamps of the breaks and sources files; a copy is
        returned, so callers may modify it.

    Raises
    ------
    InputError
        Listing every problem found, one per line (file, line, column, what is accepted).
    """
    p = Path(path) if path is not None else _default_path()
    if not p.exists():
        if path is None:
            return _empty()
        raise InputError(f"{paths.relative(p)}: file not found (a breaks table, data/breaks.csv)")
    data_dir = p.parent if (p.parent / "sources.csv").exists() else paths.data_dir()
    stamp = (_stamp(p), _stamp(data_dir / "sources.csv"))
    return _load(str(p.resolve()), stamp, str(data_dir.resolve())).copy()


def known(cutoff: str | date | None = None, path: Path | str | None = None) -> pd.DataFrame:
    """The breaks known at a cut-off: those announced (or, when ``announced`` is empty, in
    effect) on or before it.

    A forecast made at ``cutoff`` may use exactly these: a break decided in April and in
    effect in July is known to a forecast of May, which can then expect July's change.

    Parameters
    ----------
    cutoff
        ``YYYY-MM-DD`` or a date; None or ``""`` is the evidence's own date
        (:func:`dvcanalysis.evidence.data_date`).
    path
        The breaks CSV (default ``data/breaks.csv``).

    Returns
    -------
    DataFrame
        The rows of :func:`load` whose ``announced`` (or ``date`` when NaT) is on or before
        ``cutoff``, in date order.
    """
    cut = pd.Timestamp(parse_cutoff(cutoff))
    df = load(path)
    when = df["announced"].fillna(df["date"])
    return df[when <= cut].reset_index(drop=True)
