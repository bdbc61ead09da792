"""One error type for bad input.

An :class:`InputError` carries where the problem is (file, line, column or key)
and what is accepted. The CLI prints its message on one line per problem and
exits with status 2; notebooks let it surface as that message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One validation problem, formatted as ``file:line: column: message``."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        col = f" column '{self.column}':" if self.column else ""
        return f"{where}:{col} {self.message}"


class InputError(ValueError):
    """Bad input: a malformed data file, a wrong parameter or an unknown name.

    Parameters
    ----------
    problems
        One message, or several :class:`Problem` (all reported at once).
    """

    def __init__(self, problems: str | Problem | Iterable[Problem | str]):
        if isinstance(problems, (str, Problem)):
            problems = [problems]
        self.problems: list[Problem | str] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # picklable across worker processes
        return (InputError, (self.problems,))


def check_choice(name: str, value: object, accepted: Iterable[object]) -> None:
    """Raise :class:`InputError` unless ``value`` is one of ``accepted``."""
    accepted = list(accepted)
    if value not in accepted:
        raise InputError(
            f"{name}={value!r} is not accepted; expected one of: "
            + ", ".join(repr(a) for a in accepted)
        )


def check_range(name: str, value: float, low: float, high: float) -> None:
    """Raise :class:`InputError` unless ``low <= value <= high`` (and a number)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}={value!r} is not a number; expected {low} to {high}") from None
    if not (low <= v <= high):
        raise InputError(f"{name}={value!r} is out of range; expected {low} to {high}")


def check_fields(
    record: Sequence[str], header: Sequence[str], file: str, line: int, problems: list[Problem]
) -> bool:
    """Whether a CSV ``record`` has one field per column of ``header``.

    If not, adds the one-line problem (file, line, how many fields, the columns expected) to
    ``problems`` and returns False, so that a reader skips the row and goes on.
    """
    if len(record) == len(header):
        return True
    problems.append(
        Problem(
            file,
            f"has {len(record)} fields; expected {len(header)} ({', '.join(header)})",
            line=line,
        )
    )
    return False
