"""Display formats in both languages: the figures officials quote."""

import pytest

from dvcanalysis import fmt
from dvcanalysis.errors import InputError


@pytest.mark.parametrize(
    ("func", "value", "vi", "en"),
    [
        (fmt.vnd, 2.6e12, "2.600 tỷ đồng", "VND 2,600 billion"),
        (fmt.vnd, 1.2e12, "1.200 tỷ đồng", "VND 1,200 billion"),
        (fmt.vnd, 958.4e9, "958,4 tỷ đồng", "VND 958.4 billion"),
        (fmt.vnd, 148_571.43, "148.571 đồng", "VND 148,571"),
        (fmt.count, 17.5e6, "17,5 triệu", "17.5 million"),
        (fmt.count, 25e6, "25 triệu", "25 million"),
        (fmt.count, 47_377, "47.377", "47,377"),
        (fmt.share, 0.17, "17%", "17%"),
        (fmt.pp, -0.123, "-12,3 điểm phần trăm", "-12.3 pp"),
        (fmt.probability, 0.004, "<1%", "<1%"),
        (fmt.day, "2024-08-31", "31/8/2024", "31 Aug 2024"),
        (fmt.period, "2024-H1", "6 tháng đầu 2024", "H1 2024"),
        (fmt.period, "2025-Q2", "Quý 2/2025", "Q2 2025"),
        (fmt.period, "2019-12", "12/2019", "Dec 2019"),
    ],
)
def test_formats(func, value, vi, en):
    assert func(value, "vi") == vi
    assert func(value, "en") == en


def test_share_decimals_use_locale_separator():
    assert fmt.share(0.4337, "vi", 2) == "43,37%"
    assert fmt.share(0.4337, "en", 2) == "43.37%"


def test_unknown_language_is_one_clear_error():
    with pytest.raises(InputError, match=r"lang='fr' is not accepted; expected one of: 'vi', 'en'"):
        fmt.vnd(1.0, "fr")


def test_labels_exist_in_both_languages_and_unknown_key_suggests():
    assert fmt.label("segment.localities", "vi") == "Địa phương"
    assert fmt.label("segment.localities", "en") == "Localities"
    with pytest.raises(
        InputError, match="unknown label 'segment.localitie'; did you mean segment.localities"
    ):
        fmt.label("segment.localitie")


def test_every_label_file_has_both_languages():
    labels = fmt._labels()
    assert labels and all(set(v) == {"vi", "en"} and all(v.values()) for v in labels.values())


def test_scale_is_chosen_after_rounding():
    assert fmt.vnd(999_950_000, "vi") == "1 tỷ đồng"
    assert fmt.vnd(999_950_000, "en") == "VND 1 billion"
    assert fmt.count(999_960, "en") == "1 million"


def test_vnd_fixed_keeps_the_decimals():
    assert fmt.vnd(1.257e12, "en", fixed=True) == "VND 1,257.0 billion"
    assert fmt.vnd(1.257e12, "vi", fixed=True) == "1.257,0 tỷ đồng"
    assert fmt.vnd(1.257e12, "en") == "VND 1,257 billion"


def test_pp_never_prints_minus_zero():
    assert fmt.pp(-0.004, "en", 0) == "0 pp"
    assert fmt.pp(0.004, "vi", 0) == "0 điểm phần trăm"
    assert fmt.pp(-0.41, "en", 0) == "-41 pp"
    assert fmt.number(-0.0004, "en", 2) == "0.00"


@pytest.mark.parametrize(
    ("x", "lang", "text"),
    [(0.458, "vi", "45,8%"), (0.458, "en", "45.8%"), (0.6347, "en", "63.47%"), (0.17, "vi", "17%")],
)
def test_share_as_published_keeps_the_published_decimals(x, lang, text):
    assert fmt.share_as_published(x, lang) == text
