"""The one-page briefing composes the models' results without computing its own; its key
message and caveats are composed from the numbers and say what the numbers say."""

import re

import numpy as np
import pytest

from dvcanalysis import briefing, citations, fmt, targets, uptake
from dvcanalysis.errors import InputError


@pytest.fixture(scope="module")
def b():
    return briefing.build("business-as-usual", "localities", lang="en", n_draws=300, seed=1)


@pytest.fixture(scope="module")
def grid():
    """One briefing per segment and language (few draws: the text, not the numbers, matters)."""
    return {
        (seg, lang): briefing.build("business-as-usual", seg, lang=lang, n_draws=200, seed=0)
        for seg in briefing.SEGMENTS
        for lang in ("vi", "en")
    }


def test_headline_matches_attainment_of_the_first_target_not_yet_published(b):
    from dvcanalysis import forecast

    h = b.headline().set_index("figure")["value"]
    p = uptake.project("business-as-usual", n_draws=300, seed=1)
    att = targets.attainment(p)
    first = att[att["segment"] == "localities"].sort_values("target_year").iloc[0]
    # frozen evidence (31 Aug 2024): no full-year figure yet, so 2024 is still a forecast
    assert b.facts.outcomes == () and b.facts.headline_target.year == 2024
    assert h["target_share"] == first["target_share"] == 0.30
    # the probability is the default forecast's, not the scenario path's
    fc = forecast.forecast(b.parameters["cutoff"], n_draws=b.parameters["n_draws"], seed=0)
    assert h["probability"] == pytest.approx(fc.probability_at_least("localities", 2024, 0.30))
    assert b.facts.headline_target.median_share == pytest.approx(
        float(np.median(fc.year_draws("localities", 2024)))
    )
    assert h["latest_share"] == pytest.approx(0.17)
    assert h["savings_vnd_q05"] <= h["savings_vnd_q50"] <= h["savings_vnd_q95"]


def test_headline_cites_a_numbered_note_not_an_evidence_id(b):
    doc = b.document()
    items = ["".join(t for t, _ in i) for i in doc.blocks[4]["items"]]
    assert items[0].startswith("Latest published figure: 17% (31 Aug 2024) [")
    n = int(items[0].rsplit("[", 1)[1].rstrip("]"))
    assert doc.notes[n - 1].startswith("“Thủ tướng Phạm Minh Chính")
    assert doc.notes[n - 1].endswith(", 31 Aug 2024")
    assert "seed000" in doc.record["notes"]  # the id lives in the machine record


