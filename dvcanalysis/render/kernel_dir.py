"""Where a kernel's private folder lives: its Unix sockets, connection file and stderr.

Light on purpose (no jupyter import): the render process needs :func:`short_tmp`
and :data:`KERNEL_DIR_ENV` for the pool's folder, the engine
(:mod:`dvcanalysis.render.engine`) makes one :func:`private_dir` per kernel and
reads the end of the kernel's stderr with :func:`tail`.
"""

from __future__ import annotations

import os
import tempfile

#: set by the worker pool to a folder it removes when it ends; kernels' folders go inside
KERNEL_DIR_ENV = "DVC_KERNEL_DIR"


def short_tmp() -> str | None:
    """Where to make socket folders: the temp folder (``None``), or ``/tmp`` under a long
    ``TMPDIR`` (Unix socket paths are limited to about 100 bytes)."""
    tmp = tempfile.gettempdir()
    return "/tmp" if len(tmp) > 40 and os.path.isdir("/tmp") else None


def private_dir() -> str:
    """A new private folder (mode 0700) for one kernel's sockets, connection file and stderr.

    Inside ``$DVC_KERNEL_DIR`` when set (the render's worker pool sets it to a folder
    it removes when it ends), else in the temporary folder.
    """
    base = os.environ.get(KERNEL_DIR_ENV)
    if base and os.path.isdir(base):
        return tempfile.mkdtemp(prefix="k-", dir=base)
    return tempfile.mkdtemp(prefix="dvck-", dir=short_tmp())


def tail(path: str, lines: int = 15, chars: int = 1500) -> str:
    """The last lines of a text file ('' if missing or empty)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 8 * chars))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])[-chars:]
