"""What runs in a worker process (or a Dask worker): one notebook -> ``.ipynb`` + ``.html``.

:func:`run_job` is the function the runner submits (top level, so workers can
unpickle it); it never raises: a failure is a :class:`~dvcanalysis.render.run_error.RunError`
in the result. :func:`warm_up` imports papermill once per process (without
jsonschema's optional IRI checker), registers the engine of
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
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from dvcanalysis import _io, paths
from dvcanalysis.render import pdf, warm
from dvcanalysis.render.records import output_stamps, record_path
from dvcanalysis.render.run_error import RunError

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # dvcanalysis/templates


_WARM_LOCK = threading.Lock()
_WARM: dict[str, Any] = {}
#: the outputs a run writes beside its figures folder (removed before it runs again)
OUTPUT_SUFFIXES = (".ipynb", ".html", ".pdf")
#: called with ``(name, cell_index)`` as each cell starts (the pool's worker sets it)
_PROGRESS: list[Any] = []


def set_progress(report: Any) -> None:
    """Have ``report(name, cell_index)`` called as each cell of a run starts (the pool's
    workers tell the render process, which names the cell a stopped run was in)."""
    _PROGRESS[:] = [report]


def warm_up() -> None:
    """Import papermill once per process and register the engine
    (:mod:`dvcanalysis.render.engine`); build the HTML exporter in a background thread,
    while the first kernel starts and runs. Later calls return at once.

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

        from dvcanalysis.render import engine  # noqa: F401 - registers the engine

        _WARM["exporters"] = {}
        owner = threading.get_ident()

        def build() -> None:
            exporter = new_exporter()
            import nbformat

            # compile the templates now, not when the first briefing is done
            exporter.from_notebook_node(nbformat.v4.new_notebook())
            _WARM["exporters"][owner] = exporter

        thread = threading.Thread(target=build, daemon=True, name="dvc-exporter")
        thread.start()
        _WARM["building"] = (owner, thread)


def new_exporter():
    """The HTML exporter of a briefing (the package's ``briefing`` nbconvert template), as the
    worker and ``benchmarks/bench_pdf.py`` use it."""
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
        exporter = _WARM["exporters"][me] = new_exporter()
    exporter.language_code = lang
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    return body


