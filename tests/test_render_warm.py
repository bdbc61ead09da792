"""Warm kernels (render.warm, .preload, .template): same outputs as fresh kernels, clean state, no orphans.

The renderer's other promises (failure isolation, timeouts, resume, kills,
Ctrl-C, Dask) are tested in test_render.py, where warm kernels are the default.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from dvcanalysis import render
from dvcanalysis.cli import main
from dvcanalysis.render import preload, warm

FIX = Path(__file__).parent / "fixtures" / "render"
ROOT = Path(__file__).resolve().parent.parent
TIMING = ("start_time", "end_time", "duration")
KERNEL_META = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
}


def manifest(out: Path) -> dict:
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {r["name"]: r for r in doc["runs"]}


def without_timing(path: Path) -> str:
    """An executed notebook without its clock readings (papermill and nbclient timings)."""
    nb = nbformat.read(path, as_version=4)
    for key in TIMING:
        nb.metadata.get("papermill", {}).pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for key in TIMING:
            cell.metadata.get("papermill", {}).pop(key, None)
    return nbformat.writes(nb)


# --------------------------------------------------------------------------
# Which modules a template pre-imports (no kernel)
# --------------------------------------------------------------------------


def test_notebook_imports_are_read_not_run(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import numpy as np, os.path\nfrom pandas import DataFrame"),
            nbformat.v4.new_code_cell("%matplotlib inline\nimport nothing_at_all"),  # a magic
            nbformat.v4.new_code_cell("def f():\n    from . import sibling\n    import json"),
            nbformat.v4.new_code_cell("from tqdm.notebook import tqdm"),
        ]
    )
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    assert preload.notebook_imports(path) == [
        "numpy",
        "os.path",
        "pandas",
        "pandas.DataFrame",
        "json",
        "tqdm.notebook",
        "tqdm.notebook.tqdm",
    ]
    pre = preload.preload_for([path, path])
    assert pre[: len(preload.BASE_PRELOAD)] == list(preload.BASE_PRELOAD)
    assert pre[len(preload.BASE_PRELOAD) :] == [
        "numpy",
        "os.path",
        "pandas",
        "pandas.DataFrame",
        "json",
    ]
    # tqdm.notebook hooks into the kernel when imported: never pre-imported
    other = tmp_path / "o.ipynb"
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import json, numpy")]), other
    )
    # only what every notebook imports: a kernel never finds a module its notebook does not import
    assert preload.preload_for([path, other])[len(preload.BASE_PRELOAD) :] == ["numpy", "json"]


def test_base_preload_is_what_a_fresh_kernel_imports(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("k: int = 0", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("import json, sys\nprint(json.dumps(sorted(sys.modules)))"),
        ],
        metadata=KERNEL_META,
    )
    nbformat.write(nb, tmp_path / "mods.ipynb")
    grid = tmp_path / "grid.yml"
    grid.write_text(f"- notebook: {tmp_path / 'mods.ipynb'}\n  grid: {{k: [0]}}\n")
    out = tmp_path / "out"
    args = ["render", str(grid), "--out", str(out), "--jobs", "1", "--no-progress"]
    assert main([*args, "--fresh-kernels"]) == 0
    done = nbformat.read(out / "mods_0.ipynb", as_version=4)
    fresh = set(json.loads(done.cells[-1].outputs[0]["text"]))
    assert set(preload.BASE_PRELOAD) <= fresh
    assert "numpy" not in fresh  # the check can fail: not everything is imported at start


# --------------------------------------------------------------------------
# Clean state: a notebook's changes do not reach the next one in the same worker
# --------------------------------------------------------------------------


def test_state_changed_by_a_notebook_does_not_reach_the_next(tmp_path):
    grid = tmp_path / "grid.yml"
    grid.write_text(
        f"- notebook: {FIX / 'meddle.ipynb'}\n  grid: {{k: [0]}}\n"
        f"- notebook: {FIX / 'probe.ipynb'}\n  grid: {{k: [0, 1]}}\n"
    )
    out = tmp_path / "out"
    assert main(["render", str(grid), "--out", str(out), "--jobs", "1", "--no-progress"]) == 0
    runs = manifest(out)
    assert [r["status"] for r in runs.values()] == ["ok", "ok", "ok"]
    assert {r["kernel_mode"] for r in runs.values()} == {"warm"}
    assert len({r["worker_pid"] for r in runs.values()}) == 1  # one worker, one template
    assert "clean" in (out / "probe_1.html").read_text(encoding="utf-8")


def test_the_probe_sees_every_change_within_one_kernel(tmp_path):
    """The probe is not vacuous: run after meddle's cells in the same kernel, it names them all."""
    meddle = nbformat.read(FIX / "meddle.ipynb", as_version=4)
    probe = nbformat.read(FIX / "probe.ipynb", as_version=4)
    meddle.cells.append(probe.cells[-1])
    both = tmp_path / "render" / "both.ipynb"  # the probe expects a folder named render
    both.parent.mkdir()
    nbformat.write(meddle, both)
    grid = tmp_path / "grid.yml"
    grid.write_text(f"- notebook: {both}\n  grid: {{k: [0]}}\n")
    out = tmp_path / "out"
    assert main(["render", str(grid), "--out", str(out), "--jobs", "1", "--no-progress"]) == 1
    err = manifest(out)["both_0"]["error"]
    assert err["ename"] == "AssertionError"
    left = err["evalue"].split(": ", 1)[1].split(", ")
    assert sorted(left) == sorted(
        [
            "global",
            "rc parameter",
            "working directory",
            "environment variable",
            "warnings filter",
            "numpy random state",
            "random state",
            "monkey-patch",
            "imported module",
        ]
    )


