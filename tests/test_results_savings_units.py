"""What the savings and unit results say: their provenance, pinned where it is hand-checkable,
and which of them draw a figure of their own.

The protocol checks every result passes are in ``tests/test_results.py``, which takes the
small instances below (:data:`FACTORIES`) into its list.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from dvcanalysis import savings, unit_evidence, unit_targets, uptake  # noqa: E402
from dvcanalysis.errors import InputError  # noqa: E402

COUNTS = "tests/fixtures/units/SYNTHETIC_counts.csv"


def _estimate():
    return savings.estimate(0.7, baseline_share=0.17)


def _uncertainty():
    return savings.uncertainty(0.7, n_draws=50, seed=0, baseline_share=0.17)


def _tornado():
    return savings.tornado(0.7)


def _sobol():
    return savings.sensitivity(n=32, seed=0)


def _over_time():
    proj = uptake.project("business-as-usual", n_draws=20, seed=0)
    return savings.over_time(proj, seed=0, baseline_share=0.17)


def _unit_report_without_counts():
    return unit_targets.unit_report("", layout="2025", as_of="2024-08-31")


def _unit_report_with_counts():
    return unit_targets.unit_report(COUNTS, layout="2025", as_of="2025-03-31", scenario_pace=0.2)


def _unit_evidence():
    return unit_evidence.unit_evidence()


def _consistency():
    return unit_evidence.consistency(unit_evidence.unit_evidence())


FACTORIES = {
    "Estimate": _estimate,
    "Uncertainty": _uncertainty,
    "Tornado": _tornado,
    "Sobol": _sobol,
    "OverTime": _over_time,
    "UnitReport-no-counts": _unit_report_without_counts,
    "UnitReport-counts": _unit_report_with_counts,
    "UnitEvidence": _unit_evidence,
    "Consistency": _consistency,
}
#: The per-unit evidence is read from the evidence published to 31 Dec 2024, which has
#: per-unit rows (the frozen 31 Aug 2024 copy has none).
NEEDS_DECEMBER = {"UnitEvidence", "Consistency"}


# ---------------------------------------------------------------- what each says
def test_estimate_provenance_is_the_reference_case():
    # 0.70 x 25 million dossiers (17.5 million / 0.70) at the official calibration
    prov = savings.estimate(0.7).provenance()
    assert prov.parameters == {
        "share": 0.7,
        "total_dossiers": 25_000_000.0,
        "calibration": "official",
    }
    assert {"seed003", "ref_scm_manual"} <= set(prov.sources)
    assert repr(savings.estimate(0.7)) == (
        "<Estimate: share 0.7, 2.6e+12 VND a year, 148571 VND per dossier>"
    )


def test_uncertainty_plots_around_its_own_point_estimate():
    unc = _uncertainty()
    assert unc.estimate.savings_vnd == pytest.approx(_estimate().savings_vnd)
    assert unc.parameters["n_draws"] == 50 and unc.provenance().parameters["seed"] == 0
    plt.close("all")


def test_unit_report_without_counts_has_the_analysis_columns():
    assert list(_unit_report_with_counts().to_df().columns) == list(unit_targets.ANALYSIS_COLUMNS)
    empty = _unit_report_without_counts().to_df()
    assert empty.empty and list(empty.columns) == list(unit_targets.ANALYSIS_COLUMNS)


def test_unit_report_provenance_says_when_counts_are_missing():
    without = _unit_report_without_counts().provenance()
    assert without.parameters == {"layout": "2025", "as_of": "2024-08-31"}
    assert without.note == "units.note.no_counts_footer"
    with_counts = _unit_report_with_counts().provenance()
    assert with_counts.parameters["counts_path"] == COUNTS and with_counts.note == ""


def test_unit_evidence_provenance_is_the_year(data_2024_12_31):
    ue = _unit_evidence()
    assert ue.provenance().parameters == {"year": 2024}
    assert repr(ue) == "<UnitEvidence: 2024, 86 units: 7 known, 69 bounded>"
    cons = unit_evidence.consistency(ue)
    assert repr(cons) == "<Consistency: 2024, 12 checks: 7 consistent, 1 not>"
    assert set(cons.sources) <= set(ue.sources)


@pytest.mark.parametrize("name", [n for n in FACTORIES if n != "Consistency"])
def test_a_result_drawing_its_own_figure_refuses_axes(name, request):
    if name in NEEDS_DECEMBER:
        request.getfixturevalue("data_2024_12_31")
    res = FACTORIES[name]()
    _, ax = plt.subplots()
    with pytest.raises(InputError, match=rf"ax is not accepted by {type(res).__name__}\.plot"):
        res.plot(ax)
    plt.close("all")


def test_consistency_draws_on_the_axes_given(data_2024_12_31):
    cons = _consistency()
    fig, ax = plt.subplots()
    assert cons.plot(ax, lang="vi") is ax
    # one row per drawn check: localities and ministries (unweighted mean, weighted range)
    # and Ha Nam's counts; the checks in dossiers and units are text only
    assert len(ax.get_yticks()) == 5
    plt.close(fig)


def test_unit_report_records_the_date_it_was_read_at():
    """An empty ``as_of`` is the evidence's own date, and the provenance says which date."""
    from dvcanalysis import evidence

    rep = unit_targets.unit_report("", layout="2025")
    assert rep.provenance().parameters["as_of"] == evidence.data_date().isoformat()
