"""Where things are: one place for every path, relative to the project root.

Override with environment variables (used by tests and by the batch renderer):

``DVC_ROOT``
    the project root (default: the folder holding ``data/`` above this package,
    else the current directory).
``DVC_DATA_DIR``, ``DVC_FIGURES_DIR``, ``DVC_OUT_DIR``
    the data, figures and output folders.
``DVC_CACHE_DIR``
    the results cache (:mod:`dvcanalysis.cache`; unset: no cache).
"""

from __future__ import annotations

import os
from pathlib import Path


def root() -> Path:
    """Project root."""
    env = os.environ.get("DVC_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "data").is_dir():
        return here
    return Path.cwd().resolve()


def data_dir() -> Path:
    """The evidence base and configurations (``data/``)."""
    return Path(os.environ.get("DVC_DATA_DIR") or root() / "data")


def raw_dir() -> Path:
    """Immutable raw sources (``data/raw/``)."""
    return data_dir() / "raw"


def figures_dir() -> Path:
    """Where notebooks export figures: ``out/figures/`` (ignored by git), so exploring leaves
    the repository clean; ``make notebooks`` sets ``DVC_FIGURES_DIR`` to the committed
    ``figures/``, and ``dvcanalysis render`` to each briefing's own folder."""
    return Path(os.environ.get("DVC_FIGURES_DIR") or root() / "out" / "figures")


def out_dir() -> Path:
    """Rendered briefings (``out/``)."""
    return Path(os.environ.get("DVC_OUT_DIR") or root() / "out")


def cache_dir() -> Path | None:
    """The results cache (``DVC_CACHE_DIR``; ``dvcanalysis render`` sets ``<out>/.cache``),
    or None when results are not cached."""
    env = os.environ.get("DVC_CACHE_DIR")
    return Path(env) if env else None


def notebooks_dir() -> Path:
    """Parameterized notebooks (``notebooks/``)."""
    return root() / "notebooks"


def relative(path: Path | str) -> str:
    """``path`` relative to the project root where possible (for messages)."""
    p = Path(path).resolve()
    try:
        return str(p.relative_to(root()))
    except ValueError:
        return str(path)
