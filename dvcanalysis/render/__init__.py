"""Batch briefing renderer: a grid of parameterised notebooks -> HTML briefings.

``dvcanalysis render [GRID] [--out DIR]`` reads a grid file (default
``data/briefings.yml``), checks every parameter against the notebook's cell
tagged ``parameters`` before any kernel starts, runs the cartesian product of
each entry's grid with papermill in long-lived worker processes (a fresh kernel
process per notebook, forked from a warm template: :mod:`~dvcanalysis.render.warm`),
and writes under ``DIR`` (default ``out/``):

``<name>.ipynb``
    the executed notebook (papermill's injected-parameters cell included);
``<name>.html``
    a self-contained page (images inline as data URIs, code hidden);
``<name>_figures/``
    the figures the notebook saved (``DVC_FIGURES_DIR`` points there);
``index.html``
    every briefing of the run (parameters, status, duration, relative link);
``manifest.json``
    written at the start (``finished: false``, the runs to do ``pending``), after every
    run and at the end (``finished: true``); per run: ``parameters``, ``status`` (ok /
    failed / skipped / pending), ``duration_s``,
    ``worker_peak_mb`` (``ru_maxrss`` of the worker process so far),
    ``kernel_peak_mb`` (``VmHWM`` of that run's kernel, read before it shuts down),
    ``kernel_mode`` (``warm``: forked from the worker's template; ``fresh``: a new
    kernel, ``--fresh-kernels``; the same outputs either way), with warm kernels
    ``template_peak_mb`` and ``template_rss_mb`` (the template process: its peak,
    while importing, and its size when the kernel was forked) and ``kernel_private_mb``
    (what the kernel did not share with it, at its end),
    ``error`` (the same fields for every failure, :class:`~dvcanalysis.render.run_error.RunError`:
    ``kind``, one of ``cell``, ``timeout``, ``kernel_start``, ``kernel``, ``output``,
    ``runner``, ``worker_died``, ``executor``, ``interrupted``; ``ename``, ``evalue`` (a
    kernel error ends with the last lines of the kernel's stderr); ``cell_index`` in the
    source notebook (for ``interrupted``: the cell it was running), ``None`` when no cell
    ran or it is not known; ``execution_count``),
    ``outputs`` (relative to ``DIR``), ``files`` (each output's ``size`` and ``sha256``;
    a figures folder's over its files), ``inputs`` (hashes and their ``key``),
    ``rerendered`` (why a run whose inputs had not changed ran again: ``output changed on
    disk: <file>``) and ``warnings`` (lines its kernel logged, e.g. a cache entry that did
    not match its checksum);
    ``attempts`` and ``retried`` (why) when the run needed a second attempt
    (and ``first_error``, the same fields, when it was the kernel's start that failed).

Never failing by chance: kernels talk over Unix sockets in a private folder
(no TCP port to collide on); a kernel that dies before answering, or a worker
that dies, costs one retry of that run only, recorded in the manifest (never
silent); workers are the render's own children and end with it, however it
ends (``kill -9`` included), their kernels within a second; a lock on
``DIR/.lock`` refuses a second render into the same folder (exit 2, naming the
PID of the first).

A run is skipped when its record (``DIR/.records/<name>.json``, written last)
holds the same input key (notebook file, parameters, package source, data
files) and its outputs are on disk with the sizes and hashes it recorded; one that
changed since is rendered again, and the render says so (``re-rendered: output
changed on disk: <file>``). ``--force`` redoes every run and recomputes the results
cache's entries (:mod:`dvcanalysis.cache`; the briefings of one forced render still
share them); ``--no-cache`` computes without the cache. Every file is written under
a temporary name and renamed, so a killed run never leaves an output that a
re-run would take for done; a run that starts removes its previous outputs first.

Every stop is recorded: SIGTERM (a scheduler, ``systemctl stop``) and SIGHUP (a closed
terminal) stop a render as Ctrl-C does: the runs in flight are recorded ``interrupted``
(with the cell each was running), the others too, the manifest stays ``finished: false``,
the index says how many were not finished, their ``.partial`` files are removed, and one
line says so; the exit code is 128 + the signal (130, 143, 129). A file that cannot be
written for want of space (``ENOSPC``, a quota, a size limit) is one line naming it and
exit code 1: in a run, after its cells ran, it is kind ``output`` and the run leaves no
output; for the manifest or the index, the stale one is removed, the summary table lists
every briefing, the last line names the file.

No render hangs in silence: every cell has a time limit (``--timeout`` if given, for every
entry; else the entry's ``timeout``; else :data:`~dvcanalysis.render.runner.DEFAULT_TIMEOUT`
= 300 s, ten times the heaviest shipped cell with room to spare), and
while runs are in flight the progress bar names the ones running longest and their cell;
without a bar (``--no-progress``, not a terminal) a ``still running:`` line does, every
minute (``DVC_RENDER_STATUS_EVERY`` seconds).

The grid file is a list of entries::

    - notebook: notebooks/01_evidence.ipynb       # relative to the project root
      grid: {lang: [vi, en]}                      # cartesian product of the lists
      parameters: {seed: 0}                       # optional fixed values
      output: "{notebook}_{lang}"                 # optional; default: notebook + grid values
      timeout: 600                                # optional; seconds per cell (default 300)

Speed: worker processes import papermill and nbconvert once (without
jsonschema's optional IRI checker, about 1-2 s per import); each keeps a template
process that has imported what the grid's notebooks import (numpy, pandas,
matplotlib, the package) and forks a new kernel per notebook, shut down
immediately; the HTML is exported in-process.
``run_grid`` takes any :class:`concurrent.futures.Executor`; ``--scheduler``
uses a Dask cluster's ``Client.get_executor()``.

Heavy imports (papermill, nbconvert, dask) happen inside functions: the CLI
imports this package at start-up.

Modules: :mod:`~dvcanalysis.render.params` (a notebook's parameters cell),
:mod:`~dvcanalysis.render.grid` (the grid file), :mod:`~dvcanalysis.render.records`
(input hashes, records, atomic writes), :mod:`~dvcanalysis.render.run_error` (why a
run failed: the manifest's ``error``), :mod:`~dvcanalysis.render.kernel_dir` (a kernel's
private socket folder), :mod:`~dvcanalysis.render.engine` (the papermill engine,
registered when imported), :mod:`~dvcanalysis.render.warm` (warm kernels: the worker's
template process and the provisioner that forks from it), :mod:`~dvcanalysis.render.preload`
(what a template pre-imports), :mod:`~dvcanalysis.render.template` (the code inside the
template: its layers, kernels and PDF children), :mod:`~dvcanalysis.render.worker`
(one run in a worker process), :mod:`~dvcanalysis.render.pool` (the worker processes),
:mod:`~dvcanalysis.render.lock` (the output folder's lock),
:mod:`~dvcanalysis.render.runner` (plan and run a grid), :mod:`~dvcanalysis.render.report`
(manifest, index, summary) and :mod:`~dvcanalysis.render.cli` (``dvcanalysis render``).
"""

from dvcanalysis.render.cli import add_cli, cmd_render, select
from dvcanalysis.render.grid import ENTRY_KEYS, Entry, Grid, Job, load_grid
from dvcanalysis.render.params import Param, check_parameters, check_value, read_parameters
from dvcanalysis.render.records import RECORDS, job_inputs, shared_hashes, up_to_date
from dvcanalysis.render.report import summary_table, write_index, write_manifest
from dvcanalysis.render.run_error import RunError, failed_result
from dvcanalysis.render.runner import Planned, plan, run_grid

__all__ = [
    "ENTRY_KEYS",
    "RECORDS",
    "Entry",
    "Grid",
    "Job",
    "Param",
    "Planned",
    "RunError",
    "add_cli",
    "check_parameters",
    "check_value",
    "cmd_render",
    "failed_result",
    "job_inputs",
    "load_grid",
    "plan",
    "read_parameters",
    "run_grid",
    "select",
    "shared_hashes",
    "summary_table",
    "up_to_date",
    "write_index",
    "write_manifest",
]
