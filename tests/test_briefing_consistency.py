"""Every briefing of the default grid says the same number wherever it says it.

For each (scenario, segment, language) of ``data/briefings.yml`` the briefing's document is
built in process (``briefing.build(...).document()``, as the notebook does) on the shipped
data, and :func:`inconsistencies` reads the numbers back from what a reader sees: the key
message, the headline list, the attainment and savings tables, and the chart's data frame
(the CSV the notebook saves beside the figure). Each figure the text states for a year must
equal the table's and the chart's for that year; across scenarios, one target's published
outcome is told the same way, and the target path meets the targets it is built on.

``test_a_changed_number_is_caught`` shows the check fails when one rendering is changed.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from dvcanalysis import _io, briefing, fmt, paths

pytestmark = pytest.mark.usefixtures("shipped_grid_data")

PCT = r"(<1%|>99%|\d+(?:[.,]\d+)?%)"


def _grid() -> list[tuple[str, str, str, dict]]:
    entries = _io.read_yaml(paths.data_dir() / "briefings.yml")
    entry = next(e for e in entries if e["notebook"].endswith("briefing.ipynb"))
    g = entry["grid"]
    fixed = entry.get("parameters", {})
    return [
        (sc, seg, lang, fixed) for sc in g["scenario"] for seg in g["segment"] for lang in g["lang"]
    ]


@pytest.fixture(scope="module")
def shipped_grid_data():
    """The shipped data for the whole module (the briefings a reader gets)."""
    import os

    from tests.conftest import SHIPPED_DATA

    before = os.environ.get("DVC_DATA_DIR")
    os.environ["DVC_DATA_DIR"] = str(SHIPPED_DATA)
    yield SHIPPED_DATA
    os.environ["DVC_DATA_DIR"] = before if before is not None else ""
    if before is None:
        os.environ.pop("DVC_DATA_DIR")


@pytest.fixture(scope="module")
def rendered(shipped_grid_data):
    """(scenario, segment, lang) -> (briefing, document) for the default grid."""
    out = {}
    for sc, seg, lang, fixed in _grid():
        b = briefing.build(
            sc, seg, lang=lang, n_draws=fixed.get("n_draws", 1000), seed=fixed.get("seed", 0)
        )
        out[(sc, seg, lang)] = (b, b.document())
    return out


# ---------------------------------------------------------------- reading a document back
def _text(runs) -> str:
    return "".join(t for t, _ in runs)


def _tables(doc) -> list[dict]:
    return [b for b in doc.blocks if b["kind"] == "table"]


def _rows_by_year(table: dict) -> dict[int, dict[str, str]]:
    return {int(r[0]): dict(zip(table["columns"], r, strict=True)) for r in table["rows"]}


def _items(doc) -> list[str]:
    block = next(b for b in doc.blocks if b["kind"] == "list")
    return [_text(i) for i in block["items"]]


def _key(doc) -> str:
    return _text(next(b for b in doc.blocks if b.get("role") == "key")["runs"])


def _billions(text: str, lang: str) -> float:
    """``VND 1,700 billion`` / ``1.700 tỷ đồng`` / ``1,700`` -> 1700.0."""
    digits = re.search(r"[\d.,]+", text).group(0)
    digits = digits.replace(".", "") if lang == "vi" else digits.replace(",", "")
    return float(digits.replace(",", "."))


#: How each language words what the check reads back (the labels in briefing.yml).
WORDS = {
    "en": {
        "item": r"{year} \((?:published|forecast)\)|{year}:",
        "outcome": r"published figure is " + PCT,
        "item_outcome": r"\(published\): " + PCT,
        "median": r"median forecast " + PCT,
        "item_p": r"probability of meeting it " + PCT,
        "key_p": r"probability " + PCT,
        "key_savings": r"in (\d{4}) save about (VND [\d,]+ billion)",
        "item_savings": r"saved in (\d{4}) .*?: (VND [\d,]+ billion)",
    },
    "vi": {
        "item": r"Năm {year} \((?:đã công bố|dự báo)\)|Năm {year}:",
        "outcome": r"số liệu công bố là " + PCT,
        "item_outcome": r"\(đã công bố\): đạt " + PCT,
        "median": r"trung vị dự báo " + PCT,
        "item_p": r"xác suất đạt " + PCT,
        "key_p": r"xác suất " + PCT,
        "key_savings": r"năm (\d{4}) tiết kiệm khoảng ([\d.]+ tỷ đồng)",
        "item_savings": r"tiết kiệm năm (\d{4}) .*?: ([\d.]+ tỷ đồng)",
    },
}


def _find(pattern: str, text: str, group: int = 1) -> str | None:
    m = re.search(pattern, text)
    return m.group(group) if m else None


def inconsistencies(b, doc) -> list[str]:
    """Where the document states a number that its table or its chart's data do not show."""
    lang = b.lang
    W = WORDS[lang]
    L = lambda k: fmt.label(k, lang)  # noqa: E731
    problems: list[str] = []
    att, sav = _tables(doc)
    rows = _rows_by_year(att)
    col_value, col_p = L("briefing.col.value"), L("uptake.col.probability")
    col_status, col_pace = L("uptake.col.status"), L("uptake.col.required_pace")
    chart = b.chart_data()  # the frame the figure is drawn from and saved as CSV
    items = _items(doc)
    key = _key(doc)
    status_of = {
        fmt.label(f"briefing.status.{k}", lang): k
        for k in (
            "met",
            "missed",
            "on_track",
            "uncertain",
            "off_track",
            "unknown",
            "required",
            "short",
        )
    }
    headline_year = b.facts.headline_target.year
    for year, row in rows.items():
        kind = status_of.get(row[col_status])
        if kind is None:
            problems.append(f"{year}: unknown status {row[col_status]!r}")
            continue
        item = next((i for i in items if re.match(W["item"].format(year=year), i)), None)
        if item is None:
            problems.append(f"{year}: no headline line")
            continue
        if kind in ("met", "missed"):
            got = _find(W["item_outcome"], item)
            if got != row[col_value]:
                problems.append(f"{year}: headline outcome {got} != table {row[col_value]}")
            if str(year) in key and year < headline_year:
                got = _find(W["outcome"], key)
                if got != row[col_value]:
                    problems.append(f"{year}: key message outcome {got} != table {row[col_value]}")
            continue
        drawn = chart[chart["year"] == year]
        if drawn.empty:
            problems.append(f"{year}: forecast year not in the chart's data")
            continue
        shown = fmt.share(float(drawn["q50"].iloc[0]), lang)
        if shown != row[col_value]:
            problems.append(f"{year}: chart median {shown} != table {row[col_value]}")
        if row[col_pace] != "–" and row[col_pace] not in item:
            problems.append(f"{year}: headline pace differs from table {row[col_pace]}")
        if kind in ("required", "short"):
            continue
        for name, col in (("median", col_value), ("item_p", col_p)):
            got = _find(W[name], item)
            if got != row[col]:
                problems.append(f"{year}: headline {name} {got} != table {row[col]}")
        if year == headline_year:
            phrase = fmt.label(f"briefing.status.{kind}.phrase", lang)
            if phrase not in key:
                problems.append(
                    f"{year}: key message does not say {phrase!r} (table: {row[col_status]})"
                )
            for name, col in (("key_p", col_p), ("median", col_value)):
                got = _find(W[name], key)
                if got != row[col]:
                    problems.append(f"{year}: key message {name} {got} != table {row[col]}")
    # savings: the key message's and the headline's figure are the table's for that year
    srows = _rows_by_year(sav)
    med_col = sav["columns"][1]
    for name, text in (("key_savings", key), ("item_savings", " ".join(items))):
        m = re.search(W[name], text)
        if not m:
            problems.append(f"{name}: no savings sentence")
            continue
        year, money = int(m.group(1)), m.group(2)
        if year not in srows:
            problems.append(f"{name}: savings year {year} not in the table")
        elif _billions(money, lang) != _billions(srows[year][med_col], lang):
            problems.append(f"{name}: savings {money} != table {srows[year][med_col]} ({year})")
    return problems