def test_a_kernel_that_dies_costs_only_its_own_notebook(tmp_path):
    dies = tmp_path / "render" / "dies.ipynb"  # the probe expects a folder named render
    dies.parent.mkdir()
    nbformat.write(
        nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_code_cell("k: int = 0", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(
                    "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
                ),
            ],
            metadata=KERNEL_META,
        ),
        dies,
    )
    grid = tmp_path / "grid.yml"
    grid.write_text(
        f"- notebook: {dies}\n  grid: {{k: [0]}}\n"
        f"- notebook: {FIX / 'probe.ipynb'}\n  grid: {{k: [0]}}\n"
    )
    out = tmp_path / "out"
    assert main(["render", str(grid), "--out", str(out), "--jobs", "1", "--no-progress"]) == 1
    runs = manifest(out)
    assert runs["dies_0"]["status"] == "failed"
    assert runs["dies_0"]["error"]["ename"] == "DeadKernelError"
    assert runs["dies_0"]["error"]["cell_index"] == 1
    assert runs["probe_0"]["status"] == "ok"  # the same worker's template forks the next one
    assert runs["probe_0"]["worker_pid"] == runs["dies_0"]["worker_pid"]


# --------------------------------------------------------------------------
# Same outputs in both modes
# --------------------------------------------------------------------------

SUBSET = ["01_evidence_vi", "briefing_stalled_localities_en", "backtest_2023-12-31_vi"]


@pytest.fixture(scope="module")
def both_modes(tmp_path_factory):
    """A representative subset of the default grid, rendered with warm and with fresh kernels."""
    tmp = tmp_path_factory.mktemp("modes")
    grid = ROOT / "data" / "briefings.yml"
    outs = {}
    before = os.environ.get("DVC_DATA_DIR")
    os.environ["DVC_DATA_DIR"] = str(ROOT / "data")  # the grid's notebooks with the shipped data
    try:
        for mode, extra in (("warm", []), ("fresh", ["--fresh-kernels"])):
            outs[mode] = tmp / mode
            args = ["render", str(grid), "--out", str(outs[mode]), "--jobs", "2", "--no-progress"]
            for name in SUBSET:
                args += ["--only", name]
            assert main([*args, *extra]) == 0
    finally:
        if before is None:
            os.environ.pop("DVC_DATA_DIR", None)
        else:
            os.environ["DVC_DATA_DIR"] = before
    return outs


