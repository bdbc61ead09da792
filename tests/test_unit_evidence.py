"""dvcanalysis.unit_evidence (per-unit evidence: known, bounded, unknown; consistency checks)
and its display functions in dvcanalysis/plots/units.py.

Hand-checked cases run on a SYNTHETIC evidence table built below (year 2030, sources
``synA``/``synB``/``synC``: none of these figures exists). A few tests read the 2024 rows
from a frozen copy of the evidence (``data_2024_12_31``), so adding later figures to data/
changes nothing here.
"""

import math
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from dvcanalysis import unit_evidence
from dvcanalysis.errors import InputError
from dvcanalysis.plots import unit_evidence as pue
from dvcanalysis.tables import unit_evidence as unit_evidence_tables

YEAR_END = pd.Timestamp("2030-12-31")


def _row(id, indicator, segment, code, value, kind="observed", bound="eq", end=YEAR_END, note=""):
    return {
        "id": id,
        "indicator": indicator,
        "segment": segment,
        "unit_code": code,
        "value": float(value),
        "kind": kind,
        "bound": bound,
        "source_id": id.split("-")[0],
        "note": note,
        "period_end": end,
    }


SHARE = "fully_online_share"


def synthetic_rows() -> list[dict]:
    """SYNTHETIC evidence for 2030 (hand-checkable; see the module docstring)."""
    return [
        _row("synA-01", SHARE, "localities", "", 0.20),
        _row("synA-02", SHARE, "province", "35", 0.60),
        _row("synA-03", "dossiers_fully_online", "province", "35", 600),
        _row("synA-04", "dossiers_handled", "province", "35", 1000),
        # "all other provinces below 50%": applies to every province not named with a value
        _row("synA-05", SHARE, "localities", "", 0.5, kind="bounded", bound="max"),
        _row("synA-06", SHARE, "ministry", "BCT", 0.80),
        _row("synA-07", SHARE, "ministries", "", 0.50),
        _row("synA-08", "dossiers_fully_online", "ministry", "BCT", 800),
        _row(
            "synA-09",
            SHARE,
            "agency",
            "",
            0.5,
            "bounded",
            "min",
            note="Vietnam Social Security, an agency",
        ),
        _row("synB-01", SHARE, "province", "01", 0.10, kind="bounded", bound="max"),
        _row("synB-02", SHARE, "province", "79", 0.10, kind="bounded", bound="max"),
        # a complete list: its source says how many units it counts
        _row("synB-03", "units_above_50pct", "ministries_and_localities", "", 2),
        _row("synB-04", SHARE, "ministry", "BTC", 0.5, kind="bounded", bound="min"),
        _row("synB-05", SHARE, "ministry", "BYT", 0.5, kind="bounded", bound="min"),
        _row("synC-01", SHARE, "province", "01", 0.30),  # a value outside synB's "below 10%"
        _row("synC-02", SHARE, "ministry", "BCT", 0.81),  # a second report
        _row("synC-03", SHARE, "ministry", "BYT", 0.10, kind="bounded", bound="max"),  # disjoint
        # ignored: an earlier period of the same year, and another year
        _row("synC-04", SHARE, "province", "02", 0.90, end=pd.Timestamp("2030-06-30")),
        _row("synC-05", SHARE, "province", "02", 0.95, end=pd.Timestamp("2029-12-31")),
    ]


@pytest.fixture
def syn():
    ev = pd.DataFrame(synthetic_rows())
    return unit_evidence.unit_evidence(evidence_table=ev)


def unit(ue, code):
    u = ue.units.set_index("unit_code")
    return u.loc[code]


# ---------------------------------------------------------------- per-unit table
def test_year_defaults_to_latest_observation_and_roster_is_complete(syn):
    assert syn.year == 2030
    assert syn.period_end == YEAR_END
    assert list(syn.units["unit_type"].value_counts().sort_index().items()) == [
        ("agency", 1),
        ("ministry", 22),
        ("province", 63),
    ]


