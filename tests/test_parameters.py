"""The one parameter machinery: quantile functions, the strict reader, the sampler, the cut-off."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from dvcanalysis import _io, dates, evidence, parameters, savings, scenarios, uptake
from dvcanalysis.errors import InputError, Problem
from dvcanalysis.parameters import Citable, Parameter, Schema, Spec


def _p(dist: str, low: float, default: float, high: float, *, integer: bool = False) -> Parameter:
    return Parameter(
        "x", "an example", "ratio", default, low, high, dist, "assumption", "test", integer
    )


# ---------------------------------------------------------------- quantile functions
@pytest.mark.parametrize(
    ("param", "u", "expected"),
    [
        # fixed: always the default
        (_p("fixed", 1.0, 2.0, 3.0), [0.0, 0.5, 0.99], [2.0, 2.0, 2.0]),
        # uniform(1, 3): 1 + 2u
        (_p("uniform", 1.0, 2.0, 3.0), [0.0, 0.25, 0.5, 0.75], [1.0, 1.5, 2.0, 2.5]),
        # whole-number uniform over 2018..2021: floor(2018 + 4u), each year a quarter
        (
            _p("uniform", 2018, 2019, 2021, integer=True),
            [0.0, 0.249, 0.25, 0.74, 0.999],
            [2018, 2018, 2019, 2020, 2021],
        ),
        # triangular(0, 1, 4): below u = 1/4, sqrt(4u); above, 4 - sqrt(12 (1 - u))
        (_p("triangular", 0.0, 1.0, 4.0), [0.0, 1 / 16, 0.25, 2 / 3], [0.0, 0.5, 1.0, 2.0]),
        # symmetric triangular(0, 1, 2): the median is the mode
        (_p("triangular", 0.0, 1.0, 2.0), [0.125, 0.5, 0.875], [0.5, 1.0, 1.5]),
        # a whole-number triangular is rounded: 2010 + sqrt(6 * 3 / 16) = 2011.06 -> 2011
        (_p("triangular", 2010, 2013, 2016, integer=True), [1 / 16, 0.5], [2011, 2013]),
        # a degenerate range is the default whatever the distribution
        (_p("triangular", 5.0, 5.0, 5.0), [0.1, 0.9], [5.0, 5.0]),
    ],
    ids=["fixed", "uniform", "uniform-integer", "triangular", "triangular-sym", "tri-int", "point"],
)
def test_quantile_function_hand_checked(param, u, expected):
    assert_allclose(param.ppf(np.array(u)), expected, rtol=1e-12, atol=1e-12)


def test_triangular_quantile_agrees_with_scipy_and_works_in_place():
    from scipy import stats

    p = _p("triangular", 0.5, 2.0, 6.0)
    u = np.random.default_rng(1).random(1000)
    ref = stats.triang(c=(2.0 - 0.5) / 5.5, loc=0.5, scale=5.5).ppf(u)
    assert_allclose(p.ppf(u), ref, rtol=1e-12)
    buf = u.copy()
    assert p.ppf(buf, out=buf) is buf  # turned into values where it lies
    assert_allclose(buf, ref, rtol=1e-12)
    assert np.all(np.diff(p.ppf(np.sort(u))) >= 0)  # monotone in u


def test_parameter_rejects_an_unknown_distribution():
    with pytest.raises(InputError, match="distribution='normal' is not accepted; expected one of"):
        _p("normal", 0.0, 1.0, 2.0)


# ---------------------------------------------------------------- the sampler
def _params() -> dict[str, Parameter]:
    return {
        "b": dataclasses.replace(_p("uniform", 0.0, 0.5, 1.0), name="b"),
        "a": dataclasses.replace(_p("triangular", 0.0, 1.0, 2.0), name="a"),
        "c": dataclasses.replace(_p("fixed", 0.0, 3.0, 4.0), name="c"),
    }


def test_draws_do_not_depend_on_dict_order():
    ps = _params()
    reordered = dict(reversed(list(ps.items())))
    assert list(ps) != list(reordered)
    one = parameters.draw(ps, 100, np.random.default_rng(5))
    two = parameters.draw(reordered, 100, np.random.default_rng(5))
    for n in ps:
        assert_array_equal(one[n], two[n])
    # without an order the names are sorted: 'a' takes the first row of uniforms
    u = np.random.default_rng(5).random((3, 100))
    assert_array_equal(one["a"], ps["a"].ppf(u[0]))
    assert_array_equal(one["b"], ps["b"].ppf(u[1]))
    # a declared order decides instead, whatever the dict's order
    declared = ["c", "b", "a"]
    three = parameters.draw(ps, 100, np.random.default_rng(5), order=declared)
    four = parameters.draw(reordered, 100, np.random.default_rng(5), order=declared)
    assert_array_equal(three["a"], four["a"])
    assert_array_equal(three["a"], ps["a"].ppf(u[2]))
    assert not np.array_equal(three["a"], one["a"])  # the order matters, so this could fail
    with pytest.raises(ValueError, match="does not name the parameters"):
        parameters.draw(ps, 10, np.random.default_rng(0), order=["a", "b"])


def test_a_fixed_parameter_consumes_its_uniforms():
    ps = _params()
    varied = parameters.draw(ps, 50, np.random.default_rng(2))
    fixed = dict(ps, a=dataclasses.replace(ps["a"], distribution="fixed"))
    held = parameters.draw(fixed, 50, np.random.default_rng(2))
    assert (held["a"] == 1.0).all()
    assert_array_equal(held["b"], varied["b"])  # 'b' keeps its row


def test_scenario_draws_do_not_depend_on_the_order_of_the_yaml_file():
    sc = scenarios.load("business-as-usual")
    shuffled = dataclasses.replace(sc, assumptions=dict(reversed(list(sc.assumptions.items()))))
    one = uptake.draw_assumptions(sc, 200, np.random.default_rng(3))
    two = uptake.draw_assumptions(shuffled, 200, np.random.default_rng(3))
    assert list(one) == list(two)
    for n in one:
        assert_array_equal(one[n], two[n])


def test_savings_draws_do_not_depend_on_the_order_of_the_yaml_file(tmp_path):
    import yaml

    data = _io.read_yaml(savings.paths.data_dir() / "savings.yml")
    data["per_dossier"] = dict(reversed(list(data["per_dossier"].items())))
    p = tmp_path / "savings.yml"
    p.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert next(iter(_io.read_yaml(p)["per_dossier"])) == "staff_cost_vnd_per_hour"
    cfg = savings.load_config(p)
    assert next(iter(cfg.section("per_dossier"))) == "value_of_time_vnd_per_hour"  # declared
    a = savings.draw_parameters(100, seed=4)
    b = savings.draw_parameters(100, seed=4, config=cfg)
    for n in a:
        assert_array_equal(a[n], b[n])


def test_scenarios_and_savings_draw_through_the_same_sampler(monkeypatch):
    calls = []
    real = parameters.draw

    def spy(ps, n_draws, rng, *, order=None):
        calls.append(tuple(order))
        return real(ps, n_draws, rng, order=order)

    monkeypatch.setattr(parameters, "draw", spy)
    uptake.draw_assumptions(scenarios.load("business-as-usual"), 10, np.random.default_rng(0))
    savings.draw_parameters(10, seed=0)
    late = tuple(uptake.LATE_DRAWS)
    early = tuple(n for n in scenarios.SPECS if n not in late)
    assert calls == [early, late, tuple(savings.SECTIONS["per_dossier"])]


# ---------------------------------------------------------------- the strict reader
SPECS = {"ratio_x": Spec("ratio", 0.0, 5.0), "year_y": Spec("year", 2010, 2023, integer=True)}
CITABLE = Citable(frozenset({"src1", "src1-01"}), {"src1-01": 0.4})
SCHEMA = Schema(
    SPECS,
    citable=lambda: CITABLE,
    moved={"old_z": "it lives elsewhere now"},
)
GOOD = {
    "description": "x",
    "unit": "ratio",
    "default": 1.0,
    "range": [0.5, 2.0],
    "source": "assumption",
    "reason": "because",
}


def _read(name: str = "ratio_x", **changes) -> list[str]:
    raw = {**GOOD, **changes}
    raw = {k: v for k, v in raw.items() if v is not ...}
    problems: list[Problem] = []
    out = parameters.read_parameter(
        raw, name, SCHEMA, file="f.yml", key=f"block.{name}", problems=problems
    )
    assert (out is None) == bool(problems)
    return [str(p) for p in problems]


def test_a_good_entry_is_read_with_the_default_distribution():
    problems: list[Problem] = []
    p = parameters.read_parameter(
        GOOD, "ratio_x", SCHEMA, file="f.yml", key="block.ratio_x", problems=problems
    )
    assert problems == []
    assert (p.default, p.low, p.high, p.distribution, p.reason) == (
        1.0,
        0.5,
        2.0,
        "triangular",
        "because",
    )
    assert parameters.to_entry(p)["range"] == [0.5, 2.0]


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        (
            {"colour": "red"},
            "key 'block.ratio_x.colour': unknown key; expected one of: description",
        ),
        (
            {"unit": ...},
            "key 'block.ratio_x.unit': missing field; every parameter needs description",
        ),
        (
            {"description": 5},
            "key 'block.ratio_x.description': 5 is not text; expected a non-empty",
        ),
        ({"unit": "share"}, "key 'block.ratio_x.unit': 'share' is not accepted; expected ratio"),
        (
            {"distribution": "normal"},
            "key 'block.ratio_x.distribution': 'normal' is not accepted; expected one of: fixed",
        ),
        (
            {"default": "two"},
            "key 'block.ratio_x.default': 'two' is not a number; expected a number from 0 to 5",
        ),
        ({"default": True}, "key 'block.ratio_x.default': True is not a number"),
        ({"range": [1]}, "key 'block.ratio_x.range': [1] is not accepted; expected [low, high]"),
        (
            {"range": [0.5, 9]},
            "key 'block.ratio_x.range': 9 is out of range; expected 0 to 5 (ratio)",
        ),
        (
            {"range": [2.0, 0.5]},
            "key 'block.ratio_x.range': [2, 0.5] is not accepted; expected [low, high] with low <= high",
        ),
        (
            {"default": 3.0},
            "key 'block.ratio_x.default': 3 is out of range; expected 0.5 to 2 (the declared range)",
        ),
        (
            {"reason": ...},
            "key 'block.ratio_x.reason': missing; source 'assumption' needs a reason",
        ),
        (
            {"source": "nowhere"},
            "key 'block.ratio_x.source': 'nowhere' is not accepted; expected a source id",
        ),
        (
            {"source": "src1-01"},
            "key 'block.ratio_x.default': 1 differs from evidence row src1-01 (0.4)",
        ),
    ],
    ids=lambda v: None,
)
def test_reader_error_per_kind_of_bad_input(changes, line):
    lines = _read(**changes)
    assert len(lines) == 1, lines
    assert lines[0].startswith("f.yml: " + line), lines[0]


def test_reader_whole_numbers_and_citations():
    year = {"unit": "year", "default": 2019.5, "range": [2018, 2021]}
    assert _read("year_y", **year) == [
        "f.yml: key 'block.year_y.default': 2019.5 is not an integer year; "
        "expected an integer year from 2010 to 2023"
    ]
    assert _read("year_y", **{**year, "default": 2019}) == []
    assert _read(source="src1") == []  # a source id
    assert _read(source="src1-01", default=0.4, range=[0.3, 0.5]) == []  # a row, its value


def test_reader_of_a_block():
    problems: list[Problem] = []
    out = parameters.read_parameters(
        {"old_z": GOOD, "year_y": None, "ratio_x": GOOD},
        SCHEMA,
        file="f.yml",
        prefix="block",
        problems=problems,
    )
    assert list(out) == ["ratio_x"]
    assert [str(p) for p in problems] == [
        "f.yml: key 'block.old_z': unknown parameter; expected one of: ratio_x, year_y; "
        "it lives elsewhere now",
        "f.yml: key 'block': missing year_y; expected all of: ratio_x, year_y",
    ]
    problems = []
    assert (
        parameters.read_parameters(
            ["ratio_x"], SCHEMA, file="f.yml", prefix="block", problems=problems
        )
        == {}
    )
    assert [str(p) for p in problems] == [
        "f.yml: key 'block': expected a mapping of parameter name to its fields"
    ]
    problems = []
    parameters.read_parameters(
        {"ratio_x": 3, "year_y": GOOD}, SCHEMA, file="f.yml", prefix="b", problems=problems
    )
    assert str(problems[0]) == (
        "f.yml: key 'b.ratio_x': expected a mapping with keys description, unit, default, "
        "range, source"
    )


def test_scenario_and_savings_parameters_are_the_same_type():
    sc = scenarios.load("business-as-usual")
    cfg = savings.load_config()
    assert all(isinstance(a, Parameter) for a in sc.assumptions.values())
    assert all(isinstance(p, Parameter) for p in cfg.parameters.values())
    assert scenarios.Assumption is Parameter
    assert sc.assumptions["base_year"].integer and not sc.assumptions["base_share"].integer


def test_read_yaml_wants_a_mapping_when_asked(tmp_path):
    p = tmp_path / "c.yml"
    p.write_text("- a\n- b\n", encoding="utf-8")
    assert _io.read_yaml(p) == ["a", "b"]
    with pytest.raises(InputError) as exc:
        _io.read_yaml(p, mapping="keys name, title")
    assert str(exc.value).endswith("c.yml: expected a mapping with keys name, title")
    with pytest.raises(InputError, match="path=None is not accepted; expected the path of a"):
        _io.read_yaml(None, mapping="keys name, title")


# ---------------------------------------------------------------- the cut-off
def test_parse_cutoff():
    assert dates.parse_cutoff(None) == evidence.data_date()
    assert dates.parse_cutoff("") == evidence.data_date()
    assert dates.parse_cutoff("2024-08-31") == date(2024, 8, 31)
    assert dates.parse_cutoff(date(2024, 8, 31)) == date(2024, 8, 31)
    assert dates.parse_cutoff(datetime(2024, 8, 31, 12)) == date(2024, 8, 31)
    assert dates.parse_cutoff("2024-08-31T00:00:00") == date(2024, 8, 31)  # as a Timestamp prints
    with pytest.raises(InputError) as exc:
        dates.parse_cutoff("31/8/2024", name="as_of")
    assert str(exc.value) == (
        "as_of='31/8/2024' is not a date; expected YYYY-MM-DD (e.g. '2024-08-31'), "
        "or None for the date of the latest observation"
    )
    with pytest.raises(InputError, match="cutoff=20240831 is not a date"):
        dates.parse_cutoff(20240831)
    # the same parser behind the uptake projection and the evidence series
    assert uptake.parse_cutoff is dates.parse_cutoff
    with pytest.raises(InputError, match="cutoff='2024-02-30' is not a date; expected YYYY-MM-DD"):
        evidence.series("fully_online_share", "localities", cutoff="2024-02-30")
