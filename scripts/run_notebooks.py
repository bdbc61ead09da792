"""Re-execute stored notebooks in place, keeping their outputs (``make notebooks``).

Runs each notebook top to bottom with its default parameters in a fresh kernel
(working directory: the notebook's folder; figures to the committed ``figures/``), drops volatile metadata (timings)
so that a re-run with unchanged inputs changes nothing, and writes the result
atomically. Commit the outputs: ``pytest --nbval`` compares against them.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dvcanalysis import _io  # noqa: E402
from dvcanalysis.render import read_parameters  # noqa: E402


def clean(nb: nbformat.NotebookNode, path: Path) -> None:
    """Remove metadata that changes from run to run; record the parameters used.

    The stored notebooks run with their defaults; like papermill's output, the
    metadata says so (``metadata.papermill.parameters``), without timings.
    """
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    params = {name: p.default for name, p in read_parameters(path).items()}
    nb.metadata["papermill"] = {"parameters": params, "default_parameters": params}


def run(path: Path) -> float:
    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    client.execute()
    clean(nb, path)
    _io.write_text(path, nbformat.writes(nb) + "\n")
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: run_notebooks.py NOTEBOOK...", file=sys.stderr)
        return 2
    # the one place that writes the committed figures/ (elsewhere they go to out/figures/)
    os.environ.setdefault("DVC_FIGURES_DIR", str(ROOT / "figures"))
    for name in argv:
        seconds = run(Path(name))
        print(f"{name}: executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