def test_counts_by_status(syn):
    c = syn.counts().set_index("unit_type")
    assert c.loc["province", ["known", "bounded", "unknown", "total"]].tolist() == [2, 61, 0, 63]
    assert c.loc["ministry", ["known", "bounded", "unknown", "total"]].tolist() == [1, 2, 19, 22]
    assert c.loc["agency", ["known", "bounded", "unknown", "total"]].tolist() == [0, 1, 0, 1]
    assert c.loc["total", ["known", "bounded", "unknown", "total"]].tolist() == [3, 64, 19, 86]


def test_group_bound_applies_to_provinces_not_named_with_a_value(syn):
    hg = unit(syn, "02")  # its only rows are of another period: the group row alone
    assert (hg["status"], hg["low_share"], hg["high_share"], hg["group_bound"]) == (
        "bounded",
        0.0,
        0.5,
        True,
    )
    assert hg["evidence_ids"] == "synA-05"
    hcm = unit(syn, "79")  # own "below 10%" and the group's "below 50%": [0, 10%]
    assert (hcm["low_share"], hcm["high_share"], hcm["group_bound"]) == (0.0, 0.1, False)
    assert hcm["evidence_ids"] == "synA-05;synB-02"
    hn = unit(syn, "35")  # named with a value: the group row does not apply
    assert (hn["status"], hn["value_share"], hn["low_share"], hn["high_share"]) == (
        "known",
        0.6,
        0.6,
        0.6,
    )
    assert hn["evidence_ids"] == "synA-02"


def test_two_reports_are_both_kept_and_flagged(syn):
    bct = unit(syn, "BCT")
    assert bct["status"] == "known"
    assert bct["value_share"] == 0.80  # the first report by evidence id
    assert bct["values_share"] == (0.80, 0.81)
    assert (bct["low_share"], bct["high_share"]) == (0.80, 0.81)
    assert "reports_differ" in bct["flags"]


def test_value_outside_a_bound_is_flagged(syn):
    hanoi = unit(syn, "01")
    assert (hanoi["status"], hanoi["value_share"]) == ("known", 0.30)
    assert hanoi["flags"] == ("value_outside_bound",)
    assert hanoi["flag_source_ids"] == ("synB",)


def test_disjoint_bounds_are_flagged_and_widened(syn):
    byt = unit(syn, "BYT")  # "above 50%" (synB) and "below 10%" (synC)
    assert byt["status"] == "bounded"
    assert (byt["low_share"], byt["high_share"]) == (0.0, 1.0)
    assert byt["flags"] == ("bounds_disjoint",)


def test_units_a_complete_list_leaves_out_are_flagged(syn):
    # synB says 2 units are above 50% and names BTC and BYT; the evidence also puts BCT
    # (80%), Hà Nam (60%) and the agency (above 50%, synA) there
    flagged = syn.units[syn.units["flags"].map(lambda f: "omitted_from_list" in f)]
    assert sorted(flagged["unit_code"]) == ["35", "BCT", "BHXH"]
    assert unit(syn, "BCT")["omitted_from"] == (("synB", "above", 0.5),)
    assert unit(syn, "BTC")["flags"] == ()


def test_unknown_units_get_the_whole_interval(syn):
    bca = unit(syn, "BCA")
    assert (bca["status"], bca["low_share"], bca["high_share"]) == ("unknown", 0.0, 1.0)
    assert math.isnan(bca["value_share"])
    assert bca["evidence_ids"] == "" and bca["source_ids"] == ""


def test_agency_named_in_the_note(syn):
    a = unit(syn, "BHXH")
    assert (a["unit_type"], a["name_en"], a["low_share"], a["high_share"]) == (
        "agency",
        "Vietnam Social Security",
        0.5,
        1.0,
    )


