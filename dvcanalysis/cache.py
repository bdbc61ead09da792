"""Results computed once per data vintage and code version, kept on disk by content hash.

Some results are the same for many briefings of one grid: the track record of a scenario
(an evaluation at every past data vintage) and the probabilities under every curve shape do
not depend on the segment or the language, yet each briefing would compute them again.
:func:`cached` keeps such a result in ``DVC_CACHE_DIR`` (``dvcanalysis render`` points it at
``<out>/.cache``; unset, nothing is cached and everything is computed as before) under a key
that hashes

* the name of the result and its arguments,
* the bytes of every file in the data folder (:func:`dvcanalysis.paths.data_dir`),
* the bytes of the package's code and labels (``*.py``, ``*.yml``, ``*.typ``), and
* the versions of Python and of the libraries the numbers come from (:data:`LIBRARIES`),

so a change to the data or to the code gives a new key: an entry is never used for other
inputs than those it was computed from. Entries are pickles written atomically; one that
cannot be read is computed again (and replaced). Two processes computing the same entry
at once both write the same bytes; the last rename wins.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from dvcanalysis import _io, paths

ENV = "DVC_CACHE_DIR"
PACKAGE_DIR = Path(__file__).resolve().parent
_CODE_SUFFIXES = (".py", ".yml", ".typ")
#: The libraries whose version is part of every key (an upgrade may change the numbers).
LIBRARIES = ("numpy", "pandas", "scipy", "scoringrules")

T = TypeVar("T")

#: file stamps (path, mtime_ns, size) -> content hash, so that a process hashes a file once
_HASHES: dict[tuple[str, int, int], str] = {}


_OFF: list[bool] = []


def directory() -> Path | None:
    """The cache folder (``DVC_CACHE_DIR``, :func:`dvcanalysis.paths.cache_dir`), or None
    when caching is off."""
    return None if _OFF else paths.cache_dir()


@contextmanager
def off() -> Iterator[None]:
    """Compute without reading or writing the cache (e.g. a warm-up run with few draws)."""
    _OFF.append(True)
    try:
        yield
    finally:
        _OFF.pop()


def _files(root: Path, suffixes: tuple[str, ...] | None) -> list[Path]:
    out = []
    if root.is_dir():
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root)
            if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                continue
            if p.is_file() and (suffixes is None or p.suffix in suffixes):
                out.append(p)
    return out


def _tree(root: Path, suffixes: tuple[str, ...] | None) -> str:
    """Hash of the names and bytes of the files under ``root``."""
    h = hashlib.sha256()
    for p in _files(root, suffixes):
        st = p.stat()
        stamp = (str(p), st.st_mtime_ns, st.st_size)
        digest = _HASHES.get(stamp)
        if digest is None:
            digest = _HASHES[stamp] = hashlib.sha256(p.read_bytes()).hexdigest()
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + digest.encode() + b"\0")
    return h.hexdigest()


def versions() -> dict[str, str]:
    """The versions of Python and of :data:`LIBRARIES`."""
    import platform
    from importlib import metadata

    return {"python": platform.python_version(), **{n: metadata.version(n) for n in LIBRARIES}}


def fingerprint() -> dict[str, object]:
    """Content hashes of the data folder and of the package's code and labels, and the
    versions the numbers depend on."""
    return {
        "data": _tree(paths.data_dir(), None),
        "code": _tree(PACKAGE_DIR, _CODE_SUFFIXES),
        "versions": versions(),
    }


def key(name: str, arguments: dict[str, Any]) -> str:
    """The cache key of result ``name`` for ``arguments`` with today's data and code."""
    blob = json.dumps(
        {"name": name, "arguments": arguments, **fingerprint()},
        sort_keys=True,
        default=repr,
        ensure_ascii=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def cached(name: str, arguments: dict[str, Any], compute: Callable[[], T]) -> T:
    """``compute()``, or its value stored for the same ``name``, ``arguments``, data and code.

    ``arguments`` must say everything the result depends on besides the data folder and
    the package (e.g. the scenario's contents when it is not a file of the data folder, the
    number of draws, the seed); values are hashed through JSON (``repr`` for other types).
    """
    folder = directory()
    if folder is None:
        return compute()
    path = folder / f"{name}-{key(name, arguments)[:40]}.pickle"
    try:
        return pickle.loads(path.read_bytes())
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - unreadable (e.g. a class changed shape): recompute
        pass
    value = compute()
    folder.mkdir(parents=True, exist_ok=True)
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    _io.write_with(path, lambda tmp: tmp.write_bytes(data))
    return value
