"""Every model result follows the result protocol (:mod:`dvcanalysis.results`).

To add a result class: append one line to :data:`RESULTS` (its name, a function that makes a
small instance and, optionally, the data folder it is read from), and, for a new package or
module, its name to :data:`RESULT_PACKAGES`;
:func:`test_every_result_class_is_listed` fails for a Result subclass of those packages that
has no line.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import pkgutil

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from conftest import FIXTURES  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from test_results_savings_units import FACTORIES as SAVINGS_AND_UNITS  # noqa: E402
from test_results_savings_units import NEEDS_DECEMBER  # noqa: E402

from dvcanalysis import evaluation, forecast, uptake  # noqa: E402
from dvcanalysis.errors import InputError  # noqa: E402
from dvcanalysis.provenance import Provenance  # noqa: E402
from dvcanalysis.results import REPR_MAX_CHARS, Result  # noqa: E402
from dvcanalysis.uptake import baselines  # noqa: E402

#: Packages whose Result subclasses must all be listed in RESULTS.
RESULT_PACKAGES = (
    "dvcanalysis.uptake",
    "dvcanalysis.evaluation",
    "dvcanalysis.forecast",
    "dvcanalysis.savings",
    "dvcanalysis.unit_targets",
    "dvcanalysis.unit_evidence",
)
#: Results read from the evidence published to 31 Dec 2024 (the per-unit rows; the frozen
#: 31 Aug 2024 copy the tests use by default has none).
DECEMBER = FIXTURES / "data_2024-12-31"


@functools.cache
def _evaluation() -> evaluation.Evaluation:
    return forecast.evaluate(n_draws=60, seed=0)


#: (class name, a function making a small instance). Appending a result is one line.
RESULTS = [
    ("Projection", lambda: uptake.project("business-as-usual", n_draws=60, seed=0)),
    ("BaselineProjection", lambda: baselines.baseline("linear-trend", n_draws=60, seed=0)),
    ("Comparison", lambda: uptake.compare(["business-as-usual", "stalled"], n_draws=60)),
    ("ChoiceRange", lambda: uptake.choice_range("business-as-usual", n_draws=60, seed=0)),
    ("Backtest", lambda: uptake.backtest(cutoff="2022-12-31", n_draws=60)),
    (
        "Backtest",
        lambda: uptake.backtest_projection(
            uptake.project("business-as-usual", n_draws=60, cutoff="2024-06-30")
        ),
    ),
    ("Evaluation", _evaluation),
    ("TrackRecord", lambda: evaluation.track_record("national", evaluation=_evaluation())),
    ("Forecast", lambda: forecast.forecast(n_draws=60, seed=0)),
    # the savings and unit results (their factories and own checks: test_results_savings_units)
    *[
        (key.split("-")[0], make, DECEMBER if key in NEEDS_DECEMBER else None)
        for key, make in SAVINGS_AND_UNITS.items()
    ],
]


def _result_classes() -> set[type]:
    """Result subclasses defined in the modules of :data:`RESULT_PACKAGES`."""
    found = set()
    for pkg_name in RESULT_PACKAGES:
        pkg = importlib.import_module(pkg_name)
        names = [pkg_name] + [
            f"{pkg_name}.{m.name}"
            for m in pkgutil.iter_modules(getattr(pkg, "__path__", []))
            if m.name != "__main__"
        ]
        for name in names:
            mod = importlib.import_module(name)
            for obj in vars(mod).values():
                if (
                    isinstance(obj, type)
                    and issubclass(obj, Result)
                    and obj is not Result
                    and not inspect.isabstract(obj)
                    and obj.__module__ == name
                ):
                    found.add(obj)
    return found


def test_every_result_class_is_listed():
    listed = {name for name, *_ in RESULTS}
    missing = sorted(c.__name__ for c in _result_classes() if c.__name__ not in listed)
    assert not missing, f"Result classes without a line in RESULTS: {missing}"


@pytest.fixture(
    scope="module", params=RESULTS, ids=[f"{n}-{i}" for i, (n, *_) in enumerate(RESULTS)]
)
def result(request):
    name, make, *data = request.param
    with pytest.MonkeyPatch.context() as mp:
        if data and data[0] is not None:
            mp.setenv("DVC_DATA_DIR", str(data[0]))
        r = make()
        assert type(r).__name__ == name
        yield r
        plt.close("all")


def test_is_a_result_with_parameters_and_sources(result):
    assert isinstance(result, Result)
    assert isinstance(result.parameters, dict) and result.parameters
    assert isinstance(result.sources, list) and all(isinstance(s, str) for s in result.sources)


def test_repr_is_one_short_line_without_arrays(result):
    text = repr(result)
    assert text.startswith(f"<{type(result).__name__}: ") and text.endswith(">")
    assert "\n" not in text and len(text) <= REPR_MAX_CHARS
    assert "array(" not in text and "[[" not in text and "DataFrame" not in text
    assert text == f"<{type(result).__name__}: {result.summary()}>"  # not cut short


def test_to_df_is_a_table(result):
    df = result.to_df()
    assert isinstance(df, pd.DataFrame) and len(df.columns) > 0
    assert len(df) > 0 or type(result).__name__ == "UnitReport"  # without counts: no rows


def test_provenance_names_the_sources_and_parameters(result):
    p = result.provenance()
    assert isinstance(p, Provenance)
    assert set(p.sources) == set(result.sources)
    assert p.parameters and set(p.parameters) <= set(result.parameters)
    assert p.resolved_data_date()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_plot_returns_axes_or_figure(result, lang):
    try:
        drawn = result.plot(lang=lang)
        assert isinstance(drawn, (Axes, Figure))
        fig = drawn if isinstance(drawn, Figure) else drawn.figure
        assert fig.axes and any(a.has_data() for a in fig.axes)
    finally:
        plt.close("all")


def test_plot_draws_on_the_given_axes_or_refuses_them(result):
    fig, ax = plt.subplots()
    try:
        drawn = result.plot(ax=ax, lang="en")
    except InputError as e:  # a figure of its own (results.check_own_figure)
        assert "ax is not accepted" in str(e)
        assert not ax.has_data()
    else:
        assert drawn is ax or drawn is fig
        assert ax.has_data()
    finally:
        plt.close("all")


def test_construction_is_keyword_only(result):
    fields = [f for f in dataclasses.fields(result) if f.init]
    values = {f.name: getattr(result, f.name) for f in fields}
    with pytest.raises(TypeError):
        type(result)(*values.values())
    again = type(result)(**values)
    assert repr(again) == repr(result)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_plot_has_no_overlaps(result, lang):
    from dvcanalysis.plots import layout

    try:
        drawn = result.plot(lang=lang)
        fig = drawn if isinstance(drawn, Figure) else drawn.figure
        assert layout.problems(fig) == []
    finally:
        plt.close("all")
