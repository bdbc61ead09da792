"""The evidence base: the shipped table validates; broken files give one clear line each."""

from datetime import date

import pandas as pd
import pytest

from dvcanalysis import evidence, paths
from dvcanalysis.errors import InputError

EV = "tests/fixtures/evidence"


def test_shipped_evidence_is_valid(shipped_data):
    assert evidence.validate() == []


def test_frozen_fixture_evidence_is_valid():
    assert evidence.validate() == []


def test_raw_reference_notes_are_byte_identical_copies():
    shared = paths.root().parent / "shared" / "reference"
    if not shared.is_dir():
        pytest.skip("shared/reference not beside the checkout")
    for name in ("README.md", "monitoring-2024.md", "monitoring-2025-h1.md"):
        raw = paths.root() / "data" / "raw" / "reference" / name
        assert raw.read_bytes() == (shared / name).read_bytes()


def test_load_has_schema_columns_and_enough_rows():
    ev = evidence.load()
    assert list(ev.columns[: len(evidence.EVIDENCE_COLUMNS)]) == list(evidence.EVIDENCE_COLUMNS)
    assert len(ev) >= 60
    assert ev["id"].is_unique
    assert ev.loc[ev["unit"] == "share", "value"].between(0, 1).all()


def test_every_seed_is_cited():
    ev = evidence.load()
    assert {"seed000", "seed001", "seed002", "seed003", "seed004"} <= set(ev["source_id"])


def test_raw_seeds_are_byte_identical_copies():
    shared = paths.root().parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("shared/seeds not beside the checkout")
    for f in shared.glob("*.txt"):
        assert (paths.raw_dir() / "seeds" / f.name).read_bytes() == f.read_bytes()


@pytest.mark.parametrize(
    ("period", "precision", "expected"),
    [
        ("2024-08-31", "day", date(2024, 8, 31)),
        ("2024-02", "month", date(2024, 2, 29)),
        ("2024-12", "month", date(2024, 12, 31)),
        ("2025-Q2", "quarter", date(2025, 6, 30)),
        ("2024-H1", "half", date(2024, 6, 30)),
        ("2024", "year", date(2024, 12, 31)),
    ],
)
def test_period_end(period, precision, expected):
    assert evidence.period_end(period, precision) == expected


def test_period_end_rejects_mismatch():
    with pytest.raises(ValueError, match="does not match precision"):
        evidence.period_end("2024-08", "day")


def test_decimal_year_end_of_year_is_next_integer():
    assert evidence.decimal_year(date(2024, 12, 31)) == 2025.0
    assert evidence.decimal_year(date(2024, 8, 31)) == pytest.approx(2024 + 244 / 366)


def test_the_headline_observation_and_targets():
    loc = evidence.series("fully_online_share", "localities")
    assert loc["value"].tolist() == [0.17]
    assert loc["period_end"].iloc[0] == pd.Timestamp("2024-08-31")
    tgt = evidence.series("fully_online_share", "localities", kind="target")
    assert sorted(set(zip(tgt["period"], tgt["value"], strict=True))) == [
        ("2024", 0.3),
        ("2025", 0.7),
    ]
    mins = evidence.series("fully_online_share", "ministries", kind="target")
    assert sorted(set(zip(mins["period"], mins["value"], strict=True))) == [
        ("2024", 0.7),
        ("2025", 0.85),
    ]


def test_series_cutoff_drops_later_rows():
    full = evidence.series("fully_online_share", "national")
    early = evidence.series("fully_online_share", "national", cutoff="2020-01-01")
    assert len(early) < len(full)
    assert (early["period_end"] <= pd.Timestamp("2020-01-01")).all()


def test_series_unknown_indicator_suggests():
    with pytest.raises(
        InputError, match="unknown indicator 'fully_online_shar'; did you mean fully_online_share"
    ):
        evidence.series("fully_online_shar", "localities")


def test_series_unknown_segment_lists_accepted():
    with pytest.raises(
        InputError, match="unknown segment 'provinces'; expected one of: national, ministries"
    ):
        evidence.series("fully_online_share", "provinces")


def test_cite_both_languages():
    vi = evidence.cite("seed003-07", "vi")
    en = evidence.cite("seed003-07", "en")
    assert "“các địa phương đạt tối thiểu 30%”" in vi and "[seed003-07]" in vi and "31/8/2024" in vi
    assert "31 Aug 2024" in en and "[seed003-07]" in en
    with pytest.raises(InputError, match="unknown evidence id 'nope-01'"):
        evidence.cite("nope-01")


