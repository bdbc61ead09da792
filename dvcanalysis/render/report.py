"""The run's reports: ``manifest.json``, ``index.html`` and the plain-text summary table."""

from __future__ import annotations

import html
import json
import string
from pathlib import Path

from dvcanalysis import _io, paths
from dvcanalysis.render.records import record_path
from dvcanalysis.render.run_error import where as error_where

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # dvcanalysis/templates


def _status_counts(rows: list[dict]) -> dict[str, int]:
    """How many runs are ok, failed and skipped (and pending: not run yet, while the
    render is going or when it died)."""
    counts = {s: sum(r["status"] == s for r in rows) for s in ("ok", "failed", "skipped")}
    pending = sum(r["status"] == "pending" for r in rows)
    return {**counts, "pending": pending} if pending else counts


def write_manifest(
    out_dir: Path, rows: list[dict], *, finished: bool = True, grid_path: Path | None = None
) -> Path:
    """Write ``manifest.json``: one entry per run with parameters, status, timing, memory, errors, hashes."""
    counts = _status_counts(rows)
    doc = {
        "grid": paths.relative(grid_path) if grid_path else None,
        "finished": finished,
        "summary": counts,
        "runs": rows,
    }
    return _io.write_text(
        out_dir / "manifest.json", json.dumps(doc, indent=1, ensure_ascii=False, default=str) + "\n"
    )


def _notebook_title(notebook: str, lang: str) -> str:
    """A notebook's reader title: ``metadata.dvcanalysis.title[lang]``, else its first heading."""
    try:
        nb = json.loads((paths.root() / notebook).read_text(encoding="utf-8"))
    except (OSError, ValueError, AttributeError):
        return Path(notebook).stem
    titles = nb.get("metadata", {}).get("dvcanalysis", {}).get("title", {})
    if isinstance(titles, dict) and titles.get(lang):
        return str(titles[lang])
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            src = "".join(cell.get("source", ""))
            for line in src.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return Path(notebook).stem


