"""A reader's document, composed once and rendered twice: HTML (notebook, page) and PDF (Typst).

:class:`Document` holds what a reader sees: a title, a header line (data date, production
date, issuer), blocks (headings, paragraphs, lists, a figure, tables) and numbered source
notes, plus a machine ``record`` (parameters, source and evidence ids) that is never shown.
Text is plain text throughout; both renderings escape it where it enters markup
(:func:`html.escape` for HTML; for PDF the text is handed to Typst as data, never as markup),
so a title such as ``<img src=x onerror=alert(3)>`` is shown as written and runs nothing.

Runs of text are ``[text, bold]`` pairs; :func:`label` turns a label's ``**bold**`` into marks
that :func:`runs` splits on, so ``**`` in data (a scenario title) stays text.

The notebook shows the document with :meth:`Document.show` (one display per block, the figure
as a figure); the last display carries the whole document as JSON in its output metadata under
:data:`MIME`, where :mod:`dvcanalysis.render.pdf` finds it to typeset the PDF.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

MIME = "application/vnd.dvcanalysis.document+json"
TEMPLATE = Path(__file__).resolve().parent / "templates" / "briefing.typ"

Run = list  # [text, bold]


BOLD = "\x01"  # marks bold in composed text; never in data (see :func:`label`)


def label(key: str, lang: str, **values: object) -> str:
    """A label with ``**bold**`` turned into :data:`BOLD` marks, then filled with ``values``
    (from which any mark is removed): bold comes from the label, never from data."""
    from dvcanalysis import fmt

    template = fmt.label(key, lang).replace("**", BOLD)
    return template.format(**{k: str(v).replace(BOLD, "") for k, v in values.items()})


def bold(text: object) -> str:
    """``text`` marked bold (to be passed as a value of :func:`label`, which keeps it)."""
    return f"{BOLD}{text}{BOLD}"


def runs(text: str) -> list[Run]:
    """``"a \\x01b\\x01 c"`` -> ``[["a ", False], ["b", True], [" c", False]]`` (empty dropped)."""
    parts = text.split(BOLD)
    return [[p, i % 2 == 1] for i, p in enumerate(parts) if p]


def production_date() -> date:
    """Today (UTC), or the day of ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return datetime.now(tz=UTC).date()


