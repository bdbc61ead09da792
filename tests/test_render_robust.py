"""Nothing stale, nothing silent (issue 22): the renderer under the faults a user meets.

Each case runs ``dvcanalysis render`` for real (worker processes, kernels, files on disk):
outputs changed on disk after a run, SIGTERM and SIGHUP mid-run, a render killed outright,
a full disk (a small tmpfs in a private mount namespace), a cell that never returns, a
results cache that was tampered with or cannot be written, and a closed pipe.
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

import nbformat
import pytest

from dvcanalysis import cache, render
from dvcanalysis.cli import main
from dvcanalysis.render import runner

FIX = Path(__file__).parent / "fixtures" / "render"
ROOT = Path(__file__).resolve().parent.parent

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def write_grid(path: Path, text: str) -> Path:
    path.write_text(text.replace("FIX", str(FIX)), encoding="utf-8")
    return path


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def runs(out: Path) -> dict:
    return {r["name"]: r for r in manifest(out)["runs"]}


def notebook(path: Path, *cells: str, params: str = 'lang: str = "vi"') -> Path:
    """A notebook: a parameters cell, then one code cell per source."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    first = nbformat.v4.new_code_cell(params)
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first, *(nbformat.v4.new_code_cell(c) for c in cells)]
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def render_cmd(grid: Path, out: Path, *extra: str) -> list[str]:
    cmd = [sys.executable, "-m", "dvcanalysis.cli", "render", str(grid), "--out", str(out)]
    return [*cmd, "--no-progress", *extra]


