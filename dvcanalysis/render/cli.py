"""``dvcanalysis render``: the sub-command, its options, and ``--only`` selection."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dvcanalysis import paths
from dvcanalysis.errors import InputError
from dvcanalysis.render.grid import Job, load_grid
from dvcanalysis.render.lock import check_out_dir
from dvcanalysis.render.report import summary_table
from dvcanalysis.render.runner import plan, run_grid

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
    r.add_argument("--force", action="store_true", help="redo runs even when up to date")
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
    """Run ``dvcanalysis render``; exit code 0 all rendered, 1 some briefing failed."""
    grid_path = Path(args.grid) if args.grid else paths.data_dir() / "briefings.yml"
    out_dir = Path(args.out) if args.out else paths.out_dir()
    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"--jobs {args.jobs}: expected a whole number of at least 1")
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
            why = "  (up to date)" if p.skip else ""
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
        )
    finally:
        if client is not None:
            client.close()
    print(summary_table(rows))
    print(
        f"index: {paths.relative(out_dir / 'index.html')}  manifest: {paths.relative(out_dir / 'manifest.json')}"
    )
    return 1 if any(r["status"] == "failed" for r in rows) else 0
