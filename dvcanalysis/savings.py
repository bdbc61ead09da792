"""Savings from fully-online dossiers: a standard cost model with uncertainty and a claims audit.

Standard Cost Model (International SCM Manual): cost = price x quantity, price = time x value of
time + out-of-pocket costs. For one dossier the model prices four components offline (at a
counter) and fully online; the saving per dossier is their difference, and the quantity is
total dossiers a year x fully-online share.

The official statement (seed003) says that at 70% fully online, 17.5 million dossiers a year are
processed online and about 2,600 billion VND of social cost is saved a year. The implied total
(17.5 million / 0.70 = 25 million dossiers) and saving per dossier (2,600 billion / 17.5 million
= about 148,571 VND) are derived here from the evidence rows named in ``data/savings.yml``.

How the per-dossier saving splits into components is an assumption (``data/savings.yml``). By
default the bottom-up components are scaled by one factor, fixed at the default assumptions over
all components, so that the reference case holds exactly; the unscaled bottom-up total is
reported beside it.

Random draws (Monte Carlo, Sobol) come from their own stream,
``numpy.random.default_rng(numpy.random.SeedSequence([seed, RNG_STREAM]))``, so that for the
same ``seed`` they are independent of the uptake projection's draws (``default_rng(seed)``).

Examples
--------
>>> from dvcanalysis import savings
>>> r = savings.estimate(0.70)
>>> round(r.dossiers_online), round(r.savings_vnd / 1e9)
(17500000, 2600)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from dvcanalysis import evidence, paths
from dvcanalysis.errors import InputError, Problem

COMPONENTS = ("applicant_time", "travel_out_of_pocket", "paper_postage", "staff_time")

# Stream id of the savings model's random numbers: the savings draws for ``seed`` come from
# ``default_rng(SeedSequence([seed, RNG_STREAM]))`` (see :func:`rng`), a stream independent of
# ``default_rng(seed)``, which the uptake projection uses. Changing it changes every savings draw.
RNG_STREAM = 0x5341_5649  # "SAVI" in ASCII

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
PARAM_OPTIONAL = ("reason",)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
QUANTILES = (0.05, 0.5, 0.95)


# ================================================================ configuration
@dataclass(frozen=True)
class Parameter:
    """One named assumption of ``data/savings.yml`` (values resolved to numbers)."""

    name: str
    section: str
    description: str
    unit: str
    default: float
    low: float
    high: float
    source: str
    reason: str = ""
    default_spec: object = None

    @property
    def source_ids(self) -> list[str]:
        """Source ids (``data/sources.csv``) behind this parameter, empty for an assumption."""
        return [] if self.source == "assumption" else [_source_of(self.source)]


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


def _evidence_values() -> dict[str, tuple[float, str, str]]:
    """``id -> (value, unit, source_id)`` of the evidence table (cached by modification time)."""
    p = paths.data_dir() / "evidence.csv"
    return _evidence_values_cached(str(p), p.stat().st_mtime if p.exists() else 0.0)


@lru_cache(maxsize=4)
def _evidence_values_cached(path: str, mtime: float) -> dict[str, tuple[float, str, str]]:
    ev = evidence.load()
    return {
        r.id: (float(r.value), r.unit, r.source_id)
        for r in ev[["id", "value", "unit", "source_id"]].itertuples()
    }


def _source_of(source: str) -> str:
    """The source id of a ``source`` field (a source id or an evidence row id)."""
    values = _evidence_values()
    return values[source][2] if source in values else source


def _resolve(spec: object, conversions: Mapping[str, float], ev: Mapping) -> float:
    """A YAML value: a number, an evidence id, a conversion name, or ``a / b`` of those."""
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


def _evidence_terms(spec: object) -> list[str]:
    """The evidence row ids a YAML value refers to (``"a / b"``: each side), in order."""
    if not isinstance(spec, str):
        return []
    ev = _evidence_values()
    return [t.strip() for t in spec.split("/") if t.strip() in ev]


_ACCEPTED_VALUE = "expected a number, an evidence row id of data/evidence.csv, a conversion name or '<a> / <b>' of those"


def _parse(path: Path) -> Config:
    shown = paths.relative(path)
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(shown, f"key '{key}': {message}"))

    if not path.exists():
        raise InputError(
            Problem(shown, "file not found; expected the savings configuration (data/savings.yml)")
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(
            Problem(shown, f"not valid YAML ({getattr(exc, 'problem', exc)})", line=line)
        ) from None
    except UnicodeDecodeError:
        raise InputError(Problem(shown, "not valid UTF-8")) from None
    if not isinstance(data, dict):
        raise InputError(
            Problem(
                shown,
                "expected a mapping with sections: reference, calibration, " + ", ".join(SECTIONS),
            )
        )

    top = ("reference", "calibration", *SECTIONS)
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

    ev = _evidence_values()
    sources = set(evidence.load_sources().index)

    # reference rows
    ref = data["reference"]
    reference_ids: dict[str, str] = {}
    for key in ref:
        if key not in REFERENCE_KEYS:
            bad(f"reference.{key}", f"unknown key; expected: {', '.join(REFERENCE_KEYS)}")
    for key, unit in REFERENCE_KEYS.items():
        k = f"reference.{key}"
        if key not in ref:
            bad(k, f"missing; expected an evidence row id in unit {unit}")
            continue
        rid = ref[key]
        if not isinstance(rid, str) or rid not in ev:
            bad(k, f"{rid!r} is not an evidence row id of data/evidence.csv")
        elif ev[rid][1] != unit:
            bad(k, f"evidence row {rid} is in {ev[rid][1]}; expected a row in {unit}")
        else:
            reference_ids[key] = rid

    # calibration
    cal = data["calibration"]
    target: str | float = "official"
    for key in cal:
        if key != "target":
            bad(f"calibration.{key}", "unknown key; expected: target")
    if "target" not in cal:
        bad("calibration.target", "missing; expected official, none or a number of VND per dossier")
    else:
        t = cal["target"]
        if t in ("official", "none"):
            target = t
        elif isinstance(t, (int, float)) and not isinstance(t, bool) and t > 0:
            target = float(t)
        else:
            bad(
                "calibration.target",
                f"{t!r} is not accepted; expected official, none or a positive number of VND per dossier",
            )

    # parameters: conversions first (others may refer to them)
    params: dict[str, Parameter] = {}
    conversions: dict[str, float] = {}
    for section, expected in SECTIONS.items():
        block = data[section]
        for name in block:
            if name not in expected:
                moved = f"; {MOVED[name]}" if name in MOVED else ""
                bad(
                    f"{section}.{name}",
                    f"unknown parameter; expected: {', '.join(expected)}{moved}",
                )
        for name, unit in expected.items():
            key = f"{section}.{name}"
            entry = block.get(name)
            if entry is None:
                bad(key, f"missing parameter; expected a mapping with {', '.join(PARAM_FIELDS)}")
                continue
            if not isinstance(entry, dict):
                bad(key, f"expected a mapping with {', '.join(PARAM_FIELDS)}")
                continue
            n_before = len(problems)
            for f in entry:
                if f not in PARAM_FIELDS + PARAM_OPTIONAL:
                    bad(
                        f"{key}.{f}",
                        f"unknown field; expected: {', '.join(PARAM_FIELDS + PARAM_OPTIONAL)}",
                    )
            for f in PARAM_FIELDS:
                if f not in entry:
                    bad(f"{key}.{f}", "missing field")
            for f in ("description", "unit", "source"):
                if f in entry and not (isinstance(entry[f], str) and entry[f].strip()):
                    bad(f"{key}.{f}", "expected a non-empty text")
            if len(problems) > n_before:
                continue
            if entry["unit"] != unit:
                bad(f"{key}.unit", f"{entry['unit']!r} is not accepted; expected {unit}")
            src = entry["source"]
            if src == "assumption":
                if not str(entry.get("reason") or "").strip():
                    bad(f"{key}.reason", "missing; an assumption needs a reason")
            elif src not in sources and src not in ev:
                bad(
                    f"{key}.source",
                    f"{src!r} is not accepted; expected a source id of data/sources.csv, an evidence row id or 'assumption' (with a reason)",
                )
            try:
                default = _resolve(entry["default"], conversions, ev)
            except ValueError as exc:
                bad(f"{key}.default", f"{exc}; {_ACCEPTED_VALUE}")
                continue
            rng = entry["range"]
            if not (isinstance(rng, list) and len(rng) == 2):
                bad(f"{key}.range", f"{rng!r} is not accepted; expected [low, high]")
                continue
            try:
                low, high = (_resolve(v, conversions, ev) for v in rng)
            except ValueError as exc:
                bad(f"{key}.range", f"{exc}; {_ACCEPTED_VALUE}")
                continue
            lim_lo, lim_hi = UNIT_LIMITS[unit]
            if not (lim_lo <= low <= high <= lim_hi):
                within = (
                    f"{lim_lo:g} to {lim_hi:g}" if math.isfinite(lim_hi) else f"at least {lim_lo:g}"
                )
                bad(
                    f"{key}.range",
                    f"[{low:g}, {high:g}] is not accepted; expected [low, high] with low <= high, {within} ({unit})",
                )
                continue
            if not low <= default <= high:
                bad(
                    f"{key}.default",
                    f"{default:g} is out of range; expected {low:g} to {high:g} (the declared range)",
                )
                continue
            params[name] = Parameter(
                name,
                section,
                entry["description"].strip(),
                unit,
                default,
                low,
                high,
                src,
                str(entry.get("reason") or "").strip(),
                entry["default"],
            )
            if section == "conversions":
                conversions[name] = default
    if problems:
        raise InputError(problems)
    return Config(shown, params, reference_ids, target)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float, ev_mtime: float) -> Config:
    return _parse(Path(path))


def load_config(path: Path | str | None = None) -> Config:
    """Load ``data/savings.yml`` strictly.

    Raises
    ------
    InputError
        One line per problem, naming the file and the key (``section.name.field``) and what
        is accepted: unknown key, missing field, wrong type, out-of-range value, unknown
        evidence id or source.
    """
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


def _cfg(config: Config | Path | str | None) -> Config:
    return config if isinstance(config, Config) else load_config(config)


# ================================================================ reference case
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
    cfg = _cfg(config)
    ev = _evidence_values()
    v = {k: ev[i][0] for k, i in cfg.reference_ids.items()}
    return Reference(
        v["dossiers_online"],
        v["share"],
        v["saving"],
        v["people"],
        v["baseline_share"],
        dict(cfg.reference_ids),
    )


# ================================================================ the cost model
def component_costs(p: Mapping[str, object]) -> dict[str, tuple[object, object]]:
    """Offline and online cost per dossier (VND) by component; works on scalars or arrays."""
    vot = p["value_of_time_vnd_per_hour"]
    staff = p["staff_cost_vnd_per_hour"]
    return {
        "applicant_time": (p["applicant_hours_offline"] * vot, p["applicant_hours_online"] * vot),
        "travel_out_of_pocket": (
            p["trips_offline"] * p["travel_cost_vnd_per_trip"],
            p["online_out_of_pocket_vnd"],
        ),
        "paper_postage": (p["paper_cost_offline_vnd"], p["paper_cost_online_vnd"]),
        "staff_time": (p["staff_hours_offline"] * staff, p["staff_hours_online"] * staff),
    }


def bottom_up_saving(p: Mapping[str, object], include: Iterable[str] = COMPONENTS):
    """Unscaled saving per dossier (VND): sum over components of offline - online."""
    costs = component_costs(p)
    return sum(costs[c][0] - costs[c][1] for c in include)


def _check_share(name: str, value: object) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"{name}={value!r} is not a number; expected a share from 0 to 1 (write 17% as 0.17)"
        ) from None
    if not (0.0 <= v <= 1.0):
        raise InputError(
            f"{name}={value!r} is out of range; expected a share from 0 to 1 (write 17% as 0.17)"
        )
    return v


def _check_nonneg(name: str, value: object, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}={value!r} is not a number; expected {what} >= 0") from None
    if not (math.isfinite(v) and v >= 0):
        raise InputError(f"{name}={value!r} is out of range; expected {what} >= 0")
    return v


def parameter_values(
    overrides: Mapping[str, object] | None = None, *, config: Config | Path | str | None = None
) -> dict[str, float]:
    """Default parameter values with ``overrides`` applied and checked.

    Overriding a conversion (``hours_per_month``) re-derives the defaults that refer to it
    (value of time, staff cost) unless those are overridden too.

    Raises
    ------
    InputError
        For an unknown name (listing the accepted names) or a value outside what its unit allows.
    """
    cfg = _cfg(config)
    overrides = dict(overrides or {})
    for name, value in overrides.items():
        if name not in cfg.parameters:
            moved = f" ({name} is not a savings parameter: {MOVED[name]})" if name in MOVED else ""
            raise InputError(
                f"unknown parameter {name!r}; expected one of: {', '.join(cfg.parameters)}{moved}"
            )
        unit = cfg.parameters[name].unit
        lo, hi = UNIT_LIMITS[unit]
        accepted = f"{lo:g} to {hi:g}" if math.isfinite(hi) else f"a number >= {lo:g}"
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise InputError(
                f"{name}={value!r} is not a number; expected {accepted} ({unit})"
            ) from None
        if not (math.isfinite(v) and lo <= v <= hi):
            raise InputError(f"{name}={value!r} is out of range; expected {accepted} ({unit})")
        overrides[name] = v
    values = cfg.defaults()
    conv = {k: overrides.get(k, values[k]) for k in cfg.section("conversions")}
    if any(k in overrides for k in conv):
        ev = _evidence_values()
        for name, p in cfg.parameters.items():
            if p.section != "conversions":
                values[name] = _resolve(p.default_spec, conv, ev)
    values.update(overrides)
    return values


def _calibration_factor(cfg: Config, calibration: str | float | None) -> tuple[float, str | float]:
    """The scale factor on the bottom-up saving and the target it scales to.

    The factor is computed once, over ALL components at the default assumptions, so that
    counting only some components (``include=``) or overriding an input moves the result
    relative to the target instead of being scaled back to it.
    """
    target = cfg.calibration_target if calibration is None else calibration
    base = bottom_up_saving(cfg.defaults(), COMPONENTS)
    if target == "none":
        return 1.0, "none"
    if target == "official":
        value = reference(cfg).per_dossier_vnd
    else:
        value = _check_nonneg("calibration", target, "'official', 'none' or VND per dossier")
    if base <= 0:
        raise InputError(
            f"calibration={target!r}: the bottom-up saving at the defaults is {base:g} VND, so it cannot be scaled; use calibration='none'"
        )
    return value / base, target


def _check_include(include: Iterable[str] | None) -> tuple[str, ...]:
    if include is None:
        return COMPONENTS
    include = tuple(include)
    for c in include:
        if c not in COMPONENTS:
            raise InputError(f"unknown component {c!r}; expected one of: {', '.join(COMPONENTS)}")
    return include


def _config_sources(cfg: Config, names: Iterable[str] | None = None) -> list[str]:
    names = cfg.parameters if names is None else names
    out = set(reference(cfg).sources) | {"ref_scm_manual"}
    for n in names:
        out.update(cfg.parameters[n].source_ids)
    return sorted(out)


# ================================================================ estimate
@dataclass
class Estimate:
    """Yearly savings at a fully-online share (see :func:`estimate`)."""

    share: float
    baseline_share: float | None
    total_dossiers: float
    dossiers_online: float
    per_dossier_vnd: float
    bottom_up_per_dossier_vnd: float
    calibration_factor: float
    calibration: str | float
    savings_vnd: float
    incremental_savings_vnd: float | None
    components: dict[str, dict[str, float]]
    parameters: dict[str, object] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    @property
    def gross_savings_vnd(self) -> float:
        return self.savings_vnd

    @property
    def cost_ratio_offline_to_online(self) -> float:
        """Offline cost / online cost of one dossier (to compare with channel-cost ratios)."""
        off = sum(c["offline_vnd"] for c in self.components.values())
        on = sum(c["online_vnd"] for c in self.components.values())
        return off / on if on else math.inf

    def to_df(self) -> pd.DataFrame:
        """Long table: one row per component plus ``total``.

        Columns ``component, offline_vnd, online_vnd, saving_vnd`` (per dossier, calibrated),
        ``bottom_up_saving_vnd`` (per dossier, unscaled), ``savings_vnd_per_year`` (x dossiers
        online) and ``incremental_savings_vnd_per_year`` (x dossiers above the baseline).
        """
        rows = [{"component": c, **v} for c, v in self.components.items()]
        total = {
            k: sum(r[k] for r in rows)
            for k in ("offline_vnd", "online_vnd", "saving_vnd", "bottom_up_saving_vnd")
        }
        rows.append({"component": "total", **total})
        df = pd.DataFrame(rows)
        df["savings_vnd_per_year"] = df["saving_vnd"] * self.dossiers_online
        if self.baseline_share is not None:
            df["incremental_savings_vnd_per_year"] = (
                df["saving_vnd"] * self.total_dossiers * (self.share - self.baseline_share)
            )
        return df


def estimate(
    share: float,
    *,
    baseline_share: float | None = None,
    total_dossiers: float | None = None,
    calibration: str | float | None = None,
    include: Iterable[str] | None = None,
    config: Config | Path | str | None = None,
    **overrides: float,
) -> Estimate:
    """Yearly savings when ``share`` of all dossiers are processed fully online.

    Parameters
    ----------
    share
        Fully-online share of dossiers (0-1).
    baseline_share
        If given, also the saving of going from this share to ``share`` (incremental).
    total_dossiers
        Dossiers a year (default: implied by the official claim, 17.5 million / 0.70).
    calibration
        ``"official"`` (scale to the VND per dossier implied by the claim), ``"none"`` (bottom-up)
        or VND per dossier; default from ``savings.yml``. The scale factor is fixed at the
        default assumptions over all components.
    include
        Components to count (default all of :data:`COMPONENTS`). The calibration factor is
        still the one over all components, so a subset saves its own share of the total.
    config
        A :class:`Config` or a path (default ``data/savings.yml``).
    **overrides
        Parameter values by name (see ``savings.yml``), for example
        ``value_of_time_vnd_per_hour=30000``.

    Raises
    ------
    InputError
        Share outside 0-1, negative volume, unknown parameter or component name.
    """
    cfg = _cfg(config)
    share = _check_share("share", share)
    if baseline_share is not None:
        baseline_share = _check_share("baseline_share", baseline_share)
    ref = reference(cfg)
    total = (
        ref.total_dossiers
        if total_dossiers is None
        else _check_nonneg("total_dossiers", total_dossiers, "a number of dossiers a year")
    )
    include = _check_include(include)
    values = parameter_values(overrides, config=cfg)
    k, target = _calibration_factor(cfg, calibration)
    costs = component_costs(values)
    comps = {
        c: {
            "offline_vnd": k * costs[c][0],
            "online_vnd": k * costs[c][1],
            "saving_vnd": k * (costs[c][0] - costs[c][1]),
            "bottom_up_saving_vnd": costs[c][0] - costs[c][1],
        }
        for c in include
    }
    bottom_up = sum(v["bottom_up_saving_vnd"] for v in comps.values())
    per = k * bottom_up
    online = total * share
    incremental = None if baseline_share is None else per * total * (share - baseline_share)
    params = {
        "share": share,
        "baseline_share": baseline_share,
        "total_dossiers": total,
        "calibration": target,
        **({"include": ",".join(include)} if include != COMPONENTS else {}),
        **overrides,
    }
    return Estimate(
        share,
        baseline_share,
        total,
        online,
        per,
        bottom_up,
        k,
        target,
        per * online,
        incremental,
        comps,
        params,
        _config_sources(cfg, [n for n in cfg.parameters if cfg.parameters[n].section != "volume"]),
    )


def notebook_inputs(
    *,
    share: float,
    baseline_share: float | None = None,
    total_dossiers: float | None = None,
    value_of_time_vnd_per_hour: float | None = None,
    config: Config | Path | str | None = None,
) -> dict[str, object]:
    """Keyword arguments for :func:`estimate` from notebook parameters, where None means default.

    ``baseline_share=None`` reads the baseline from the evidence row ``reference.baseline_share``
    of ``savings.yml`` (17% fully online in localities, 31 Aug 2024); ``total_dossiers=None`` the
    total implied by the claim; ``value_of_time_vnd_per_hour=None`` the ``savings.yml`` default.
    Any number, 0 included, is used as given (``baseline_share=0`` counts every online dossier
    as incremental).
    """
    cfg = _cfg(config)
    out: dict[str, object] = {"share": _check_share("share", share)}
    out["baseline_share"] = (
        reference(cfg).baseline_share
        if baseline_share is None
        else _check_share("baseline_share", baseline_share)
    )
    out["total_dossiers"] = (
        None
        if total_dossiers is None
        else _check_nonneg("total_dossiers", total_dossiers, "a number of dossiers a year")
    )
    if value_of_time_vnd_per_hour is not None:
        out["value_of_time_vnd_per_hour"] = _check_nonneg(
            "value_of_time_vnd_per_hour", value_of_time_vnd_per_hour, "VND per hour"
        )
    return out


def parameter_overrides(
    inputs: Mapping[str, object], *, config: Config | Path | str | None = None
) -> dict[str, float]:
    """The model-parameter overrides among keyword arguments such as :func:`notebook_inputs`'.

    For passing the same assumptions to :func:`tornado` and :func:`over_time`, which take
    ``share`` / ``baseline_share`` differently from :func:`estimate`.
    """
    names = _cfg(config).parameters
    return {k: v for k, v in inputs.items() if k in names}


# ================================================================ Monte Carlo
def uncertain_names(config: Config | Path | str | None = None) -> list[str]:
    """The uncertain per-dossier inputs (section ``per_dossier``)."""
    return list(_cfg(config).section("per_dossier"))


def rng(seed: int) -> np.random.Generator:
    """The savings model's random generator for ``seed``: its own stream (:data:`RNG_STREAM`).

    ``default_rng(SeedSequence([seed, RNG_STREAM]))``: the same seed gives the same draws, and
    they are independent of the uptake projection's ``default_rng(seed)`` draws, so that a
    projection and the savings along it may share one ``seed``.

    Raises
    ------
    InputError
        If ``seed`` is not a whole number >= 0.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed={seed!r} is not accepted; expected a whole number >= 0")
    return np.random.default_rng(np.random.SeedSequence([int(seed), RNG_STREAM]))