def run_job(spec: dict) -> dict:
    """Execute one notebook and write its outputs; never raises (failures are in the result).

    ``spec`` (plain values, as the runner sends it): ``name``, ``notebook`` (absolute path),
    ``parameters``, ``timeout``, ``out_dir`` (absolute), ``inputs`` (for the record),
    ``kernels`` (``warm`` or ``fresh``), ``preload`` (:mod:`dvcanalysis.render.preload`) and
    ``cache`` (``{"mode": "use" | "refresh" | "off", "token": ...}``, :mod:`dvcanalysis.cache`).
    The steps: the previous outputs are removed (a run that fails leaves none that could be
    taken for its own), :func:`_execute` (the kernel started once more if it died before
    answering), :func:`_write_outputs` (``.ipynb``, ``.html``, ``.pdf``; if one cannot be
    written, e.g. the disk is full, the run fails with kind ``output`` and none is kept),
    and for a run that succeeded :func:`_write_record`, last, with each output's size and
    hash. Warnings the kernel logged (:func:`dvcanalysis.cache.warn`) are in ``warnings``.
    """
    start = time.perf_counter()
    out_dir = Path(spec["out_dir"])
    name = spec["name"]
    result: dict[str, Any] = {"name": name, "status": "failed", "error": None, "outputs": []}
    try:
        warm_up()
        # no stale record may vouch for the new outputs, no old output pass for a new one
        record_path(out_dir, name).unlink(missing_ok=True)
        for suffix in OUTPUT_SUFFIXES:
            (out_dir / f"{name}{suffix}").unlink(missing_ok=True)
        figures = out_dir / f"{name}_figures"
        shutil.rmtree(figures, ignore_errors=True)
        sink = _execute(spec, figures, result)
        result.update(_kernel_memory(sink))
        if sink.get("nb") is not None:
            try:
                _write_outputs(sink["nb"], spec, result)
            except OSError as exc:  # e.g. the disk is full: every cell ran, no output is kept
                target = paths.relative(exc.filename) if exc.filename else "an output"
                failed = RunError.from_output(exc, target)
                if result.get("error"):  # a cell failed first: its error stands
                    result["error"]["evalue"] += f"\n(then: {failed.message})"
                else:
                    result["error"] = failed.to_dict()
                result["status"] = "failed"
                for suffix in OUTPUT_SUFFIXES:
                    (out_dir / f"{name}{suffix}").unlink(missing_ok=True)
                shutil.rmtree(figures, ignore_errors=True)
                result["outputs"] = []
        if figures.is_dir():
            result["outputs"].append(f"{name}_figures")
    except Exception as exc:  # the runner's own failure: report it, keep the other runs going
        result["status"] = "failed"
        result["error"] = RunError.from_runner(exc).to_dict()
    result.update(_warnings(spec))
    import resource

    result["duration_s"] = round(time.perf_counter() - start, 2)
    result["worker_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["worker_pid"] = os.getpid()
    if result["status"] == "ok":
        result["files"] = output_stamps(out_dir, result["outputs"])
        try:
            _write_record(spec, result)
        except OSError as exc:  # without its record the run would be redone: say why now
            result["status"] = "failed"
            target = paths.relative(exc.filename) if exc.filename else "its record"
            result["error"] = RunError.from_output(exc, target).to_dict()
    return result


def _warnings_path(spec: dict) -> Path:
    """Where the kernel of a run writes its warning lines (``DVC_WARNINGS_FILE``)."""
    from dvcanalysis.render.kernel_dir import KERNEL_DIR_ENV

    base = os.environ.get(KERNEL_DIR_ENV) or tempfile.gettempdir()
    return Path(base) / f"warnings-{os.getpid()}-{spec['name']}.txt"


def _warnings(spec: dict) -> dict[str, Any]:
    """The warning lines the run's kernel wrote (``warnings``), if any; the file removed."""
    path = _warnings_path(spec)
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return {}
    path.unlink(missing_ok=True)
    return {"warnings": lines} if lines else {}


def _execute(spec: dict, figures: Path, result: dict[str, Any]) -> dict[str, Any]:
    """Run the notebook with papermill; set ``status`` and ``error`` in ``result``.

    A kernel that died (or never answered) before running anything is started once
    more, and ``result`` says so (``attempts``, ``retried``, ``first_error``). Returns the
    engine's sink of the last attempt (the executed notebook in ``nb``, memory, kernel mode).
    """
    import papermill as pm

    from dvcanalysis import cache
    from dvcanalysis.render.engine import ENGINE_NAME

    notebook = Path(spec["notebook"])
    env = {
        **os.environ,
        "DVC_FIGURES_DIR": str(figures.resolve()),
        # results shared by the grid's notebooks, keyed by data and code (dvcanalysis.cache)
        cache.ENV: os.environ.get(cache.ENV) or str(figures.parent.resolve() / ".cache"),
        cache.WARNINGS_ENV: str(_warnings_path(spec)),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    mode = (spec.get("cache") or {}).get("mode", "use")
    env.pop(cache.REFRESH_ENV, None)
    if mode == "off":  # --no-cache
        env[cache.SWITCH_ENV] = "off"
    elif mode == "refresh":  # --force: entries of earlier renders are computed again
        env[cache.REFRESH_ENV] = spec["cache"]["token"]
    report = _PROGRESS[0] if _PROGRESS else None
    kernel = (
        json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {}).get("kernelspec", {})
    )
    for attempt in (1, 2):
        sink: dict[str, Any] = {}
        if report is not None:
            sink["on_cell"] = lambda i, name=spec["name"]: report(name, i)
        error = None
        # a kernel forked from the worker's template (render/warm.py), or a fresh one;
        # a template that died is replaced here, so a retry gets a working one
        warm.prepare(spec, sink)
        try:
            pm.execute_notebook(
                str(notebook),
                None,
                parameters=spec["parameters"],
                engine_name=ENGINE_NAME,
                kernel_name=kernel.get("name") or "python3",
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=spec.get("timeout"),
                shutdown_kernel="immediate",
                kernel_env=env,
                kernel_cwd=str(notebook.parent),
                sink=sink,
            )
        except Exception as exc:  # a cell's error, a timeout, a dead kernel, ...
            error = RunError.from_execution(
                exc,
                cell_index=sink.get("cell"),  # None: no cell ran
                kernel_ready=bool(sink.get("kernel_ready")),
                kernel_stderr=sink.get("kernel_stderr", ""),
            )
        if attempt == 1 and error is not None and error.kind == "kernel_start":
            # the kernel died (or never answered) before running anything:
            # start it once more, and say so
            result["attempts"] = 2
            result["retried"] = (
                f"the kernel did not start ({error.ename}: {error.first_line}); retried once"
            )
            result["first_error"] = error.to_dict()  # with the kernel's stderr
            shutil.rmtree(figures, ignore_errors=True)
            continue
        break
    result["status"] = "ok" if error is None else "failed"
    result["error"] = None if error is None else error.to_dict()
    return sink


def _kernel_memory(sink: dict[str, Any]) -> dict[str, Any]:
    """The kernel's peak memory and mode, and with warm kernels the template's sizes (MB)."""
    out: dict[str, Any] = {
        "kernel_peak_mb": (
            round(sink["kernel_peak_kb"] / 1024, 1) if sink.get("kernel_peak_kb") else None
        ),
        "kernel_mode": sink.get("kernel_mode"),
    }
    for key in ("template_peak", "template_rss", "layer_private", "kernel_private"):  # warm.py
        if sink.get(f"{key}_kb"):
            out[f"{key}_mb"] = round(sink[f"{key}_kb"] / 1024, 1)
    return out


def _write_outputs(nb: Any, spec: dict, result: dict[str, Any]) -> None:
    """Write the executed notebook, its HTML page and (if it composed a document) its PDF;
    add them to ``result["outputs"]``."""
    import nbformat

    out_dir = Path(spec["out_dir"])
    name = spec["name"]
    meta = nb.metadata.setdefault("papermill", {})
    meta["input_path"] = paths.relative(Path(spec["notebook"]))
    meta["output_path"] = f"{name}.ipynb"
    for cell in nb.cells:  # papermill's injected cell has a random id: make it stable
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    _io.write_text(out_dir / f"{name}.ipynb", nbformat.writes(nb) + "\n")
    doc = pdf.find_document(nb)  # the briefing's composition, if it made one
    lang = spec["parameters"].get("lang")
    if doc is not None:
        nb.metadata["title"] = doc["title"]  # the HTML page title
    else:  # an analysis page: its reader's title in its language, never the file name
        titles = nb.metadata.get("dvcanalysis", {}).get("title", {})
        if isinstance(titles, dict) and titles.get(lang if lang in ("vi", "en") else "en"):
            nb.metadata["title"] = titles[lang if lang in ("vi", "en") else "en"]
    html_text = _export_html(nb, name, lang if lang in ("vi", "en") else "en")
    _io.write_text(out_dir / f"{name}.html", html_text)
    result["outputs"] = [f"{name}.ipynb", f"{name}.html"]
    published = pdf.publish(doc, out_dir, name)  # <name>.pdf from the same composition
    result["outputs"] += published.pop("outputs", [])
    result.update(published)


def _write_record(spec: dict, result: dict[str, Any]) -> None:
    """The run's record (``DIR/.records/<name>.json``), written last: it vouches for the outputs."""
    name = spec["name"]
    done = {
        "name": name,
        "status": "ok",
        "inputs": spec["inputs"],
        "outputs": result["outputs"],
        "files": result["files"],  # each output's size and hash: resume checks them
        "duration_s": result["duration_s"],
        "kernel_mode": result.get("kernel_mode"),
        "document": result.get("document"),  # the catalogue entry, kept for resumed runs
    }
    path = record_path(Path(spec["out_dir"]), name)
    _io.write_text(path, json.dumps(done, indent=1, ensure_ascii=False) + "\n")