@pytest.mark.parametrize("seg", briefing.SEGMENTS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_key_message_states_the_numbers(grid, seg, lang):
    b = grid[(seg, lang)]
    t = b.facts.headline_target
    text = b.key_message()
    saved = b.facts.savings_in(t.year)
    expected = [
        fmt.share(t.target_share, lang),
        str(t.year),
        fmt.probability(t.probability, lang),
        fmt.share(t.median_share, lang),
        fmt.pp(t.gap_share, lang, 0),
        fmt.savings(saved.median_vnd, lang),
        fmt.savings(saved.low_vnd, lang),
        fmt.savings(saved.high_vnd, lang),
    ]
    for s in expected:
        assert s in text, (s, text)
    assert fmt.label(f"briefing.status.{t.status}.phrase", lang) in text
    if t.crossing_year is not None and t.crossing_year > t.year:
        assert str(t.crossing_year) in text


@pytest.mark.parametrize(
    ("p", "word"),
    [
        (0.0, "off_track"),
        (0.07, "off_track"),
        (0.199, "off_track"),
        (0.2, "uncertain"),
        (0.5, "uncertain"),
        (0.799, "uncertain"),
        (0.8, "on_track"),
        (1.0, "on_track"),
        (float("nan"), "unknown"),
    ],
)
def test_one_status_rule_pins_the_thresholds(p, word):
    from dvcanalysis import facts

    assert facts.outlook(p) == word
    # the same rule as the targets module's (the tables of notebooks 04 and 05)
    if word != "unknown":
        assert targets.status(0.1, 0.9, years_left=1, probability=p) == word.replace("_", " ")


def test_required_pace_by_hand():
    from dvcanalysis import facts

    # national: 45.8% in 2024 to 80% in 2025 is 34.2 points in one year
    assert facts.required_pace(0.458, 2024, 0.80, 2025) == pytest.approx(0.342)
    # ministries: 63.47% in 2024 to 85% in 2025: 21.53 points
    assert facts.required_pace(0.6347, 2024, 0.85, 2025) == pytest.approx(0.2153)
    # two years left halve it; a reached target needs none; no year left: nothing to say
    assert facts.required_pace(0.458, 2024, 0.80, 2026) == pytest.approx(0.171)
    assert facts.required_pace(0.9, 2024, 0.80, 2025) == 0.0
    assert facts.required_pace(0.5, 2025, 0.80, 2025) != facts.required_pace(0.5, 2025, 0.80, 2025)


def test_caveats_follow_the_observations(grid):
    vi = {
        seg: " ".join(grid[(seg, "vi")].caveats(citations.Notes("vi"))) for seg in briefing.SEGMENTS
    }
    en = {
        seg: " ".join(grid[(seg, "en")].caveats(citations.Notes("en"))) for seg in briefing.SEGMENTS
    }
    # ministries: no observation; localities: one (31 Aug 2024); national: a secondary source
    assert "no direct observation" in en["ministries"] and "Chưa có quan sát" in vi["ministries"]
    assert "single figure (31 Aug 2024)" in en["localities"]
    assert "một số liệu (31/8/2024)" in vi["localities"]
    assert "secondary source" in en["national"] and "nguồn thứ cấp" in vi["national"]
    assert "secondary" not in en["localities"] and "single" not in en["national"]
    # the frozen data know no reorganisation: the forecast's caveat names none
    assert "reorganisation" not in en["national"] and "2025" not in en["national"]
    for seg in briefing.SEGMENTS:
        n = len(grid[(seg, "en")].observations())
        assert ("single figure" in en[seg]) == (n == 1)
        assert ("no direct observation" in en[seg]) == (n == 0)


def test_document_has_every_part_in_order(b):
    doc = b.document()
    kinds = [x["kind"] for x in doc.blocks]
    assert kinds[:3] == ["paragraph"] * 3 and doc.blocks[0]["role"] == "key"
    assert "figure" in kinds and kinds.count("table") == 2 and "caveats" in kinds
    assert doc.header[0] == "Data as of 31 Aug 2024"
    assert re.fullmatch(r"Produced \d{1,2} [A-Z][a-z]{2} \d{4}", doc.header[1])
    assert "trực tuyến toàn trình" in doc.blocks[2]["runs"][0][0]  # the definition


def test_data_date_is_passed_in():
    x = briefing.build(
        "business-as-usual", "national", lang="vi", n_draws=100, data_date="2024-07-31"
    )
    assert x.document().header[0] == "Số liệu đến ngày 31/7/2024"


def test_track_record_block_states_the_record(grid):
    import dataclasses

    from dvcanalysis import fmt

    b = grid[("national", "en")]
    rec = b.track_record
    assert rec is not None and rec.segment == "national" and not rec.archived
    # localities have one figure in the frozen data, nothing later to check: no record
    assert grid[("localities", "en")].track_record is None
    text = b.document().text()
    assert "Track record of earlier forecasts" in text
    # the numbers the block states are the record's
    for v in (rec.median_share, rec.low_share, rec.high_share):
        assert fmt.share(v, "en") in text
    assert fmt.day(rec.origin, "en") in text
    none = dataclasses.replace(b, track_record=None)
    assert "Track record of earlier forecasts" not in none.document().text()


def test_key_message_sets_the_scenario_path_beside_the_forecast(grid):
    from dvcanalysis import citations, fmt

    for (seg, lang), x in grid.items():
        t = x.facts.headline_target
        msg = x.key_message(citations.Notes(lang))
        assert fmt.probability(t.probability, lang) in msg
        if seg == "ministries":  # no figure of its own in the frozen data: the path alone
            continue
        assert fmt.share(t.path_median_share, lang) in msg
        assert fmt.pp(t.path_median_share - t.median_share, lang, 0) in msg
        assert "curve shape" not in msg  # one probability: the forecast's


def test_savings_table_has_one_format_per_column(b):
    df = b.savings_table()
    for col in df.columns[1:]:
        assert all(re.fullmatch(r"[\d,]+( – [\d,]+)?", v) for v in df[col]), df[col].tolist()


def test_bad_inputs_are_one_clear_error():
    with pytest.raises(
        InputError,
        match="segment='provinces' is not accepted; expected one of: 'ministries', 'localities', 'national'",
    ):
        briefing.build("business-as-usual", "provinces")
    with pytest.raises(InputError, match="lang='fr'"):
        briefing.build("business-as-usual", "national", lang="fr")
    with pytest.raises(InputError, match="unknown scenario"):
        briefing.build("no-such-scenario", "national")
