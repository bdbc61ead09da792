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


def output_stamp(path: Path) -> dict[str, object] | None:
    """What the record keeps of one output: ``size`` (bytes) and ``sha256`` of a file, or of
    a folder (every file's name and bytes, :func:`_tree_hash`); None if it is missing."""
    if path.is_dir():
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return {"size": size, "sha256": _tree_hash(path)}
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return {"size": len(data), "sha256": _sha(data)}


def output_stamps(out_dir: Path, outputs: Sequence[str]) -> dict[str, dict]:
    """:func:`output_stamp` of each output (relative to ``out_dir``)."""
    return {name: output_stamp(out_dir / name) or {} for name in outputs}


def check_record(job: Job, out_dir: Path, key: str) -> tuple[dict | None, str | None]:
    """``(record, None)`` for a finished run whose key matches and whose outputs are on disk
    as it wrote them (sizes and hashes); else ``(None, why it must run again)``, ``why``
    None when it simply has not run for these inputs."""
    try:
        record = json.loads(record_path(out_dir, job.name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    if record.get("inputs", {}).get("key") != key or record.get("status") != "ok":
        return None, None
    files = record.get("files") or {}
    for name in record.get("outputs", []):
        want = files.get(name)
        got = output_stamp(out_dir / name)
        if got is None:
            return None, f"output changed on disk: {name} is missing"
        if not want:
            return None, f"output changed on disk: {name} has no recorded size and hash"
        if got != want:
            return None, f"output changed on disk: {name}"
    return record, None


def up_to_date(job: Job, out_dir: Path, key: str) -> dict | None:
    """The record of a finished run if its key matches and its outputs are unchanged, else None."""
    return check_record(job, out_dir, key)[0]


#: a temporary name of ``_io.atomic_path``: ``.<stem>.<8 characters>.partial<suffix>``
_PARTIAL = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.partial(\.[A-Za-z0-9]+)?$")


def clean_partials(out_dir: Path, name: str) -> list[Path]:
    """Remove the temporary files a killed run of ``name`` may have left (``_io.atomic_path``
    names): its outputs', its record's and those in its figures folder. Returns them."""
    pat = re.compile(rf"^\.{re.escape(name)}\.[A-Za-z0-9_]{{8}}\.partial\.[a-z]+$")
    removed = []
    for d in (out_dir, out_dir / RECORDS):
        if d.is_dir():
            for p in d.iterdir():
                if pat.match(p.name):
                    p.unlink(missing_ok=True)
                    removed.append(p)
    removed += _clean_folder(out_dir / f"{name}_figures")
    return removed


def _clean_folder(folder: Path) -> list[Path]:
    """Remove every ``_io.atomic_path`` temporary file in ``folder`` (not below)."""
    removed = []
    if folder.is_dir():
        for p in folder.iterdir():
            if _PARTIAL.match(p.name) and p.is_file():
                p.unlink(missing_ok=True)
                removed.append(p)
    return removed


def clean_cache_partials(out_dir: Path) -> list[Path]:
    """Remove the temporary files killed kernels left in the render's own cache folder
    (``DIR/.cache``, which the output folder's lock covers)."""
    return _clean_folder(out_dir / ".cache")
