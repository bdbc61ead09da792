"""The PDF beside a briefing's HTML: typeset from the document the notebook composed.

A notebook that shows a :class:`dvcanalysis.document.Document` leaves it, as JSON, in the
metadata of its last display output (key :data:`dvcanalysis.document.MIME`). The worker asks
:func:`find_document` for it after the kernel ran (the HTML page takes its title from it) and
:func:`publish` typesets ``<name>.pdf`` from it with the figures in ``<name>_figures/``. The
renderer knows no model: only that a notebook may carry a document.

Typst is not run in the worker: each document leaves a few MB in the process for good
(Typst's memoization), so a worker that typeset every briefing grew without bound. With
warm kernels, a child forked from the worker's template (its layer) typesets each PDF
once the notebook's kernel has ended, and gives its memory back when it exits
(``pdf_private_mb`` in the manifest; about 0.15 s of CPU to load Typst). With fresh
kernels there is no template: each worker process keeps one *typesetter*
(:class:`Typesetter`), a process that takes one request line per PDF, is replaced once
it holds :data:`GROWTH_KB` more than after its first document, and ends when its worker
does (end of its stdin); its peak memory is ``typesetter_peak_mb``.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from dvcanalysis import _io
from dvcanalysis.document import MIME, Document


def find_document(nb: Any) -> dict | None:
    """The document an executed notebook composed (the last one shown), or None."""
    found = None
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            meta = out.get("metadata") or {}
            if MIME in meta:
                found = meta[MIME]
    return found


def write_pdf(doc: dict, figures_dir: Path, target: Path) -> Path:
    """Typeset ``doc`` and write it atomically to ``target`` (mode as the umask allows)."""
    pdf = Document.from_dict(doc).to_pdf(figures_dir)
    umask = os.umask(0)
    os.umask(umask)

    def writer(tmp: Path) -> None:
        tmp.write_bytes(pdf)
        tmp.chmod(0o666 & ~umask)

    return _io.write_with(target, writer)


def publish(doc: dict | None, out_dir: Path, name: str) -> dict[str, Any]:
    """Write ``<name>.pdf`` for a notebook's document; what the manifest records about it.

    Returns ``{}`` when the notebook composed no document, else ``outputs`` (the PDF's
    name) and ``document`` (title, language and data date, for the catalogue).
    """
    if doc is None:
        return {}
    figures, target = out_dir / f"{name}_figures", out_dir / f"{name}.pdf"
    from dvcanalysis.render import warm

    template = warm.current_template()
    if template is not None:  # warm kernels: a child forked from the template typesets it
        report = template.typeset(doc, figures, target, 300.0)
        _raise_for(report, target)
        memory = {"pdf_private_mb": round((report.get("private_kb") or 0) / 1024, 1)}
    else:
        peak_kb = typeset(doc, figures, target)
        memory = {"typesetter_peak_mb": round(peak_kb / 1024, 1) if peak_kb else None}
    record = doc.get("record", {})
    return {
        "outputs": [f"{name}.pdf"],
        **memory,
        "document": {
            "title": doc.get("title", ""),
            "lang": doc.get("lang"),
            "data_date": record.get("data_date"),
            **{f"shown_{k}": v for k, v in record.get("catalogue", {}).items()},
        },
    }


# --------------------------------------------------------------------------
# The typesetter process
# --------------------------------------------------------------------------

#: a typesetter is replaced once it holds this much more than after its first document
GROWTH_KB = 24 * 1024


def _status_kb(field: str) -> int | None:
    try:
        for row in Path("/proc/self/status").read_text().splitlines():
            if row.startswith(f"{field}:"):
                return int(row.split()[1])
    except OSError:
        return None
    return None


def _serve() -> None:
    """The typesetter's loop: one JSON request line in (``doc`` file, ``figures``, ``target``),
    one reply line out (``rss_kb``, ``peak_kb``, or ``error``); ends at the end of stdin."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    for line in iter(inp.readline, b""):
        req = json.loads(line)
        try:
            doc = json.loads(Path(req["doc"]).read_text(encoding="utf-8"))
            write_pdf(doc, Path(req["figures"]), Path(req["target"]))
            reply: dict[str, Any] = {"ok": True}
        except Exception as exc:  # noqa: BLE001 - the worker reports it as the run's error
            reply = {"error": f"{type(exc).__name__}: {exc}"[:2000]}
            if isinstance(exc, OSError):
                reply["errno"] = exc.errno
        reply["rss_kb"] = _status_kb("VmRSS")
        reply["peak_kb"] = _status_kb("VmHWM")
        out.write(json.dumps(reply).encode() + b"\n")
        out.flush()


