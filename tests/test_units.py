"""dvcanalysis.units (strict counts loading, layout conversion) and
dvcanalysis.unit_targets (per-unit pace, status and report).

All per-unit numbers here are SYNTHETIC (tests/fixtures/units/SYNTHETIC_*.csv).
The status and pace rules themselves are tested in tests/test_targets.py.
"""

import ast
import math
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dvcanalysis import cli, targets, unit_targets, units
from dvcanalysis.errors import InputError

FIX = "tests/fixtures/units"
GOOD = f"{FIX}/SYNTHETIC_counts.csv"
GOOD_2025 = f"{FIX}/SYNTHETIC_counts_2025.csv"
BAD = f"{FIX}/SYNTHETIC_bad_counts.csv"
SAME_END = f"{FIX}/SYNTHETIC_bad_same_period_end.csv"

BAD_MESSAGES = [
    f"{BAD}:3: column 'unit_code': unknown province code '99' for layout pre-2025; see data/units/provinces_pre2025.csv",
    f"{BAD}:4: column 'dossiers_fully_online': dossiers_fully_online 120 is above dossiers_total 100",
    f"{BAD}:5: column 'dossiers_total': dossiers_total -5 is negative; expected a whole number >= 0",
    f"{BAD}:6: column 'dossiers_total': dossiers_total '12.5' is not a whole number; expected a count of dossiers such as 1234 (no separators or decimals)",
    f"{BAD}:7: column 'period': duplicate row for province 01 (pre-2025) period 2024 (first on line 4)",
    f"{BAD}:8: column 'period': period '2024-13' is not a date or period; expected YYYY-MM-DD, YYYY-MM or YYYY (also YYYY-Qn, YYYY-Hn)",
    f"{BAD}:9: column 'unit_type': 'county' is not a unit type; expected one of: province, ministry",
    f"{BAD}:10: column 'layout': '2026' is not a layout; expected one of: pre-2025, 2025",
    f"{BAD}:11: column 'unit_code': unknown province code '27' for layout 2025 (it is a pre-2025 code); see data/units/provinces_2025.csv",
]


# ---------------------------------------------------------------- validation
def test_validate_reports_every_problem_in_one_pass():
    assert [str(p) for p in units.validate_counts(BAD)] == BAD_MESSAGES


def test_load_counts_raises_input_error_with_all_lines():
    with pytest.raises(InputError) as exc:
        units.load_counts(BAD)
    assert str(exc.value).splitlines() == BAD_MESSAGES


def test_missing_column():
    path = f"{FIX}/SYNTHETIC_missing_column.csv"
    assert [str(p) for p in units.validate_counts(path)] == [
        f"{path}:2: missing column(s) dossiers_fully_online; expected columns: "
        "unit_type, unit_code, layout, period, dossiers_total, dossiers_fully_online"
    ]


