"""Batch briefing renderer: a grid of parameterised notebooks -> HTML briefings.

``dvcanalysis render [GRID] [--out DIR]`` reads a grid file (default
``data/briefings.yml``), checks every parameter against the notebook's cell
tagged ``parameters`` before any kernel starts, runs the cartesian product of
each entry's grid with papermill in long-lived worker processes (a fresh kernel
per notebook), and writes under ``DIR`` (default ``out/``):

``<name>.ipynb``
    the executed notebook (papermill's injected-parameters cell included);
``<name>.html``
    a self-contained page (images inline as data URIs, code hidden);
``<name>_figures/``
    the figures the notebook saved (``DVC_FIGURES_DIR`` points there);
``index.html``
    every briefing of the run (parameters, status, duration, relative link);
``manifest.json``
    per run: ``parameters``, ``status`` (ok / failed / skipped), ``duration_s``,
    ``worker_peak_mb`` (``ru_maxrss`` of the worker process so far),
    ``kernel_peak_mb`` (``VmHWM`` of that run's kernel, read before it shuts down),
    ``error`` (``cell_index`` in the source notebook, ``ename``, ``evalue``),
    ``outputs`` (relative to ``DIR``) and ``inputs`` (hashes and their ``key``).

A run is skipped when its record (``DIR/.records/<name>.json``, written last)
holds the same input key (notebook file, parameters, package source, data
files) and its outputs exist; ``--force`` redoes it. Every file is written under
a temporary name and renamed, so a killed run never leaves an output that a
re-run would take for done.

The grid file is a list of entries::

    - notebook: notebooks/01_evidence.ipynb       # relative to the project root
      grid: {lang: [vi, en]}                      # cartesian product of the lists
      parameters: {seed: 0}                       # optional fixed values
      output: "{notebook}_{lang}"                 # optional; default: notebook + grid values
      timeout: 600                                # optional; seconds per cell

Speed: worker processes import papermill and nbconvert once (without
jsonschema's optional IRI checker, about 1-2 s per import), every notebook gets a
fresh kernel that is shut down immediately, and the HTML is exported in-process.
``run_grid`` takes any :class:`concurrent.futures.Executor`; ``--scheduler``
uses a Dask cluster's ``Client.get_executor()``.

Heavy imports (papermill, nbconvert, dask) happen inside functions: the CLI
imports this module at start-up.
"""

from __future__ import annotations

import ast
import fnmatch
import hashlib
import html
import itertools
import json
import math
import os
import re
import shutil
import string
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dvcanalysis import _io, paths
from dvcanalysis.errors import InputError, Problem

ENTRY_KEYS = ("notebook", "grid", "parameters", "output", "timeout")
RECORDS = ".records"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "list": (list, tuple),
    "tuple": (list, tuple),
    "dict": (dict,),
}


# --------------------------------------------------------------------------
# Parameters cell
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter declared in a notebook's ``parameters`` cell."""

    name: str
    type: str  # "int", "float", "str", "bool", "list", "dict" or "any"
    default: Any = None
    optional: bool = False  # ``X | None``: None is accepted
    help: str = ""

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
        out[name] = Param(name, typ, default, optional, help_)
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


def _type_name(value: Any) -> str:
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
        return f"{param.name}={value!r} is {_type_name(value)}; expected {param}"
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


# --------------------------------------------------------------------------
# Grid file
# --------------------------------------------------------------------------


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
    import yaml

    path = Path(path)
    where = paths.relative(path)
    if not path.exists():
        raise InputError(f"{where}: file not found")
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            Problem(
                where,
                f"not valid YAML: {getattr(exc, 'problem', exc)}",
                mark.line + 1 if mark else None,
            )
        ) from None
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
            bad(f"expected a mapping with keys: {accepted}; got {_type_name(raw)}")
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


