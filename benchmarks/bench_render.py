"""Benchmark: ``dvcanalysis render`` against the obvious way, measured in the same run.

The obvious way is a shell loop over the grid: ``papermill`` (CLI) then
``jupyter nbconvert --to html`` per briefing. The runner is timed twice:

* ``dvcanalysis render GRID --force --jobs 2`` (warm kernels, the default): long-lived
  worker processes that import papermill and nbconvert once, each with a template
  process that has imported what every notebook of the grid imports, a layer forked from
  it per notebook that has imported that notebook's own modules and run their warm-up
  hooks (caches of what they read from files), a fresh kernel forked from the layer per
  run, the HTML exported in-process and each PDF typeset by a child forked from the layer;
* the same with ``--fresh-kernels``: a new kernel per notebook (the renderer before
  warm kernels), the PDFs typeset by a per-worker typesetter process.

All three start with an empty results cache (``DVC_CACHE_DIR``, see
:mod:`dvcanalysis.cache`): the runner points it at ``<out>/.cache``, and the loop gets its
own empty folder too, so that its notebooks share the same results the runner's share
(the track record and curve-shape range of a scenario, computed once per scenario). The
loop makes no PDFs; the runner does (24 in the default grid).

Two grids are timed:

* ``default``: ``data/briefings.yml`` (entries whose notebook exists), what
  ``make briefings`` renders;
* ``small``: a small pandas/seaborn notebook (written to a temporary folder) over
  lang x 3 values, where the runner's own overhead dominates.

Prints the times, the ratios, whether the two modes wrote the same outputs (HTML
and figures byte for byte, executed notebooks apart from their clock readings; PDFs
are left out: Typst stamps each with the time it was made, so no two runs agree), and
the memory per worker, two ways:

* from the runner's manifest, the sum of the processes' resident sizes (an upper bound:
  pages that processes share, such as the Python library, count once per process): the
  worker process's peak, plus the larger of its template while importing and its
  template afterwards plus the layer's own pages plus the larger of a kernel's own pages
  and those of the child that typesets a PDF (forked from the layer after the kernel
  ended) (warm); the worker process, its largest kernel and the typesetter process that
  typesets the PDFs (fresh);
* sampled every 0.1 s while the runner runs, the largest sum over a worker's processes
  (worker, template, layer, kernels, typesetter) of their proportional set size (PSS:
  a shared page counted in shares), which is the memory the worker's processes take.

Usage: ``python benchmarks/bench_render.py [--only default|small] [--jobs 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from dvcanalysis import render  # noqa: E402

SMALL = """
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = [
    new_markdown_cell("# Small briefing\\n\\nA pandas/seaborn notebook for the benchmark."),
    new_code_cell('lang: str = "vi"  # display language\\nk: int = 1  # a grid value',
                  metadata={"tags": ["parameters"]}),
    new_code_cell(
        "import os\\nfrom pathlib import Path\\n"
        "import numpy as np\\nimport pandas as pd\\nimport matplotlib.pyplot as plt\\n"
        "import seaborn as sns\\n"
        "rng = np.random.default_rng(k)\\n"
        "df = pd.DataFrame({'segment': np.repeat(['ministries', 'localities', 'national'], 20),\\n"
        "                   'share': rng.uniform(0, 1, 60)})\\n"
        "df.groupby('segment')['share'].describe()"),
    new_code_cell(
        "fig, ax = plt.subplots(figsize=(5, 3))\\n"
        "sns.barplot(df, x='segment', y='share', seed=k, ax=ax)\\n"
        "ax.set_title({'vi': 'Tỷ lệ', 'en': 'Share'}[lang])\\n"
        "out = Path(os.environ.get('DVC_FIGURES_DIR', '.'))\\nout.mkdir(parents=True, exist_ok=True)\\n"
        "fig.savefig(out / 'share.png')\\nplt.show()"),
]
nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
nbformat.write(nb, TARGET)
"""


def small_grid(tmp: Path) -> Path:
    target = tmp / "small.ipynb"
    exec(SMALL, {"TARGET": str(target)})  # noqa: S102 - our own constant
    grid = tmp / "small.yml"
    grid.write_text(f"- notebook: {target}\n  grid: {{lang: [vi, en], k: [1, 2, 3]}}\n")
    return grid


def default_grid(tmp: Path) -> Path | None:
    """data/briefings.yml, keeping only entries whose notebook exists (they may still be written)."""
    import yaml

    entries = yaml.safe_load((ROOT / "data" / "briefings.yml").read_text(encoding="utf-8")) or []
    kept = [e for e in entries if (ROOT / e["notebook"]).exists()]
    if not kept:
        return None
    for e in kept:
        e["notebook"] = str(ROOT / e["notebook"])
    grid = tmp / "default.yml"
    grid.write_text(yaml.safe_dump(kept, allow_unicode=True))
    return grid


def obvious(grid: Path, out: Path) -> float:
    """A shell loop: papermill CLI then jupyter nbconvert per briefing."""
    out.mkdir(parents=True)
    lines = ["set -e"]
    cache = out / ".cache"  # empty, as the runner's is at the start (the same package code)
    for job in render.load_grid(grid).jobs:
        nb_out = out / f"{job.name}.ipynb"
        figs = out / f"{job.name}_figures"
        lines.append(
            f"DVC_FIGURES_DIR={shlex.quote(str(figs))} DVC_CACHE_DIR={shlex.quote(str(cache))} "
            f"{BIN / 'papermill'} --no-progress-bar "
            f"{shlex.quote(str(job.notebook))} {shlex.quote(str(nb_out))} "
            f"-y {shlex.quote(json.dumps(job.parameters))} --cwd {shlex.quote(str(job.notebook.parent))}"
        )
        lines.append(f"{BIN / 'jupyter'} nbconvert --to html {shlex.quote(str(nb_out))}")
    script = out / "loop.sh"
    script.write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    subprocess.run(["bash", str(script)], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def runner(grid: Path, out: Path, jobs: int, *extra: str) -> tuple[float, dict]:
    """Run the renderer; its time and manifest (with ``pss_mb``: the largest sampled PSS
    sum over one worker's processes, or None without psutil)."""
    cmd = [sys.executable, "-m", "dvcanalysis.cli", "render", str(grid), "--out", str(out)]
    cmd += ["--force", "--jobs", str(jobs), "--no-progress", *extra]
    env = {k: v for k, v in os.environ.items() if k != "DVC_CACHE_DIR"}  # <out>/.cache
    with tempfile.TemporaryFile("w+") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=log, text=True, cwd=ROOT, env=env)
        pss = sample_pss(proc)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            log.seek(0)
            print(log.read(), file=sys.stderr)
            raise SystemExit(f"dvcanalysis render failed (exit {proc.returncode})")
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    doc["pss_mb"] = pss
    return seconds, doc


