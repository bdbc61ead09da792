"""The data-update path: newly published figures are rows, and everything dated moves with them.

A synthetic later observation (SYNTHETIC, labelled so in its source and note; not a published
figure) is added to a copy of the data folder; the latest share, the default cut-off, the
briefing's headline and the savings baseline must all follow it, with nothing else edited.
Also: the end-2024 figures in the shipped evidence, the guard that keeps old-definition figures
out of the fully-online series, and the check that a row's value is a number its quote states.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from dvcanalysis import briefing, evidence, quotes, savings, uptake

SYNTHETIC_SOURCE = {
    "source_id": "synthetic_2025",
    "kind": "reference",
    "outlet": "SYNTHETIC test source (not a publication)",
    "title": "Synthetic later observation for the data-update test",
    "url": "",
    "event_date": "2025-06-30",
    "published_date": "2025-07-15",
    "raw_file": "reference/synthetic-2025.md",
    "language": "en",
    "note": "SYNTHETIC: made up by tests/test_data_update.py",
}
SYNTHETIC_TEXT = "SYNTHETIC. Localities reached 23.5% fully online in the first half of 2025.\n"


def _append(path: Path, row: dict) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=header, lineterminator="\n").writerow(row)


@pytest.fixture
def later_data(tmp_path, monkeypatch, frozen_data):
    """A copy of the frozen data folder plus one SYNTHETIC observation of the localities, H1 2025."""
    d = tmp_path / "data"
    shutil.copytree(frozen_data, d, symlinks=False)
    (d / "raw" / "reference" / "synthetic-2025.md").write_text(SYNTHETIC_TEXT, encoding="utf-8")
    _append(d / "sources.csv", SYNTHETIC_SOURCE)
    _append(
        d / "evidence.csv",
        {
            "id": "synthetic_2025-01",
            "indicator": "fully_online_share",
            "segment": "localities",
            "period": "2025-H1",
            "period_precision": "half",
            "value": "0.235",
            "unit": "share",
            "kind": "observed",
            "bound": "eq",
            "definition": "fully_online",
            "source_id": "synthetic_2025",
            "quote_ref": "Localities reached 23.5% fully online in the first half of 2025",
            "gloss_en": "SYNTHETIC: localities 23.5% in H1 2025.",
            "note": "SYNTHETIC test row",
        },
    )
    monkeypatch.setenv("DVC_DATA_DIR", str(d))
    return d


def test_a_new_row_moves_the_clock_the_headline_and_the_baseline(frozen_data, later_data):
    assert evidence.validate() == []
    assert evidence.data_date() == date(2025, 6, 30)
    assert uptake.parse_cutoff(None) == date(2025, 6, 30)
    proj = uptake.project(n_draws=50, seed=0)
    assert proj.parameters["cutoff"] == "2025-06-30"
    assert proj.years[0] == 2025  # the first year-end after the cut-off
    assert proj.anchors["localities"].id == "synthetic_2025-01"
    b = briefing.build("business-as-usual", "localities", lang="en", n_draws=50, seed=0)
    h = b.headline().set_index("figure")["value"]
    assert h["latest_share"] == pytest.approx(0.235)
    assert savings.reference().baseline_share == pytest.approx(0.235)
    assert savings.reference().ids["baseline_share"] == "synthetic_2025-01"


def test_without_the_new_row_the_frozen_evidence_dates_to_august_2024():
    assert evidence.data_date() == date(2024, 8, 31)
    assert savings.reference().ids["baseline_share"] == "seed000-02"


def test_an_explicit_cutoff_still_wins(later_data):
    proj = uptake.project(n_draws=20, seed=0, cutoff="2024-08-31")
    assert proj.parameters["cutoff"] == "2024-08-31"
    assert proj.anchors["localities"].id == "seed000-02"


# ---------------------------------------------------------------- the shipped end-2024 figures
def test_shipped_evidence_headline_is_each_segments_newest_observation(shipped_data):
    # Written against whatever the shipped evidence holds (no value pinned here), so adding
    # newly published figures to data/ changes no unit test.
    ev = evidence.load()
    fo = ev[(ev["indicator"] == "fully_online_share") & (ev["kind"] == "observed")]
    assert evidence.data_date() == fo["period_end"].max().date()
    obs = uptake.observations()
    proj = uptake.project(n_draws=20, seed=0)
    for seg in ("national", "ministries", "localities"):
        rows = fo[fo["segment"] == seg]
        newest = rows[rows["period_end"] == rows["period_end"].max()]
        latest = uptake.latest_observation(obs, seg)
        assert latest["id"] in set(newest["id"])
        # of two reports of one period, the more precise one is the segment's latest
        digits = newest["value"].map(lambda v: len(f"{v:.10g}".partition(".")[2]))
        assert latest["value"] == newest.loc[digits.idxmax(), "value"]
        # an observation is compared at the midpoint of the period it measures
        mid = (latest["t_start"] + latest["t_end"]) / 2
        assert latest["decimal_year"] == pytest.approx(mid)
    assert proj.anchors["ministries"].proxy is False  # the ministries are observed


def test_of_two_reports_of_one_period_the_latest_is_fixed_by_precision_then_id(shipped_data):
    # Written against whatever the shipped evidence holds: for every period of a segment with
    # two reports (the provinces' June 2025: 15.21% and 14.48%), a cut-off at its end makes the
    # more precise report the latest; equally precise reports are ordered by id, the last wins.
    ev = evidence.load()
    fo = ev[(ev["indicator"] == "fully_online_share") & (ev["kind"] == "observed")]
    fo = fo[~fo["segment"].isin(["province", "ministry", "agency"])]
    pairs = fo.groupby(["segment", "period_end"]).filter(lambda g: len(g) > 1)
    assert len(pairs), "the shipped evidence has periods with two reports"
    for (seg, end), g in pairs.groupby(["segment", "period_end"]):
        if seg not in ("national", "ministries", "localities"):
            continue
        obs = uptake.observations(cutoff=end.date())
        g = g.assign(_digits=g["value"].map(lambda v: len(f"{v:.10g}".partition(".")[2])))
        expected = g.sort_values(["_digits", "id"]).iloc[-1]["id"]
        assert uptake.latest_observation(obs, seg)["id"] == expected


def test_old_definition_rows_never_enter_the_fully_online_series(shipped_data):
    ev = evidence.load()
    old = set(ev.loc[ev["definition"] == "online_submission_l34", "id"])
    assert len(old) >= 10
    assert not old & set(uptake.observations()["id"])
    assert (ev.loc[ev["indicator"] == "fully_online_share", "definition"] == "fully_online").all()


def test_an_old_definition_row_labelled_fully_online_is_refused(tmp_path, frozen_data):
    d = tmp_path / "data"
    shutil.copytree(frozen_data, d, symlinks=False)
    rows = list(csv.DictReader((d / "evidence.csv").open(encoding="utf-8")))
    bad = next(r for r in rows if r["id"] == "ref_vietnamnet_en-02")
    bad["definition"] = "online_submission_l34"
    with (d / "evidence.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    problems = [str(p) for p in evidence.validate(d / "evidence.csv", data_dir=d)]
    assert len(problems) == 1
    assert (
        "column 'definition': indicator fully_online_share needs definition fully_online"
        in problems[0]
    )
    assert "belongs to indicator online_submission_share" in problems[0]


def test_a_typo_in_a_value_is_one_line_naming_row_and_column(tmp_path, frozen_data):
    d = tmp_path / "data"
    shutil.copytree(frozen_data, d, symlinks=False)
    text = (d / "evidence.csv").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("seed000-02,"))
    (d / "evidence.csv").write_text(
        text.replace(row, row.replace(",0.17,", ",0.19,")), encoding="utf-8"
    )
    problems = [str(p) for p in evidence.validate(d / "evidence.csv", data_dir=d)]
    assert len(problems) == 1
    assert problems[0].startswith(
        f"{d / 'evidence.csv'}:3: column 'value': value 0.19 (share) is not a number its quote states"
    )


@pytest.mark.parametrize(
    ("value", "unit", "quote", "ok"),
    [
        (0.17, "share", "mới chỉ 17% hồ sơ", True),
        (0.19, "share", "mới chỉ 17% hồ sơ", False),
        (2.6e12, "vnd_per_year", "khoảng 2.600 tỷ đồng/năm", True),
        (2.6e12, "vnd_per_year", "VND 2,600 billion a year", True),
        (17.5e6, "count", "17,5 triệu hồ sơ", True),
        (17.5e6, "count", "17.5 million dossiers", True),
        (8.1e12, "vnd_per_year", "more than 8.1 trillion VND a year", True),
        (1.2e12, "vnd_per_year", "1.200 tỷ đồng", True),
        (115665, "count", "115,665 fully online", True),
        (1488000, "count", "1.488 million fully-online dossiers", True),
        (0.6347, "share", "63.47%", True),
        (0.1854, "share", "18,54%", True),
        (8.7e6, "vnd_per_month", "7.1 million VND in 2023 (urban 8.7, rural 6.2)", True),
        (2, "ratio", "tăng gấp đôi", True),
        (8, "count", "Eight agencies", True),
        (3, "count", "Eight agencies", False),
    ],
)
def test_value_in_quote_reads_both_number_conventions(value, unit, quote, ok):
    assert quotes.value_in_quote(value, unit, quote) is ok


def test_every_footer_says_the_date_of_its_data(later_data):
    from dvcanalysis.provenance import Provenance

    assert Provenance().text("en").startswith("Data as of 30 Jun 2025")
    assert Provenance().text("vi").startswith("Số liệu đến ngày 30/6/2025")
    proj = uptake.project(n_draws=20, seed=0, cutoff="2024-08-31")
    assert proj.provenance().text("en").startswith("Data as of 31 Aug 2024")
    assert proj.provenance().to_dict()["data_date"] == "2024-08-31"
