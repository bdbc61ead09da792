"""One render at a time per output folder: an exclusive lock on ``DIR/.lock``.

Two renders into the same folder would delete each other's figure folders and
the last manifest written would hide the other's failures. :func:`output_lock`
takes ``fcntl.flock`` on ``DIR/.lock`` (released by the kernel when the process
ends, however it ends) and writes its PID there; a second render fails at once
with an :class:`~dvcanalysis.errors.InputError` naming that PID.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dvcanalysis import _io, paths
from dvcanalysis.errors import InputError

LOCK = ".lock"


def _unwritable(out_dir: Path, exc: OSError) -> InputError:
    why = exc.strerror or type(exc).__name__
    return InputError(
        f"--out {paths.relative(out_dir)}: cannot write into this folder ({why}); "
        "expected a folder you may write to (it is created if missing)"
    )


def check_out_dir(out_dir: Path) -> None:
    """Raise :class:`~dvcanalysis.errors.InputError` if ``out_dir`` is a file, not a folder."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(
            f"--out {paths.relative(out_dir)}: is a file, not a folder; "
            "expected a folder (it is created if missing)"
        )


@contextmanager
def output_lock(out_dir: Path | str) -> Iterator[Path]:
    """Hold the output folder for this process (creating it); yield the folder.

    Raises
    ------
    InputError
        ``out_dir`` is a file, cannot be created or written, or another render
        holds it (the message names that render's PID).
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(out_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise _unwritable(out_dir, exc) from None
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        fcntl = None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
                raise InputError(
                    f"--out {paths.relative(out_dir)}: another render (PID {holder}) is "
                    "writing into this folder; wait for it to end or choose another --out"
                ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as exc:
            if not _io.no_space(exc):
                raise OSError(exc.errno, exc.strerror, str(out_dir / LOCK)) from None
            # the disk is full: the lock is held all the same (the PID is only for the
            # message a second render gets); the render goes on to report what it cannot write
        if not os.access(out_dir, os.W_OK):
            raise _unwritable(out_dir, PermissionError(errno.EACCES, "Permission denied"))
        yield out_dir
    finally:
        os.close(fd)  # releases the lock
