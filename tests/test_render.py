"""Batch briefing renderer: grid checks, parameter checks, runs, resume, kills, Dask.

The notebooks are tiny fixtures (tests/fixtures/render/) that import nothing
heavy, so a kernel run takes a second or two.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dvcanalysis import render
from dvcanalysis.cli import main
from dvcanalysis.errors import InputError

FIX = Path(__file__).parent / "fixtures" / "render"
ROOT = Path(__file__).resolve().parent.parent


def write_grid(path: Path, text: str) -> Path:
    path.write_text(text.replace("FIX", str(FIX)), encoding="utf-8")
    return path


def manifest(out: Path) -> dict:
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {r["name"]: r for r in doc["runs"]}


# --------------------------------------------------------------------------
# Parameters cell and values (no kernel)
# --------------------------------------------------------------------------


def test_parameters_cell_is_parsed_not_executed():
    params = render.read_parameters(FIX / "ok.ipynb")
    assert [str(p) for p in params.values()] == [
        "lang: str",
        "n: int",
        "scale: float",
        "label: str | None",
    ]
    assert params["n"].default == 2
    assert params["lang"].help == 'display language: "vi" or "en"'
    assert render.read_parameters(FIX / "noparams.ipynb") == {}


def test_parameters_without_annotation_and_hash_in_strings(tmp_path):
    cell = {
        "cell_type": "code",
        "metadata": {"tags": ["parameters"]},
        "source": 'colour = "#ff0000"  # a colour, not a comment start\nsizes = [1, 2]\nwho = None',
        "outputs": [],
        "execution_count": None,
    }
    nb = tmp_path / "p.ipynb"
    nb.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    params = render.read_parameters(nb)
    assert [str(p) for p in params.values()] == ["colour: str", "sizes: list", "who: any"]
    assert params["colour"].help == "a colour, not a comment start"
    assert params["colour"].default == "#ff0000"


@pytest.mark.parametrize(
    ("name", "value", "wording"),
    [
        ("n", 2, None),
        ("scale", 2, None),  # an int is a fine float
        ("label", None, None),  # declared `str | None`
        ("n", True, "n=True is bool; expected n: int"),
        ("n", "2", "n='2' is str; expected n: int"),
        ("lang", None, "lang=None is not accepted; expected str"),
        ("scale", float("nan"), "is not a literal"),
    ],
)
def test_check_value(name, value, wording):
    params = render.read_parameters(FIX / "ok.ipynb")
    why = render.check_value(params[name], value)
    assert why is None if wording is None else wording in why


def test_unknown_parameter_lists_what_the_notebook_accepts():
    (line,) = render.check_parameters(FIX / "ok.ipynb", {"langs": "vi"})
    assert line == (
        "parameter 'langs' is not accepted by tests/fixtures/render/ok.ipynb; "
        "it accepts: lang: str, n: int, scale: float, label: str | None"
    )


# --------------------------------------------------------------------------
# Grid files (no kernel)
# --------------------------------------------------------------------------

OK = "tests/fixtures/render/ok.ipynb"


@pytest.mark.parametrize(
    ("name", "wording"),
    [
        (
            "briefings_bad_unknown_key.yml",
            "briefings_bad_unknown_key.yml:2: entry 1 key 'grids': is not accepted; expected one of: notebook, grid, parameters, output, timeout",
        ),
        (
            "briefings_bad_missing_notebook.yml",
            "briefings_bad_missing_notebook.yml:1: entry 1 key 'notebook': is missing",
        ),
        (
            "briefings_bad_notebook_not_found.yml",
            "briefings_bad_notebook_not_found.yml:1: entry 1 key 'notebook': notebooks/nope.ipynb not found",
        ),
        (
            "briefings_bad_empty_list.yml",
            "briefings_bad_empty_list.yml:3: entry 1 key 'grid' 'lang': is an empty list; give at least one value",
        ),
        (
            "briefings_bad_not_a_list.yml",
            "briefings_bad_not_a_list.yml:3: entry 1 key 'grid' 'lang': expected a list of values",
        ),
        (
            "briefings_bad_unknown_field.yml",
            "briefings_bad_unknown_field.yml:3: entry 1 key 'output': pattern '{notebook}_{segment}' uses {segment}, which is not a parameter of this entry; accepted fields: {lang}, {notebook}",
        ),
        (
            "briefings_bad_bad_pattern.yml",
            "entry 1 key 'output': '{notebook' is not a valid pattern",
        ),
        (
            "briefings_bad_repeated_names.yml",
            "output names repeat (ok); put every grid parameter in 'output'",
        ),
        (
            "briefings_bad_unknown_parameter.yml",
            "briefings_bad_unknown_parameter.yml:3: entry 1 key 'grid' 'segment': parameter 'segment' is not accepted by tests/fixtures/render/ok.ipynb; it accepts: lang: str, n: int, scale: float, label: str | None",
        ),
        (
            "briefings_bad_wrong_type.yml",
            "briefings_bad_wrong_type.yml:3: entry 1 key 'parameters' 'n': n=2.5 is float; expected n: int (tests/fixtures/render/ok.ipynb accepts: lang: str, n: int",
        ),
        (
            "briefings_bad_date_value.yml",
            "lang=datetime.date(2024, 12, 31) is not a literal (str, int, float, bool, list or dict); quote it",
        ),
        (
            "briefings_bad_grid_and_parameters.yml",
            "entry 1 key 'parameters' 'lang': is both in 'grid' and in 'parameters'",
        ),
        ("briefings_bad_top_level_mapping.yml", "expected a non-empty list of entries"),
        ("briefings_bad_invalid_yaml.yml", "not valid YAML"),
    ],
)
def test_bad_grid_files(name, wording, capsys):
    with pytest.raises(InputError) as exc:
        render.load_grid(FIX / name)
    assert wording in str(exc.value)
    # the same line from `dvcanalysis validate`, with exit code 2
    assert main(["validate", str(FIX / name)]) == 2
    assert wording in capsys.readouterr().err


def test_grid_problems_all_reported_and_cli_exits_2(tmp_path, capsys):
    path = write_grid(
        tmp_path / "briefings.yml",
        f"- notebook: {OK}\n  colour: red\n  grid:\n    lang: [vi, 3]\n",
    )
    assert main(["render", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert "entry 1 key 'colour': is not accepted" in err[0]
    assert "lang=3 is int; expected lang: str" in err[1]
    assert not (tmp_path / "out").exists()  # nothing started
    assert main(["validate", str(path)]) == 2


def test_default_grid_is_valid_and_expands():
    grid = render.load_grid(ROOT / "data" / "briefings.yml")
    names = [j.name for j in grid.jobs]
    assert names[:2] == ["01_evidence_vi", "01_evidence_en"]
    # briefing: 4 scenarios x 3 segments x 2 languages; backtest and forecast evaluation: 2 each
    assert len(names) == 2 + 4 * 3 * 2 + 2 + 2 and len(set(names)) == len(names)
    assert names[-4:-2] == ["backtest_2023-12-31_vi", "backtest_2023-12-31_en"]
    assert names[-2:] == ["06_forecast_evaluation_vi", "06_forecast_evaluation_en"]
    assert "briefing_business-as-usual_localities_en" in names
    assert "briefing_target-path_ministries_vi" in names


def test_expansion_names_and_default_pattern(tmp_path):
    path = write_grid(
        tmp_path / "g.yml",
        f"- notebook: {OK}\n  grid: {{n: [1, 2], lang: [vi, en]}}\n  parameters: {{scale: 0.5}}\n",
    )
    jobs = render.load_grid(path).jobs
    assert [j.name for j in jobs] == ["ok_1_vi", "ok_1_en", "ok_2_vi", "ok_2_en"]
    assert jobs[0].parameters == {"scale": 0.5, "n": 1, "lang": "vi"}


def test_output_pattern_format_spec(tmp_path):
    path = write_grid(
        tmp_path / "g.yml", f"- notebook: {OK}\n  grid: {{n: [3]}}\n  output: 'x_{{n:03d}}'\n"
    )
    assert [j.name for j in render.load_grid(path).jobs] == ["x_003"]
    path.write_text(f"- notebook: {OK}\n  grid: {{lang: [vi]}}\n  output: 'x_{{lang:d}}'\n")
    with pytest.raises(
        InputError, match="g.yml:3: entry 1 key 'output': pattern 'x_{lang:d}' cannot be"
    ):
        render.load_grid(path)


def test_only_and_dry_run(tmp_path, capsys):
    path = write_grid(tmp_path / "g.yml", f"- notebook: {OK}\n  grid: {{lang: [vi, en]}}\n")
    out = tmp_path / "out"
    assert main(["render", str(path), "--out", str(out), "--dry-run", "--only", "*_en"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"run  ok_en: {OK} [lang='en']",
    ]
    assert not out.exists()
    assert main(["render", str(path), "--out", str(out), "--only", "nothing*"]) == 2
    assert (
        "--only nothing*: matches no briefing; names are: ok_vi, ok_en" in capsys.readouterr().err
    )


# --------------------------------------------------------------------------
# Runs (kernels)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One run of a grid with two good briefings, a failing notebook and a timed-out one."""
    tmp = tmp_path_factory.mktemp("render")
    grid = write_grid(
        tmp / "grid.yml",
        "- notebook: FIX/ok.ipynb\n  grid: {lang: [vi, en]}\n  parameters: {n: 3}\n"
        "- notebook: FIX/fail.ipynb\n  grid: {lang: [en]}\n"
        "- notebook: FIX/slow.ipynb\n  grid: {delay: [30.0]}\n  timeout: 1\n",
    )
    out = tmp / "out"
    code = main(["render", str(grid), "--out", str(out), "--jobs", "2", "--no-progress"])
    return grid, out, code


