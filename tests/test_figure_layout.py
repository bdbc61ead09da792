"""Figures a printer and a reader accept: for every figure the briefings and notebooks save,
no text over text, no text over a marker and no legend over data or text (checked on the
drawn artists' extents); no text under 7 pt as printed on A4; years where they belong on the
time axis; no sources block inside a figure (the page cites them)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from dvcanalysis import briefing, evidence, savings, scenarios, targets, unit_targets, uptake  # noqa: E402
from dvcanalysis.plots import Provenance, layout  # noqa: E402
from dvcanalysis.plots import evidence as pe  # noqa: E402
from dvcanalysis.plots import savings as ps  # noqa: E402
from dvcanalysis.plots import units as pu  # noqa: E402
from dvcanalysis.plots import uptake as uplot  # noqa: E402


@pytest.fixture(scope="module")
def models():
    proj = uptake.project("business-as-usual", n_draws=200, seed=0)
    inputs = savings.notebook_inputs(
        share=0.7, baseline_share=None, total_dossiers=None, value_of_time_vnd_per_hour=None
    )
    return proj, inputs, savings.parameter_overrides(inputs)


def _figures(models, lang):
    """Each figure as the notebooks and the briefing build it (fewer draws)."""
    proj, inputs, overrides = models
    tl = evidence.shares_timeline()
    yield (
        "evidence_timeline",
        lambda: pe.timeline(tl, lang=lang, provenance=Provenance(sources=list(tl["source_id"]))),
    )
    c = evidence.summary()
    yield (
        "evidence_counts",
        lambda: pe.counts_chart(c, lang=lang, provenance=Provenance(sources=list(c["source_id"]))),
    )
    yield "fan_all", lambda: proj.plot(lang=lang)
    for seg in briefing.SEGMENTS:
        yield f"fan_{seg}", lambda seg=seg: proj.plot(segment=seg, lang=lang)

    def compare():
        cmp = uptake.compare(scenarios.names(), n_draws=100, seed=0)
        return uplot.compare_chart(
            cmp, titles=scenarios.titles(lang), lang=lang, targets=proj.targets
        )

    yield "compare", compare
    yield (
        "attainment",
        lambda: uplot.attainment_chart(
            targets.attainment(proj),
            lang=lang,
            scenario=proj.scenario.title[lang],
            provenance=proj.provenance(),
        ),
    )

    def backtest():
        bt = uptake.project("business-as-usual", n_draws=100, cutoff="2023-12-31", curve="bass")
        return uplot.attainment_chart(
            targets.attainment(bt),
            lang=lang,
            scenario=bt.scenario.title[lang],
            provenance=bt.provenance(),
        )

    yield "attainment_backtest", backtest
    est = savings.estimate(**inputs)
    yield "savings_components", lambda: ps.components(est, lang=lang, provenance=est.provenance())

    def gross():
        unc = savings.uncertainty(n_draws=100, seed=0, **inputs)
        return ps.gross_incremental(est, unc, lang=lang, provenance=unc.provenance())

    yield "savings_gross_incremental", gross

    def tornado():
        tor = savings.tornado(inputs["share"], total_dossiers=inputs["total_dossiers"], **overrides)
        return ps.tornado(tor, lang=lang, provenance=tor.provenance())

    yield "savings_tornado", tornado

    def sobol():
        sob = savings.sensitivity(n=32, seed=0)
        return ps.sobol(sob, lang=lang, provenance=sob.provenance())

    yield "savings_sobol", sobol

    def over_time():
        ot = savings.over_time(
            proj,
            seed=0,
            baseline_share=inputs["baseline_share"],
            total_dossiers=inputs["total_dossiers"],
            **overrides,
        )
        return ps.over_time(ot, lang=lang, provenance=ot.provenance())

    yield "savings_over_time", over_time

    def tiles():
        rep = unit_targets.unit_report(
            "", layout="2025", as_of="2024-08-31", scenario="business-as-usual"
        )
        return pu.tile_map(
            rep.tile_frame(),
            layout=rep.layout,
            lang=lang,
            color_by="merge",
            provenance=rep.provenance(),
        )

    yield "units_tiles", tiles


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_figure_has_text_over_text_or_a_legend_over_data(models, lang):
    found = {}
    for name, make in _figures(models, lang):
        fig = make()
        try:
            p = layout.problems(fig)
        finally:
            plt.close(fig)
        if p:
            found[name] = p
    assert found == {}


def test_the_layout_check_finds_overlaps():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1], label="a line through the corner")
    ax.legend(loc="upper left", bbox_to_anchor=(0.3, 0.7))  # over the line
    ax.text(0.5, 0.1, "first label")
    ax.text(0.52, 0.1, "second label")
    found = layout.problems(fig)
    plt.close(fig)
    assert any("legend covers" in p for p in found)
    assert any("'first label' overlaps text 'second label'" in p for p in found)


def test_separate_moves_close_labels_apart():
    fig, ax = plt.subplots(figsize=(4, 3))
    notes = [
        ax.annotate(t, (0.5, y), xytext=(0, 5), textcoords="offset points")
        for t, y in (("42%", 0.42), ("43%", 0.425))
    ]
    layout.separate(fig, notes)
    assert layout.problems(fig) == []
    plt.close(fig)


def _year_ticks(ax) -> dict[str, float]:
    return {
        t.get_text(): x
        for t, x in zip(ax.get_xticklabels(), ax.get_xticks(), strict=True)
        if t.get_text()
    }


def test_a_years_figure_sits_on_its_year_tick(models):
    """A 2025 target is drawn on the tick labelled "2025" (not between gridlines, next to
    "2026"); 31 Aug 2024 (decimal 2024.67) lies within the span of "2024", right of its tick."""
    proj, _, _ = models
    fig = proj.plot(segment="localities", lang="en")
    ax = fig.axes[0]
    fig.canvas.draw()
    ticks = _year_ticks(ax)
    target = next(ln for ln in ax.get_lines() if ln.get_marker() == "D")
    years = proj.targets[proj.targets["segment"] == "localities"]["year"]
    for year, x in zip(years, target.get_xdata(), strict=True):
        assert x == ticks[str(year)]
    obs_x = evidence.decimal_year(evidence.period_end("2024-08-31", "day"))
    assert ticks["2024"] < obs_x < ticks["2024"] + 0.5
    plt.close(fig)


def test_the_timeline_puts_a_year_on_its_tick_and_a_date_inside_its_year():
    tl = evidence.shares_timeline()
    fig = pe.timeline(tl, lang="en")
    ax = fig.axes[0]
    fig.canvas.draw()
    ticks = _year_ticks(ax)
    xs = {round(float(x), 4) for ln in ax.get_lines() for x in ln.get_xdata()}
    annual = tl[(tl["kind"] == "observed") & tl["period"].str.fullmatch(r"\d{4}")]
    assert len(annual) and all(ticks[p] in xs for p in annual["period"])
    dated = tl[(tl["kind"] == "observed") & ~tl["period"].str.fullmatch(r"\d{4}")]
    for end in dated["period_end"]:
        x = evidence.decimal_year(end.date() if hasattr(end, "date") else end)
        year = str(int(x)) if x % 1 else str(int(x) - 1)
        assert ticks[year] - 0.5 <= x <= ticks[year] + 0.5
    plt.close(fig)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_timeline_labels_each_value_apart(lang, shipped_data):
    """01's timeline on the shipped evidence (30% and 30% of two indicators in 2021, 69% and
    70% in 2024): no label over a label or a marker; without the placement it has overlaps,
    and the check finds them."""
    tl = evidence.shares_timeline()
    fig = pe.timeline(tl, lang=lang)
    try:
        assert layout.problems(fig) == []
    finally:
        plt.close(fig)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(layout, "place", lambda fig, ax, notes: [])  # every label at (5, 4) pt
        fig = pe.timeline(tl, lang=lang)
    try:
        found = layout.problems(fig)
    finally:
        plt.close(fig)
    assert any("overlaps text" in p or "covers a marker" in p for p in found), found


def test_no_figure_carries_a_sources_block(models, tmp_path):
    """The figure's sources are in its provenance JSON (and the page's numbered citations),
    not in 5-6 pt text inside the chart."""
    import json

    from dvcanalysis.plots import save

    proj, _, _ = models
    fig = proj.plot(segment="national", lang="vi")
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    assert not any(t.startswith(("Nguồn", "Sources")) for t in texts)
    written = save(fig, "fan", directory=tmp_path)
    assert json.loads(written["json"].read_text(encoding="utf-8"))["sources"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_text_under_7pt_as_printed_on_a4(models, lang):
    """Every figure printed from its HTML page, and the briefing's fan charts in the PDF."""
    found = {}
    for name, make in _figures(models, lang):
        fig = make()
        try:
            p = layout.small_text(fig)
            if name.startswith("fan_") and name != "fan_all":
                p += [f"PDF: {x}" for x in layout.small_text(fig, pdf=True)]
        finally:
            plt.close(fig)
        if p:
            found[name] = p
    assert found == {}