def test_default_grid_subset_is_byte_identical_in_both_modes(both_modes):
    warm_out, fresh_out = both_modes["warm"], both_modes["fresh"]
    runs = {mode: manifest(both_modes[mode]) for mode in both_modes}
    for name in SUBSET:
        assert runs["warm"][name]["kernel_mode"] == "warm"
        assert runs["fresh"][name]["kernel_mode"] == "fresh"
        assert (warm_out / f"{name}.html").read_bytes() == (fresh_out / f"{name}.html").read_bytes()
        assert without_timing(warm_out / f"{name}.ipynb") == without_timing(
            fresh_out / f"{name}.ipynb"
        )
        figs = sorted(p.name for p in (fresh_out / f"{name}_figures").iterdir())
        assert figs and figs == sorted(p.name for p in (warm_out / f"{name}_figures").iterdir())
        for f in figs:
            assert (warm_out / f"{name}_figures" / f).read_bytes() == (
                fresh_out / f"{name}_figures" / f
            ).read_bytes(), f
    # only the clock differs in the executed notebooks
    raw_warm = (warm_out / f"{SUBSET[1]}.ipynb").read_text(encoding="utf-8")
    assert '"id": "injected-parameters"' in raw_warm  # stable, not papermill's random id


def test_manifest_and_record_say_which_mode_made_an_output(both_modes, tmp_path, shipped_data):
    import shutil

    work = tmp_path / "out"
    shutil.copytree(both_modes["fresh"], work)
    grid = ROOT / "data" / "briefings.yml"
    args = ["render", str(grid), "--out", str(work), "--no-progress", "--only", SUBSET[0]]
    assert main(args) == 0  # up to date: skipped, and still says fresh
    row = manifest(work)[SUBSET[0]]
    assert (row["status"], row["kernel_mode"]) == ("skipped", "fresh")
    record = json.loads((work / render.RECORDS / f"{SUBSET[0]}.json").read_text())
    assert record["kernel_mode"] == "fresh"


# --------------------------------------------------------------------------
# The template: get_ipython() at import, stale files, no orphans
# --------------------------------------------------------------------------


def test_module_asking_get_ipython_at_import_is_imported_in_the_kernel(tmp_path):
    (tmp_path / "askipy.py").write_text(
        "from IPython import get_ipython\nIN_KERNEL = get_ipython() is not None\n"
    )
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("k: int = 0", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("import askipy\nprint('in kernel', askipy.IN_KERNEL)"),
        ],
        metadata=KERNEL_META,
    )
    nbformat.write(nb, tmp_path / "ask.ipynb")
    grid = tmp_path / "grid.yml"
    grid.write_text(f"- notebook: {tmp_path / 'ask.ipynb'}\n  grid: {{k: [0, 1]}}\n")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    cmd = [sys.executable, "-m", "dvcanalysis.cli", "render", str(grid), "--out", str(out)]
    subprocess.run([*cmd, "--jobs", "1", "--no-progress"], env=env, cwd=ROOT, check=True)
    for k in (0, 1):
        assert manifest(out)[f"ask_{k}"]["kernel_mode"] == "warm"
        assert "in kernel True" in (out / f"ask_{k}.html").read_text(encoding="utf-8")


def test_ipywidgets_preloaded_still_registers_with_its_kernel(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("k: int = 0", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(
                "import ipywidgets\nfrom comm import get_comm_manager\n"
                "print('widget target', 'jupyter.widget' in get_comm_manager().targets)"
            ),
        ],
        metadata=KERNEL_META,
    )
    nbformat.write(nb, tmp_path / "widgets.ipynb")
    assert "ipywidgets" in preload.preload_for([tmp_path / "widgets.ipynb"])
    grid = tmp_path / "grid.yml"
    grid.write_text(f"- notebook: {tmp_path / 'widgets.ipynb'}\n  grid: {{k: [0]}}\n")
    out = tmp_path / "out"
    assert main(["render", str(grid), "--out", str(out), "--jobs", "1", "--no-progress"]) == 0
    assert manifest(out)["widgets_0"]["kernel_mode"] == "warm"
    assert "widget target True" in (out / "widgets_0.html").read_text(encoding="utf-8")


