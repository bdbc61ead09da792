"""The run's reports: ``manifest.json``, ``index.html`` and the plain-text summary table."""

from __future__ import annotations

import html
import json
import string
from pathlib import Path

from dvcanalysis import paths
from dvcanalysis.render.records import _write

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # dvcanalysis/templates


def write_manifest(
    out_dir: Path, rows: list[dict], *, finished: bool = True, grid_path: Path | None = None
) -> Path:
    """Write ``manifest.json``: one entry per run with parameters, status, timing, memory, errors, hashes."""
    counts = {s: sum(r["status"] == s for r in rows) for s in ("ok", "failed", "skipped")}
    doc = {
        "grid": paths.relative(grid_path) if grid_path else None,
        "finished": finished,
        "summary": counts,
        "runs": rows,
    }
    return _write(
        out_dir / "manifest.json", json.dumps(doc, indent=1, ensure_ascii=False, default=str) + "\n"
    )


def write_index(out_dir: Path, rows: list[dict]) -> Path:
    """Write ``index.html``: a self-contained table of the briefings with relative links."""
    template = string.Template((TEMPLATES / "index.html").read_text(encoding="utf-8"))
    columns: list[str] = []
    for r in rows:
        for k in [*r.get("varying", []), *(["lang"] if "lang" in r["parameters"] else [])]:
            if k not in columns:
                columns.append(k)
    header = "".join(
        f"<th>{html.escape(c)}</th>"
        for c in ["notebook", *columns, "status", "duration", "briefing"]
    )
    body = []
    for r in rows:
        cells = [html.escape(Path(r["notebook"]).stem)]
        cells += [html.escape(str(r["parameters"].get(c, ""))) for c in columns]
        status = r["status"]
        err = r.get("error") or {}
        note = ""
        if err:
            where = f" (cell {err['cell_index']})" if err.get("cell_index") is not None else ""
            note = f'<div class="error">{html.escape(err.get("ename", ""))}{where}: {html.escape(str(err.get("evalue", ""))[:200])}</div>'
        cells.append(f'<span class="{status}">{status}</span>{note}')
        dur = r.get("duration_s")
        cells.append(f"{dur:.1f} s" if isinstance(dur, (int, float)) else "")
        link = f"{r['name']}.html"
        cells.append(
            f'<a href="{html.escape(link)}">{html.escape(link)}</a>'
            if (out_dir / link).exists()
            else ""
        )
        tds = "".join(
            f'<td class="num">{c}</td>' if i == len(cells) - 2 else f"<td>{c}</td>"
            for i, c in enumerate(cells)
        )
        body.append(f"<tr>{tds}</tr>")
    counts = {s: sum(r["status"] == s for r in rows) for s in ("ok", "failed", "skipped")}
    summary = f"{len(rows)} briefing(s): {counts['ok']} rendered, {counts['skipped']} up to date, {counts['failed']} failed."
    text = template.substitute(summary=html.escape(summary), header=header, rows="\n".join(body))
    return _write(out_dir / "index.html", text)


def summary_table(rows: list[dict]) -> str:
    """A plain-text table of the runs (printed at the end of ``dvcanalysis render``)."""
    head = ("briefing", "status", "time", "worker MB", "kernel MB", "error")
    data = []
    for r in rows:
        err = r.get("error") or {}
        msg = ""
        if err:
            cell = f"cell {err['cell_index']}: " if err.get("cell_index") is not None else ""
            first = (str(err.get("evalue") or "").splitlines() or [""])[0]
            msg = f"{cell}{err.get('ename', '')}: {first}"[:80]
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
