"""Uptake curves, calibration with a cut-off, and Monte Carlo projections.

The fully-online share of dossiers is projected for ``ministries``,
``localities`` and ``national`` (the volume-weighted mix of the two, or its own
observations). A year's value is the share at the end of that year; time is a
decimal year where the end of year ``Y`` is ``Y + 1.0``.

Curves (choose with the scenario's ``curve`` or ``project(..., curve=...)``):

``linear``
    A straight line through the base level and the latest observation, capped at
    the ceiling. Estonia's e-governance uptake was linear, not S-shaped
    (Solvak et al. 2019, source ``ref_solvak_2019``).
``logistic``
    An S-curve with ceiling ``m`` through the same two points:
    ``s(t) = m / (1 + exp(-(y_a + k (t - t_a))))`` with ``y = logit(s / m)``.
``bass``
    Bass diffusion, ``F(t) = m (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})``, with p, q
    drawn from their literature ranges (p about 0.03, often below 0.01; q about 0.38,
    typically 0.3-0.5; source ``ref_bass``) and the start time solved so that the curve
    passes through the latest observation.
``target-path``
    Piecewise-linear from the latest observation through each official target at the end
    of its year, then flat: what meeting the targets requires.

The evidence is thin: localities have one fully-online observation, national a few
from a secondary source, ministries none. Everything else is a named assumption of
the scenario (``data/scenarios/*.yml``), and the Monte Carlo draws each over its
range so that intervals are wide where the evidence is thin. All draws are computed
at once with numpy (arrays of shape ``(n_draws, n_years)``).

National observations up to the cut-off condition the draws (sampling-importance-
resampling): a pool of ``4 * n_draws`` prior draws is weighted by a normal likelihood
of each national observation given the draw's volume-weighted national mix at its
date (standard deviation ``national_observation_sd_share``, for definition and
coverage differences), and ``n_draws`` are resampled in proportion to the weights.
The effective sample size of the weights is reported in ``Projection.calibration``.

Examples
--------
>>> from dvcanalysis import uptake
>>> proj = uptake.project("business-as-usual", n_draws=1000, seed=0)  # doctest: +SKIP
>>> proj.quantiles((0.05, 0.5, 0.95))  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from dvcanalysis import evidence, paths, scenarios
from dvcanalysis import targets as _targets  # targets never imports uptake: no cycle
from dvcanalysis.errors import InputError, check_choice
from dvcanalysis.scenarios import SPECS, Scenario

INDICATOR = "fully_online_share"
SEGMENTS = ("ministries", "localities", "national")
DEFAULT_CUTOFF = "2024-08-31"
MAX_HORIZON = 2050
_MAX_DRAWS = 500_000
# Prior draws per projected draw for sampling-importance-resampling on the national observations.
POOL_FACTOR = 4
# Below this effective sample size (as a share of the prior pool) the narrative warns.
LOW_ESS_SHARE = 0.10
LIKELIHOOD_ROLE = "calibration (likelihood)"
ANCHOR_ROLE = "anchor"
# The national observation that anchors the localities when none of theirs precedes the cut-off.
PROXY_ANCHOR_ROLE = "anchor (proxy via localities_to_national_ratio)"
PROXY_RATIO = "localities_to_national_ratio"
# Assumptions whose uniforms come from a child stream (``rng.spawn``), which leaves the parent
# stream untouched: adding them changed no other draw, so every projection that does not use
# them (and the resampling that follows) is unchanged to the bit.
LATE_DRAWS = (PROXY_RATIO,)
# Keep calibrated anchors strictly inside (0, ceiling) so logit and Bass inverses exist.
_FLOOR_SHARE = 0.001
_BELOW_CEILING = 0.98


# ---------------------------------------------------------------- caches
# Loading is cached by what it reads, so that a repeated project() call does not re-parse
# YAML or re-filter the evidence; any change of the files gives a new key.
_CACHE_SIZE = 32
_scenario_cache: dict[tuple, Scenario] = {}
_observations_cache: dict[tuple, pd.DataFrame] = {}


def _evidence_stamp() -> tuple | None:
    """``(path, mtime, size)`` of the evidence file (what ``evidence.load`` caches on), or None."""
    p = paths.data_dir() / "evidence.csv"
    try:
        st = p.stat()
    except OSError:
        return None
    return (str(p.resolve()), st.st_mtime_ns, st.st_size)


def _remember(cache: dict, key: tuple, value):
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value
    return value


def _load_scenario(name: str) -> Scenario:
    """``scenarios.load(name)``, cached on the contents of the scenario files and the evidence stamp."""
    ev = _evidence_stamp()
    d = scenarios.scenario_dir()
    try:
        files = tuple(sorted((f.name, f.read_bytes()) for f in Path(d).glob("*.yml")))
    except OSError:
        files = None
    if ev is None or files is None:  # let the loader report what is missing
        return scenarios.load(name)
    key = (str(Path(d).resolve()), name, files, ev)
    sc = _scenario_cache.get(key)
    if sc is None:
        sc = _remember(_scenario_cache, key, scenarios.load(name))
    # A frozen dataclass whose mappings are copied: a caller changing them leaves the cache alone.
    return dataclasses.replace(sc, title=dict(sc.title), assumptions=dict(sc.assumptions))


# ---------------------------------------------------------------- small helpers
def parse_cutoff(cutoff: str | date) -> date:
    """A cut-off date from ``YYYY-MM-DD`` text (or a date), else :class:`InputError`."""
    if isinstance(cutoff, date):
        return cutoff
    try:
        return date.fromisoformat(str(cutoff))
    except ValueError:
        raise InputError(
            f"cutoff={cutoff!r} is not a date; expected YYYY-MM-DD, e.g. {DEFAULT_CUTOFF!r}"
        ) from None


def end_of_year(year: int | np.ndarray) -> float | np.ndarray:
    """The decimal time of the end of ``year`` (``2024`` -> ``2025.0``)."""
    return (
        np.asarray(year, dtype=float) + 1.0 if isinstance(year, np.ndarray) else float(year) + 1.0
    )


def _decimal(ts) -> float:
    return evidence.decimal_year(pd.Timestamp(ts).date())


def effective_time(t: np.ndarray, pace: np.ndarray, t_pace: float) -> np.ndarray:
    """Time as the curve sees it: unchanged up to ``t_pace``, then ``pace`` times faster.

    ``t`` has shape ``(n_years,)``, ``pace`` ``(n_draws,)``; the result ``(n_draws, n_years)``.
    Curves are non-decreasing in time, so a higher pace never lowers a share.
    """
    t = np.asarray(t, dtype=float)[None, :]
    pace = np.asarray(pace, dtype=float)[:, None]
    if np.all(pace == 1.0):  # the common case: no change of pace
        return np.broadcast_to(t, (pace.shape[0], t.shape[1]))
    return np.where(t <= t_pace, t, t_pace + pace * (t - t_pace))


# ---------------------------------------------------------------- curves (vectorized)
def bass_cdf(tau, p, q, m):
    """Bass cumulative adoption ``m (1 - e^{-(p+q)tau}) / (1 + (q/p) e^{-(p+q)tau})`` (tau >= 0)."""
    tau = np.maximum(np.asarray(tau, dtype=float), 0.0)
    e = np.exp(-(p + q) * tau)
    return m * (1.0 - e) / (1.0 + (q / p) * e)


def bass_time_to(share, p, q, m):
    """The time since the start at which the Bass curve reaches ``share`` (< m): the inverse of :func:`bass_cdf`."""
    f = np.asarray(share, dtype=float) / m
    x = (1.0 - f) / (1.0 + (q / p) * f)
    return -np.log(x) / (p + q)


def logistic_through(t, t0, s0, ta, sa, m):
    """The logistic with ceiling ``m`` through ``(t0, s0)`` and ``(ta, sa)``, evaluated at ``t``.

    Arguments broadcast (draws on axis 0, years on axis 1). ``s0 <= sa < m`` is assumed
    (callers clip); equal levels give a flat curve.
    """
    ya = np.log(sa / (m - sa))
    y0 = np.log(s0 / (m - s0))
    k = (ya - y0) / (ta - t0)
    return m / (1.0 + np.exp(-(ya + k * (t - ta))))


def linear_through(t, t0, s0, ta, sa, m):
    """The straight line through ``(t0, s0)`` and ``(ta, sa)``, kept within ``[0, m]``."""
    slope = (sa - s0) / (ta - t0)
    return np.clip(sa + slope * (t - ta), 0.0, m)


def target_path(t, ta, sa, target_times, target_values):
    """Piecewise-linear from ``(ta, sa)`` through the targets, flat after the last one.

    ``sa`` has shape ``(n_draws,)``; ``t`` ``(n_years,)``. Before ``ta`` the path holds
    ``sa``. The path never falls: a level already above a later target is kept.
    """
    t = np.asarray(t, dtype=float)
    sa = np.asarray(sa, dtype=float)[:, None]
    tt = np.asarray(target_times, dtype=float)
    tv = np.asarray(target_values, dtype=float)
    keep = tt > ta
    tt, tv = tt[keep], tv[keep]
    if tt.size == 0:
        return np.broadcast_to(sa, (sa.shape[0], t.size)).copy()
    w = np.clip((t - ta) / (tt[0] - ta), 0.0, 1.0)[None, :]
    first_leg = sa * (1.0 - w) + tv[0] * w
    later = np.interp(t, tt, tv)[None, :]
    path = np.where(t[None, :] <= tt[0], first_leg, later)
    return np.maximum.accumulate(np.maximum(path, sa), axis=1)


class _Calibrated:
    """One segment's curve calibrated per draw: the per-draw constants, evaluated one time at a time.

    Everything that depends on the draw only (clipped anchors, logit levels and slopes,
    Bass start times) is computed once; :meth:`column` then evaluates a single time for
    all draws on contiguous 1-D arrays (numpy broadcasting over a short years axis is
    slow), with the same operations in the same order as the textbook formulas of
    :func:`logistic_through`, :func:`linear_through` and :func:`bass_cdf`, so the numbers
    are identical. :meth:`take` keeps a subset of draws (after resampling).
    """

    __slots__ = ("curve", "ta", "t_pace", "params", "pace", "pace_one", "targets")

    def __init__(self, curve, ta, t_pace, params, pace, targets):
        self.curve, self.ta, self.t_pace, self.params, self.targets = (
            curve,
            ta,
            t_pace,
            params,
            targets,
        )
        self.pace = pace
        self.pace_one = pace is None or bool(np.all(pace == 1.0))

    @classmethod
    def fit(cls, curve, *, t0, s0, ta, sa, m, p, q, pace, t_pace, targets=None) -> _Calibrated:
        m = np.asarray(m, dtype=float)
        sa = np.clip(np.asarray(sa, dtype=float), _FLOOR_SHARE, _BELOW_CEILING * m)
        s0 = np.clip(np.asarray(s0, dtype=float), _FLOOR_SHARE / 2, sa)
        if curve == "target-path":
            if targets is None:
                raise InputError(
                    "curve 'target-path' needs official targets for the segment; none found in the evidence"
                )
            return cls(curve, ta, t_pace, {"sa": sa}, None, targets)
        if curve == "linear":
            params = {"sa": sa, "slope": (sa - s0) / (ta - t0), "m": m}
        elif curve == "logistic":
            ya = np.log(sa / (m - sa))
            y0 = np.log(s0 / (m - s0))
            params = {"ya": ya, "k": (ya - y0) / (ta - t0), "m": m}
        elif curve == "bass":
            params = {"tau_a": bass_time_to(sa, p, q, m), "npq": -(p + q), "qp": q / p, "m": m}
        else:
            raise InputError(
                f"curve={curve!r} is not accepted; expected one of: {', '.join(scenarios.CURVES)}"
            )
        return cls(curve, ta, t_pace, params, np.asarray(pace, dtype=float), None)

    def take(self, pick) -> _Calibrated:
        """The draws that ``pick`` (a :class:`_Picker`) selects."""
        pace = None if self.pace is None else pick(self.pace)
        return type(self)(
            self.curve,
            self.ta,
            self.t_pace,
            {k: pick(v) for k, v in self.params.items()},
            pace,
            self.targets,
        )

    def column(self, tj: float) -> np.ndarray:
        """Shares of every draw at time ``tj`` (clipped to 0-1), a new 1-D array."""
        c, ta = self.params, self.ta
        if self.pace_one or tj <= self.t_pace:  # effective_time, one year at a time
            x = tj - ta
        else:
            x = self.t_pace + self.pace * (tj - self.t_pace)
            x -= ta
        if self.curve == "logistic":  # m / (1 + exp(-(ya + k x)))
            v = c["k"] * x
            v += c["ya"]
            np.negative(v, out=v)
            np.exp(v, out=v)
            v += 1.0
            np.divide(c["m"], v, out=v)
        elif self.curve == "linear":  # clip(sa + slope x, 0, m)
            v = c["slope"] * x
            v += c["sa"]
            np.clip(v, 0.0, c["m"], out=v)
        else:  # bass: m (1 - e) / (1 + (q/p) e), e = exp(-(p+q) max(tau_a + x, 0))
            v = c["tau_a"] + x
            np.maximum(v, 0.0, out=v)
            v *= c["npq"]
            np.exp(v, out=v)
            den = c["qp"] * v
            den += 1.0
            np.subtract(1.0, v, out=v)
            v *= c["m"]
            v /= den
        return np.clip(v, 0.0, 1.0, out=v)

    def columns(self, t: np.ndarray) -> list[np.ndarray]:
        """One 1-D array of shares per time in ``t``."""
        if self.curve == "target-path":
            full = np.clip(target_path(t, self.ta, self.params["sa"], *self.targets), 0.0, 1.0)
            return [full[:, j] for j in range(full.shape[1])]
        return [self.column(tj) for tj in np.asarray(t, dtype=float)]


def _stack(cols: list[np.ndarray], n: int) -> np.ndarray:
    """Columns -> a C-ordered ``(n_draws, n_times)`` array."""
    out = np.empty((n, len(cols)))
    for j, col in enumerate(cols):
        out[:, j] = col
    return out


def curve_paths(
    curve: str,
    t: np.ndarray,
    *,
    t0: np.ndarray,
    s0: np.ndarray,
    ta: float,
    sa: np.ndarray,
    m: np.ndarray,
    p: np.ndarray,
    q: np.ndarray,
    pace: np.ndarray,
    t_pace: float,
    targets: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Shares ``(n_draws, n_years)`` of one segment under ``curve``, calibrated per draw.

    Parameters
    ----------
    curve
        ``linear``, ``logistic``, ``bass`` or ``target-path``.
    t
        Decimal times to evaluate (end of year ``Y`` is ``Y + 1.0``).
    t0, s0
        Base time and level per draw (``linear``, ``logistic``).
    ta, sa
        Anchor time (the latest observation) and level per draw.
    m, p, q
        Ceiling and Bass coefficients per draw.
    pace, t_pace
        Pace multiplier per draw and the time from which it applies.
    targets
        ``(times, values)`` of the official targets (``target-path``).
    """
    seg = _Calibrated.fit(
        curve, t0=t0, s0=s0, ta=ta, sa=sa, m=m, p=p, q=q, pace=pace, t_pace=t_pace, targets=targets
    )
    t = np.asarray(t, dtype=float)
    if curve == "target-path":
        return np.clip(target_path(t, ta, seg.params["sa"], *targets), 0.0, 1.0)
    return _stack(seg.columns(t), len(seg.params["m"]))


