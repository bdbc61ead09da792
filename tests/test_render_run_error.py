"""The renderer's run-error record (dvcanalysis.render.run_error): one type, built in one place.

Every kind of failure gives the manifest the same fields; the end-to-end tests
(test_render.py, test_render_faults.py) check the ``kind`` each real failure gets.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.exceptions import PapermillExecutionError

from dvcanalysis import render
from dvcanalysis.render.run_error import KINDS, MAX_MESSAGE, RunError, failed_result

FIELDS = ["kind", "ename", "evalue", "cell_index", "execution_count"]
RENDER = Path(render.__file__).parent


def _cell_error() -> PapermillExecutionError:
    return PapermillExecutionError(
        cell_index=3,  # papermill's count, the injected cell included
        exec_count=2,
        source="raise ValueError('x')",
        ename="ValueError",
        evalue="deliberate",
        traceback=["..."],
    )


# (kind, how the renderer builds it, expected ename, expected cell_index)
CASES = [
    (
        "cell",
        lambda: RunError.from_execution(
            _cell_error(), cell_index=2, kernel_ready=True, kernel_stderr="chatter"
        ),
        "ValueError",
        2,
    ),
    (
        "timeout",
        lambda: RunError.from_execution(
            CellTimeoutError("Cell execution timed out"), cell_index=1, kernel_ready=True
        ),
        "CellTimeoutError",
        1,
    ),
    (
        "kernel",
        lambda: RunError.from_execution(
            DeadKernelError("Kernel died"), cell_index=1, kernel_ready=True, kernel_stderr="oom"
        ),
        "DeadKernelError",
        1,
    ),
    (
        "kernel_start",
        lambda: RunError.from_execution(
            RuntimeError("Kernel died before replying to kernel_info"),
            cell_index=None,
            kernel_ready=False,
            kernel_stderr="Address already in use",
        ),
        "RuntimeError",
        None,
    ),
    (
        "output",
        lambda: RunError.from_output(OSError(28, "No space left on device"), "out/b.html"),
        "OSError",
        None,
    ),
    ("runner", lambda: RunError.from_runner(ValueError("bad")), "ValueError", None),
    (
        "worker_died",
        lambda: RunError.worker_died("worker process 7 was killed by SIGKILL"),
        "WorkerDied",
        None,
    ),
    ("executor", lambda: RunError.from_executor(KeyError("lost")), "KeyError", None),
    ("interrupted", RunError.interrupted, "Interrupted", None),
]


def test_the_cases_cover_every_kind():
    assert sorted(c[0] for c in CASES) == sorted(KINDS)


@pytest.mark.parametrize(("kind", "build", "ename", "cell"), CASES, ids=[c[0] for c in CASES])
def test_every_kind_gives_the_same_manifest_fields(kind, build, ename, cell):
    error = build()
    d = error.to_dict()
    assert list(d) == FIELDS
    assert (d["kind"], d["ename"], d["cell_index"]) == (kind, ename, cell)
    assert d["execution_count"] == (2 if kind == "cell" else None)
    assert isinstance(d["evalue"], str) and d["evalue"]
    row = failed_result(error, name="b", attempts=2)
    assert row == {
        "status": "failed",
        "error": d,
        "outputs": [],
        "duration_s": None,
        "name": "b",
        "attempts": 2,
    }


def test_messages_as_the_manifest_shows_them():
    cell = RunError.from_execution(
        _cell_error(), cell_index=2, kernel_ready=True, kernel_stderr="x"
    )
    assert cell.evalue == "deliberate"  # a cell's error is the notebook's: no kernel stderr
    start = RunError.from_execution(
        RuntimeError("Kernel died before replying to kernel_info\nmore"),
        cell_index=None,
        kernel_ready=False,
        kernel_stderr="line 1\nline 2",
    )
    assert start.evalue == (
        "Kernel died before replying to kernel_info\nmore\n"
        "kernel stderr (last lines):\nline 1\nline 2"
    )
    assert start.first_line == "Kernel died before replying to kernel_info"
    long = RunError.from_runner(ValueError("x" * (MAX_MESSAGE + 500)))
    assert len(long.evalue) == MAX_MESSAGE
    assert RunError.worker_died("worker process 7 ended (exit code 3)").evalue == (
        "worker process 7 ended (exit code 3) while running this briefing (twice)"
    )
    assert RunError.interrupted().evalue == (
        "the render was stopped (SIGINT) before this briefing finished"
    )
    stuck = RunError.interrupted("SIGTERM", 1)
    assert (stuck.cell_index, stuck.evalue) == (
        1,
        "the render was stopped (SIGTERM) while cell 1 was running",
    )
    assert RunError.interrupted("SIGHUP", started=False).evalue == (
        "the render was stopped (SIGHUP) before this briefing started"
    )
    assert RunError.from_output(OSError(28, "No space left on device"), "out/b.html").evalue == (
        "cannot write out/b.html: No space left on device"
    )


@pytest.mark.parametrize(
    ("error", "where"),
    [
        ({"kind": "cell", "cell_index": 2}, "cell 2"),
        ({"kind": "interrupted", "cell_index": 1}, "cell 1"),
        ({"kind": "output", "cell_index": None}, "after the last cell"),
        ({"kind": "kernel_start", "cell_index": None}, "before any cell"),
        ({"kind": "executor", "cell_index": None}, ""),
    ],
)
def test_where_a_run_failed_in_words(error, where):
    from dvcanalysis.render.run_error import where as where_of

    assert where_of(error) == where


def test_a_timeout_before_the_kernel_answered_is_a_kernel_start():
    error = RunError.from_execution(TimeoutError("slow start"), cell_index=None, kernel_ready=False)
    assert error.kind == "kernel_start"


def test_unknown_kind_is_refused_and_the_record_is_frozen():
    with pytest.raises(ValueError, match="RunError kind 'oops'; expected one of: kernel_start"):
        RunError(kind="oops", ename="E", message="m")
    error = RunError.interrupted()
    with pytest.raises(AttributeError):
        error.kind = "cell"  # type: ignore[misc]


def _error_literals(path: Path) -> list[int]:
    """Lines of dict literals with an error record's keys (built by hand)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        and {k.value for k in node.keys if isinstance(k, ast.Constant)}
        & {"ename", "evalue", "execution_count", "cell_index"}
    ]


def test_the_error_record_is_built_in_one_place():
    by_hand = {
        p.name: lines
        for p in sorted(RENDER.glob("*.py"))
        if p.name != "run_error.py" and (lines := _error_literals(p))
    }
    assert by_hand == {}
    assert _error_literals(RENDER / "run_error.py") != []  # the scan does find the one place