def test_the_print_check_finds_small_text():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    ax.text(0.5, 0.5, "tiny", fontsize=5)
    try:
        assert any("'tiny' prints at" in p for p in layout.small_text(fig))
        assert layout.small_text(fig, min_pt=4) == []
    finally:
        plt.close(fig)


def test_tick_labels_outside_the_view_are_not_counted():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    ax.set_ylim(0, 1)
    ax.set_yticks([0, 0.5, 1.0, 1.2])  # 1.2 is kept by matplotlib but not drawn
    ax.set_ylim(0, 1)
    # a text exactly where the 1.2 tick label would be drawn
    ax.text(-0.02, 1.2, "1.2 would sit here", transform=ax.get_yaxis_transform(), ha="right")
    try:
        assert layout.problems(fig) == []
        ax.set_ylim(0, 1.3)  # now 1.2 is drawn, under the title
        assert any("1.2" in p for p in layout.problems(fig))
    finally:
        plt.close(fig)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_evaluation_chart_on_the_shipped_data_has_no_overlap(shipped_data, lang):
    """The shipped evidence has the longest footer of the evaluation chart's sources."""
    from dvcanalysis import forecast

    fig = forecast.evaluate(n_draws=200, seed=0).plot(lang=lang)
    try:
        assert layout.problems(fig) == []
    finally:
        plt.close(fig)