# ---------------------------------------------------------------- the tests
def test_every_briefing_states_the_numbers_its_table_and_chart_show(rendered):
    assert len(rendered) == 24
    problems = {k: inconsistencies(b, doc) for k, (b, doc) in rendered.items()}
    assert {k: v for k, v in problems.items() if v} == {}


def test_a_changed_number_is_caught(rendered, monkeypatch):
    b, _ = rendered[("business-as-usual", "ministries", "en")]
    real = briefing.Briefing.attainment_table

    def one_cell_changed(self):
        df = real(self)
        col = fmt.label("briefing.col.value", self.lang)
        df.loc[df.index[-1], col] = "99%"  # one number, in one rendering (the table)
        return df

    monkeypatch.setattr(briefing.Briefing, "attainment_table", one_cell_changed)
    problems = inconsistencies(b, b.document())
    assert any("table 99%" in p for p in problems), problems

    monkeypatch.setattr(briefing.Briefing, "attainment_table", real)
    real_key = briefing.Briefing.key_message
    stated = "probability " + fmt.probability(b.facts.headline_target.probability, "en")
    assert stated in real_key(b)
    monkeypatch.setattr(
        briefing.Briefing,
        "key_message",
        lambda self, notes=None: real_key(self, notes).replace(stated, "probability 37%", 1),
    )
    assert inconsistencies(b, b.document()), "a changed key-message probability went unnoticed"