def sample_pss(proc: subprocess.Popen) -> float | None:
    """Wait for ``proc``; meanwhile, every 0.1 s, sum the PSS of each of its children's
    process trees (a pool worker and everything it started); the largest sum (MB)."""
    try:
        import psutil
    except ImportError:
        proc.wait()
        return None
    best = 0
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            workers = root.children()
        except psutil.Error:
            break
        for w in workers:
            total = 0
            try:
                tree = [w, *w.children(recursive=True)]
            except psutil.Error:
                continue
            for q in tree:
                try:
                    total += q.memory_full_info().pss
                except psutil.Error:
                    pass
            best = max(best, total)
        time.sleep(0.1)
    proc.wait()
    return round(best / 2**20, 1)


def _without_timing(path: Path) -> str:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for key in ("start_time", "end_time", "duration"):
        nb.metadata.get("papermill", {}).pop(key, None)
        for cell in nb.cells:
            cell.metadata.get("papermill", {}).pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    return nbformat.writes(nb)


def differences(a: Path, b: Path, names: list[str]) -> list[str]:
    """Outputs that differ between two output folders (the notebooks without their timings)."""
    diff = []
    for name in names:
        if (a / f"{name}.html").read_bytes() != (b / f"{name}.html").read_bytes():
            diff.append(f"{name}.html")
        if _without_timing(a / f"{name}.ipynb") != _without_timing(b / f"{name}.ipynb"):
            diff.append(f"{name}.ipynb")
        fa, fb = a / f"{name}_figures", b / f"{name}_figures"
        files = sorted({p.name for d in (fa, fb) if d.is_dir() for p in d.iterdir()})
        for f in files:
            if not ((fa / f).is_file() and (fb / f).is_file()) or (
                (fa / f).read_bytes() != (fb / f).read_bytes()
            ):
                diff.append(f"{name}_figures/{f}")
    return diff


