"""The grid file (``data/briefings.yml``): entries, their checks, and the runs they expand to.

:func:`load_grid` reads and checks the YAML (every problem one line naming file,
line and key), checks each value against the notebook's parameters cell
(:mod:`dvcanalysis.render.params`) and expands each entry's cartesian product into
:class:`Job` objects named by the entry's ``output`` pattern.
"""

from __future__ import annotations

import itertools
import json
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dvcanalysis import _io, paths
from dvcanalysis.errors import InputError, Problem
from dvcanalysis.render.params import check_parameters, read_parameters, type_name

ENTRY_KEYS = ("notebook", "grid", "parameters", "output", "timeout")
_ACCEPTED = ", ".join(ENTRY_KEYS)
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Job:
    """One notebook run: an output name, the notebook, and its parameter values."""

    name: str
    notebook: Path
    parameters: dict[str, Any] = field(hash=False)
    varying: tuple[str, ...] = ()  # the grid's parameter names (index columns)
    timeout: int | None = None


@dataclass
class Entry:
    notebook: Path
    grid: dict[str, list]
    parameters: dict[str, Any]
    output: str
    timeout: int | None


@dataclass
class Grid:
    """A validated grid file: its entries and the runs they expand to."""

    path: Path
    entries: list[Entry]
    jobs: list[Job]


def _key_lines(path: Path) -> Callable[..., int | None]:
    """A function (entry index, key, sub-key) -> 1-based line in the YAML file, or None.

    The file is read again (it was already read strictly) and composed on the first
    call only: a valid grid never needs its line numbers.
    """
    import yaml

    root: list[Any] = []

    def line(i: int | None = None, key: str | None = None, sub: str | None = None) -> int | None:
        if not root:
            try:
                root.append(yaml.compose(path.read_text(encoding="utf-8-sig")))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                root.append(None)
        node = root[0]
        if i is None or not isinstance(node, yaml.SequenceNode) or i >= len(node.value):
            return None
        node = node.value[i]
        found = node.start_mark.line + 1
        for k in (key, sub):
            if k is None or not isinstance(node, yaml.MappingNode):
                break
            for knode, vnode in node.value:
                if getattr(knode, "value", None) == k:
                    found, node = knode.start_mark.line + 1, vnode
                    break
            else:
                break
        return found

    return line


def _fields(pattern: str) -> list[str]:
    """Field names in a str.format pattern; ValueError for malformed ones."""
    names = []
    for _, name, _, _ in string.Formatter().parse(pattern):
        if name is None:
            continue
        if name == "" or not name.isidentifier():
            raise ValueError(f"field {{{name}}} is not a parameter name")
        names.append(name)
    return names


@dataclass
class _Report:
    """Collects the problems of one entry, each naming the entry, its key and its line."""

    where: str
    index: int  # 0-based entry index
    line: Callable[..., int | None]
    problems: list[Problem]

    def __call__(
        self, msg: str, key: str | None = None, sub: str | None = None, *, at: str | None = None
    ) -> None:
        """Report ``msg`` about ``key`` (and ``sub``), at the line of ``at`` (default ``key``)."""
        what = f"entry {self.index + 1}" + (f" key '{key}'" if key else "")
        what += f" '{sub}'" if sub else ""
        line = self.line(self.index, at or key, sub)
        self.problems.append(Problem(self.where, f"{what}: {msg}", line))


def load_grid(path: Path | str) -> Grid:
    """Read and check a grid file; raise :class:`InputError` listing every problem.

    Checks: the file is a YAML list of entries with keys ``notebook`` (an existing
    ``.ipynb``), ``grid`` (name -> non-empty list), ``parameters`` (name -> value),
    ``output`` (a ``{notebook}``/``{parameter}`` pattern) and ``timeout``; every value
    is a literal of the type the notebook's parameters cell declares; output names
    are unique and safe as file names.
    """
    data = _io.read_yaml(path, what="grid file (YAML)")  # checks that path is a path
    path = Path(path)
    where = paths.relative(path)
    if not isinstance(data, list) or not data:
        raise InputError(
            Problem(
                where,
                f"expected a non-empty list of entries, each a mapping with keys: {_ACCEPTED}",
            )
        )
    line = _key_lines(path)
    problems: list[Problem] = []
    entries: list[Entry] = []
    jobs: list[Job] = []
    for i, raw in enumerate(data):
        report = _Report(where, i, line, problems)
        entry = _check_entry(raw, report)
        if entry is None:
            continue
        try:
            jobs += _expand([entry])
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            report(
                f"pattern {entry.output!r} cannot be filled in ({exc}); "
                f"e.g. {_default_output(entry.grid)!r}",
                "output",
            )
        entries.append(entry)
    if problems:
        raise InputError(problems)
    problems = _check_names(jobs, where)
    if problems:
        raise InputError(problems)
    return Grid(path, entries, jobs)


def _default_output(grid: dict) -> str:
    return "{notebook}" + "".join(f"_{{{k}}}" for k in grid)


