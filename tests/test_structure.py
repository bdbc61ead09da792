"""The package keeps the structure rules of CONTRIBUTING.md (checked by ``scripts/structure.py``)."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("structure", ROOT / "scripts" / "structure.py")
structure = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(structure)


def test_package_keeps_the_rules():
    assert structure.breaches(ROOT / "dvcanalysis") == []


@pytest.fixture
def package(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text('__all__ = ["public"]\n')
    (pkg / "_io.py").write_text("def _helper():\n    return 1\n")
    return pkg


def _long(name: str, n: int, doc: str = "Do it.") -> str:
    body = "".join(f"    x{i} = {i}\n" for i in range(n))
    return f'def {name}():\n    """{doc}"""\n{body}'


def test_a_long_function_is_a_breach_unless_its_docstring_says_why(package):
    (package / "a.py").write_text(_long("short", 80) + "\n\n" + _long("long", 81))
    found = structure.breaches(package)
    assert len(found) == 1 and "a.py:" in found[0] and " long: 81 lines" in found[0]
    reason = "Do it.\n\n    Length: one table of cases, read top to bottom.\n    "
    (package / "a.py").write_text(_long("long", 81, doc=reason))
    assert structure.breaches(package) == []


def test_a_private_name_taken_from_another_module_is_a_breach(package):
    (package / "b.py").write_text("from pkg._io import _helper\nfrom pkg import _io\n")
    assert structure.breaches(package) == [f"{package / 'b.py'}:1: from pkg._io import _helper"]


def test_a_private_name_in_all_is_a_breach(package):
    (package / "__init__.py").write_text(
        textwrap.dedent('__all__ = ["public", "_hidden", "__version__"]\n')
    )
    assert structure.breaches(package) == [f"{package / '__init__.py'}: __all__ lists _hidden"]
