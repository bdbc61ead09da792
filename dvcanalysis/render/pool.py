"""The render's own worker processes: one job at a time each, tied to the render process.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: when one of its workers
dies, every pending job fails with ``BrokenProcessPool``; and its forkserver
workers are children of the forkserver, so they outlive a ``kill -9`` of the
render process. Here:

- workers are started with ``spawn``, as direct children of the render process,
  and ask the kernel to kill them when it dies (``PR_SET_PDEATHSIG`` on Linux;
  elsewhere a thread notices the parent is gone within half a second); their
  kernels follow within a second (ipykernel polls its parent);
- a worker that dies costs only the job it was running: that job is retried once
  in a new worker and the retry is recorded (``attempts`` and ``retried``); if
  it dies again the job is reported failed (``WorkerDied``), the others go on.

:func:`run_pool` yields ``(spec, result)`` as jobs finish.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from dvcanalysis.render.kernel_dir import KERNEL_DIR_ENV, short_tmp
from dvcanalysis.render.run_error import RunError, failed_result

PR_SET_PDEATHSIG = 1
#: the key of a worker's progress message (a cell started), as opposed to a result
PROGRESS = "__progress__"


def die_with_parent(parent_pid: int) -> None:
    """End this process when ``parent_pid`` (its parent) ends, however it ends.

    Linux: ``prctl(PR_SET_PDEATHSIG, SIGKILL)``, then a check that the parent did not
    already end before the call. Everywhere: a daemon thread that polls the parent
    id every half second (the fallback where ``prctl`` is missing).

    ``PR_SET_PDEATHSIG`` fires when the *thread* that started the process ends: the
    pool starts and stops its workers in the one thread that iterates :func:`run_pool`.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="dvc-parent-watch").start()


def _worker_main(
    conn: Connection, parent_pid: int, target: Callable[[dict], dict], kernel_dir: str
) -> None:
    """A worker: run the specs received on ``conn`` one at a time; ``None`` ends it."""
    die_with_parent(parent_pid)
    os.environ[KERNEL_DIR_ENV] = kernel_dir  # the kernels' socket folders go there
    # Ctrl-C, and SIGTERM or SIGHUP sent to the whole group (a scheduler, systemctl, a
    # closed terminal), are the render process's to handle: it records what was running
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    from dvcanalysis.render.worker import set_progress, warm_up

    warm_up()

    def progress(name: str, cell: int) -> None:
        try:
            conn.send({PROGRESS: {"name": name, "cell": cell}})
        except (OSError, ValueError):
            pass

    set_progress(progress)
    while True:
        try:
            spec = conn.recv()
        except (EOFError, OSError):
            return
        if spec is None:
            return
        conn.send(target(spec))


class _Worker:
    def __init__(self, ctx: Any, target: Callable[[dict], dict], kernel_dir: str) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(
            target=_worker_main,
            args=(child, os.getpid(), target, kernel_dir),
            daemon=True,
            name="dvc-worker",
        )
        self.proc.start()
        child.close()
        self.spec: dict | None = None

    def stop(self, timeout: float) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()


def _death(proc: Any) -> str:
    """How a worker process ended, in words."""
    proc.join(5)
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            return f"worker process {proc.pid} was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"worker process {proc.pid} was killed by signal {-code}"
    return f"worker process {proc.pid} ended (exit code {code})"