def test_template_is_replaced_when_a_file_it_imported_changes(tmp_path, monkeypatch):
    mod = tmp_path / "warm_probe_mod.py"
    mod.write_text("VALUE = 1\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    try:
        first = warm.get_template(["warm_probe_mod"])
        assert warm.get_template(["warm_probe_mod"]) is first  # reused while unchanged
        assert first.report["threads"] == 1  # nothing running in the template at fork time
        assert str(mod) in first.files
        mod.write_text("VALUE = 22\n")  # another size
        assert not first.unchanged()
        second = warm.get_template(["warm_probe_mod"])
        assert second is not first and second.proc.pid != first.proc.pid
        assert first.proc.poll() is not None  # the stale one was stopped
        second.proc.kill()  # a template that died is replaced too
        second.proc.wait()
        third = warm.get_template(["warm_probe_mod"])
        assert third is not second and third.alive()
    finally:
        warm.close_template()


def test_a_template_that_fails_says_why():
    """A template that dies before it is ready: one error with the end of its stderr."""
    import tempfile

    bad = warm.Template.__new__(warm.Template)  # started by hand, to feed it a bad request
    bad.preload = []
    bad._stderr = tempfile.TemporaryFile()
    bad.proc = subprocess.Popen(
        [sys.executable, "-c", "from dvcanalysis.render.template import serve; serve()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=bad._stderr,
    )
    bad.proc.stdin.write(b"not json\n")
    bad.proc.stdin.flush()
    with pytest.raises(warm.TemplateError, match="exited; its stderr ends: .*JSONDecodeError"):
        bad._reply(30)
    assert bad.proc.poll() is not None


def _ours(marker: str) -> list[int]:
    """Processes whose environment carries ``marker`` (the render, workers, templates, kernels)."""
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit() and int(p.name) != os.getpid():
            try:
                if marker.encode() in (p / "environ").read_bytes():
                    pids.append(int(p.name))
            except OSError:
                continue
    return pids


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_killed_render_leaves_no_template_or_kernel(tmp_path):
    grid = tmp_path / "grid.yml"
    grid.write_text(f"- notebook: {FIX / 'slow.ipynb'}\n  grid: {{delay: [0.0, 60.0]}}\n")
    out = tmp_path / "out"
    marker = f"DVC_TEST_MARK={uuid.uuid4().hex}"
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    cmd = [sys.executable, "-m", "dvcanalysis.cli", "render", str(grid), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--jobs", "1", "--no-progress"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / render.RECORDS / "slow_0.0.json").exists():
            assert proc.poll() is None and time.monotonic() < deadline, "first run never finished"
            time.sleep(0.1)
        time.sleep(1.0)  # the second notebook's kernel is now sleeping
        # the render, its worker, the worker's template and the running kernel (at least)
        ours = _ours(marker)
        assert len(ours) >= 4
        names = sorted(Path(f"/proc/{p}/comm").read_text().strip() for p in ours)
        assert names.count("dvc-template") == names.count("dvc-kernel") == 1
    finally:
        # the render's process group (runner and workers); templates and kernels have
        # sessions of their own, as kernels do, so they must go by themselves
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 15
    while _ours(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _ours(marker)
    for pid in left:  # do not leave them to other tests
        os.kill(pid, signal.SIGKILL)
    assert not left, f"orphans: {left}"


# jupyter_core gives each Dask worker thread its own event loop and leaves it open
@pytest.mark.filterwarnings("ignore:unclosed event loop:ResourceWarning")
def test_dask_workers_fork_warm_kernels_too(tmp_path, dask_cluster):
    _, client = dask_cluster
    grid = tmp_path / "grid.yml"
    grid.write_text(
        f"- notebook: {FIX / 'meddle.ipynb'}\n  grid: {{k: [0]}}\n"
        f"- notebook: {FIX / 'probe.ipynb'}\n  grid: {{k: [0, 1, 2]}}\n"
    )
    jobs = render.load_grid(grid).jobs
    try:
        rows = render.run_grid(jobs, out_dir=tmp_path / "out", executor=client.get_executor())
    finally:
        warm.close_template()  # the template of this (pytest) process, where Dask ran
    assert [r["status"] for r in rows] == ["ok"] * 4
    assert {r["kernel_mode"] for r in rows} == {"warm"}
    assert len({r["worker_pid"] for r in rows}) == 1


# --------------------------------------------------------------------------
# Layers: a notebook's own imports and their warm-up hooks
# --------------------------------------------------------------------------

HOOKED = """
from pathlib import Path

DATA = Path(__file__).with_name("hooked.txt")
CALLS = []
_CACHE = {}


def read():
    key = (str(DATA), DATA.stat().st_mtime_ns)
    if key not in _CACHE:
        _CACHE[key] = DATA.read_text()
    return _CACHE[key]


def __dvc_warmup__():
    CALLS.append(1)
    read()
"""


def test_a_layer_runs_warmup_hooks_and_watches_what_they_read(tmp_path, monkeypatch):
    (tmp_path / "hooked_mod.py").write_text(HOOKED)
    data = tmp_path / "hooked.txt"
    data.write_text("first\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    try:
        template = warm.get_template(["json"])
        layer = template.set_layer(["hooked_mod"])
        assert layer["warmed"] == ["hooked_mod"] and not layer["failed"]
        assert str(data) in layer["files"] and str(tmp_path / "hooked_mod.py") in layer["files"]
        assert str(data) not in template.files  # the template itself did not read it
        assert template.set_layer(["hooked_mod"]) is layer  # kept for the same imports
        assert template.unchanged()
        data.write_text("second, longer\n")
        assert not template.unchanged()  # so the next job gets a new template
        assert template.set_layer([]) is None  # popped: kernels fork from the template
        assert template.alive()
    finally:
        warm.close_template()


def test_a_kernel_inherits_its_layer_and_outputs_stay_the_same(tmp_path, monkeypatch):
    (tmp_path / "hooked_mod.py").write_text(HOOKED)
    (tmp_path / "hooked.txt").write_text("data read once\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    nb = nbformat.v4.new_notebook(metadata=KERNEL_META)
    nb.cells = [
        nbformat.v4.new_code_cell("k = 0", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import hooked_mod\nprint(hooked_mod.read())"),
        nbformat.v4.new_code_cell("print('calls', len(hooked_mod.CALLS))"),
    ]
    nbformat.write(nb, tmp_path / "hooked.ipynb")
    other = nbformat.v4.new_notebook(metadata=KERNEL_META)
    other.cells = [
        nbformat.v4.new_code_cell("k = 0", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import sys\nprint('imported:', 'hooked_mod' in sys.modules)"),
    ]
    nbformat.write(other, tmp_path / "other.ipynb")
    grid = tmp_path / "grid.yml"
    grid.write_text(
        f"- notebook: {tmp_path / 'hooked.ipynb'}\n  grid: {{k: [0, 1]}}\n"
        f"- notebook: {tmp_path / 'other.ipynb'}\n  grid: {{k: [0]}}\n"
    )
    outs = {}
    for mode, extra in (("warm", []), ("fresh", ["--fresh-kernels"])):
        outs[mode] = tmp_path / mode
        args = ["render", str(grid), "--out", str(outs[mode]), "--jobs", "1", "--no-progress"]
        assert main([*args, *extra]) == 0
    runs = manifest(outs["warm"])
    assert runs["hooked_0"]["layer_private_mb"] > 0
    text = {m: (outs[m] / "hooked_1.ipynb").read_text(encoding="utf-8") for m in outs}
    assert "data read once" in text["warm"] and "data read once" in text["fresh"]
    assert "calls 1" in text["warm"]  # the hook ran once, in the layer, before the fork
    assert "calls 0" in text["fresh"]
    # the next notebook does not import it: it forks from the template, not that layer
    assert "imported: False" in (outs["warm"] / "other_0.ipynb").read_text(encoding="utf-8")


def test_manifest_records_the_memory_of_every_process(both_modes):
    runs = {mode: manifest(both_modes[mode]) for mode in both_modes}
    name = SUBSET[1]  # a briefing: its notebook's own modules in a layer, and a PDF
    warm_row, fresh_row = runs["warm"][name], runs["fresh"][name]
    for key in ("worker_peak_mb", "template_rss_mb", "layer_private_mb", "kernel_private_mb"):
        assert warm_row[key] > 0, key
    assert warm_row["pdf_private_mb"] > 0  # a child forked from the layer typeset it
    assert fresh_row["typesetter_peak_mb"] > 0  # no template: the typesetter process did
    assert fresh_row["kernel_peak_mb"] > 0
    assert (both_modes["warm"] / f"{name}.pdf").read_bytes().startswith(b"%PDF")


def test_a_pdf_child_reports_its_failure_and_leaves_no_file(tmp_path):
    try:
        template = warm.get_template(["json"])
        report = template.typeset({"title": "no blocks"}, tmp_path, tmp_path / "x.pdf", 60.0)
        assert "error" in report and "ok" not in report
        assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".*partial*"))
        assert template.alive()  # the child failed, not the template
    finally:
        warm.close_template()