class TypesetterError(RuntimeError):
    """The typesetter process ended or did not answer."""


class Typesetter:
    """A typesetter process (worker side); one request at a time."""

    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from dvcanalysis.render.pdf import _serve; _serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd="/",
            start_new_session=True,  # Ctrl-C in the terminal is the runner's to handle
        )
        self.first_rss_kb: int | None = None
        self.peak_kb = 0

    def typeset(self, doc: dict, figures_dir: Path, target: Path, timeout: float) -> dict:
        with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
            f.flush()
            req = {"doc": f.name, "figures": str(figures_dir), "target": str(target)}
            try:
                self.proc.stdin.write(json.dumps(req).encode() + b"\n")
                self.proc.stdin.flush()
            except OSError:
                line = b""
            else:
                ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
                line = self.proc.stdout.readline() if ready else b""
        if not line:
            self.close()
            self._stderr.seek(0)
            tail = self._stderr.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise TypesetterError(
                "the PDF typesetter process ended or did not answer"
                + ("; its stderr ends: " + " | ".join(tail) if tail else "")
            )
        reply = json.loads(line)
        self.peak_kb = max(self.peak_kb, reply.get("peak_kb") or 0)
        if self.first_rss_kb is None:
            self.first_rss_kb = reply.get("rss_kb")
        return reply

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
        self.proc.wait()
        try:
            self.proc.stdout.close()
        except OSError:
            pass


_LOCK = threading.Lock()
_CURRENT: list[Typesetter] = []
_STATE = {"atexit": False, "peak_kb": 0}


def typeset(doc: dict, figures_dir: Path, target: Path, *, timeout: float = 300.0) -> int:
    """Typeset ``doc`` into ``target`` (atomically) in this process's typesetter; its peak
    memory so far (KB). Raises :class:`RuntimeError` with Typst's message on failure."""
    with _LOCK:
        if not _STATE["atexit"]:
            import atexit

            atexit.register(close_typesetter)
            _STATE["atexit"] = True
        if not _CURRENT or _CURRENT[0].proc.poll() is not None:
            _CURRENT[:] = [Typesetter()]
        ts = _CURRENT[0]
        reply = ts.typeset(doc, figures_dir, target, timeout)
        peak = _STATE["peak_kb"] = max(_STATE["peak_kb"], ts.peak_kb)
        first, rss = ts.first_rss_kb, reply.get("rss_kb")
        if first and rss and rss - first > GROWTH_KB:
            ts.close()  # the next document starts a new one
            _CURRENT.clear()
            _CURRENT.append(Typesetter())
    _raise_for(reply, target)
    return peak


def _raise_for(reply: dict, target: Path) -> None:
    """Raise the error a PDF process reported: an :class:`OSError` naming ``target`` when
    writing failed (e.g. the disk is full), else :class:`RuntimeError` with Typst's message."""
    if "error" not in reply:
        return
    if reply.get("errno"):
        raise OSError(reply["errno"], os.strerror(reply["errno"]), str(target))
    raise RuntimeError(f"PDF typesetting failed: {reply['error']}")


def close_typesetter() -> None:
    """End this process's typesetter (it would also end with the process)."""
    with _LOCK:
        for ts in _CURRENT:
            ts.close()
        _CURRENT.clear()
