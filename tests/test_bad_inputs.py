"""Every bad input gets one line naming file, line or argument and what is accepted; exit 2.

A table of cases by category (data CSVs, YAML configurations, grids, counts files,
command-line arguments, Python API arguments), each with the wording expected. File
cases run ``dvcanalysis validate`` (or ``render``) and then the loader of that file, so
validation and loading are seen to agree; command-line cases check that nothing was
written. A few valid-but-unusual inputs (a byte-order mark) are accepted alike.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from dvcanalysis import evidence, fmt, paths, render, savings, scenarios, units
from dvcanalysis.cli import main
from dvcanalysis.errors import InputError

DATA = paths.data_dir()
FIX = Path(__file__).parent / "fixtures"
BOM = b"\xef\xbb\xbf"
SCENARIO = (DATA / "scenarios" / "business-as-usual.yml").read_text(encoding="utf-8")
SAVINGS = (DATA / "savings.yml").read_text(encoding="utf-8")
COUNTS_HEAD = "unit_type,unit_code,layout,period,dossiers_total,dossiers_fully_online\n"
GOOD_ROW = "province,01,pre-2025,2024-06,1000,250\n"
OK_NB = FIX / "render" / "ok.ipynb"
GRID = f"- notebook: {OK_NB}\n  grid: {{lang: [vi, en]}}\n"


def _problems(capsys) -> list[str]:
    """The problem lines ``dvcanalysis validate`` printed (its closing count line dropped)."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return [line for line in err.splitlines() if " problem(s) in " not in line]


def _one_line(exc: InputError) -> str:
    text = str(exc)
    assert "\n" not in text, text
    return text


