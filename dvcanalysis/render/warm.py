"""Warm kernels: a template process imports the heavy modules once, then forks a fresh kernel per notebook.

Starting a kernel and importing numpy, pandas, matplotlib and the package costs
about 1.2 s of CPU per notebook, more than most briefings compute. Each worker
process therefore keeps one *template*: a single-threaded Python process that
imports what a kernel imports at start and the modules that every notebook of the
grid imports (found by reading their ``import`` statements, :func:`preload_for`),
then waits. For each notebook
the worker's kernel manager asks it to ``fork()``; the child becomes an ordinary
ipykernel (``python -m ipykernel_launcher -f CONNECTION_FILE``) with the
notebook's environment and working directory. The child starts from the template's
untouched state, so whatever a notebook changes (globals, rc parameters, working
directory, environment, warnings filters, random state, imported modules) dies
with its process: the next notebook forks from the same clean template. A pool of
pre-started kernels reset between notebooks would have to undo every such change
and could never be sure it had (a module-level cache, a monkey-patch); a fork gets
that for free, and it starts faster (see ``benchmarks/bench_render.py``).

What a forked kernel does differently from a fresh one, and why it is the same:

* modules are already imported, but only those the notebook imports itself (and
  the submodules matplotlib and pandas import on first use), before its first cell
  runs, with the template's environment: the worker's,
  with ``MPLBACKEND`` set as ipykernel would; per-notebook variables such as
  ``DVC_FIGURES_DIR`` must be read when used, not at import, as
  :mod:`dvcanalysis.paths` does);
* a module whose import asks ``get_ipython()`` (it behaves differently inside a
  kernel) is not pre-imported: the template notes it and is restarted without
  it, so the notebook imports it itself, inside its kernel; except known hooks
  (:data:`KERNEL_HOOKS`: ipywidgets registers its comm targets), which the forked
  kernel runs once its shell exists,
  except modules that only test whether they run in a kernel (:data:`KERNEL_CHECKS`:
  pandas' display defaults), which are told yes, as their kernel would;
* numpy's global random state is reseeded from the OS in every child, as a new
  process would be (Python's ``random`` reseeds itself after ``fork``);
* ``PYTHONHASHSEED`` is the template's (the same for every kernel of a worker): a
  notebook whose output depends on the order of a set of strings is not
  reproducible in either mode;
* the template's objects are frozen out of the garbage collector (``gc.freeze``)
  before it forks, so kernels do not copy the pages they live on.

The template pre-imports only what every notebook of the grid imports. For each notebook,
a *layer* forked from the template imports that notebook's own modules (the same rule:
only what the notebook imports) and calls their warm-up hooks (:data:`WARMUP_HOOK`: a
module fills the caches of what it reads from files, e.g. the evidence table and labels);
the notebook's kernels fork from the layer, which is kept while jobs of the same notebook
follow and popped (it ends once its kernels have) when another notebook comes.

A template is used only while every file it (or its layer) imported or read while
warming up is unchanged (size and mtime), so a long-lived Dask worker picks up an edited
package or data file. The template
exits when its stdin closes, which happens however its worker ends (also on
SIGKILL); a kernel dies with its template (``PR_SET_PDEATHSIG``) and is stopped by
the worker's kernel manager through a pidfd (no pid reuse race). Kernels talk
over ``ipc`` sockets in a private temporary folder: no TCP port is picked.
"""

from __future__ import annotations

import ast
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

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
LAUNCHER = "ipykernel_launcher"


# --------------------------------------------------------------------------
# Which modules to pre-import (read from the notebooks; no kernel)
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# The template process (python -c "from dvcanalysis.render.warm import _serve; _serve()")
# --------------------------------------------------------------------------


#: the process names (``/proc/PID/comm``, what ``ps -o comm`` and ``top`` show) of a
#: template and of the kernels it forks; their command line is the template's
TEMPLATE_NAME = b"dvc-template"
KERNEL_NAME = b"dvc-kernel"


def _set_name(name: bytes) -> None:
    """Name this process (Linux ``PR_SET_NAME``; else a no-op)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(15, ctypes.c_char_p(name), 0, 0, 0)
    except Exception:  # noqa: BLE001 - not Linux
        pass


def _set_pdeathsig(parent: int) -> None:
    """Die (SIGKILL) when the parent dies; exit now if it already has (Linux; else a no-op)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:  # not Linux
        return
    if os.getppid() != parent:
        os._exit(1)


