"""Benchmark: what the PDF adds to each briefing, against the HTML page it sits beside.

For each briefing of one scenario (3 segments x 2 languages) the briefing is built once
(models not timed), its fan chart saved, and then, in the same run, timed ``--repeat``
times each:

* ``pdf``: :meth:`dvcanalysis.document.Document.to_pdf` (Typst, fonts from matplotlib),
  what :mod:`dvcanalysis.render.pdf` adds to each briefing;
* ``html``: the nbconvert HTML export of the same executed notebook (what the worker
  already does for every briefing), the obvious alternative way to get a printable page.

Prints the median seconds per briefing of each, their ratio, and the PDF's pages and size.

Usage: ``python benchmarks/bench_pdf.py [--repeat 5]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from dvcanalysis import briefing  # noqa: E402
from dvcanalysis.document import pdf_pages  # noqa: E402
from dvcanalysis.plots import save  # noqa: E402


def _notebook(doc, figs: Path) -> object:
    """The executed briefing notebook's outputs: the document's HTML blocks and the figure
    as an inline PNG, as ``notebooks/briefing.ipynb`` shows them."""
    import base64

    from nbformat.v4 import new_code_cell, new_notebook, new_output

    outputs = []
    for kind, part in doc.html_blocks():
        if kind == "html":
            outputs.append(new_output("display_data", data={"text/html": part}))
        else:
            png = base64.b64encode((figs / f"{part['name']}.png").read_bytes()).decode()
            outputs.append(new_output("display_data", data={"image/png": png}))
    return new_notebook(cells=[new_code_cell("", outputs=outputs)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--draws", type=int, default=1000)
    args = ap.parse_args()
    from dvcanalysis.render.worker import new_exporter

    exporter = new_exporter()
    pdf_t, html_t, pages, sizes = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        figs = Path(tmp)
        for seg in briefing.SEGMENTS:
            for lang in ("vi", "en"):
                b = briefing.build("business-as-usual", seg, lang=lang, n_draws=args.draws)
                fig = b.fan_chart()
                save(fig, b.figure_name, provenance=b.projection.provenance(), directory=figs)
                doc = b.document()
                nb = _notebook(doc, figs)
                exporter.from_notebook_node(nb)  # warm the templates, as the worker does
                doc.to_pdf(figs)  # warm the fonts
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    pdf = doc.to_pdf(figs)
                    pdf_t.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    exporter.from_notebook_node(nb)
                    html_t.append(time.perf_counter() - t)
                pages.append(pdf_pages(pdf))
                sizes.append(len(pdf))
    p, h = statistics.median(pdf_t), statistics.median(html_t)
    print(f"briefings: {len(pages)}, repeats: {args.repeat}")
    print(f"pdf  (Typst)          median {p * 1000:7.1f} ms per briefing")
    print(f"html (nbconvert)      median {h * 1000:7.1f} ms per briefing")
    print(f"ratio pdf / html      {p / h:.2f}")
    print(
        f"pages per PDF         {min(pages)}-{max(pages)}; size {min(sizes) // 1024}-{max(sizes) // 1024} KiB"
    )


if __name__ == "__main__":
    main()
