"""Stress run of the batch renderer (``make stress``; not part of ``make test``).

Renders a grid of N tiny notebooks (default 320: one kernel start each) with
``dvcanalysis render`` into a temporary folder, then reads ``manifest.json`` and
prints how many rendered, failed and needed a second attempt (a retried kernel
start or worker is recorded, never silent). Exit code 0 only if none failed.

    python scripts/stress_render.py [--runs 320] [--jobs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "params",
            "metadata": {"tags": ["parameters"]},
            "outputs": [],
            "source": "i: int = 0  # run number",
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "body",
            "metadata": {},
            "outputs": [],
            "source": "print('run', i, 'squared is', i * i)",
        },
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=320, help="notebooks to render (default 320)")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    ap.add_argument("--keep", help="render into this folder and keep it (default: a temp folder)")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="dvc-stress-"))
    try:
        nb = work / "tiny.ipynb"
        nb.write_text(json.dumps(NOTEBOOK), encoding="utf-8")
        grid = work / "briefings_stress.yml"
        values = ", ".join(str(i) for i in range(args.runs))
        grid.write_text(
            f"- notebook: {nb}\n  grid: {{i: [{values}]}}\n  output: 'tiny_{{i:04d}}'\n",
            encoding="utf-8",
        )
        out = Path(args.keep) if args.keep else work / "out"
        cmd = [sys.executable, "-m", "dvcanalysis.cli", "render", str(grid), "--out", str(out)]
        cmd += ["--no-progress", "--force"]
        if args.jobs:
            cmd += ["--jobs", str(args.jobs)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        try:
            runs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]
        except (OSError, ValueError) as exc:
            print(f"no manifest ({exc}); render exit code {proc.returncode}")
            print(proc.stderr[-3000:])
            return 1
        status = Counter(r["status"] for r in runs)
        retried = [r for r in runs if r.get("attempts", 1) > 1]
        starts = sum(r.get("attempts", 1) for r in runs if r["status"] != "skipped")
        print(
            f"stress: {len(runs)} notebooks, {starts} kernel starts in {elapsed:.0f} s "
            f"({elapsed / max(1, len(runs)):.2f} s per notebook); "
            f"ok {status['ok']}, failed {status['failed']}, retried {len(retried)}; "
            f"render exit code {proc.returncode}"
        )
        for r in runs:
            if r["status"] == "failed":
                err = r.get("error") or {}
                print(f"FAILED {r['name']}: {err.get('ename')}: {err.get('evalue')}")
        for r in retried:
            print(f"retried {r['name']}: {r['retried']}")
        ok = status["failed"] == 0 and status["ok"] == args.runs and proc.returncode == 0
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
