"""The PDF beside a briefing's HTML: typeset from the document the notebook composed.

A notebook that shows a :class:`dvcanalysis.document.Document` leaves it, as JSON, in the
metadata of its last display output (key :data:`dvcanalysis.document.MIME`). The worker asks
:func:`find_document` for it after the kernel ran (the HTML page takes its title from it) and
:func:`publish` typesets ``<name>.pdf`` from it with the figures in ``<name>_figures/``. The
renderer knows no model: only that a notebook may carry a document.
"""

from __future__ import annotations

import os
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
    write_pdf(doc, out_dir / f"{name}_figures", out_dir / f"{name}.pdf")
    record = doc.get("record", {})
    return {
        "outputs": [f"{name}.pdf"],
        "document": {
            "title": doc.get("title", ""),
            "lang": doc.get("lang"),
            "data_date": record.get("data_date"),
            **{f"shown_{k}": v for k, v in record.get("catalogue", {}).items()},
        },
    }