def test_agency_row_naming_no_known_agency_is_an_error():
    rows = synthetic_rows() + [
        _row("synD-01", SHARE, "agency", "", 0.5, "bounded", "min", note="some other agency")
    ]
    with pytest.raises(InputError, match=r"evidence row synD-01: segment 'agency'"):
        unit_evidence.unit_evidence(evidence_table=pd.DataFrame(rows))


@pytest.mark.parametrize("year", ["2030", 2030.0, True])
def test_year_must_be_a_whole_number(year):
    with pytest.raises(InputError, match="is not a year"):
        unit_evidence.unit_evidence(year, evidence_table=pd.DataFrame(synthetic_rows()))


def test_a_year_without_per_unit_rows_is_all_unknown():
    ue = unit_evidence.unit_evidence(2029, evidence_table=pd.DataFrame(synthetic_rows()[:1]))
    assert ue.period_end is None
    assert set(ue.units["status"]) == {"unknown"}


def test_frozen_fixture_has_no_per_unit_rows():
    ue = unit_evidence.unit_evidence()  # the frozen evidence to 31/8/2024
    assert ue.year == 2024
    assert ue.counts().set_index("unit_type").loc["total", "unknown"] == 85


# ---------------------------------------------------------------- consistency
def check(cons, name, segment):
    c = cons.to_df()
    rows = c[(c["check"] == name) & (c["segment"] == segment)]
    assert len(rows) == 1, (name, segment, c)
    return rows.iloc[0]


def test_unweighted_mean_range_localities(syn):
    r = check(unit_evidence.consistency(syn), "unweighted_mean_range", "localities")
    # lows: 0.6 + 0.3 (known) + 0 x 61; highs: 0.6 + 0.3 + 0.1 (HCMC) + 0.5 x 60
    assert r["low"] == pytest.approx(0.9 / 63)
    assert r["high"] == pytest.approx(31.0 / 63)
    assert r["stated"] == 0.20 and r["consistent"]
    assert "synA-01" in r["evidence_ids"].split(";")


def test_unweighted_mean_range_ministries_and_unknown_mean_needed(syn):
    cons = unit_evidence.consistency(syn)
    r = check(cons, "unweighted_mean_range", "ministries")
    # lows: BCT 0.80 + BTC 0.5 + BYT 0 + 19 unknown x 0; highs: 0.81 + 1 + 1 + 19 x 1
    assert (r["low"], r["high"]) == (pytest.approx(1.3 / 22), pytest.approx(21.81 / 22))
    n = check(cons, "unknown_mean_needed", "ministries")
    assert n["low"] == pytest.approx((0.5 * 22 - 2.81) / 19)
    assert n["high"] == pytest.approx((0.5 * 22 - 1.3) / 19)
    assert n["consistent"]


def test_weighted_range(syn):
    r = check(unit_evidence.consistency(syn), "weighted_range", "localities")
    assert (r["low"], r["high"], r["consistent"]) == (0.0, 0.6, True)


def test_dossier_counts(syn):
    cons = unit_evidence.consistency(syn)
    m = check(cons, "min_dossiers_handled", "localities")
    assert m["computed"] == pytest.approx(600 / 0.20)  # 3000
    assert m["evidence_ids"] == "synA-01;synA-03"
    w = check(cons, "max_dossier_weight", "localities")
    assert w["computed"] == pytest.approx(1000 / 3000)
    s = check(cons, "counts_share", "province")
    assert (s["computed"], s["stated"], s["consistent"]) == (pytest.approx(0.6), 0.6, True)
    assert check(cons, "min_dossiers_handled", "ministries")["computed"] == pytest.approx(1600)
    i = check(cons, "implied_dossiers_handled", "ministry")
    assert i["computed"] == pytest.approx(1000)
    assert (i["low"], i["high"]) == (pytest.approx(800 / 0.81), pytest.approx(1000))


def test_counts_share_outside_rounding_is_inconsistent():
    rows = synthetic_rows()
    rows[3] = _row("synA-04", "dossiers_handled", "province", "35", 990)  # 600/990 = 0.606
    ue = unit_evidence.unit_evidence(evidence_table=pd.DataFrame(rows))
    r = check(unit_evidence.consistency(ue), "counts_share", "province")
    assert not r["consistent"]