def test_scenarios_agree_on_each_target(rendered):
    by_target: dict[tuple, dict[str, tuple]] = {}
    for (sc, seg, lang), (b, _) in rendered.items():
        for t in b.facts.targets:
            by_target.setdefault((seg, lang, t.year), {})[sc] = t
    for (seg, _lang, year), per in by_target.items():
        # one target, one value and one set of sources, whatever the scenario
        assert len({(t.target_share, t.source_ids) for t in per.values()}) == 1, (seg, year)
        outcomes = {t.outcome for t in per.values()}
        assert len(outcomes) == 1, (seg, year)  # published for one, published for all
        if outcomes == {True}:
            assert len({(t.observed.share, t.status) for t in per.values()}) == 1
            continue
        path = per.get("target-path")
        data_year = next(iter(rendered.values()))[0].facts.data_date.year
        if path is not None and seg != "national" and year > data_year:
            # the path is built on these targets (a year already under way may fall short)
            assert path.path_status == "required"
            assert path.path_median_share >= path.target_share - 1e-9
        from dvcanalysis import facts

        for sc, t in per.items():
            assert t.status == facts.outlook(t.probability), (sc, seg, year)
        # one forecast: every scenario states the same probability and median for a target
        assert len({(t.probability, t.median_share) for t in per.values()}) == 1, (seg, year)


def test_target_citations_list_only_the_sources_that_state_the_value(rendered):
    b, doc = rendered[("business-as-usual", "national", "en")]
    line = next(i for i in _items(doc) if i.startswith("2025"))
    refs = re.search(r"target \*?\*?80%\*?\*? \[([\d, ]+)\]", line.replace("**", ""))
    assert refs, line
    numbers = [int(n) for n in refs.group(1).split(", ")]
    cited = [doc.record["notes"][n - 1] for n in numbers]
    assert "ref_vietnamnet_942" in cited  # Decision 942 states 80% for 2025 ...
    assert "seed000" not in cited and "seed003" not in cited  # ... the 2024 conference 70%
    from dvcanalysis import evidence

    ev = evidence.load()
    for sid in cited:  # every cited source states this value for this year
        rows = ev[(ev["source_id"] == sid) & (ev["kind"] == "target")]
        rows = rows[
            (rows["segment"] == "national") & rows["period"].astype(str).str.startswith("2025")
        ]
        assert (rows["value"].astype(float) == 0.80).any(), sid


def test_a_page_lists_only_the_sources_it_cites_in_order_of_first_use(rendered):
    for (_sc, _seg, _lang), (_b, doc) in rendered.items():
        text = "\n".join([_key(doc)] + [t for blk in doc.blocks for t in _texts(blk)])
        cited = [int(n) for group in re.findall(r"\[([\d, ]+)\]", text) for n in group.split(", ")]
        first_use = list(dict.fromkeys(cited))
        assert sorted(first_use) == list(range(1, len(doc.notes) + 1))  # each note cited
        assert first_use == sorted(first_use)  # numbered in order of first use