def wait_for(what, timeout: float, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the render ended early: {proc.stderr.read().decode()}")
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def partials(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if ".partial" in p.name]


# ---------------------------------------------------------------- resume by verified content
def test_outputs_changed_on_disk_are_rendered_again_and_it_says_so(tmp_path, capsys):
    grid = write_grid(
        tmp_path / "grid.yml",
        "- notebook: FIX/ok.ipynb\n  grid: {lang: [vi, en]}\n  parameters: {n: 3}\n",
    )
    out = tmp_path / "out"
    args = ["render", str(grid), "--out", str(out), "--no-progress"]
    assert main(args) == 0
    files = runs(out)["ok_vi"]["files"]
    html = (out / "ok_vi.html").read_bytes()
    assert files["ok_vi.html"] == {"size": len(html), "sha256": files["ok_vi.html"]["sha256"]}
    assert set(files) == {"ok_vi.ipynb", "ok_vi.html", "ok_vi_figures"}
    # the cases: an HTML cut to 1,000 bytes, another output emptied
    (out / "ok_vi.html").write_bytes(html[:1000])
    (out / "ok_en.ipynb").write_bytes(b"")
    capsys.readouterr()
    assert main([*args, "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "run  ok_vi" in dry and "(output changed on disk: ok_vi.html)" in dry
    assert "(output changed on disk: ok_en.ipynb)" in dry
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "ok_vi" in err and "(re-rendered: output changed on disk: ok_vi.html)" in err
    got = runs(out)
    assert {n: r["status"] for n, r in got.items()} == {"ok_vi": "ok", "ok_en": "ok"}
    assert got["ok_vi"]["rerendered"] == "output changed on disk: ok_vi.html"
    assert (out / "ok_vi.html").read_bytes() == html  # repaired, byte for byte
    # a figure changed in the figures folder counts too; an unchanged run is skipped
    (out / "ok_en_figures" / next(os.walk(out / "ok_en_figures"))[2][0]).write_bytes(b"x")
    assert main(args) == 0
    got = runs(out)
    assert got["ok_vi"]["status"] == "skipped"
    assert got["ok_en"]["rerendered"] == "output changed on disk: ok_en_figures"


# ---------------------------------------------------------------- every stop recorded
@linux_only
@pytest.mark.parametrize(("sig", "group"), [(signal.SIGTERM, True), (signal.SIGHUP, False)])
def test_sigterm_and_sighup_stop_like_ctrl_c_and_record_the_stuck_cell(tmp_path, sig, group):
    """SIGTERM to the whole process group (as systemd and schedulers send it), SIGHUP to the
    render: exit 128 + signal, one line, the run in flight recorded with its cell, the
    pending one too, the manifest unfinished, the index counting them, no .partial file."""
    nb = notebook(
        tmp_path / "stuck.ipynb",
        "import os, time\nfrom pathlib import Path\n"
        "d = Path(os.environ['DVC_FIGURES_DIR']); d.mkdir(parents=True, exist_ok=True)\n"
        "if delay: (d / '.fig.abcd1234.partial.png').write_bytes(b'half a figure')\n"
        "time.sleep(delay)",
        params="delay: float = 0.0",
    )
    grid = write_grid(
        tmp_path / "grid.yml", f"- notebook: {nb}\n  grid: {{delay: [0.0, 60.0, 61.0]}}\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    stale = {"finished": True, "summary": {"ok": 9, "failed": 0, "skipped": 0}, "runs": []}
    (out / "manifest.json").write_text(json.dumps(stale), encoding="utf-8")
    proc = subprocess.Popen(
        render_cmd(grid, out, "--jobs", "1"),
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # at once: unfinished, every run to do listed as pending (the first may be done)
        pending = wait_for(lambda: manifest(out)["summary"].get("pending"), 30, proc)
        assert pending in (2, 3) and manifest(out)["finished"] is False
        wait_for(lambda: (out / render.RECORDS / "stuck_0.0.json").exists(), 60, proc)
        wait_for(lambda: (out / "stuck_60.0_figures" / ".fig.abcd1234.partial.png").exists(), 30)
        time.sleep(0.5)
        if group:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
        code = proc.wait(timeout=30)  # not after the 60 s cell
        err = proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    name = signal.Signals(sig).name
    assert code == 128 + sig, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"render stopped ({name}): 2 briefing(s) not finished, recorded as interrupted in "
        f"{out / 'manifest.json'}"
    )
    doc = manifest(out)
    assert doc["finished"] is False
    got = {r["name"]: r for r in doc["runs"]}
    assert got["stuck_0.0"]["status"] == "ok"
    stuck = got["stuck_60.0"]["error"]
    assert (stuck["kind"], stuck["cell_index"]) == ("interrupted", 1)
    assert stuck["evalue"] == f"the render was stopped ({name}) while cell 1 was running"
    later = got["stuck_61.0"]["error"]
    assert later["evalue"] == f"the render was stopped ({name}) before this briefing started"
    assert doc["summary"] == {"ok": 1, "failed": 2, "skipped": 0}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2 not finished (the render was stopped)" in index
    # the run log lives on the run page, linked from the catalogue
    assert "cell 1: Interrupted" in (out / "run.html").read_text(encoding="utf-8")
    assert partials(out) == []


@linux_only
def test_a_render_killed_outright_leaves_an_unfinished_manifest_not_the_last_ones(tmp_path):
    grid = write_grid(
        tmp_path / "grid.yml", "- notebook: FIX/slow.ipynb\n  grid: {delay: [60.0]}\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    stale = {"finished": True, "summary": {"ok": 1, "failed": 0, "skipped": 0}, "runs": []}
    (out / "manifest.json").write_text(json.dumps(stale), encoding="utf-8")
    proc = subprocess.Popen(
        render_cmd(grid, out), cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_for(lambda: manifest(out)["summary"].get("pending"), 30, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    doc = manifest(out)
    assert doc["summary"] == {"ok": 0, "failed": 0, "skipped": 0, "pending": 1}
    assert [r["status"] for r in doc["runs"]] == ["pending"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "1 not finished (still running, or the render died)" in index


# ---------------------------------------------------------------- a full disk
def _tmpfs_ok() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt && echo ok"],
        capture_output=True,
        text=True,
    )
    return probe.stdout.strip() == "ok"


tmpfs_only = pytest.mark.skipif(
    not Path("/proc/self/stat").exists() or not _tmpfs_ok(),
    reason="needs unshare and a tmpfs in a private mount namespace",
)


def _render_on_tmpfs(
    out: Path, size: str, grid: Path, prepare: str = "", after: str = ""
) -> subprocess.CompletedProcess:
    """``dvcanalysis render`` into ``out``, a tmpfs of ``size`` (its own mount namespace);
    ``after`` runs once it ended (the tmpfs is gone with the namespace); its exit code kept."""
    out.mkdir(exist_ok=True)
    cmd = " ".join(f"'{c}'" for c in render_cmd(grid, out))
    script = (
        f"mount -t tmpfs -o size={size} tmpfs '{out}' && cd '{ROOT}' && {prepare} {cmd}; "
        f"rc=$?{after}; exit $rc"
    )
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=180
    )


@tmpfs_only
def test_disk_full_at_zero_bytes_is_one_line_exit_1_and_no_stale_manifest(tmp_path):
    grid = write_grid(tmp_path / "grid.yml", "- notebook: FIX/ok.ipynb\n  grid: {lang: [vi, en]}\n")
    out = tmp_path / "out"
    stale = json.dumps({"finished": True, "summary": {"ok": 2}, "runs": []})
    # the last run's manifest, then a file that fills the disk to its last byte
    prepare = (
        f"printf '%s' '{stale}' > '{out}/manifest.json' && "
        f"(dd if=/dev/zero of='{out}/fill' bs=4k 2>/dev/null; true) && "
    )
    after = f"; cp '{out}/manifest.json' '{tmp_path}/manifest.json' 2>/dev/null; true"
    done = _render_on_tmpfs(out, "512k", grid, prepare, after)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"{re.escape(str(out))}/(manifest\.json|index\.html|run\.html): cannot write "
        r"\(No space left on device\); free some space and render again",
        last,
    ), last
    # every briefing accounted for: each is in the summary table, failed, with the reason
    for name in ("ok_vi", "ok_en"):
        line = next(row for row in done.stdout.splitlines() if row.startswith(name))
        assert "failed" in line and "No space left on device" in line, done.stdout
    # the last run's manifest never stands: gone, or (once its removal freed room) this run's
    saved = tmp_path / "manifest.json"
    if saved.exists():
        doc = json.loads(saved.read_text(encoding="utf-8"))
        assert {r["name"]: r["status"] for r in doc["runs"]} == {
            "ok_vi": "failed",
            "ok_en": "failed",
        }


@tmpfs_only
def test_disk_full_after_every_cell_ran_is_kind_output_not_runner(tmp_path):
    """Room for the reports but not for a big executed notebook: the run fails as ``output``
    "after the last cell", names the file, leaves no output of its own; the other is ok."""
    big = notebook(
        tmp_path / "big.ipynb",
        "import os, base64\nprint(base64.b64encode(os.urandom(1_200_000)).decode() if lang == 'vi' else 'small')",
    )
    grid = write_grid(tmp_path / "grid.yml", f"- notebook: {big}\n  grid: {{lang: [vi, en]}}\n")
    out = tmp_path / "out"
    check = f"; cat '{out}/manifest.json' > '{tmp_path}/manifest.json'; ls -a '{out}' > '{tmp_path}/ls.txt'"
    cmd = " ".join(f"'{c}'" for c in render_cmd(grid, out, "--jobs", "1"))
    out.mkdir()
    script = f"mount -t tmpfs -o size=1m tmpfs '{out}' && cd '{ROOT}' && {cmd}; echo $? > '{tmp_path}/rc'{check}"
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=180
    )
    assert (tmp_path / "rc").read_text().strip() == "1", done.stderr
    assert "Traceback" not in done.stderr
    got = {r["name"]: r for r in json.loads((tmp_path / "manifest.json").read_text())["runs"]}
    assert got["big_en"]["status"] == "ok"
    error = got["big_vi"]["error"]
    assert error["kind"] == "output" and error["cell_index"] is None
    assert error["evalue"] == f"cannot write {out}/big_vi.ipynb: No space left on device"
    assert got["big_vi"]["outputs"] == []
    listing = (tmp_path / "ls.txt").read_text().split()
    assert "big_vi.html" not in listing and "big_vi.ipynb" not in listing
    assert not [n for n in listing if ".partial" in n]
    row = next(r for r in done.stdout.splitlines() if r.startswith("big_vi"))
    assert "after the last cell: OSError: cannot write" in row


# ---------------------------------------------------------------- no render hangs in silence
def test_every_cell_has_a_time_limit_by_default_and_the_command_line_sets_it(tmp_path):
    grid = write_grid(
        tmp_path / "grid.yml",
        "- notebook: FIX/slow.ipynb\n  grid: {delay: [1.0]}\n"
        "- notebook: FIX/ok.ipynb\n  grid: {lang: [vi]}\n  timeout: 7\n",
    )
    jobs = render.load_grid(grid).jobs
    options = {"fresh_kernels": False, "timeout": None, "cache": {"mode": "use"}}
    planned = runner.plan(jobs, tmp_path / "out")
    assert [runner._spec(p, tmp_path, options, preload=[])["timeout"] for p in planned] == [
        runner.DEFAULT_TIMEOUT,
        7,
    ]
    options["timeout"] = 3  # --timeout: every entry
    assert {runner._spec(p, tmp_path, options, preload=[])["timeout"] for p in planned} == {3}
    assert runner.DEFAULT_TIMEOUT >= 10 * 10.6  # ten times the heaviest shipped cell (10.6 s)


@linux_only
def test_a_cell_that_never_returns_is_named_while_it_runs_and_ends_at_the_timeout(tmp_path):
    grid = write_grid(
        tmp_path / "grid.yml", "- notebook: FIX/slow.ipynb\n  grid: {delay: [0.0, 600.0]}\n"
    )
    out = tmp_path / "out"
    env = {**os.environ, "DVC_RENDER_STATUS_EVERY": "1"}
    start = time.monotonic()
    done = subprocess.run(
        render_cmd(grid, out, "--timeout", "4"),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and time.monotonic() - start < 60
    still = [line for line in done.stderr.splitlines() if line.startswith("still running: ")]
    assert still and any("slow_600.0" in line and "(cell 1)" in line for line in still), done.stderr
    error = runs(out)["slow_600.0"]["error"]
    assert (error["kind"], error["cell_index"]) == ("timeout", 1)
    assert runs(out)["slow_0.0"]["status"] == "ok"


def test_the_status_names_the_runs_in_flight_longest_first():
    now = 1000.0
    running = {
        "b": {"start": now - 5, "cell": None},
        "a": {"start": now - 125, "cell": 3},
        "c": {"start": now - 1, "cell": 0},
        "d": {"start": now - 0.5, "cell": 1},
    }
    assert (
        runner.status_line(running, now) == "a 2 min 05 s (cell 3), b 5 s, c 1 s (cell 0), +1 more"
    )


# ---------------------------------------------------------------- a cache that cannot lie
CACHE_CELL = (
    "import time\nfrom dvcanalysis import cache\n"
    "v = cache.cached('probe', {'lang': 'any'}, lambda: {'p': 0.5, 'at': time.time_ns()})\n"
    "print('probability', v['p'], v['at'])"
)


def _entry(out: Path) -> tuple[Path, dict]:
    (path,) = (out / ".cache").glob("probe-*.json")
    return path, json.loads(path.read_text(encoding="utf-8"))


def _printed(out: Path, name: str) -> list[str]:
    nb = json.loads((out / f"{name}.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))
    return text.split()


def test_force_recomputes_cache_entries_and_no_cache_skips_the_cache(tmp_path, capsys):
    nb = notebook(tmp_path / "probe.ipynb", CACHE_CELL)
    grid = write_grid(tmp_path / "grid.yml", f"- notebook: {nb}\n  grid: {{lang: [vi, en]}}\n")
    out = tmp_path / "out"
    args = ["render", str(grid), "--out", str(out), "--no-progress", "--jobs", "1"]
    assert main(args) == 0
    first = _printed(out, "probe_vi")
    assert _printed(out, "probe_en") == first  # one entry, shared by the grid's briefings
    # the case: an entry edited so that it still loads (checksum forged to match)
    path, head = _entry(out)
    head["value"]["p"] = 0.0
    head["value_sha256"] = cache._sha(cache.canonical(head["value"]))
    path.write_text(json.dumps(head), encoding="utf-8")
    assert main([*args, "--force"]) == 0
    forced = _printed(out, "probe_vi")
    assert forced[1] == "0.5" and forced[2] != first[2]  # recomputed, not read
    assert _printed(out, "probe_en") == forced  # and still shared within the render
    fresh = tmp_path / "fresh"
    assert main(["render", str(grid), "--out", str(fresh), "--no-progress", "--no-cache"]) == 0
    assert not (fresh / ".cache").exists() or not list((fresh / ".cache").iterdir())
    assert _printed(fresh, "probe_vi")[2] != _printed(fresh, "probe_en")[2]


def test_a_damaged_entry_is_a_miss_reported_as_one_warning_line(tmp_path, capsys):
    nb = notebook(tmp_path / "probe.ipynb", CACHE_CELL)
    grid = write_grid(tmp_path / "grid.yml", f"- notebook: {nb}\n  grid: {{lang: [vi]}}\n")
    out = tmp_path / "out"
    assert main(["render", str(grid), "--out", str(out), "--no-progress"]) == 0
    path, head = _entry(out)
    head["value"]["p"] = 0.0  # edited by hand: the checksum no longer matches
    path.write_text(json.dumps(head), encoding="utf-8")
    grid2 = write_grid(
        tmp_path / "grid2.yml",
        f"- notebook: {nb}\n  grid: {{lang: [vi]}}\n  output: again_{{lang}}\n",
    )
    capsys.readouterr()
    assert main(["render", str(grid2), "--out", str(out), "--no-progress"]) == 0
    err = capsys.readouterr().err
    (line,) = [row for row in err.splitlines() if row.startswith("warning ")]
    assert (
        line.startswith("warning again_vi: cache entry ")
        and "does not match its checksum (content)" in line
    )
    assert _printed(out, "again_vi")[1] == "0.5"
    assert runs(out)["again_vi"]["warnings"] == [line.split(": ", 1)[1]]


def test_a_cache_folder_that_cannot_be_written_means_computing_without_it(
    tmp_path, capsys, monkeypatch
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    monkeypatch.setenv(cache.ENV, str(blocked / "cache"))  # a shared DVC_CACHE_DIR gone bad
    nb = notebook(tmp_path / "probe.ipynb", CACHE_CELL)
    grid = write_grid(tmp_path / "grid.yml", f"- notebook: {nb}\n  grid: {{lang: [vi]}}\n")
    out = tmp_path / "out"
    assert main(["render", str(grid), "--out", str(out), "--no-progress"]) == 0
    err = capsys.readouterr().err
    (line,) = [row for row in err.splitlines() if row.startswith("warning ")]
    assert "cannot be read" in line and "computing without it" in line
    assert _printed(out, "probe_vi")[1] == "0.5"


# ---------------------------------------------------------------- a closed pipe
def test_a_closed_pipe_ends_quietly(tmp_path):
    """``dvcanalysis render --dry-run | head -3``: the reader is gone before the list is out."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "dvcanalysis.cli", "render", "--dry-run", "--out", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # as head does once it has its lines
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert err == ""


def test_the_progress_bar_names_the_briefing_running_longest(tmp_path, capsys):
    grid = write_grid(tmp_path / "grid.yml", "- notebook: FIX/slow.ipynb\n  grid: {delay: [4.0]}\n")
    jobs = render.load_grid(grid).jobs
    rows = render.run_grid(jobs, out_dir=tmp_path / "out", progress=True, grid_path=grid)
    assert rows[0]["status"] == "ok"
    bar = capsys.readouterr().err
    assert re.search(r"slow_4\.0 [1-9] s \(cell 1\)", bar), bar