#: modules that call the bare name ``get_ipython()`` at import only to test whether they
#: run in a kernel (``hasattr(get_ipython(), "kernel")``); pandas sets its display
#: defaults that way (``display.max_columns`` 20 in a kernel, 0 in a terminal)
KERNEL_CHECKS = ("pandas.core.config_init",)


#: modules that hook into the kernel when imported, and the function that does it: a
#: forked kernel calls it once its shell exists, as the import would have in a fresh
#: kernel (ipywidgets registers its comm targets; seaborn imports ipywidgets)
KERNEL_HOOKS = {"ipywidgets": "_handle_ipython"}


class _KernelShellStandIn:
    """What :data:`KERNEL_CHECKS` modules get from ``get_ipython()`` in the template: like
    the shell of the kernel they will run in, it has a ``kernel``."""

    kernel = None


def _preload(names: Sequence[str]) -> dict[str, Any]:
    """Import ``names`` in order; report failures and the modules whose import asked get_ipython()."""
    import builtins
    import importlib

    from IPython.core import getipython

    real = getipython.get_ipython
    asked: list[str] = []
    current: list[str] = []

    def get_ipython():  # noqa: ANN202 - same signature as IPython's
        if current and sys._getframe(1).f_globals.get("__name__") not in KERNEL_HOOKS:
            asked.append(current[0])
        return real()

    def bare_get_ipython():  # noqa: ANN202 - the name IPython puts in builtins
        # in a kernel, the bare name exists; here it would not: answer as a kernel would
        # for known checks, and count any other use as asking
        if sys._getframe(1).f_globals.get("__name__") in KERNEL_CHECKS:
            return _KernelShellStandIn()
        if current:
            asked.append(current[0])
        raise NameError("name 'get_ipython' is not defined")

    get_ipython.__doc__ = real.__doc__
    import IPython

    getipython.get_ipython = IPython.get_ipython = get_ipython
    had_bare = hasattr(builtins, "get_ipython")
    if not had_bare:
        builtins.get_ipython = bare_get_ipython  # type: ignore[attr-defined]
    failed: dict[str, str] = {}
    try:
        for name in names:
            parent, _, attr = name.rpartition(".")
            if parent and parent in sys.modules and hasattr(sys.modules[parent], attr):
                if not isinstance(getattr(sys.modules[parent], attr), type(sys)):
                    continue  # `from a import b` where b is not a module
            current[:] = [name]
            try:
                importlib.import_module(name)
            except Exception as exc:  # noqa: BLE001 - the notebook will import it itself
                if not (parent and isinstance(exc, ModuleNotFoundError) and exc.name == name):
                    failed[name] = f"{type(exc).__name__}: {exc}"[:300]
            current.clear()
        for package, lazy in LAZY_SUBMODULES.items():
            if package in sys.modules:
                for name in lazy:
                    current[:] = [name]
                    try:
                        importlib.import_module(name)
                    except Exception as exc:  # noqa: BLE001
                        failed[name] = f"{type(exc).__name__}: {exc}"[:300]
                    current.clear()
    finally:
        getipython.get_ipython = IPython.get_ipython = real
        if not had_bare:
            del builtins.get_ipython
    files = {}
    for mod in list(sys.modules.values()):
        f = getattr(mod, "__file__", None)
        if f:
            try:
                st = os.stat(f)
            except OSError:
                continue
            files[f] = [st.st_mtime_ns, st.st_size]
    return {"failed": failed, "tainted": sorted(set(asked)), "files": files}


def _serve() -> None:
    """The template's main loop: pre-import, say ready, then fork a kernel per request line."""
    _set_name(TEMPLATE_NAME)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped by the system
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # as ipykernel_launcher does
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    first = json.loads(inp.readline())
    report = _ready(first["preload"])
    _say(out, report)
    _loop(inp, out, report["pid"])


def _ready(names: Sequence[str]) -> dict[str, Any]:
    """Pre-import ``names``, run their warm-up hooks, freeze the heap; the report to send."""
    start = time.perf_counter()
    report = _preload(names)
    warmed = _warmup(names)
    report["files"].update(warmed.pop("files"))
    report["failed"].update(warmed.pop("failed"))
    report.update(warmed)
    report["import_s"] = round(time.perf_counter() - start, 3)
    report["threads"] = threading.active_count()
    import gc

    gc.collect()
    gc.freeze()  # a kernel's collections leave the template's objects alone (and unshared pages)
    report["pid"] = os.getpid()
    report["private_kb"] = _private_kb(report["pid"])  # before any kernel shares its pages
    return report


