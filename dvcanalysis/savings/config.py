"""Strict loading of ``data/savings.yml`` and the official reference case.

Owns the parameter schema (:data:`SECTIONS`, the unit each parameter must be given in, and
:data:`UNIT_LIMITS`, what a value in each unit may physically be), :class:`Parameter` (a
:class:`dvcanalysis.parameters.Parameter` with its section) and :class:`Config`, the strict
parser behind :func:`load_config` (the package's one parameter reader,
:func:`dvcanalysis.parameters.read_parameters`; one line per problem, naming the file and
key), the resolution of YAML values that name evidence rows or conversions, and
:class:`Reference` / :func:`reference`, the official claim read from the evidence rows that
``savings.yml`` names. Loaded configurations and evidence values are cached by modification time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dvcanalysis import _io, evidence, parameters, paths
from dvcanalysis.errors import InputError, Problem

# Parameter names the model needs, by YAML section, with the unit each must be given in.
SECTIONS: dict[str, dict[str, str]] = {
    "conversions": {"hours_per_month": "hours_per_month", "hours_per_day": "hours"},
    "per_dossier": {
        "value_of_time_vnd_per_hour": "vnd_per_hour",
        "applicant_hours_offline": "hours",
        "applicant_hours_online": "hours",
        "trips_offline": "count",
        "travel_cost_vnd_per_trip": "vnd",
        "online_out_of_pocket_vnd": "vnd",
        "paper_cost_offline_vnd": "vnd",
        "paper_cost_online_vnd": "vnd",
        "staff_hours_offline": "hours",
        "staff_hours_online": "hours",
        "staff_cost_vnd_per_hour": "vnd_per_hour",
    },
    "volume": {"dossier_growth_per_year": "share_per_year"},
    "discounting": {"discount_rate_per_year": "share_per_year"},
}
# What a value in each unit may physically be (the YAML range is the plausible part of it).
UNIT_LIMITS: dict[str, tuple[float, float]] = {
    "hours_per_month": (1.0, 744.0),
    "vnd_per_hour": (0.0, math.inf),
    "vnd": (0.0, math.inf),
    "hours": (0.0, 744.0),
    "count": (0.0, 100.0),
    "share": (0.0, 1.0),
    "share_per_year": (-0.5, 1.0),
}
REFERENCE_KEYS = {
    "dossiers_online": "count_per_year",
    "share": "share",
    "saving": "vnd_per_year",
    "people": "count",
    "baseline_share": "share",
}
# Names that used to be accepted here and now live elsewhere: where to set them instead.
MOVED = {
    "ministries_volume_share": "it lives in data/scenarios/*.yml (the uptake projection draws it, "
    "and over_time combines segments with those draws)",
}
PARAM_FIELDS = ("description", "unit", "default", "range", "source")
PARAM_OPTIONAL = ("distribution", "reason")  # distribution: triangular unless given
# ``latest <indicator> <segment>``: the newest observation of a series, resolved at load time,
# so that newly published figures move the reference without an edit here.
LATEST = "latest "
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Parameter(parameters.Parameter):
    """One named parameter of ``data/savings.yml``: a :class:`dvcanalysis.parameters.Parameter`
    with its YAML ``section`` and the ``default`` as written (``default_spec``: a number, an
    evidence row id or ``a / b``, re-resolved when a conversion is overridden)."""

    section: str = ""
    default_spec: object = None

    @property
    def source_ids(self) -> list[str]:
        """Source ids (``data/sources.csv``) behind this parameter, empty for an assumption."""
        return [] if self.is_assumption else [_source_of(self.source)]


@dataclass(frozen=True)
class Config:
    """The loaded savings configuration."""

    path: str
    parameters: dict[str, Parameter]
    reference_ids: dict[str, str]
    calibration_target: str | float

    def section(self, name: str) -> dict[str, Parameter]:
        return {k: p for k, p in self.parameters.items() if p.section == name}

    def defaults(self) -> dict[str, float]:
        return {k: p.default for k, p in self.parameters.items()}

    def to_df(self) -> pd.DataFrame:
        """All parameters: ``section, name, unit, default, low, high, source, reason, description``."""
        rows = [
            {
                "section": p.section,
                "name": p.name,
                "unit": p.unit,
                "default": p.default,
                "low": p.low,
                "high": p.high,
                "source": p.source,
                "reason": p.reason,
                "description": p.description,
            }
            for p in self.parameters.values()
        ]
        return pd.DataFrame(rows)


def evidence_values() -> dict[str, tuple[float, str, str]]:
    """``id -> (value, unit, source_id)`` of the evidence table (cached by modification time).

    Shared by the savings modules: the values that evidence ids in ``savings.yml`` stand for.
    """
    p = paths.data_dir() / "evidence.csv"
    return _evidence_values_cached(str(p), p.stat().st_mtime if p.exists() else 0.0)


@lru_cache(maxsize=4)
def _evidence_values_cached(path: str, mtime: float) -> dict[str, tuple[float, str, str]]:
    ev = evidence.load()
    return {
        r.id: (float(r.value), r.unit, r.source_id)
        for r in ev[["id", "value", "unit", "source_id"]].itertuples()
    }


def _latest_row(spec: str, bad) -> str | None:
    """The evidence id that ``latest <indicator> <segment>`` names (its newest observed row)."""
    parts = spec.split()
    if len(parts) != 3:
        bad(
            f"{spec!r} is not accepted; expected 'latest <indicator> <segment>', e.g. 'latest fully_online_share localities'"
        )
        return None
    try:
        s = evidence.series(parts[1], parts[2])
    except InputError as exc:
        bad(f"{spec!r}: {exc}")
        return None
    if s.empty:
        bad(f"{spec!r}: no observed row of {parts[1]} for {parts[2]} in the evidence base")
        return None
    return str(s.iloc[-1]["id"])


def _source_of(source: str) -> str:
    """The source id of a ``source`` field (a source id or an evidence row id)."""
    values = evidence_values()
    return values[source][2] if source in values else source


def resolve_value(spec: object, conversions: Mapping[str, float], ev: Mapping) -> float:
    """A YAML value: a number, an evidence id, a conversion name, or ``a / b`` of those.

    ``ev`` is :func:`evidence_values`; ``conversions`` maps conversion names to numbers.
    Shared with :func:`dvcanalysis.savings.model.parameter_values`, which re-derives the
    defaults that refer to an overridden conversion.

    Raises
    ------
    ValueError
        For a value that is none of those (the caller names the file or parameter).
    """
    if isinstance(spec, bool):
        raise ValueError("is a boolean")
    if isinstance(spec, (int, float)):
        return float(spec)
    if not isinstance(spec, str):
        raise ValueError(f"has type {type(spec).__name__}")
    parts = [s.strip() for s in spec.split("/")]
    if len(parts) > 2 or not all(parts):
        raise ValueError(f"{spec!r} is not '<a>' or '<a> / <b>'")

    def term(t: str) -> float:
        if _NUMBER.match(t):
            return float(t)
        if t in ev:
            return ev[t][0]
        if t in conversions:
            return float(conversions[t])
        raise ValueError(f"{t!r} is neither a number, an evidence id nor a conversion name")

    value = term(parts[0])
    if len(parts) == 2:
        den = term(parts[1])
        if den == 0:
            raise ValueError(f"{spec!r} divides by zero")
        value /= den
    return value


def evidence_terms(spec: object) -> list[str]:
    """The evidence row ids a YAML value refers to (``"a / b"``: each side), in order."""
    if not isinstance(spec, str):
        return []
    ev = evidence_values()
    return [t.strip() for t in spec.split("/") if t.strip() in ev]


_ACCEPTED_VALUE = "expected a number, an evidence row id of data/evidence.csv, a conversion name or '<a> / <b>' of those"


def specs(section: str) -> dict[str, parameters.Spec]:
    """The parameters of a section with their unit and what the unit allows (:data:`UNIT_LIMITS`)."""
    return {n: parameters.Spec(u, *UNIT_LIMITS[u]) for n, u in SECTIONS[section].items()}


def _parse(path: Path) -> Config:
    """Read and check ``savings.yml``: sections, reference rows, calibration, parameters."""
    shown = paths.relative(path)
    top = ("reference", "calibration", *SECTIONS)
    data = _io.read_yaml(
        path, what="savings configuration (YAML)", mapping=f"sections: {', '.join(top)}"
    )
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(shown, f"key '{key}': {message}"))

    for key in data:
        if key not in top:
            bad(str(key), f"unknown section; expected one of: {', '.join(top)}")
    for key in top:
        if key not in data:
            bad(key, "missing section")
        elif not isinstance(data[key], dict):
            bad(key, "expected a mapping")
    if problems:
        raise InputError(problems)
    reference_ids = _reference_ids(data["reference"], bad)
    target = _calibration_target(data["calibration"], bad)
    params = _parameters(data, shown, problems)
    if problems:
        raise InputError(problems)
    return Config(shown, params, reference_ids, target)


def _reference_ids(ref: Mapping, bad) -> dict[str, str]:
    """``reference`` keys -> evidence row ids (``latest ...`` resolved), each in its unit."""
    ev = evidence_values()
    out: dict[str, str] = {}
    for key in ref:
        if key not in REFERENCE_KEYS:
            bad(f"reference.{key}", f"unknown key; expected: {', '.join(REFERENCE_KEYS)}")
    for key, unit in REFERENCE_KEYS.items():
        k = f"reference.{key}"
        if key not in ref:
            bad(k, f"missing; expected an evidence row id in unit {unit}")
            continue
        rid = ref[key]
        if isinstance(rid, str) and rid.startswith(LATEST):
            rid = _latest_row(rid, lambda m, k=k: bad(k, m))
            if rid is None:
                continue
        if not isinstance(rid, str) or rid not in ev:
            bad(k, f"{rid!r} is not an evidence row id of data/evidence.csv")
        elif ev[rid][1] != unit:
            bad(k, f"evidence row {rid} is in {ev[rid][1]}; expected a row in {unit}")
        else:
            out[key] = rid
    return out


def _calibration_target(cal: Mapping, bad) -> str | float:
    """``calibration.target``: ``official``, ``none`` or a positive number of VND per dossier."""
    for key in cal:
        if key != "target":
            bad(f"calibration.{key}", "unknown key; expected: target")
    if "target" not in cal:
        bad("calibration.target", "missing; expected official, none or a number of VND per dossier")
        return "official"
    t = cal["target"]
    if t in ("official", "none"):
        return t
    if isinstance(t, (int, float)) and not isinstance(t, bool) and t > 0:
        return float(t)
    bad(
        "calibration.target",
        f"{t!r} is not accepted; expected official, none or a positive number of VND per dossier",
    )
    return "official"


def _parameters(data: Mapping, shown: str, problems: list[Problem]) -> dict[str, Parameter]:
    """Every section's parameters (:func:`dvcanalysis.parameters.read_parameters`).

    The conversions come first: the other sections' values may name them.
    """
    ev = evidence_values()
    conversions: dict[str, float] = {}
    out: dict[str, Parameter] = {}
    for section in SECTIONS:
        schema = parameters.Schema(
            specs(section),
            required=PARAM_FIELDS,
            distribution="triangular",
            value=lambda v: resolve_value(v, conversions, ev),
            accepted=_ACCEPTED_VALUE,
            moved=MOVED,
        )
        block = data[section]
        read = parameters.read_parameters(
            block, schema, file=shown, prefix=section, problems=problems
        )
        for name, p in read.items():
            out[name] = Parameter(**vars(p), section=section, default_spec=block[name]["default"])
        if section == "conversions":
            conversions.update({n: p.default for n, p in read.items()})
    return out


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float, ev_mtime: float) -> Config:
    return _parse(Path(path))


def load_config(path: Config | Path | str | None = None) -> Config:
    """Load ``data/savings.yml`` strictly (or another file; a :class:`Config` is returned as is).

    Every savings function takes ``config=`` as a :class:`Config`, a path or None (the default
    file) and reads it through here.

    Raises
    ------
    InputError
        One line per problem, naming the file and the key (``section.name.field``) and what
        is accepted: unknown key, missing field, wrong type, out-of-range value, unknown
        evidence id or source.
    """
    if isinstance(path, Config):
        return path
    p = Path(path) if path is not None else paths.data_dir() / "savings.yml"
    if not p.exists():
        raise InputError(
            Problem(
                paths.relative(p),
                "file not found; expected the savings configuration (data/savings.yml)",
            )
        )
    ev_path = paths.data_dir() / "evidence.csv"
    ev_mtime = ev_path.stat().st_mtime if ev_path.exists() else 0.0
    return _load_cached(str(p.resolve()), p.stat().st_mtime, ev_mtime)


@dataclass(frozen=True)
class Reference:
    """The official claim and what it implies (all derived from evidence rows)."""

    dossiers_online: float
    share: float
    saving_vnd: float
    people: float
    baseline_share: float
    ids: dict[str, str]

    @property
    def total_dossiers(self) -> float:
        """Total dossiers a year implied by the claim (dossiers online / share)."""
        return self.dossiers_online / self.share

    @property
    def per_dossier_vnd(self) -> float:
        """VND saved per online dossier implied by the claim (saving / dossiers online)."""
        return self.saving_vnd / self.dossiers_online

    @property
    def sources(self) -> list[str]:
        return sorted({_source_of(i) for i in self.ids.values()})


def reference(config: Config | Path | str | None = None) -> Reference:
    """The official reference case, read from the evidence rows named in ``savings.yml``."""
    cfg = load_config(config)
    ev = evidence_values()
    v = {k: ev[i][0] for k, i in cfg.reference_ids.items()}
    return Reference(
        v["dossiers_online"],
        v["share"],
        v["saving"],
        v["people"],
        v["baseline_share"],
        dict(cfg.reference_ids),
    )
