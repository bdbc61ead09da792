"""The warm-kernel template process and what it forks: layers, kernels and PDF children.

This module runs *inside* the template (started by :class:`dvcanalysis.render.warm.Template`
as ``python -c "from dvcanalysis.render.template import serve; serve()"``): :func:`serve`
pre-imports the modules it is asked for (:mod:`dvcanalysis.render.preload` chooses them),
says it is ready, then answers requests on its stdin, one line each, until the stdin ends.

The template pre-imports only what every notebook of the grid imports. For each notebook,
a *layer* forked from the template imports that notebook's own modules (the same rule:
only what the notebook imports) and calls their warm-up hooks (:data:`WARMUP_HOOK`: a
module fills the caches of what it reads from files, e.g. the evidence table and labels);
the notebook's kernels fork from the layer, which is kept while jobs of the same notebook
follow and popped (it ends once its kernels have) when another notebook comes.

Each kernel is a child that becomes an ordinary ipykernel (``python -m ipykernel_launcher
-f CONNECTION_FILE``) with the notebook's environment and working directory. What a forked
kernel does differently from a fresh one, and why it is the same:

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

A kernel (and a layer, and a PDF child) dies with its parent (``PR_SET_PDEATHSIG``); the
template exits when its stdin closes.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dvcanalysis.render.preload import LAZY_SUBMODULES
from dvcanalysis.render.warm import LAUNCHER, private_kb, status_kb

# --------------------------------------------------------------------------
# The template process (python -c "from dvcanalysis.render.template import serve; serve()")
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


def serve() -> None:
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
    report["private_kb"] = private_kb(report["pid"])  # before any kernel shares its pages
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
        if isinstance(exc, OSError):  # e.g. the disk is full: the worker says which file
            result["errno"] = exc.errno
    finally:
        try:
            result["private_kb"] = private_kb(os.getpid())
            result["peak_kb"] = status_kb(os.getpid(), "VmHWM")
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
