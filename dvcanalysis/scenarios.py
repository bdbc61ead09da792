"""Uptake scenarios: strict loading of ``data/scenarios/*.yml``.

A scenario names the curve used to project the fully-online share and every
assumption the evidence cannot identify. Each assumption carries a
``description``, a ``unit``, a ``default``, a ``range``, a ``distribution``
(how the Monte Carlo spreads it over its range) and a ``source`` (a source id
or an evidence row id from ``data/``, or the word ``assumption`` plus a
``reason``). A file may ``extends:`` another scenario and replace only some
fields; the merged result must be complete.

Loading is strict: an unknown key, a wrong type, a value out of range, a bad
date or an unknown scenario name raises :class:`~dvcanalysis.errors.InputError`
with one line naming the file and key and what is accepted.

Examples
--------
>>> from dvcanalysis import scenarios
>>> scenarios.names()  # doctest: +SKIP
['accelerated', 'business-as-usual', 'stalled', 'target-path']
>>> sc = scenarios.load("business-as-usual")  # doctest: +SKIP
>>> sc.assumptions["ministries_ratio"].default  # doctest: +SKIP
2.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from dvcanalysis import _io, paths
from dvcanalysis.errors import InputError, Problem

CURVES = ("linear", "logistic", "bass", "target-path")
NATIONAL_MODES = ("mix", "observations")
DISTRIBUTIONS = ("fixed", "uniform", "triangular")
TOP_KEYS = (
    "name",
    "extends",
    "title",
    "description",
    "curve",
    "national",
    "pace_from",
    "assumptions",
)
REQUIRED_TOP = ("name", "title", "description", "curve", "assumptions")
ASSUMPTION_KEYS = ("description", "unit", "default", "range", "distribution", "source", "reason")
REQUIRED_ASSUMPTION = ("description", "unit", "default", "range", "distribution", "source")


@dataclass(frozen=True)
class Spec:
    """What an assumption may be: its unit, hard limits and whether it is an integer."""

    unit: str
    low: float
    high: float
    integer: bool = False


# Every assumption the model knows. Hard limits are what makes sense at all;
# each scenario's ``range`` (the Monte Carlo spread) must sit inside them.
SPECS: dict[str, Spec] = {
    "base_year": Spec("year", 2010, 2023, integer=True),
    "base_share": Spec("share", 0.0, 0.5),
    "ceiling_share": Spec("share", 0.3, 1.0),
    "anchor_error_share": Spec("share", 0.0, 0.2),
    "ministries_ratio": Spec("ratio", 0.5, 6.0),
    "ministries_volume_share": Spec("share", 0.0, 1.0),
    "bass_p": Spec("coefficient", 0.0001, 0.5),
    "bass_q": Spec("coefficient", 0.0, 2.0),
    "pace_multiplier": Spec("ratio", 0.0, 5.0),
    # Last, so that adding it left the uniform draws of the others unchanged.
    "national_observation_sd_share": Spec("share", 0.01, 1.0),
    # Used only when no localities observation precedes the cut-off (the localities are then
    # anchored on the national figure times this ratio); drawn after the anchor errors (see
    # ``uptake.LATE_DRAWS``) so that adding it left every earlier draw unchanged.
    "localities_to_national_ratio": Spec("ratio", 0.05, 2.0),
    # The current pace after the latest observation over the pace calibrated from the base to
    # the anchor (1 = the long-run trend continues); also drawn in ``uptake.LATE_DRAWS``, after
    # the ratio above, so that adding it left every other assumption's draws unchanged.
    "trend_pace_ratio": Spec("ratio", 0.0, 5.0),
    # Departures from the trend after the anchor (``uptake.shocks``), drawn last (also in
    # ``uptake.LATE_DRAWS``) so that adding them left every other draw unchanged: the standard
    # deviation of the yearly random walk of the share's log-odds, and a one-off change of the
    # measured log-odds from a (decimal) year, e.g. when monitoring coverage widens.
    "logit_shock_sd": Spec("logit", 0.0, 3.0),
    "coverage_shock_logit": Spec("logit", -3.0, 3.0),
    "coverage_shock_year": Spec("year", 2000.0, 2100.0),
}


@dataclass(frozen=True)
class Assumption:
    """One named assumption of a scenario (see the module docstring)."""

    name: str
    description: str
    unit: str
    default: float
    low: float
    high: float
    distribution: str
    source: str
    reason: str = ""

    def describe(self) -> str:
        """The value or distribution as a short text (``2.0``, ``uniform(1.0, 3.5)``)."""
        if self.distribution == "fixed":
            return f"{self.default:g}"
        if self.distribution == "triangular":
            return f"triangular({self.low:g}, {self.default:g}, {self.high:g})"
        return f"uniform({self.low:g}, {self.high:g})"


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: curve, national mode, optional ``pace_from`` and assumptions."""

    name: str
    title: dict[str, str]
    description: str
    curve: str
    national: str
    assumptions: dict[str, Assumption]
    pace_from: date | None = None
    file: str = ""
    sources: tuple[str, ...] = field(default=())

    def with_overrides(
        self, overrides: dict | None = None, *, curve: str | None = None
    ) -> Scenario:
        """A copy with some assumptions replaced (a number fixes it; a mapping replaces fields).

        ``overrides`` may also hold ``curve``, ``national`` and ``pace_from``.

        Raises
        ------
        InputError
            For an unknown name, a wrong type or a value outside the hard limits.
        """
        overrides = dict(overrides or {})
        if curve is not None:
            overrides["curve"] = curve
        where = f"overrides for scenario {self.name!r}"
        top: dict[str, object] = {}
        assumptions = dict(self.assumptions)
        for key, value in overrides.items():
            if key in ("curve", "national", "pace_from"):
                top[key] = value
            elif key in SPECS:
                raw = {
                    "description": assumptions[key].description,
                    "unit": assumptions[key].unit,
                    "default": assumptions[key].default,
                    "range": [assumptions[key].low, assumptions[key].high],
                    "distribution": assumptions[key].distribution,
                    "source": assumptions[key].source,
                    "reason": assumptions[key].reason,
                }
                if isinstance(value, dict):
                    raw.update(value)
                else:
                    raw.update(
                        default=value,
                        distribution="fixed",
                        source="assumption",
                        reason=raw["reason"] or "set by the user",
                    )
                    raw["range"] = [value, value] if _is_number(value) else raw["range"]
                problems: list[Problem] = []
                a = _assumption(where, key, raw, problems)
                if problems:
                    # A number fixes default and range alike: one line (the default's) says it all.
                    raise InputError(problems if isinstance(value, dict) else problems[:1])
                assumptions[key] = a
            else:
                accepted = ", ".join(["curve", "national", "pace_from", *SPECS])
                raise InputError(
                    f"{where}: key {key!r} is not accepted; expected one of: {accepted}"
                )
        problems = []
        curve_v = _choice(where, "curve", top.get("curve", self.curve), CURVES, problems)
        national_v = _choice(
            where, "national", top.get("national", self.national), NATIONAL_MODES, problems
        )
        pace_from = self.pace_from
        if "pace_from" in top:
            pace_from = (
                None
                if top["pace_from"] is None
                else _date(where, "pace_from", top["pace_from"], problems)
            )
        if problems:
            raise InputError(problems)
        return replace(
            self, curve=curve_v, national=national_v, assumptions=assumptions, pace_from=pace_from
        )


