"""Faults of the batch renderer's processes: kill -9 of the render, of one worker, of a kernel
at start, two renders into one folder, and the permissions of what it writes.

Each test uses the tiny fixture notebooks of tests/fixtures/render/ (a run takes a
second or two). Process trees are read from /proc, so these tests run on Linux.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from dvcanalysis import _io, render
from dvcanalysis.cli import main

FIX = Path(__file__).parent / "fixtures" / "render"
ROOT = Path(__file__).resolve().parent.parent

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def write_grid(path: Path, text: str) -> Path:
    path.write_text(text.replace("FIX", str(FIX)), encoding="utf-8")
    return path


def manifest(out: Path) -> dict:
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {r["name"]: r for r in doc["runs"]}


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(root: int) -> set[int]:
    """Every live process below ``root`` (by parent pid)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            st = _stat(int(d.name))
            if st is not None:
                children.setdefault(st[1], []).append(int(d.name))
    out: set[int] = set()
    todo = [root]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def alive(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[0] not in ("Z", "X")


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def kernels(pids: set[int]) -> set[int]:
    """Kernels started by jupyter_client, or forked by a warm template (render/template.py)."""
    return {p for p in pids if "ipykernel" in _cmdline(p) or _comm(p) == "dvc-kernel"}


def worker_of(kernel: int) -> int:
    """The worker process a kernel belongs to (a warm kernel's parent is its template)."""
    parent = _stat(kernel)[1]
    return _stat(parent)[1] if _comm(parent) == "dvc-template" else parent


def running_kernels(pid: int, n: int) -> set[int] | None:
    """The process tree below ``pid`` once it holds ``n`` kernels, else None."""
    tree = descendants(pid)
    return tree if len(kernels(tree)) == n else None


def start_render(grid: Path, out: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "dvcanalysis.cli", "render", str(grid), "--out", str(out)]
    return subprocess.Popen(
        [*cmd, "--no-progress", *extra],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


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


@linux_only
def test_kill_9_of_the_render_ends_every_process_it_started(tmp_path):
    grid = write_grid(
        tmp_path / "grid.yml", "- notebook: FIX/slow.ipynb\n  grid: {delay: [20.0, 21.0, 22.0]}\n"
    )
    out = tmp_path / "out"
    proc = start_render(grid, out, "--jobs", "2")
    try:
        # both workers run a kernel (each sleeping 20 s in its notebook)
        tree = wait_for(lambda: running_kernels(proc.pid, 2), 60, proc)
        assert len(tree) >= 4  # two workers and two kernels
        proc.send_signal(signal.SIGKILL)  # the render process only, not its group
        proc.wait()
        deadline = time.monotonic() + 5
        while any(alive(p) for p in tree) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = {p: _cmdline(p)[:80] for p in tree if alive(p)}
        assert not left, f"processes outlived the render by 5 s: {left}"
    finally:
        for p in descendants(proc.pid) if proc.poll() is None else ():
            os.kill(p, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not any((out / f"slow_{d}.html").exists() for d in ("20.0", "21.0", "22.0"))
    # the killed render's kernel folder is left; the next render removes it
    assert len(_kernel_dirs(proc.pid)) == 1
    grid2 = write_grid(tmp_path / "g2.yml", "- notebook: FIX/ok.ipynb\n  grid: {lang: [en]}\n")
    assert main(["render", str(grid2), "--out", str(tmp_path / "out2"), "--no-progress"]) == 0
    assert _kernel_dirs(proc.pid) == []
    assert _kernel_dirs(os.getpid()) == []  # and its own, at its end


def _kernel_dirs(pid: int) -> list[Path]:
    from dvcanalysis.render.kernel_dir import short_tmp

    return sorted(Path(short_tmp() or tempfile.gettempdir()).glob(f"dvcr-{pid}-*"))


@linux_only
def test_kill_9_of_one_worker_costs_only_its_own_job_which_is_retried(tmp_path):
    grid = write_grid(
        tmp_path / "grid.yml",
        "- notebook: FIX/slow.ipynb\n  grid: {delay: [3.0, 3.5, 0.0, 0.1]}\n",
    )
    out = tmp_path / "out"
    proc = start_render(grid, out, "--jobs", "2")
    try:
        tree = wait_for(lambda: running_kernels(proc.pid, 2), 60, proc)
        workers = sorted(worker_of(k) for k in kernels(tree))
        assert len(workers) == 2
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        assert proc.wait(timeout=90) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    runs = manifest(out)
    assert {n: r["status"] for n, r in runs.items()} == dict.fromkeys(
        ["slow_3.0", "slow_3.5", "slow_0.0", "slow_0.1"], "ok"
    )
    retried = {n: r for n, r in runs.items() if r.get("attempts")}
    assert len(retried) == 1, retried  # only the job the killed worker was running
    (row,) = retried.values()
    assert row["attempts"] == 2
    assert row["retried"] == (
        f"worker process {victim} was killed by SIGKILL while running this briefing; retried once"
    )
    assert row["worker_pid"] != victim


def test_a_worker_that_dies_twice_fails_only_its_job(tmp_path):
    from dvcanalysis.render.pool import run_pool

    specs = [{"name": "dies"}, {"name": "fine"}]
    got = dict((s["name"], r) for s, r in run_pool(specs, 2, target=_die_or_answer))
    assert got["fine"]["status"] == "ok"
    assert got["dies"]["status"] == "failed"
    assert got["dies"]["attempts"] == 2
    assert got["dies"]["error"]["ename"] == "WorkerDied"
    assert got["dies"]["error"]["kind"] == "worker_died"
    assert (
        "ended (exit code 3) while running this briefing (twice)" in got["dies"]["error"]["evalue"]
    )


def _die_or_answer(spec: dict) -> dict:
    if spec["name"] == "dies":
        os._exit(3)
    return {"name": spec["name"], "status": "ok", "error": None, "outputs": []}


@linux_only
def test_a_second_render_into_the_same_folder_is_refused_at_once(tmp_path, capsys):
    grid = write_grid(tmp_path / "grid.yml", "- notebook: FIX/slow.ipynb\n  grid: {delay: [3.0]}\n")
    out = tmp_path / "out"
    proc = start_render(grid, out, "--jobs", "1")
    try:
        wait_for(lambda: kernels(descendants(proc.pid)), 60, proc)
        t0 = time.monotonic()
        assert main(["render", str(grid), "--out", str(out), "--no-progress", "--force"]) == 2
        assert time.monotonic() - t0 < 10  # at once, not after the first render
        err = capsys.readouterr().err
        assert err == (
            f"--out {out}: another render (PID {proc.pid}) is writing into this folder; "
            "wait for it to end or choose another --out\n"
        )
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert manifest(out)["slow_3.0"]["status"] == "ok"
    # once the first render ended, the folder is free again
    assert main(["render", str(grid), "--out", str(out), "--no-progress"]) == 0


def _kernel(tmp_path: Path, name: str, code: str) -> Path:
    """A notebook whose kernelspec runs ``code`` before ipykernel (found via JUPYTER_PATH)."""
    spec = tmp_path / "jupyter" / "kernels" / name
    spec.mkdir(parents=True)
    launcher = spec / "launch.py"
    launcher.write_text(
        code + "\nfrom ipykernel import kernelapp\nkernelapp.launch_new_instance()\n"
    )
    argv = [sys.executable, str(launcher), "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": name, "language": "python"})
    )
    nb = json.loads((FIX / "ok.ipynb").read_text(encoding="utf-8"))
    nb["metadata"]["kernelspec"] = {"name": name, "display_name": name, "language": "python"}
    path = tmp_path / f"{name}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_kernel_that_dies_at_start_is_retried_once_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    marker = tmp_path / "started-once"
    flaky = _kernel(
        tmp_path,
        "dvc-flaky",
        "import os, sys\n"
        f"if not os.path.exists({str(marker)!r}):\n"
        f"    open({str(marker)!r}, 'w').close()\n"
        "    sys.stderr.write('Address already in use (a deliberate first failure)\\n')\n"
        "    sys.exit(1)",
    )
    dead = _kernel(
        tmp_path,
        "dvc-dead",
        "import sys\nsys.stderr.write('this kernel never starts\\n')\nsys.exit(1)",
    )
    grid = tmp_path / "grid.yml"
    grid.write_text(
        f"- notebook: {flaky}\n  grid: {{lang: [en]}}\n- notebook: {dead}\n  grid: {{lang: [en]}}\n"
    )
    rows = render.run_grid(render.load_grid(grid).jobs, out_dir=tmp_path / "out", max_workers=2)
    got = {r["name"]: r for r in rows}
    ok = got["dvc-flaky_en"]
    assert ok["status"] == "ok"
    assert ok["attempts"] == 2
    assert ok["retried"] == (
        "the kernel did not start (RuntimeError: Kernel died before replying to kernel_info); "
        "retried once"
    )
    assert ok["first_error"]["evalue"].endswith(
        "kernel stderr (last lines):\nAddress already in use (a deliberate first failure)"
    )
    assert (ok["first_error"]["kind"], ok["first_error"]["cell_index"]) == ("kernel_start", None)
    bad = got["dvc-dead_en"]
    assert bad["status"] == "failed"
    assert bad["error"]["kind"] == "kernel_start"
    assert bad["attempts"] == 2
    assert bad["error"]["ename"] == "RuntimeError"
    assert bad["error"]["evalue"].endswith("kernel stderr (last lines):\nthis kernel never starts")
    doc = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert {r["name"]: r.get("attempts") for r in doc["runs"]} == {
        "dvc-flaky_en": 2,
        "dvc-dead_en": 2,
    }


def test_kernels_talk_over_private_unix_sockets(tmp_path):
    from dvcanalysis.render import engine  # noqa: F401 - imports jupyter_client
    from dvcanalysis.render.kernel_dir import private_dir

    d = private_dir()
    try:
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
        assert len(d) <= 80
    finally:
        os.rmdir(d)
    nb = (tmp_path / "o").with_suffix(".ipynb")
    nb.write_text((FIX / "ok.ipynb").read_text(encoding="utf-8"), encoding="utf-8")
    grid = tmp_path / "g.yml"
    grid.write_text(f"- notebook: {nb}\n  grid: {{lang: [vi]}}\n")
    out = tmp_path / "out"
    rows = render.run_grid(render.load_grid(grid).jobs, out_dir=out, max_workers=1)
    assert rows[0]["status"] == "ok" and "attempts" not in rows[0]
    executed = json.loads((out / "o_vi.ipynb").read_text(encoding="utf-8"))
    assert executed["metadata"]["papermill"]["parameters"] == {"lang": "vi"}
    # what the render writes is readable as the umask allows (not the 0600 of a temp file)
    umask = _io._umask()
    for f in ("o_vi.html", "o_vi.ipynb", "manifest.json", "index.html", ".records/o_vi.json"):
        assert stat.S_IMODE((out / f).stat().st_mode) == 0o666 & ~umask, f


def test_outputs_have_the_permissions_of_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        _io.write_text(tmp_path / "a.txt", "x")
        assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644
        os.umask(0o077)
        _io.write_with(tmp_path / "b.txt", lambda p: p.write_text("y"))
        assert stat.S_IMODE((tmp_path / "b.txt").stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_kernel_that_dies_in_a_cell_is_not_retried_and_its_stderr_is_shown(tmp_path):
    nb = json.loads((FIX / "ok.ipynb").read_text(encoding="utf-8"))
    nb["cells"].insert(
        2,
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "die",
            "metadata": {},
            "outputs": [],
            "source": "import os\nos.write(2, b'segfault-like death of the kernel\\n')\nos._exit(7)",
        },
    )
    path = tmp_path / "dies.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    grid = tmp_path / "g.yml"
    grid.write_text(f"- notebook: {path}\n  grid: {{lang: [en]}}\n")
    (row,) = render.run_grid(render.load_grid(grid).jobs, out_dir=tmp_path / "out")
    assert row["status"] == "failed"
    assert "attempts" not in row  # it had started: a failure of the notebook, not of the start
    assert row["error"]["ename"] == "DeadKernelError"
    assert row["error"]["cell_index"] == 2
    assert row["error"]["evalue"].endswith(
        "kernel stderr (last lines):\nsegfault-like death of the kernel"
    )


def test_an_output_folder_that_cannot_be_written_is_refused_before_any_kernel(
    tmp_path, monkeypatch, capsys
):
    from dvcanalysis.render import lock

    grid = write_grid(tmp_path / "grid.yml", "- notebook: FIX/ok.ipynb\n  grid: {lang: [vi]}\n")
    out = tmp_path / "out"
    out.mkdir()
    # (tests may run as root, for whom chmod does not forbid writing: ask os.access)
    monkeypatch.setattr(lock.os, "access", lambda p, mode: Path(p) != out)
    assert main(["render", str(grid), "--out", str(out), "--no-progress"]) == 2
    assert capsys.readouterr().err == (
        f"--out {out}: cannot write into this folder (Permission denied); "
        "expected a folder you may write to (it is created if missing)\n"
    )
    assert sorted(p.name for p in out.iterdir()) == [".lock"]
