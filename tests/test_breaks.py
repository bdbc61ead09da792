"""Structural breaks as data (``data/breaks.csv``): the shipped table validates, :func:`known`
gives what a cut-off could know, and broken files give one clear line each."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from dvcanalysis import breaks, cli
from dvcanalysis.errors import InputError

BR = "tests/fixtures/breaks"


# ---------------------------------------------------------------- the shipped breaks
def test_shipped_breaks_are_valid(shipped_data):
    assert breaks.validate() == []


def test_shipped_breaks_record_the_2025_reorganisations(shipped_data):
    b = breaks.load()
    got = {(r.segment, r.date.date().isoformat(), r.kind) for r in b.itertuples()}
    for seg in ("ministries", "national"):
        assert (seg, "2025-03-01", "reorganisation") in got
    for seg in ("localities", "national"):
        assert (seg, "2025-07-01", "reorganisation") in got
    # every break was decided no later than it took effect
    assert (b["announced"].fillna(b["date"]) <= b["date"]).all()


def test_frozen_data_without_a_breaks_file_has_no_breaks():
    # the frozen 2024 data folder has no breaks.csv: no break recorded, same columns
    b = breaks.load()
    assert b.empty
    assert list(b.columns) == list(breaks.LOADED_COLUMNS)
    assert breaks.known("2025-12-31").empty


# ---------------------------------------------------------------- load and known
def test_load_has_its_columns_and_types():
    b = breaks.load(f"{BR}/valid.csv")
    assert list(b.columns) == list(breaks.LOADED_COLUMNS)
    assert pd.api.types.is_datetime64_any_dtype(b["date"])
    assert pd.api.types.is_datetime64_any_dtype(b["announced"])
    row = b.set_index("id")
    assert pd.isna(row.loc["ministries_x", "announced"])  # empty: known from its date
    assert row.loc["localities_x", "announced"] == pd.Timestamp("2025-04-12")
    assert list(b["date"]) == sorted(b["date"])


@pytest.mark.parametrize(
    ("cutoff", "ids"),
    [
        ("2025-02-28", set()),
        ("2025-03-01", {"ministries_x"}),  # no announcement date: known from the day it took effect
        ("2025-04-11", {"ministries_x"}),
        ("2025-04-12", {"ministries_x", "localities_x"}),  # announced before it took effect
        ("2025-06-30", {"ministries_x", "localities_x"}),
    ],
)
def test_known_gives_the_breaks_announced_or_in_effect_by_the_cutoff(cutoff, ids):
    assert set(breaks.known(cutoff, f"{BR}/valid.csv")["id"]) == ids


def test_load_is_cached_on_the_file_stamp(tmp_path, frozen_data):
    d = tmp_path / "data"
    shutil.copytree(frozen_data, d, symlinks=False)
    p = d / "breaks.csv"
    shutil.copy(f"{BR}/valid.csv", p)
    first = breaks.load(p)
    first.loc[0, "kind"] = "changed by the caller"  # a copy: the cache is untouched
    assert breaks.load(p).loc[0, "kind"] == "reorganisation"
    text = p.read_text(encoding="utf-8").replace("34 provinces replace 63", "34 units replace 63")
    p.write_text(text, encoding="utf-8")
    assert "34 units replace 63" in set(breaks.load(p)["what_changed"])


def test_an_explicit_missing_file_is_an_error():
    with pytest.raises(InputError, match=r"no_such_breaks\.csv: file not found"):
        breaks.load(f"{BR}/no_such_breaks.csv")


# ---------------------------------------------------------------- broken files
@pytest.mark.parametrize(
    ("name", "wording"),
    [
        (
            "unknown_kind",
            "unknown_kind.csv:2: column 'kind': 'merger' is not in the vocabulary (break_kinds); "
            "expected one of: reorganisation, portal",
        ),
        (
            "unknown_segment",
            "unknown_segment.csv:2: column 'segment': 'provinces' is not accepted; "
            "expected one of: ministries, localities, national",
        ),
        (
            "bad_date",
            "bad_date.csv:2: column 'date': '1/3/2025' is not a date; "
            "expected YYYY-MM-DD (the day the change took effect)",
        ),
        (
            "announced_after_date",
            "announced_after_date.csv:2: column 'announced': announced 2025-08-12 is after the "
            "date the change took effect (2025-07-01); expected a day on or before it, or empty",
        ),
        (
            "unknown_source",
            "unknown_source.csv:2: column 'source_id': unknown source_id 'ref_nowhere'; "
            "expected a source_id of tests/fixtures/data_2024-08-31/sources.csv",
        ),
        (
            "quote_not_found",
            "quote_not_found.csv:2: column 'quote_ref': quote not found verbatim in "
            "reference/README.md: 'From 1 March 2025: 15 ministries'",
        ),
    ],
)
def test_a_broken_breaks_file_is_one_line_naming_line_column_and_what_is_accepted(name, wording):
    problems = [str(p) for p in breaks.validate(f"{BR}/{name}.csv")]
    assert len(problems) == 1
    assert problems[0] == f"{BR}/{wording}"
    with pytest.raises(InputError) as exc:
        breaks.load(f"{BR}/{name}.csv")
    assert str(exc.value) == problems[0]


def test_every_problem_of_a_file_is_reported_at_once():
    problems = [str(p) for p in breaks.validate(f"{BR}/several_problems.csv")]
    assert [p.split("':", 1)[0] + "'" for p in problems] == [
        f"{BR}/several_problems.csv:2: column 'kind'",
        f"{BR}/several_problems.csv:3: column 'announced'",
        f"{BR}/several_problems.csv:3: column 'quote_ref'",
    ]


def test_cli_validates_a_breaks_file_with_exit_code_2(capsys):
    assert cli.main(["validate", f"{BR}/valid.csv"]) == 0
    assert cli.main(["validate", f"{BR}/unknown_kind.csv"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith(f"{BR}/unknown_kind.csv:2: column 'kind': 'merger'")
    assert err[-1] == f"1 problem(s) in {BR}/unknown_kind.csv"


def test_cli_validates_the_breaks_of_a_data_folder(tmp_path, frozen_data, capsys):
    d = tmp_path / "data"
    shutil.copytree(frozen_data, d, symlinks=False)
    assert cli.main(["validate", str(d)]) == 0
    shutil.copy(f"{BR}/unknown_kind.csv", d / "breaks.csv")
    assert cli.main(["validate", str(d)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert any("breaks.csv:2: column 'kind': 'merger'" in line for line in err)
