"""Provinces and ministries in both layouts, crosswalks, and per-unit dossier counts.

Vietnam reorganised its provinces on 1 July 2025 (63 -> 34, whole-province merges) and
its ministries on 1 March 2025 (22 ministries and ministry-level agencies -> 17), so a
2024-2026 series of per-unit counts mixes two layouts. This module

- reads the unit lists, crosswalks and tile grid of ``data/units/`` (made by
  ``scripts/build_units.py``);
- loads a per-unit counts CSV (template in ``data/templates/``) strictly, reporting every
  problem at once (:func:`validate_counts`, :func:`load_counts`);
- re-expresses counts in one layout by summing **counts** over the crosswalk and
  recomputing shares from the sums (:func:`to_layout`); the reverse direction only for
  units that did not merge.

Comparing each unit with its segment's official target (pace, status, the unit report)
is a model step and lives in :mod:`dvcanalysis.unit_targets`, which uses the target rules
of :mod:`dvcanalysis.targets`; this module imports neither (it sits to their left).

No per-unit figures ship with the project: every per-unit number comes from the
user's counts file.

Examples
--------
>>> from dvcanalysis import units
>>> units.crosswalk("province").query("merged").code_2025.nunique()
23
"""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from dvcanalysis import _io, evidence, paths
from dvcanalysis.errors import InputError, Problem, check_choice, check_fields

UNIT_TYPES = ("province", "ministry")
LAYOUTS = ("pre-2025", "2025")
COUNT_COLUMNS = (
    "unit_type",
    "unit_code",
    "layout",
    "period",
    "dossiers_total",
    "dossiers_fully_online",
)
#: Columns a counts file may carry besides :data:`COUNT_COLUMNS` (ignored by the analysis).
OPTIONAL_COLUMNS = ("unit_name", "note")
#: The evidence segment whose target applies to each unit type.
SEGMENT_OF = {"province": "localities", "ministry": "ministries"}
#: Source ids behind the unit lists and crosswalks.
SOURCES = {
    "province": ["ref_admin_units"],
    "ministry": ["ref_daibieunhandan_2021", "ref_qh176_2025"],
}

