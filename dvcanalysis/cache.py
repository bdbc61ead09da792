"""Results computed once per data vintage and code version, kept on disk by content hash.

Some results are the same for many briefings of one grid: the track record of a scenario
(an evaluation at every past data vintage) and the probabilities under every curve shape do
not depend on the segment or the language, yet each briefing would compute them again.
:func:`cached` keeps such a result in ``DVC_CACHE_DIR`` (``dvcanalysis render`` points it at
``<out>/.cache``; unset, nothing is cached and everything is computed as before) under a key
that hashes a canonical encoding (sorted JSON, :func:`canonical`) of

* the name of the result and its arguments (dataclasses by their fields, dates as ISO text),
* the bytes of every file in the data folder (:func:`dvcanalysis.paths.data_dir`),
* the bytes of the package's code and labels (``*.py``, ``*.yml``, ``*.typ``), and
* the versions of Python and of the libraries the numbers come from (:data:`LIBRARIES`),

so a change to the data or to the code gives a new key: an entry is never used for other
inputs than those it was computed from.

An entry is data, never code (no pickle): ``<name>-<key>.json`` (a header: the format, the
key, the key's inputs with their checksum, the value as JSON and its checksum) and, when
the value holds arrays, ``<name>-<key>.npz`` (read with ``allow_pickle=False``; its checksum
is in the header, which is written last). Every check is made on read: an entry whose
header, inputs or content does not match its checksum is a miss (one warning line, then
computed again and replaced). A folder that cannot be read or written means computing
without the cache (one warning line).

Values are encoded by :func:`dvcanalysis.codec.encode`: JSON values (dicts with string
keys, lists, text, numbers, booleans, None), tuples, dates, numpy arrays and pandas
DataFrames (each column as an array with its dtype, so the round trip is exact). A result object is cached
through its class (``codec=``): a dataclass as its fields (built back with
``codec(**fields)``), any other class through its ``to_cache()`` (its content, as such a
value) and its class method ``from_cache(content)``.

Switches (read when :func:`cached` runs, so a kernel forked with another environment
obeys them): ``DVC_CACHE=off`` computes everything without the cache
(``dvcanalysis render --no-cache``); ``DVC_CACHE_REFRESH=<token>`` recomputes every
entry not written under that same token (``dvcanalysis render --force``: the briefings
of one forced render still share what they compute). Warnings go to the file named by
``DVC_WARNINGS_FILE`` when set (the renderer reports them per briefing), else to the
``dvcanalysis.cache`` logger.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from dvcanalysis import _io, paths
from dvcanalysis.codec import decode, encode

ENV = "DVC_CACHE_DIR"
SWITCH_ENV = "DVC_CACHE"  # "off": compute without the cache
REFRESH_ENV = "DVC_CACHE_REFRESH"  # a token: recompute entries not written under it
WARNINGS_ENV = "DVC_WARNINGS_FILE"  # where warning lines go (one per line)
FORMAT = 2  # entries of another format are misses (format 1 was pickle)
PACKAGE_DIR = Path(__file__).resolve().parent
_CODE_SUFFIXES = (".py", ".yml", ".typ")
#: The libraries whose version is part of every key (an upgrade may change the numbers).
LIBRARIES = ("numpy", "pandas", "scipy", "scoringrules")

T = TypeVar("T")
log = logging.getLogger("dvcanalysis.cache")

#: file stamps (path, mtime_ns, size) -> content hash, so that a process hashes a file once
_HASHES: dict[tuple[str, int, int], str] = {}
_OFF: list[bool] = []
_WARNED: set[str] = set()


def directory() -> Path | None:
    """The cache folder (``DVC_CACHE_DIR``, :func:`dvcanalysis.paths.cache_dir`), or None
    when caching is off."""
    if _OFF or os.environ.get(SWITCH_ENV, "").lower() == "off":
        return None
    return paths.cache_dir()


@contextmanager
def off() -> Iterator[None]:
    """Compute without reading or writing the cache (e.g. a warm-up run with few draws)."""
    _OFF.append(True)
    try:
        yield
    finally:
        _OFF.pop()


def warn(message: str) -> None:
    """One warning line (once per process and message): to ``DVC_WARNINGS_FILE`` if set,
    else to the ``dvcanalysis.cache`` logger."""
    if message in _WARNED:
        return
    _WARNED.add(message)
    target = os.environ.get(WARNINGS_ENV)
    if target:
        try:
            with open(target, "a", encoding="utf-8") as fh:
                fh.write(message.replace("\n", " ") + "\n")
            return
        except OSError:
            pass
    log.warning(message)


# ---------------------------------------------------------------- keys
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


def _plain(obj: Any) -> Any:
    """``obj`` as JSON values for a key: dataclasses by their fields, dates as ISO text,
    tuples and sets as lists, paths as text; anything else is refused (no ``repr``)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            "__type__": type(obj).__qualname__,
            **{f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)},
        }
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(_plain(v) for v in obj)
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, Path):
        return obj.as_posix()
    if hasattr(obj, "item") and callable(obj.item) and getattr(obj, "ndim", 1) == 0:
        return _plain(obj.item())  # a numpy scalar
    raise TypeError(
        f"cache key: a {type(obj).__name__} is not accepted; expected JSON values, "
        "tuples, dates, paths or dataclasses of them"
    )