def draw_parameters(
    n_draws: int,
    *,
    seed: int = 0,
    config: Config | Path | str | None = None,
    fixed: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """``n_draws`` joint draws of the per-dossier inputs, each triangular(low, default, high).

    Parameters in ``fixed`` (overrides) are held at their value. Independent draws from the
    savings stream for ``seed`` (:func:`rng`).
    """
    cfg = _cfg(config)
    if not isinstance(n_draws, (int, np.integer)) or isinstance(n_draws, bool) or n_draws < 1:
        raise InputError(f"n_draws={n_draws!r} is not accepted; expected a whole number >= 1")
    values = parameter_values(fixed, config=cfg)
    gen = rng(seed)
    out = {}
    for name, p in cfg.section("per_dossier").items():
        draw = (
            gen.triangular(p.low, p.default, p.high, n_draws)
            if p.high > p.low
            else np.full(n_draws, p.default)
        )
        out[name] = np.full(n_draws, values[name]) if fixed and name in fixed else draw
    return pd.DataFrame(out)


def _quantile_frame(samples: Mapping[str, np.ndarray], units: Mapping[str, str]) -> pd.DataFrame:
    rows = []
    for measure, x in samples.items():
        q = np.quantile(x, QUANTILES)
        rows.append(
            {
                "measure": measure,
                "unit": units[measure],
                "mean": float(np.mean(x)),
                "q05": q[0],
                "q50": q[1],
                "q95": q[2],
            }
        )
    return pd.DataFrame(rows)


@dataclass
class Uncertainty:
    """Monte Carlo intervals for :func:`estimate` (see :func:`uncertainty`)."""

    draws: pd.DataFrame
    parameters: dict[str, object]
    sources: list[str]

    def to_df(self) -> pd.DataFrame:
        """``measure, unit, mean, q05, q50, q95`` for each output measure."""
        cols = [
            c
            for c in (
                "per_dossier_vnd",
                "bottom_up_per_dossier_vnd",
                "savings_vnd",
                "incremental_savings_vnd",
            )
            if c in self.draws
        ]
        units = {
            "per_dossier_vnd": "vnd",
            "bottom_up_per_dossier_vnd": "vnd",
            "savings_vnd": "vnd_per_year",
            "incremental_savings_vnd": "vnd_per_year",
        }
        return _quantile_frame({c: self.draws[c].to_numpy() for c in cols}, units)


def uncertainty(
    share: float,
    *,
    n_draws: int = 2000,
    seed: int = 0,
    baseline_share: float | None = None,
    total_dossiers: float | None = None,
    calibration: str | float | None = None,
    config: Config | Path | str | None = None,
    **overrides: float,
) -> Uncertainty:
    """Monte Carlo over the per-dossier inputs (vectorized; seeded, savings stream :func:`rng`).

    Overridden inputs are held fixed. The calibration factor is the one of :func:`estimate`,
    fixed at the defaults, so the interval shows how far the official figure could move if
    the components were uncertain in the declared ranges.
    """
    cfg = _cfg(config)
    point = estimate(
        share,
        baseline_share=baseline_share,
        total_dossiers=total_dossiers,
        calibration=calibration,
        config=cfg,
        **overrides,
    )
    draws = draw_parameters(n_draws, seed=seed, config=cfg, fixed=overrides)
    values = {**parameter_values(overrides, config=cfg), **{c: draws[c].to_numpy() for c in draws}}
    bu = bottom_up_saving(values)
    out = draws.copy()
    out.insert(0, "draw", np.arange(n_draws))
    out["bottom_up_per_dossier_vnd"] = bu
    out["per_dossier_vnd"] = point.calibration_factor * bu
    out["savings_vnd"] = out["per_dossier_vnd"] * point.dossiers_online
    if baseline_share is not None:
        out["incremental_savings_vnd"] = (
            out["per_dossier_vnd"] * point.total_dossiers * (point.share - point.baseline_share)
        )
    return Uncertainty(out, {**point.parameters, "n_draws": n_draws, "seed": seed}, point.sources)


# ================================================================ tornado
@dataclass
class Tornado:
    """One-at-a-time sensitivity (see :func:`tornado`)."""

    table: pd.DataFrame
    base_vnd: float
    parameters: dict[str, object]
    sources: list[str]

    def to_df(self) -> pd.DataFrame:
        """``parameter, unit, low, default, high, savings_at_low_vnd, savings_at_high_vnd, swing_vnd, base_vnd``,
        widest swing first."""
        return self.table.copy()


def tornado(
    share: float | None = None,
    *,
    total_dossiers: float | None = None,
    calibration: str | float | None = None,
    config: Config | Path | str | None = None,
    **overrides: float,
) -> Tornado:
    """Yearly savings at ``share`` with each per-dossier input set to the low and the high end of
    its declared range, the others at their defaults; sorted by swing (widest first).

    ``share`` defaults to the official reference share (0.70). ``**overrides`` are parameter
    values by name, checked as in :func:`estimate`; the base and every swing are computed with
    them, and an overridden per-dossier input is held at its value (as in :func:`uncertainty`),
    so it has no row.
    """
    cfg = _cfg(config)
    parameter_values(overrides, config=cfg)  # unknown names and bad values: InputError
    share = reference(cfg).share if share is None else share
    base = estimate(
        share, total_dossiers=total_dossiers, calibration=calibration, config=cfg, **overrides
    )
    rows = []
    for name, p in cfg.section("per_dossier").items():
        if name in overrides:
            continue
        lo = estimate(
            share,
            total_dossiers=total_dossiers,
            calibration=calibration,
            config=cfg,
            **{**overrides, name: p.low},
        ).savings_vnd
        hi = estimate(
            share,
            total_dossiers=total_dossiers,
            calibration=calibration,
            config=cfg,
            **{**overrides, name: p.high},
        ).savings_vnd
        rows.append(
            {
                "parameter": name,
                "unit": p.unit,
                "low": p.low,
                "default": p.default,
                "high": p.high,
                "savings_at_low_vnd": lo,
                "savings_at_high_vnd": hi,
                "swing_vnd": abs(hi - lo),
                "base_vnd": base.savings_vnd,
            }
        )
    table = (
        pd.DataFrame(rows)
        .sort_values(["swing_vnd", "parameter"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )
    return Tornado(table, base.savings_vnd, dict(base.parameters), base.sources)


# ================================================================ Sobol
@dataclass
class Sobol:
    """Variance-based sensitivity indices (see :func:`sobol_indices`)."""

    names: list[str]
    S1: np.ndarray
    S1_conf: np.ndarray
    ST: np.ndarray
    ST_conf: np.ndarray
    n_evaluations: int
    parameters: dict[str, object] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def to_df(self) -> pd.DataFrame:
        """``parameter, S1, S1_conf, ST, ST_conf`` (conf: half-width of the 95% bootstrap
        interval), largest ST first."""
        df = pd.DataFrame(
            {
                "parameter": self.names,
                "S1": self.S1,
                "S1_conf": self.S1_conf,
                "ST": self.ST,
                "ST_conf": self.ST_conf,
            }
        )
        return df.sort_values(
            ["ST", "parameter"], ascending=[False, True], kind="stable"
        ).reset_index(drop=True)


def sobol_indices(
    model: Callable[[np.ndarray], np.ndarray],
    problem: Mapping[str, object],
    *,
    n: int = 512,
    seed: int = 0,
) -> Sobol:
    """First-order and total Sobol indices of ``model`` with SALib (Saltelli sampling, seeded).

    The sampling and bootstrap seeds are derived from ``seed`` on the savings stream (:func:`rng`).

    Parameters
    ----------
    model
        Maps an ``(N, D)`` array of inputs to ``N`` outputs (vectorized).
    problem
        A SALib problem: ``names``, ``bounds`` (and optionally ``dists``), ``num_vars``.
    n
        Base sample size (a power of 2); ``n * (D + 2)`` model evaluations.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if not isinstance(n, (int, np.integer)) or n < 2 or n & (n - 1):
        raise InputError(
            f"n={n!r} is not accepted; expected a power of 2 (for example 256, 512, 1024)"
        )
    problem = dict(problem)
    problem.setdefault("num_vars", len(problem["names"]))
    # Both seeds come from the savings stream (:func:`rng`). SALib's analyze() tests `if seed:`,
    # so seed=0 would fall back to global random state and the bootstrap confidence intervals
    # would change from run to run: the derived seeds are non-zero.
    sample_seed, boot_seed = (int(x) for x in rng(seed).integers(1, 2**31 - 1, size=2))
    X = sobol_sample.sample(problem, n, calc_second_order=False, seed=sample_seed)
    Y = np.asarray(model(X), dtype=float)
    res = sobol_analyze.analyze(problem, Y, calc_second_order=False, seed=boot_seed)
    return Sobol(
        list(problem["names"]), res["S1"], res["S1_conf"], res["ST"], res["ST_conf"], int(len(Y))
    )


def sensitivity(
    *,
    n: int = 512,
    seed: int = 0,
    calibration: str | float | None = None,
    config: Config | Path | str | None = None,
) -> Sobol:
    """Sobol indices of the per-dossier saving over the per-dossier inputs.

    Each input is triangular(low, default, high) over its declared range, as in the Monte
    Carlo. Indices do not depend on the calibration factor (a constant scale).
    """
    cfg = _cfg(config)
    varied = {k: p for k, p in cfg.section("per_dossier").items() if p.high > p.low}
    names = list(varied)
    problem = {
        "names": names,
        "num_vars": len(names),
        "bounds": [
            [p.low, p.high, (p.default - p.low) / (p.high - p.low)] for p in varied.values()
        ],
        "dists": ["triang"] * len(names),
    }
    base = cfg.defaults()
    k, target = _calibration_factor(cfg, calibration)

    def model(X: np.ndarray) -> np.ndarray:
        values = {**base, **{name: X[:, i] for i, name in enumerate(names)}}
        return k * bottom_up_saving(values)

    out = sobol_indices(model, problem, n=n, seed=seed)
    out.parameters = {"n": n, "seed": seed, "calibration": target, "output": "per_dossier_vnd"}
    out.sources = _config_sources(cfg, names)
    return out


# ================================================================ over time
@dataclass
class OverTime:
    """Savings along an uptake projection (see :func:`over_time`)."""

    draws: pd.DataFrame
    parameters: dict[str, object]
    sources: list[str]

    def to_df(self, *, draws: bool = False) -> pd.DataFrame:
        """Quantiles by year (default) or the draw-level table.

        Quantile table columns: ``year, measure, unit, mean, q05, q50, q95``; measures
        ``share``, ``dossiers_online``, ``savings_vnd`` (yearly), ``discounted_savings_vnd`` and
        ``cumulative_savings_vnd`` (discounted, summed from the first year).
        """
        if draws:
            return self.draws.copy()
        units = {
            "share": "share",
            "dossiers_online": "count_per_year",
            "savings_vnd": "vnd_per_year",
            "discounted_savings_vnd": "vnd_per_year",
            "cumulative_savings_vnd": "vnd",
        }
        frames = []
        for year, g in self.draws.groupby("year", sort=True):
            q = _quantile_frame({m: g[m].to_numpy() for m in units}, units)
            q.insert(0, "year", year)
            frames.append(q)
        return pd.concat(frames, ignore_index=True)


_PROJECTION_CONTRACT = (
    "an object with .to_df() returning a long table with columns draw, year, segment, share "
    "(for example dvcanalysis.uptake.project(...))"
)


def _projection_frame(projection: object) -> pd.DataFrame:
    """``projection.to_df()``, or an InputError naming the argument and what is accepted."""
    to_df = getattr(projection, "to_df", None)
    if not callable(to_df):
        shown = (
            repr(projection)
            if projection is None or isinstance(projection, (str, int, float))
            else "an object"
        )
        raise InputError(
            f"projection={shown} of type {type(projection).__name__} is not accepted; "
            f"expected {_PROJECTION_CONTRACT}"
        )
    df = to_df()
    if not isinstance(df, pd.DataFrame):
        raise InputError(
            f"projection.to_df() returned {type(df).__name__}; expected a pandas DataFrame "
            "with columns draw, year, segment, share"
        )
    return df


def _volume_share_draws(projection: object) -> pd.Series | None:
    """The projection's own ``ministries_volume_share`` per draw (index: draw), if it has them.

    :class:`dvcanalysis.uptake.Projection` keeps every assumption's draws in ``.draws``
    (name -> array of ``n_draws``, in the order of ``to_df()``'s ``draw`` 0, 1, ...).
    """
    draws = getattr(projection, "draws", None)
    if not isinstance(draws, Mapping) or "ministries_volume_share" not in draws:
        return None
    w = np.asarray(draws["ministries_volume_share"], dtype=float)
    if w.ndim != 1 or not np.all((w >= 0) & (w <= 1)):
        raise InputError(
            "projection.draws['ministries_volume_share'] is not accepted; expected one share "
            "(0-1) per draw"
        )
    return pd.Series(w, index=np.arange(len(w)))


def _projection_shares(
    df: pd.DataFrame, segment: str | None, weights: pd.Series | None
) -> tuple[pd.DataFrame, str]:
    need = {"draw", "year", "segment", "share"}
    missing = need - set(df.columns)
    if missing:
        raise InputError(
            f"projection.to_df() lacks column(s) {', '.join(sorted(missing))}; expected columns draw, year, segment, share"
        )
    segs = sorted(set(df["segment"]))
    can_combine = {"ministries", "localities"} <= set(segs)
    if segment is None:
        if "national" in segs:
            segment = "national"
        elif can_combine:
            segment = "combined"
        else:
            raise InputError(
                f"projection segments {segs} cannot be combined; pass segment= one of them"
            )
    if segment == "combined":
        if not can_combine:
            raise InputError(
                f"segment='combined' needs ministries and localities in the projection; it has "
                f"{', '.join(segs)}"
            )
        if weights is None:
            raise InputError(
                "segment='combined' weights ministries and localities by the projection's own "
                "ministries_volume_share draws (projection.draws['ministries_volume_share']), "
                "which this projection lacks; pass segment= explicitly, one of: " + ", ".join(segs)
            )
        wide = (
            df[df["segment"].isin(["ministries", "localities"])]
            .pivot_table(index=["draw", "year"], columns="segment", values="share")
            .reset_index()
        )
        missing_draws = sorted(set(wide["draw"]) - set(weights.index))
        if missing_draws:
            raise InputError(
                f"projection.draws['ministries_volume_share'] has {len(weights)} values; "
                f"expected one per draw of projection.to_df() (draw {missing_draws[0]} has none)"
            )
        w = weights.loc[wide["draw"]].to_numpy()
        wide["share"] = w * wide["ministries"] + (1 - w) * wide["localities"]
        out = wide[["draw", "year", "share"]]
    else:
        if segment not in segs:
            raise InputError(
                f"segment={segment!r} is not in the projection; expected one of: {', '.join(segs)} or 'combined'"
            )
        out = df.loc[df["segment"] == segment, ["draw", "year", "share"]]
    out = out.sort_values(["draw", "year"]).reset_index(drop=True)
    if out["share"].isna().any() or not out["share"].between(0, 1).all():
        raise InputError("projection shares must be within 0-1 with no gaps")
    return out, segment


def over_time(
    projection,
    *,
    discount_rate: float | None = None,
    baseline_share: float | None = None,
    segment: str | None = None,
    total_dossiers: float | None = None,
    growth: float | None = None,
    uncertain: bool = True,
    seed: int = 0,
    calibration: str | float | None = None,
    config: Config | Path | str | None = None,
    **overrides: float,
) -> OverTime:
    """Yearly and cumulative savings along an uptake projection.

    Parameters
    ----------
    projection
        Any object whose ``.to_df()`` is a long table ``draw, year, segment, share``
        (for example :func:`dvcanalysis.uptake.project`); for ``segment="combined"`` also
        ``.draws["ministries_volume_share"]``, one value per draw.
    discount_rate
        Yearly discount rate for the cumulative sum (default ``discount_rate_per_year`` of
        ``savings.yml``); year ``t`` is discounted by ``(1 + r) ** -(t - first year)``.
    baseline_share
        If given, savings are incremental: dossiers above this share only (never negative).
    segment
        ``national``, ``ministries``, ``localities`` or ``combined`` (ministries and localities
        weighted, draw by draw, by the projection's own ``ministries_volume_share`` draws, the
        weight its national mix uses); default national if present, else combined. A
        projection without those draws cannot be combined: pass ``segment=`` explicitly.
    total_dossiers
        Dossiers in the reference year of the claim (default: implied by the claim); grows by
        ``growth`` a year (default ``dossier_growth_per_year``).
    uncertain
        Draw the per-dossier inputs once per projection draw, else use the defaults. The
        draws come from the savings stream for ``seed`` (:func:`rng`), independent of the
        projection's own draws even when both use the same seed.
    **overrides
        Parameter values by name, as in :func:`estimate` (held fixed in the draws).

    Raises
    ------
    InputError
        A ``projection`` without ``.to_df()`` (or whose table lacks the columns), an unknown
        segment, a combination without the projection's volume-share draws, bad rates or
        parameter values.
    """
    df = _projection_frame(projection)
    cfg = _cfg(config)
    values = parameter_values(overrides, config=cfg)
    r = values["discount_rate_per_year"] if discount_rate is None else discount_rate
    r = _check_nonneg("discount_rate", r, "a yearly rate such as 0.06")
    if r > 1:
        raise InputError(f"discount_rate={r!r} is out of range; expected 0 to 1 (6% as 0.06)")
    g = values["dossier_growth_per_year"] if growth is None else float(growth)
    lo_g, hi_g = UNIT_LIMITS["share_per_year"]
    if not lo_g <= g <= hi_g:
        raise InputError(f"growth={growth!r} is out of range; expected {lo_g:g} to {hi_g:g} a year")
    if baseline_share is not None:
        baseline_share = _check_share("baseline_share", baseline_share)
    ref = reference(cfg)
    total = (
        ref.total_dossiers
        if total_dossiers is None
        else _check_nonneg("total_dossiers", total_dossiers, "a number of dossiers a year")
    )
    ref_year = int(
        evidence.load().set_index("id").loc[ref.ids["dossiers_online"], "period_end"].year
    )

    shares, segment = _projection_shares(df, segment, _volume_share_draws(projection))
    draw_ids = np.sort(shares["draw"].unique())
    point = estimate(0.0, total_dossiers=total, calibration=calibration, config=cfg, **overrides)
    if uncertain:
        d = draw_parameters(len(draw_ids), seed=seed, config=cfg, fixed=overrides)
        per = point.calibration_factor * bottom_up_saving(
            {**values, **{c: d[c].to_numpy() for c in d}}
        )
    else:
        per = np.full(len(draw_ids), point.per_dossier_vnd)
    per_by_draw = pd.Series(per, index=draw_ids)

    out = shares.copy()
    years = out["year"].to_numpy(dtype=float)
    volume = total * (1 + g) ** (years - ref_year)
    eligible = (
        out["share"].to_numpy()
        if baseline_share is None
        else np.clip(out["share"].to_numpy() - baseline_share, 0, None)
    )
    out["dossiers_online"] = volume * out["share"].to_numpy()
    out["per_dossier_vnd"] = per_by_draw.loc[out["draw"]].to_numpy()
    out["savings_vnd"] = volume * eligible * out["per_dossier_vnd"].to_numpy()
    first = years.min()
    out["discounted_savings_vnd"] = out["savings_vnd"] * (1 + r) ** -(years - first)
    out["cumulative_savings_vnd"] = out.groupby("draw")["discounted_savings_vnd"].cumsum()
    params = {
        "discount_rate": r,
        "baseline_share": baseline_share,
        "segment": segment,
        "total_dossiers": total,
        "growth": g,
        "uncertain": uncertain,
        "seed": seed,
        "calibration": point.calibration,
        "first_year": int(first),
        **(
            {"combined_weight": "projection ministries_volume_share draws"}
            if segment == "combined"
            else {}
        ),
        **overrides,
    }
    sources = sorted(set(point.sources) | set(getattr(projection, "sources", []) or []))
    return OverTime(out, params, sources)


# ================================================================ claims audit
AGREE_RATIO = (0.8, 1.25)


def _verdict(ratio: float, comparable: bool) -> str:
    if not comparable:
        return "not_comparable"
    if AGREE_RATIO[0] <= ratio <= AGREE_RATIO[1]:
        return "agrees"
    return "higher" if ratio > 1 else "lower"


def claims_audit(config: Config | Path | str | None = None) -> pd.DataFrame:
    """Every official savings claim in the evidence base that can be recomputed.

    One row per claim with what it implies and how it compares with the 2,600-billion claim
    (seed003): ``claim, evidence_ids, sources, period, claim_vnd_per_year, implied_dossiers,
    implied_per_dossier_vnd, implied_hours_of_avg_wage, basis, ratio, verdict, note,
    wage_period, stated_days_saved, implied_vnd_per_hour, implied_wage_ratio`` (the last three for the
    health-insurance claim: the VND per hour its day implies, and that over the average wage).
    ``wage_period`` is the period of the evidence row the value of time (the average wage of
    ``implied_hours_of_avg_wage`` and ``implied_wage_ratio``) is read from.
    ``ratio`` is the claim's value over the reference's on ``basis`` (``per_dossier``,
    ``per_year`` or ``count``). For the portal-wide claims ``implied_dossiers`` is the volume
    needed at the reference VND per dossier, and ``implied_per_dossier_vnd`` the saving needed if
    every one of the implied total dossiers were online (a lower bound). ``verdict`` is ``reference``, ``agrees`` (ratio 0.8-1.25),
    ``higher``, ``lower`` or ``not_comparable``; ``note`` is a label key
    (``savings.audit.note.<claim>``) explaining the comparison.
    """
    cfg = _cfg(config)
    ref = reference(cfg)
    ev = evidence.load().set_index("id")
    vot_param = cfg.parameters["value_of_time_vnd_per_hour"]
    vot = vot_param.default
    # the period of the income the value of time is read from (e.g. GSO 2024), for the notes
    vot_rows = [i for i in _evidence_terms(vot_param.default_spec) if i in ev.index]
    wage_period = str(ev.loc[vot_rows[0], "period"]) if vot_rows else ""
    ids = ref.ids

    def v(i: str) -> float:
        return float(ev.loc[i, "value"])

    def src(*rows: str) -> str:
        return ";".join(sorted({ev.loc[i, "source_id"] for i in rows}))

    def period(i: str) -> str:
        return str(ev.loc[i, "period"])

    def find(indicator: str, segment: str | None = None, source_prefix: str = "") -> list[str]:
        sel = ev[(ev["indicator"] == indicator) & ev["source_id"].str.startswith(source_prefix)]
        if segment is not None:
            sel = sel[sel["segment"] == segment]
        return sorted(sel.index)

    rows = []

    def add(claim, rows_ids, period_, claim_vnd, dossiers, per, basis, ratio, verdict, **extra):
        rows.append(
            {
                "claim": claim,
                "evidence_ids": ";".join(rows_ids),
                "sources": src(*rows_ids),
                "period": period_,
                "claim_vnd_per_year": claim_vnd,
                "implied_dossiers": dossiers,
                "implied_per_dossier_vnd": per,
                "implied_hours_of_avg_wage": per / vot if per == per else math.nan,
                "basis": basis,
                "ratio": ratio,
                "verdict": verdict,
                "note": f"savings.audit.note.{claim}",
                "wage_period": wage_period,
                **extra,
            }
        )

    # 1. the reference claim itself
    add(
        "social_cost_target",
        [ids["saving"], ids["dossiers_online"], ids["share"]],
        period(ids["saving"]),
        ref.saving_vnd,
        ref.total_dossiers,
        ref.per_dossier_vnd,
        "per_dossier",
        1.0,
        "reference",
    )
    # 2. 17.5 million people vs 17.5 million dossiers
    ppl = ref.people / ref.dossiers_online
    add(
        "people_vs_dossiers",
        [ids["people"], ids["dossiers_online"], ids["share"]],
        period(ids["people"]),
        math.nan,
        ref.dossiers_online,
        math.nan,
        "count",
        ppl,
        _verdict(ppl, True),
    )
    # 3. paper and ink saved by document exchange (seed004): another channel
    for i in find("paper_cost_saving", "government_office"):
        add(
            "paper_document_exchange",
            [i],
            period(i),
            v(i),
            math.nan,
            math.nan,
            "per_year",
            v(i) / ref.saving_vnd,
            "not_comparable",
        )
    # 4. portal at launch (2019)
    for i in find("portal_cost_saving", source_prefix="ref_vir"):
        total = v(i)
        add(
            "portal_launch_2019",
            [i],
            period(i),
            total,
            total / ref.per_dossier_vnd,
            total / ref.total_dossiers,
            "per_year",
            total / ref.saving_vnd,
            _verdict(total / ref.saving_vnd, True),
        )
    # 5. portal 2021: over 8.1 trillion + 1.2 trillion paper and delivery
    ids21 = find("portal_cost_saving", source_prefix="ref_vietnamplus_2021") + find(
        "paper_cost_saving", "portal"
    )
    if ids21:
        total = sum(v(i) for i in ids21)
        add(
            "portal_2021",
            ids21,
            period(ids21[0]),
            total,
            total / ref.per_dossier_vnd,
            total / ref.total_dossiers,
            "per_year",
            total / ref.saving_vnd,
            _verdict(total / ref.saving_vnd, True),
        )
    # 6. health-insurance card reissue: one working day per request
    hi_saving, hi_req = find("hi_card_reissue_saving"), find("hi_card_reissue_requests")
    hi_days = find("hi_card_reissue_time_saved")
    if hi_saving and hi_req:
        per = v(hi_saving[0]) / v(hi_req[0])
        hours_per_day = cfg.parameters["hours_per_day"].default
        add(
            "health_insurance_reissue",
            hi_saving + hi_req + hi_days,
            period(hi_saving[0]),
            v(hi_saving[0]),
            v(hi_req[0]),
            per,
            "per_dossier",
            per / ref.per_dossier_vnd,
            _verdict(per / ref.per_dossier_vnd, True),
            stated_days_saved=v(hi_days[0]) if hi_days else math.nan,
            implied_vnd_per_hour=per / (hours_per_day * (v(hi_days[0]) if hi_days else 1.0)),
        )
        rows[-1]["implied_wage_ratio"] = rows[-1]["implied_vnd_per_hour"] / vot
    df = pd.DataFrame(rows)
    for col in ("stated_days_saved", "implied_vnd_per_hour", "implied_wage_ratio"):
        if col not in df:
            df[col] = math.nan
    return df