_PERIODS = (
    ("day", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    ("month", re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")),
    ("quarter", re.compile(r"^\d{4}-Q[1-4]$")),
    ("half", re.compile(r"^\d{4}-H[12]$")),
    ("year", re.compile(r"^\d{4}$")),
)
_PERIOD_HELP = "YYYY-MM-DD, YYYY-MM or YYYY (also YYYY-Qn, YYYY-Hn)"
_COUNT = re.compile(r"^[+-]?\d+$")
# A unit's dossiers in one period: Vietnam's whole public administration handles a few
# hundred million a year, so a count above a trillion is a typing error (and 10**20 would
# not even fit the int64 column the loader builds).
MAX_DOSSIERS = 10**12


# ---------------------------------------------------------------- unit tables
def units_dir() -> Path:
    """``data/units/``."""
    return paths.data_dir() / "units"


@lru_cache(maxsize=16)
def _read(path: str, mtime: float) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _table(name: str) -> pd.DataFrame:
    p = units_dir() / name
    if not p.exists():
        raise InputError(f"{paths.relative(p)}: file not found; run `make units-data`")
    return _read(str(p), p.stat().st_mtime).copy()


def unit_list(unit_type: str, layout: str) -> pd.DataFrame:
    """The units of one type in one layout.

    Returns
    -------
    DataFrame
        ``unit_code, name_vi, name_en, kind`` (+ ``region`` for pre-2025 provinces).
    """
    check_choice("unit_type", unit_type, UNIT_TYPES)
    check_choice("layout", layout, LAYOUTS)
    if unit_type == "province":
        df = _table("provinces_pre2025.csv" if layout == "pre-2025" else "provinces_2025.csv")
    else:
        df = _table("ministries.csv")
        df = df[df["layout"] == layout].drop(columns="layout")
    return df.reset_index(drop=True)


def crosswalk(unit_type: str) -> pd.DataFrame:
    """Old -> new units: ``code_pre2025, name_pre2025, code_2025, name_2025, merged`` (bool)."""
    check_choice("unit_type", unit_type, UNIT_TYPES)
    df = _table("province_crosswalk.csv" if unit_type == "province" else "ministry_crosswalk.csv")
    df["merged"] = df["merged"] == "true"
    return df


def tiles(layout: str) -> pd.DataFrame:
    """Tile-grid positions of the provinces in ``layout`` with names and merge groups.

    Positions are hand-made design choices (see ``data/units/README.md``), not data.

    Returns
    -------
    DataFrame
        ``layout, unit_code, row, col, name_vi, name_en, merge_group, merged``: the merge
        group is the 2025 unit a province belongs to (its own code in the 2025 layout).
    """
    check_choice("layout", layout, LAYOUTS)
    t = _table("tiles.csv")
    t = t[t["layout"] == layout].copy()
    t[["row", "col"]] = t[["row", "col"]].astype(int)
    names = unit_list("province", layout)[["unit_code", "name_vi", "name_en"]]
    t = t.merge(names, on="unit_code", how="left", validate="one_to_one")
    cw = crosswalk("province")
    if layout == "pre-2025":
        grp = cw.set_index("code_pre2025")
        t["merge_group"] = t["unit_code"].map(grp["code_2025"])
        t["merged"] = t["unit_code"].map(grp["merged"])
    else:
        merged_new = set(cw.loc[cw["merged"], "code_2025"])
        t["merge_group"] = t["unit_code"]
        t["merged"] = t["unit_code"].isin(merged_new)
    return t.sort_values(["row", "col"]).reset_index(drop=True)


def known_codes() -> dict[tuple[str, str], dict[str, str]]:
    """``(unit_type, layout) -> {code: name_vi}`` for every combination."""
    return {
        (ut, lay): dict(zip(d["unit_code"], d["name_vi"], strict=True))
        for ut in UNIT_TYPES
        for lay in LAYOUTS
        for d in [unit_list(ut, lay)]
    }


# ---------------------------------------------------------------- periods
def parse_period(text: str) -> tuple[date, str]:
    """``(end date, precision)`` of a counts period; ``ValueError`` if not parseable.

    >>> parse_period("2024-08")
    (datetime.date(2024, 8, 31), 'month')
    """
    text = text.strip()
    for precision, pattern in _PERIODS:
        if pattern.match(text):
            return evidence.period_end(text, precision), precision
    raise ValueError(text)


# ---------------------------------------------------------------- validation
def _rows(path: Path, shown: str) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """Rows with their line numbers; ``#`` comment lines and blank lines are skipped."""
    problems: list[Problem] = []
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [_io.utf8_problem(data, exc, shown, save_as="UTF-8 CSV")]
    try:
        with io.StringIO(text, newline="") as fh:
            reader = csv.reader(fh)
            header: list[str] | None = None
            last = 0
            for record in reader:
                start, last = last + 1, reader.line_num
                if not any(c.strip() for c in record) or record[0].lstrip().startswith("#"):
                    continue
                if header is None:
                    header = [h.strip() for h in record]
                    missing = [c for c in COUNT_COLUMNS if c not in header]
                    unknown = [c for c in header if c not in COUNT_COLUMNS + OPTIONAL_COLUMNS]
                    expected = ", ".join(COUNT_COLUMNS)
                    if missing:
                        problems.append(
                            Problem(
                                shown,
                                f"missing column(s) {', '.join(missing)}; expected columns: {expected}",
                                start,
                            )
                        )
                    if unknown:
                        problems.append(
                            Problem(
                                shown,
                                f"unknown column(s) {', '.join(unknown)}; expected columns: {expected} (optional: {', '.join(OPTIONAL_COLUMNS)})",
                                start,
                            )
                        )
                    if missing:
                        return [], problems
                    continue
                if not check_fields(record, header, shown, start, problems):
                    continue
                rows.append((start, {k: v.strip() for k, v in zip(header, record, strict=True)}))
    except csv.Error as exc:
        return [], [Problem(shown, f"malformed CSV: {exc}")]
    if header is None:
        problems.append(
            Problem(shown, f"file is empty; expected a header line: {', '.join(COUNT_COLUMNS)}", 1)
        )
    return rows, problems


def _count(value: str, column: str) -> tuple[int | None, str | None]:
    if value == "":
        return None, f"{column} is empty; expected a whole number >= 0"
    if not _COUNT.match(value):
        return (
            None,
            f"{column} {value!r} is not a whole number; expected a count of dossiers such as 1234 (no separators or decimals)",
        )
    n = int(value)
    if n < 0:
        return None, f"{column} {n} is negative; expected a whole number >= 0"
    if n > MAX_DOSSIERS:
        return (
            None,
            f"{column} {n} is too large; expected a count of dossiers up to {MAX_DOSSIERS:,}",
        )
    return n, None


def _check(path: Path | str) -> tuple[list[dict], list[Problem]]:
    """The rows of a counts CSV that pass every check (as records), and the problems."""
    if not isinstance(path, (str, os.PathLike)):
        return [], [f"path={path!r} is not accepted; expected the path of a per-unit counts CSV"]
    path = Path(path)
    shown = paths.relative(path)
    if not path.exists():
        return [], [Problem(shown, "file not found")]
    if not path.is_file():
        return [], [Problem(shown, "is a folder; expected a per-unit counts CSV")]
    rows, problems = _rows(path, shown)
    codes = known_codes()
    seen: dict[tuple[str, str, str, date], tuple[int, str]] = {}
    good: list[dict] = []
    for line, row in rows:
        before = len(problems)

        def bad(column: str, message: str, line: int = line) -> None:
            problems.append(Problem(shown, message, line, column))

        _check_unit(row, codes, bad)
        try:
            end, precision = parse_period(row["period"])
        except ValueError:
            bad(
                "period",
                f"period {row['period']!r} is not a date or period; expected {_PERIOD_HELP}",
            )
            end, precision = None, None
        total, online = _check_counts(row, bad)
        if end is not None:
            _check_unique(row, line, end, seen, bad)
        if len(problems) == before:
            good.append(
                {
                    "unit_type": row["unit_type"],
                    "unit_code": row["unit_code"],
                    "layout": row["layout"],
                    "period": row["period"],
                    "period_precision": precision,
                    "period_end": pd.Timestamp(end),
                    "dossiers_total": total,
                    "dossiers_fully_online": online,
                }
            )
    return good, problems


def _check_unit(row: dict[str, str], codes: dict, bad) -> None:
    """A counts row's unit: a known unit type, layout, and code of that layout
    (:func:`known_codes`); a code of the other layout is named as such."""
    ut, lay, code = row["unit_type"], row["layout"], row["unit_code"]
    if ut not in UNIT_TYPES:
        bad("unit_type", f"{ut!r} is not a unit type; expected one of: {', '.join(UNIT_TYPES)}")
    if lay not in LAYOUTS:
        bad("layout", f"{lay!r} is not a layout; expected one of: {', '.join(LAYOUTS)}")
    if ut in UNIT_TYPES and lay in LAYOUTS and code not in codes[(ut, lay)]:
        other = "2025" if lay == "pre-2025" else "pre-2025"
        hint = f" (it is a {other} code)" if code in codes[(ut, other)] else ""
        where = (
            "provinces_pre2025.csv"
            if (ut, lay) == ("province", "pre-2025")
            else ("provinces_2025.csv" if ut == "province" else "ministries.csv")
        )
        bad(
            "unit_code",
            f"unknown {ut} code {code!r} for layout {lay}{hint}; see data/units/{where}",
        )


def _check_counts(row: dict[str, str], bad) -> tuple[int | None, int | None]:
    """A counts row's dossiers total and fully online: whole numbers, online at most total."""
    total, msg = _count(row["dossiers_total"], "dossiers_total")
    if msg:
        bad("dossiers_total", msg)
    online, msg = _count(row["dossiers_fully_online"], "dossiers_fully_online")
    if msg:
        bad("dossiers_fully_online", msg)
    if total is not None and online is not None and online > total:
        bad(
            "dossiers_fully_online",
            f"dossiers_fully_online {online} is above dossiers_total {total}",
        )
    return total, online


def _check_unique(row: dict[str, str], line: int, end: date, seen: dict, bad) -> None:
    """One row per unit and period END: "2024-08" and "2024-08-31" are the same snapshot
    (``seen``: key -> first line and period)."""
    ut, lay, code = row["unit_type"], row["layout"], row["unit_code"]
    key = (ut, lay, code, end)
    if key not in seen:
        seen[key] = (line, row["period"])
        return
    first_line, first_period = seen[key]
    same = (
        ""
        if first_period == row["period"]
        else f" as period {first_period}; both end on {end.isoformat()}"
    )
    bad(
        "period",
        f"duplicate row for {ut} {code} ({lay}) period {row['period']} (first on line {first_line}{same})",
    )


def validate_counts(path: Path | str) -> list[Problem]:
    """Every problem in a per-unit counts CSV, one per line (empty when valid).

    Checks: the columns of :data:`COUNT_COLUMNS`; ``unit_type`` and ``layout`` from
    :data:`UNIT_TYPES` / :data:`LAYOUTS`; ``unit_code`` known for its type and layout;
    ``period`` parseable; counts whole numbers >= 0; fully online not above total; no
    duplicate (unit, layout, period end): ``2024-08`` and ``2024-08-31`` (or ``2024`` and
    ``2024-Q4``) end on the same day and are one snapshot, so a second one is an error.
    """
    return _check(path)[1]


def _with_shares(df: pd.DataFrame) -> pd.DataFrame:
    total = df["dossiers_total"].astype(float)
    df["fully_online_share"] = np.where(
        total > 0, df["dossiers_fully_online"] / total.where(total > 0, 1.0), np.nan
    )
    return df


def _add_names(df: pd.DataFrame) -> pd.DataFrame:
    names = pd.concat(
        [
            unit_list(ut, lay).assign(unit_type=ut, layout=lay)[
                ["unit_type", "layout", "unit_code", "name_vi", "name_en"]
            ]
            for ut in UNIT_TYPES
            for lay in LAYOUTS
        ]
    )
    return df.drop(columns=["name_vi", "name_en"], errors="ignore").merge(
        names, on=["unit_type", "layout", "unit_code"], how="left"
    )


def load_counts(path: Path | str) -> pd.DataFrame:
    """A validated per-unit counts file as a long table.

    Returns
    -------
    DataFrame
        ``unit_type, unit_code, layout, period, period_precision, period_end,
        dossiers_total, dossiers_fully_online, fully_online_share, name_vi, name_en``;
        ``fully_online_share`` is fully online / total (NaN where the total is 0).

    Raises
    ------
    InputError
        Listing every problem, one per line (file, line, column and what is accepted).
    """
    rows, problems = _check(path)
    if problems:
        raise InputError(problems)
    cols = [*COUNT_COLUMNS[:4], "period_precision", "period_end", *COUNT_COLUMNS[4:]]
    df = pd.DataFrame(rows, columns=cols)
    df[["dossiers_total", "dossiers_fully_online"]] = df[
        ["dossiers_total", "dossiers_fully_online"]
    ].astype("int64")
    df = _add_names(_with_shares(df))
    return df.sort_values(["unit_type", "layout", "unit_code", "period_end"]).reset_index(drop=True)


# ---------------------------------------------------------------- layouts
def to_layout(
    counts: pd.DataFrame, layout: str, *, incomplete: str = "flag", unsplittable: str = "raise"
) -> pd.DataFrame:
    """Re-express counts in one layout.

    Pre-2025 -> 2025: the counts of the constituent units are **summed** per (new unit,
    period end) and the share is recomputed from the sums (never an average of shares);
    constituents stating the same end differently (``2024-08`` / ``2024-08-31``) are one
    period, shown as the end date. A
    new unit whose constituents are not all present for a period is flagged
    ``complete = False`` (``missing`` lists the absent codes) and its share is left NaN.

    2025 -> pre-2025: possible only for units that did not merge (the same territory);
    a merged unit's counts cannot be split.

    Parameters
    ----------
    counts
        From :func:`load_counts` (rows may mix both layouts).
    layout
        ``"2025"`` or ``"pre-2025"``.
    incomplete
        ``"flag"`` (keep, ``complete=False``, share NaN), ``"drop"`` or ``"raise"``.
    unsplittable
        For 2025 -> pre-2025: ``"raise"`` (an :class:`InputError` naming each unit that
        cannot be split) or ``"drop"`` (leave them out; listed in ``df.attrs["dropped"]``).

    Returns
    -------
    DataFrame
        The columns of :func:`load_counts` plus ``complete`` (bool), ``constituents`` and
        ``missing`` (space-separated codes in the source layout) and ``from_layout``.
    """
    check_choice("layout", layout, LAYOUTS)
    check_choice("incomplete", incomplete, ("flag", "drop", "raise"))
    check_choice("unsplittable", unsplittable, ("raise", "drop"))
    missing_cols = [c for c in (*COUNT_COLUMNS, "period_end") if c not in counts.columns]
    if missing_cols:
        raise InputError(
            f"counts frame lacks column(s) {', '.join(missing_cols)}; use units.load_counts(path)"
        )
    same = counts[counts["layout"] == layout].copy()
    same = same.assign(
        complete=True, constituents=same["unit_code"], missing="", from_layout=layout
    )
    other = counts[counts["layout"] != layout]
    parts = [same]
    unsplit: list[str] = []
    for ut in UNIT_TYPES:
        sub = other[other["unit_type"] == ut]
        if sub.empty:
            continue
        if layout == "2025":
            parts.append(_merge_into_2025(sub, ut))
        else:
            ok, messages = _split_to_pre2025(sub, ut)
            parts.append(ok)
            unsplit += messages
    if unsplit and unsplittable == "raise":
        raise InputError(
            unsplit
            + ["re-express these in the 2025 layout instead (units.to_layout(counts, '2025'))"]
        )
    out = pd.concat(parts, ignore_index=True)
    out["layout"] = layout
    _check_one_layout_each(out)
    bad = out[~out["complete"]]
    if incomplete == "raise" and not bad.empty:
        raise InputError(
            [
                f"{r.unit_type} {r.unit_code} ({layout}) period {r.period}: constituent unit(s) {r.missing} missing; the sum would be partial"
                for r in bad.itertuples()
            ]
        )
    if incomplete == "drop":
        out = out[out["complete"]]
    out = _with_shares(out)
    out.loc[~out["complete"], "fully_online_share"] = np.nan
    out = _add_names(out)
    out = (
        out[list(LAYOUT_COLUMNS)]
        .sort_values(["unit_type", "unit_code", "period_end"])
        .reset_index(drop=True)
    )
    out["dossiers_total"] = out["dossiers_total"].astype("int64")
    out["dossiers_fully_online"] = out["dossiers_fully_online"].astype("int64")
    out.attrs["dropped"] = unsplit if unsplittable == "drop" else []
    return out


#: The columns of :func:`to_layout`'s table, in order.
LAYOUT_COLUMNS = (
    "unit_type",
    "unit_code",
    "layout",
    "period",
    "period_precision",
    "period_end",
    "dossiers_total",
    "dossiers_fully_online",
    "fully_online_share",
    "complete",
    "constituents",
    "missing",
    "from_layout",
    "name_vi",
    "name_en",
)


def _merge_into_2025(sub: pd.DataFrame, ut: str) -> pd.DataFrame:
    """Pre-2025 counts of one unit type summed into their 2025 units per period END
    ("2024-08" and "2024-08-31" are one snapshot); ``missing`` names absent constituents."""
    cw = crosswalk(ut)
    target = dict(zip(cw["code_pre2025"], cw["code_2025"], strict=True))
    members = cw.groupby("code_2025")["code_pre2025"].apply(lambda s: sorted(s)).to_dict()
    sub = sub.assign(new_code=sub["unit_code"].map(target))
    g = sub.groupby(["new_code", "period_end"], sort=True)
    agg = g.agg(
        dossiers_total=("dossiers_total", "sum"),
        dossiers_fully_online=("dossiers_fully_online", "sum"),
        present=("unit_code", lambda s: sorted(s)),
        periods=("period", lambda s: sorted(set(s))),
        precisions=("period_precision", lambda s: sorted(set(s))),
    ).reset_index()
    one = agg["periods"].map(len) == 1
    agg["period"] = np.where(one, agg["periods"].str[0], agg["period_end"].dt.strftime("%Y-%m-%d"))
    agg["period_precision"] = np.where(
        one & (agg["precisions"].map(len) == 1), agg["precisions"].str[0], "day"
    )
    agg = agg.drop(columns=["periods", "precisions"])
    agg["unit_type"] = ut
    agg["unit_code"] = agg["new_code"]
    agg["constituents"] = agg["present"].map(" ".join)
    agg["missing"] = [
        " ".join(c for c in members[n] if c not in p)
        for n, p in zip(agg["new_code"], agg["present"], strict=True)
    ]
    agg["complete"] = agg["missing"] == ""
    agg["from_layout"] = "pre-2025"
    return agg.drop(columns=["new_code", "present"])


def _split_to_pre2025(sub: pd.DataFrame, ut: str) -> tuple[pd.DataFrame, list[str]]:
    """2025 counts of one unit type in the pre-2025 layout: the units that did not merge
    (the same territory), and one message per merged unit, whose counts cannot be split."""
    cw = crosswalk(ut)
    unmerged = cw[~cw["merged"]]
    back = dict(zip(unmerged["code_2025"], unmerged["code_pre2025"], strict=True))
    members = (
        cw[cw["merged"]]
        .groupby("code_2025")["code_pre2025"]
        .apply(lambda s: " ".join(sorted(s)))
        .to_dict()
    )
    split = sub[~sub["unit_code"].isin(back)]
    messages = [
        f"{ut} {code} (2025) merges pre-2025 units {members.get(code, '?')}; its counts cannot be split into them"
        for code in sorted(set(split["unit_code"]))
    ]
    ok = sub[sub["unit_code"].isin(back)].copy()
    ok["constituents"] = ok["unit_code"]
    ok["unit_code"] = ok["unit_code"].map(back)
    return ok.assign(complete=True, missing="", from_layout="2025"), messages


def _check_one_layout_each(out: pd.DataFrame) -> None:
    """InputError for a unit and period whose counts come from both layouts."""
    dup = out[
        out.duplicated(["unit_type", "unit_code", "period"], keep=False)
        | out.duplicated(["unit_type", "unit_code", "period_end"], keep=False)
    ]
    if not dup.empty:
        clash = sorted({f"{r.unit_type} {r.unit_code} period {r.period}" for r in dup.itertuples()})
        raise InputError(
            [
                f"{c}: counts come from both layouts; keep one source per unit and period"
                for c in clash
            ]
        )


def latest(analysis: pd.DataFrame) -> pd.DataFrame:
    """The latest period of each unit (the status table's rows), best share first."""
    last = (
        analysis.sort_values("period_end")
        .groupby(["unit_type", "unit_code"], as_index=False)
        .tail(1)
    )
    return last.sort_values(
        ["unit_type", "fully_online_share"], ascending=[True, False], na_position="last"
    ).reset_index(drop=True)