def _texts(blk) -> list[str]:
    from dvcanalysis.document import _block_texts

    return _block_texts(blk)


def test_no_reader_text_leaks(rendered):
    for (_sc, _seg, lang), (_b, doc) in rendered.items():
        text = doc.text()
        for bad in (
            "name not given",
            "date not stated",
            "via VietNamNet",
            "English-language press",
            "**",
            "điểm %",
            "Chệch hướng",
            "số mốc dữ liệu",
            "KHÔNG",
            "value at the end",
        ):
            assert bad not in text, (bad, doc.title)
        if lang == "vi":
            assert "khoảng 90%" not in text
            assert "kịch\u00a0bản" in doc.title  # the title never breaks inside "kịch bản"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_the_pdf_says_what_the_document_says(rendered, tmp_path):
    from dvcanalysis.plots import save

    b, doc = rendered[("accelerated", "localities", "vi")]
    fig = b.fan_chart()
    save(
        fig, b.figure_name, b.chart_data(), provenance=b.projection.provenance(), directory=tmp_path
    )
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(doc.to_pdf(tmp_path))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    att = _rows_by_year(_tables(doc)[0])
    t = b.facts.headline_target
    row = att[t.year]
    for value in (
        row[fmt.label("briefing.col.value", "vi")],
        row[fmt.label("uptake.col.probability", "vi")],
        fmt.savings(b.facts.savings_in(t.year).median_vnd, "vi"),
    ):
        assert value in flat, value
    assert "Quyết định" not in flat or "theo VietNamNet" not in flat


def test_consistent_on_data_with_2025_monthly_figures(tmp_path, monkeypatch):
    """With 2025 year-to-date figures (SYNTHETIC rows on a copy of the shipped data), 2024 stays
    a published outcome, 2025 is still a forecast, and every rendering agrees."""
    import csv

    from tests.conftest import SHIPPED_DATA

    d = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, d)
    (d / "raw" / "reference" / "synthetic-2025.md").write_text(
        "SYNTHETIC. Localities 31.5% and ministries 80.2% fully online, January-September 2025.\n",
        encoding="utf-8",
    )

    def append(path, row):
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        with path.open("a", encoding="utf-8", newline="") as fh:
            csv.DictWriter(fh, fieldnames=header, lineterminator="\n").writerow(row)

    append(d / "sources.csv", {
        "source_id": "synthetic_2025", "kind": "reference", "outlet": "SYNTHETIC test source",
        "title": "Synthetic 2025 figures", "event_date": "2025-09-30",
        "published_date": "2025-10-05", "raw_file": "reference/synthetic-2025.md",
        "language": "en", "note": "SYNTHETIC: made up by tests/test_briefing_consistency.py",
    })  # fmt: skip
    for i, (seg, value, words) in enumerate(
        (("localities", "0.315", "Localities 31.5%"), ("ministries", "0.802", "ministries 80.2%")),
        1,
    ):
        append(d / "evidence.csv", {
            "id": f"synthetic_2025-0{i}", "indicator": "fully_online_share", "segment": seg,
            "period": "2025-09", "period_precision": "month", "value": value, "unit": "share",
            "kind": "observed", "bound": "eq", "definition": "fully_online",
            "source_id": "synthetic_2025", "quote_ref": words,
            "gloss_en": f"SYNTHETIC: {words} to September 2025.", "note": "SYNTHETIC test row",
        })  # fmt: skip
    monkeypatch.setenv("DVC_DATA_DIR", str(d))
    for sc, seg, lang in (
        ("business-as-usual", "localities", "en"),
        ("accelerated", "ministries", "vi"),
        ("target-path", "localities", "en"),
        ("stalled", "national", "vi"),
    ):
        b = briefing.build(sc, seg, lang=lang, n_draws=300, seed=0, track_record=False)
        doc = b.document()
        assert inconsistencies(b, doc) == [], (sc, seg, lang)
        assert "needs – a year" not in doc.text() and "cần tăng – mỗi năm" not in doc.text()
        assert [t.year for t in b.facts.outcomes] == [2024]
        assert [t.year for t in b.facts.forecasts] == [2025]
        if seg != "national":
            assert b.facts.latest.period == "2025-09"