@dataclass
class Document:
    """What a reader sees, in one language, with a machine record beside it.

    Attributes
    ----------
    lang
        ``vi`` or ``en``; every string below is in that language.
    title
        The document title (also the HTML page title).
    header
        Short header items: data date, production date, issuer.
    blocks
        Dicts with a ``kind``: ``heading`` (``text``), ``paragraph`` (``runs``, optional
        ``role``: ``key`` for the key message, ``note``), ``list`` (``items``: runs each),
        ``figure`` (``name``: figure file stem, ``caption``), ``table`` (``columns``,
        ``rows``: strings, ``numeric``: a bool per column), ``caveats`` (``items``).
    notes
        Numbered source notes (readers' citations), note 1 first.
    record
        Machine record (parameters, source ids, evidence ids): never rendered.
    """

    lang: str
    title: str
    header: list[str] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict, repr=False)  # live figures, not saved

    # ------------------------------------------------------------ building
    def add(self, kind: str, **content: Any) -> Document:
        """Append a block (see the class docstring for the kinds); returns ``self``."""
        self.blocks.append({"kind": kind, **content})
        return self

    # ------------------------------------------------------------ records
    def to_dict(self) -> dict[str, Any]:
        """The document as JSON-ready data (live figures left out)."""
        return {
            "lang": self.lang,
            "title": self.title,
            "header": self.header,
            "blocks": self.blocks,
            "notes": self.notes,
            "record": self.record,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        keys = ("lang", "title", "header", "blocks", "notes", "record")
        return cls(**{k: data[k] for k in keys if k in data})

    def text(self) -> str:
        """Everything a reader sees, as plain text (for checks; the record is left out)."""
        out = [self.title, *self.header]
        for b in self.blocks:
            out += _block_texts(b)
        out += self.notes
        return "\n".join(out)

    # ------------------------------------------------------------ HTML
    def html_blocks(self) -> list[tuple[str, Any]]:
        """``(kind, html)`` per block, in order; ``("figure", block)`` for figures."""
        parts: list[tuple[str, Any]] = [("html", self._html_head())]
        chunk: list[str] = []
        for b in self.blocks:
            if b["kind"] == "figure":
                if chunk:
                    parts.append(("html", "\n".join(chunk)))
                    chunk = []
                parts.append(("figure", b))
            else:
                chunk.append(_html_block(b))
        chunk.append(self._html_notes())
        parts.append(("html", "\n".join(chunk)))
        return parts

    def _html_head(self) -> str:
        e = html.escape
        meta = " · ".join(e(h) for h in self.header)
        return f'<h1 class="dvc-title">{e(self.title)}</h1>\n<p class="dvc-meta">{meta}</p>'

    def _html_notes(self) -> str:
        if not self.notes:
            return ""
        items = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return f'<ol class="dvc-notes">{items}</ol>'

    def to_html(self) -> str:
        """The whole document as one HTML fragment (figures as ``<figure>`` placeholders)."""
        out = []
        for kind, part in self.html_blocks():
            if kind == "figure":
                cap = html.escape(part.get("caption", ""))
                out.append(
                    f'<figure data-name="{html.escape(part["name"])}"><figcaption>{cap}</figcaption></figure>'
                )
            else:
                out.append(part)
        return "\n".join(out)

    def show(self) -> None:
        """Display the document in a notebook: HTML blocks, the figure where it belongs, and
        the document itself as JSON in the last output's metadata (for the PDF)."""
        import matplotlib.pyplot as plt
        from IPython.display import HTML, display

        parts = self.html_blocks()
        for i, (kind, part) in enumerate(parts):
            if kind == "figure":
                fig = self.figures.get(part["name"])  # a Figure, or what plots.save returned
                if fig is not None:
                    display(fig)  # a saved figure shows as its saved PNG: not drawn again
                    if isinstance(fig, plt.Figure):
                        plt.close(fig)
                if part.get("caption"):
                    display(HTML(f'<p class="dvc-caption">{html.escape(part["caption"])}</p>'))
            elif i == len(parts) - 1:
                display(HTML(part), metadata={MIME: self.to_dict()})
            else:
                display(HTML(part))

    # ------------------------------------------------------------ PDF
    def to_pdf(self, figures_dir: Path | str) -> bytes:
        """Typeset the document as an A4 PDF with Typst (the ``typst`` package).

        ``figures_dir`` holds the figures named by the figure blocks (``<name>.svg`` is
        used, else ``<name>.png``). The text reaches Typst as JSON data, never as markup.
        Fonts: DejaVu Sans shipped with matplotlib (Vietnamese diacritics), no system fonts.
        """
        import tempfile

        import matplotlib
        import typst

        fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        data = self.to_dict()
        data.pop("record")
        figures_dir = Path(figures_dir)
        with tempfile.TemporaryDirectory(prefix="dvc-pdf-") as tmp:
            root = Path(tmp)
            (root / "briefing.typ").write_text(TEMPLATE.read_text(encoding="utf-8"), "utf-8")
            n = 0
            for b in data["blocks"]:
                if b["kind"] != "figure":
                    continue
                for ext in ("svg", "png"):
                    src = figures_dir / f"{b['name']}.{ext}"
                    if src.is_file():
                        n += 1
                        b["file"] = f"fig-{n}.{ext}"
                        (root / b["file"]).write_bytes(src.read_bytes())
                        break
            data["labels"] = {"page": _page_label(self.lang)}
            # The PDF's creation date is the production date at midnight UTC (not the clock),
            # so the same document typeset twice on one day gives the same bytes.
            day = production_date()
            stamp = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return typst.compile(
                str(root / "briefing.typ"),
                root=str(root),
                font_paths=[str(fonts)],
                ignore_system_fonts=True,
                sys_inputs={"doc": json.dumps(data, ensure_ascii=False)},
                timestamp=stamp,
            )


def _page_label(lang: str) -> str:
    from dvcanalysis import fmt

    return fmt.label("briefing.page", lang)


def pdf_pages(pdf: bytes) -> int:
    """Number of pages of a PDF written by Typst (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def _block_texts(b: dict[str, Any]) -> list[str]:
    kind = b["kind"]
    if kind == "heading":
        return [b["text"]]
    if kind == "paragraph":
        return ["".join(t for t, _ in b["runs"])]
    if kind in ("list", "caveats"):
        return ["".join(t for t, _ in item) for item in b["items"]]
    if kind == "figure":
        return [b.get("caption", "")]
    if kind == "table":
        return [" | ".join(b["columns"])] + [" | ".join(r) for r in b["rows"]]
    return []


def _html_runs(rs: list[Run]) -> str:
    return "".join(
        f"<strong>{html.escape(t)}</strong>" if bold else html.escape(t) for t, bold in rs
    )


def _html_block(b: dict[str, Any]) -> str:
    e = html.escape
    kind = b["kind"]
    if kind == "heading":
        return f"<h2>{e(b['text'])}</h2>"
    if kind == "paragraph":
        role = b.get("role")
        cls = f' class="dvc-{e(role)}"' if role else ""
        return f"<p{cls}>{_html_runs(b['runs'])}</p>"
    if kind in ("list", "caveats"):
        cls = ' class="dvc-caveats"' if kind == "caveats" else ""
        items = "".join(f"<li>{_html_runs(i)}</li>" for i in b["items"])
        return f"<ul{cls}>{items}</ul>"
    if kind == "table":
        num = b.get("numeric") or [False] * len(b["columns"])
        th = "".join(
            f'<th class="num">{e(c)}</th>' if n else f"<th>{e(c)}</th>"
            for c, n in zip(b["columns"], num, strict=True)
        )
        rows = "".join(
            "<tr>"
            + "".join(
                f'<td class="num">{e(v)}</td>' if n else f"<td>{e(v)}</td>"
                for v, n in zip(r, num, strict=True)
            )
            + "</tr>"
            for r in b["rows"]
        )
        cap = f"<caption>{e(b['caption'])}</caption>" if b.get("caption") else ""
        return f'<table class="dvc-table">{cap}<thead><tr>{th}</tr></thead><tbody>{rows}</tbody></table>'
    raise ValueError(f"unknown block kind {kind!r}")