# ------------------------------------------------------------------ YAML configurations
def _scenario(text: str | bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        d = tmp / "scenarios"
        d.mkdir()
        p = d / "business-as-usual.yml"
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return p

    return make


def _savings(text: str | bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        p = tmp / "savings.yml"
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return p

    return make


def _grid(text: str | bytes, name: str = "briefings.yml") -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        p = tmp / name
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return p

    return make


def _load_scenario(p: Path):
    return scenarios.load_file(p)


def _load_savings(p: Path):
    return savings.load_config(p)


def _load_grid(p: Path):
    return render.load_grid(p)


YAML_CASES = [
    # (id, make file, loader, expected wording, line)
    (
        "scenario-not-utf8",
        _scenario(SCENARIO.replace("Business as usual", "Caf\xe9").encode("latin-1", "replace")),
        _load_scenario,
        "not valid UTF-8 (byte 0xe9: invalid continuation byte); save the file as UTF-8",
        1,  # the comment on line 1 names the scenario too
    ),
    (
        "scenario-duplicate-top-key",
        _scenario(SCENARIO.replace("national: mix\n", "national: mix\ncurve: gompertz\n")),
        _load_scenario,
        "key 'curve' is given twice (first on line 12); give each key once",
        14,
    ),
    (
        "scenario-duplicate-nested-key",
        _scenario(SCENARIO.replace("    unit: year\n", "    unit: year\n    unit: share\n", 1)),
        _load_scenario,
        "key 'unit' is given twice (first on line 17); give each key once",
        18,
    ),
    (
        "scenario-invalid-yaml",
        _scenario(SCENARIO.replace("curve: logistic", "curve: [logistic")),
        _load_scenario,
        "not valid YAML (expected ',' or ']', but got ':')",
        None,
    ),
    (
        "scenario-a-list",
        _scenario("- name: business-as-usual\n"),
        _load_scenario,
        "expected a mapping with keys",
        None,
    ),
    (
        "scenario-empty",
        _scenario(""),
        _load_scenario,
        "expected a mapping with keys",
        None,
    ),
    (
        "scenario-unknown-key",
        _scenario(SCENARIO.replace("national: mix\n", "national: mix\ncolour: red\n")),
        _load_scenario,
        "key 'colour': unknown key; expected one of:",
        None,
    ),
    (
        "scenario-bad-extends-alone",
        _scenario(SCENARIO.replace("curve: logistic\n", "extends: nope\n")),
        _load_scenario,
        "key 'extends': 'nope' is not a scenario; expected one of: business-as-usual",
        None,
    ),
    (
        "scenario-bad-curve",
        _scenario(SCENARIO.replace("curve: logistic", "curve: straight")),
        _load_scenario,
        "key 'curve': 'straight' is not accepted; expected one of:",
        None,
    ),
    (
        "scenario-title-not-mapping",
        _scenario(
            SCENARIO.replace(
                "title:\n  vi: Duy trì xu hướng hiện nay\n  en: Business as usual\n", "title: BAU\n"
            )
        ),
        _load_scenario,
        "key 'title': 'BAU' is not accepted; expected a mapping with text for vi and en",
        None,
    ),
    (
        "scenario-name-mismatch",
        _scenario(SCENARIO.replace("name: business-as-usual", "name: other")),
        _load_scenario,
        "key 'name': 'other' does not match the file name; expected 'business-as-usual'",
        None,
    ),
    (
        "savings-not-utf8",
        _savings(SAVINGS.encode("utf-8") + b"# caf\xe9\n"),
        _load_savings,
        "not valid UTF-8 (byte 0xe9: invalid continuation byte); save the file as UTF-8",
        SAVINGS.count("\n") + 1,
    ),
    (
        "savings-duplicate-section",
        _savings(SAVINGS + "calibration:\n  target: none\n"),
        _load_savings,
        "key 'calibration' is given twice (first on line 24); give each key once",
        SAVINGS.count("\n") + 1,
    ),
    (
        "savings-duplicate-parameter-field",
        _savings(SAVINGS.replace("  target: official\n", "  target: official\n  target: none\n")),
        _load_savings,
        "key 'target' is given twice (first on line 25); give each key once",
        26,
    ),
    (
        "savings-a-list",
        _savings("- reference\n"),
        _load_savings,
        "expected a mapping with sections: reference, calibration",
        None,
    ),
    (
        "savings-invalid-yaml",
        _savings("reference: {\n"),
        _load_savings,
        "not valid YAML (",
        None,
    ),
    (
        "grid-not-utf8",
        _grid(GRID.encode() + b"# \xff\n"),
        _load_grid,
        "not valid UTF-8 (byte 0xff: invalid start byte); save the file as UTF-8",
        3,
    ),
    (
        "grid-duplicate-key",
        _grid(GRID + "  grid: {lang: [vi]}\n"),
        _load_grid,
        "key 'grid' is given twice (first on line 2); give each key once",
        3,
    ),
    (
        "grid-invalid-yaml",
        _grid("- notebook: [\n"),
        _load_grid,
        "not valid YAML (",
        None,
    ),
    (
        "grid-empty",
        _grid(""),
        _load_grid,
        "expected a non-empty list of entries, each a mapping with keys: notebook, grid",
        None,
    ),
    (
        "grid-negative-timeout",
        _grid(GRID + "  timeout: -5\n"),
        _load_grid,
        "entry 1 key 'timeout': -5 is not accepted; expected a positive whole number of seconds",
        3,
    ),
    (
        "grid-value-not-a-list",
        _grid(f"- notebook: {OK_NB}\n  grid: {{lang: vi}}\n"),
        _load_grid,
        "entry 1 key 'grid' 'lang': expected a list of values, e.g. ['vi']",
        2,
    ),
    (
        "grid-wrong-type",
        _grid(f"- notebook: {OK_NB}\n  grid: {{n: [one]}}\n"),
        _load_grid,
        "n='one' is str; expected n: int",
        2,
    ),
    (
        "grid-unknown-parameter",
        _grid(f"- notebook: {OK_NB}\n  parameters: {{colour: red}}\n"),
        _load_grid,
        "parameter 'colour' is not accepted by",
        2,
    ),
    (
        "grid-notebook-not-ipynb",
        _grid("- notebook: notes.txt\n"),
        _load_grid,
        "entry 1 key 'notebook': 'notes.txt' is not a notebook path; expected a path ending in .ipynb",
        1,
    ),
]


@pytest.mark.parametrize(
    ("make", "loader", "wording", "line"),
    [c[1:] for c in YAML_CASES],
    ids=[c[0] for c in YAML_CASES],
)
def test_bad_yaml_configuration(make, loader, wording, line, tmp_path, capsys):
    path = make(tmp_path)
    assert main(["validate", str(path)]) == 2
    problems = _problems(capsys)
    assert len(problems) == 1, problems
    assert wording in problems[0]
    where = f"{paths.relative(path)}:{line}:" if line else f"{paths.relative(path)}:"
    assert problems[0].startswith(where), problems[0]
    with pytest.raises(InputError) as err:  # the loader says the same
        loader(path)
    assert _one_line(err.value) == problems[0]


@pytest.mark.parametrize(
    ("make", "loader"),
    [
        (_scenario(BOM + SCENARIO.encode("utf-8")), _load_scenario),
        (_savings(BOM + SAVINGS.encode("utf-8")), _load_savings),
        (_grid(BOM + GRID.encode("utf-8")), _load_grid),
    ],
    ids=["scenario-bom", "savings-bom", "grid-bom"],
)
def test_a_byte_order_mark_is_accepted_by_every_yaml_reader(make, loader, tmp_path, capsys):
    path = make(tmp_path)
    assert main(["validate", str(path)]) == 0
    assert loader(path) is not None


def test_label_and_vocabulary_files_reject_duplicate_keys(tmp_path):
    from dvcanalysis import _io

    p = tmp_path / "vocabulary.yml"
    p.write_text(
        (DATA / "vocabulary.yml").read_text(encoding="utf-8") + "units:\n  share: again\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"key 'units' is given twice \(first on line 3\)"):
        evidence._vocabulary(str(p))
    # the labels use the same reader
    labels = tmp_path / "labels.yml"
    labels.write_text("title:\n  vi: a\n  en: b\n  en: c\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"labels.yml:4: key 'en' is given twice"):
        _io.read_yaml(labels)


# ------------------------------------------------------------------ counts files
def _counts(body: str | bytes, head: str = COUNTS_HEAD) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        p = tmp / "counts.csv"
        raw = body if isinstance(body, bytes) else (head + body).encode("utf-8")
        p.write_bytes(raw)
        return p

    return make


COUNTS_CASES = [
    (
        "count-1e20",
        _counts("province,01,pre-2025,2024-06,100000000000000000000,5\n"),
        ":2: column 'dossiers_total': dossiers_total 100000000000000000000 is too large; "
        "expected a count of dossiers up to 1,000,000,000,000",
    ),
    (
        "count-negative",
        _counts("province,01,pre-2025,2024-06,-5,0\n"),
        ":2: column 'dossiers_total': dossiers_total -5 is negative; expected a whole number >= 0",
    ),
    (
        "count-decimal",
        _counts("province,01,pre-2025,2024-06,12.5,1\n"),
        ":2: column 'dossiers_total': dossiers_total '12.5' is not a whole number",
    ),
    (
        "count-separator",
        _counts('province,01,pre-2025,2024-06,"1,000",1\n'),
        ":2: column 'dossiers_total': dossiers_total '1,000' is not a whole number",
    ),
    (
        "count-empty",
        _counts("province,01,pre-2025,2024-06,,1\n"),
        ":2: column 'dossiers_total': dossiers_total is empty; expected a whole number >= 0",
    ),
    (
        "count-online-above-total",
        _counts("province,01,pre-2025,2024-06,100,120\n"),
        ":2: column 'dossiers_fully_online': dossiers_fully_online 120 is above dossiers_total 100",
    ),
    (
        "count-unknown-code",
        _counts("province,99,pre-2025,2024-06,100,10\n"),
        ":2: column 'unit_code': unknown province code '99' for layout pre-2025",
    ),
    (
        "count-bad-layout",
        _counts("province,01,2024,2024-06,100,10\n"),
        ":2: column 'layout': '2024' is not a layout; expected one of: pre-2025, 2025",
    ),
    (
        "count-bad-unit-type",
        _counts("district,01,pre-2025,2024-06,100,10\n"),
        ":2: column 'unit_type': 'district' is not a unit type; expected one of:",
    ),
    (
        "count-bad-period",
        _counts("province,01,pre-2025,June 2024,100,10\n"),
        ":2: column 'period': period 'June 2024' is not a date or period; expected",
    ),
    (
        "count-missing-column",
        _counts(GOOD_ROW, head="unit_type,unit_code,layout,period,dossiers_total\n"),
        ":1: missing column(s) dossiers_fully_online; expected columns:",
    ),
    (
        "count-too-many-fields",
        _counts("province,01,pre-2025,2024-06,100,10,7\n"),
        ":2: has 7 fields; expected 6",
    ),
    (
        "count-duplicate-period-end",
        _counts(GOOD_ROW + "province,01,pre-2025,2024-06-30,1000,260\n"),
        ":3: column 'period': duplicate row for province 01 (pre-2025) period 2024-06-30 "
        "(first on line 2 as period 2024-06; both end on 2024-06-30)",
    ),
    (
        "count-not-utf8",
        _counts((COUNTS_HEAD + "province,01,pre-2025,2024-06,100,10 caf").encode() + b"\xe9\n"),
        ": not valid UTF-8 (invalid continuation byte at byte",
    ),
]


@pytest.mark.parametrize(
    ("make", "wording"), [c[1:] for c in COUNTS_CASES], ids=[c[0] for c in COUNTS_CASES]
)
def test_bad_counts_file(make, wording, tmp_path, capsys):
    path = make(tmp_path)
    assert main(["validate", str(path)]) == 2
    problems = _problems(capsys)
    assert len(problems) == 1, problems
    assert problems[0].startswith(paths.relative(path) + wording), problems[0]
    with pytest.raises(InputError) as err:  # what validate rejects, the loader rejects alike
        units.load_counts(path)
    assert _one_line(err.value) == problems[0]


def test_counts_with_a_byte_order_mark_and_the_largest_count_are_accepted(tmp_path, capsys):
    p = tmp_path / "counts.csv"
    p.write_bytes(BOM + (COUNTS_HEAD + "province,01,pre-2025,2024-06,1000000000000,5\n").encode())
    assert main(["validate", str(p)]) == 0
    df = units.load_counts(p)
    assert df["dossiers_total"].tolist() == [10**12]


# ------------------------------------------------------------------ evidence and sources
@pytest.fixture(scope="module")
def data_copy(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("data") / "data"
    shutil.copytree(DATA, d, ignore=shutil.ignore_patterns("units", "templates"))
    return d


def _edit(name: str, edit: Callable[[bytes], bytes]) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        p = d / name
        p.write_bytes(edit(p.read_bytes()))
        return p

    return make


def _first_row(column: str, value: str) -> Callable[[bytes], bytes]:
    """Replace ``column`` of the first data row of a CSV (plain cells before it only)."""

    def edit(raw: bytes) -> bytes:
        lines = raw.decode("utf-8").split("\n")
        field = lines[0].split(",").index(column)
        cells = lines[1].split(",")
        cells[field] = value
        lines[1] = ",".join(cells)
        return "\n".join(lines).encode("utf-8")

    return edit


EVIDENCE_CASES = [
    # (id, edit, lines expected, wording of the first line)
    (
        "evidence-header-only",
        _edit("evidence.csv", lambda raw: raw.split(b"\n")[0] + b"\n"),
        1,
        "evidence.csv:2: has a header but no rows; expected at least one evidence row",
    ),
    (
        "evidence-not-utf8",
        _edit("evidence.csv", lambda raw: raw.replace(b"Vi\xe1\xbb\x87t Nam", b"Vi\xe9t Nam", 1)),
        1,
        "evidence.csv: not valid UTF-8 (invalid continuation byte at byte",
    ),
    (
        "evidence-missing-column",
        _edit("evidence.csv", lambda raw: raw.replace(b"id,indicator,", b"ident,indicator,", 1)),
        2,
        "evidence.csv:1: missing column(s) id; expected columns:",
    ),
    (
        "evidence-value-not-a-number",
        _edit("evidence.csv", _first_row("value", "two")),
        1,
        "evidence.csv:2: column 'value': value 'two' is not a finite number",
    ),
    (
        "evidence-share-above-one",
        _edit("evidence.csv", lambda raw: raw.replace(b",0.17,share,", b",17,share,", 1)),
        1,
        "column 'value': share 17.0 is outside 0-1 (write 17% as 0.17)",
    ),
    (
        "evidence-unknown-unit",
        _edit("evidence.csv", _first_row("unit", "dozens")),
        1,
        "evidence.csv:2: column 'unit': 'dozens' is not in the vocabulary; expected one of:",
    ),
    (
        "evidence-bad-period",
        _edit("evidence.csv", _first_row("period", "2024-13-45")),
        1,
        "evidence.csv:2: column 'period': period '2024-13-45' is not parseable at precision 'day'",
    ),
    (
        "evidence-unknown-segment",
        _edit("evidence.csv", _first_row("segment", "districts")),
        1,
        "evidence.csv:2: column 'segment': 'districts' is not in the vocabulary",
    ),
    (
        "evidence-duplicate-id",
        _edit(
            "evidence.csv",
            lambda raw: raw.replace(b"\nseed000-02,", b"\nseed000-01,", 1),
        ),
        None,  # the duplicate and the id/source mismatch it implies
        "evidence.csv:3: column 'id': duplicate id 'seed000-01' (first on line 2)",
    ),
    (
        "evidence-quote-not-verbatim",
        _edit(
            "evidence.csv",
            lambda raw: raw.replace("mới chỉ 17% hồ sơ".encode(), "chỉ có 17% hồ sơ".encode(), 1),
        ),
        1,
        "evidence.csv:3: column 'quote_vi': quote not found verbatim in seeds/",
    ),
    (
        "sources-not-utf8",
        _edit("sources.csv", lambda raw: raw.replace("Thủ".encode(), b"Th\xfa", 1)),
        1,
        "sources.csv: not valid UTF-8 (invalid start byte at byte",
    ),
    (
        "sources-empty",
        _edit("sources.csv", lambda raw: b""),
        1,
        "sources.csv:1: file is empty; expected a header line",
    ),
    (
        "sources-missing-column",
        _edit("sources.csv", lambda raw: raw.replace(b"source_id,kind,", b"source,kind,", 1)),
        2,
        "sources.csv:1: missing column(s) source_id; expected columns:",
    ),
    (
        "sources-duplicate-id",
        _edit(
            "sources.csv",
            lambda raw: raw.replace(b"\nseed001,seed,", b"\nseed000,seed,", 1),
        ),
        1,
        "sources.csv:3: column 'source_id': duplicate source_id 'seed000'",
    ),
    (
        "sources-bad-date",
        _edit("sources.csv", lambda raw: raw.replace(b",2023-06-05,", b",5 June 2023,", 1)),
        1,
        "sources.csv:3: column 'event_date': '5 June 2023' is not a date; "
        "expected YYYY-MM-DD, YYYY-MM or YYYY",
    ),
    (
        "sources-bad-kind",
        _edit("sources.csv", lambda raw: raw.replace(b"\nseed001,seed,", b"\nseed001,blog,", 1)),
        1,
        "sources.csv:3: column 'kind': kind 'blog' not accepted; expected one of",
    ),
]


@pytest.mark.parametrize(
    ("make", "n_lines", "wording"),
    [c[1:] for c in EVIDENCE_CASES],
    ids=[c[0] for c in EVIDENCE_CASES],
)
def test_bad_evidence_or_sources_said_once(make, n_lines, wording, data_copy, tmp_path, capsys):
    d = tmp_path / "data"
    shutil.copytree(data_copy, d)
    make(d)
    assert main(["validate", str(d)]) == 2
    problems = _problems(capsys)
    assert len(problems) == len(set(problems)), "a problem was reported twice"
    assert wording in problems[0], problems[0]
    # what depends on a broken table is not checked, and that is said once
    # (breaks.csv cites the sources: a data folder that has one says so too)
    dependent = (
        "scenarios, savings.yml and breaks.csv"
        if (d / "breaks.csv").exists()
        else ("scenarios and savings.yml")
    )
    assert problems[-1] == (
        f"{d}: {dependent} not checked: they cite the evidence base, which has the problems above"
    )
    if "sources.csv" in wording:
        assert problems[-2] == f"{d}/evidence.csv: not checked: sources.csv has the problems above"
    if n_lines is not None:  # the problems, then what was not checked because of them
        assert len(problems) == n_lines + 1 + int("sources.csv" in wording), problems
    assert not any("unknown source_id" in p for p in problems)
    with pytest.raises(InputError) as err:  # the loader rejects it alike
        evidence.load(d / "evidence.csv")
    assert wording in str(err.value).splitlines()[0]


def test_sources_with_a_byte_order_mark_are_accepted(data_copy, tmp_path, capsys):
    d = tmp_path / "data"
    shutil.copytree(data_copy, d)
    for name in ("sources.csv", "evidence.csv"):
        (d / name).write_bytes(BOM + (d / name).read_bytes())
    assert evidence.validate(d / "evidence.csv", data_dir=d) == []
    assert list(evidence.load(d / "evidence.csv").columns[:2]) == ["id", "indicator"]


# ------------------------------------------------------------------ command-line arguments
def _file(tmp: Path) -> Path:
    p = tmp / "a-file.txt"
    p.write_text("x")
    return p


def _grid_file(tmp: Path) -> Path:
    p = tmp / "grid.yml"
    p.write_text(GRID, encoding="utf-8")
    return p


CLI_CASES = [
    # (id, argv builder, expected line)
    (
        "render-a-folder",
        lambda t: ["render", str(t)],
        lambda t: f"{t}: is a folder; expected a grid file (YAML)",
    ),
    (
        "render-grid-not-found",
        lambda t: ["render", str(t / "nope.yml")],
        lambda t: f"{t / 'nope.yml'}: file not found",
    ),
    (
        "render-out-is-a-file",
        lambda t: ["render", str(_grid_file(t)), "--out", str(_file(t))],
        lambda t: (
            f"--out {t / 'a-file.txt'}: is a file, not a folder; "
            "expected a folder (it is created if missing)"
        ),
    ),
    (
        "render-dry-run-out-is-a-file",
        lambda t: ["render", str(_grid_file(t)), "--dry-run", "--out", str(_file(t))],
        lambda t: (
            f"--out {t / 'a-file.txt'}: is a file, not a folder; "
            "expected a folder (it is created if missing)"
        ),
    ),
    (
        "render-out-under-a-file",
        lambda t: ["render", str(_grid_file(t)), "--out", str(_file(t) / "sub")],
        lambda t: (
            f"--out {t / 'a-file.txt' / 'sub'}: cannot write into this folder "
            "(Not a directory); expected a folder you may write to (it is created if missing)"
        ),
    ),
    (
        "render-scheduler-garbage",
        lambda t: ["render", str(_grid_file(t)), "--scheduler", "garbage://"],
        lambda t: "--scheduler garbage://: not a scheduler address; expected tcp://HOST:PORT",
    ),
    (
        "render-scheduler-no-scheme",
        lambda t: ["render", str(_grid_file(t)), "--scheduler", "localhost:8786"],
        lambda t: "--scheduler localhost:8786: not a scheduler address; expected tcp://HOST:PORT",
    ),
    (
        "render-jobs-zero",
        lambda t: ["render", str(_grid_file(t)), "--jobs", "0"],
        lambda t: "--jobs 0: expected a whole number of at least 1",
    ),
    (
        "render-only-matches-nothing",
        lambda t: ["render", str(_grid_file(t)), "--only", "zz*"],
        lambda t: "--only zz*: matches no briefing; names are: ok_vi, ok_en",
    ),
    (
        "validate-missing-path",
        lambda t: ["validate", str(t / "nope.csv")],
        lambda t: f"{t / 'nope.csv'}: file not found",
    ),
    (
        "validate-unknown-file",
        lambda t: ["validate", str(_file(t))],
        lambda t: f"{t / 'a-file.txt'}: cannot tell what this file is; expected an evidence CSV",
    ),
    (
        "validate-empty-folder",
        lambda t: ["validate", str(t)],
        lambda t: (
            f"{t}: nothing to validate; expected evidence.csv, breaks.csv, scenarios/, savings.yml "
            "or briefings.yml in this folder"
        ),
    ),
]


@pytest.mark.parametrize(
    ("argv", "expected"), [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES]
)
def test_bad_command_line(argv, expected, tmp_path, capsys):
    args = argv(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert main([*args, "--no-progress"] if args[0] == "render" else args) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if " problem(s) in " not in line]
    assert lines == [expected(tmp_path)] or (
        len(lines) == 1 and lines[0].startswith(expected(tmp_path))
    ), err
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert after == before  # nothing written


# ------------------------------------------------------------------ Python API arguments
API_CASES = [
    (
        "estimate-bool",
        lambda t: savings.estimate(True),
        "share=True is not a number; expected a share from 0 to 1 (write 17% as 0.17)",
    ),
    (
        "estimate-text",
        lambda t: savings.estimate("0.5"),
        "share='0.5' is not a number; expected a share from 0 to 1 (write 17% as 0.17)",
    ),
    (
        "estimate-above-one",
        lambda t: savings.estimate(70),
        "share=70 is out of range; expected a share from 0 to 1 (write 17% as 0.17)",
    ),
    (
        "estimate-nan",
        lambda t: savings.estimate(math.nan),
        "share=nan is out of range; expected a share from 0 to 1",
    ),
    (
        "estimate-baseline-bool",
        lambda t: savings.estimate(0.7, baseline_share=False),
        "baseline_share=False is not a number; expected a share from 0 to 1",
    ),
    (
        "estimate-total-negative",
        lambda t: savings.estimate(0.7, total_dossiers=-1),
        "total_dossiers=-1 is out of range; expected a number of dossiers a year >= 0",
    ),
    (
        "load-counts-none",
        lambda t: units.load_counts(None),
        "path=None is not accepted; expected the path of a per-unit counts CSV",
    ),
    (
        "load-counts-folder",
        lambda t: units.load_counts(t),
        "{t}: is a folder; expected a per-unit counts CSV",
    ),
    (
        "load-counts-missing",
        lambda t: units.load_counts(t / "nope.csv"),
        "{t}/nope.csv: file not found",
    ),
    (
        "load-grid-none",
        lambda t: render.load_grid(None),
        "path=None is not accepted; expected the path of a grid file (YAML)",
    ),
    (
        "load-scenario-folder",
        lambda t: scenarios.load_file(t),
        "{t}: is a folder; expected a scenario file (YAML)",
    ),
    (
        "load-savings-missing",
        lambda t: savings.load_config(t / "nope.yml"),
        "{t}/nope.yml: file not found",
    ),
    (
        "series-unknown-segment",
        lambda t: evidence.series("fully_online_share", "districts"),
        "unknown segment 'districts'; expected one of:",
    ),
    (
        "cite-unknown-id",
        lambda t: evidence.cite("nope-01"),
        "unknown evidence id 'nope-01'; see data/evidence.csv for the ids",
    ),
    (
        "lang-unknown",
        lambda t: fmt.check_lang("fr"),
        "lang='fr' is not accepted; expected one of: 'vi', 'en'",
    ),
]


@pytest.mark.parametrize(
    ("call", "wording"), [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES]
)
def test_bad_python_argument(call, wording, tmp_path):
    with pytest.raises(InputError) as err:
        call(tmp_path)
    assert _one_line(err.value).startswith(wording.replace("{t}", str(tmp_path)))