def _say(out: Any, reply: dict) -> None:
    out.write(json.dumps(reply).encode() + b"\n")
    out.flush()


def _loop(inp: Any, out: Any, me: int) -> None:
    """Answer requests, one line each, until stdin ends (or a ``pop`` ends this layer).

    Requests: ``{"args", "env", "cwd", "stderr"}`` forks a kernel (reply ``{"pid"}``);
    ``{"op": "layer", "preload": [...]}`` forks a *layer*: a child that imports more
    modules and runs their warm-up hooks, then answers the requests that follow (kernels
    fork from it) until ``{"op": "pop"}``, when it exits and this process answers again
    (reply ``{"popped": pid}``). The worker sends a request only after the reply to the
    previous one, so no process reads a line meant for another.
    """
    while True:
        line = inp.readline()
        if not line:  # the worker closed our stdin or died
            os._exit(0)
        req = json.loads(line)
        op = req.get("op", "kernel")
        if op == "pop":
            _popped()  # never returns
        if op == "layer":
            _say(out, _fork_layer(req, me))
            continue
        try:
            pid = os.fork()
        except OSError as exc:
            _say(out, {"error": str(exc)})
            continue
        if pid == 0:
            if op == "pdf":
                _pdf_child(req, me)
            _child(req, me)
        _say(out, {"pid": pid})


#: in a layer: the write end of the pipe its parent waits on while the layer serves
_POP_FD: list[int] = []


def _fork_layer(req: dict, me: int) -> dict:
    """Fork a layer and wait until it is popped (or dies): the reply to the layer request."""
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError as exc:
        os.close(r)
        os.close(w)
        return {"error": str(exc)}
    if pid == 0:
        os.close(r)
        _POP_FD[:] = [w]
        _layer(req, me)
    os.close(w)
    try:
        os.read(r, 1)  # a byte when popped; end of file if the layer died
    finally:
        os.close(r)
    return {"popped": pid}


def _popped() -> None:
    """A layer's answer to ``pop``: hand the requests back to its parent, then end once the
    kernels it forked have ended (they die with it: it must not go first)."""
    if not _POP_FD:  # the base template has nothing below it: a misuse; end
        os._exit(1)
    os.write(_POP_FD[0], b"p")
    os.close(_POP_FD[0])
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):  # let go of the worker's pipes
        os.dup2(null, fd)
    os.close(null)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    while True:
        try:
            os.wait()
        except ChildProcessError:
            os._exit(0)
        except InterruptedError:
            continue


def _layer(req: dict, parent: int) -> None:
    """In a forked layer: import the notebook's own modules, warm up, then serve requests."""
    code = 1
    try:
        _set_pdeathsig(parent)
        report = _ready(req["preload"])
        _say(sys.stdout.buffer, report)
        _loop(sys.stdin.buffer, sys.stdout.buffer, report["pid"])
        code = 0
    except BaseException:  # noqa: BLE001 - say why on the template's stderr, then exit
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


#: the name of a module-level function that a pre-imported module may define: the template
#: (or layer) calls it once after the imports, so that the caches it fills (what the module
#: reads from files, keyed by the files' stamps) are inherited by every kernel forked from it.
#: It must leave no other trace (rc parameters, globals, imported modules the notebook would
#: not import): ``tests/test_render_warm.py`` renders the same notebooks both ways.
WARMUP_HOOK = "__dvc_warmup__"


def _warmup(names: Sequence[str]) -> dict[str, Any]:
    """Call the warm-up hooks of the modules in ``names`` (in order); the files they opened
    (with their stamps, so that the template is replaced when one changes) and failures."""
    opened: set[str] = set()
    active = [True]

    def audit(event: str, args: tuple) -> None:
        if active[0] and event == "open" and isinstance(args[0], str | bytes):
            opened.add(os.fsdecode(args[0]))

    failed: dict[str, str] = {}
    hooks = []
    for name in dict.fromkeys(names):
        hook = getattr(sys.modules.get(name), WARMUP_HOOK, None)
        if callable(hook) and hook not in hooks:
            hooks.append((name, hook))
    if hooks:
        sys.addaudithook(audit)  # audit hooks cannot be removed: it is switched off below
    start = time.perf_counter()
    try:
        for name, hook in hooks:
            try:
                hook()
            except Exception as exc:  # noqa: BLE001 - the kernel will do the work itself
                failed[f"{name}.{WARMUP_HOOK}"] = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        active[0] = False
    files = {}
    for f in sorted(opened):
        try:
            st = os.stat(f)
        except OSError:
            continue
        if os.path.isfile(f):
            files[os.path.abspath(f)] = [st.st_mtime_ns, st.st_size]
    return {
        "files": files,
        "failed": failed,
        "warmed": [name for name, _ in hooks],
        "warmup_s": round(time.perf_counter() - start, 3),
    }


