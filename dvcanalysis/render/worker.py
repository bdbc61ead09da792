"""What runs in a worker process (or a Dask worker): one notebook -> ``.ipynb`` + ``.html``.

:func:`_run_job` is the function the runner submits (top level, so workers can
unpickle it); it never raises. :func:`_warm` imports papermill once per process
(without jsonschema's optional IRI checker), registers the engine of
:mod:`dvcanalysis.render.engine` and builds the HTML exporter in the background;
a kernel that dies before answering ``kernel_info`` is started once more (the
result says so in ``attempts`` and ``retried``), and every kernel error carries
the last lines of the kernel's stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

from dvcanalysis import paths
from dvcanalysis.render import pdf, warm
from dvcanalysis.render.engine import _engine_class
from dvcanalysis.render.records import _record_path, _write

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # dvcanalysis/templates


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
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


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
            # results shared by the grid's notebooks, keyed by data and code (dvcanalysis.cache)
            "DVC_CACHE_DIR": os.environ.get("DVC_CACHE_DIR") or str(out_dir.resolve() / ".cache"),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        kernel = (
            json.loads(notebook.read_text(encoding="utf-8"))
            .get("metadata", {})
            .get("kernelspec", {})
        )
        for attempt in (1, 2):
            sink: dict[str, Any] = {}
            result["error"] = None
            # a kernel forked from the worker's template (render/warm.py), or a fresh one;
            # a template that died is replaced here, so a retry gets a working one
            warm.prepare(spec, sink)
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
                evalue = str(exc)[:2000]
                if sink.get("kernel_stderr"):
                    evalue += "\nkernel stderr (last lines):\n" + sink["kernel_stderr"]
                result["error"] = {
                    "ename": type(exc).__name__,
                    "evalue": evalue,
                    "execution_count": None,
                }
                if attempt == 1 and not sink.get("kernel_ready"):
                    # the kernel died (or never answered) before running anything:
                    # start it once more, and say so
                    first = result["error"]
                    why = (first["evalue"].splitlines() or [""])[0]
                    result["attempts"] = 2
                    result["retried"] = (
                        f"the kernel did not start ({first['ename']}: {why}); retried once"
                    )
                    result["first_error"] = first  # with the kernel's stderr
                    shutil.rmtree(figures, ignore_errors=True)
                    continue
            break
        nb = sink.get("nb")
        if result["error"] is not None:
            result["error"]["cell_index"] = sink.get("cell")  # None: no cell ran
        result["kernel_peak_mb"] = (
            round(sink["kernel_peak_kb"] / 1024, 1) if sink.get("kernel_peak_kb") else None
        )
        result["kernel_mode"] = sink.get("kernel_mode")
        for key in ("template_peak", "template_rss", "layer_private", "kernel_private"):  # warm.py
            if sink.get(f"{key}_kb"):
                result[f"{key}_mb"] = round(sink[f"{key}_kb"] / 1024, 1)
        if nb is not None:
            meta = nb.metadata.setdefault("papermill", {})
            meta["input_path"] = paths.relative(notebook)
            meta["output_path"] = f"{name}.ipynb"
            for cell in nb.cells:  # papermill's injected cell has a random id: make it stable
                if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                    cell["id"] = "injected-parameters"
            _write(out_dir / f"{name}.ipynb", nbformat.writes(nb) + "\n")
            doc = pdf.find_document(nb)  # the briefing's composition, if it made one
            if doc is not None:
                nb.metadata["title"] = doc["title"]  # the HTML page title
            lang = spec["parameters"].get("lang")
            html_text = _export_html(nb, name, lang if lang in ("vi", "en") else "en")
            _write(out_dir / f"{name}.html", html_text)
            result["outputs"] = [f"{name}.ipynb", f"{name}.html"]
            published = pdf.publish(doc, out_dir, name)  # <name>.pdf from the same composition
            result["outputs"] += published.pop("outputs", [])
            result.update(published)
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
            "kernel_mode": result.get("kernel_mode"),
            "document": result.get("document"),  # the catalogue entry, kept for resumed runs
        }
        _write(_record_path(out_dir, name), json.dumps(done, indent=1, ensure_ascii=False) + "\n")
    return result