def canonical(obj: Any) -> str:
    """The canonical text of ``obj`` (sorted-key JSON of :func:`_plain`), hashed for keys."""
    return json.dumps(_plain(obj), sort_keys=True, ensure_ascii=True, separators=(",", ":"))


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def key_inputs(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """What the key of result ``name`` for ``arguments`` hashes (JSON values)."""
    return _plain({"name": name, "arguments": arguments, **fingerprint()})


def key(name: str, arguments: dict[str, Any]) -> str:
    """The cache key of result ``name`` for ``arguments`` with today's data and code."""
    return _sha(canonical(key_inputs(name, arguments)))


# ---------------------------------------------------------------- values
def _to_cache(codec: Any, value: Any) -> Any:
    """A result object's content: its ``to_cache()``, else (a dataclass) its fields."""
    if not isinstance(value, codec):
        raise TypeError(f"cache: expected a {codec.__name__}, got a {type(value).__name__}")
    if hasattr(value, "to_cache"):
        return value.to_cache()
    if dataclasses.is_dataclass(codec):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(codec) if f.init}
    raise TypeError(f"cache: {codec.__name__} has no to_cache() and is not a dataclass")


def _from_cache(codec: Any, content: Any) -> Any:
    """The result object back: ``codec.from_cache(content)``, else ``codec(**content)``."""
    if hasattr(codec, "from_cache"):
        return codec.from_cache(content)
    return codec(**content)


# ---------------------------------------------------------------- entries
def _paths(folder: Path, name: str, k: str) -> tuple[Path, Path]:
    stem = f"{name}-{k[:40]}"
    return folder / f"{stem}.json", folder / f"{stem}.npz"


def _read(header_path: Path, arrays_path: Path, k: str, refresh: str) -> tuple[bool, Any]:
    """``(True, (tree, arrays))`` for a sound entry of key ``k``; ``(False, why)`` else
    (``why`` None: no entry, or one to recompute without a warning)."""
    import numpy as np

    try:
        raw = header_path.read_bytes()
    except FileNotFoundError:
        return False, None
    try:
        head = json.loads(raw)
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            return False, "written in another format"
        if refresh and head.get("refresh") != refresh:
            return False, None  # --force: computed again, no warning
        inputs = head["inputs"]
        if head["key"] != k or _sha(canonical(inputs)) != k or head["inputs_sha256"] != k:
            return False, "does not match its checksum (key inputs)"
        value_text = canonical(head["value"])
        if _sha(value_text) != head["value_sha256"]:
            return False, "does not match its checksum (content)"
        arrays: dict[str, Any] = {}
        if head.get("arrays_sha256"):
            data = arrays_path.read_bytes()
            if _sha(data) != head["arrays_sha256"]:
                return False, "does not match its checksum (arrays)"
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays = {n: npz[n] for n in npz.files}
        return True, (head["value"], arrays)
    except (ValueError, KeyError, TypeError, OSError, EOFError) as exc:
        return False, f"cannot be read ({type(exc).__name__})"


def _write(
    folder: Path, paths_: tuple[Path, Path], k: str, name: str, inputs: dict, value: tuple
) -> None:
    """Write an entry: the arrays first, the header last (it vouches for them)."""
    import numpy as np

    header_path, arrays_path = paths_
    tree, arrays = value
    folder.mkdir(parents=True, exist_ok=True)
    head: dict[str, Any] = {
        "format": FORMAT,
        "name": name,
        "key": k,
        "inputs_sha256": k,
        "inputs": inputs,
        "refresh": os.environ.get(REFRESH_ENV) or None,
        "arrays_sha256": None,
        "value_sha256": _sha(canonical(tree)),
        "value": tree,
    }
    if arrays:
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        data = buf.getvalue()
        head["arrays_sha256"] = _sha(data)
        _io.write_with(arrays_path, lambda tmp: tmp.write_bytes(data))
    text = json.dumps(head, sort_keys=True, ensure_ascii=False) + "\n"
    _io.write_text(header_path, text)  # last: it vouches for the arrays


def cached(
    name: str,
    arguments: dict[str, Any],
    compute: Callable[[], T],
    *,
    codec: Any = None,
) -> T:
    """``compute()``, or its value stored for the same ``name``, ``arguments``, data and code.

    Parameters
    ----------
    name
        The result's name (the entry's file name starts with it).
    arguments
        Everything the result depends on besides the data folder and the package (e.g. the
        scenario when it is not a file of the data folder, the number of draws, the seed):
        JSON values, tuples, dates, paths or dataclasses of them (:func:`canonical`).
    compute
        Computes the value (called on a miss).
    codec
        For a result object: its class. A dataclass is stored as its fields and built back
        with ``codec(**fields)``; another class provides ``to_cache()`` (its content, as
        :func:`dvcanalysis.codec.encode` accepts) and the class method
        ``from_cache(content)``. None: the value itself is encoded.
    """
    folder = directory()
    if folder is None:
        return compute()
    inputs = key_inputs(name, arguments)
    k = _sha(canonical(inputs))
    header_path, arrays_path = _paths(folder, name, k)
    refresh = os.environ.get(REFRESH_ENV, "")
    try:
        ok, found = _read(header_path, arrays_path, k, refresh)
    except OSError as exc:  # not FileNotFoundError: the folder itself cannot be read
        warn(
            f"cache folder {paths.relative(folder)} cannot be read "
            f"({exc.strerror or exc}); computing without it"
        )
        return compute()
    if ok:
        tree, arrays = found
        try:
            value = decode(tree, arrays)
            return _from_cache(codec, value) if codec is not None else value
        except Exception as exc:  # noqa: BLE001 - e.g. a result class that changed shape
            found = f"cannot be decoded ({type(exc).__name__}: {exc})"[:200]
    if found:
        warn(f"cache entry {paths.relative(header_path)} {found}; computing it again")
    value = compute()
    tree, arrays = encode(_to_cache(codec, value) if codec is not None else value)
    try:
        _write(folder, (header_path, arrays_path), k, name, inputs, (tree, arrays))
    except OSError as exc:
        warn(
            f"cache folder {paths.relative(folder)} cannot be written "
            f"({exc.strerror or exc}); computing without it"
        )
    return value