#: the process name of a child that typesets one PDF
PDF_NAME = b"dvc-pdf"


def _pdf_child(req: dict, template: int) -> None:
    """In a forked child: typeset one PDF (:func:`dvcanalysis.render.pdf.write_pdf`), write
    the outcome and this process's memory to ``req["result"]`` (JSON), exit.

    Typst is never loaded in the template itself: it starts threads, after which a fork is
    not safe. Each child loads it (about 0.15 s of CPU) and gives its memory back on exit.
    """
    result: dict[str, Any] = {}
    try:
        for fd in _POP_FD:
            os.close(fd)
        _POP_FD.clear()
        _set_pdeathsig(template)
        _set_name(PDF_NAME)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        from dvcanalysis.render import pdf

        doc = json.loads(Path(req["doc"]).read_text(encoding="utf-8"))
        pdf.write_pdf(doc, Path(req["figures"]), Path(req["target"]))
        result["ok"] = True
    except BaseException as exc:  # noqa: BLE001 - reported to the worker through the file
        result["error"] = f"{type(exc).__name__}: {exc}"[:2000]
    finally:
        try:
            result["private_kb"] = _private_kb(os.getpid())
            result["peak_kb"] = _status_kb(os.getpid(), "VmHWM")
            Path(req["result"]).write_text(json.dumps(result), encoding="utf-8")
        finally:
            os._exit(0)