# --------------------------------------------------------------------------
# Input hashes and records
# --------------------------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tree_hash(root: Path, *, skip: Sequence[Path] = ()) -> str:
    """Content hash of every file under ``root`` (names and bytes), caches and dotfiles excluded."""
    h = hashlib.sha256()
    skip_set = {p.resolve() for p in skip}
    if root.is_dir():
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root)
            if (
                not p.is_file()
                or "__pycache__" in rel.parts
                or any(part.startswith(".") for part in rel.parts)
                or p.suffix == ".pyc"
                or p.resolve() in skip_set
            ):
                continue
            h.update(rel.as_posix().encode() + b"\0" + _sha(p.read_bytes()).encode() + b"\0")
    return h.hexdigest()


def shared_hashes(*, grid_path: Path | None = None) -> dict[str, str]:
    """Hashes shared by every run: the package source (with labels) and the data folder.

    Grid files (``data/briefings*.yml`` and ``grid_path``) are left out: adding an
    entry to the grid must not invalidate the briefings already rendered.
    """
    data = paths.data_dir()
    skip = [p for p in data.glob("briefings*.y*ml")] + ([grid_path] if grid_path else [])
    return {
        "package": _tree_hash(Path(__file__).resolve().parent),
        "data": _tree_hash(data, skip=skip),
    }


def job_inputs(job: Job, shared: dict[str, str]) -> dict[str, str]:
    """The input hashes of one run and their combined ``key``."""
    inputs = {
        "notebook": _sha(job.notebook.read_bytes()),
        "parameters": _sha(json.dumps(job.parameters, sort_keys=True, ensure_ascii=False).encode()),
        **shared,
    }
    inputs["key"] = _sha(json.dumps(inputs, sort_keys=True).encode())
    return inputs


def _write(target: Path, text: str) -> Path:
    """Write atomically (``_io.write_with``), readable by others as the umask allows:
    the folder is meant to be shared as it is."""
    umask = os.umask(0)
    os.umask(umask)

    def writer(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o666 & ~umask)

    return _io.write_with(target, writer)


def _record_path(out_dir: Path, name: str) -> Path:
    return out_dir / RECORDS / f"{name}.json"