def _recorded_document(out_dir: Path, name: str) -> dict:
    """The catalogue entry a finished run recorded (for runs skipped as up to date)."""
    try:
        record = json.loads(record_path(out_dir, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record.get("document") or {}


_LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def _catalogue_row(out_dir: Path, r: dict) -> str:
    """One page for readers: title, segment, scenario title, language, data date, links.

    Nothing of the run (status, seconds, errors) is shown here: that is the run page's
    (:func:`write_run_page`); a page that could not be made says only that it is not available.
    """
    e = html.escape
    p = r.get("parameters", {})
    doc = r.get("document") or _recorded_document(out_dir, r["name"])
    lang = str(doc.get("lang") or p.get("lang") or "")
    title = doc.get("title") or _notebook_title(
        r["notebook"], lang if lang in ("vi", "en") else "en"
    )
    failed = r["status"] == "failed"
    links = []
    for ext, label in (("html", "HTML"), ("pdf", "PDF")):
        f = f"{r['name']}.{ext}"
        if not failed and (out_dir / f).exists():
            links.append(f'<a href="{e(f)}">{label}</a>')
    if failed:
        links.append('<span class="unavailable">not available · chưa có</span>')

    def shown(key: str) -> str:  # what the page recorded for readers; never a slug
        return str(doc.get(f"shown_{key}") or "")

    page = f"{r['name']}.html"
    name = (
        f'<a href="{e(page)}">{e(str(title))}</a>'
        if (out_dir / page).exists() and not failed
        else e(str(title))
    )
    cells = [
        f"<td>{name}</td>",
        f"<td>{e(shown('segment'))}</td>",
        f"<td>{e(shown('scenario'))}</td>",
        f"<td>{e(shown('language') or _LANG_NAMES.get(lang, lang))}</td>",
        f"<td>{e(shown('data_date') or _day_both(str(doc.get('data_date') or p.get('cutoff') or '')))}</td>",
        f"<td>{' · '.join(links)}</td>",
    ]
    return f"<tr>{''.join(cells)}</tr>"


def _day_both(d: str) -> str:
    """``2024-12-31`` -> ``31 Dec 2024 · 31/12/2024``; anything else as it is."""
    if len(d) < 10 or d[4] != "-":
        return d
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    day, month, year = int(d[8:10]), int(d[5:7]), d[:4]
    return f"{day} {months[month - 1]} {year} · {day}/{month}/{year}"


def unfinished_note(rows: list[dict]) -> str:
    """``", 3 not finished (the render was stopped)"`` for the index's summary line when
    some runs were interrupted or are still pending; else empty."""
    stopped = sum((r.get("error") or {}).get("kind") == "interrupted" for r in rows)
    pending = sum(r["status"] == "pending" for r in rows)
    if not stopped and not pending:
        return ""
    why = "the render was stopped" if stopped else "still running, or the render died"
    return f", {stopped + pending} not finished ({why})"


def write_index(out_dir: Path, rows: list[dict]) -> Path:
    """Write ``index.html``, a catalogue for readers (title, segment, scenario, language, data
    date, links to HTML and PDF), and beside it the run page ``run.html``
    (:func:`write_run_page`), which the catalogue links to in its footer."""
    template = string.Template((TEMPLATES / "index.html").read_text(encoding="utf-8"))
    header = "".join(
        f"<th>{c}</th>"
        for c in (
            "Briefing · Bản tin",
            "Segment · Khối",
            "Scenario · Kịch bản",
            "Language · Ngôn ngữ",
            "Data as of · Số liệu đến",
            "Files · Tệp",
        )
    )
    body = [_catalogue_row(out_dir, r) for r in rows]
    # The data date, once at the top: the newest one the pages record (ISO dates sort).
    docs = [r.get("document") or _recorded_document(out_dir, r["name"]) or {} for r in rows]
    dates = sorted(str(d["data_date"])[:10] for d in docs if d.get("data_date"))
    data_line = ""
    if dates:
        d = dates[-1]
        months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
        day, month, year = int(d[8:10]), int(d[5:7]), d[:4]
        data_line = (
            f"Data as of {day} {months[month - 1]} {year} · Số liệu đến ngày {day}/{month}/{year}"
        )
        if dates[0] != d:  # a backtest page rests on older data: say the rows differ
            data_line += (
                " (some pages, such as backtests, use older data; see each row ·"
                " một số trang, như kiểm định ngược, dùng số liệu cũ hơn)"
            )
    note = unfinished_note(rows)
    if note:  # a stopped render: the catalogue says how many pages are missing
        data_line = (data_line + " · " if data_line else "") + note.lstrip(", ")
    write_run_page(out_dir, rows)
    text = template.substitute(
        data_date=html.escape(data_line),
        header=header,
        rows="\n".join(body),
    )
    return _io.write_text(out_dir / "index.html", text)


def write_run_page(out_dir: Path, rows: list[dict]) -> Path:
    """Write ``run.html``: the run log for maintainers (counts, status, seconds and error of
    each page, and where the full record is: ``manifest.json``)."""
    e = html.escape
    counts = _status_counts(rows)
    summary = (
        f"{len(rows)} page(s): {counts['ok']} rendered, {counts['skipped']} up to date, "
        f"{counts['failed']} failed{unfinished_note(rows)}. Run details: manifest.json."
    )
    lines = []
    for r in rows:
        err = r.get("error") or {}
        detail = ""
        if err:
            where = error_where(err)
            first = (str(err.get("evalue") or "").splitlines() or [""])[0][:200]
            detail = f"{where + ': ' if where else ''}{err.get('ename', '')}: {first}"
        dur = r.get("duration_s")
        secs = f"{dur:.1f} s" if isinstance(dur, (int, float)) else ""
        lines.append(
            f'<tr><td>{e(r["name"])}</td><td class="{e(r["status"])}">{e(r["status"])}</td>'
            f'<td class="num">{e(secs)}</td><td class="error">{e(detail)}</td></tr>'
        )
    text = string.Template((TEMPLATES / "run.html").read_text(encoding="utf-8")).substitute(
        summary=e(summary), rows="\n".join(lines)
    )
    return _io.write_text(out_dir / "run.html", text)


def summary_table(rows: list[dict]) -> str:
    """A plain-text table of the runs (printed at the end of ``dvcanalysis render``)."""
    head = ("briefing", "status", "time", "worker MB", "kernel MB", "error")
    data = []
    for r in rows:
        err = r.get("error") or {}
        msg = ""
        if err:
            where = error_where(err)
            first = (str(err.get("evalue") or "").splitlines() or [""])[0]
            msg = f"{where + ': ' if where else ''}{err.get('ename', '')}: {first}"[:80]
        fmt = lambda v, spec: format(v, spec) if isinstance(v, (int, float)) else "-"  # noqa: E731
        data.append(
            (
                r["name"],
                r["status"],
                fmt(r.get("duration_s"), ".1f"),
                fmt(r.get("worker_peak_mb"), ".0f"),
                fmt(r.get("kernel_peak_mb"), ".0f"),
                msg,
            )
        )
    widths = [max(len(str(x[i])) for x in [head, *data]) for i in range(len(head))]
    lines = [
        "  ".join(str(x[i]).ljust(widths[i]) for i in range(len(head))).rstrip()
        for x in [head, *data]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