def test_failing_notebook_does_not_stop_the_others(rendered):
    _, out, code = rendered
    assert code == 1
    runs = manifest(out)
    assert {n: r["status"] for n, r in runs.items()} == {
        "ok_vi": "ok",
        "ok_en": "ok",
        "fail_en": "failed",
        "slow_30.0": "failed",
    }
    timeout = runs["slow_30.0"]["error"]
    assert (timeout["ename"], timeout["cell_index"]) == ("CellTimeoutError", 1)
    assert timeout["kind"] == "timeout"
    err = runs["fail_en"]["error"]
    assert err["kind"] == "cell"
    assert err["cell_index"] == 2  # the third cell of fail.ipynb
    assert err["ename"] == "ValueError"
    assert err["evalue"] == "deliberate failure for the tests"
    page = (out / "fail_en.html").read_text(encoding="utf-8")  # readable, not a traceback
    assert "This briefing could not be completed" in page
    assert "ValueError: deliberate failure for the tests" in page
    assert "Traceback" not in page and "ipython-input" not in page
    ok = runs["ok_vi"]
    assert ok["parameters"] == {"n": 3, "lang": "vi"}
    assert ok["outputs"] == ["ok_vi.ipynb", "ok_vi.html", "ok_vi_figures"]
    assert set(ok["inputs"]) == {"notebook", "parameters", "package", "data", "key"}
    assert ok["worker_peak_mb"] > 0
    # the failed notebook is kept for reading, but never recorded as done
    assert (out / "fail_en.html").exists()
    assert not (out / render.RECORDS / "fail_en.json").exists()


