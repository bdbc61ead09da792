"""The driver: plan (what is up to date), run the rest on an executor, keep the reports current.

:func:`run_grid` submits :func:`dvcanalysis.render.worker.run_job` to any
:class:`concurrent.futures.Executor` (default: a process pool that imports papermill
once; ``--scheduler``: a Dask ``Client.get_executor()``), rewrites ``manifest.json``
and ``index.html`` after every run, and on Ctrl-C stops its workers and records the
unfinished runs as interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dvcanalysis import paths
from dvcanalysis.render.grid import Job
from dvcanalysis.render.lock import output_lock
from dvcanalysis.render.pool import run_pool
from dvcanalysis.render.preload import preload_for
from dvcanalysis.render.records import clean_partials, job_inputs, shared_hashes, up_to_date
from dvcanalysis.render.report import write_index, write_manifest
from dvcanalysis.render.run_error import RunError, failed_result
from dvcanalysis.render.worker import run_job


@dataclass
class Planned:
    """One run of the plan: the job, its inputs, and the record if it can be skipped."""

    job: Job
    inputs: dict[str, str]
    record: dict | None

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
        record = None if force else up_to_date(job, out_dir, inputs["key"])
        out.append(Planned(job, inputs, record))
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
        Redo runs even when up to date.
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

    Returns
    -------
    list of dict
        One row per listed job, in grid order, as in ``manifest.json``.
    """
    out_dir = Path(out_dir) if out_dir is not None else paths.out_dir()
    with output_lock(out_dir):
        return _run_locked(
            jobs, out_dir, executor, max_workers, force, progress, grid_path, listed, fresh_kernels
        )


def _run_locked(
    jobs: Sequence[Job],
    out_dir: Path,
    executor: Executor | None,
    max_workers: int | None,
    force: bool,
    progress: bool | None,
    grid_path: Path | None,
    listed: Sequence[Job] | None,
    fresh_kernels: bool,
) -> list[dict]:
    """:func:`run_grid` once the output folder is locked: plan, run the rest, report."""
    planned = plan(jobs, out_dir, force=force, grid_path=grid_path)
    rows = {p.job.name: _skipped_row(p) for p in planned if p.skip}
    chosen = {j.name for j in jobs}
    for p in plan([j for j in listed or () if j.name not in chosen], out_dir, grid_path=grid_path):
        if p.skip:
            rows[p.job.name] = _skipped_row(p)
    todo = [p for p in planned if not p.skip]
    for p in todo:
        clean_partials(out_dir, p.job.name)
    order = [j.name for j in listed] if listed else [p.job.name for p in planned]

    def write_reports(finished: bool) -> None:
        listed = [rows[n] for n in order if n in rows]
        write_manifest(out_dir, listed, finished=finished, grid_path=grid_path)
        write_index(out_dir, listed)

    preload = [] if fresh_kernels else preload_for(p.job.notebook for p in todo)
    specs = [_spec(p, out_dir, fresh_kernels=fresh_kernels, preload=preload) for p in todo]
    if executor is None:
        workers = max(1, min(max_workers or _cores(), len(todo) or 1))
        finished = run_pool(specs, workers)
    else:
        finished = _on_executor(executor, specs)
    _follow(finished, todo, rows, total=len(planned), progress=progress, report=write_reports)
    write_reports(finished=True)
    return [rows[n] for n in order if n in rows]


def _spec(p: Planned, out_dir: Path, *, fresh_kernels: bool, preload: list[str]) -> dict:
    """What a worker needs to run one job (:func:`dvcanalysis.render.worker.run_job`):
    plain values, so that it can be sent to another process."""
    return {
        "name": p.job.name,
        "notebook": str(p.job.notebook.resolve()),
        "parameters": p.job.parameters,
        "timeout": p.job.timeout,
        "out_dir": str(out_dir.resolve()),
        "inputs": p.inputs,
        "kernels": "fresh" if fresh_kernels else "warm",
        "preload": preload,
    }


def _follow(
    finished: Generator[tuple[dict, dict], None, None],
    todo: Sequence[Planned],
    rows: dict[str, dict],
    *,
    total: int,
    progress: bool | None,
    report: Callable[[bool], None],
) -> None:
    """Record each run as it finishes in ``rows`` (a line on stderr, ``report`` rewrites the
    reports); on Ctrl-C stop the workers, record the unfinished runs as interrupted, re-raise.
    """
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        initial=total - len(todo),
        unit="nb",
        disable=(None if progress is None else not progress),
        file=sys.stderr,
    )
    by_name = {p.job.name: p for p in todo}
    try:
        for spec, res in finished:
            p = by_name[spec["name"]]
            rows[p.job.name] = {**_base_row(p), **{k: v for k, v in res.items() if k != "name"}}
            mark = "ok" if res["status"] == "ok" else "FAILED"
            dur = f"{res['duration_s']:.1f} s" if res.get("duration_s") is not None else "-"
            note = f"  (attempt 2: {res['retried']})" if res.get("retried") else ""
            tqdm.write(f"{mark:6} {p.job.name}  {dur}{note}", file=sys.stderr)
            bar.update(1)
            report(False)
    except KeyboardInterrupt:
        finished.close()  # stops the workers now (their kernels exit with them)
        for p in todo:
            if p.job.name not in rows:
                rows[p.job.name] = {**_base_row(p), **failed_result(RunError.interrupted())}
        report(False)
        raise
    finally:
        bar.close()
        finished.close()


def _on_executor(executor: Executor, specs: list[dict]) -> Iterator[tuple[dict, dict]]:
    """Run the specs on any Executor (e.g. Dask); yield ``(spec, result)`` as they finish."""
    from concurrent.futures import as_completed

    futures = {executor.submit(run_job, spec): spec for spec in specs}
    try:
        for fut in as_completed(futures):
            try:
                res = fut.result()
            except Exception as exc:  # the worker itself died
                res = failed_result(RunError.from_executor(exc))
            yield futures[fut], res
    finally:
        for fut in futures:
            fut.cancel()