def run_pool(
    specs: Sequence[dict],
    workers: int,
    *,
    target: Callable[[dict], dict] | None = None,
    running: dict[str, dict] | None = None,
) -> Iterator[tuple[dict, dict]]:
    """Run ``target(spec)`` for every spec on ``workers`` processes; yield ``(spec, result)``.

    ``target`` (default :func:`dvcanalysis.render.worker.run_job`) must be importable
    at top level and never raise. A job whose worker dies is retried once in a new
    worker; its result then carries ``attempts: 2`` and ``retried`` (why). Closing the
    generator (or an exception in the caller) stops every worker. ``running``, if given,
    is kept current: job name -> ``{"start": time.monotonic() when handed out, "cell":
    the cell running, or None}`` for every job a worker holds.
    """
    running = {} if running is None else running
    if target is None:
        from dvcanalysis.render.worker import run_job as target

    ctx = multiprocessing.get_context("spawn")
    tmp = short_tmp()
    _sweep(tmp)
    kernel_dir = tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=tmp)
    pending: deque[dict] = deque(specs)
    retried: dict[str, str] = {}
    pool: list[_Worker] = []
    try:
        while pending or any(w.spec is not None for w in pool):
            busy = sum(w.spec is not None for w in pool)
            while len(pool) < min(workers, busy + len(pending)):
                pool.append(_Worker(ctx, target, kernel_dir))
            _hand_out(pool, pending, running)
            ready = set(wait([w.conn for w in pool] + [w.proc.sentinel for w in pool]))
            for w in list(pool):
                if w.conn in ready or w.proc.sentinel in ready:
                    done = _collect(w, w.conn in ready, pool, pending, retried, running)
                    if done is not None:
                        running.pop(done[0]["name"], None)
                        yield done
    finally:
        for w in pool:
            if w.spec is not None:  # interrupted: do not wait for its notebook
                w.proc.kill()
        for w in pool:
            w.stop(timeout=10)
        shutil.rmtree(kernel_dir, ignore_errors=True)


def _hand_out(pool: list[_Worker], pending: deque[dict], running: dict[str, dict]) -> None:
    """Send the next pending spec to every idle worker."""
    for w in pool:
        if w.spec is None and pending:
            w.spec = pending.popleft()
            running[w.spec["name"]] = {"start": time.monotonic(), "cell": None}
            try:
                w.conn.send(w.spec)
            except (OSError, ValueError):
                pass  # it just died: its sentinel says so, and the job is retried


def _collect(
    w: _Worker,
    readable: bool,
    pool: list[_Worker],
    pending: deque[dict],
    retried: dict[str, str],
    running: dict[str, dict],
) -> tuple[dict, dict] | None:
    """A worker that answered or ended: its ``(spec, result)``, or None when there is none yet.

    A result of a job that was retried says so; a worker that died is removed from
    ``pool``, and its job goes back to the front of ``pending`` once (the reason kept in
    ``retried``), the second time it is reported failed (:meth:`RunError.worker_died`).
    """
    result = None
    if readable:
        try:
            result = w.conn.recv()
        except (EOFError, OSError):
            result = None
    if isinstance(result, dict) and PROGRESS in result:  # a cell started: not done yet
        if w.spec is not None and result[PROGRESS]["name"] == w.spec["name"]:
            running.setdefault(w.spec["name"], {"start": time.monotonic()})
            running[w.spec["name"]]["cell"] = result[PROGRESS]["cell"]
        return None
    if result is not None:
        spec, w.spec = w.spec, None
        name = spec["name"]
        if name in retried:
            inner = result.get("retried")
            result = {
                **result,
                "attempts": result.get("attempts", 1) + 1,
                "retried": retried[name] + (f"; then {inner}" if inner else ""),
            }
        return spec, result
    # the worker died (with or without a job)
    pool.remove(w)
    why = _death(w.proc)
    w.conn.close()
    spec = w.spec
    if spec is None:
        return None
    name = spec["name"]
    if name not in retried:
        retried[name] = f"{why} while running this briefing; retried once"
        running.pop(name, None)
        pending.appendleft(spec)
        return None
    error = RunError.worker_died(why)
    return spec, failed_result(error, name=name, attempts=2, retried=retried[name])


_PREFIX = "dvcr-"


def _sweep(tmp: str | None) -> None:
    """Remove the kernel folders of renders that were killed (their PID is gone)."""
    base = Path(tmp or tempfile.gettempdir())
    for d in base.glob(f"{_PREFIX}*-*"):
        try:
            pid = int(d.name[len(_PREFIX) :].split("-", 1)[0])
            os.kill(pid, 0)
        except ValueError:
            continue
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except OSError:  # alive, someone else's
            continue