# ---------------------------------------------------------------- helpers
def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))


def _choice(
    file: str, key: str, value: object, accepted: tuple[str, ...], problems: list[Problem]
) -> str:
    if value not in accepted:
        problems.append(
            Problem(
                file,
                f"key '{key}': {value!r} is not accepted; expected one of: {', '.join(accepted)}",
            )
        )
    return str(value)


def _date(file: str, key: str, value: object, problems: list[Problem]) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(Problem(file, f"key '{key}': {value!r} is not a date; expected YYYY-MM-DD"))
        return None


def _assumption(file: str, name: str, raw: object, problems: list[Problem]) -> Assumption | None:
    """Check one assumption entry; append problems; return it when valid."""
    key = f"assumptions.{name}"
    if name not in SPECS:
        problems.append(
            Problem(file, f"key '{key}': unknown assumption; expected one of: {', '.join(SPECS)}")
        )
        return None
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                file, f"key '{key}': expected a mapping with keys {', '.join(REQUIRED_ASSUMPTION)}"
            )
        )
        return None
    n0 = len(problems)
    for k in raw:
        if k not in ASSUMPTION_KEYS:
            problems.append(
                Problem(
                    file,
                    f"key '{key}.{k}': unknown key; expected one of: {', '.join(ASSUMPTION_KEYS)}",
                )
            )
    for k in REQUIRED_ASSUMPTION:
        if k not in raw or raw[k] is None or raw[k] == "":
            problems.append(
                Problem(
                    file,
                    f"key '{key}.{k}': missing; every assumption needs {', '.join(REQUIRED_ASSUMPTION)}",
                )
            )
    if len(problems) > n0:
        return None
    spec = SPECS[name]
    for k in ("description", "unit", "source"):
        if not isinstance(raw[k], str):
            problems.append(
                Problem(file, f"key '{key}.{k}': {raw[k]!r} is not text; expected a string")
            )
    if raw["unit"] != spec.unit:
        problems.append(
            Problem(
                file, f"key '{key}.unit': {raw['unit']!r} is not accepted; expected {spec.unit!r}"
            )
        )
    _choice(file, f"{key}.distribution", raw["distribution"], DISTRIBUTIONS, problems)
    if raw["source"] == "assumption" and not str(raw.get("reason") or "").strip():
        problems.append(
            Problem(file, f"key '{key}.reason': missing; source 'assumption' needs a reason")
        )
    if raw.get("reason") is not None and not isinstance(raw.get("reason"), str):
        problems.append(
            Problem(file, f"key '{key}.reason': {raw['reason']!r} is not text; expected a string")
        )
    kind = "an integer year" if spec.integer else "a number"
    default = raw["default"]
    if not _is_number(default) or (spec.integer and float(default) != int(default)):
        problems.append(
            Problem(
                file,
                f"key '{key}.default': {default!r} is not {kind}; expected {kind} from {spec.low:g} to {spec.high:g}",
            )
        )
        return None
    rng = raw["range"]
    if not (isinstance(rng, (list, tuple)) and len(rng) == 2 and all(_is_number(v) for v in rng)):
        problems.append(
            Problem(
                file,
                f"key '{key}.range': {rng!r} is not accepted; expected [low, high], two numbers within {spec.low:g} to {spec.high:g}",
            )
        )
        return None
    low, high = float(rng[0]), float(rng[1])
    for k, v in (("default", float(default)), ("range", low), ("range", high)):
        if not spec.low <= v <= spec.high:
            problems.append(
                Problem(
                    file,
                    f"key '{key}.{k}': {v:g} is out of range; expected {spec.low:g} to {spec.high:g} ({spec.unit})",
                )
            )
    if len(problems) > n0:
        return None
    if not low <= float(default) <= high:
        problems.append(
            Problem(
                file,
                f"key '{key}.default': {float(default):g} is outside its range [{low:g}, {high:g}]; expected low <= default <= high",
            )
        )
        return None
    return Assumption(
        name,
        raw["description"].strip(),
        raw["unit"],
        float(default),
        low,
        high,
        raw["distribution"],
        raw["source"],
        str(raw.get("reason") or "").strip(),
    )


