"""Warm kernels: a template process imports the heavy modules once, then forks a fresh kernel per notebook.

Starting a kernel and importing numpy, pandas, matplotlib and the package costs
about 1.2 s of CPU per notebook, more than most briefings compute. Each worker
process therefore keeps one *template*: a single-threaded Python process that
imports what a kernel imports at start and the modules that every notebook of the
grid imports (found by reading their ``import`` statements,
:func:`dvcanalysis.render.preload.preload_for`), then waits. For each notebook
the worker's kernel manager asks it to ``fork()``; the child becomes an ordinary
ipykernel (``python -m ipykernel_launcher -f CONNECTION_FILE``) with the
notebook's environment and working directory. The child starts from the template's
untouched state, so whatever a notebook changes (globals, rc parameters, working
directory, environment, warnings filters, random state, imported modules) dies
with its process: the next notebook forks from the same clean template. A pool of
pre-started kernels reset between notebooks would have to undo every such change
and could never be sure it had (a module-level cache, a monkey-patch); a fork gets
that for free, and it starts faster (see ``benchmarks/bench_render.py``).

Three modules: :mod:`dvcanalysis.render.preload` chooses what a template pre-imports;
:mod:`dvcanalysis.render.template` runs inside the template and its forked layers,
kernels and PDF children (what a forked kernel does differently from a fresh one, and
why it is the same, is described there); this module is the worker's side: it starts
the template (:class:`Template`, :func:`get_template`), makes a kernel manager fork its
kernel from it (:func:`provisioner_hook`) and sets up a job (:func:`prepare`).

A template is used only while every file it (or its layer) imported or read while
warming up is unchanged (size and mtime), so a long-lived Dask worker picks up an edited
package or data file. The template
exits when its stdin closes, which happens however its worker ends (also on
SIGKILL); a kernel dies with its template (``PR_SET_PDEATHSIG``) and is stopped by
the worker's kernel manager through a pidfd (no pid reuse race). Kernels talk
over ``ipc`` sockets in a private temporary folder: no TCP port is picked.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dvcanalysis.render.preload import BASE_PRELOAD, preload_for

#: the module a kernel is started with (``python -m ipykernel_launcher ARGS``)
LAUNCHER = "ipykernel_launcher"


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
        # the template runs dvcanalysis.render.template.serve (the code inside the template)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from dvcanalysis.render.template import serve; serve()"],
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
                sink["kernel_private_kb"] = private_kb(self.process.pid)
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
    sink["template_peak_kb"] = status_kb(template.proc.pid, "VmHWM")  # while importing
    sink["template_rss_kb"] = status_kb(template.proc.pid, "VmRSS")  # while forking kernels
    if layer is not None:
        sink["layer_private_kb"] = layer.get("private_kb")  # what it added, before forking
    sink["prepare_km"] = provisioner_hook(template, sink, own)


_OWN: dict[tuple, list[str]] = {}


def _own_preload(notebook: str | Path) -> list[str]:
    """:func:`~dvcanalysis.render.preload.preload_for` one notebook (remembered while the file is unchanged)."""
    st = os.stat(notebook)
    key = (str(notebook), st.st_mtime_ns, st.st_size)
    if key not in _OWN:
        _OWN.clear()
        _OWN[key] = preload_for([notebook])
    return _OWN[key]


def private_kb(pid: int) -> int | None:
    """Memory a forked kernel does not share with its template (``Private_*`` of
    ``smaps_rollup``), Linux only."""
    try:
        rows = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return None
    return sum(
        int(r.split()[1]) for r in rows if r.startswith(("Private_Clean:", "Private_Dirty:"))
    )


def status_kb(pid: int, field: str) -> int | None:
    """A memory figure of a process (``VmHWM``: peak, ``VmRSS``: now), Linux only."""
    try:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith(f"{field}:"):
                return int(row.split()[1])
    except OSError:
        return None
    return None
