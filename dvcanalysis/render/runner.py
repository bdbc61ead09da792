"""The driver: plan (what is up to date), run the rest on an executor, keep the reports current.

:func:`run_grid` submits :func:`dvcanalysis.render.worker.run_job` to any
:class:`concurrent.futures.Executor` (default: a process pool that imports papermill
once; ``--scheduler``: a Dask ``Client.get_executor()``), rewrites ``manifest.json``
and ``index.html`` after every run (and once at the start: ``finished: false``, the runs
still to do ``pending``, so a render that dies never leaves the previous run's summary
standing), and on Ctrl-C, SIGTERM or SIGHUP stops its workers, records the unfinished runs
as interrupted (with the cell each was running), removes their temporary files and raises
:class:`Stopped`. Every cell has a time limit (the entry's ``timeout``, else
:data:`DEFAULT_TIMEOUT`; ``timeout=`` overrides both), and while runs are in flight the
progress bar names the ones running longest (without a bar: a line every
:data:`STATUS_EVERY_S` seconds). A report that cannot be written (e.g. the disk is full)
does not stop the runs: the stale one is removed and :class:`ReportsNotWritten` is raised
at the end, with every run's row.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dvcanalysis import paths
from dvcanalysis.render.grid import Job
from dvcanalysis.render.lock import output_lock
from dvcanalysis.render.pool import run_pool
from dvcanalysis.render.preload import preload_for
from dvcanalysis.render.records import (
    check_record,
    clean_cache_partials,
    clean_partials,
    job_inputs,
    shared_hashes,
)
from dvcanalysis.render.report import write_index, write_manifest
from dvcanalysis.render.run_error import RunError, failed_result
from dvcanalysis.render.worker import run_job

#: seconds a cell may run when its grid entry sets no ``timeout``: over ten times the heaviest
#: cell of the shipped notebooks, measured cold on a loaded 2-core machine (10.6 s, cell 3 of
#: ``notebooks/06_forecast_evaluation.ipynb``, 27.8 s for the whole notebook; the briefing's
#: heaviest cell 2.0 s), with room for a machine twice as slow
DEFAULT_TIMEOUT = 300
#: without a progress bar, a "still running" line names the runs in flight this often
STATUS_EVERY_S = float(os.environ.get("DVC_RENDER_STATUS_EVERY", "60"))
#: the signals that stop a render as Ctrl-C does (SIGINT)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """The render was stopped by a signal (SIGTERM, SIGHUP; Ctrl-C raises KeyboardInterrupt).

    ``unfinished`` (set once the runs are recorded): how many runs were not finished.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.signal_name = signal.Signals(signum).name


class ReportsNotWritten(OSError):
    """``manifest.json`` or ``index.html`` could not be written (e.g. the disk is full); the
    runs went on. ``rows``: every run's row; ``path``: the file that failed."""

    def __init__(self, exc: OSError, rows: list[dict]) -> None:
        super().__init__(exc.errno, exc.strerror, exc.filename)
        self.rows = rows


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside: SIGTERM and SIGHUP raise :class:`Stopped` in the main thread (once;
    a second one while the runs are recorded is ignored). Elsewhere than in the main
    thread, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        raise Stopped(signum)

    old = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)


@dataclass
class Planned:
    """One run of the plan: the job, its inputs, the record if it can be skipped, and
    why it runs again when its outputs changed on disk since its record."""

    job: Job
    inputs: dict[str, str]
    record: dict | None
    changed: str | None = None

    @property
    def skip(self) -> bool:
        return self.record is not None


def plan(
    jobs: Sequence[Job], out_dir: Path | str, *, force: bool = False, grid_path: Path | None = None
) -> list[Planned]:
    """Which runs are up to date (skipped) and which must run."""
    out_dir = Path(out_dir)
    shared = shared_hashes(grid_path=grid_path)
    out = []
    for job in jobs:
        inputs = job_inputs(job, shared)
        record, changed = (None, None) if force else check_record(job, out_dir, inputs["key"])
        out.append(Planned(job, inputs, record, changed))
    return out


