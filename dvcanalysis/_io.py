"""Atomic writes, and strict reading of text and YAML files.

Atomic writes: write to a temporary file beside the target, then rename.

A crash or kill never leaves a half-written output that a later run would take
for done. The file that lands has the ordinary permissions of a new file under
the user's umask (``0o666 & ~umask``), not the 0600 of a temporary file.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it, and put it back
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(target: Path | str, suffix: str | None = None):
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    The temporary name keeps the target's suffix (some writers pick the format
    from it) and starts with ``.`` and ends in ``.tmp``-style marker so that it
    is never mistaken for an output.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    suffix = target.suffix if suffix is None else suffix
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=f".partial{suffix}", dir=target.parent
        )
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(target)) from exc
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.filename in (None, tmp, str(tmp)):  # name the file meant, not the temporary
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: errno values that mean "no room to write": disk full, quota exceeded, file size limit
NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def no_space(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says there is no room to write."""
    for _ in range(10):  # the exception and what caused it
        if exc is None:
            break
        if isinstance(exc, OSError) and exc.errno in NO_SPACE:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def write_text(target: Path | str, text: str) -> Path:
    """Write ``text`` (UTF-8) atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_with(target: Path | str, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and rename the result onto ``target``."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


# ---------------------------------------------------------------- strict reading
def read_text_strict(path: Path | str, *, what: str = "file") -> str:
    """The text of a UTF-8 file, or an :class:`InputError` that says what is wrong, on one line.

    A leading byte-order mark (BOM, as Excel and Notepad write) is accepted and
    dropped, as by every reader of the project (``utf-8-sig``). A byte that is not
    UTF-8 is named with its line; a folder or a missing file is said as such.
    """
    from dvcanalysis import paths
    from dvcanalysis.errors import InputError, Problem

    if not isinstance(path, (str, os.PathLike)):
        raise InputError(f"path={path!r} is not accepted; expected the path of a {what}")
    path = Path(path)
    shown = paths.relative(path)
    if path.is_dir():
        raise InputError(Problem(shown, f"is a folder; expected a {what}"))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(Problem(shown, "file not found")) from None
    except OSError as exc:
        raise InputError(
            Problem(shown, f"cannot read ({exc.strerror}); expected a {what}")
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(utf8_problem(data, exc, shown)) from None


def utf8_problem(data: bytes, exc: UnicodeDecodeError, shown: str, *, save_as: str = "UTF-8"):
    """The :class:`~dvcanalysis.errors.Problem` of bytes that are not UTF-8 (``exc``, from
    ``data.decode("utf-8-sig")``): the bad byte and the line it is on (1-based; a line ends
    at ``\n``, so CRLF files count alike)."""
    from dvcanalysis.errors import Problem

    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    at = exc.start + bom
    line = data[:at].count(b"\n") + 1
    return Problem(
        shown,
        f"not valid UTF-8 (byte 0x{data[at]:02x}: {exc.reason}); save the file as {save_as}",
        line,
    )


def read_csv_text(path: Path) -> str:
    """The text of a CSV file for :mod:`csv` (line ends kept, a leading BOM dropped); raises
    :class:`UnicodeDecodeError` as ``bytes.decode`` does (see :func:`utf8_problem`)."""
    return Path(path).read_bytes().decode("utf-8-sig")


def newlines(text: str) -> str:
    """``text`` with Windows (CRLF) and old Mac (CR) line ends as ``\n``: a quoted CSV field
    that spans lines reads the same whatever the file's line ends."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _strict_loader(dates_as_text: bool):
    import yaml

    class Loader(yaml.SafeLoader):
        """Safe YAML that rejects a key given twice in one mapping (PyYAML keeps the last)."""

        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                seen: dict = {}
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = self.construct_object(key_node, deep=True)
                    try:
                        first = seen.get(key)
                    except TypeError:  # unhashable: PyYAML reports it
                        continue
                    line = key_node.start_mark.line + 1
                    if first is not None:
                        raise _DuplicateKey(key, first, line)
                    seen[key] = line
            return super().construct_mapping(node, deep=deep)

    if dates_as_text:
        Loader.add_constructor(
            "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
        )
    return Loader


class _DuplicateKey(Exception):
    def __init__(self, key, first: int, line: int) -> None:
        super().__init__(key)
        self.key, self.first, self.line = key, first, line


def load_yaml(text: str, shown: str, *, dates_as_text: bool = False):
    """Parse YAML ``text`` (from file ``shown``) strictly; one :class:`InputError` line if bad.

    Safe loading only; a key given twice in one mapping is an error naming both lines;
    ``dates_as_text`` keeps dates as written (so a bad date is reported by its key).
    """
    import yaml

    from dvcanalysis.errors import InputError, Problem

    try:
        return yaml.load(text, Loader=_strict_loader(dates_as_text))  # noqa: S506 (a SafeLoader)
    except _DuplicateKey as exc:
        raise InputError(
            Problem(
                shown,
                f"key {exc.key!r} is given twice (first on line {exc.first}); give each key once",
                exc.line,
            )
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            Problem(
                shown,
                f"not valid YAML ({getattr(exc, 'problem', None) or exc})",
                mark.line + 1 if mark is not None else None,
            )
        ) from None


def read_yaml(
    path: Path | str,
    *,
    what: str = "YAML file",
    dates_as_text: bool = False,
    mapping: str | None = None,
):
    """Read a YAML configuration strictly (:func:`read_text_strict` + :func:`load_yaml`).

    This is the one way the package reads YAML: every problem is one
    :class:`~dvcanalysis.errors.InputError` line naming the file (and line).

    Parameters
    ----------
    what
        What the file is, for messages (``scenario file (YAML)``).
    dates_as_text
        Keep dates as written (so a bad date is reported by its key).
    mapping
        When given, the file must hold a mapping; otherwise (a list, a scalar, an empty
        file) the error says ``expected a mapping with <mapping>`` (``keys name, title``).
    """
    from dvcanalysis import paths
    from dvcanalysis.errors import InputError, Problem

    text = read_text_strict(path, what=what)  # first: it checks that path is a path
    shown = paths.relative(Path(path))
    data = load_yaml(text, shown, dates_as_text=dates_as_text)
    if mapping is not None and not isinstance(data, dict):
        raise InputError(Problem(shown, f"expected a mapping with {mapping}"))
    return data
