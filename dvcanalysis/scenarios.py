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
with one line naming the file and key and what is accepted. The assumptions are
:class:`~dvcanalysis.parameters.Parameter` objects (:data:`Assumption` is that type), read
by the package's one strict reader (:func:`dvcanalysis.parameters.read_parameters`) against
:data:`SPECS` and drawn by its one sampler (:func:`dvcanalysis.uptake.draw_assumptions`).

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

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from dvcanalysis import _io, paths
from dvcanalysis.dates import DATE_FORMAT, parse_date
from dvcanalysis.errors import InputError, Problem
from dvcanalysis.parameters import (
    Parameter,
    Schema,
    Spec,
    is_number,
    read_parameter,
    read_parameters,
    to_entry,
)

CURVES = ("linear", "logistic", "bass", "target-path")
NATIONAL_MODES = ("mix", "observations")
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
REQUIRED_ASSUMPTION = ("description", "unit", "default", "range", "distribution", "source")

# Every assumption the model knows (:class:`~dvcanalysis.parameters.Spec`: unit, hard limits,
# whole number or not). Hard limits are what makes sense at all; each scenario's ``range``
# (the Monte Carlo spread) must sit inside them. The order is the order of the draws
# (:func:`dvcanalysis.uptake.draw_assumptions`): a new assumption is appended.
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


# A scenario assumption is a :class:`~dvcanalysis.parameters.Parameter`.
Assumption = Parameter

SCHEMA = Schema(SPECS, required=REQUIRED_ASSUMPTION, noun="assumption")


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
                assumptions[key] = _overridden(where, assumptions[key], value)
            else:
                accepted = ", ".join(["curve", "national", "pace_from", *SPECS])
                raise InputError(
                    f"{where}: key {key!r} is not accepted; expected one of: {accepted}"
                )
        problems: list[Problem] = []
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
def _overridden(where: str, a: Assumption, value: object) -> Assumption:
    """``a`` with an override applied: a number fixes it, a mapping replaces fields."""
    raw = to_entry(a)
    if isinstance(value, dict):
        raw.update(value)
    else:
        raw.update(
            default=value,
            distribution="fixed",
            source="assumption",
            reason=raw["reason"] or "set by the user",
        )
        raw["range"] = [value, value] if is_number(value) else raw["range"]
    problems: list[Problem] = []
    # the scenario's sources were checked when it was loaded: an override is not re-cited
    schema = replace(SCHEMA, citable=None)
    out = read_parameter(
        raw, a.name, schema, file=where, key=f"assumptions.{a.name}", problems=problems
    )
    if problems:
        # A number fixes default and range alike: one line (the default's) says it all.
        raise InputError(problems if isinstance(value, dict) else problems[:1])
    return out


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
    try:
        return parse_date(value)
    except ValueError as exc:
        problems.append(Problem(file, f"key '{key}': {exc}; expected {DATE_FORMAT}"))
        return None


def scenario_dir() -> Path:
    """Where the scenario files live (``data/scenarios/``)."""
    return paths.data_dir() / "scenarios"


def names(directory: Path | str | None = None) -> list[str]:
    """The scenario names available (file stems in ``data/scenarios/``), sorted."""
    d = Path(directory) if directory is not None else scenario_dir()
    return sorted(p.stem for p in d.glob("*.yml"))


def _read(path: Path) -> dict:
    return _io.read_yaml(
        path,
        what="scenario file (YAML)",
        dates_as_text=True,
        mapping=f"keys {', '.join(REQUIRED_TOP)}",
    )


def load_file(path: Path | str, *, _seen: tuple[str, ...] = ()) -> Scenario:
    """Load and check one scenario file (used by ``dvcanalysis validate``).

    The steps: read the YAML, check its top-level keys, apply the ``extends`` chain, then
    check the header (name, title, curve, ...) and the assumptions
    (:func:`dvcanalysis.parameters.read_parameters`).

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
    parent_raw = _parent(path, data, problems, _seen)
    if parent_raw is None:
        # the parent could not be read: what it would give is unknown, so stop here
        # rather than report its keys as missing
        raise InputError(problems)
    merged = _merge(parent_raw, data, shown, problems)
    for k in REQUIRED_TOP:
        if k not in merged:
            problems.append(
                Problem(shown, f"key '{k}': missing; a scenario needs {', '.join(REQUIRED_TOP)}")
            )
    if problems:
        raise InputError(problems)
    header = _header(path, merged, problems)
    assumptions = read_parameters(
        merged["assumptions"], SCHEMA, file=shown, prefix="assumptions", problems=problems
    )
    if problems:
        raise InputError(problems)
    cited = {a.source for a in assumptions.values() if not a.is_assumption}
    return Scenario(**header, assumptions=assumptions, file=shown, sources=tuple(sorted(cited)))


def _parent(path: Path, data: dict, problems: list[Problem], seen: tuple[str, ...]) -> dict | None:
    """The merged raw mapping of the scenario that ``data`` extends (``{}`` if none).

    ``None`` when ``extends`` names no valid scenario (the problem is appended).
    """
    if "extends" not in data:
        return {}
    shown = paths.relative(path)
    parent = data["extends"]
    known = names(path.parent)
    if not isinstance(parent, str) or parent not in known:
        problems.append(
            Problem(
                shown,
                f"key 'extends': {parent!r} is not a scenario; expected one of: {', '.join(known)}",
            )
        )
        return None
    if parent in seen or parent == path.stem:
        cycle = " -> ".join((*seen, path.stem, parent))
        problems.append(Problem(shown, f"key 'extends': {parent!r} extends itself (cycle {cycle})"))
        return None
    load_file(path.parent / f"{parent}.yml", _seen=(*seen, path.stem))  # valid on its own
    return _merged_raw(path.parent / f"{parent}.yml")


def _merge(parent_raw: dict, data: dict, shown: str, problems: list[Problem]) -> dict:
    """``data`` over its parent: top-level keys replaced, assumptions field by field."""
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
    return merged


def _header(path: Path, merged: dict, problems: list[Problem]) -> dict[str, object]:
    """The scenario's fields other than its assumptions, checked (problems appended)."""
    shown = paths.relative(path)
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
    description = merged["description"]
    if not isinstance(description, str):
        problems.append(
            Problem(shown, f"key 'description': {description!r} is not text; expected a string")
        )
    pace_from = merged.get("pace_from")
    return {
        "name": str(merged["name"]),
        "title": dict(title) if isinstance(title, dict) else {},
        "description": str(description).strip(),
        "curve": _choice(shown, "curve", merged["curve"], CURVES, problems),
        "national": _choice(
            shown, "national", merged.get("national", "mix"), NATIONAL_MODES, problems
        ),
        "pace_from": None if pace_from is None else _date(shown, "pace_from", pace_from, problems),
    }


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
