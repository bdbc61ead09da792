"""``dvcanalysis render``: the sub-command, its options, and ``--only`` selection."""

from __future__ import annotations

import fnmatch
import re
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dvcanalysis import _io, paths
from dvcanalysis.errors import InputError
from dvcanalysis.render.grid import Job, load_grid
from dvcanalysis.render.lock import check_out_dir
from dvcanalysis.render.report import summary_table
from dvcanalysis.render.runner import DEFAULT_TIMEOUT, ReportsNotWritten, plan, run_grid

# a Dask address: scheme://host:port (tcp, tls, ucx, ...) or scheme://path (inproc)
_SCHEDULER_RE = re.compile(r"^[a-z][a-z0-9+.-]*://[^\s/:]+(:\d{1,5})?$")


def _package_doc() -> str:
    """The docstring of :mod:`dvcanalysis.render` (its first line describes the command)."""
    import dvcanalysis.render

    return dvcanalysis.render.__doc__ or ""


def add_cli(subparsers: Any) -> None:
    """Register ``dvcanalysis render``."""
    r = subparsers.add_parser(
        "render",
        help="render the briefing grid (default data/briefings.yml) into HTML under out/",
        description=_package_doc().splitlines()[0],
    )
    r.add_argument("grid", nargs="?", help="grid file (default: data/briefings.yml)")
    r.add_argument("--out", help="output folder (default: out/)")
    r.add_argument(
        "--jobs", "-j", type=int, default=None, help="worker processes (default: number of cores)"
    )
    r.add_argument(
        "--only",
        action="append",
        metavar="PATTERN",
        help="run only output names matching this glob (repeatable)",
    )
    r.add_argument(
        "--dry-run",
        action="store_true",
        help="list what would run and what is up to date; run nothing",
    )
    r.add_argument(
        "--force",
        action="store_true",
        help="redo runs even when up to date, and recompute the results cache's entries",
    )
    r.add_argument(
        "--no-cache",
        action="store_true",
        help="compute every result in each notebook, without the results cache (<out>/.cache)",
    )
    r.add_argument(
        "--timeout",
        type=int,
        metavar="SECONDS",
        help=f"seconds a cell may run, for every entry (default: the entry's timeout, else "
        f"{DEFAULT_TIMEOUT})",
    )
    r.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="run on this Dask distributed scheduler"
    )
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new kernel per notebook instead of forking it from a warm template",
    )
    r.set_defaults(func=cmd_render)


def select(jobs: Sequence[Job], patterns: Sequence[str] | None) -> list[Job]:
    """The jobs whose output name matches one of the glob ``patterns`` (all if none)."""
    if not patterns:
        return list(jobs)
    chosen = [j for j in jobs if any(fnmatch.fnmatchcase(j.name, p) for p in patterns)]
    if not chosen:
        names = ", ".join(j.name for j in jobs[:10]) + (", ..." if len(jobs) > 10 else "")
        raise InputError(f"--only {' '.join(patterns)}: matches no briefing; names are: {names}")
    return chosen


def cmd_render(args: Any) -> int:
    """Run ``dvcanalysis render``; exit code 0 all rendered, 1 some briefing failed (or a
    file could not be written: one line names it), 2 bad input; stopped by a signal:
    128 + its number (Ctrl-C 130, SIGTERM 143, SIGHUP 129), after one line saying how
    many briefings were not finished."""
    out_dir = Path(args.out) if args.out else paths.out_dir()
    try:
        return _render(args, out_dir)
    except KeyboardInterrupt as exc:  # Ctrl-C, or Stopped (SIGTERM, SIGHUP)
        name = getattr(exc, "signal_name", "SIGINT")
        n = getattr(exc, "unfinished", None)
        what = (
            f"{n} briefing(s) not finished, recorded as interrupted in "
            f"{paths.relative(out_dir / 'manifest.json')}"
            if n is not None
            else "before any briefing started"
        )
        print(f"render stopped ({name}): {what}", file=sys.stderr)
        return 128 + getattr(exc, "signum", signal.SIGINT)
    except ReportsNotWritten as exc:
        print(summary_table(exc.rows))
        print(_cannot_write(exc), file=sys.stderr)
        return 1
    except OSError as exc:
        if not _io.no_space(exc):
            raise
        print(_cannot_write(exc), file=sys.stderr)
        return 1


def _cannot_write(exc: OSError) -> str:
    """One line: the file that could not be written, and why."""
    where = paths.relative(exc.filename) if exc.filename else "a file"
    hint = "; free some space and render again" if _io.no_space(exc) else ""
    return f"{where}: cannot write ({exc.strerror or exc}){hint}"


def _render(args: Any, out_dir: Path) -> int:
    grid_path = Path(args.grid) if args.grid else paths.data_dir() / "briefings.yml"
    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"--jobs {args.jobs}: expected a whole number of at least 1")
    if args.timeout is not None and args.timeout < 1:
        raise InputError(
            f"--timeout {args.timeout}: expected a whole number of seconds, at least 1"
        )
    check_out_dir(out_dir)  # before the grid is read (output_lock checks it again)
    if args.scheduler and not _SCHEDULER_RE.match(args.scheduler):
        raise InputError(
            f"--scheduler {args.scheduler}: not a scheduler address; expected tcp://HOST:PORT"
        )
    grid = load_grid(grid_path)
    jobs = select(grid.jobs, args.only)
    if args.dry_run:
        for p in plan(jobs, out_dir, force=args.force, grid_path=grid_path):
            params = ", ".join(f"{k}={v!r}" for k, v in p.job.parameters.items())
            verb = "skip" if p.skip else "run "
            why = "  (up to date)" if p.skip else (f"  ({p.changed})" if p.changed else "")
            print(f"{verb} {p.job.name}: {paths.relative(p.job.notebook)} [{params}]{why}")
        return 0
    executor = client = None
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise InputError(
                "--scheduler needs the 'distributed' package (pip install distributed)"
            ) from None
        try:
            client = Client(args.scheduler, timeout="10s")
        except (OSError, ValueError, TypeError) as exc:
            raise InputError(f"--scheduler {args.scheduler}: cannot connect ({exc})") from None
        executor = client.get_executor()
    try:
        rows = run_grid(
            jobs,
            out_dir=out_dir,
            executor=executor,
            max_workers=args.jobs,
            force=args.force,
            progress=False if args.no_progress else None,
            grid_path=grid_path,
            listed=grid.jobs,
            fresh_kernels=args.fresh_kernels,
            timeout=args.timeout,
            use_cache=not args.no_cache,
        )
    finally:
        if client is not None:
            client.close()
    print(summary_table(rows))
    print(
        f"index: {paths.relative(out_dir / 'index.html')}  manifest: {paths.relative(out_dir / 'manifest.json')}"
    )
    return 1 if any(r["status"] == "failed" for r in rows) else 0