def _known_sources() -> tuple[set[str], dict[str, float]]:
    """Source ids and evidence row ids an assumption may cite, and each row's value."""
    from dvcanalysis import evidence

    ev = evidence.load()
    return set(ev["id"]) | set(ev["source_id"]), dict(zip(ev["id"], ev["value"], strict=True))


def scenario_dir() -> Path:
    """Where the scenario files live (``data/scenarios/``)."""
    return paths.data_dir() / "scenarios"


def names(directory: Path | str | None = None) -> list[str]:
    """The scenario names available (file stems in ``data/scenarios/``), sorted."""
    d = Path(directory) if directory is not None else scenario_dir()
    return sorted(p.stem for p in d.glob("*.yml"))


def _read(path: Path) -> dict:
    shown = paths.relative(path)
    data = _io.read_yaml(path, what="scenario file (YAML)", dates_as_text=True)
    if not isinstance(data, dict):
        raise InputError(f"{shown}: expected a mapping with keys {', '.join(REQUIRED_TOP)}")
    return data


def load_file(path: Path | str, *, _seen: tuple[str, ...] = ()) -> Scenario:
    """Load and check one scenario file (used by ``dvcanalysis validate``).

    Raises
    ------
    InputError
        Every problem found, one line each, naming the file and key.
    """
    path = Path(path)
    shown = paths.relative(path)
    data = _read(path)
    problems: list[Problem] = []
    for k in data:
        if k not in TOP_KEYS:
            problems.append(
                Problem(shown, f"key '{k}': unknown key; expected one of: {', '.join(TOP_KEYS)}")
            )
    parent_raw: dict = {}
    if "extends" in data:
        parent = data["extends"]
        if not isinstance(parent, str) or parent not in names(path.parent):
            problems.append(
                Problem(
                    shown,
                    f"key 'extends': {parent!r} is not a scenario; expected one of: {', '.join(names(path.parent))}",
                )
            )
        elif parent in _seen or parent == path.stem:
            problems.append(
                Problem(
                    shown,
                    f"key 'extends': {parent!r} extends itself (cycle {' -> '.join((*_seen, path.stem, parent))})",
                )
            )
        else:
            load_file(
                path.parent / f"{parent}.yml", _seen=(*_seen, path.stem)
            )  # parent valid on its own
            parent_raw = _merged_raw(path.parent / f"{parent}.yml")
    merged = {**{k: v for k, v in parent_raw.items() if k not in ("name", "extends")}, **data}
    pa = parent_raw.get("assumptions") or {}
    ca = data.get("assumptions") or {}
    if not isinstance(ca, dict):
        problems.append(
            Problem(shown, "key 'assumptions': expected a mapping of assumption name to its fields")
        )
        ca = {}
    merged["assumptions"] = {
        n: (
            {**pa[n], **ca[n]}
            if isinstance(pa.get(n), dict) and isinstance(ca.get(n), dict)
            else ca.get(n, pa.get(n))
        )
        for n in {**pa, **ca}
    }
    if parent_raw == {} and "extends" in data:
        # the parent could not be read: what it would give is unknown, so stop here
        # rather than report its keys as missing
        raise InputError(problems)
    for k in REQUIRED_TOP:
        if k not in merged:
            problems.append(
                Problem(shown, f"key '{k}': missing; a scenario needs {', '.join(REQUIRED_TOP)}")
            )
    if problems:
        raise InputError(problems)
    if merged["name"] != path.stem:
        problems.append(
            Problem(
                shown,
                f"key 'name': {merged['name']!r} does not match the file name; expected {path.stem!r}",
            )
        )
    title = merged["title"]
    if not (
        isinstance(title, dict)
        and set(title) == {"vi", "en"}
        and all(isinstance(v, str) for v in title.values())
    ):
        problems.append(
            Problem(
                shown,
                f"key 'title': {title!r} is not accepted; expected a mapping with text for vi and en",
            )
        )
    if not isinstance(merged["description"], str):
        problems.append(
            Problem(
                shown,
                f"key 'description': {merged['description']!r} is not text; expected a string",
            )
        )
    curve = _choice(shown, "curve", merged["curve"], CURVES, problems)
    national = _choice(shown, "national", merged.get("national", "mix"), NATIONAL_MODES, problems)
    pace_from = (
        _date(shown, "pace_from", merged["pace_from"], problems)
        if merged.get("pace_from") is not None
        else None
    )
    assumptions: dict[str, Assumption] = {}
    for n, raw in merged["assumptions"].items():
        a = _assumption(shown, str(n), raw, problems)
        if a is not None:
            assumptions[n] = a
    missing = [n for n in SPECS if n not in merged["assumptions"]]
    if missing:
        problems.append(
            Problem(
                shown,
                f"key 'assumptions': missing {', '.join(missing)}; every scenario needs all of: {', '.join(SPECS)}",
            )
        )
    cited = {a.source for a in assumptions.values() if a.source != "assumption"}
    if cited:
        known, values = _known_sources()
        for n, a in assumptions.items():
            if a.source != "assumption" and a.source not in known:
                problems.append(
                    Problem(
                        shown,
                        f"key 'assumptions.{n}.source': {a.source!r} is not a source id or evidence id in data/; expected one of those or 'assumption' with a reason",
                    )
                )
            elif a.source in values and not math.isclose(a.default, values[a.source]):
                problems.append(
                    Problem(
                        shown,
                        f"key 'assumptions.{n}.default': {a.default:g} differs from evidence row {a.source} ({values[a.source]:g}); expected the cited value (or cite the source id, not the row)",
                    )
                )
    if problems:
        raise InputError(problems)
    ordered = {n: assumptions[n] for n in SPECS}
    return Scenario(
        str(merged["name"]),
        dict(title),
        merged["description"].strip(),
        curve,
        national,
        ordered,
        pace_from,
        shown,
        tuple(sorted(cited)),
    )


