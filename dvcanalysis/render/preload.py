"""Which modules a warm-kernel template pre-imports, read from the notebooks (no kernel runs).

A worker's template (:mod:`dvcanalysis.render.template`) imports what a kernel imports at
start (:data:`BASE_PRELOAD`) and the modules that every notebook of the grid imports, found
by reading their ``import`` statements (:func:`notebook_imports`, :func:`preload_for`). Only
common imports: a kernel must not find a module that its own notebook does not import. A
notebook's own imports go to a *layer* forked from the template, chosen by the same rule
(:func:`dvcanalysis.render.warm.prepare`). Modules that hook into the running kernel when
imported (:data:`NEVER_PRELOAD`) are never pre-imported; the submodules a package imports on
first use (:data:`LAZY_SUBMODULES`) are pre-imported with it.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from pathlib import Path

#: imported by every template: what a fresh kernel imports while it starts (the debugger
#: alone is about 130 modules); ``test_base_preload_is_what_a_fresh_kernel_imports`` checks it
BASE_PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.interactiveshell",
    "IPython.core.completer",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "sqlite3",
    "tornado.locks",
    "tornado.platform.asyncio",
    "tornado.queues",
)
#: submodules a package imports on first use (a figure drawn or saved, a table shown),
#: pre-imported when the package itself is (measured: in a kernel after a briefing, not
#: in the template)
LAZY_SUBMODULES = {
    "matplotlib": (
        "matplotlib.backends.backend_agg",
        "matplotlib.backends.backend_svg",
        "IPython.core.pylabtools",
        "PIL.PngImagePlugin",
    ),
    "pandas": ("pandas.io.formats.csvs", "pandas.io.formats.html", "pandas.io.formats.string"),
}
#: never pre-imported: modules that hook into the running kernel when imported
NEVER_PRELOAD = (
    "matplotlib_inline.backend_inline",
    "tqdm.notebook",
    "tqdm.autonotebook",
    "tqdm.auto",
)


def notebook_imports(notebook: Path | str) -> list[str]:
    """Absolute module names a notebook's code cells import (``a.b`` for ``from a import b``).

    Cells that are not plain Python (magics) are skipped; relative imports are ignored.
    """
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    names: list[str] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
                names += [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
    return list(dict.fromkeys(names))


def preload_for(notebooks: Iterable[Path | str]) -> list[str]:
    """The modules a template pre-imports for these notebooks: :data:`BASE_PRELOAD`, then the
    modules *every* one of them imports (in the first one's order), without
    :data:`NEVER_PRELOAD`.

    Only common imports: a kernel must not find a module that its own notebook does not
    import (a module can change global state when imported, e.g. matplotlib's style).
    ``a.b`` names that are attributes, not modules, are skipped by the template.
    """
    sets = [notebook_imports(nb) for nb in dict.fromkeys(str(n) for n in notebooks)]
    common = set(sets[0]).intersection(*sets[1:]) if sets else set()
    names = list(BASE_PRELOAD) + [n for n in (sets[0] if sets else []) if n in common]
    return [n for n in dict.fromkeys(names) if not _never(n)]


def _never(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in NEVER_PRELOAD)
