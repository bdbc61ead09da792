"""Exploring leaves the repository clean: notebooks run by hand or by papermill write their
figures to an ignored folder; only ``make notebooks`` writes the committed ``figures/``."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dvcanalysis import paths

ROOT = paths.root()


def test_default_figures_folder_is_ignored_by_git(monkeypatch):
    monkeypatch.delenv("DVC_FIGURES_DIR", raising=False)
    d = paths.figures_dir()
    assert d == ROOT / "out" / "figures"
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    rel = (d / "x.png").relative_to(ROOT)
    proc = subprocess.run(["git", "check-ignore", "-q", str(rel)], cwd=ROOT)
    assert proc.returncode == 0, f"{rel} is not ignored by git"


def test_a_notebook_run_by_papermill_writes_no_committed_figure(tmp_path, shipped_data):
    env = {k: v for k, v in os.environ.items() if k != "DVC_FIGURES_DIR"}
    before = {p: p.stat().st_mtime_ns for p in (ROOT / "figures").glob("*")}
    out = tmp_path / "01.ipynb"
    papermill = Path(sys.executable).parent / "papermill"
    proc = subprocess.run(
        [
            str(papermill),
            "notebooks/01_evidence.ipynb",
            str(out),
            "-p",
            "lang",
            "en",
            "--cwd",
            "notebooks",
            "--no-progress-bar",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    after = {p: p.stat().st_mtime_ns for p in (ROOT / "figures").glob("*")}
    assert after == before  # nothing added, nothing rewritten
    assert (ROOT / "out" / "figures" / "evidence_timeline_en.png").exists()
    nb = json.loads(out.read_text(encoding="utf-8"))
    outputs = json.dumps([c.get("outputs", []) for c in nb["cells"]], ensure_ascii=False)
    assert str(ROOT) not in outputs and str(tmp_path) not in outputs  # no user's path shown