def test_unknown_column_and_empty_count(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text(
        "unit_type,unit_code,layout,period,dossiers_total,dossiers_fully_online,extra\n"
        "province,01,2025,2025,,1,a\n",
        encoding="utf-8",
    )
    msgs = [p_.message for p_ in units.validate_counts(p)]
    assert msgs[0].startswith("unknown column(s) extra; expected columns:")
    assert "dossiers_total is empty; expected a whole number >= 0" in msgs


def test_not_utf8_is_one_problem(tmp_path):
    p = tmp_path / "latin1.csv"
    p.write_bytes(
        "unit_type,unit_code,layout,period,dossiers_total,dossiers_fully_online\nprovince,01,2025,Hà,1,1\n".encode(
            "latin-1"
        )
    )
    (problem,) = units.validate_counts(p)
    assert "not valid UTF-8" in problem.message


def test_cli_validate_counts_exit_codes(capsys):
    assert cli.main(["validate", GOOD]) == 0
    assert cli.main(["validate", BAD]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[: len(BAD_MESSAGES)] == BAD_MESSAGES


def test_load_counts_good_file():
    c = units.load_counts(GOOD)
    assert len(c) == 11
    assert c["dossiers_total"].dtype == "int64"
    row = c[(c["unit_code"] == "02") & (c["period"] == "2024-06")].iloc[0]
    assert row["fully_online_share"] == pytest.approx(0.9)
    assert row["name_vi"] == "Hà Giang"


# ---------------------------------------------------------------- layouts
def test_to_2025_sums_counts_not_shares():
    new = units.to_layout(units.load_counts(GOOD), "2025")
    tq = new[
        (new["unit_type"] == "province") & (new["unit_code"] == "08") & (new["period"] == "2024-06")
    ].iloc[0]
    # Hà Giang 90/100 (90%) + Tuyên Quang 90/900 (10%): summed 180/1000 = 18%, not the 50% mean of shares
    assert (tq["dossiers_total"], tq["dossiers_fully_online"]) == (1000, 180)
    assert tq["fully_online_share"] == pytest.approx(0.18)
    assert tq["complete"] and tq["constituents"] == "02 08" and tq["name_vi"] == "Tuyên Quang"
    btc = new[(new["unit_type"] == "ministry") & (new["unit_code"] == "BTC")].iloc[0]
    assert (btc["dossiers_total"], btc["dossiers_fully_online"], btc["constituents"]) == (
        1000,
        800,
        "BKHDT BTC",
    )


def test_incomplete_merge_group_is_flagged_not_summed_silently():
    new = units.to_layout(units.load_counts(GOOD), "2025")
    bn = new[(new["unit_type"] == "province") & (new["unit_code"] == "24")].iloc[0]
    assert not bn["complete"] and bn["missing"] == "27" and math.isnan(bn["fully_online_share"])
    with pytest.raises(
        InputError, match=r"province 24 \(2025\) period 2024-06: constituent unit\(s\) 27 missing"
    ):
        units.to_layout(units.load_counts(GOOD), "2025", incomplete="raise")
    dropped = units.to_layout(units.load_counts(GOOD), "2025", incomplete="drop")
    assert "24" not in set(dropped.loc[dropped["unit_type"] == "province", "unit_code"])


def test_2025_to_pre2025_only_unmerged_units():
    c = units.load_counts(GOOD_2025)
    with pytest.raises(InputError) as exc:
        units.to_layout(c, "pre-2025")
    lines = str(exc.value).splitlines()
    assert (
        "province 08 (2025) merges pre-2025 units 02 08; its counts cannot be split into them"
        in lines
    )
    assert (
        "province 24 (2025) merges pre-2025 units 24 27; its counts cannot be split into them"
        in lines
    )
    assert (
        "ministry BTC (2025) merges pre-2025 units BKHDT BTC; its counts cannot be split into them"
        in lines
    )
    out = units.to_layout(c, "pre-2025", unsplittable="drop")
    assert sorted(zip(out["unit_type"], out["unit_code"], strict=True)) == [
        ("ministry", "BYT"),
        ("province", "01"),
    ]
    assert len(out.attrs["dropped"]) == 3


def test_same_unit_period_from_both_layouts_is_an_error():
    c = pd.concat([units.load_counts(GOOD), units.load_counts(GOOD_2025)])
    c.loc[c["layout"] == "2025", "period"] = "2024-06"
    with pytest.raises(
        InputError, match="province 08 period 2024-06: counts come from both layouts"
    ):
        units.to_layout(c, "2025")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.floats(0, 1)), min_size=63, max_size=63))
def test_to_2025_preserves_totals_and_recomputes_shares(values):
    old = units.unit_list("province", "pre-2025")["unit_code"]
    rows = [
        {"unit_type": "province", "unit_code": code, "layout": "pre-2025", "period": "2024", "period_precision": "year",
         "period_end": pd.Timestamp("2024-12-31"), "dossiers_total": t, "dossiers_fully_online": int(t * f)}
        for code, (t, f) in zip(old, values, strict=True)
    ]  # fmt: skip
    new = units.to_layout(pd.DataFrame(rows), "2025")
    assert len(new) == 34 and new["complete"].all()
    assert new["dossiers_total"].sum() == sum(r["dossiers_total"] for r in rows)
    assert new["dossiers_fully_online"].sum() == sum(r["dossiers_fully_online"] for r in rows)
    nz = new[new["dossiers_total"] > 0]
    diff = (nz["fully_online_share"] - nz["dossiers_fully_online"] / nz["dossiers_total"]).abs()
    assert (diff < 1e-12).all()
    assert new.loc[new["dossiers_total"] == 0, "fully_online_share"].isna().all()


