"""A notebook's parameters cell, read with :mod:`ast` (never executed), and value checks.

:func:`read_parameters` turns the cell tagged ``parameters`` into :class:`Param` objects
(name, type, default, optional, help comment, allowed values); :func:`check_value` and
:func:`check_parameters` say, one line per problem, why grid values do not fit them.

Allowed values are declared in the help comment, readable in ``papermill --help-notebook``:
``lang: str = "vi"  # display language [one of: vi, en]``; ``""`` stands for the empty
text; a pattern with ``*`` names files whose stems are the values
(``[one of: data/scenarios/*.yml]``; ``data/`` is :func:`dvcanalysis.paths.data_dir`).
Help comments hold no ``=`` (papermill cannot read a line with two).
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dvcanalysis import paths
from dvcanalysis.errors import InputError, Problem

_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "list": (list, tuple),
    "tuple": (list, tuple),
    "dict": (dict,),
}


@dataclass(frozen=True)
class Param:
    """One parameter declared in a notebook's ``parameters`` cell."""

    name: str
    type: str  # "int", "float", "str", "bool", "list", "dict" or "any"
    default: Any = None
    optional: bool = False  # ``X | None``: None is accepted
    help: str = ""
    choices: tuple[str, ...] = ()  # declared allowed values ("[one of: ...]" in the help)

    def allowed(self) -> list[str] | None:
        """The allowed values (file patterns expanded), or None when any value is allowed."""
        if not self.choices:
            return None
        out: list[str] = []
        for c in self.choices:
            if "*" in c:
                base = paths.data_dir() if c.startswith("data/") else paths.root()
                pattern = c[len("data/") :] if c.startswith("data/") else c
                out += sorted(p.stem for p in base.glob(pattern))
            else:
                out.append(c)
        return out

    def __str__(self) -> str:
        optional = " | None" if self.optional and self.type != "any" else ""
        return f"{self.name}: {self.type}{optional}"


def _annotation(node: ast.expr | None) -> tuple[str, bool]:
    """(type name, optional) from an annotation node; 'any' when not one we check."""
    if node is None:
        return "any", False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "int"
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return "any", False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        for a, b in ((node.left, node.right), (node.right, node.left)):
            if isinstance(b, ast.Constant) and b.value is None:
                return _annotation(a)[0], True
        return "any", False
    if isinstance(node, ast.Subscript):
        base = node.value
        if isinstance(base, ast.Name) and base.id == "Optional":
            return _annotation(node.slice)[0], True
        node = base  # list[str] -> list
    if isinstance(node, ast.Name):
        name = {"List": "list", "Dict": "dict", "Tuple": "tuple"}.get(node.id, node.id)
        return (name if name in _TYPES else "any"), False
    if isinstance(node, ast.Attribute) and node.attr in ("List", "Dict", "Tuple"):
        return node.attr.lower(), False
    return "any", False


def _infer(value: Any) -> str:
    """The type name of a literal default (for parameters declared without annotation)."""
    for name, types in (("bool", bool), ("int", int), ("float", float), ("str", str)):
        if isinstance(value, types):
            return name
    if isinstance(value, (list, tuple)):
        return "list"
    return "dict" if isinstance(value, dict) else "any"


def _comments(source: str) -> dict[int, str]:
    """Line number -> comment text, read with tokenize (a '#' inside a string is not one)."""
    import io
    import tokenize

    out = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


_CHOICES = re.compile(r"\[one of: ([^\]]+)\]")


def _choices(help_: str) -> tuple[str, ...]:
    """``[one of: a, b, ""]`` in a help comment -> ``("a", "b", "")``."""
    m = _CHOICES.search(help_)
    if not m:
        return ()
    return tuple(
        c.strip().strip('"').strip("'") if c.strip() in ('""', "''") else c.strip()
        for c in m.group(1).split(",")
    )


def read_parameters(notebook: Path | str) -> dict[str, Param]:
    """The parameters a notebook declares, parsed (not executed) from its cell tagged ``parameters``.

    Annotated assignments ``name: type = default  # help`` give the type; a plain
    ``name = literal`` gets the literal's type. Raises :class:`InputError` if the
    notebook cannot be read or the cell is not valid Python.
    """
    notebook = Path(notebook)
    where = paths.relative(notebook)
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{where}: cannot read the notebook ({exc})") from None
    source = None
    for cell in cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get(
            "tags", []
        ):
            src = cell.get("source", "")
            source = "".join(src) if isinstance(src, list) else src
            break
    if source is None:
        return {}
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise InputError(
            Problem(
                where, f"the cell tagged 'parameters' is not valid Python: {exc.msg}", exc.lineno
            )
        ) from None
    comments = _comments(source)
    out: dict[str, Param] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name, (typ, optional), value = stmt.target.id, _annotation(stmt.annotation), stmt.value
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            name, typ, optional, value = stmt.targets[0].id, None, False, stmt.value
        else:
            continue
        try:
            default = ast.literal_eval(value) if value is not None else None
        except ValueError:
            default = None
        if typ is None:
            typ = _infer(default)
            optional = default is None
        help_ = comments.get(stmt.end_lineno or stmt.lineno, "")
        out[name] = Param(name, typ, default, optional, help_, _choices(help_))
    return out


def _is_literal(value: Any) -> bool:
    """True for str, int, float (finite), bool, None and lists/dicts of them."""
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(_is_literal(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_literal(v) for k, v in value.items())
    return False


def type_name(value: Any) -> str:
    """A value's type as error messages name it (``None``, ``int``, ``str``, ``list``, ...)."""
    return "None" if value is None else type(value).__name__


def check_value(param: Param, value: Any) -> str | None:
    """Why ``value`` does not fit ``param`` (None if it fits)."""
    if not _is_literal(value):
        return f"{param.name}={value!r} is not a literal (str, int, float, bool, list or dict); quote it"
    if value is None:
        return (
            None
            if (param.optional or param.type == "any")
            else f"{param.name}=None is not accepted; expected {param.type}"
        )
    if param.type == "any":
        return None
    accepted = _TYPES[param.type]
    if isinstance(value, bool) and bool not in accepted:
        ok = False
    else:
        ok = isinstance(value, accepted)
    if not ok:
        return f"{param.name}={value!r} is {type_name(value)}; expected {param}"
    allowed = param.allowed()
    if allowed is not None and isinstance(value, str) and value not in allowed:
        shown = ", ".join(repr(a) for a in allowed) or "(none found)"
        return f"{param.name}={value!r} is not accepted; expected one of: {shown}"
    return None


def check_parameters(
    notebook: Path | str, values: dict[str, Any], *, declared: dict[str, Param] | None = None
) -> list[str]:
    """Problems with ``values`` for ``notebook``: unknown names and wrong types, one line each.

    Each line ends with what the notebook accepts (names with types).
    """
    declared = read_parameters(notebook) if declared is None else declared
    accepts = (
        ", ".join(str(p) for p in declared.values())
        or "no parameters (no cell tagged 'parameters')"
    )
    where = paths.relative(notebook)
    problems = []
    for name, value in values.items():
        if name not in declared:
            problems.append(f"parameter '{name}' is not accepted by {where}; it accepts: {accepts}")
            continue
        why = check_value(declared[name], value)
        if why:
            problems.append(f"{why} ({where} accepts: {accepts})")
    return problems