def test_outputs_are_self_contained(rendered):
    _, out, _ = rendered
    page = (out / "ok_vi.html").read_text(encoding="utf-8")
    assert "data:image/png;base64,iVBORw0KGgo" in page
    assert "Fixture briefing" in page  # markdown kept
    assert "Xin chào 3.0" in page  # outputs kept, parameters injected
    assert "b64decode" not in page  # code hidden
    assert '<html lang="vi">' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing from the network
    assert "Hello" in (out / "ok_en.html").read_text(encoding="utf-8")
    assert (out / "ok_vi_figures" / "square.png").exists()
    nb = json.loads((out / "ok_vi.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"] == {"n": 3, "lang": "vi"}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="ok_en.html">HTML</a>' in index
    # the index is a catalogue for readers; the run log (errors, seconds) is on the run page
    assert "deliberate failure" not in index and "manifest.json" not in index
    assert '<a href="run.html">' in index
    run_page = (out / "run.html").read_text(encoding="utf-8")
    assert "cell 2: ValueError: deliberate failure for the tests" in run_page
    assert "manifest.json" in run_page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", index)


def test_resume_skips_unchanged_and_redoes_changed(rendered, tmp_path, capsys):
    grid, out, _ = rendered
    work = tmp_path / "out"
    shutil.copytree(out, work)
    args = ["render", str(grid), "--out", str(work), "--no-progress"]
    assert main(args) == 1  # the failing one is redone (and fails again)
    runs = manifest(work)
    assert runs["ok_vi"]["status"] == runs["ok_en"]["status"] == "skipped"
    assert runs["fail_en"]["status"] == runs["slow_30.0"]["status"] == "failed"
    # a changed parameter: both ok_* would be redone
    grid2 = write_grid(
        tmp_path / "grid2.yml",
        "- notebook: FIX/ok.ipynb\n  grid: {lang: [vi, en]}\n  parameters: {n: 4}\n",
    )
    capsys.readouterr()
    assert main(["render", str(grid2), "--out", str(work), "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["run  ok_vi", "run  ok_en"]
    assert main(["render", str(grid), "--out", str(work), "--dry-run", "--only", "ok_*"]) == 0
    assert "skip ok_vi" in capsys.readouterr().out
    # a changed notebook and a missing output: redone; the rest skipped
    nb = tmp_path / "ok.ipynb"
    nb.write_text((FIX / "ok.ipynb").read_text().replace("A tiny notebook", "A changed notebook"))
    grid3 = write_grid(
        tmp_path / "grid3.yml",
        f"- notebook: {nb}\n  grid: {{lang: [vi]}}\n  output: 'ok_{{lang}}'\n  parameters: {{n: 3}}\n"
        f"- notebook: {FIX / 'ok.ipynb'}\n  grid: {{lang: [en]}}\n  parameters: {{n: 3}}\n",
    )
    assert main(["render", str(grid3), "--out", str(work), "--no-progress"]) == 0
    runs = manifest(work)
    assert runs["ok_vi"]["status"] == "ok"
    assert "A changed notebook" in (work / "ok_vi.html").read_text(encoding="utf-8")
    assert runs["ok_en"]["status"] == "skipped"
    (work / "ok_en.html").unlink()
    assert main(["render", str(grid3), "--out", str(work), "--no-progress", "--only", "ok_en"]) == 0
    runs = manifest(work)
    assert runs["ok_en"]["status"] == "ok"
    assert runs["ok_vi"]["status"] == "skipped"  # not selected, still listed: it is up to date
    assert '<a href="ok_vi.html">HTML</a>' in (work / "index.html").read_text(encoding="utf-8")
    assert (work / "ok_en.html").exists()
    assert main(["render", str(grid3), "--out", str(work), "--no-progress", "--force"]) == 0
    assert {r["status"] for r in manifest(work).values()} == {"ok"}


def test_killed_run_leaves_no_partial_output_and_rerun_completes(tmp_path):
    grid = write_grid(
        tmp_path / "grid.yml", "- notebook: FIX/slow.ipynb\n  grid: {delay: [0.0, 4.0]}\n"
    )
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "dvcanalysis.cli", "render", str(grid), "--out", str(out)]
    cmd += ["--jobs", "1", "--no-progress"]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 40
        while not (out / render.RECORDS / "slow_0.0.json").exists():
            assert proc.poll() is None and time.monotonic() < deadline, "first run never finished"
            time.sleep(0.1)
        time.sleep(1.0)  # the second notebook is now running (it sleeps 4 s)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not (out / render.RECORDS / "slow_4.0.json").exists()
    for name in ("slow_0.0", "slow_4.0"):
        has_record = (out / render.RECORDS / f"{name}.json").exists()
        for suffix in (".ipynb", ".html"):
            assert not (out / f"{name}{suffix}").exists() or has_record
    stale = out / ".slow_4.0.abcd1234.partial.html"  # as a kill during a rename would leave
    stale.write_text("<html>half")
    assert main(["render", str(grid), "--out", str(out), "--no-progress"]) == 0
    runs = manifest(out)
    assert runs["slow_0.0"]["status"] == "skipped"
    assert runs["slow_4.0"]["status"] == "ok"
    assert (out / "slow_4.0.html").exists()
    assert not stale.exists()


def test_ctrl_c_stops_the_run_and_records_it(tmp_path):
    grid = write_grid(
        tmp_path / "grid.yml", "- notebook: FIX/slow.ipynb\n  grid: {delay: [0.0, 60.0]}\n"
    )
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "dvcanalysis.cli", "render", str(grid), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--jobs", "1", "--no-progress"],
        cwd=ROOT,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 40
        while not (out / render.RECORDS / "slow_0.0.json").exists():
            assert proc.poll() is None and time.monotonic() < deadline, "first run never finished"
            time.sleep(0.1)
        time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal
        assert proc.wait(timeout=30) == 130  # not after the 60 s notebook
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    runs = manifest(out)
    assert runs["slow_0.0"]["status"] == "ok"
    assert runs["slow_60.0"]["status"] == "failed"
    assert runs["slow_60.0"]["error"]["ename"] == "Interrupted"
    assert runs["slow_60.0"]["error"]["kind"] == "interrupted"
    assert runs["slow_60.0"]["error"]["cell_index"] == 1  # the cell it was stuck in
    assert not (out / "slow_60.0.html").exists()


# jupyter_core gives each Dask worker thread its own event loop and leaves it open
@pytest.mark.filterwarnings("ignore:unclosed event loop:ResourceWarning")
def test_dask_local_cluster(tmp_path, dask_cluster):
    cluster, client = dask_cluster
    grid = write_grid(
        tmp_path / "grid.yml",
        "- notebook: FIX/ok.ipynb\n  grid: {lang: [vi, en]}\n"
        "- notebook: FIX/fail.ipynb\n  grid: {lang: [vi]}\n",
    )
    jobs = render.load_grid(grid).jobs
    rows = render.run_grid(jobs, out_dir=tmp_path / "a", executor=client.get_executor())
    assert [r["status"] for r in rows] == ["ok", "ok", "failed"]
    assert rows[2]["error"]["cell_index"] == 2
    assert "data:image/png;base64," in (tmp_path / "a" / "ok_en.html").read_text()
    # the CLI path: --scheduler tcp://HOST:PORT
    code = main(
        ["render", str(grid), "--out", str(tmp_path / "b"), "--no-progress"]
        + ["--scheduler", cluster.scheduler_address, "--only", "ok_*"]
    )
    assert code == 0
    assert [r["status"] for r in manifest(tmp_path / "b").values()] == ["ok", "ok"]