@pytest.mark.parametrize(
    "name",
    [
        "units_tiles_share_vi",
        "units_ranked_en",
        "unit_evidence_tiles_vi",
        "unit_evidence_ranked_en",
    ],
)
def test_unit_figures_print_legibly_and_without_overlap(name):
    """Notebook 05's figures (drawn as in tests/test_figure_baselines.py), printed from the page."""
    import test_figure_baselines as baselines

    fig = baselines.FIGURES[name](None)
    try:
        assert layout.problems(fig) == []
        assert layout.small_text(fig) == []
    finally:
        plt.close(fig)


def test_print_css_shows_wide_tables_whole():
    """On paper there is no scrollbar: the page template's print rules let the output areas
    overflow visibly and fit tables to the page width (notebook 06's wide tables)."""
    import re
    from pathlib import Path

    import dvcanalysis

    tpl = Path(dvcanalysis.__file__).parent / "templates" / "briefing" / "index.html.j2"
    css = tpl.read_text(encoding="utf-8")
    start = css.index("@media print")
    block = css[start : css.index("</style>", start)]
    rules = dict(
        (sel.strip(), body)
        for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", block[len("@media print {") :])
    )
    overflow = next(b for s, b in rules.items() if ".jp-OutputArea-output" in s and "overflow" in b)
    assert "overflow: visible" in overflow and ".jp-RenderedHTMLCommon" in next(
        s for s, b in rules.items() if b is overflow
    )
    table = next(b for s, b in rules.items() if "table.dataframe" in s)
    assert "width: 100%" in table and "table-layout: auto" in table
    cells = next(b for s, b in rules.items() if "td" in s and "white-space" in b)
    assert "white-space: normal" in cells
