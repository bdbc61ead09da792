"""Uncertainty in the savings model: Monte Carlo, one-at-a-time (tornado) and Sobol indices.

Owns the joint draws of the per-dossier inputs (:func:`draw_parameters`, through the package's
one sampler :func:`dvcanalysis.parameters.draw`, from the savings stream
:func:`~dvcanalysis.savings.model.rng`), the Monte Carlo intervals of :func:`uncertainty`, the :func:`tornado` swings and the variance-based indices of
:func:`sobol_indices` / :func:`sensitivity`. SALib is imported inside :func:`sobol_indices` only,
so that importing :mod:`dvcanalysis.savings` stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dvcanalysis import parameters
from dvcanalysis.errors import InputError
from dvcanalysis.results import check_own_figure
from dvcanalysis.savings.config import SECTIONS, Config, load_config, reference
from dvcanalysis.savings.model import (
    Estimate,
    SavingsResult,
    bottom_up_saving,
    calibration_factor,
    config_sources,
    estimate,
    parameter_values,
    rng,
)

QUANTILES = (0.05, 0.5, 0.95)
# SALib's names of the distributions of :mod:`dvcanalysis.parameters`.
_SALIB_DISTS = {"uniform": "unif", "triangular": "triang"}


def uncertain_names(config: Config | Path | str | None = None) -> list[str]:
    """The uncertain per-dossier inputs (section ``per_dossier``)."""
    return list(load_config(config).section("per_dossier"))


def draw_parameters(
    n_draws: int,
    *,
    seed: int = 0,
    config: Config | Path | str | None = None,
    fixed: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """``n_draws`` joint draws of the per-dossier inputs, each over its declared range.

    Drawn by the package's one sampler (:func:`dvcanalysis.parameters.draw`) from the savings
    stream for ``seed`` (:func:`rng`): one row of uniforms per input in the declared order of
    :data:`~dvcanalysis.savings.config.SECTIONS` (not the order of the YAML file), each
    mapped through the input's distribution (triangular(low, default, high) unless the file
    says otherwise). Parameters in ``fixed`` (overrides) are held at their value; they still
    consume their uniforms, so the others' draws do not move.
    """
    cfg = load_config(config)
    if not isinstance(n_draws, (int, np.integer)) or isinstance(n_draws, bool) or n_draws < 1:
        raise InputError(f"n_draws={n_draws!r} is not accepted; expected a whole number >= 1")
    values = parameter_values(fixed, config=cfg)
    order = list(SECTIONS["per_dossier"])
    out = parameters.draw(cfg.section("per_dossier"), n_draws, rng(seed), order=order)
    for name in fixed or {}:
        if name in out:
            out[name] = np.full(n_draws, values[name])
    return pd.DataFrame(out)


def quantile_frame(samples: Mapping[str, np.ndarray], units: Mapping[str, str]) -> pd.DataFrame:
    """``measure, unit, mean, q05, q50, q95`` (:data:`QUANTILES`) of each array of ``samples``;
    ``units`` gives each measure's unit. Shared by the savings results' ``to_df``."""
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


@dataclass(kw_only=True, repr=False)
class Uncertainty(SavingsResult):
    """Monte Carlo intervals for :func:`estimate` (see :func:`uncertainty`).

    Attributes
    ----------
    draws
        One row per draw: the drawn inputs and the measures.
    estimate
        The point :class:`~dvcanalysis.savings.Estimate` at the default inputs (the figure
        shows the intervals around it).
    """

    draws: pd.DataFrame
    estimate: Estimate

    def summary(self) -> str:
        return f"{len(self.draws)} draws, seed {self.parameters.get('seed')}, share {self.estimate.share:g}"

    def plot(self, ax=None, *, lang: str = "vi"):
        """Gross and incremental yearly savings with their 5-95% intervals
        (:func:`dvcanalysis.plots.savings.gross_incremental`); returns the figure."""
        check_own_figure(self, ax)
        from dvcanalysis.plots import savings as ps

        return ps.gross_incremental(self.estimate, self, lang=lang, provenance=self.provenance())

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
        return quantile_frame({c: self.draws[c].to_numpy() for c in cols}, units)


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
    cfg = load_config(config)
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
    return Uncertainty(
        draws=out,
        estimate=point,
        parameters={**point.parameters, "n_draws": n_draws, "seed": seed},
        sources=point.sources,
    )


@dataclass(kw_only=True, repr=False)
class Tornado(SavingsResult):
    """One-at-a-time sensitivity (see :func:`tornado`): ``table`` (see :meth:`to_df`) and the
    yearly saving at the defaults, ``base_vnd``."""

    table: pd.DataFrame
    base_vnd: float

    def summary(self) -> str:
        return f"{len(self.table)} inputs, base {self.base_vnd:.4g} VND a year"

    def plot(self, ax=None, *, lang: str = "vi"):
        """The swings as bars around the base (:func:`dvcanalysis.plots.savings.tornado`);
        returns the figure."""
        check_own_figure(self, ax)
        from dvcanalysis.plots import savings as ps

        return ps.tornado(self, lang=lang, provenance=self.provenance())

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
    cfg = load_config(config)
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
    return Tornado(
        table=table,
        base_vnd=base.savings_vnd,
        parameters=dict(base.parameters),
        sources=base.sources,
    )


@dataclass(kw_only=True, repr=False)
class Sobol(SavingsResult):
    """Variance-based sensitivity indices (see :func:`sobol_indices`): first-order ``S1`` and
    total ``ST`` per input of ``names``, with their confidence half-widths."""

    names: list[str]
    S1: np.ndarray
    S1_conf: np.ndarray
    ST: np.ndarray
    ST_conf: np.ndarray
    n_evaluations: int

    def summary(self) -> str:
        return f"{len(self.names)} inputs, {self.n_evaluations} evaluations"

    def plot(self, ax=None, *, lang: str = "vi"):
        """S1 and ST bars with their confidence half-widths
        (:func:`dvcanalysis.plots.savings.sobol`); returns the figure."""
        check_own_figure(self, ax)
        from dvcanalysis.plots import savings as ps

        return ps.sobol(self, lang=lang, provenance=self.provenance())

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
        names=list(problem["names"]),
        S1=res["S1"],
        S1_conf=res["S1_conf"],
        ST=res["ST"],
        ST_conf=res["ST_conf"],
        n_evaluations=int(len(Y)),
    )


def sensitivity(
    *,
    n: int = 512,
    seed: int = 0,
    calibration: str | float | None = None,
    config: Config | Path | str | None = None,
) -> Sobol:
    """Sobol indices of the per-dossier saving over the per-dossier inputs.

    Each input has its distribution over its declared range, as in the Monte Carlo
    (triangular(low, default, high) unless the file says otherwise; a fixed one is left out).
    Indices do not depend on the calibration factor (a constant scale).
    """
    cfg = load_config(config)
    varied = {
        k: p
        for k, p in cfg.section("per_dossier").items()
        if p.high > p.low and p.distribution != "fixed"
    }
    names = list(varied)
    problem = {
        "names": names,
        "num_vars": len(names),
        "bounds": [
            [p.low, p.high, (p.default - p.low) / (p.high - p.low)]
            if p.distribution == "triangular"
            else [p.low, p.high]
            for p in varied.values()
        ],
        "dists": [_SALIB_DISTS[p.distribution] for p in varied.values()],
    }
    base = cfg.defaults()
    k, target = calibration_factor(cfg, calibration)

    def model(X: np.ndarray) -> np.ndarray:
        values = {**base, **{name: X[:, i] for i, name in enumerate(names)}}
        return k * bottom_up_saving(values)

    out = sobol_indices(model, problem, n=n, seed=seed)
    out.parameters = {"n": n, "seed": seed, "calibration": target, "output": "per_dossier_vnd"}
    out.sources = config_sources(cfg, names)
    return out