# ---------------------------------------------------------------- status
@pytest.mark.parametrize(
    "share, target, years_left, pace, expected",
    [
        (0.30, 0.30, 0.5, None, "met"),  # exactly at target
        (0.75, 0.70, 1.0, 0.0, "met"),
        (0.20, 0.30, 0.5, 0.25, "on track"),  # 0.20 + 0.25 * 0.5 = 0.325 >= 0.30
        (0.20, 0.30, 0.5, 0.20, "on track"),  # 0.20 + 0.10 = 0.30 exactly
        (0.20, 0.30, 0.5, 0.15, "off track"),  # 0.275 < 0.30
        (
            0.20,
            0.30,
            0.0,
            1.0,
            "missed",
        ),  # deadline passed (was "off track" before the rules were unified)
        (0.20, 0.30, -0.5, 1.0, "missed"),
        (0.20, 0.30, 0.5, None, "unknown"),  # no pace
        (float("nan"), 0.30, 0.5, 0.5, "unknown"),
    ],
)
def test_status(share, target, years_left, pace, expected):
    assert targets.status(share, target, years_left=years_left, pace=pace) == expected


def test_pace_needed():
    assert targets.pace_needed(0.17, 0.30, 0.5) == pytest.approx(0.26)
    assert targets.pace_needed(0.40, 0.30, 0.5) == 0.0
    assert math.isnan(targets.pace_needed(0.20, 0.30, 0.0))


def test_official_targets_from_evidence():
    t = unit_targets.segment_targets().set_index(["segment", t_col := "deadline"])["target_share"]
    assert t[("localities", pd.Timestamp("2024-12-31"))] == 0.30
    assert t[("localities", pd.Timestamp("2025-12-31"))] == 0.70
    assert t[("ministries", pd.Timestamp("2024-12-31"))] == 0.70
    assert t[("ministries", pd.Timestamp("2025-12-31"))] == 0.85
    assert t_col == "deadline"


def _analysis(pace):
    return unit_targets.unit_status(
        units.to_layout(units.load_counts(GOOD), "2025"), scenario_pace=pace
    ).set_index(["unit_type", "unit_code", "period"])


def test_analyse_own_pace_and_scenario_pace():
    a = _analysis(0.2)
    hn = a.loc[("province", "01", "2024-06")]
    # own pace: 15% (31 Mar) -> 25% (30 Jun 2024) = 0.10 in 91/366 years
    assert hn["pace_source"] == "own series"
    assert hn["pace_share_per_year"] == pytest.approx(0.10 / (91 / 366))
    assert hn["target_share"] == 0.30 and hn["years_left"] == pytest.approx(184 / 366)
    assert hn["status"] == "on track"
    cb = a.loc[("province", "04", "2024-06")]  # single period: 10% + 0.2 * 0.503 = 20% < 30%
    assert (cb["pace_source"], cb["status"]) == ("scenario", "off track")
    assert _analysis(0.5).loc[("province", "04", "2024-06"), "status"] == "on track"
    assert (
        _analysis({"localities": 0.5, "ministries": 0.0}).loc[
            ("ministry", "BYT", "2024-06"), "status"
        ]
        == "off track"
    )
    assert a.loc[("ministry", "BTC", "2024-06"), "status"] == "met"
    assert a.loc[("province", "24", "2024-06"), "status"] == "unknown"  # incomplete merge group


def test_analyse_rank_and_later_target():
    a = _analysis(None)
    ranks = a.xs("2024-06", level="period").loc["province"]["rank"]
    assert ranks.to_dict() == {"01": 1, "04": 3, "08": 2, "24": pd.NA} or (
        ranks["01"],
        ranks["08"],
        ranks["04"],
    ) == (1, 2, 3)
    c = units.load_counts(GOOD_2025)
    late = unit_targets.unit_status(c, scenario_pace=0.1).set_index(["unit_type", "unit_code"])
    assert late.loc[("province", "01"), "target_share"] == 0.70  # 2025 periods face the 2025 target
    assert late.loc[("ministry", "BTC"), "target_share"] == 0.85


def test_analyse_refuses_mixed_layouts():
    c = pd.concat([units.load_counts(GOOD), units.load_counts(GOOD_2025)])
    with pytest.raises(InputError, match="counts mix layouts"):
        unit_targets.unit_status(c)