def test_valid_fixture_passes():
    assert evidence.validate(f"{EV}/valid.csv", data_dir=paths.data_dir()) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "bad_value.csv",
            f"{EV}/bad_value.csv:3: column 'value': value 'abc' is not a finite number",
        ),
        (
            "bad_unit.csv",
            f"{EV}/bad_unit.csv:2: column 'unit': 'percent' is not in the vocabulary; expected one of: share, count,",
        ),
        (
            "share_out_of_range.csv",
            f"{EV}/share_out_of_range.csv:2: column 'value': share 17.0 is outside 0-1 (write 17% as 0.17)",
        ),
        (
            "bad_period.csv",
            f"{EV}/bad_period.csv:2: column 'period': period '2024-13' is not parseable at precision 'month'; expected YYYY-MM",
        ),
        (
            "unknown_source.csv",
            f"{EV}/unknown_source.csv:2: column 'source_id': unknown source_id 'seed999'; known: seed000,",
        ),
        (
            "quote_not_found.csv",
            f"{EV}/quote_not_found.csv:2: column 'quote_vi': quote not found verbatim in seeds/000_7e6070596da47165.txt: 'mới chỉ 71% hồ sơ'",
        ),
        (
            "duplicate_id.csv",
            f"{EV}/duplicate_id.csv:3: column 'id': duplicate id 'seed000-03' (first on line 2)",
        ),
        (
            "missing_column.csv",
            f"{EV}/missing_column.csv:1: missing column(s) unit; expected columns: id, indicator,",
        ),
    ],
)
def test_broken_fixture_wording(name, expected):
    problems = [str(p) for p in evidence.validate(f"{EV}/{name}", data_dir=paths.data_dir())]
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems[0]


def test_all_problems_reported_in_one_pass():
    problems = [
        str(p) for p in evidence.validate(f"{EV}/several_problems.csv", data_dir=paths.data_dir())
    ]
    assert len(problems) == 3
    assert [p.split(": ", 1)[0] for p in problems] == [f"{EV}/several_problems.csv:2"] * 2 + [
        f"{EV}/several_problems.csv:3"
    ]


def test_load_raises_input_error_listing_problems():
    with pytest.raises(InputError) as info:
        evidence.load(f"{EV}/several_problems.csv")
    assert len(info.value.problems) == 3


def _copy_data(tmp_path):
    import shutil

    d = tmp_path / "data"
    shutil.copytree(paths.data_dir(), d, ignore=shutil.ignore_patterns("units", "templates"))
    return d


def test_broken_vocabulary_is_one_line(tmp_path):
    d = _copy_data(tmp_path)
    (d / "vocabulary.yml").write_text("units: [share\nkinds: {}\n", encoding="utf-8")
    problems = [str(p) for p in evidence.validate(d / "evidence.csv", data_dir=d)]
    assert (
        len(problems) == 1 and "vocabulary.yml" in problems[0] and "not valid YAML" in problems[0]
    )


def test_missing_seed_file_reported_not_raised(tmp_path):
    d = _copy_data(tmp_path)
    (d / "raw" / "seeds" / "001_6e4f5c529fecaefb.txt").unlink()
    problems = [str(p) for p in evidence.validate(d / "evidence.csv", data_dir=d)]
    assert any(
        "column 'raw_file': raw file 'seeds/001_6e4f5c529fecaefb.txt' not found" in p
        for p in problems
    )
    # said once, at the source; the evidence rows that cite it are not checked
    assert len(problems) == 2
    assert problems[1].endswith("/evidence.csv: not checked: sources.csv has the problems above")


def test_non_utf8_seed_reported(tmp_path):
    d = _copy_data(tmp_path)
    (d / "raw" / "seeds" / "003_2fa982fc87933874.txt").write_bytes(b"H\xe0 N\xf4i \xff\xfe")
    problems = [str(p) for p in evidence.validate(d / "evidence.csv", data_dir=d)]
    assert any("raw file 'seeds/003_2fa982fc87933874.txt' is not UTF-8 text" in p for p in problems)


def test_series_rejects_unknown_kind_and_bad_cutoff():
    with pytest.raises(
        InputError, match="unknown kind 'targte'; expected one of: observed, target"
    ):
        evidence.series("fully_online_share", "localities", kind="targte")
    with pytest.raises(InputError, match="cutoff='xx' is not a date; expected YYYY-MM-DD"):
        evidence.series("fully_online_share", "localities", cutoff="xx")


def test_displayed_evidence_has_labels_in_both_languages():
    """The claims table and timeline never fall back to raw codes."""
    from dvcanalysis import fmt

    ev = evidence.load()
    shown = ev[ev["kind"].isin(["claim", "target"])]
    missing = sorted(
        {f"indicator.{i}" for i in shown["indicator"] if not fmt.has_label(f"indicator.{i}")}
    )
    missing += sorted(
        f"segment.{s}"
        for s in evidence.vocabulary()["segments"]
        if not fmt.has_label(f"segment.{s}")
    )
    assert missing == []


def test_value_text_units():
    from dvcanalysis.tables.evidence import value_text

    assert value_text(1, "days", "vi") == "1 ngày"
    assert value_text(2.6e12, "vnd_per_year", "en") == "VND 2,600 billion a year"
    assert value_text(28e9, "usd_per_year", "en") == "USD 28 billion a year"


def test_frozen_end_2024_fixture_is_valid(data_2024_12_31):
    assert evidence.validate() == []


def test_disagreements_of_the_frozen_evidence():
    # to 31/8/2024 no quantity has two values; a table with its columns, not an error
    d = evidence.disagreements()
    assert list(d.columns[:3]) == ["group", "reason", "id"]


def test_disagreements_of_the_2024_evidence(data_2024_12_31):
    d = evidence.disagreements()
    nat = d[(d["segment"] == "national") & (d["kind"] == "observed")]
    assert set(nat["value"]) == {0.458, 0.45} and nat["group"].nunique() == 1
    bct = d[(d["unit_code"] == "BCT") & (d["period"] == "2024")]
    assert set(bct["value"]) == {0.8348, 0.8349}