def _child(req: dict, template: int) -> None:
    """In the forked child: become ``python -m ipykernel_launcher ARGS`` with the job's env and cwd."""
    code = 1
    try:
        for fd in _POP_FD:  # a layer's pipe to its parent is not the kernel's
            os.close(fd)
        _POP_FD.clear()
        os.setsid()  # its own process group, as jupyter_client starts kernels
        _set_pdeathsig(template)
        _set_name(KERNEL_NAME)
        for sig in (signal.SIGINT, signal.SIGCHLD, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        err = (
            os.open(req["stderr"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            if req.get("stderr")
            else null
        )
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(err, 2)
        for fd in {null, err}:
            os.close(fd)
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        if "numpy" in sys.modules:  # a new process would draw a new seed
            sys.modules["numpy"].random.seed()
        sys.argv = [str(Path(sys.modules["ipykernel"].__file__).parent.parent / f"{LAUNCHER}.py")]
        sys.argv += req["args"]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()  # as kernelapp.launch_new_instance, with the hooks
        app.initialize()
        for module, hook in KERNEL_HOOKS.items():
            if module in sys.modules:
                getattr(sys.modules[module], hook)()
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - report on the kernel's stderr, then exit
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


# --------------------------------------------------------------------------
# The worker side: one template per worker process, a provisioner that forks from it
# --------------------------------------------------------------------------


class TemplateError(RuntimeError):
    """The template process could not be started or did not answer."""


class Template:
    """A running template process (worker side); :meth:`fork` is safe to call from threads."""

    def __init__(self, preload: Sequence[str], *, start_timeout: float = 120.0) -> None:
        self.preload = list(preload)
        env = {
            **os.environ,
            "MPLBACKEND": os.environ.get("MPLBACKEND")
            or "module://matplotlib_inline.backend_inline",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        self._stderr = tempfile.TemporaryFile()  # why it failed, if it does
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from dvcanalysis.render.warm import _serve; _serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            cwd="/",
            start_new_session=True,  # Ctrl-C in the terminal is the runner's to handle
        )
        self._lock = threading.Lock()
        self.proc.stdin.write(json.dumps({"preload": self.preload}).encode() + b"\n")
        self.proc.stdin.flush()
        self.report = self._reply(start_timeout)
        self.files: dict[str, list[int]] = self.report.pop("files")
        self.layer: dict[str, Any] | None = None  # the layer kernels fork from, if any

    def _reply(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else b""
        if not line:
            # end of its stdout: it ended (perhaps not reaped yet); else it is still silent
            how = "exited" if ready else f"did not answer in {timeout:.0f} s"
            self.close()
            self._stderr.seek(0)
            tail = self._stderr.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            raise TemplateError(
                f"the warm-kernel template process {how}"
                + ("; its stderr ends: " + " | ".join(tail) if tail else "")
            )
        return json.loads(line)

    @property
    def tainted(self) -> list[str]:
        return self.report.get("tainted", [])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def unchanged(self) -> bool:
        """Every file the template (and its layer) imported or read warming up still has its
        size and mtime."""
        files = {**self.files, **(self.layer or {}).get("files", {})}
        for f, (mtime, size) in files.items():
            try:
                st = os.stat(f)
            except OSError:
                return False
            if st.st_mtime_ns != mtime or st.st_size != size:
                return False
        return True

    def _ask(self, req: dict, timeout: float) -> dict:
        try:
            self.proc.stdin.write(json.dumps(req).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError as exc:
            raise TemplateError(f"the warm-kernel template process is gone ({exc})") from None
        reply = self._reply(timeout)
        if "popped" in reply and req.get("op") != "pop":
            self.layer = None  # the layer died: its parent answered instead
            raise TemplateError("the warm-kernel template's layer died")
        return reply

    def set_layer(self, preload: Sequence[str], *, timeout: float = 120.0) -> dict | None:
        """Make kernels fork from a layer that has also imported ``preload`` (and run their
        warm-up hooks): the current one if it has the same modules, else a new one (the
        current one is popped first; it ends once its kernels have). Empty: no layer.

        A module whose import asked ``get_ipython()`` is left to the kernel, as in the
        template. Returns the layer's report (or None).
        """
        with self._lock:
            return self._set_layer(preload, timeout)

    def _set_layer(self, preload: Sequence[str], timeout: float) -> dict | None:
        wanted = list(dict.fromkeys(n for n in preload if n not in self.preload))
        for _ in range(3):
            wanted = [n for n in wanted if n not in _TEMPLATE.get("tainted", ())]
            if self.layer is not None and self.layer["preload"] == wanted:
                return self.layer
            if self.layer is not None:
                self._ask({"op": "pop"}, 30.0)
                self.layer = None
            if not wanted:
                return None
            report = self._ask({"op": "layer", "preload": wanted}, timeout)
            if "error" in report:
                raise TemplateError(
                    f"the warm-kernel template could not fork a layer: {report['error']}"
                )
            self.layer = {**report, "preload": wanted}
            if not report.get("tainted"):
                break
            _TEMPLATE.setdefault("tainted", set()).update(report["tainted"])
        return self.layer

    def fork(
        self,
        args: Sequence[str],
        env: dict[str, str],
        cwd: str,
        stderr: str | None,
        *,
        layer: Sequence[str] = (),
    ) -> int:
        """Fork a kernel (``ipykernel_launcher ARGS``) from the layer for ``layer`` (the
        notebook's own imports; none: from the template itself); its pid. Choosing the
        layer and forking are one step, so that threads of one worker (Dask) each get
        their own notebook's layer."""
        req = {"args": list(args), "env": env, "cwd": cwd, "stderr": stderr}
        with self._lock:
            self._set_layer(layer, 120.0)
            reply = self._ask(req, 30.0)
        if "pid" not in reply:
            raise TemplateError(f"the warm-kernel template could not fork: {reply.get('error')}")
        return int(reply["pid"])

    def typeset(self, doc: dict, figures_dir: Path, target: Path, timeout: float) -> dict:
        """Typeset ``doc`` into ``target`` in a child forked from the layer (or the template);
        the child's report (``ok`` or ``error``, ``private_kb``, ``peak_kb``)."""
        with tempfile.TemporaryDirectory(prefix="dvc-pdf-") as tmp:
            doc_file, result = Path(tmp) / "doc.json", Path(tmp) / "result.json"
            doc_file.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
            req = {
                "op": "pdf",
                "doc": str(doc_file),
                "figures": str(figures_dir),
                "target": str(target),
                "result": str(result),
            }
            with self._lock:
                reply = self._ask(req, 30.0)
            if "pid" not in reply:
                raise TemplateError(
                    f"the warm-kernel template could not fork: {reply.get('error')}"
                )
            child = ForkedProcess(int(reply["pid"]))
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(5)
                raise TemplateError(f"typesetting the PDF took over {timeout:.0f} s") from None
            finally:
                child._close()
            if not result.is_file():
                raise TemplateError("the PDF process ended without saying how it went")
            return json.loads(result.read_text(encoding="utf-8"))

    def close(self) -> None:
        """End the template (it exits at the end of its stdin; killed if it does not) and
        reap it, so that it does not linger as a zombie."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass


class ForkedProcess:
    """The bits of :class:`subprocess.Popen` a kernel provisioner uses, for a process that is
    not our child: liveness and signals through a pidfd (Linux), else the pid."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self.fd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self.fd = None

    def poll(self) -> int | None:
        if self.returncode is None:
            if self.fd is not None:
                ready, _, _ = select.select([self.fd], [], [], 0)
                gone = bool(ready)
            else:
                try:
                    os.kill(self.pid, 0)
                    gone = False
                except ProcessLookupError:
                    gone = True
            if gone:
                self.returncode = -1  # not our child: the exit status is the template's
                self._close()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if self.fd is not None:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                select.select([self.fd], [], [], left)
            else:
                time.sleep(0.01)
            if deadline is not None and time.monotonic() >= deadline and self.poll() is None:
                raise subprocess.TimeoutExpired("kernel", timeout or 0)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, sig: int) -> None:
        if self.poll() is not None:
            return
        if self.fd is not None:
            signal.pidfd_send_signal(self.fd, sig)
        else:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def _close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


_TEMPLATE_LOCK = threading.Lock()
_TEMPLATE: dict[str, Any] = {}


def get_template(preload: Sequence[str]) -> Template:
    """This process's template for ``preload``, started (or restarted) as needed.

    Restarted when it died, when a file it imported changed, or when ``preload`` differs
    (a template with more modules would show them to notebooks that do not import them);
    a template whose pre-imports asked ``get_ipython()`` is replaced by one without them.
    """
    with _TEMPLATE_LOCK:
        tpl: Template | None = _TEMPLATE.get("template")
        wanted = [n for n in preload if n not in _TEMPLATE.get("tainted", ())]
        if tpl is not None and (
            not tpl.alive() or set(wanted) != set(tpl.preload) or not tpl.unchanged()
        ):
            tpl.close()
            tpl = None
        for _ in range(3):
            if tpl is not None:
                break
            if not _TEMPLATE.get("atexit"):  # reap it when the worker exits normally
                import atexit

                atexit.register(close_template)
                _TEMPLATE["atexit"] = True
            tpl = Template(wanted)
            if tpl.tainted:
                _TEMPLATE.setdefault("tainted", set()).update(tpl.tainted)
                wanted = [n for n in wanted if n not in tpl.tainted]
                tpl.close()
                tpl = None
        if tpl is None:
            tpl = Template([n for n in BASE_PRELOAD])
        _TEMPLATE["template"] = tpl
        return tpl


def current_template() -> Template | None:
    """This process's running template, if it has one (for the PDF of a warm run)."""
    with _TEMPLATE_LOCK:
        tpl = _TEMPLATE.get("template")
        return tpl if tpl is not None and tpl.alive() else None


def close_template() -> None:
    """Stop this process's template (it would also die with the process)."""
    with _TEMPLATE_LOCK:
        tpl = _TEMPLATE.pop("template", None)
        if tpl is not None:
            tpl.close()


_IPC_DIR: list[str] = []


def _ipc_dir() -> str:
    """A private folder for this process's kernels' ipc sockets (short: socket paths are limited)."""
    if not _IPC_DIR:
        _IPC_DIR.append(tempfile.mkdtemp(prefix="dvc-k-"))
        import atexit
        import shutil

        atexit.register(shutil.rmtree, _IPC_DIR[0], True)
    return _IPC_DIR[0]


def provisioner_hook(template: Template, sink: dict, layer: Sequence[str] = ()) -> Any:
    """A function ``(kernel manager) -> None`` that makes the manager fork its kernel from
    ``template`` over ipc sockets; ``sink["kernel_mode"]`` says what happened (``warm``, or
    ``fresh`` when the kernel spec is not this Python's ipykernel)."""
    import uuid

    from jupyter_client.provisioning import LocalProvisioner

    class WarmProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs: Any):
            args = _launcher_args(cmd)
            if args is None:  # another language or Python: start it as jupyter_client would
                sink["kernel_mode"] = "fresh"
                return await super().launch_kernel(cmd, **kwargs)
            env = dict(kwargs.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(template.proc.pid)  # its parent; PDEATHSIG does the rest
            cwd = str(kwargs.get("cwd") or os.getcwd())
            # the engine may hand the kernel a file for its stderr: the child appends to it
            err = getattr(kwargs.get("stderr"), "name", None)
            err = err if isinstance(err, str) else None
            pid = template.fork(args, env, cwd, err, layer=layer)
            self.process = ForkedProcess(pid)
            self.pid = self.pgid = pid
            self.cwd = cwd
            sink["kernel_mode"] = "warm"
            return self.connection_info

        async def kill(self, restart: bool = False) -> None:
            if isinstance(self.process, ForkedProcess):
                sink["kernel_private_kb"] = _private_kb(self.process.pid)
            await super().kill(restart)
            if isinstance(self.process, ForkedProcess):
                # wait here (briefly) so the manager's first liveness check sees it gone
                # instead of sleeping 0.1 s
                await _exited(self.process, 2.0)

    def hook(km: Any) -> None:
        kernel_id = str(uuid.uuid4())
        km.kernel_id = kernel_id
        if km.transport != "ipc":  # the engine may already have put it on Unix sockets
            km.transport = "ipc"
            km.ip = os.path.join(_ipc_dir(), kernel_id[:8])
        km.cache_ports = False
        km.provisioner = WarmProvisioner(kernel_id=kernel_id, kernel_spec=km.kernel_spec, parent=km)

    return hook


async def _exited(proc: ForkedProcess, timeout: float) -> None:
    import asyncio

    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        await asyncio.sleep(0.002)


def _launcher_args(cmd: Sequence[str]) -> list[str] | None:
    """``ARGS`` of ``<this python> -m ipykernel_launcher ARGS``, else None."""
    if len(cmd) < 3 or list(cmd[1:3]) != ["-m", LAUNCHER]:
        return None
    try:
        same = os.path.samefile(cmd[0], sys.executable)
    except OSError:
        same = False
    if not same and os.path.basename(cmd[0]) not in ("python", "python3"):
        return None
    if not same:
        import shutil

        found = shutil.which(cmd[0])
        if not found or not os.path.samefile(found, sys.executable):
            return None
    return list(cmd[3:])


# --------------------------------------------------------------------------
# What the worker calls
# --------------------------------------------------------------------------


def prepare(spec: dict, sink: dict) -> None:
    """Set up ``sink`` so that the engine forks this job's kernel from the worker's template
    (``spec["kernels"] == "warm"``, the default), or leave it to start a fresh kernel."""
    if spec.get("kernels", "warm") != "warm":
        sink["kernel_mode"] = "fresh"
        return
    template = get_template(spec.get("preload") or BASE_PRELOAD)
    # the notebook's own imports (beyond what every notebook of the grid imports) in a
    # layer forked from the template, kept while the same notebook's jobs follow
    own = _own_preload(spec["notebook"]) if spec.get("notebook") else []
    layer = template.set_layer(own)
    sink["template_peak_kb"] = _status_kb(template.proc.pid, "VmHWM")  # while importing
    sink["template_rss_kb"] = _status_kb(template.proc.pid, "VmRSS")  # while forking kernels
    if layer is not None:
        sink["layer_private_kb"] = layer.get("private_kb")  # what it added, before forking
    sink["prepare_km"] = provisioner_hook(template, sink, own)


_OWN: dict[tuple, list[str]] = {}


def _own_preload(notebook: str | Path) -> list[str]:
    """:func:`preload_for` one notebook (remembered while the file is unchanged)."""
    st = os.stat(notebook)
    key = (str(notebook), st.st_mtime_ns, st.st_size)
    if key not in _OWN:
        _OWN.clear()
        _OWN[key] = preload_for([notebook])
    return _OWN[key]


def _private_kb(pid: int) -> int | None:
    """Memory a forked kernel does not share with its template (``Private_*`` of
    ``smaps_rollup``), Linux only."""
    try:
        rows = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return None
    return sum(
        int(r.split()[1]) for r in rows if r.startswith(("Private_Clean:", "Private_Dirty:"))
    )


def _status_kb(pid: int, field: str) -> int | None:
    """A memory figure of a process (``VmHWM``: peak, ``VmRSS``: now), Linux only."""
    try:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith(f"{field}:"):
                return int(row.split()[1])
    except OSError:
        return None
    return None