class _Projection:
    """A stand-in for uptake.Projection: hand-checkable medians."""

    years = [2024, 2025]

    def quantiles(self, qs):
        return pd.DataFrame({"year": [2024, 2025, 2024, 2025], "segment": ["localities"] * 2 + ["ministries"] * 2,
                             "q05": 0.0, "q50": [0.2, 0.5, 0.6, 0.7], "q95": 1.0})  # fmt: skip


def test_scenario_paces_from_a_projection():
    paces = unit_targets.scenario_paces(_Projection(), 2024, 2025)
    assert paces == pytest.approx({"localities": 0.3, "ministries": 0.1})
    with pytest.raises(InputError, match="the projection has no years 2026 and 2027"):
        unit_targets.scenario_paces(_Projection(), 2026, 2027)
    with pytest.raises(InputError, match="year_to=2024 must be after year_from=2025"):
        unit_targets.scenario_paces(_Projection(), 2025, 2024)


def test_report_takes_the_pace_from_the_projection_given():
    rep = unit_targets.unit_report(GOOD, layout="2025", projection=_Projection(), scenario="bau")
    assert rep.scenario == "bau"
    assert rep.scenario_pace == pytest.approx({"localities": 0.3, "ministries": 0.1})
    a = rep.analysis.set_index(["unit_type", "unit_code", "period"])
    # Cao Bằng has one period: 10% + 0.3 a year from 30 Jun 2024 to the end of 2024 < 30%
    cb = a.loc[("province", "04", "2024-06")]
    assert (cb["pace_source"], cb["pace_share_per_year"], cb["status"]) == (
        "scenario",
        0.3,
        "off track",
    )


# ---------------------------------------------------------------- tiles and report
@pytest.mark.parametrize("layout, n", [("pre-2025", 63), ("2025", 34)])
def test_tiles_frame(layout, n):
    t = units.tiles(layout)
    assert len(t) == n and t["unit_code"].is_unique and not t.duplicated(["row", "col"]).any()
    assert t["name_vi"].ne("").all()
    assert t["merged"].sum() == (52 if layout == "pre-2025" else 23)


def test_report_without_counts_has_no_unit_numbers(figures_tmp):
    from dvcanalysis.plots import units as up

    rep = unit_targets.unit_report("", layout="2025", as_of="2024-08-31")
    assert not rep.has_counts and rep.to_df().empty
    nat = rep.national.set_index(["segment", "kind"])
    assert nat.loc[("locality_best", "observed"), "value_share"] == 0.69
    assert nat.loc[("localities", "observed"), "value_share"] == 0.17
    assert up.report_figures(rep, lang="en", kind="tiles") == ["units_tiles_2025_en"]
    assert "needs a per-unit counts file" in up.report_figures(rep, lang="en", kind="ranked").data
    assert (figures_tmp / "units_tiles_2025_en.png").exists()
    plt.close("all")


def test_report_with_counts_draws_every_figure(figures_tmp):
    from dvcanalysis.plots import units as up

    rep = unit_targets.unit_report(GOOD, layout="2025", scenario_pace=0.2)
    assert rep.scenario_pace == {"localities": 0.2, "ministries": 0.2}
    for kind in ("tiles", "ranked", "distribution"):
        for lang in ("vi", "en"):
            names = up.report_figures(rep, lang=lang, kind=kind)
            assert all((figures_tmp / f"{n}.csv").exists() for n in names)
    table = up.status_table(rep, lang="en")
    assert list(table["Status"]) == [
        "Met",
        "Off track",
        "On track",
        "Off track",
        "Off track",
        "Unknown",
    ]
    plt.close("all")


def test_report_bad_as_of():
    with pytest.raises(InputError, match="as_of='31/8/2024' is not a date"):
        unit_targets.unit_report("", as_of="31/8/2024")


