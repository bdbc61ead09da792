"""Figure regression: the briefing's figures (and the unit figures of notebook 05) compared
with stored baseline images.

Each figure is drawn as the briefing and notebooks draw it (on the frozen evidence of
``tests/fixtures/data_2024-08-31``), written by :func:`dvcanalysis.plots.save`, and its SVG
compared with ``tests/baseline/figures/<name>.svg``. Any change that shows (a colour, a
label, a position by more than 0.01 pt, a band, a marker, the footer) fails the test; the
new SVG and PNG are left in ``out/figure-diffs/`` with a diff of the first differing lines.

Why SVG and not a raster tolerance (pytest-mpl): the package already writes deterministic
SVGs (no date, stable ids through ``svg.hashsalt``, glyphs as paths from the DejaVu font
matplotlib ships), so they can be compared exactly, with no new dependency; a raster RMS
tolerance lets a changed digit in a label pass (``tests/test_figure_baselines.py`` measures
it: see :func:`test_a_raster_tolerance_would_miss_a_changed_label`). The comparison rounds
numbers to 0.01 pt and renumbers the element ids (which hash their content), so that a
last-bit difference of floating point between machines cannot fail it.

After an intended change of a figure: ``make figure-baselines`` rewrites the baselines;
review the images and commit them.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager

from dvcanalysis import briefing, targets
from dvcanalysis.plots import save
from dvcanalysis.plots import savings as ps
from dvcanalysis.plots import unit_evidence as pue
from dvcanalysis.plots import units as pu
from dvcanalysis.plots import uptake as uplot

FIXTURES = Path(__file__).parent / "fixtures"
BASELINES = Path(__file__).parent / "baseline" / "figures"
DIFFS = Path(__file__).resolve().parent.parent / "out" / "figure-diffs"
GENERATE = os.environ.get("DVC_GENERATE_BASELINES") == "1"

_NUMBER = re.compile(r"-?\d+\.\d+")
_ID = re.compile(r'(?<=id=")[^"]+|(?<=#)[A-Za-z_][\w.-]*(?=[)"])')


@pytest.fixture(scope="module")
def built():
    """The briefing of the default grid cell (the notebooks draw the other figures from the
    same projection and savings)."""
    return briefing.build(
        "business-as-usual", "localities", lang="vi", n_draws=1000, seed=0, track_record=False
    )


def _fan_localities_vi(b):
    return b.fan_chart()


def _fan_national_en(b):
    b2 = briefing.build(
        "business-as-usual", "national", lang="en", n_draws=1000, seed=0, track_record=False
    )
    return b2.fan_chart()


def _fan_all_en(b):
    return b.projection.plot(lang="en")


def _attainment_en(b):
    proj = b.projection
    return uplot.attainment_chart(
        targets.attainment(proj),
        lang="en",
        scenario=proj.scenario.title["en"],
        provenance=proj.provenance(),
    )


def _savings_over_time_vi(b):
    ot = b.savings
    return ps.over_time(ot, lang="vi", provenance=ot.provenance())


def _evaluation_en(b):
    from dvcanalysis import forecast

    ev = forecast.evaluate(n_draws=200, seed=0)
    return ev.plot(lang="en")


def _with_data_2024_12_31(draw):
    """Per-unit evidence first appears in the evidence published up to 31 December 2024."""

    def make(b):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("DVC_DATA_DIR", str(FIXTURES / "data_2024-12-31"))
            from dvcanalysis import unit_evidence

            return draw(unit_evidence.unit_evidence())

    return make


def _units_report():
    from dvcanalysis import unit_targets

    return unit_targets.unit_report(
        str(FIXTURES / "units" / "SYNTHETIC_counts.csv"), layout="pre-2025", scenario_pace=0.2
    )


def _units_tiles_share_vi(b):
    rep = _units_report()
    return pu.tile_map(rep.tile_frame(), layout=rep.layout, lang="vi", provenance=rep.provenance())


def _units_ranked_en(b):
    from dvcanalysis import units

    rep = _units_report()
    a = rep.analysis[rep.analysis["unit_type"] == "province"]
    return pu.ranked_bars(units.latest(a), lang="en", provenance=rep.provenance())


FIGURES = {
    "briefing_fan_localities_vi": _fan_localities_vi,
    "briefing_fan_national_en": _fan_national_en,
    "fan_all_segments_en": _fan_all_en,
    "attainment_en": _attainment_en,
    "savings_over_time_vi": _savings_over_time_vi,
    "evaluation_en": _evaluation_en,
    # not in the briefing: the unit figures of notebook 05
    "units_tiles_share_vi": _units_tiles_share_vi,
    "units_ranked_en": _units_ranked_en,
    "unit_evidence_tiles_vi": _with_data_2024_12_31(
        lambda ue: pue.evidence_tile_map(ue, lang="vi", provenance=ue.provenance())
    ),
    "unit_evidence_ranked_en": _with_data_2024_12_31(
        lambda ue: pue.evidence_ranked(ue, lang="en", provenance=ue.provenance())
    ),
}


def normalized(svg: str) -> list[str]:
    """SVG lines with numbers rounded to 0.01 and ids renumbered in order of appearance."""
    ids: dict[str, str] = {}

    def rename(m: re.Match) -> str:
        return ids.setdefault(m.group(0), f"id{len(ids)}")

    def rnd(m: re.Match) -> str:
        v = round(float(m.group(0)), 2)
        return f"{v + 0.0:.2f}"  # + 0.0: no "-0.00"

    return [_NUMBER.sub(rnd, _ID.sub(rename, line)) for line in svg.splitlines()]


def _difference(expected: list[str], actual: list[str], n: int = 12) -> str:
    diff = difflib.unified_diff(expected, actual, "baseline", "now", n=0, lineterm="")
    lines = [d[:160] for d in diff]
    more = f"\n... and {len(lines) - n} more diff lines" if len(lines) > n else ""
    return "\n".join(lines[:n]) + more


def test_the_figures_use_the_font_matplotlib_ships():
    """Baselines hold glyph outlines: a system DejaVu of another version would change them."""
    found = Path(font_manager.findfont("DejaVu Sans")).resolve()  # a linked venv: real paths
    assert found.is_relative_to(Path(matplotlib.get_data_path()).resolve()), found


def test_normalized_ignores_float_noise_only():
    a = '<path id="p1a2b3c4d5e" d="M 10.123456 20.5"/><use xlink:href="#p1a2b3c4d5e"/>'
    b = '<path id="p9f8e7d6c5b" d="M 10.123457 20.5"/><use xlink:href="#p9f8e7d6c5b"/>'
    assert normalized(a) == normalized(b)
    assert normalized(a) != normalized(a.replace("10.12", "10.15"))
    assert normalized(a) != normalized(a.replace("M 10", "L 10"))
    assert normalized('fill="#1e8449"') != normalized('fill="#1e8450"')


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_matches_its_baseline(name, built, tmp_path):
    with plt.style.context("default"):  # what another test may have set does not leak in
        fig = FIGURES[name](built)
        written = save(fig, name, directory=tmp_path)
    plt.close(fig)
    svg = written["svg"].read_text(encoding="utf-8")
    baseline = BASELINES / f"{name}.svg"
    if GENERATE:
        BASELINES.mkdir(parents=True, exist_ok=True)
        baseline.write_text(svg, encoding="utf-8")
        pytest.skip(f"baseline written: {baseline}")
    assert baseline.exists(), f"no baseline {baseline}; run `make figure-baselines`"
    expected, actual = normalized(baseline.read_text(encoding="utf-8")), normalized(svg)
    if expected != actual:
        DIFFS.mkdir(parents=True, exist_ok=True)
        for ext in ("svg", "png"):
            (DIFFS / f"{name}.{ext}").write_bytes(written[ext].read_bytes())
        pytest.fail(
            f"figure {name} differs from its baseline tests/baseline/figures/{name}.svg"
            f" (the new SVG and PNG are in {DIFFS}; if the change is intended, run"
            f" `make figure-baselines` and commit):\n" + _difference(expected, actual)
        )


def test_a_raster_tolerance_would_miss_a_changed_label(built, tmp_path):
    """Why the SVGs are compared and not the PNGs with an RMS tolerance (pytest-mpl's default
    is 2): one changed digit of a label moves the RMS far less than that."""
    from matplotlib.testing.compare import compare_images

    fig = _attainment_en(built)
    before = save(fig, "before", directory=tmp_path)
    label = next(t for t in fig.axes[0].texts if "%" in t.get_text())
    text = label.get_text()
    digit = next(c for c in text if c.isdigit())
    label.set_text(text.replace(digit, str((int(digit) + 1) % 10), 1))
    after = save(fig, "after", directory=tmp_path)
    plt.close(fig)
    rms = compare_images(str(before["png"]), str(after["png"]), tol=0, in_decorator=True)["rms"]
    assert 0 < rms < 2
    svg = [normalized(p.read_text(encoding="utf-8")) for p in (before["svg"], after["svg"])]
    assert svg[0] != svg[1]


def test_saving_twice_gives_the_same_bytes(built, tmp_path):
    """The files are a function of the figure: two saves of one figure, and the saves of two
    figures drawn alike, are byte-identical (PNG and SVG)."""
    with plt.style.context("default"):
        first = save(_fan_localities_vi(built), "a", directory=tmp_path / "1", close=False)
        again = save(first_fig := _fan_localities_vi(built), "a", directory=tmp_path / "2")
        twice = save(first_fig, "a", directory=tmp_path / "3")
    for ext in ("png", "svg"):
        assert first[ext].read_bytes() == again[ext].read_bytes() == twice[ext].read_bytes()
    plt.close("all")


def test_a_figure_is_drawn_once_per_format(built, tmp_path, monkeypatch):
    """One drawing for the PNG and one for the SVG, in a box measured once without drawing
    (``bbox_inches="tight"`` would add a layout draw to each format); the notebook shows the
    saved PNG, so the figure is closed and not drawn again for the inline image."""
    from matplotlib.figure import Figure

    fig = _fan_localities_vi(built)
    draws = []
    real = Figure.draw
    monkeypatch.setattr(
        Figure, "draw", lambda self, r: (draws.append(type(r).__name__), real(self, r))[1]
    )
    written = save(fig, "fan", directory=tmp_path)
    assert sorted(draws) == ["MixedModeRenderer", "RendererAgg"], draws  # SVG, PNG
    assert fig.number not in plt.get_fignums()  # closed: pyplot will not draw it inline
    bundle = written._repr_mimebundle_()
    assert bundle["image/png"] == written["png"].read_bytes()


def test_the_saved_figure_shows_as_its_png_with_no_path(built, tmp_path):
    """What a notebook cell shows for ``display(save(...))``: the saved PNG's bytes and the
    figure's name; no path (they differ between runs and are not for readers)."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    from dvcanalysis.plots._base import SavedNames

    InteractiveShell.instance()
    written = save(_fan_localities_vi(built), "fan", directory=tmp_path)
    with capture_output() as shown:
        display(written)
        display(SavedNames([written, written]))
    assert len(shown.outputs) == 3
    for out in shown.outputs:
        assert out.data["image/png"] == written["png"].read_bytes()
        assert out.data["text/plain"] == "fan" and str(tmp_path) not in str(out.data)