def test_list_count(syn):
    r = check(unit_evidence.consistency(syn), "list_count", "above_50pct")
    assert (r["stated"], r["listed"], r["computed"], r["consistent"]) == (2, 2, 4, False)
    assert r["list_source_id"] == "synB"


def test_every_check_is_traced_to_evidence(syn):
    c = unit_evidence.consistency(syn).to_df()
    assert set(c["check"]) <= set(unit_evidence.CHECKS)
    assert (c["evidence_ids"].str.len() > 0).all() and (c["source_ids"].str.len() > 0).all()


# ---------------------------------------------------------------- the shipped 2024 rows
def test_2024_units_of_the_reference_note(data_2024_12_31):
    ue = unit_evidence.unit_evidence(2024)
    c = ue.counts().set_index("unit_type")
    # monitoring-2024.md section 3: 4 provinces and 3 ministries with a value; 7 provinces and
    # 8 ministries below 10%; the other 52 provinces below 50%; Labour and VSS above 50%
    assert c.loc["province", ["known", "bounded", "unknown"]].tolist() == [4, 59, 0]
    assert c.loc["ministry", ["known", "bounded", "unknown"]].tolist() == [3, 9, 10]
    assert c.loc["agency", ["known", "bounded", "unknown"]].tolist() == [0, 1, 0]
    bct = unit(ue, "BCT")
    assert bct["values_share"] == (0.8348, 0.8349)
    assert set(bct["flags"]) == {"reports_differ", "omitted_from_list"}
    assert (unit(ue, "01")["low_share"], unit(ue, "01")["high_share"]) == (0.0, 0.1)
    cons = unit_evidence.consistency(ue)
    assert check(cons, "min_dossiers_handled", "localities")["computed"] == pytest.approx(
        115665 / 0.1854
    )
    assert check(cons, "counts_share", "province")["consistent"]  # 115,665 / 168,746
    assert not check(cons, "list_count", "above_50pct")["consistent"]
    assert check(cons, "list_count", "below_10pct")["consistent"]


_EVIDENCE_ID = re.compile(r"\b[a-z][a-z0-9_]*-\d{2,3}\b")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_figures_and_text_show_no_evidence_ids(data_2024_12_31, figures_tmp, lang):
    ue = unit_evidence.unit_evidence(2024)
    texts = []
    for kind in ("tiles", "ranked"):
        (name,) = pue.evidence_figures(ue, lang=lang, kind=kind)
        assert (figures_tmp / f"{name}.png").exists() and (figures_tmp / f"{name}.json").exists()
        fig = plt.gcf()
        texts += [t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text"))]
        plt.close("all")
    texts.append(
        unit_evidence_tables.consistency_statements(
            ue, unit_evidence.consistency(ue), lang=lang
        ).data
    )
    texts.append(unit_evidence_tables.evidence_intro(ue, lang=lang).data)
    texts += (
        unit_evidence_tables.evidence_table(ue, lang=lang).astype(str).to_numpy().ravel().tolist()
    )
    joined = "\n".join(texts)
    assert not _EVIDENCE_ID.search(joined), _EVIDENCE_ID.search(joined)
    assert "data/" not in joined
    outlet = "Báo Mới, "  # cited as readers do (dvcanalysis.citations)
    assert outlet in joined  # the footer and the list statement cite the outlet


def test_every_check_says_its_units(syn):
    c = unit_evidence.consistency(syn).to_df().set_index("check")
    assert c.loc["min_dossiers_handled", "computed_unit"].tolist() == ["dossiers", "dossiers"]
    assert c.loc["list_count", ["stated_unit", "computed_unit"]].tolist() == ["units", "units"]
    assert set(c["computed_unit"]) == {"share", "dossiers", "units"}
