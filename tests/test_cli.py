"""The CLI: exit 0 on valid data, exit 2 and one line per problem on bad input."""

import subprocess
import sys

from dvcanalysis import cli


def test_validate_data_dir_ok(capsys):
    assert cli.main(["validate"]) == 0
    assert "valid" in capsys.readouterr().out


def test_validate_broken_file_exit_2_one_line(capsys):
    rc = cli.main(["validate", "tests/fixtures/evidence/bad_unit.csv"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert err[0].startswith(
        "tests/fixtures/evidence/bad_unit.csv:2: column 'unit': 'percent' is not in the vocabulary"
    )
    assert err[-1] == "1 problem(s) in tests/fixtures/evidence/bad_unit.csv"


def test_validate_missing_file_exit_2(capsys):
    assert cli.main(["validate", "no/such/file.csv"]) == 2
    assert "no/such/file.csv: file not found" in capsys.readouterr().err


def test_console_script_no_traceback():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dvcanalysis.cli",
            "validate",
            "tests/fixtures/evidence/bad_value.csv",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "value 'abc' is not a finite number" in proc.stderr


def test_validate_counts_file_with_comment_header(capsys):
    rc = cli.main(["validate", "tests/fixtures/units/SYNTHETIC_missing_column.csv"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "SYNTHETIC_missing_column.csv" in err and "dossiers_fully_online" in err


def test_validate_empty_folder_is_not_valid(tmp_path, capsys):
    assert cli.main(["validate", str(tmp_path)]) == 2
    assert "nothing to validate" in capsys.readouterr().err


def test_validate_broken_data_folder_exit_2_without_traceback(tmp_path):
    import shutil

    from dvcanalysis import paths

    d = tmp_path / "data"
    shutil.copytree(paths.data_dir(), d, ignore=shutil.ignore_patterns("units", "templates"))
    (d / "vocabulary.yml").write_text("units: [share\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "dvcanalysis.cli", "validate", str(d)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "not valid YAML" in proc.stderr


def test_version_is_printed(capsys):
    import pytest

    import dvcanalysis
    from dvcanalysis.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert (
        capsys.readouterr().out.strip()
        == f"dvcanalysis {dvcanalysis.__version__}"
        == "dvcanalysis 0.2.0"
    )


def test_make_lab_takes_a_port_and_runs_as_root():
    import os
    import shutil
    import subprocess
    from pathlib import Path

    import pytest

    if shutil.which("make") is None:
        pytest.skip("make not installed")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        ["make", "-n", "lab", "PORT=8899"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    line = next(x for x in out if "jupyter lab" in x)
    assert "--port=8899" in line
    assert ("--allow-root" in line) == (os.getuid() == 0)
