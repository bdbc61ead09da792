"""The one-page briefing composes the models' results without computing its own."""

import pytest

from dvcanalysis import briefing, targets, uptake
from dvcanalysis.errors import InputError


@pytest.fixture(scope="module")
def b():
    return briefing.build("business-as-usual", "localities", lang="en", n_draws=300, seed=1)


def test_headline_matches_attainment_of_last_target(b):
    h = b.headline().set_index("figure")["value"]
    p = uptake.project("business-as-usual", n_draws=300, seed=1)
    att = targets.attainment(p)
    last = att[att["segment"] == "localities"].sort_values("target_year").iloc[-1]
    assert h["target_share"] == last["target_share"] == 0.70
    assert h["probability"] == pytest.approx(last["probability"])
    assert h["latest_share"] == pytest.approx(0.17)
    assert h["savings_vnd_q05"] <= h["savings_vnd_q50"] <= h["savings_vnd_q95"]


def test_text_is_formatted_for_the_language(b):
    text = b.headline_md()
    assert "Latest fully-online share: **17%** (31 Aug 2024) [seed000-02]" in text
    assert "VND" in text and "billion" in text


def test_footer_names_every_source_and_parameter(b):
    footer = b.footer_md()
    for sid in ("seed000", "seed003", "ref_vietnamnet_en"):
        assert f"[{sid}]" in footer
    for p in (
        "scenario=business-as-usual",
        "segment=localities",
        "n_draws=300",
        "seed=1",
        "cutoff=2024-08-31",
    ):
        assert p in footer


def test_ministries_briefing_says_evidence_is_thin():
    m = briefing.build("business-as-usual", "ministries", lang="vi", n_draws=200)
    assert "bằng chứng rất mỏng" in m.headline_md()


def test_bad_inputs_are_one_clear_error():
    with pytest.raises(
        InputError,
        match="segment='provinces' is not accepted; expected one of: 'national', 'ministries', 'localities'",
    ):
        briefing.build("business-as-usual", "provinces")
    with pytest.raises(InputError, match="lang='fr'"):
        briefing.build("business-as-usual", "national", lang="fr")
    with pytest.raises(InputError, match="unknown scenario"):
        briefing.build("no-such-scenario", "national")