def up_to_date(job: Job, out_dir: Path, key: str) -> dict | None:
    """The record of a finished run if its key matches and its outputs exist, else None."""
    try:
        record = json.loads(_record_path(out_dir, job.name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("inputs", {}).get("key") != key or record.get("status") != "ok":
        return None
    if not all((out_dir / p).exists() for p in record.get("outputs", [])):
        return None
    return record


def _clean_partials(out_dir: Path, name: str) -> None:
    """Remove temporary files a killed run of ``name`` may have left (``_io.atomic_path`` names)."""
    pat = re.compile(rf"^\.{re.escape(name)}\.[A-Za-z0-9_]{{8}}\.partial\.[a-z]+$")
    for d in (out_dir, out_dir / RECORDS):
        if d.is_dir():
            for p in d.iterdir():
                if pat.match(p.name):
                    p.unlink(missing_ok=True)


# --------------------------------------------------------------------------
# Worker side (runs in worker processes or Dask workers)
# --------------------------------------------------------------------------

_WARM_LOCK = threading.Lock()
_WARM: dict[str, Any] = {}


def _warm() -> None:
    """Import papermill once per process and register the engine; build the HTML
    exporter in a background thread, while the first kernel starts and runs.

    jsonschema imports the optional ``rfc3987_syntax`` IRI checker at import time
    (about 1 s, building a grammar); nbformat validates with fastjsonschema and a
    draft-4 schema that has no IRI formats, so it is kept out while jsonschema loads.
    """
    with _WARM_LOCK:
        if _WARM:
            return
        blocked = "rfc3987_syntax" not in sys.modules and "jsonschema" not in sys.modules
        if blocked:
            sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
        try:
            import jsonschema  # noqa: F401
        finally:
            if blocked and sys.modules.get("rfc3987_syntax", 0) is None:
                del sys.modules["rfc3987_syntax"]
        import papermill  # noqa: F401
        from papermill.engines import papermill_engines

        papermill_engines.register("dvcanalysis", _engine_class())
        _WARM["exporters"] = {}
        owner = threading.get_ident()

        def build() -> None:
            exporter = _new_exporter()
            import nbformat

            # compile the templates now, not when the first briefing is done
            exporter.from_notebook_node(nbformat.v4.new_notebook())
            _WARM["exporters"][owner] = exporter

        thread = threading.Thread(target=build, daemon=True, name="dvc-exporter")
        thread.start()
        _WARM["building"] = (owner, thread)


def _new_exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="briefing",
        extra_template_basedirs=[str(Path(__file__).resolve().parent / "templates")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


def _watch_parent() -> None:
    """Process-pool initializer: warm up, and exit if the runner dies (SIGKILL leaves no orphans)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="dvc-parent-watch").start()
    _warm()


def _kernel_peak_kb(km: Any) -> int | None:
    """Peak resident memory of the kernel process (Linux ``VmHWM``), read before it shuts down."""
    try:
        pid = km.provisioner.process.pid
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1])
    except Exception:  # not Linux, or no local kernel process
        return None
    return None


def _engine_class():
    """A papermill engine: nbclient with an explicit kernel env and cwd (no os.environ or chdir,
    so it is safe in threads), that hands back the notebook even when a cell fails."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args
    from traitlets import default

    class KernelClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            """As jupyter_client's, but the last drain of IOPub waits 20 ms, not 200 ms.

            The kernel is ready once it answered ``kernel_info`` on the shell channel
            and IOPub delivered a message (so no output is lost); what is still
            queued on IOPub then is status chatter that nbclient ignores anyway
            (it matches replies by parent id). Saves 0.2 s per notebook.
            """
            from queue import Empty

            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:
                            await self.iopub_channel.get_msg(timeout=0.2)
                        except Empty:
                            pass  # IOPub not connected yet: ask again
                        else:
                            self._handle_kernel_info_reply(msg)
                            break
                if not await self.is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
            while True:
                try:
                    await self.iopub_channel.get_msg(timeout=0.02)
                except Empty:
                    break

    class KernelManager(AsyncKernelManager):
        @default("client_factory")
        def _client_factory_default(self):
            return KernelClient

    class Client(PapermillNotebookClient):
        sink: dict = {}

        def papermill_execute_cells(self):
            try:
                super().papermill_execute_cells()
            finally:
                self.sink["kernel_peak_kb"] = _kernel_peak_kb(self.km)

        def execute_cell(self, cell, cell_index, *args, **kwargs):
            # the index in the source notebook (papermill's injected cell not counted),
            # so that a timeout or a dead kernel is also pinned to its cell
            if "injected-parameters" not in cell.get("metadata", {}).get("tags", []):
                self.sink["cell"] = self.sink.get("cell", -1) + 1
            return super().execute_cell(cell, cell_index, *args, **kwargs)

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            kernel_env=None,
            kernel_cwd=None,
            sink=None,
            **kwargs,
        ):
            sink = {} if sink is None else sink
            sink["nb"] = nb_man.nb
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout or kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                kernel_manager_class=KernelManager,
            )
            client = Client(nb_man, **final)
            client.sink = sink
            start = {}
            if kernel_env is not None:
                start["env"] = kernel_env
            if kernel_cwd is not None:
                start["cwd"] = kernel_cwd
            # the kernel process's own stderr carries only start-up chatter (cell output
            # travels over the messaging channels)
            start["stderr"] = subprocess.DEVNULL
            return client.execute(**start)

    return Engine


def _export_html(nb: Any, name: str, lang: str) -> str:
    """The briefing page; one exporter per thread (they are not shared between threads)."""
    me = threading.get_ident()
    owner, thread = _WARM["building"]
    if owner == me:
        thread.join()
    exporter = _WARM["exporters"].get(me)
    if exporter is None:  # another thread, or the background build failed
        exporter = _WARM["exporters"][me] = _new_exporter()
    exporter.language_code = lang
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    return body


def _run_job(spec: dict) -> dict:
    """Execute one notebook and write its outputs; never raises (failures are in the result)."""
    start = time.perf_counter()
    out_dir = Path(spec["out_dir"])
    name = spec["name"]
    result: dict[str, Any] = {"name": name, "status": "failed", "error": None, "outputs": []}
    try:
        _warm()
        import nbformat
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        record = _record_path(out_dir, name)
        record.unlink(missing_ok=True)  # no stale record may vouch for the new outputs
        figures = out_dir / f"{name}_figures"
        shutil.rmtree(figures, ignore_errors=True)
        notebook = Path(spec["notebook"])
        env = {
            **os.environ,
            "DVC_FIGURES_DIR": str(figures.resolve()),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        kernel = (
            json.loads(notebook.read_text(encoding="utf-8"))
            .get("metadata", {})
            .get("kernelspec", {})
        )
        sink: dict[str, Any] = {}
        try:
            pm.execute_notebook(
                str(notebook),
                None,
                parameters=spec["parameters"],
                engine_name="dvcanalysis",
                kernel_name=kernel.get("name") or "python3",
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=spec.get("timeout"),
                shutdown_kernel="immediate",
                kernel_env=env,
                kernel_cwd=str(notebook.parent),
                sink=sink,
            )
            result["status"] = "ok"
        except PapermillExecutionError as exc:
            result["error"] = {
                "ename": exc.ename,
                "evalue": str(exc.evalue)[:2000],
                "execution_count": exc.exec_count,
            }
        except Exception as exc:  # dead kernel, timeout, ...
            result["error"] = {
                "ename": type(exc).__name__,
                "evalue": str(exc)[:2000],
                "execution_count": None,
            }
        nb = sink.get("nb")
        if result["error"] is not None:
            result["error"]["cell_index"] = sink.get("cell")  # None: no cell ran
        result["kernel_peak_mb"] = (
            round(sink["kernel_peak_kb"] / 1024, 1) if sink.get("kernel_peak_kb") else None
        )
        if nb is not None:
            meta = nb.metadata.setdefault("papermill", {})
            meta["input_path"] = paths.relative(notebook)
            meta["output_path"] = f"{name}.ipynb"
            _write(out_dir / f"{name}.ipynb", nbformat.writes(nb) + "\n")
            lang = spec["parameters"].get("lang")
            html_text = _export_html(nb, name, lang if lang in ("vi", "en") else "en")
            _write(out_dir / f"{name}.html", html_text)
            result["outputs"] = [f"{name}.ipynb", f"{name}.html"]
        if figures.is_dir():
            result["outputs"].append(f"{name}_figures")
    except Exception as exc:  # the runner's own failure: report it, keep the other runs going
        result["status"] = "failed"
        result["error"] = {
            "ename": type(exc).__name__,
            "evalue": str(exc)[:2000],
            "cell_index": None,
            "execution_count": None,
        }
    import resource

    result["duration_s"] = round(time.perf_counter() - start, 2)
    result["worker_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["worker_pid"] = os.getpid()
    if result["status"] == "ok":
        done = {
            "name": name,
            "status": "ok",
            "inputs": spec["inputs"],
            "outputs": result["outputs"],
            "duration_s": result["duration_s"],
        }
        _write(_record_path(out_dir, name), json.dumps(done, indent=1, ensure_ascii=False) + "\n")
    return result


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


@dataclass
class Planned:
    """One run of the plan: the job, its inputs, and the record if it can be skipped."""

    job: Job
    inputs: dict[str, str]
    record: dict | None

    @property
    def skip(self) -> bool:
        return self.record is not None


def plan(
    jobs: Sequence[Job], out_dir: Path | str, *, force: bool = False, grid_path: Path | None = None
) -> list[Planned]:
    """Which runs are up to date (skipped) and which must run."""
    out_dir = Path(out_dir)
    shared = shared_hashes(grid_path=grid_path)
    out = []
    for job in jobs:
        inputs = job_inputs(job, shared)
        record = None if force else up_to_date(job, out_dir, inputs["key"])
        out.append(Planned(job, inputs, record))
    return out


def _base_row(p: Planned) -> dict[str, Any]:
    return {
        "name": p.job.name,
        "notebook": paths.relative(p.job.notebook),
        "parameters": p.job.parameters,
        "varying": list(p.job.varying),
        "inputs": p.inputs,
    }


def _skipped_row(p: Planned) -> dict[str, Any]:
    return {
        **_base_row(p),
        "status": "skipped",
        "duration_s": p.record.get("duration_s") if p.record else None,
        "outputs": p.record.get("outputs", []) if p.record else [],
        "error": None,
    }


def _cores() -> int:
    """Cores this process may use (the affinity mask, as in containers), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run_grid(
    jobs: Sequence[Job],
    *,
    out_dir: Path | str | None = None,
    executor: Executor | None = None,
    max_workers: int | None = None,
    force: bool = False,
    progress: bool | None = None,
    grid_path: Path | None = None,
    listed: Sequence[Job] | None = None,
) -> list[dict]:
    """Run ``jobs`` (skipping up-to-date ones) and write ``manifest.json`` and ``index.html``.

    Parameters
    ----------
    jobs
        The runs, e.g. ``load_grid(path).jobs``.
    out_dir
        Output folder (default :func:`dvcanalysis.paths.out_dir`).
    executor
        Any :class:`concurrent.futures.Executor` (e.g. a Dask ``Client.get_executor()``);
        its workers must see ``out_dir``, the notebooks and ``data/`` at the same paths
        (a shared file system) and have dvcanalysis installed. Default: a process pool of
        ``max_workers`` (default: the number of cores) that imports papermill once.
    force
        Redo runs even when up to date.
    progress
        Show a progress bar (default: when stderr is a terminal).
    listed
        The whole grid when ``jobs`` is a selection (``--only``): its other briefings
        that are up to date are listed too (as skipped), so ``index.html`` still links
        every briefing in the folder.

    Returns
    -------
    list of dict
        One row per listed job, in grid order, as in ``manifest.json``.
    """
    from tqdm import tqdm

    out_dir = Path(out_dir) if out_dir is not None else paths.out_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    planned = plan(jobs, out_dir, force=force, grid_path=grid_path)
    rows: dict[str, dict] = {}
    for p in planned:
        if p.skip:
            rows[p.job.name] = _skipped_row(p)
    chosen = {j.name for j in jobs}
    for p in plan([j for j in listed or () if j.name not in chosen], out_dir, grid_path=grid_path):
        if p.skip:
            rows[p.job.name] = _skipped_row(p)
    todo = [p for p in planned if not p.skip]
    for p in todo:
        _clean_partials(out_dir, p.job.name)
    order = [j.name for j in listed] if listed else [p.job.name for p in planned]

    def write_reports(finished: bool) -> None:
        listed = [rows[n] for n in order if n in rows]
        write_manifest(out_dir, listed, finished=finished, grid_path=grid_path)
        write_index(out_dir, listed)

    own = None
    if todo and executor is None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        workers = max(1, min(max_workers or _cores(), len(todo)))
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else None
        own = executor = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context(method), initializer=_watch_parent
        )
    bar = tqdm(
        total=len(planned),
        initial=len(planned) - len(todo),
        unit="nb",
        disable=(None if progress is None else not progress),
        file=sys.stderr,
    )
    futures: dict = {}
    try:
        for p in todo:
            spec = {
                "name": p.job.name,
                "notebook": str(p.job.notebook.resolve()),
                "parameters": p.job.parameters,
                "timeout": p.job.timeout,
                "out_dir": str(out_dir.resolve()),
                "inputs": p.inputs,
            }
            futures[executor.submit(_run_job, spec)] = p
        from concurrent.futures import as_completed

        for fut in as_completed(futures):
            p = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # the worker itself died
                res = {
                    "status": "failed",
                    "error": {
                        "ename": type(exc).__name__,
                        "evalue": str(exc),
                        "cell_index": None,
                        "execution_count": None,
                    },
                    "outputs": [],
                    "duration_s": None,
                }
            rows[p.job.name] = {**_base_row(p), **{k: v for k, v in res.items() if k != "name"}}
            mark = "ok" if res["status"] == "ok" else "FAILED"
            dur = f"{res['duration_s']:.1f} s" if res.get("duration_s") is not None else "-"
            tqdm.write(f"{mark:6} {p.job.name}  {dur}", file=sys.stderr)
            bar.update(1)
            write_reports(finished=False)
    except KeyboardInterrupt:
        for fut in futures:
            fut.cancel()
        if own is not None:
            _terminate_workers(own)
        for p in todo:
            if p.job.name not in rows:
                rows[p.job.name] = {
                    **_base_row(p),
                    "status": "failed",
                    "error": {
                        "ename": "Interrupted",
                        "evalue": "the runner was interrupted before this briefing finished",
                        "cell_index": None,
                        "execution_count": None,
                    },
                    "outputs": [],
                    "duration_s": None,
                }
        write_reports(finished=False)
        raise
    finally:
        bar.close()
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)
    write_reports(finished=True)
    return [rows[n] for n in order if n in rows]


def _terminate_workers(pool: Any) -> None:
    """Stop a process pool's workers now (their kernels exit with them)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
        return
    for proc in list(getattr(pool, "_processes", {}).values()):
        proc.terminate()


def write_manifest(
    out_dir: Path, rows: list[dict], *, finished: bool = True, grid_path: Path | None = None
) -> Path:
    """Write ``manifest.json``: one entry per run with parameters, status, timing, memory, errors, hashes."""
    counts = {s: sum(r["status"] == s for r in rows) for s in ("ok", "failed", "skipped")}
    doc = {
        "grid": paths.relative(grid_path) if grid_path else None,
        "finished": finished,
        "summary": counts,
        "runs": rows,
    }
    return _write(
        out_dir / "manifest.json", json.dumps(doc, indent=1, ensure_ascii=False, default=str) + "\n"
    )


def write_index(out_dir: Path, rows: list[dict]) -> Path:
    """Write ``index.html``: a self-contained table of the briefings with relative links."""
    template = string.Template(
        (Path(__file__).resolve().parent / "templates" / "index.html").read_text(encoding="utf-8")
    )
    columns: list[str] = []
    for r in rows:
        for k in [*r.get("varying", []), *(["lang"] if "lang" in r["parameters"] else [])]:
            if k not in columns:
                columns.append(k)
    header = "".join(
        f"<th>{html.escape(c)}</th>"
        for c in ["notebook", *columns, "status", "duration", "briefing"]
    )
    body = []
    for r in rows:
        cells = [html.escape(Path(r["notebook"]).stem)]
        cells += [html.escape(str(r["parameters"].get(c, ""))) for c in columns]
        status = r["status"]
        err = r.get("error") or {}
        note = ""
        if err:
            where = f" (cell {err['cell_index']})" if err.get("cell_index") is not None else ""
            note = f'<div class="error">{html.escape(err.get("ename", ""))}{where}: {html.escape(str(err.get("evalue", ""))[:200])}</div>'
        cells.append(f'<span class="{status}">{status}</span>{note}')
        dur = r.get("duration_s")
        cells.append(f"{dur:.1f} s" if isinstance(dur, (int, float)) else "")
        link = f"{r['name']}.html"
        cells.append(
            f'<a href="{html.escape(link)}">{html.escape(link)}</a>'
            if (out_dir / link).exists()
            else ""
        )
        tds = "".join(
            f'<td class="num">{c}</td>' if i == len(cells) - 2 else f"<td>{c}</td>"
            for i, c in enumerate(cells)
        )
        body.append(f"<tr>{tds}</tr>")
    counts = {s: sum(r["status"] == s for r in rows) for s in ("ok", "failed", "skipped")}
    summary = f"{len(rows)} briefing(s): {counts['ok']} rendered, {counts['skipped']} up to date, {counts['failed']} failed."
    text = template.substitute(summary=html.escape(summary), header=header, rows="\n".join(body))
    return _write(out_dir / "index.html", text)


def summary_table(rows: list[dict]) -> str:
    """A plain-text table of the runs (printed at the end of ``dvcanalysis render``)."""
    head = ("briefing", "status", "time", "worker MB", "kernel MB", "error")
    data = []
    for r in rows:
        err = r.get("error") or {}
        msg = ""
        if err:
            cell = f"cell {err['cell_index']}: " if err.get("cell_index") is not None else ""
            first = (str(err.get("evalue") or "").splitlines() or [""])[0]
            msg = f"{cell}{err.get('ename', '')}: {first}"[:80]
        fmt = lambda v, spec: format(v, spec) if isinstance(v, (int, float)) else "-"  # noqa: E731
        data.append(
            (
                r["name"],
                r["status"],
                fmt(r.get("duration_s"), ".1f"),
                fmt(r.get("worker_peak_mb"), ".0f"),
                fmt(r.get("kernel_peak_mb"), ".0f"),
                msg,
            )
        )
    widths = [max(len(str(x[i])) for x in [head, *data]) for i in range(len(head))]
    lines = [
        "  ".join(str(x[i]).ljust(widths[i]) for i in range(len(head))).rstrip()
        for x in [head, *data]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def add_cli(subparsers: Any) -> None:
    """Register ``dvcanalysis render``."""
    r = subparsers.add_parser(
        "render",
        help="render the briefing grid (default data/briefings.yml) into HTML under out/",
        description=__doc__.splitlines()[0],
    )
    r.add_argument("grid", nargs="?", help="grid file (default: data/briefings.yml)")
    r.add_argument("--out", help="output folder (default: out/)")
    r.add_argument(
        "--jobs", "-j", type=int, default=None, help="worker processes (default: number of cores)"
    )
    r.add_argument(
        "--only",
        action="append",
        metavar="PATTERN",
        help="run only output names matching this glob (repeatable)",
    )
    r.add_argument(
        "--dry-run",
        action="store_true",
        help="list what would run and what is up to date; run nothing",
    )
    r.add_argument("--force", action="store_true", help="redo runs even when up to date")
    r.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="run on this Dask distributed scheduler"
    )
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_render)


def select(jobs: Sequence[Job], patterns: Sequence[str] | None) -> list[Job]:
    """The jobs whose output name matches one of the glob ``patterns`` (all if none)."""
    if not patterns:
        return list(jobs)
    chosen = [j for j in jobs if any(fnmatch.fnmatchcase(j.name, p) for p in patterns)]
    if not chosen:
        names = ", ".join(j.name for j in jobs[:10]) + (", ..." if len(jobs) > 10 else "")
        raise InputError(f"--only {' '.join(patterns)}: matches no briefing; names are: {names}")
    return chosen


def cmd_render(args: Any) -> int:
    grid_path = Path(args.grid) if args.grid else paths.data_dir() / "briefings.yml"
    out_dir = Path(args.out) if args.out else paths.out_dir()
    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"--jobs {args.jobs}: expected a whole number of at least 1")
    grid = load_grid(grid_path)
    jobs = select(grid.jobs, args.only)
    if args.dry_run:
        for p in plan(jobs, out_dir, force=args.force, grid_path=grid_path):
            params = ", ".join(f"{k}={v!r}" for k, v in p.job.parameters.items())
            verb = "skip" if p.skip else "run "
            why = "  (up to date)" if p.skip else ""
            print(f"{verb} {p.job.name}: {paths.relative(p.job.notebook)} [{params}]{why}")
        return 0
    executor = client = None
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise InputError(
                "--scheduler needs the 'distributed' package (pip install distributed)"
            ) from None
        try:
            client = Client(args.scheduler, timeout="10s")
        except OSError as exc:
            raise InputError(f"--scheduler {args.scheduler}: cannot connect ({exc})") from None
        executor = client.get_executor()
    try:
        rows = run_grid(
            jobs,
            out_dir=out_dir,
            executor=executor,
            max_workers=args.jobs,
            force=args.force,
            progress=False if args.no_progress else None,
            grid_path=grid_path,
            listed=grid.jobs,
        )
    finally:
        if client is not None:
            client.close()
    print(summary_table(rows))
    print(
        f"index: {paths.relative(out_dir / 'index.html')}  manifest: {paths.relative(out_dir / 'manifest.json')}"
    )
    return 1 if any(r["status"] == "failed" for r in rows) else 0
