"""Structure checks of the package's source (run by ``tests/test_structure.py``; also a script).

Two rules of CONTRIBUTING.md, checked on the source text with :mod:`ast`:

* **No long function without a reason.** A function whose body has more than
  :data:`MAX_BODY_LINES` lines (its docstring not counted) must say why in its docstring, in a
  line starting with ``Length:``.
* **No private name crosses a module.** ``from dvcanalysis.x import _name`` is refused when
  ``_name`` is a function, class or constant of another module (make it public where it is
  shared, or move it). A private *module* of the package (``dvcanalysis._io``,
  ``dvcanalysis.plots._base``) may be imported inside the package.

Usage: ``python scripts/structure.py [PACKAGE_DIR]`` prints one line per breach, longest
function and largest module last, and exits 1 when there is a breach.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_BODY_LINES = 80
REASON_MARK = "Length:"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _modules(package: Path):
    for path in sorted(package.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function from its first statement after the docstring to its end."""
    body = node.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(getattr(body[0], "value", None), ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    if not body:
        return 0
    return node.end_lineno - body[0].lineno + 1


def functions(package: Path) -> list[tuple[int, str, bool]]:
    """``(body_lines, "path:line name", has_reason)`` of every function, longest first."""
    rows = []
    for path, tree in _modules(package):
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node) or ""
                reason = any(line.strip().startswith(REASON_MARK) for line in doc.splitlines())
                rows.append((body_lines(node), f"{path}:{node.lineno} {node.name}", reason))
    return sorted(rows, key=lambda r: -r[0])


def _is_module(package: Path, module: str, name: str) -> bool:
    parts = module.split(".")[1:] + [name]
    base = package.joinpath(*parts)
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def private_imports(package: Path) -> list[str]:
    """``path:line: from M import _name`` for every private name taken from another module."""
    out = []
    root = package.name
    for path, tree in _modules(package):
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.level == 0
                and node.module.split(".")[0] == root
            ):
                for alias in node.names:
                    if _private(alias.name) and not _is_module(package, node.module, alias.name):
                        out.append(f"{path}:{node.lineno}: from {node.module} import {alias.name}")
    return out


def private_exports(package: Path) -> list[str]:
    """``path: __all__ lists _name`` for every private name a package exports."""
    out = []
    for path, tree in _modules(package):
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) == "__all__" for t in node.targets
            ):
                for elt in getattr(node.value, "elts", []):
                    if isinstance(elt, ast.Constant) and _private(str(elt.value)):
                        out.append(f"{path}: __all__ lists {elt.value}")
    return out


def module_sizes(package: Path) -> list[tuple[int, str]]:
    """``(lines, path)`` of every module, largest first."""
    return sorted(
        ((len(p.read_text(encoding="utf-8").splitlines()), str(p)) for p in package.rglob("*.py")),
        reverse=True,
    )


def breaches(package: Path) -> list[str]:
    """Every breach of the two rules (empty when the package keeps them)."""
    long = [
        f"{where}: {n} lines, no '{REASON_MARK}' reason in its docstring"
        for n, where, reason in functions(package)
        if n > MAX_BODY_LINES and not reason
    ]
    return long + private_imports(package) + private_exports(package)


def main(argv: list[str]) -> int:
    package = Path(argv[0] if argv else "dvcanalysis")
    found = breaches(package)
    for line in found:
        print(line)
    n, where, _ = functions(package)[0]
    lines, path = module_sizes(package)[0]
    print(f"longest function: {where} ({n} body lines); largest module: {path} ({lines} lines)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
