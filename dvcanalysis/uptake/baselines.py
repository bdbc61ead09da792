"""Naive baselines as projections: persistence and linear trend.

A forecast earns trust only if it beats what anyone could have said without a model. The two
baselines here are that yardstick, built from the same observations up to a cut-off as
:func:`~dvcanalysis.uptake.project`, and returned as a :class:`BaselineProjection` (a
:class:`~dvcanalysis.uptake.Projection`), so that every display of a projection works for them
too: quantiles, fan chart (``.plot()``), :func:`dvcanalysis.targets.attainment`, and the
forecast evaluation (:mod:`dvcanalysis.evaluation`, which scores them exactly like the model).

``persistence``
    Each segment's latest observation up to the cut-off, carried forward unchanged.
``linear-trend``
    The drift method: the straight line through the first and the latest observation of the
    segment's series up to the cut-off, continued from the latest observation.

Anchors. A segment with no observation of its own up to the cut-off takes the latest national
observation (or, without one, the latest observation of any segment) as its level, and, for
the trend, the slope of the national series (or of the first series with two dated
observations); ``anchors[segment].proxy`` is then True. This is what a forecaster without a
model would do; the model instead uses named ratios.

Times are the models' (an observation sits at the midpoint of its period, see
:func:`~dvcanalysis.uptake.observations`); where two reports give the same period, the one the
observations order last is used.

Spread rule (both baselines). A random walk whose variance grows linearly with the time since
the anchor: ``share(t) = clip(level + slope (t - t_a) + sigma sqrt(t - t_a) z, 0, 1)`` with one
standard normal ``z`` per draw and segment (in antithetic pairs ``z, -z``), and ``sigma`` (share per square-root year) measured
from past changes: ``sigma^2`` is the mean of ``(change)^2 / (years between)`` over every pair of
consecutive observations of the same segment up to the cut-off (dated apart), pooled over the
segments. Before the anchor the path is the line itself (no spread). It needs at least one such
pair; without one the baseline cannot be built (:class:`InputError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from dvcanalysis.errors import InputError, check_choice
from dvcanalysis.scenarios import Scenario
from dvcanalysis.uptake.curves import end_of_year
from dvcanalysis.uptake.inputs import DEFAULT_CUTOFF, SEGMENTS, observations
from dvcanalysis.uptake.projection import Projection
from dvcanalysis.uptake.records import Anchor, Calibration
from dvcanalysis.vocabulary import ROLE_AFTER_CUTOFF, ROLE_ANCHOR

BASELINES = ("persistence", "linear-trend")
# Titles as scenario files give them (data, not display text: the scenario YAML holds its own).
TITLES = {
    "persistence": {"vi": "Giữ nguyên số liệu gần nhất", "en": "Persistence (latest figure)"},
    "linear-trend": {"vi": "Xu hướng tuyến tính", "en": "Linear trend"},
}
DESCRIPTIONS = {
    "persistence": "Each segment's latest observation up to the cut-off, carried forward; "
    "spread: a random walk with the variance of past changes.",
    "linear-trend": "The straight line through the first and the latest observation of each "
    "segment's series up to the cut-off (drift method), continued from the latest observation; "
    "spread: a random walk with the variance of past changes.",
}
ANCHOR_ROLE = ROLE_ANCHOR


@dataclass(kw_only=True, repr=False)
class BaselineProjection(Projection):
    """A :class:`~dvcanalysis.uptake.Projection` made by a naive baseline.

    ``draws`` holds one standard normal ``z_<segment>`` per draw; ``rule`` the per-segment
    ``level``, ``slope`` (share per year), ``time`` (decimal anchor time) and the pooled
    ``sigma`` (share per square-root year), from which :meth:`shares_at` evaluates any time.
    """

    rule: dict[str, object] = field(default_factory=dict)

    def summary(self) -> str:
        """E.g. ``persistence baseline, 1000 draws, cut-off 2024-12-31, 2025-2030``."""
        return f"{self.scenario.name} baseline, " + super().summary().split(", ", 1)[1]

    @property
    def assumptions(self) -> pd.DataFrame:
        """The spread rule and the per-segment level and slope, in the columns of
        :attr:`Projection.assumptions` (all derived from the observations: ``source`` is
        ``observations``)."""
        rows = [
            {
                "name": "sigma_share_per_sqrt_year",
                "value": f"{self.rule['sigma']:.4g}",
                "distribution": "fixed",
                "default": float(self.rule["sigma"]),
                "low": float(self.rule["sigma"]),
                "high": float(self.rule["sigma"]),
                "unit": "share per square-root year",
                "source": "observations",
                "reason": "root mean square of past changes per square-root year, pooled over segments",
                "description": "Spread of the random walk around the baseline's line",
                "used": True,
            }
        ]
        for seg, r in self.rule["segments"].items():
            for name, unit in (("level", "share"), ("slope", "share per year")):
                v = float(r[name])
                rows.append(
                    {
                        "name": f"{seg}_{name}",
                        "value": f"{v:.4g}",
                        "distribution": "fixed",
                        "default": v,
                        "low": v,
                        "high": v,
                        "unit": unit,
                        "source": "observations",
                        "reason": r["from"],
                        "description": f"{name.capitalize()} of the {seg} baseline at its anchor",
                        "used": name == "level" or self.scenario.name == "linear-trend",
                    }
                )
        return pd.DataFrame(rows)

    def shares_at(self, times) -> dict[str, np.ndarray]:
        """Shares ``(n_draws, len(times))`` per segment at decimal ``times`` (the spread rule)."""
        t = np.asarray(times, dtype=float)
        out = {}
        sigma = float(self.rule["sigma"])
        for seg, r in self.rule["segments"].items():
            dt = t - float(r["time"])
            centre = float(r["level"]) + float(r["slope"]) * dt
            spread = sigma * np.sqrt(np.maximum(dt, 0.0))
            z = np.asarray(self.draws[f"z_{seg}"], dtype=float)
            out[seg] = np.clip(centre[None, :] + z[:, None] * spread[None, :], 0.0, 1.0)
        return out


def _series(known: pd.DataFrame, segment: str) -> pd.DataFrame:
    """One segment's observations in time order, one per period: where two reports give the same
    period, the one :func:`~dvcanalysis.uptake.observations` orders last (the preferred) is kept."""
    g = known[known["segment"] == segment].sort_values("period_end", kind="stable")
    keys = [c for c in ("period_start", "period_end") if c in g.columns]
    return g.drop_duplicates(subset=keys, keep="last")


def _changes(known: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Per consecutive pair of observations of one segment (dated apart): change^2 / years."""
    vals, ids = [], []
    for seg in SEGMENTS:
        g = _series(known, seg)
        t, v, i = g["decimal_year"].to_numpy(float), g["value"].to_numpy(float), list(g["id"])
        for k in range(1, len(g)):
            if t[k] > t[k - 1]:
                vals.append((v[k] - v[k - 1]) ** 2 / (t[k] - t[k - 1]))
                ids.append(f"{i[k - 1]}->{i[k]}")
    return np.asarray(vals, dtype=float), ids


