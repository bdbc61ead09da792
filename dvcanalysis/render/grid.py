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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dvcanalysis import _io, paths
from dvcanalysis.errors import InputError, Problem
from dvcanalysis.render.params import check_parameters, read_parameters, type_name

ENTRY_KEYS = ("notebook", "grid", "parameters", "output", "timeout")
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


def _key_lines(text: str):
    """A function (entry index, key, sub-key) -> 1-based line in the YAML text, or None."""
    import yaml

    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        root = None

    def line(i: int | None = None, key: str | None = None, sub: str | None = None) -> int | None:
        node = root
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


def load_grid(path: Path | str) -> Grid:
    """Read and check a grid file; raise :class:`InputError` listing every problem.

    Checks: the file is a YAML list of entries with keys ``notebook`` (an existing
    ``.ipynb``), ``grid`` (name -> non-empty list), ``parameters`` (name -> value),
    ``output`` (a ``{notebook}``/``{parameter}`` pattern) and ``timeout``; every value
    is a literal of the type the notebook's parameters cell declares; output names
    are unique and safe as file names.
    """

    text = _io.read_text_strict(path, what="grid file (YAML)")
    path = Path(path)
    where = paths.relative(path)
    data = _io.load_yaml(text, where)
    line = _key_lines(text)
    accepted = ", ".join(ENTRY_KEYS)
    if not isinstance(data, list) or not data:
        raise InputError(
            Problem(
                where, f"expected a non-empty list of entries, each a mapping with keys: {accepted}"
            )
        )
    problems: list[Problem] = []
    entries: list[Entry] = []
    jobs: list[Job] = []
    for i, raw in enumerate(data):
        n = i + 1

        def bad(msg: str, key: str | None = None, sub: str | None = None, *, n=n, i=i) -> None:
            what = f"entry {n}" + (f" key '{key}'" if key else "") + (f" '{sub}'" if sub else "")
            problems.append(Problem(where, f"{what}: {msg}", line(i, key, sub)))

        if not isinstance(raw, dict):
            bad(f"expected a mapping with keys: {accepted}; got {type_name(raw)}")
            continue
        before = len(problems)
        for key in raw:
            if key not in ENTRY_KEYS:
                bad(f"is not accepted; expected one of: {accepted}", str(key))
        nb_value = raw.get("notebook")
        notebook = None
        if nb_value is None:
            bad("is missing; give the notebook path (relative to the project root)", "notebook")
        elif not isinstance(nb_value, str) or not nb_value.endswith(".ipynb"):
            bad(
                f"{nb_value!r} is not a notebook path; expected a path ending in .ipynb", "notebook"
            )
        else:
            notebook = Path(nb_value) if Path(nb_value).is_absolute() else paths.root() / nb_value
            if not notebook.is_file():
                bad(
                    f"{nb_value} not found (relative to the project root {paths.root()})",
                    "notebook",
                )
                notebook = None
        grid = raw.get("grid") or {}
        if not isinstance(grid, dict):
            bad("expected a mapping parameter -> list of values, e.g. {lang: [vi, en]}", "grid")
            grid = {}
        for name, values in grid.items():
            if not isinstance(values, list):
                bad(f"expected a list of values, e.g. [{values!r}]", "grid", str(name))
            elif not values:
                bad("is an empty list; give at least one value", "grid", str(name))
            elif len(set(map(repr, values))) != len(values):
                bad(f"has repeated values {values!r}", "grid", str(name))
        fixed = raw.get("parameters") or {}
        if not isinstance(fixed, dict):
            bad("expected a mapping parameter -> value, e.g. {seed: 0}", "parameters")
            fixed = {}
        for name in sorted(set(grid) & set(fixed), key=str):
            bad("is both in 'grid' and in 'parameters'; keep it in one", "parameters", str(name))
        timeout = raw.get("timeout")
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0
        ):
            bad(
                f"{timeout!r} is not accepted; expected a positive whole number of seconds",
                "timeout",
            )
        default_output = "{notebook}" + "".join(f"_{{{k}}}" for k in grid)
        output = raw.get("output", default_output)
        known = {"notebook", *map(str, grid), *map(str, fixed)}
        if not isinstance(output, str) or not output:
            bad(f"{output!r} is not a pattern; expected e.g. {default_output!r}", "output")
        else:
            try:
                unknown = [f for f in _fields(output) if f not in known]
            except ValueError as exc:
                bad(
                    f"{output!r} is not a valid pattern ({exc}); expected e.g. {default_output!r}",
                    "output",
                )
            else:
                for f in unknown:
                    bad(
                        f"pattern {output!r} uses {{{f}}}, which is not a parameter of this entry; "
                        f"accepted fields: {', '.join('{' + k + '}' for k in sorted(known))}",
                        "output",
                    )
        if notebook is not None:
            try:
                declared = read_parameters(notebook)
            except InputError as exc:
                problems.extend(
                    Problem(where, f"entry {n}: {p}", line(i, "notebook")) for p in exc.problems
                )
                declared = None
            if declared is not None:
                for key, values in (("parameters", fixed), ("grid", grid)):
                    for name, vals in values.items():
                        vals = vals if key == "grid" and isinstance(vals, list) else [vals]
                        for v in vals:
                            for msg in check_parameters(notebook, {name: v}, declared=declared):
                                bad(msg, key, str(name))
        if len(problems) == before:
            entry = Entry(notebook, dict(grid), dict(fixed), output, timeout)
            try:
                jobs += _expand([entry])
            except (ValueError, TypeError, KeyError, IndexError) as exc:
                bad(
                    f"pattern {output!r} cannot be filled in ({exc}); e.g. {default_output!r}",
                    "output",
                )
            entries.append(entry)
    if problems:
        raise InputError(problems)
    seen: dict[str, int] = {}
    for job in jobs:
        seen[job.name] = seen.get(job.name, 0) + 1
        if not _NAME_RE.match(job.name):
            problems.append(
                Problem(
                    where,
                    f"output name {job.name!r} is not a safe file name; use letters, digits, '.', '_' and '-'",
                )
            )
    dupes = [name for name, k in seen.items() if k > 1]
    if dupes:
        problems.append(
            Problem(
                where,
                f"output names repeat ({', '.join(dupes[:5])}); put every grid parameter in 'output', "
                "e.g. '{notebook}_{scenario}_{lang}'",
            )
        )
    if problems:
        raise InputError(problems)
    return Grid(path, entries, jobs)


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
