"""Briefings as readers get them: A4 PDF of at most two pages, text escaped where it enters
markup (hostile titles in both languages), and no identifiers, paths or parameter dumps in
what a reader sees."""

import html
import json
import re
import shutil
import subprocess
import sys

import pytest

from dvcanalysis import briefing, citations, evidence, fmt, paths
from dvcanalysis.document import Document, pdf_pages
from dvcanalysis.plots import save

HOSTILE = '<img src=x onerror=alert(3)>Scenario **b** [x](javascript:alert(1)) #set "q"'

# what must never reach a reader: evidence or source ids, internal paths, file names,
# parameter dumps (name=value) and snake_case names
MACHINE = re.compile(
    r"seed\d|\bref_[a-z]|shared/|\[seed|/(?:work|tmp|home|root|Users)/|"
    r"\.(?:csv|ya?ml|ipynb|txt|md|py)\b|\b[a-z]+_[a-z_]+\s*=|\b[a-z]+_[a-z]+_[a-z_]+\b"
)


def _visible_html(page: str) -> str:
    """The text a browser shows: styles, scripts, tags and data URIs removed."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"data:[a-z/+]+;base64,[A-Za-z0-9+/=]+", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """(Document, figures folder) per segment and language, few draws."""
    out = {}
    figs = tmp_path_factory.mktemp("figs")
    for seg in briefing.SEGMENTS:
        for lang in ("vi", "en"):
            b = briefing.build("business-as-usual", seg, lang=lang, n_draws=200)
            fig = b.fan_chart()
            save(fig, b.figure_name, provenance=b.projection.provenance(), directory=figs)
            out[(seg, lang)] = (b, b.document(figures={b.figure_name: fig}), figs)
    return out


@pytest.mark.parametrize("seg", briefing.SEGMENTS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pdf_is_a4_and_at_most_two_pages(docs, seg, lang):
    b, doc, figs = docs[(seg, lang)]
    # the forecast, and the track record where there is one, are in: the longest briefing fits
    assert b.forecast is not None and (b.track_record is not None or seg != "national")
    for d in (doc,):
        pdf = d.to_pdf(figs)
        assert pdf.startswith(b"%PDF")
        assert 1 <= pdf_pages(pdf) <= 2
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert boxes and all(
            abs(float(w) - 595.28) < 1 and abs(float(h) - 841.89) < 1 for w, h in boxes
        )


def test_pdf_pages_counts_pages():
    d = Document(lang="en", title="t")
    for i in range(120):
        d.add("paragraph", runs=[[f"line {i} " * 30, False]])
    assert pdf_pages(d.to_pdf(".")) >= 3
    assert pdf_pages(Document(lang="vi", title="t").to_pdf(".")) == 1


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_hostile_titles_are_shown_not_run(docs, lang, monkeypatch):
    b, _, figs = docs[("localities", lang)]
    monkeypatch.setitem(b.projection.scenario.title, lang, HOSTILE)
    doc = b.document()
    assert HOSTILE in doc.title and HOSTILE in doc.text()
    page = doc.to_html()
    assert "<img" not in page and "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "<strong>b</strong>" not in page  # ** in data is not markup either
    pdf = doc.to_pdf(figs)  # Typst gets the title as data: it compiles and shows it
    assert pdf_pages(pdf) <= 2
    # Markdown texts of the notebooks: escaped for Markdown and for HTML
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from dvcanalysis import targets
    from dvcanalysis.tables import uptake as uptake_tables

    for md in (
        uptake_tables.attainment_text(targets.attainment(b.projection), b.projection, lang),
        uptake_tables.uptake_headline_text(b.projection, lang),
    ):
        rendered = markdown2html_mistune(md)
        assert "<img" not in rendered and "javascript:" not in rendered.split('href="')[-1][:12]
        assert "&lt;img src=x onerror=alert(3)&gt;" in rendered


def test_md_escapes_html_and_markdown():
    assert fmt.md("<b>x</b> **y** [a](b)") == r"&lt;b&gt;x&lt;/b&gt; \*\*y\*\* \[a\](b)"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_reader_citations_carry_no_machine_text(lang):
    for sid in evidence.load_sources().index:
        text = citations.reader(sid, lang)
        assert not MACHINE.search(text), (sid, text)
        assert "outlet not named" not in text and "as summarised" not in text


@pytest.mark.parametrize("seg", briefing.SEGMENTS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_briefing_text_and_figure_footer_carry_no_machine_text(docs, seg, lang):
    b, doc, _ = docs[(seg, lang)]
    for text in (doc.text(), citations.footer(b.projection.provenance().sources, lang)):
        assert not MACHINE.search(text), MACHINE.search(text)
    if lang == "vi":  # Vietnamese pages are Vietnamese: no English label words
        for word in ("Scenario", "Target", "Probability", "Sources", "Median", "pp "):
            assert word not in doc.text()


# English function words and labels that must not appear on a Vietnamese page
ENGLISH = re.compile(
    r"\b(the|and|of|with|from|Sources|Source|Target|Probability|Median|Scenario)\b"
)


def test_rendered_default_grid_is_reader_text(tmp_path, shipped_data):
    """Render the default grid (data/briefings.yml) and scan what a reader sees in every page:
    no ids, paths or parameter dumps; Vietnamese pages in Vietnamese; a PDF of at most two
    pages beside each briefing; the catalogue kept when a re-run skips everything."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "dvcanalysis.cli", "render", "--out", str(out), "--no-progress"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-2000:]
    pages = sorted(p for p in out.glob("*.html") if p.name not in ("index.html", "run.html"))
    from dvcanalysis.render import load_grid

    assert len(pages) == len(load_grid(paths.data_dir() / "briefings.yml").jobs)
    for page in [*pages, out / "index.html"]:
        text = _visible_html(page.read_text(encoding="utf-8"))
        hit = MACHINE.search(text)
        assert hit is None, (page.name, text[max(0, hit.start() - 80) : hit.end() + 80])
        if page.stem.endswith("_vi"):  # quotations “...” are the sources' own words
            hit = ENGLISH.search(re.sub(r"“[^”]*”", " ", text))
            assert hit is None, (page.name, text[max(0, hit.start() - 80) : hit.end() + 80])
        if page.name.startswith("briefing_"):
            assert 1 <= pdf_pages(page.with_suffix(".pdf").read_bytes()) <= 2
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Bản tin dịch vụ công trực tuyến toàn trình — Cả nước" in index
    assert "Khả năng đạt mục tiêu và kiểm định ngược" in index  # the backtest's title
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    briefings = [r for r in manifest["runs"] if r["name"].startswith("briefing_")]
    assert len(briefings) == 24
    for run in briefings:
        assert f"{run['name']}.pdf" in run["outputs"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", run["document"]["data_date"])
    # resume: nothing changed, everything skipped, the PDFs and the catalogue kept
    pdf_before = (out / "briefing_business-as-usual_localities_en.pdf").read_bytes()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in manifest["runs"]} == {"skipped"}
    assert (out / "briefing_business-as-usual_localities_en.pdf").read_bytes() == pdf_before
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Bản tin dịch vụ công trực tuyến toàn trình — Cả nước" in index
    assert index.count('.pdf">PDF</a>') == 24
    # the data date, once at the top of the catalogue: the evidence's own date
    d = evidence.data_date()
    top = index.split("<table")[0]
    assert f"Số liệu đến ngày {d.day}/{d.month}/{d.year}" in top


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed"
)
def test_pdf_text_is_in_the_chosen_language(docs, tmp_path):
    _, doc, figs = docs[("national", "vi")]
    f = tmp_path / "b.pdf"
    f.write_bytes(doc.to_pdf(figs))
    text = subprocess.run(["pdftotext", str(f), "-"], capture_output=True, text=True).stdout
    assert "kịch bản" in text and "Số liệu chính" in text
    assert "Số liệu đến ngày 31/8/2024" in text and "Trang 1 / 2" in text or "Trang 1 / 1" in text
    assert not MACHINE.search(text)


def test_every_source_has_reader_wording_in_both_languages():
    """A new row of data/sources.csv needs its reader wording in labels/sources.yml."""
    missing = [s for s in evidence.load_sources().index if not fmt.has_label(f"source.{s}")]
    assert missing == []


def test_the_same_document_typesets_to_the_same_pdf(docs):
    import time

    _, doc, figs = docs[("localities", "en")]
    first = doc.to_pdf(figs)
    time.sleep(1.1)  # the clock moves on: a creation date read from it would differ
    assert doc.to_pdf(figs) == first