def _base_row(p: Planned) -> dict[str, Any]:
    return {
        "name": p.job.name,
        "notebook": paths.relative(p.job.notebook),
        "parameters": p.job.parameters,
        "varying": list(p.job.varying),
        "inputs": p.inputs,
    }


def _skipped_row(p: Planned) -> dict[str, Any]:
    return {
        **_base_row(p),
        "status": "skipped",
        "duration_s": p.record.get("duration_s") if p.record else None,
        "outputs": p.record.get("outputs", []) if p.record else [],
        "files": p.record.get("files") if p.record else None,
        "kernel_mode": p.record.get("kernel_mode") if p.record else None,
        "error": None,
    }


def _cores() -> int:
    """Cores this process may use (the affinity mask, as in containers), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run_grid(
    jobs: Sequence[Job],
    *,
    out_dir: Path | str | None = None,
    executor: Executor | None = None,
    max_workers: int | None = None,
    force: bool = False,
    progress: bool | None = None,
    grid_path: Path | None = None,
    listed: Sequence[Job] | None = None,
    fresh_kernels: bool = False,
    timeout: int | None = None,
    use_cache: bool = True,
) -> list[dict]:
    """Run ``jobs`` (skipping up-to-date ones) and write ``manifest.json`` and ``index.html``.

    Parameters
    ----------
    jobs
        The runs, e.g. ``load_grid(path).jobs``.
    out_dir
        Output folder (default :func:`dvcanalysis.paths.out_dir`).
    executor
        Any :class:`concurrent.futures.Executor` (e.g. a Dask ``Client.get_executor()``);
        its workers must see ``out_dir``, the notebooks and ``data/`` at the same paths
        (a shared file system) and have dvcanalysis installed. Default: a process pool of
        ``max_workers`` (default: the number of cores) that imports papermill once.
    force
        Redo runs even when up to date, and recompute the results cache's entries
        (:mod:`dvcanalysis.cache`) that earlier renders wrote.
    progress
        Show a progress bar (default: when stderr is a terminal).
    listed
        The whole grid when ``jobs`` is a selection (``--only``): its other briefings
        that are up to date are listed too (as skipped), so ``index.html`` still links
        every briefing in the folder.
    fresh_kernels
        Start a new kernel for every notebook (``--fresh-kernels``) instead of forking
        it from the worker's warm template (:mod:`dvcanalysis.render.warm`). The
        manifest's ``kernel_mode`` says which mode produced each output.
    timeout
        Seconds a cell may run, for every run (``--timeout``); default: the entry's
        ``timeout``, else :data:`DEFAULT_TIMEOUT`.
    use_cache
        False (``--no-cache``): the notebooks compute everything without the results cache.

    Returns
    -------
    list of dict
        One row per listed job, in grid order, as in ``manifest.json``.

    Raises
    ------
    KeyboardInterrupt, Stopped
        Ctrl-C, SIGTERM or SIGHUP: the unfinished runs are recorded as interrupted first.
    ReportsNotWritten
        ``manifest.json`` or ``index.html`` could not be written; every run still ran.
    """
    out_dir = Path(out_dir) if out_dir is not None else paths.out_dir()
    cache = {"mode": "off"} if not use_cache else {"mode": "refresh" if force else "use"}
    cache["token"] = uuid.uuid4().hex
    options = {"fresh_kernels": fresh_kernels, "timeout": timeout, "cache": cache}
    with stop_on_signals(), output_lock(out_dir):
        return _run_locked(
            jobs, out_dir, executor, max_workers, force, progress, grid_path, listed, options
        )


def _pending_row(p: Planned) -> dict[str, Any]:
    return {**_base_row(p), "status": "pending", "outputs": [], "duration_s": None, "error": None}


def _run_locked(
    jobs: Sequence[Job],
    out_dir: Path,
    executor: Executor | None,
    max_workers: int | None,
    force: bool,
    progress: bool | None,
    grid_path: Path | None,
    listed: Sequence[Job] | None,
    options: dict[str, Any],
) -> list[dict]:
    """:func:`run_grid` once the output folder is locked: plan, run the rest, report."""
    try:  # before planning (hashing takes a while): the last run's summary stands no more
        write_manifest(out_dir, [], finished=False, grid_path=grid_path)
    except OSError:
        (out_dir / "manifest.json").unlink(missing_ok=True)
    planned = plan(jobs, out_dir, force=force, grid_path=grid_path)
    rows = {p.job.name: _skipped_row(p) for p in planned if p.skip}
    chosen = {j.name for j in jobs}
    for p in plan([j for j in listed or () if j.name not in chosen], out_dir, grid_path=grid_path):
        if p.skip:
            rows[p.job.name] = _skipped_row(p)
    todo = [p for p in planned if not p.skip]
    for p in todo:
        clean_partials(out_dir, p.job.name)
        rows[p.job.name] = _pending_row(p)
    clean_cache_partials(out_dir)
    order = [j.name for j in listed] if listed else [p.job.name for p in planned]
    failed_write: list[OSError] = []

    def write_reports(finished: bool) -> None:
        listed = [rows[n] for n in order if n in rows]
        try:
            write_manifest(out_dir, listed, finished=finished, grid_path=grid_path)
        except OSError as exc:
            failed_write.append(exc)
            (out_dir / "manifest.json").unlink(missing_ok=True)  # never the last run's summary
        try:
            write_index(out_dir, listed)
        except OSError as exc:
            failed_write.append(exc)
            (out_dir / "index.html").unlink(missing_ok=True)

    write_reports(finished=False)  # at once: a render that dies leaves "finished": false
    fresh = options["fresh_kernels"]
    preload = [] if fresh else preload_for(p.job.notebook for p in todo)
    specs = [_spec(p, out_dir, options, preload=preload) for p in todo]
    running: dict[str, dict] = {}
    if executor is None:
        workers = max(1, min(max_workers or _cores(), len(todo) or 1))
        finished = run_pool(specs, workers, running=running)
    else:
        finished = _on_executor(executor, specs, running)
    try:
        _follow(
            finished,
            todo,
            rows,
            total=len(planned),
            progress=progress,
            report=write_reports,
            running=running,
        )
    except KeyboardInterrupt:
        for p in todo:  # what the killed kernels were writing
            clean_partials(out_dir, p.job.name)
        clean_cache_partials(out_dir)
        if fresh:  # a fresh kernel notices its worker is gone within a second
            time.sleep(1.0)
            for p in todo:
                clean_partials(out_dir, p.job.name)
            clean_cache_partials(out_dir)
        raise
    write_reports(finished=True)
    result = [rows[n] for n in order if n in rows]
    if failed_write:
        raise ReportsNotWritten(failed_write[0], result)
    return result


def _spec(p: Planned, out_dir: Path, options: dict[str, Any], *, preload: list[str]) -> dict:
    """What a worker needs to run one job (:func:`dvcanalysis.render.worker.run_job`):
    plain values, so that it can be sent to another process."""
    return {
        "name": p.job.name,
        "notebook": str(p.job.notebook.resolve()),
        "parameters": p.job.parameters,
        "timeout": options["timeout"] or p.job.timeout or DEFAULT_TIMEOUT,
        "out_dir": str(out_dir.resolve()),
        "inputs": p.inputs,
        "kernels": "fresh" if options["fresh_kernels"] else "warm",
        "preload": preload,
        "cache": options["cache"],
    }


def _clock(seconds: float) -> str:
    """``47 s``, ``3 min 05 s``, ``1 h 02 min``."""
    s = int(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def status_line(running: dict[str, dict], now: float, *, most: int = 3) -> str:
    """The runs in flight longest first: ``briefing_x 3 min 05 s (cell 4), ok_en 12 s``."""
    items = sorted(running.copy().items(), key=lambda kv: kv[1].get("start", now))
    parts = []
    for name, st in items[:most]:
        cell = st.get("cell")
        parts.append(
            f"{name} {_clock(now - st.get('start', now))}"
            + (f" (cell {cell})" if cell is not None else "")
        )
    more = len(items) - most
    return ", ".join(parts) + (f", +{more} more" if more > 0 else "")


def _watch(bar: Any, running: dict[str, dict], stop: threading.Event) -> None:
    """Until ``stop``: the bar's postfix names the runs in flight longest (every second);
    without a bar, a "still running" line every :data:`STATUS_EVERY_S` seconds for the
    runs that have run that long."""
    from tqdm import tqdm

    last_line = time.monotonic()
    while not stop.wait(1.0):
        now = time.monotonic()
        if not bar.disable:
            bar.set_postfix_str(status_line(running, now) if running else "", refresh=True)
        elif now - last_line >= STATUS_EVERY_S:
            last_line = now
            slow = {
                n: st for n, st in running.copy().items() if now - st["start"] >= STATUS_EVERY_S
            }
            if slow:
                tqdm.write(
                    f"still running: {status_line(slow, now, most=len(slow))}", file=sys.stderr
                )


def _follow(
    finished: Generator[tuple[dict, dict], None, None],
    todo: Sequence[Planned],
    rows: dict[str, dict],
    *,
    total: int,
    progress: bool | None,
    report: Callable[[bool], None],
    running: dict[str, dict],
) -> None:
    """Record each run as it finishes in ``rows`` (a line on stderr, ``report`` rewrites the
    reports); on Ctrl-C (or :class:`Stopped`) stop the workers, record the unfinished runs
    as interrupted (the cell each was running, from ``running``), re-raise.
    """
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        initial=total - len(todo),
        unit="nb",
        disable=(None if progress is None else not progress),
        file=sys.stderr,
    )
    stop = threading.Event()
    watcher = threading.Thread(
        target=_watch, args=(bar, running, stop), daemon=True, name="dvc-status"
    )
    watcher.start()
    by_name = {p.job.name: p for p in todo}
    done: set[str] = set()
    try:
        for spec, res in finished:
            p = by_name[spec["name"]]
            row = {**_base_row(p), **{k: v for k, v in res.items() if k != "name"}}
            if p.changed:
                row["rerendered"] = p.changed
            rows[p.job.name] = row
            done.add(p.job.name)
            mark = "ok" if res["status"] == "ok" else "FAILED"
            dur = f"{res['duration_s']:.1f} s" if res.get("duration_s") is not None else "-"
            note = f"  (attempt 2: {res['retried']})" if res.get("retried") else ""
            if p.changed:
                note += f"  (re-rendered: {p.changed})"
            tqdm.write(f"{mark:6} {p.job.name}  {dur}{note}", file=sys.stderr)
            for line in res.get("warnings", []):
                tqdm.write(f"warning {p.job.name}: {line}", file=sys.stderr)
            bar.update(1)
            report(False)
    except KeyboardInterrupt as exc:
        in_flight = running.copy()
        finished.close()  # stops the workers now (their kernels exit with them)
        name = getattr(exc, "signal_name", "SIGINT")
        unfinished = [p for p in todo if p.job.name not in done]
        for p in unfinished:
            st = in_flight.get(p.job.name)
            error = RunError.interrupted(
                name, st.get("cell") if st else None, started=st is not None
            )
            rows[p.job.name] = {**_base_row(p), **failed_result(error)}
        exc.unfinished = len(unfinished)  # type: ignore[attr-defined]
        report(False)
        raise
    finally:
        stop.set()
        bar.close()
        finished.close()


def _on_executor(
    executor: Executor, specs: list[dict], running: dict[str, dict]
) -> Iterator[tuple[dict, dict]]:
    """Run the specs on any Executor (e.g. Dask); yield ``(spec, result)`` as they finish.
    ``running`` holds every submitted run (from its submission: an executor does not say
    when a run starts, nor which cell it is in)."""
    from concurrent.futures import as_completed

    futures = {}
    for spec in specs:
        futures[executor.submit(run_job, spec)] = spec
        running[spec["name"]] = {"start": time.monotonic(), "cell": None}
    try:
        for fut in as_completed(futures):
            try:
                res = fut.result()
            except Exception as exc:  # the worker itself died
                res = failed_result(RunError.from_executor(exc))
            running.pop(futures[fut]["name"], None)
            yield futures[fut], res
    finally:
        for fut in futures:
            fut.cancel()
