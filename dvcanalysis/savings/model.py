"""The standard cost model: per-dossier component costs, calibration and :func:`estimate`.

Owns the four cost components (:data:`COMPONENTS`), the bottom-up saving per dossier, the
calibration factor that scales it to the official reference case, parameter values with
overrides checked against their unit, the point :class:`Estimate`, the notebook helpers
(:func:`notebook_inputs`, :func:`parameter_overrides`), the argument checks shared by the other
savings modules, and the savings model's own random stream (:func:`rng`, :data:`RNG_STREAM`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dvcanalysis.errors import InputError
from dvcanalysis.provenance import Provenance
from dvcanalysis.results import Result, check_own_figure
from dvcanalysis.savings.config import (
    MOVED,
    UNIT_LIMITS,
    Config,
    evidence_values,
    load_config,
    reference,
    resolve_value,
)

COMPONENTS = ("applicant_time", "travel_out_of_pocket", "paper_postage", "staff_time")

# Stream id of the savings model's random numbers: the savings draws for ``seed`` come from
# ``default_rng(SeedSequence([seed, RNG_STREAM]))`` (see :func:`rng`), a stream independent of
# ``default_rng(seed)``, which the uptake projection uses. Changing it changes every savings draw.
RNG_STREAM = 0x5341_5649  # "SAVI" in ASCII


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


def _number(value: object) -> float:
    """``value`` as a float if it is a real number (not a bool, not text); else TypeError."""
    if isinstance(value, (bool, str, bytes)) or not isinstance(value, numbers.Real):
        raise TypeError(value)
    return float(value)


def check_share(name: str, value: object) -> float:
    """``value`` as a share (0-1), or :class:`InputError` naming ``name`` and what is accepted."""
    try:
        v = _number(value)
    except (TypeError, ValueError):
        raise InputError(
            f"{name}={value!r} is not a number; expected a share from 0 to 1 (write 17% as 0.17)"
        ) from None
    if not (0.0 <= v <= 1.0):
        raise InputError(
            f"{name}={value!r} is out of range; expected a share from 0 to 1 (write 17% as 0.17)"
        )
    return v


def check_nonneg(name: str, value: object, what: str) -> float:
    """``value`` as a finite number >= 0, or :class:`InputError` naming ``name`` and ``what``
    is accepted (for example ``"VND per hour"``)."""
    try:
        v = _number(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}={value!r} is not a number; expected {what} >= 0") from None
    if not (math.isfinite(v) and v >= 0):
        raise InputError(f"{name}={value!r} is out of range; expected {what} >= 0")
    return v


def check_total_dossiers(value: object, default: float | None) -> float | None:
    """``default`` when ``value`` is None (the volume implied by the official claim), else
    ``value`` checked as a number of dossiers a year."""
    if value is None:
        return default
    return check_nonneg("total_dossiers", value, "a number of dossiers a year")


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
    cfg = load_config(config)
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
        ev = evidence_values()
        for name, p in cfg.parameters.items():
            if p.section != "conversions":
                values[name] = resolve_value(p.default_spec, conv, ev)
    values.update(overrides)
    return values


def calibration_factor(cfg: Config, calibration: str | float | None) -> tuple[float, str | float]:
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
        value = check_nonneg("calibration", target, "'official', 'none' or VND per dossier")
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


def config_sources(cfg: Config, names: Iterable[str] | None = None) -> list[str]:
    """Source ids behind the reference case, the cost model and the parameters ``names``
    (default all)."""
    names = cfg.parameters if names is None else names
    out = set(reference(cfg).sources) | {"ref_scm_manual"}
    for n in names:
        out.update(cfg.parameters[n].source_ids)
    return sorted(out)


@dataclass(kw_only=True, repr=False)
class SavingsResult(Result):
    """What the savings results share: ``parameters``, ``sources`` and their provenance.

    :meth:`provenance` gives the sources and the parameters that are set (a parameter that is
    None, such as a missing ``baseline_share``, is left out).
    """

    parameters: dict[str, object] = field(default_factory=dict)
    # a plain default (not a factory), so that the field shadows Result.sources (a property)
    sources: list[str] = ()

    def __post_init__(self) -> None:
        self.sources = list(self.sources)

    def provenance(self) -> Provenance:
        params = {k: v for k, v in self.parameters.items() if v is not None}
        return Provenance(sources=list(self.sources), parameters=params)


@dataclass(kw_only=True, repr=False)
class Estimate(SavingsResult):
    """Yearly savings at a fully-online share (see :func:`estimate`).

    Attributes
    ----------
    share, baseline_share
        The fully-online share evaluated and the share savings are counted above (or None).
    total_dossiers, dossiers_online
        Dossiers a year, and those fully online at ``share``.
    per_dossier_vnd, bottom_up_per_dossier_vnd
        Saving per online dossier, calibrated and unscaled.
    calibration_factor, calibration
        The scale factor on the bottom-up saving and the target it scales to.
    savings_vnd, incremental_savings_vnd
        Yearly savings (gross; above ``baseline_share``, or None without one).
    components
        ``component -> {offline_vnd, online_vnd, saving_vnd, bottom_up_saving_vnd}``.
    """

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

    def summary(self) -> str:
        return (
            f"share {self.share:g}, {self.savings_vnd:.4g} VND a year, "
            f"{self.per_dossier_vnd:.6g} VND per dossier"
        )

    def plot(self, ax=None, *, lang: str = "vi"):
        """Per-dossier cost by component, offline and online
        (:func:`dvcanalysis.plots.savings.components`); returns the figure."""
        check_own_figure(self, ax)
        from dvcanalysis.plots import savings as ps

        return ps.components(self, lang=lang, provenance=self.provenance())

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
    cfg = load_config(config)
    share = check_share("share", share)
    if baseline_share is not None:
        baseline_share = check_share("baseline_share", baseline_share)
    ref = reference(cfg)
    total = check_total_dossiers(total_dossiers, ref.total_dossiers)
    include = _check_include(include)
    values = parameter_values(overrides, config=cfg)
    k, target = calibration_factor(cfg, calibration)
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
        share=share,
        baseline_share=baseline_share,
        total_dossiers=total,
        dossiers_online=online,
        per_dossier_vnd=per,
        bottom_up_per_dossier_vnd=bottom_up,
        calibration_factor=k,
        calibration=target,
        savings_vnd=per * online,
        incremental_savings_vnd=incremental,
        components=comps,
        parameters=params,
        sources=config_sources(
            cfg, [n for n in cfg.parameters if cfg.parameters[n].section != "volume"]
        ),
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
    cfg = load_config(config)
    out: dict[str, object] = {"share": check_share("share", share)}
    out["baseline_share"] = (
        reference(cfg).baseline_share
        if baseline_share is None
        else check_share("baseline_share", baseline_share)
    )
    out["total_dossiers"] = check_total_dossiers(total_dossiers, None)
    if value_of_time_vnd_per_hour is not None:
        out["value_of_time_vnd_per_hour"] = check_nonneg(
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
    names = load_config(config).parameters
    return {k: v for k, v in inputs.items() if k in names}


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