def memory(doc: dict) -> tuple[float, str]:
    """Peak memory per worker (MB) from a manifest, and how it adds up."""
    runs = doc["runs"]

    def top(key: str) -> float:
        return max(r.get(key) or 0 for r in runs)

    worker, kernel, template = top("worker_peak_mb"), top("kernel_peak_mb"), top("template_peak_mb")
    typesetter = top("typesetter_peak_mb")
    if template:
        # the template peaks while importing, before any kernel exists; then it holds
        # template_rss while a layer adds its own pages, and each kernel, then the child
        # that typesets its PDF (one after the other), what they do not share with them
        rss, layer = top("template_rss_mb"), top("layer_private_mb")
        private, pdf = top("kernel_private_mb"), top("pdf_private_mb")
        total = worker + max(template, rss + layer + max(private, pdf)) + typesetter
        how = (
            f"{worker:.0f} MB worker + max({template:.0f} MB template importing, "
            f"{rss:.0f} MB template + {layer:.0f} MB layer's own + max({private:.0f} MB "
            f"kernel's own, {pdf:.0f} MB PDF child's own))"
            + (f" + {typesetter:.0f} MB typesetter" if typesetter else "")
            + f" = {total:.0f} MB resident"
        )
    else:
        total = worker + kernel + typesetter
        how = (
            f"{worker:.0f} MB worker + {kernel:.0f} MB kernel + {typesetter:.0f} MB typesetter "
            f"= {total:.0f} MB resident"
        )
    if doc.get("pss_mb"):
        how += f"; sampled PSS of a worker's processes: {doc['pss_mb']:.0f} MB"
    return total, how


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["default", "small"])
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    worst = 0.0
    worst_pss = 0.0
    print(f"load average at the start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bench_render_") as tmpdir:
        tmp = Path(tmpdir)
        grids = {}
        if args.only in (None, "default"):
            g = default_grid(tmp)
            if g is None:
                print("default grid: no notebook of data/briefings.yml exists yet; skipped")
            else:
                grids["default"] = g
        if args.only in (None, "small"):
            grids["small"] = small_grid(tmp)
        for label, grid in grids.items():
            names = [j.name for j in render.load_grid(grid).jobs]
            t_obvious = obvious(grid, tmp / f"{label}_obvious")
            t_fresh, doc_fresh = runner(grid, tmp / f"{label}_fresh", args.jobs, "--fresh-kernels")
            t_warm, doc_warm = runner(grid, tmp / f"{label}_warm", args.jobs)
            modes = {r.get("kernel_mode") for r in doc_warm["runs"]}
            diff = differences(tmp / f"{label}_fresh", tmp / f"{label}_warm", names)
            print(f"{label} grid: {len(names)} briefings ({grid.name})")
            print(f"  obvious (papermill CLI + nbconvert CLI loop):   {t_obvious:6.1f} s")
            print(
                f"  dvcanalysis render --fresh-kernels --jobs {args.jobs}: {t_fresh:6.1f} s"
                f"  ({t_obvious / t_fresh:.1f}x faster than obvious)"
            )
            print(f"  dvcanalysis render --jobs {args.jobs} (warm kernels): {t_warm:6.1f} s")
            print(f"  ratio: {t_obvious / t_warm:.1f}x faster than obvious")
            print(f"  ratio: {t_fresh / t_warm:.1f}x faster than fresh kernels")
            print(f"  kernel modes: {', '.join(sorted(map(str, modes)))}")
            print(
                "  outputs fresh vs warm: "
                + ("identical" if not diff else f"{len(diff)} differ: {', '.join(diff[:5])}")
            )
            for mode, doc in (("warm", doc_warm), ("fresh", doc_fresh)):
                total, how = memory(doc)
                print(f"  peak memory per worker ({mode}): {how}")
                worst = max(worst, total)
                worst_pss = max(worst_pss, doc.get("pss_mb") or 0)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"cores: {os.cpu_count()}; load average at the end: {load}; worst memory per worker: "
        f"{worst:.0f} MB resident (upper bound), {worst_pss:.0f} MB PSS (sampled)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