# ---------------------------------------------------------------- one row per period end
def test_duplicate_is_keyed_on_the_period_end_not_its_text():
    # "2024-08" and "2024-08-31" are one snapshot: a pace between them would be over zero time
    assert [str(p) for p in units.validate_counts(SAME_END)] == [
        f"{SAME_END}:4: column 'period': duplicate row for province 01 (pre-2025) period 2024-08-31 (first on line 3 as period 2024-08; both end on 2024-08-31)",
        f"{SAME_END}:6: column 'period': duplicate row for province 04 (pre-2025) period 2024-Q4 (first on line 5 as period 2024; both end on 2024-12-31)",
        f"{SAME_END}:7: column 'period': duplicate row for province 04 (pre-2025) period 2024-12 (first on line 5 as period 2024; both end on 2024-12-31)",
        f"{SAME_END}:9: column 'period': duplicate row for ministry BYT (pre-2025) period 2024-H1 (first on line 8 as period 2024-06; both end on 2024-06-30)",
    ]
    with pytest.raises(InputError, match="both end on 2024-08-31"):
        units.load_counts(SAME_END)


def test_constituents_writing_one_period_end_differently_are_summed_together(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(
        "unit_type,unit_code,layout,period,dossiers_total,dossiers_fully_online\n"
        "province,02,pre-2025,2024-08,100,90\n"
        "province,08,pre-2025,2024-08-31,900,90\n",
        encoding="utf-8",
    )
    new = units.to_layout(units.load_counts(p), "2025")
    (row,) = new.itertuples()
    assert (row.unit_code, row.period, row.period_precision, row.complete) == (
        "08",
        "2024-08-31",
        "day",
        True,
    )
    assert (row.dossiers_total, row.dossiers_fully_online) == (1000, 180)


def test_pace_and_status_of_a_unit_past_its_deadline():
    a = unit_targets.unit_status(
        units.to_layout(units.load_counts(GOOD), "2025"), as_of="2025-03-31", scenario_pace=0.5
    ).set_index(["unit_type", "unit_code", "period"])
    cb = a.loc[
        ("province", "04", "2024-06")
    ]  # 10% on 30 Jun 2024, 2024 target 30%, judged on 31 Mar 2025
    assert cb["status"] == "missed" and math.isnan(cb["pace_needed_share_per_year"])
    assert cb["years_left"] == pytest.approx(-90 / 365)
    btc = a.loc[("ministry", "BTC", "2024-06")]  # 80% against 70%: met, needs no pace
    assert btc["status"] == "met" and btc["pace_needed_share_per_year"] == 0.0


def test_report_shows_missed_units(figures_tmp):
    from dvcanalysis.plots import units as up

    rep = unit_targets.unit_report(GOOD, layout="2025", as_of="2025-03-31", scenario_pace=0.2)
    table = up.status_table(rep, lang="en")
    assert "Missed" in set(table["Status"]) and "On track" not in set(table["Status"])
    assert set(up.status_table(rep, lang="vi")["Tình trạng"]) >= {"Không đạt", "Đã đạt"}
    assert up.report_figures(rep, lang="en", kind="ranked")
    plt.close("all")


# ---------------------------------------------------------------- layering
def _imports(module: str) -> set[str]:
    """What ``module`` imports, except inside a result's ``plot`` method: the result protocol's
    ``.plot()`` delegates to :mod:`dvcanalysis.plots` there (imported when called)."""
    src = Path(__file__).resolve().parent.parent / "dvcanalysis" / f"{module}.py"
    tree = ast.parse(src.read_text(encoding="utf-8"))
    skipped = {
        id(n)
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef) and f.name == "plot"
        for n in ast.walk(f)
    }
    names = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
    return names


def test_imports_inside_plot_are_the_only_exception():
    # the exception is narrow: a plots import anywhere else in a model module is still seen
    assert "dvcanalysis.plots" not in _imports("unit_targets")
    src = (Path(__file__).resolve().parent.parent / "dvcanalysis" / "unit_targets.py").read_text()
    assert "from dvcanalysis.plots import units" in src  # ... but it is there, inside plot()


@pytest.mark.parametrize(
    "module, forbidden",
    [
        ("units", {"uptake", "targets", "unit_targets", "savings", "plots", "fmt"}),
        ("targets", {"uptake", "unit_targets", "plots", "fmt"}),
        ("unit_targets", {"uptake", "plots", "fmt"}),
    ],
)
def test_models_import_only_to_their_left(module, forbidden):
    bad = {f"dvcanalysis.{m}" for m in forbidden} & _imports(module)
    assert not bad, f"dvcanalysis/{module}.py imports {sorted(bad)}"
