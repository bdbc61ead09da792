"""Why a run failed: the typed record behind the manifest's ``error`` (and ``first_error``).

Every failure of a run, wherever the renderer notices it (the kernel, the worker
process, the pool, the executor, Ctrl-C), is a :class:`RunError` built by one of its
constructors, and reaches the manifest through :meth:`RunError.to_dict`, so every
kind gives the same fields:

``kind``
    one of :data:`KINDS`: ``cell`` (a cell raised), ``timeout`` (a cell ran past the
    entry's ``timeout``), ``kernel_start`` (the kernel died or never answered before
    running anything), ``kernel`` (the kernel died while running the notebook),
    ``output`` (every cell ran, but an output could not be written: the message names
    the file and why, e.g. the disk is full), ``runner`` (the worker's own failure
    otherwise), ``worker_died`` (the worker process died, twice), ``executor`` (the
    executor, e.g. Dask, lost the run), ``interrupted`` (Ctrl-C, SIGTERM or SIGHUP
    before the run finished; ``cell_index`` is the cell it was running, when known);
``ename``, ``evalue``
    the exception's type and message (at most :data:`MAX_MESSAGE` characters; a kernel
    failure ends with the last lines of the kernel's stderr);
``cell_index``
    the cell of the source notebook that was running (papermill's injected cell not
    counted), ``None`` when no cell ran;
``execution_count``
    the cell's execution count when a cell raised, else ``None``.

A failed run's whole result (status, error, no outputs) is :func:`failed_result`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: the kinds of failure, in the order a run meets them
KINDS = (
    "kernel_start",
    "cell",
    "timeout",
    "kernel",
    "output",
    "runner",
    "worker_died",
    "executor",
    "interrupted",
)
#: longest exception message kept (the kernel's stderr tail comes on top)
MAX_MESSAGE = 2000
STDERR_HEADING = "kernel stderr (last lines):"


@dataclass(frozen=True, kw_only=True)
class RunError:
    """Why one run failed (see the module docstring for the fields and kinds)."""

    kind: str
    ename: str
    message: str
    cell_index: int | None = None
    execution_count: int | None = None
    kernel_stderr: str = ""  # the last lines of the kernel's own stderr, if any

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"RunError kind {self.kind!r}; expected one of: {', '.join(KINDS)}")

    @property
    def evalue(self) -> str:
        """The message as the manifest shows it: cut to length, the kernel's stderr appended."""
        text = self.message[:MAX_MESSAGE]
        if self.kernel_stderr:
            text += f"\n{STDERR_HEADING}\n{self.kernel_stderr}"
        return text

    @property
    def first_line(self) -> str:
        """The first line of :attr:`evalue` (for the summary table and the index page)."""
        return (self.evalue.splitlines() or [""])[0]

    def to_dict(self) -> dict[str, Any]:
        """The manifest's ``error`` object (JSON-ready; the same keys for every kind)."""
        return {
            "kind": self.kind,
            "ename": self.ename,
            "evalue": self.evalue,
            "cell_index": self.cell_index,
            "execution_count": self.execution_count,
        }

    # -- one constructor per place a failure is noticed --------------------------------

    @classmethod
    def from_execution(
        cls,
        exc: BaseException,
        *,
        cell_index: int | None,
        kernel_ready: bool,
        kernel_stderr: str = "",
    ) -> RunError:
        """What papermill raised while executing a notebook.

        A cell's exception (papermill's ``PapermillExecutionError``) is ``cell``; a cell
        that ran too long (nbclient's ``CellTimeoutError``, a :class:`TimeoutError`) is
        ``timeout``; anything else is the kernel's: ``kernel_start`` if it had not yet
        answered ``kernel_info``, else ``kernel``. All but ``cell`` carry the kernel's
        stderr tail.
        """
        from papermill.exceptions import PapermillExecutionError

        if isinstance(exc, PapermillExecutionError):
            return cls(
                kind="cell",
                ename=str(exc.ename),
                message=str(exc.evalue),
                cell_index=cell_index,
                execution_count=exc.exec_count,
            )
        if not kernel_ready:
            kind = "kernel_start"
        elif isinstance(exc, TimeoutError):
            kind = "timeout"
        else:
            kind = "kernel"
        return cls(
            kind=kind,
            ename=type(exc).__name__,
            message=str(exc),
            cell_index=cell_index,
            kernel_stderr=kernel_stderr,
        )

    @classmethod
    def from_output(cls, exc: OSError, target: str) -> RunError:
        """Writing an output failed once the notebook had run (e.g. the disk is full)."""
        why = exc.strerror or str(exc)
        return cls(kind="output", ename=type(exc).__name__, message=f"cannot write {target}: {why}")

    @classmethod
    def from_runner(cls, exc: BaseException) -> RunError:
        """The worker's own failure (not the notebook's): reported, the other runs go on."""
        return cls(kind="runner", ename=type(exc).__name__, message=str(exc))

    @classmethod
    def worker_died(cls, why: str) -> RunError:
        """The worker process died while running this briefing, and again on the retry."""
        return cls(
            kind="worker_died",
            ename="WorkerDied",
            message=f"{why} while running this briefing (twice)",
        )

    @classmethod
    def from_executor(cls, exc: BaseException) -> RunError:
        """The executor (e.g. Dask) raised instead of returning the run's result."""
        return cls(kind="executor", ename=type(exc).__name__, message=str(exc))

    @classmethod
    def interrupted(
        cls, signal_name: str = "SIGINT", cell_index: int | None = None, *, started: bool = True
    ) -> RunError:
        """The render was stopped (Ctrl-C: ``SIGINT``; ``SIGTERM``, ``SIGHUP``) before this
        briefing finished; ``cell_index``: the cell it was running, when known; ``started``:
        whether it had been handed to a worker."""
        if not started:
            when = "before this briefing started"
        elif cell_index is not None:
            when = f"while cell {cell_index} was running"
        else:
            when = "before this briefing finished"
        return cls(
            kind="interrupted",
            ename="Interrupted",
            message=f"the render was stopped ({signal_name}) {when}",
            cell_index=cell_index,
        )


def where(error: dict[str, Any]) -> str:
    """Where a run failed, in words (the index and the summary table): ``cell N``, ``after
    the last cell`` (an output could not be written), ``before any cell`` (the kernel did
    not start, or the run was stopped before its first cell), else empty."""
    cell = error.get("cell_index")
    if cell is not None:
        return f"cell {cell}"
    kind = error.get("kind")
    if kind == "output":
        return "after the last cell"
    if kind in ("kernel_start", "interrupted"):
        return "before any cell"
    return ""


def failed_result(error: RunError, **extra: Any) -> dict[str, Any]:
    """A failed run's result, as the runner records it: status, error, no outputs, no duration.

    ``extra`` adds or overrides fields (``name``, ``attempts``, ``retried``, ...).
    """
    return {
        "status": "failed",
        "error": error.to_dict(),
        "outputs": [],
        "duration_s": None,
        **extra,
    }