# ---------------------------------------------------------------- draws
def draw_assumptions(
    scenario: Scenario, n_draws: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """One array of ``n_draws`` values per assumption, plus standard-normal anchor errors.

    Every assumption consumes one uniform draw per Monte Carlo draw, in the fixed order of
    :data:`~dvcanalysis.scenarios.SPECS`, whatever its distribution; so the same seed gives
    the same random numbers in every scenario (common random numbers), and a quantity's
    draws are monotone in its range. The assumptions in :data:`LATE_DRAWS` take theirs from a
    child stream of ``rng`` (``rng.spawn(1)``), which consumes nothing from ``rng`` itself.
    """
    early = [n for n in SPECS if n not in LATE_DRAWS]
    u_early = rng.random((len(early), n_draws))
    z = rng.standard_normal((3, n_draws))
    u_late = rng.spawn(1)[0].random((len(LATE_DRAWS), n_draws))
    rows = {**dict(zip(early, u_early, strict=True)), **dict(zip(LATE_DRAWS, u_late, strict=True))}
    out: dict[str, np.ndarray] = {}
    for name, spec in SPECS.items():
        a = scenario.assumptions[name]
        lo, hi, mode = a.low, a.high, a.default
        # Each row of ``u`` is used once, so its values are transformed where they lie (one
        # allocation in all, which matters at 400,000 draws), operation for operation as in
        # the textbook expressions in the comments (the same numbers).
        v = rows[name]
        if a.distribution == "fixed" or hi <= lo:  # np.full(n_draws, mode)
            v.fill(mode)
        elif a.distribution == "uniform":
            if spec.integer:  # min(floor(lo + u (hi - lo + 1)), hi)
                v *= hi - lo + 1.0
                v += lo
                np.floor(v, out=v)
                np.minimum(v, hi, out=v)
            else:  # lo + u (hi - lo)
                v *= hi - lo
                v += lo
        else:  # triangular: inverse CDF with mode = default
            c = (mode - lo) / (hi - lo)
            below = v < c
            low_leg = v * (hi - lo)  # lo + sqrt(u (hi - lo) (mode - lo)) where u < c
            low_leg *= mode - lo
            np.sqrt(low_leg, out=low_leg)
            low_leg += lo
            np.subtract(1.0, v, out=v)  # else hi - sqrt((1 - u) (hi - lo) (hi - mode))
            v *= hi - lo
            v *= hi - mode
            np.sqrt(v, out=v)
            np.subtract(hi, v, out=v)
            np.copyto(v, low_leg, where=below)
            if spec.integer:
                np.round(v, out=v)
        out[name] = v
    out["z_localities"], out["z_ministries"], out["z_national"] = z
    return out


# ---------------------------------------------------------------- evidence
def observations(*, cutoff: str | date = DEFAULT_CUTOFF) -> pd.DataFrame:
    """Fully-online observations of the three segments, with their role for ``cutoff``.

    Columns ``id, segment, period, period_end, decimal_year, value, bound, source_id, role``;
    ``role`` is ``comparison`` (up to the cut-off) or ``after cutoff`` (for backtests);
    :func:`project` then marks the observations it uses as ``anchor`` (calibrates the
    segment's curve) or ``calibration (likelihood)`` (national observations that weight the
    draws, see :func:`condition`).
    """
    cut = pd.Timestamp(parse_cutoff(cutoff))
    ev = _evidence_stamp()
    if ev is not None and (ev, cut) in _observations_cache:
        return _observations_cache[(ev, cut)].copy()
    frames = []
    for seg in SEGMENTS:
        s = evidence.series(INDICATOR, seg)
        s.insert(0, "segment", seg)
        frames.append(s)
    obs = pd.concat(frames, ignore_index=True)
    obs["decimal_year"] = [_decimal(d) for d in obs["period_end"]]
    obs["role"] = np.where(obs["period_end"] <= cut, "comparison", "after cutoff")
    cols = [
        "id",
        "segment",
        "period",
        "period_end",
        "decimal_year",
        "value",
        "bound",
        "source_id",
        "role",
    ]
    obs = obs[cols].sort_values(["segment", "period_end", "id"]).reset_index(drop=True)
    if ev is not None and ev == _evidence_stamp():  # unchanged while it was read
        _remember(_observations_cache, (ev, cut), obs.copy())
    return obs


def _binding_targets() -> pd.DataFrame:
    """One fully-online target per modelled segment and deadline (:func:`dvcanalysis.targets.binding`:
    where statements differ, the higher share binds)."""
    return _targets.binding(indicator=INDICATOR, segments=SEGMENTS)


def _path_targets(off: pd.DataFrame, segment: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """One segment's binding targets, in year order: (end times, shares, evidence ids)."""
    o = off[off["segment"] == segment].sort_values("year")
    return end_of_year(o["year"].to_numpy()), o["target_share"].to_numpy(float), list(o["ids"])


def segment_targets(segment: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Official fully-online targets of ``segment``, from :mod:`dvcanalysis.targets` (``binding``).

    Returns
    -------
    tuple
        ``(end times, shares, evidence ids)``, one per deadline year (the higher value where
        sources differ).

    Raises
    ------
    InputError
        For a segment other than ``ministries``, ``localities``, ``national``.
    """
    check_choice("segment", segment, SEGMENTS)
    return _path_targets(_binding_targets(), segment)


def _all_segment_targets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`segment_targets` (times, shares) of every segment, from one read of the targets."""
    off = _binding_targets()
    return {seg: _path_targets(off, seg)[:2] for seg in SEGMENTS}


def last_target_year() -> int | None:
    """The last deadline year of the official fully-online targets of the modelled segments."""
    off = _binding_targets()
    return int(off["year"].max()) if len(off) else None


def _latest(obs: pd.DataFrame, segment: str) -> pd.Series | None:
    sel = obs[(obs["segment"] == segment) & (obs["role"] != "after cutoff")]
    return None if sel.empty else sel.sort_values(["period_end", "id"]).iloc[-1]


# ---------------------------------------------------------------- projection
@dataclass
class Projection:
    """A Monte Carlo projection of the fully-online share by segment.

    Attributes
    ----------
    scenario
        The :class:`~dvcanalysis.scenarios.Scenario` (with any overrides applied).
    years
        Integer years (end-of-year values), from the first year-end after the cut-off to the horizon.
    shares
        Segment -> array ``(n_draws, n_years)`` of shares (0-1).
    draws
        Assumption name -> the ``n_draws`` values drawn.
    observations
        Evidence rows of the indicator with their ``role`` (see :func:`observations`).
    parameters
        What produced it (scenario, curve, n_draws, seed, cutoff, horizon, prior pool, overrides).
    anchors
        Segment -> the observation its curve is anchored on.
    calibration
        The conditioning on national observations (see :func:`condition`): ``applied``,
        ``observation_ids``, ``pool``, ``ess`` (effective sample size of the weights),
        ``ess_share`` (``ess / pool``), ``low_ess`` (``ess_share`` below 10%), ``weights``
        (normalized, one per prior draw) and ``reason`` when not applied (``disabled``:
        ``calibrate=False``; ``national_observations``: national follows its own curve;
        ``no_observation``: no national observation up to the cut-off besides the anchors;
        ``proxy_anchor``: the national series anchors the localities, see :func:`project`).
    """

    scenario: Scenario
    years: np.ndarray
    shares: dict[str, np.ndarray]
    draws: dict[str, np.ndarray]
    observations: pd.DataFrame
    parameters: dict[str, object]
    anchors: dict[str, dict[str, object]] = field(default_factory=dict)
    calibration: dict[str, object] = field(default_factory=dict)

    @property
    def n_draws(self) -> int:
        return int(next(iter(self.shares.values())).shape[0])

    @property
    def segments(self) -> list[str]:
        return list(self.shares)

    @property
    def assumptions(self) -> pd.DataFrame:
        """Tidy table: ``name, value, distribution, default, low, high, unit, source, reason, description, used``."""
        curve = self.scenario.curve
        unused = {
            "linear": {"bass_p", "bass_q"},
            "logistic": {"bass_p", "bass_q"},
            "bass": {"base_year", "base_share"},
            "target-path": {
                "bass_p",
                "bass_q",
                "base_year",
                "base_share",
                "ceiling_share",
                "pace_multiplier",
            },
        }[curve]
        if self.scenario.national != "mix" or not self.calibration.get("applied", False):
            unused = unused | {"national_observation_sd_share"}
        if not self.anchors.get("localities", {}).get("proxy", False):
            unused = unused | {PROXY_RATIO}
        rows = []
        for a in self.scenario.assumptions.values():
            rows.append(
                {
                    "name": a.name,
                    "value": a.describe(),
                    "distribution": a.distribution,
                    "default": a.default,
                    "low": a.low,
                    "high": a.high,
                    "unit": a.unit,
                    "source": a.source,
                    "reason": a.reason,
                    "description": a.description,
                    "used": a.name not in unused,
                }
            )
        return pd.DataFrame(rows)

    @property
    def targets(self) -> pd.DataFrame:
        """The official fully-online targets of the projected segments (see :func:`dvcanalysis.targets.official`)."""
        off = _targets.official(indicators=(INDICATOR,))
        return off[off["segment"].isin(self.segments)].reset_index(drop=True)

    @property
    def last_target_year(self) -> int | None:
        """The last deadline year of the official targets of the projected segments (None if none).

        The year headline texts and comparison tables report by default (instead of a fixed year).
        """
        t = self.targets
        return int(t["year"].max()) if len(t) else None

    @property
    def sources(self) -> list[str]:
        """Source ids behind the projection: observations used, targets, cited assumptions."""
        ev = evidence.load().set_index("id")
        ids = set()
        for s in self.scenario.sources:
            ids.add(ev.loc[s, "source_id"] if s in ev.index else s)
        used = self.observations[self.observations["role"] != "after cutoff"]
        ids |= set(used["source_id"])
        for sid in self.targets["source_ids"]:
            ids |= set(sid.split(";"))
        return sorted(ids)

    def to_df(self) -> pd.DataFrame:
        """Long table ``draw, year, segment, share`` (share 0-1, end of year)."""
        n, k = self.n_draws, len(self.years)
        frames = [
            pd.DataFrame(
                {
                    "draw": np.repeat(np.arange(n), k),
                    "year": np.tile(self.years, n),
                    "segment": seg,
                    "share": arr.ravel(),
                }
            )
            for seg, arr in self.shares.items()
        ]
        return pd.concat(frames, ignore_index=True)

    def quantiles(self, qs: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Columns ``year, segment`` and one per quantile, named ``q05``, ``q50``, ``q95``... (shares).

        Raises
        ------
        InputError
            If ``qs`` is not a non-empty sequence of numbers within 0-1.
        """
        qs = check_quantiles(qs)
        frames = []
        for seg, arr in self.shares.items():
            qv = np.quantile(arr, qs, axis=0)
            d = {"year": self.years, "segment": seg}
            d.update({quantile_name(q): qv[i] for i, q in enumerate(qs)})
            frames.append(pd.DataFrame(d))
        return pd.concat(frames, ignore_index=True)

    def median(self) -> pd.DataFrame:
        """Columns ``scenario, year, segment, share`` (the median path)."""
        q = self.quantiles((0.5,)).rename(columns={"q50": "share"})
        q.insert(0, "scenario", self.scenario.name)
        return q

    def provenance(self):
        """A :class:`~dvcanalysis.plots.Provenance` for figures and tables of this projection."""
        from dvcanalysis.provenance import Provenance

        return Provenance(sources=self.sources, parameters=dict(self.parameters))

    def plot(self, segment: str | None = None, lang: str = "vi", ax=None):
        """Fan chart (5-95% and 25-75% bands, median) with observations and targets.

        See :func:`dvcanalysis.plots.uptake.fan_chart`.
        """
        from dvcanalysis.plots import uptake as uplot

        return uplot.fan_chart(
            self.quantiles((0.05, 0.25, 0.5, 0.75, 0.95)),
            self.observations,
            self.targets,
            segment=segment,
            lang=lang,
            ax=ax,
            provenance=self.provenance(),
            scenario=self.scenario.title[lang]
            if lang in self.scenario.title
            else self.scenario.name,
        )


def check_quantiles(qs: object, name: str = "qs") -> list[float]:
    """``qs`` as a list of floats, or :class:`InputError` naming the argument and what is accepted."""
    accepted = "expected a sequence of numbers within 0-1, e.g. (0.05, 0.5, 0.95)"
    if isinstance(qs, (str, bytes)) or not isinstance(qs, Sequence | np.ndarray) or len(qs) == 0:
        raise InputError(f"{name}={qs!r} is not accepted; {accepted}")
    out = []
    for q in qs:
        ok = isinstance(q, (int, float, np.integer, np.floating)) and not isinstance(
            q, (bool, np.bool_)
        )
        if not ok or not 0 <= float(q) <= 1:  # NaN fails the comparison
            raise InputError(f"{name}={tuple(qs)!r}: {q!r} is not accepted; {accepted}")
        out.append(float(q))
    return out


def quantile_name(q: float) -> str:
    """``0.05`` -> ``q05``, ``0.5`` -> ``q50``, ``0.025`` -> ``q025``."""
    pct = 100 * q
    return (
        f"q{int(round(pct)):02d}"
        if math.isclose(pct, round(pct))
        else "q" + f"{pct:g}".replace(".", "")
    )


def _resolve(scenario: str | Scenario, overrides: dict | None, curve: str | None) -> Scenario:
    sc = _load_scenario(scenario) if isinstance(scenario, str) else scenario
    if not isinstance(sc, Scenario):
        raise InputError(
            f"scenario={scenario!r} is not accepted; expected a scenario name ({', '.join(scenarios.names())}) or a loaded Scenario"
        )
    if overrides or curve:
        sc = sc.with_overrides(overrides, curve=curve)
    return sc


def _check_int(name: str, value: object, low: int, high: int, *, why: str = "") -> int:
    note = f" ({low} is {why})" if why else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InputError(
            f"{name}={value!r} is not an integer; expected an integer from {low} to {high}{note}"
        )
    if not low <= int(value) <= high:
        raise InputError(f"{name}={value!r} is out of range; expected {low} to {high}{note}")
    return int(value)


def _calibrate_segments(
    sc: Scenario,
    anchors: dict[str, dict[str, object]],
    d: dict[str, np.ndarray],
    targets: dict[str, tuple[np.ndarray, np.ndarray]],
) -> dict[str, _Calibrated]:
    """Each modelled segment's curve calibrated per draw (``national`` only with its own observations)."""
    err = d["anchor_error_share"]
    pace_from = evidence.decimal_year(sc.pace_from) if sc.pace_from else -np.inf
    t0 = end_of_year(d["base_year"])

    def fit(sa: np.ndarray, ta: float, seg: str) -> _Calibrated:
        tt, tv = targets.get(seg, (np.array([]), np.array([])))
        return _Calibrated.fit(
            sc.curve,
            t0=t0,
            s0=d["base_share"],
            ta=ta,
            sa=sa,
            m=d["ceiling_share"],
            p=d["bass_p"],
            q=d["bass_q"],
            pace=d["pace_multiplier"],
            t_pace=max(ta, pace_from),
            targets=(tt, tv) if len(tt) else None,
        )

    la = anchors["localities"]
    if la.get("proxy"):  # no localities observation up to the cut-off: national figure x ratio
        sa_loc = la["value"] * d[PROXY_RATIO]
        sa_loc += err * d["z_localities"]
    else:
        sa_loc = la["value"] + err * d["z_localities"]
    out = {"localities": fit(sa_loc, la["time"], "localities")}
    sa_min = np.clip(sa_loc, _FLOOR_SHARE, None) * d["ministries_ratio"] + err * d["z_ministries"]
    out["ministries"] = fit(sa_min, la["time"], "ministries")
    if sc.national == "observations":
        na = anchors["national"]
        out["national"] = fit(na["value"] + err * d["z_national"], na["time"], "national")
    return out


def _segment_columns(
    segs: dict[str, _Calibrated], w: np.ndarray, t: np.ndarray
) -> dict[str, list[np.ndarray]]:
    """Per segment, one 1-D array of shares per time; ``national`` is the mix unless it has its own curve."""
    cols = {seg: c.columns(t) for seg, c in segs.items()}
    if "national" not in cols:
        omw = 1.0 - w
        cols["national"] = [
            w * a + omw * b for a, b in zip(cols["ministries"], cols["localities"], strict=True)
        ]
    return cols


def simulate(
    sc: Scenario,
    t: np.ndarray,
    anchors: dict[str, dict[str, object]],
    d: dict[str, np.ndarray],
    targets: dict[str, tuple[np.ndarray, np.ndarray]],
) -> dict[str, np.ndarray]:
    """The vectorized core of :func:`project`: shares ``(n_draws, n_years)`` per segment.

    Parameters
    ----------
    sc
        The scenario (curve, national mode, ``pace_from``).
    t
        Decimal times of the year ends.
    anchors
        Segment -> ``{"time", "value"}`` of the latest observation (localities; national
        when ``sc.national == "observations"``).
    d
        Draws from :func:`draw_assumptions`.
    targets
        Segment -> (times, shares) of its official targets (``target-path``).
    """
    segs = _calibrate_segments(sc, anchors, d, targets)
    cols = _segment_columns(segs, d["ministries_volume_share"], np.asarray(t, dtype=float))
    n = len(d["ministries_volume_share"])
    return {s: _stack(cols[s], n) for s in SEGMENTS}


# ---------------------------------------------------------------- conditioning on national observations
def national_log_likelihood(
    national: np.ndarray, observed: np.ndarray, sd: np.ndarray
) -> np.ndarray:
    """Log-likelihood per draw of the national observations (normal, independent).

    Parameters
    ----------
    national
        The model's national share per draw at each observation date, ``(n_draws, n_obs)``.
    observed
        The observed national shares, ``(n_obs,)``.
    sd
        Standard deviation per draw (``national_observation_sd_share``), ``(n_draws,)``.

    Returns
    -------
    ndarray
        ``sum_j [-(national_j - observed_j)^2 / (2 sd^2) - log(sd)]`` per draw (constants dropped).
    """
    national = np.asarray(national, dtype=float)
    return _log_likelihood([national[:, j] for j in range(national.shape[1])], observed, sd)


def _log_likelihood(columns, observed: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """:func:`national_log_likelihood` from one 1-D array per observation (no ``(n, n_obs)`` temporaries).

    ``columns`` may be a generator, so that only one observation's column is held at a time.
    The terms are added in the order ``np.sum(..., axis=1)`` adds them (left to right for
    fewer than 8 observations, its pairwise sum beyond), so the result is the same to the bit.
    """
    sd = np.asarray(sd, dtype=float)
    observed = np.asarray(observed, dtype=float)
    log_sd = np.log(sd)
    terms, total = [], None
    for col, v in zip(columns, observed, strict=True):
        term = np.subtract(col, v)  # z = (national - observed) / sd; -0.5 z z - log(sd)
        term /= sd
        z, term = term, -0.5 * term
        term *= z
        del z
        term -= log_sd
        if observed.size >= 8:
            terms.append(term)
        elif total is None:
            total = term
        else:
            total += term
    if observed.size >= 8:
        return np.sum(np.stack(terms, axis=1), axis=1)
    return total if total is not None else np.zeros(sd.shape)


def resample_indices(
    log_weights: np.ndarray, n_draws: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, float]:
    """Multinomial resampling: ``n_draws`` indices drawn with probability proportional to the weights.

    One uniform per resampled draw from ``rng``, mapped through the cumulative weights
    (inverse CDF). Returns ``(indices, normalized weights, effective sample size)`` where the
    effective sample size is ``1 / sum(w^2)`` (Kish) of the normalized weights.
    """
    idx, w, ess, _ = _resample(log_weights, n_draws, rng)
    return idx, w, ess


class _Picker:
    """Takes the draws ``idx`` from pool arrays, the same as ``v[idx]`` but faster.

    The resampled indices, read in the order of their uniforms (``order``), are sorted
    (``sorted_idx``); reading a large pool array in that order streams through memory
    instead of jumping at random, and the values are then put back in draw order.
    """

    __slots__ = ("idx", "order", "sorted_idx")

    def __init__(
        self, idx: np.ndarray, order: np.ndarray | None = None, sorted_idx: np.ndarray | None = None
    ):
        self.idx, self.order, self.sorted_idx = idx, order, sorted_idx

    def __call__(self, v: np.ndarray) -> np.ndarray:
        if self.order is None:
            return v[self.idx]
        out = np.empty(self.idx.shape, dtype=v.dtype)
        out[self.order] = v[self.sorted_idx]
        return out


def _resample(
    log_weights: np.ndarray, n_draws: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, float, _Picker]:
    """:func:`resample_indices`, plus a :class:`_Picker` of the resampled draws."""
    lw = np.asarray(log_weights, dtype=float)
    w = np.exp(lw - lw.max())
    w /= w.sum()
    cdf = np.cumsum(w)
    keys = rng.random(n_draws)
    keys *= cdf[-1]
    # The inverse-CDF lookup done on sorted keys (cache-friendly), then put back in draw order.
    order = np.argsort(keys)
    sorted_idx = np.searchsorted(cdf, keys[order], side="right")
    np.minimum(sorted_idx, w.size - 1, out=sorted_idx)
    idx = np.empty(n_draws, dtype=sorted_idx.dtype)
    idx[order] = sorted_idx
    return idx, w, float(1.0 / np.sum(w * w)), _Picker(idx, order, sorted_idx)


def _condition_calibrated(
    segs: dict[str, _Calibrated],
    pool: dict[str, np.ndarray],
    obs_times: np.ndarray,
    obs_values: np.ndarray,
    n_draws: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, float, _Picker]:
    """:func:`condition` on curves already calibrated for every prior draw, plus a picker of the kept ones."""
    n_pool = len(pool["ceiling_share"])
    obs_times = np.asarray(obs_times, dtype=float)
    if obs_times.size == 0:
        idx = np.arange(n_draws)
        return idx, np.full(n_pool, 1.0 / n_pool), float(n_pool), _Picker(idx)
    w = pool["ministries_volume_share"]
    national = (
        _segment_columns(segs, w, np.array([tj]))["national"][0] for tj in obs_times
    )  # one date at a time
    lw = _log_likelihood(national, obs_values, pool["national_observation_sd_share"])
    return _resample(lw, n_draws, rng)


def condition(
    sc: Scenario,
    anchors: dict[str, dict[str, object]],
    pool: dict[str, np.ndarray],
    targets: dict[str, tuple[np.ndarray, np.ndarray]],
    obs_times: np.ndarray,
    obs_values: np.ndarray,
    n_draws: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Sampling-importance-resampling of prior draws on national observations.

    Each prior draw's national mix is computed at the observation times only,
    weighted by :func:`national_log_likelihood` with its ``national_observation_sd_share``,
    and ``n_draws`` draws are resampled (:func:`resample_indices`). Without observations the
    weights are uniform and the first ``n_draws`` prior draws are kept as they are (no
    random numbers used).

    Returns
    -------
    tuple
        ``(indices into the pool, normalized weights, effective sample size)``.
    """
    segs = _calibrate_segments(sc, anchors, pool, targets) if np.asarray(obs_times).size else {}
    return _condition_calibrated(segs, pool, obs_times, obs_values, n_draws, rng)[:3]


def sample(
    sc: Scenario,
    t: np.ndarray,
    anchors: dict[str, dict[str, object]],
    targets: dict[str, tuple[np.ndarray, np.ndarray]],
    obs_times: np.ndarray,
    obs_values: np.ndarray,
    n_draws: int,
    rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], np.ndarray, float]:
    """Prior pool, conditioning and paths: the Monte Carlo core of :func:`project`.

    Draws ``POOL_FACTOR * n_draws`` prior draws (:func:`draw_assumptions`), conditions them
    on the observations (:func:`condition`) and computes the kept draws' shares at ``t``.
    The curves are calibrated once on the pool and the kept draws' constants taken from
    there, so this equals ``simulate(sc, t, anchors, {k: v[idx] ...}, targets)`` exactly.

    Returns
    -------
    tuple
        ``(draws kept, shares per segment, normalized pool weights, effective sample size)``.
    """
    pool = draw_assumptions(sc, POOL_FACTOR * n_draws, rng)
    segs = _calibrate_segments(sc, anchors, pool, targets)
    _, weights, ess, pick = _condition_calibrated(segs, pool, obs_times, obs_values, n_draws, rng)
    d = {k: pick(v) for k, v in pool.items()}
    kept = {seg: c.take(pick) for seg, c in segs.items()}
    del pool, segs  # the prior pool is no longer needed: free it before the paths are computed
    cols = _segment_columns(kept, d["ministries_volume_share"], np.asarray(t, dtype=float))
    return d, {s: _stack(cols[s], n_draws) for s in SEGMENTS}, weights, ess


def project(
    scenario: str | Scenario = "business-as-usual",
    *,
    n_draws: int = 1000,
    seed: int = 0,
    cutoff: str | date = DEFAULT_CUTOFF,
    horizon: int = 2030,
    curve: str | None = None,
    overrides: dict | None = None,
    calibrate: bool = True,
) -> Projection:
    """Project the fully-online share of dossiers by segment, with Monte Carlo uncertainty.

    Parameters
    ----------
    scenario
        A scenario name (``data/scenarios/<name>.yml``) or a loaded Scenario.
    n_draws
        Monte Carlo draws.
    seed
        Seed of the ``numpy.random.Generator``; the same seed gives the same draws.
    cutoff
        Only observations whose period ends on or before this date are used (for backtests).
    horizon
        Last year projected.
    curve
        Replace the scenario's curve (``linear``, ``logistic``, ``bass``, ``target-path``).
    overrides
        Assumption name -> a number (fixes it) or a mapping of fields to replace
        (e.g. ``{"ministries_ratio": {"range": [1.5, 2.5]}}``); also ``curve``,
        ``national`` (``mix`` or ``observations``) and ``pace_from``.
    calibrate
        Condition the draws on the national observations up to the cut-off (default);
        False gives the prior (the first ``n_draws`` of the prior pool).

    Calibration
    -----------
    Localities are anchored at their latest observation up to the cut-off (with an error
    of ``anchor_error_share``). If there is none, they are anchored on the latest national
    observation times ``localities_to_national_ratio`` (a named assumption drawn per draw;
    the observation's role is :data:`PROXY_ANCHOR_ROLE`, ``anchors["localities"]["proxy"]``
    is True), and the national observations are then not used in the likelihood (the series
    already sets the level; ``calibration["reason"] == "proxy_anchor"``). Ministries have no observation: their anchor is the localities'
    anchor times ``ministries_ratio``. ``national`` is the mix weighted by
    ``ministries_volume_share``, or (``national: observations``) its own curve through its
    latest observation. ``linear`` and ``logistic`` pass through the base point
    (end of ``base_year``, ``base_share``) and the anchor; ``bass`` through the anchor.

    With ``national: mix``, the national observations up to the cut-off that are not
    anchors then weight ``4 * n_draws`` prior draws by a normal likelihood (standard
    deviation ``national_observation_sd_share``) and ``n_draws`` are resampled from them
    (:func:`condition`); the effective sample size is in ``Projection.calibration``.
    Observations after the cut-off never enter.

    Raises
    ------
    InputError
        For an unknown scenario, a bad cut-off, too few observations or a bad option.
    """
    if overrides is not None and not isinstance(overrides, dict):
        raise InputError(
            f"overrides={overrides!r} is not accepted; expected a mapping of assumption name to a number or fields, "
            "e.g. {'ministries_ratio': 3.0}"
        )
    sc = _resolve(scenario, overrides, curve)
    n_draws = _check_int("n_draws", n_draws, 1, _MAX_DRAWS)
    seed = _check_int("seed", seed, 0, 2**63 - 1)
    cut = parse_cutoff(cutoff)
    first_year = cut.year if (cut.month, cut.day) != (12, 31) else cut.year + 1
    horizon = _check_int(
        "horizon",
        horizon,
        first_year,
        MAX_HORIZON,
        why=f"the first year-end after cutoff={cut.isoformat()}",
    )
    years = np.arange(first_year, horizon + 1)
    t = end_of_year(years)

    obs = observations(cutoff=cut)
    anchors: dict[str, dict[str, object]] = {}
    loc = _latest(obs, "localities")
    proxy = loc is None
    if proxy:
        loc = _latest(obs, "national")
    if loc is None:
        raise InputError(
            f"cutoff={cut.isoformat()}: no fully-online observation on or before it; the first is {obs['period_end'].min().date().isoformat()}"
        )
    # With ``proxy``, ``value`` is the national figure; the localities' anchor is that times
    # ``localities_to_national_ratio``, drawn per draw (see ``_calibrate_segments``).
    anchors["localities"] = {
        "id": loc["id"],
        "time": float(loc["decimal_year"]),
        "value": float(loc["value"]),
        "proxy": proxy,
    }
    if proxy:
        anchors["localities"]["via"] = PROXY_RATIO
    anchors["ministries"] = {
        "id": loc["id"],
        "time": float(loc["decimal_year"]),
        "value": float("nan"),
        "proxy": True,
    }
    nat = _latest(obs, "national")
    if sc.national == "observations":
        if nat is None:
            raise InputError(
                f"national='observations' needs a national observation on or before {cut.isoformat()}; there is none"
            )
        anchors["national"] = {
            "id": nat["id"],
            "time": float(nat["decimal_year"]),
            "value": float(nat["value"]),
            "proxy": False,
        }

    base_hi = end_of_year(sc.assumptions["base_year"].high)
    for seg, a in anchors.items():
        if sc.curve in ("linear", "logistic") and a["time"] <= base_hi:
            raise InputError(
                f"cutoff={cut.isoformat()}: the {seg} anchor ({a['id']}, {a['time']:.2f}) is not after the base year "
                f"range (up to {sc.assumptions['base_year'].high:g}); expected a later cut-off, base_year overrides, "
                f"or curve='bass' (which needs only the anchor)"
            )

    used_ids = {a["id"] for a in anchors.values()}
    obs.loc[obs["id"].isin(used_ids) & (obs["role"] != "after cutoff"), "role"] = ANCHOR_ROLE
    if proxy:
        obs.loc[obs["id"] == loc["id"], "role"] = PROXY_ANCHOR_ROLE
    lik = obs[(obs["segment"] == "national") & (obs["role"] == "comparison")]
    if not calibrate:
        reason = "disabled"
    elif sc.national != "mix":
        reason = "national_observations"
    elif proxy:
        # The national series already sets the localities' level (through the ratio); weighting
        # the draws by how well their mix reproduces the same series would use it twice, and
        # would mostly pull the ratio to whatever makes the mix equal the national figure.
        reason = "proxy_anchor"
    elif lik.empty:
        reason = "no_observation"
    else:
        reason = ""
    if reason:
        lik = lik.iloc[:0]

    rng = np.random.default_rng(seed)
    n_pool = POOL_FACTOR * n_draws
    tgt = _all_segment_targets() if sc.curve == "target-path" else {}  # only target-path reads them
    d, shares, weights, ess = sample(
        sc,
        t,
        anchors,
        tgt,
        lik["decimal_year"].to_numpy(float),
        lik["value"].to_numpy(float),
        n_draws,
        rng,
    )
    obs.loc[obs["id"].isin(set(lik["id"])), "role"] = LIKELIHOOD_ROLE
    if proxy:  # the localities' anchor level the kept draws imply (national figure x ratio)
        level = anchors["localities"]["value"] * d[PROXY_RATIO]
        anchors["localities"]["share_q05"], anchors["localities"]["share_q95"] = (
            float(v) for v in np.quantile(level, (0.05, 0.95))
        )
    calibration = {
        "applied": not reason,
        "observation_ids": list(lik["id"]),
        "pool": n_pool,
        "ess": ess,
        "ess_share": ess / n_pool,
        "low_ess": ess / n_pool < LOW_ESS_SHARE,
        "weights": weights,
        "reason": reason,
    }
    params = {
        "scenario": sc.name,
        "curve": sc.curve,
        "national": sc.national,
        "n_draws": n_draws,
        "seed": seed,
        "cutoff": cut.isoformat(),
        "horizon": horizon,
        "prior_pool": n_pool,
        "calibrated_on": ";".join(lik["id"]) or "none",
    }
    if overrides:
        params["overrides"] = {k: v for k, v in overrides.items()}
    return Projection(sc, years, shares, d, obs, params, anchors, calibration)


@dataclass
class Comparison:
    """Quantile paths of several scenarios (from :func:`compare`), with their own provenance.

    Attributes
    ----------
    frame
        ``scenario, year, segment`` and one column per quantile (``q05, q50, q95``...).
    names
        The scenarios compared, in order.
    sources
        Source ids behind any of the projections (the union).
    parameters
        ``scenarios`` (names joined by ``;``), ``n_draws``, ``seed``, ``cutoff``, ``horizon``.
    last_target_year
        The last deadline year of the official targets of the projected segments (None if none).
    """

    frame: pd.DataFrame
    names: list[str]
    sources: list[str]
    parameters: dict[str, object]
    last_target_year: int | None = None

    def to_df(self) -> pd.DataFrame:
        """The long frame ``scenario, year, segment, q05, q50, q95`` (shares, end of year)."""
        return self.frame.copy()

    def provenance(self):
        """A :class:`~dvcanalysis.provenance.Provenance` for the comparison chart and table."""
        from dvcanalysis.provenance import Provenance

        return Provenance(sources=list(self.sources), parameters=dict(self.parameters))


def compare(
    names: Sequence[str] | str | None = None,
    *,
    n_draws: int = 1000,
    seed: int = 0,
    cutoff: str | date = DEFAULT_CUTOFF,
    horizon: int = 2030,
    qs: Sequence[float] = (0.05, 0.5, 0.95),
) -> Comparison:
    """Quantile paths of several scenarios, with the same seed in each (common random numbers).

    Parameters
    ----------
    names
        Scenario names (default: every scenario in ``data/scenarios/``); one name may be given as text.
    n_draws, seed, cutoff, horizon
        As for :func:`project`, used for every scenario.
    qs
        Quantiles to report (numbers within 0-1).

    Returns
    -------
    Comparison
        ``.to_df()`` gives ``scenario, year, segment, q05, q50, q95``; ``.provenance()`` the
        union of the scenarios' sources and the parameters.

    Raises
    ------
    InputError
        For no scenario, an unknown one, or a bad option (as :func:`project`).
    """
    qs = check_quantiles(qs)
    if names is None:
        names = scenarios.names()
    elif isinstance(names, str):
        names = [names]
    elif isinstance(names, Sequence) and all(isinstance(n, str) for n in names):
        names = list(names)
    else:
        raise InputError(
            f"names={names!r} is not accepted; expected a list of scenario names ({', '.join(scenarios.names())})"
        )
    if not names:
        raise InputError(
            f"names={names!r} is not accepted; expected at least one scenario name ({', '.join(scenarios.names())})"
        )
    frames, sources, params = [], set(), {}
    for name in names:
        proj = project(name, n_draws=n_draws, seed=seed, cutoff=cutoff, horizon=horizon)
        q = proj.quantiles(qs)
        q.insert(0, "scenario", name)
        frames.append(q)
        sources |= set(proj.sources)
        params = proj.parameters
        last = proj.last_target_year
    parameters = {
        "scenarios": ";".join(names),
        "n_draws": params["n_draws"],
        "seed": params["seed"],
        "cutoff": params["cutoff"],
        "horizon": params["horizon"],
    }
    return Comparison(
        pd.concat(frames, ignore_index=True), names, sorted(sources), parameters, last
    )


# ---------------------------------------------------------------- backtest
BACKTESTS = (
    ("fully_online_share", "national", "2019-12-31"),
    ("fully_online_share", "national", "2024-06-30"),
    ("online_share_any_level", "national", "2022-12-31"),
)


def backtest(
    indicator: str = INDICATOR,
    segment: str = "national",
    *,
    cutoff: str | date = "2019-12-31",
    scenario: str | Scenario = "business-as-usual",
    curves: Sequence[str] = ("linear", "logistic", "bass"),
    n_draws: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Fit a series on its observations up to ``cutoff``; predict its later observations.

    The series is fitted on its own observations: ``linear`` and ``logistic`` need two
    (the earliest and the latest up to the cut-off), ``bass`` one (the latest). The
    ceiling, Bass coefficients and anchor error are drawn from the scenario.

    Returns
    -------
    DataFrame
        One row per (curve, later observation): ``indicator, segment, cutoff, curve,
        fitted_on`` (evidence ids), ``id, period, observed, q05, q50, q95,
        error_share`` (median minus observed), ``covered`` (observed within 5-95%),
        ``identifiable`` (False when the cut-off leaves too few points for the curve;
        the numbers are then NaN).
    """
    sc = _resolve(scenario, None, None)
    cut = pd.Timestamp(parse_cutoff(cutoff))
    for c in curves:
        check_choice("curve", c, ("linear", "logistic", "bass"))
    s = evidence.series(indicator, segment)
    s["decimal_year"] = [_decimal(x) for x in s["period_end"]]
    before, after = s[s["period_end"] <= cut], s[s["period_end"] > cut]
    if after.empty:
        raise InputError(
            f"backtest {indicator}/{segment}: no observation after cutoff={cut.date().isoformat()} to compare with"
        )
    rng = np.random.default_rng(seed)
    d = draw_assumptions(sc, n_draws, rng)
    t = after["decimal_year"].to_numpy(float)
    rows = []
    for c in curves:
        need = 1 if c == "bass" else 2
        ok = len(before) >= need
        fitted = (
            ";".join(before["id"].iloc[[0, -1]].unique())
            if len(before) >= 2 and c != "bass"
            else (before["id"].iloc[-1] if len(before) else "")
        )
        if ok:
            a, b = before.iloc[-1], before.iloc[0]
            err = d["anchor_error_share"]
            sa = a["value"] + err * d["z_national"]
            s0 = b["value"] + err * d["z_localities"] if c != "bass" else sa
            paths = curve_paths(
                c,
                t,
                t0=np.full(n_draws, b["decimal_year"]),
                s0=s0,
                ta=float(a["decimal_year"]),
                sa=sa,
                m=d["ceiling_share"],
                p=d["bass_p"],
                q=d["bass_q"],
                pace=np.ones(n_draws),
                t_pace=float(a["decimal_year"]),
            )
            qv = np.quantile(paths, (0.05, 0.5, 0.95), axis=0)
        else:
            qv = np.full((3, len(t)), np.nan)
        for i, r in enumerate(after.itertuples(index=False)):
            rows.append(
                {
                    "indicator": indicator,
                    "segment": segment,
                    "cutoff": cut.date().isoformat(),
                    "curve": c,
                    "fitted_on": fitted,
                    "id": r.id,
                    "period": r.period,
                    "observed": float(r.value),
                    "q05": qv[0, i],
                    "q50": qv[1, i],
                    "q95": qv[2, i],
                    "error_share": qv[1, i] - float(r.value),
                    "covered": bool(ok and qv[0, i] <= r.value <= qv[2, i]),
                    "identifiable": ok,
                }
            )
    return pd.DataFrame(rows)


def backtests(
    cases: Sequence[tuple[str, str, str]] = BACKTESTS,
    *,
    scenario: str | Scenario = "business-as-usual",
    n_draws: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`backtest` over several ``(indicator, segment, cutoff)`` cases, concatenated."""
    return pd.concat(
        [
            backtest(i, s, cutoff=c, scenario=scenario, n_draws=n_draws, seed=seed)
            for i, s, c in cases
        ],
        ignore_index=True,
    )


BACKTEST_COLUMNS = (
    "scenario",
    "cutoff",
    "segment",
    "id",
    "period",
    "period_end",
    "decimal_year",
    "observed",
    "q05",
    "q50",
    "q95",
    "error_share",
    "covered",
    "source_id",
)


def backtest_projection(projection: Projection) -> pd.DataFrame:
    """Compare a projection, fitted up to its own cut-off, with every observation after it.

    Every fully-online observation of a projected segment dated after the projection's
    cut-off (role ``after cutoff``) is set against the projection's 5%, 50% and 95% at that
    date. The curves are evaluated at the observation's own decimal date for the projection's
    kept draws (:func:`simulate` on ``projection.draws`` and ``projection.anchors``, the same
    numbers :func:`project` computed at the year ends), not interpolated between year ends:
    the curves are not straight between year ends, and an observation between the cut-off and
    the first year end (e.g. August for a July cut-off) has no grid point before it.

    Parameters
    ----------
    projection
        A :class:`Projection` from :func:`project`.

    Returns
    -------
    DataFrame
        One row per later observation: ``scenario, cutoff, segment, id, period, period_end,
        decimal_year, observed, q05, q50, q95`` (shares), ``error_share`` (median minus
        observed), ``covered`` (observed within the 90% band, 5-95%), ``source_id``. Empty
        (with these columns) when the evidence has no observation after the cut-off.

    Raises
    ------
    InputError
        If ``projection`` is not a :class:`Projection`.
    """
    if not isinstance(projection, Projection):
        raise InputError(
            f"projection={type(projection).__name__} is not accepted; expected an uptake.Projection from uptake.project(...)"
        )
    obs = projection.observations
    later = obs[(obs["role"] == "after cutoff") & obs["segment"].isin(projection.segments)]
    later = later.sort_values(["period_end", "segment", "id"]).reset_index(drop=True)
    if later.empty:
        return pd.DataFrame(columns=list(BACKTEST_COLUMNS))
    sc = projection.scenario
    times = np.unique(later["decimal_year"].to_numpy(float))
    tgt = _all_segment_targets() if sc.curve == "target-path" else {}
    shares = simulate(sc, times, projection.anchors, projection.draws, tgt)
    rows = []
    for r in later.itertuples(index=False):
        col = shares[r.segment][:, int(np.searchsorted(times, r.decimal_year))]
        q05, q50, q95 = np.quantile(col, (0.05, 0.5, 0.95))
        rows.append(
            {
                "scenario": sc.name,
                "cutoff": projection.parameters["cutoff"],
                "segment": r.segment,
                "id": r.id,
                "period": r.period,
                "period_end": r.period_end,
                "decimal_year": float(r.decimal_year),
                "observed": float(r.value),
                "q05": float(q05),
                "q50": float(q50),
                "q95": float(q95),
                "error_share": float(q50) - float(r.value),
                "covered": bool(q05 <= r.value <= q95),
                "source_id": r.source_id,
            }
        )
    return pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS))


def implied_ministries_share(
    national_share: float, localities_share: float, ministries_volume_share
) -> np.ndarray:
    """The ministries' share that a national and a localities share imply for a volume weight.

    ``national = w * ministries + (1 - w) * localities``; values above 1 mean the two
    observations cannot both hold with that weight (different definitions or dates).
    """
    w = np.asarray(ministries_volume_share, dtype=float)
    return (national_share - (1.0 - w) * localities_share) / w
