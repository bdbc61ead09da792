"""Input hashes, run records and atomic writes in the output folder (what makes resume safe).

A run's inputs are the notebook file, its parameters, the package source and the
data folder (:func:`shared_hashes`, :func:`job_inputs`); its record
(``DIR/.records/<name>.json``) is written last, so :func:`up_to_date` only vouches
for runs that finished. :func:`clean_partials` removes what a killed run left. Every
file is written atomically (``dvcanalysis._io.write_text``: readable by others as the
umask allows).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

from dvcanalysis import paths
from dvcanalysis.render.grid import Job

RECORDS = ".records"
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # dvcanalysis/ (source and labels)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tree_hash(root: Path, *, skip: Sequence[Path] = ()) -> str:
    """Content hash of every file under ``root`` (names and bytes), caches and dotfiles excluded."""
    h = hashlib.sha256()
    skip_set = {p.resolve() for p in skip}
    if root.is_dir():
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root)
            if (
                not p.is_file()
                or "__pycache__" in rel.parts
                or any(part.startswith(".") for part in rel.parts)
                or p.suffix == ".pyc"
                or p.resolve() in skip_set
            ):
                continue
            h.update(rel.as_posix().encode() + b"\0" + _sha(p.read_bytes()).encode() + b"\0")
    return h.hexdigest()


def shared_hashes(*, grid_path: Path | None = None) -> dict[str, str]:
    """Hashes shared by every run: the package source (with labels) and the data folder.

    Grid files (``data/briefings*.yml`` and ``grid_path``) are left out: adding an
    entry to the grid must not invalidate the briefings already rendered.
    """
    data = paths.data_dir()
    skip = [p for p in data.glob("briefings*.y*ml")] + ([grid_path] if grid_path else [])
    return {
        "package": _tree_hash(PACKAGE_DIR),
        "data": _tree_hash(data, skip=skip),
    }


def job_inputs(job: Job, shared: dict[str, str]) -> dict[str, str]:
    """The input hashes of one run and their combined ``key``."""
    inputs = {
        "notebook": _sha(job.notebook.read_bytes()),
        "parameters": _sha(json.dumps(job.parameters, sort_keys=True, ensure_ascii=False).encode()),
        **shared,
    }
    inputs["key"] = _sha(json.dumps(inputs, sort_keys=True).encode())
    return inputs


def record_path(out_dir: Path, name: str) -> Path:
    """Where the record of run ``name`` lives: ``DIR/.records/<name>.json``."""
    return out_dir / RECORDS / f"{name}.json"


def up_to_date(job: Job, out_dir: Path, key: str) -> dict | None:
    """The record of a finished run if its key matches and its outputs exist, else None."""
    try:
        record = json.loads(record_path(out_dir, job.name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("inputs", {}).get("key") != key or record.get("status") != "ok":
        return None
    if not all((out_dir / p).exists() for p in record.get("outputs", [])):
        return None
    return record


def clean_partials(out_dir: Path, name: str) -> None:
    """Remove temporary files a killed run of ``name`` may have left (``_io.atomic_path`` names)."""
    pat = re.compile(rf"^\.{re.escape(name)}\.[A-Za-z0-9_]{{8}}\.partial\.[a-z]+$")
    for d in (out_dir, out_dir / RECORDS):
        if d.is_dir():
            for p in d.iterdir():
                if pat.match(p.name):
                    p.unlink(missing_ok=True)