def _antithetic(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` standard normals in antithetic pairs (``z``, ``-z``): the median and mean of the
    draws are 0 (for even ``n``), so a baseline's median path is its line, not sampling noise."""
    half = rng.standard_normal((n + 1) // 2)
    return np.concatenate([half, -half])[:n]


def _drift(series: pd.DataFrame) -> float | None:
    """Slope through the first and the latest observation, or None without two dated apart."""
    s = series
    if len(s) < 2:
        return None
    t0, t1 = float(s["decimal_year"].iloc[0]), float(s["decimal_year"].iloc[-1])
    if t1 <= t0:
        return None
    return (float(s["value"].iloc[-1]) - float(s["value"].iloc[0])) / (t1 - t0)


def baseline(
    kind: str = "persistence",
    *,
    n_draws: int = 1000,
    seed: int = 0,
    cutoff: str | date | None = DEFAULT_CUTOFF,
    horizon: int = 2030,
) -> BaselineProjection:
    """A naive baseline projection from the observations up to ``cutoff``.

    Parameters
    ----------
    kind
        ``persistence`` or ``linear-trend`` (see the module docstring for the rules).
    n_draws, seed
        Draws of the spread and the seed of their ``numpy.random.Generator``.
    cutoff
        Only observations whose period ends on or before this date are used; None: the date
        of the latest observation in the evidence.
    horizon
        Last year projected (end-of-year values from the first year-end after the cut-off).

    Raises
    ------
    InputError
        For an unknown kind, a bad option, no observation up to the cut-off, or no pair of
        consecutive observations to measure the spread from.
    """
    from dvcanalysis.uptake.montecarlo import check_run

    check_choice("kind", kind, BASELINES)
    n_draws, seed, cut, years = check_run(n_draws, seed, cutoff, horizon)
    obs = observations(cutoff=cut)
    known = obs[obs["role"] != ROLE_AFTER_CUTOFF]
    if known.empty:
        raise InputError(
            f"{kind} baseline, cutoff={cut.isoformat()}: no fully-online observation on or before it"
        )
    sigma, pairs = _sigma(known, kind, cut)
    rule_segments, anchors = _rules(known, kind, cut)
    obs = obs.copy()
    used = {a.id for a in anchors.values()}
    obs.loc[obs["id"].isin(used) & (obs["role"] != ROLE_AFTER_CUTOFF), "role"] = ANCHOR_ROLE

    rng = np.random.default_rng(seed)
    draws = {f"z_{seg}": _antithetic(rng, n_draws) for seg in SEGMENTS}
    sc = Scenario(
        name=kind,
        title=dict(TITLES[kind]),
        description=DESCRIPTIONS[kind],
        curve=kind,
        national="baseline",
        assumptions={},
    )
    params = {
        "scenario": kind,
        "curve": kind,
        "n_draws": n_draws,
        "seed": seed,
        "cutoff": cut.isoformat(),
        "horizon": int(years[-1]),
        "sigma_share_per_sqrt_year": round(sigma, 6),
    }
    proj = BaselineProjection(
        scenario=sc,
        years=years,
        shares={},
        draws=draws,
        observations=obs,
        parameters=params,
        anchors=anchors,
        calibration=Calibration(applied=False, reason="baseline"),
        rule={"sigma": sigma, "segments": rule_segments, "pairs": pairs},
    )
    proj.shares = proj.shares_at(end_of_year(years))
    return proj


def _sigma(known: pd.DataFrame, kind: str, cut: date) -> tuple[float, list[str]]:
    """The spread rule's ``sigma`` (share per square-root year) and the pairs it rests on."""
    sq, pairs = _changes(known)
    if sq.size == 0:
        raise InputError(
            f"{kind} baseline, cutoff={cut.isoformat()}: the spread needs two observations of one "
            "segment dated apart on or before the cut-off; there are none"
        )
    return float(np.sqrt(sq.mean())), pairs


def _latest(frame: pd.DataFrame) -> pd.Series:
    """The latest row (observations() orders the preferred report of a period last)."""
    return frame.sort_values("period_end", kind="stable").iloc[-1]


def _rules(
    known: pd.DataFrame, kind: str, cut: date
) -> tuple[dict[str, dict[str, object]], dict[str, Anchor]]:
    """Per segment, the baseline's line (``level, slope, time, from``) and its :class:`Anchor`.

    A segment without observations of its own takes the national (or any) latest observation
    and, for the trend, the slope of another series (a proxy, see the module docstring).
    """
    nat = _series(known, "national")
    fallback = _latest(nat) if len(nat) else _latest(known)
    trend_series = [nat] + [_series(known, s) for s in SEGMENTS if s != "national"]
    fallback_slope = next((d for d in map(_drift, trend_series) if d is not None), None)
    rule_segments: dict[str, dict[str, object]] = {}
    anchors: dict[str, Anchor] = {}
    for seg in SEGMENTS:
        own = _series(known, seg)
        a = _latest(own) if len(own) else fallback
        slope = 0.0
        source = f"latest observation {a['id']}"
        if kind == "linear-trend":
            d = _drift(own)
            if d is None:
                if fallback_slope is None:
                    raise InputError(
                        f"linear-trend baseline, cutoff={cut.isoformat()}: a trend needs two "
                        "observations of one series dated apart on or before the cut-off; there are none"
                    )
                d, how = fallback_slope, "slope of another series (proxy)"
            else:
                how = f"slope {own['id'].iloc[0]} to {own['id'].iloc[-1]}"
            slope, source = d, f"{source}; {how}"
        rule_segments[seg] = {
            "level": float(a["value"]),
            "slope": float(slope),
            "time": float(a["decimal_year"]),
            "from": source,
        }
        anchors[seg] = Anchor(
            id=a["id"], time=float(a["decimal_year"]), value=float(a["value"]), proxy=own.empty
        )
    return rule_segments, anchors


def persistence(**kwargs) -> BaselineProjection:
    """``baseline("persistence", ...)``: the latest figure carried forward."""
    return baseline("persistence", **kwargs)


def linear_trend(**kwargs) -> BaselineProjection:
    """``baseline("linear-trend", ...)``: the drift from the first to the latest figure, continued."""
    return baseline("linear-trend", **kwargs)
