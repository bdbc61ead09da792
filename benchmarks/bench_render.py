"""Benchmark: ``dvcanalysis render`` against the obvious way, measured in the same run.

The obvious way is a shell loop over the grid: ``papermill`` (CLI) then
``jupyter nbconvert --to html`` per briefing. The runner is timed twice:

* ``dvcanalysis render GRID --force --jobs 2`` (warm kernels, the default): long-lived
  worker processes that import papermill and nbconvert once, each with a template
  process that has imported the notebooks' modules and forks a fresh kernel per
  notebook, and the HTML exported in-process;
* the same with ``--fresh-kernels``: a new kernel per notebook (the renderer before
  warm kernels).

Two grids are timed:

* ``default``: ``data/briefings.yml`` (entries whose notebook exists), what
  ``make briefings`` renders;
* ``small``: a small pandas/seaborn notebook (written to a temporary folder) over
  lang x 3 values, where the runner's own overhead dominates.

Prints the times, the ratios, whether the two modes wrote the same outputs (HTML
and figures byte for byte, executed notebooks apart from their clock readings; PDFs
are left out: Typst stamps each with the time it was made, so no two runs agree), and
the peak memory per worker read from the runner's manifest: the worker process with
the larger of its template while importing and its template afterwards plus the most
a kernel did not share with the template (warm); the worker process and its largest
kernel (fresh).

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
    for job in render.load_grid(grid).jobs:
        nb_out = out / f"{job.name}.ipynb"
        figs = out / f"{job.name}_figures"
        lines.append(
            f"DVC_FIGURES_DIR={shlex.quote(str(figs))} {BIN / 'papermill'} --no-progress-bar "
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
    cmd = [sys.executable, "-m", "dvcanalysis.cli", "render", str(grid), "--out", str(out)]
    cmd += ["--force", "--jobs", str(jobs), "--no-progress", *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, file=sys.stderr)
        raise SystemExit(f"dvcanalysis render failed (exit {proc.returncode})")
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return seconds, doc


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
    worker = max(r.get("worker_peak_mb") or 0 for r in runs)
    kernel = max(r.get("kernel_peak_mb") or 0 for r in runs)
    template = max(r.get("template_peak_mb") or 0 for r in runs)
    if template:
        # the template peaks while importing, before any kernel exists; then it holds
        # template_rss while each kernel adds what it does not share with it
        rss = max(r.get("template_rss_mb") or 0 for r in runs)
        private = max(r.get("kernel_private_mb") or 0 for r in runs)
        total = max(worker + template, worker + rss + private)
        return total, (
            f"{worker:.0f} MB worker + max({template:.0f} MB template importing, "
            f"{rss:.0f} MB template + {private:.0f} MB kernel's own) = {total:.0f} MB "
            f"(a kernel's peak RSS, shared pages counted: {kernel:.0f} MB)"
        )
    total = worker + kernel
    return total, f"{worker:.0f} MB worker process + {kernel:.0f} MB kernel = {total:.0f} MB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["default", "small"])
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    worst = 0.0
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
    print(f"cores: {os.cpu_count()}; worst peak memory per worker: {worst:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