def _check_entry(raw: Any, report: _Report) -> Entry | None:
    """One entry of the grid file as an :class:`Entry`, or None after reporting its problems."""
    if not isinstance(raw, dict):
        report(f"expected a mapping with keys: {_ACCEPTED}; got {type_name(raw)}")
        return None
    before = len(report.problems)
    for key in raw:
        if key not in ENTRY_KEYS:
            report(f"is not accepted; expected one of: {_ACCEPTED}", str(key))
    notebook = _check_notebook(raw.get("notebook"), report)
    grid = _check_grid(raw.get("grid") or {}, report)
    fixed = raw.get("parameters") or {}
    if not isinstance(fixed, dict):
        report("expected a mapping parameter -> value, e.g. {seed: 0}", "parameters")
        fixed = {}
    for name in sorted(set(grid) & set(fixed), key=str):
        report("is both in 'grid' and in 'parameters'; keep it in one", "parameters", str(name))
    timeout = raw.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0
    ):
        report(
            f"{timeout!r} is not accepted; expected a positive whole number of seconds",
            "timeout",
        )
    output = raw.get("output", _default_output(grid))
    _check_output(output, {"notebook", *map(str, grid), *map(str, fixed)}, grid, report)
    if notebook is not None:
        _check_values(notebook, grid, fixed, report)
    if len(report.problems) > before:
        return None
    return Entry(notebook, dict(grid), dict(fixed), output, timeout)


def _check_notebook(value: Any, report: _Report) -> Path | None:
    """The entry's notebook as a path to an existing file, or None after reporting why not."""
    if value is None:
        report("is missing; give the notebook path (relative to the project root)", "notebook")
        return None
    if not isinstance(value, str) or not value.endswith(".ipynb"):
        report(f"{value!r} is not a notebook path; expected a path ending in .ipynb", "notebook")
        return None
    notebook = Path(value) if Path(value).is_absolute() else paths.root() / value
    if not notebook.is_file():
        report(f"{value} not found (relative to the project root {paths.root()})", "notebook")
        return None
    return notebook


def _check_grid(grid: Any, report: _Report) -> dict:
    """The entry's ``grid`` mapping (empty when it is not one); each value a list of distinct values."""
    if not isinstance(grid, dict):
        report("expected a mapping parameter -> list of values, e.g. {lang: [vi, en]}", "grid")
        return {}
    for name, values in grid.items():
        if not isinstance(values, list):
            report(f"expected a list of values, e.g. [{values!r}]", "grid", str(name))
        elif not values:
            report("is an empty list; give at least one value", "grid", str(name))
        elif len(set(map(repr, values))) != len(values):
            report(f"has repeated values {values!r}", "grid", str(name))
    return grid


def _check_output(output: Any, known: set[str], grid: dict, report: _Report) -> None:
    """The ``output`` pattern uses only the entry's parameters (and ``{notebook}``)."""
    default = _default_output(grid)
    if not isinstance(output, str) or not output:
        report(f"{output!r} is not a pattern; expected e.g. {default!r}", "output")
        return
    try:
        unknown = [f for f in _fields(output) if f not in known]
    except ValueError as exc:
        report(f"{output!r} is not a valid pattern ({exc}); expected e.g. {default!r}", "output")
        return
    for f in unknown:
        report(
            f"pattern {output!r} uses {{{f}}}, which is not a parameter of this entry; "
            f"accepted fields: {', '.join('{' + k + '}' for k in sorted(known))}",
            "output",
        )


def _check_values(notebook: Path, grid: dict, fixed: dict, report: _Report) -> None:
    """Every fixed and grid value fits the notebook's parameters cell."""
    try:
        declared = read_parameters(notebook)
    except InputError as exc:
        for p in exc.problems:
            report(str(p), at="notebook")
        return
    for key, values in (("parameters", fixed), ("grid", grid)):
        for name, vals in values.items():
            vals = vals if key == "grid" and isinstance(vals, list) else [vals]
            for v in vals:
                for msg in check_parameters(notebook, {name: v}, declared=declared):
                    report(msg, key, str(name))


def _check_names(jobs: list[Job], where: str) -> list[Problem]:
    """Output names safe as file names, and none repeated."""
    problems = []
    seen: dict[str, int] = {}
    for job in jobs:
        seen[job.name] = seen.get(job.name, 0) + 1
        if not _NAME_RE.match(job.name):
            problems.append(
                Problem(
                    where,
                    f"output name {job.name!r} is not a safe file name; "
                    "use letters, digits, '.', '_' and '-'",
                )
            )
    dupes = [name for name, k in seen.items() if k > 1]
    if dupes:
        problems.append(
            Problem(
                where,
                f"output names repeat ({', '.join(dupes[:5])}); put every grid parameter in "
                "'output', e.g. '{notebook}_{scenario}_{lang}'",
            )
        )
    return problems


def _expand(entries: Iterable[Entry]) -> list[Job]:
    jobs = []
    for e in entries:
        names = list(e.grid)
        for combo in itertools.product(*(e.grid[k] for k in names)):
            params = {**e.parameters, **dict(zip(names, combo, strict=True))}
            fields = {"notebook": e.notebook.stem, **{k: _name_part(v) for k, v in params.items()}}
            jobs.append(Job(e.output.format(**fields), e.notebook, params, tuple(names), e.timeout))
    return jobs


def _name_part(value: Any) -> Any:
    """A value as it goes into an output name: scalars as they are (so '{n:03d}' works),
    lists and dicts flattened to a safe string."""
    if isinstance(value, (list, tuple, dict)):
        return re.sub(r"[^A-Za-z0-9._-]+", "-", json.dumps(value)).strip("-")
    return value