def _merged_raw(path: Path) -> dict:
    """The raw mapping of ``path`` with its ``extends`` chain applied (already validated)."""
    data = _read(path)
    if "extends" not in data:
        return data
    parent = _merged_raw(path.parent / f"{data['extends']}.yml")
    out = {**{k: v for k, v in parent.items() if k not in ("name", "extends")}, **data}
    pa, ca = parent.get("assumptions") or {}, data.get("assumptions") or {}
    out["assumptions"] = {n: {**pa.get(n, {}), **ca.get(n, {})} for n in {**pa, **ca}}
    out.pop("extends")
    return out


def load(name: str, directory: Path | str | None = None) -> Scenario:
    """Load scenario ``name`` from ``data/scenarios/<name>.yml``.

    Raises
    ------
    InputError
        If there is no such scenario (the message lists the known ones) or the file is invalid.
    """
    d = Path(directory) if directory is not None else scenario_dir()
    known = names(d)
    if name not in known:
        raise InputError(
            f"{paths.relative(d)}: unknown scenario {name!r}; expected one of: {', '.join(known)}"
        )
    return load_file(d / f"{name}.yml")


def titles(lang: str = "vi", names_: list[str] | None = None) -> dict[str, str]:
    """Scenario name -> display title in ``lang`` (for legends and tables)."""
    from dvcanalysis import fmt

    fmt.check_lang(lang)
    return {n: load(n).title[lang] for n in (names_ if names_ is not None else names())}
