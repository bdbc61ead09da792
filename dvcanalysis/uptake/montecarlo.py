"""The Monte Carlo projection: :func:`project` and its vectorized core.

Owns the options of a projection (scenario, draws, seed, cut-off, horizon, curve,
overrides), the choice of anchors and likelihood observations for a cut-off, and the core
that runs the prior pool, the conditioning and the kept draws' paths (:func:`sample`,
:func:`simulate`), returning a :class:`~dvcanalysis.uptake.projection.Projection`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from dvcanalysis import scenarios
from dvcanalysis.errors import InputError
from dvcanalysis.scenarios import Scenario
from dvcanalysis.uptake import shocks
from dvcanalysis.uptake.calibration import (
    PROXY_RATIO,
    calibrate_segments,
    condition_calibrated,
    draw_assumptions,
    segment_columns,
)
from dvcanalysis.uptake.curves import end_of_year, stack_columns
from dvcanalysis.uptake.inputs import (
    DEFAULT_CUTOFF,
    SEGMENTS,
    all_segment_targets,
    latest_observation,
    load_scenario,
    observations,
    parse_cutoff,
)
from dvcanalysis.uptake.projection import Projection
from dvcanalysis.uptake.records import Anchor, Calibration
from dvcanalysis.vocabulary import (
    ROLE_AFTER_CUTOFF,
    ROLE_ANCHOR,
    ROLE_COMPARISON,
    ROLE_LIKELIHOOD,
    ROLE_PROXY_ANCHOR,
)

MAX_HORIZON = 2050
_MAX_DRAWS = 500_000
# Prior draws per projected draw for sampling-importance-resampling on the national observations.
POOL_FACTOR = 4
# Below this effective sample size (as a share of the prior pool) the narrative warns.
LOW_ESS_SHARE = 0.10
# Role names (kept under these names for callers; the words live in dvcanalysis.vocabulary).
LIKELIHOOD_ROLE = ROLE_LIKELIHOOD
ANCHOR_ROLE = ROLE_ANCHOR
PROXY_ANCHOR_ROLE = ROLE_PROXY_ANCHOR


def resolve_scenario(
    scenario: str | Scenario, overrides: dict | None = None, curve: str | None = None
) -> Scenario:
    """The scenario a model function projects: a name (loaded through the cache,
    :func:`~dvcanalysis.uptake.load_scenario`) or a loaded Scenario, with ``overrides`` and
    ``curve`` applied (:meth:`~dvcanalysis.scenarios.Scenario.with_overrides`).

    Raises
    ------
    InputError
        For an unknown name, something else than a name or Scenario, or a bad override.
    """
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    if not isinstance(sc, Scenario):
        raise InputError(
            f"scenario={scenario!r} is not accepted; expected a scenario name ({', '.join(scenarios.names())}) or a loaded Scenario"
        )
    if overrides or curve:
        sc = sc.with_overrides(overrides, curve=curve)
    return sc


def shock_time(sc: Scenario) -> float | None:
    """The decimal time of the scenario's coverage shock, or None when it has none."""
    a = sc.assumptions.get(shocks.COVERAGE_SHOCK)
    if a is None or (a.low == a.high == 0.0):
        return None
    return float(sc.assumptions[shocks.COVERAGE_YEAR].default)


def shock_rng(seed: int) -> np.random.Generator:
    """The stream of the year-end paths' shocks, its own per seed, so no other draw of a
    projection changes (dates between year ends: :func:`~dvcanalysis.uptake.shocks.at_times`)."""
    return np.random.default_rng([int(seed), 0x5E0C])


def check_run(
    n_draws: object, seed: object, cutoff: str | date | None, horizon: object
) -> tuple[int, int, date, np.ndarray]:
    """The options every projection shares, checked: ``(n_draws, seed, cut-off date, years)``,
    the years running from the first year-end after the cut-off to ``horizon``."""
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
    return n_draws, seed, cut, np.arange(first_year, horizon + 1)


def _check_int(name: str, value: object, low: int, high: int, *, why: str = "") -> int:
    note = f" ({low} is {why})" if why else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InputError(
            f"{name}={value!r} is not an integer; expected an integer from {low} to {high}{note}"
        )
    if not low <= int(value) <= high:
        raise InputError(f"{name}={value!r} is out of range; expected {low} to {high}{note}")
    return int(value)


def simulate(
    sc: Scenario,
    t: np.ndarray,
    anchors: dict[str, Anchor],
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
        Segment -> :class:`~dvcanalysis.uptake.Anchor`, the latest observation (localities;
        ministries; national when ``sc.national == "observations"``).
    d
        Draws from :func:`draw_assumptions`.
    targets
        Segment -> (times, shares) of its official targets (``target-path``).
    """
    segs = calibrate_segments(sc, anchors, d, targets)
    cols = segment_columns(segs, d["ministries_volume_share"], np.asarray(t, dtype=float))
    n = len(d["ministries_volume_share"])
    return {s: stack_columns(cols[s], n) for s in SEGMENTS}


def sample(
    sc: Scenario,
    t: np.ndarray,
    anchors: dict[str, Anchor],
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
    segs = calibrate_segments(sc, anchors, pool, targets)
    _, weights, ess, pick = condition_calibrated(segs, pool, obs_times, obs_values, n_draws, rng)
    d = {k: pick(v) for k, v in pool.items()}
    kept = {seg: c.take(pick) for seg, c in segs.items()}
    del pool, segs  # the prior pool is no longer needed: free it before the paths are computed
    cols = segment_columns(kept, d["ministries_volume_share"], np.asarray(t, dtype=float))
    return d, {s: stack_columns(cols[s], n_draws) for s in SEGMENTS}, weights, ess


def project(
    scenario: str | Scenario = "business-as-usual",
    *,
    n_draws: int = 1000,
    seed: int = 0,
    cutoff: str | date | None = DEFAULT_CUTOFF,
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
        Only observations whose period ends on or before this date are used (for backtests);
        None (default) is the date of the latest observation in the evidence base.
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
    the observation's role is :data:`PROXY_ANCHOR_ROLE`, ``anchors["localities"].proxy``
    is True); the national observations, that one included, still weight the draws, so that the
    volume-weighted mix reproduces them. Ministries are anchored
    at their own latest observation up to the cut-off when there is one; otherwise their anchor
    is the localities' anchor times ``ministries_ratio`` (``anchors["ministries"].proxy``).
    Anchors and likelihood observations are compared at the midpoint of the period they
    measure (``decimal_year`` of :func:`observations`). ``national`` is the mix weighted by
    ``ministries_volume_share``, or (``national: observations``) its own curve through its
    latest observation. ``linear`` and ``logistic`` pass through the base point
    (end of ``base_year``, ``base_share``) and the anchor; ``bass`` through the anchor.
    After the anchor the curves run ``trend_pace_ratio`` times their calibrated pace (per
    draw, 0 = a stall), composed with ``pace_multiplier`` from ``pace_from``
    (:func:`~dvcanalysis.uptake.curves.effective_time`); ``target-path`` ignores both. The
    shares then depart from the curves on the log-odds scale by a random walk of yearly
    standard deviation ``logit_shock_sd`` started at each anchor, plus a one-off
    ``coverage_shock_logit`` from ``coverage_shock_year`` (:mod:`~dvcanalysis.uptake.shocks`),
    so they can stall or fall.

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
    sc = resolve_scenario(scenario, overrides, curve)
    n_draws, seed, cut, years = check_run(n_draws, seed, cutoff, horizon)
    t = end_of_year(years)
    # Year ends (the projection's levels) and mid-years (each year's full-year share: the share
    # of the year's dossiers, read as the level at mid-year), computed on one path per draw.
    t_all = np.sort(np.concatenate([t, years + 0.5]))
    is_end = np.isin(t_all, t)

    obs = observations(cutoff=cut)
    anchors = choose_anchors(obs, sc, cut)
    lik, reason = _mark_roles(obs, sc, anchors, calibrate=calibrate)

    tgt = all_segment_targets() if sc.curve == "target-path" else {}  # only target-path reads them
    d, shares, weights, ess = sample(
        sc,
        t_all,
        anchors,
        tgt,
        lik["decimal_year"].to_numpy(float),
        lik["value"].to_numpy(float),
        n_draws,
        np.random.default_rng(seed),
    )
    shares = shocks.apply(
        shares,
        t_all,
        anchors,
        d,
        shock_from=shock_time(sc),
        national=sc.national,
        rng=shock_rng(seed),
    )
    obs.loc[obs["id"].isin(set(lik["id"])) & (obs["role"] == ROLE_COMPARISON), "role"] = (
        LIKELIHOOD_ROLE
    )
    loc = anchors["localities"]
    if loc.proxy:  # the localities' anchor level the kept draws imply (national figure x ratio)
        q05, q95 = (float(v) for v in np.quantile(loc.value * d[PROXY_RATIO], (0.05, 0.95)))
        anchors["localities"] = replace(loc, share_q05=q05, share_q95=q95)
    n_pool = POOL_FACTOR * n_draws
    calibration = Calibration(
        applied=not reason,
        reason=reason,
        observation_ids=tuple(lik["id"]),
        pool=n_pool,
        ess=ess,
        weights=weights,
        low_ess_share=LOW_ESS_SHARE,
    )
    params = {
        "scenario": sc.name,
        "curve": sc.curve,
        "national": sc.national,
        "n_draws": n_draws,
        "seed": seed,
        "cutoff": cut.isoformat(),
        "horizon": int(years[-1]),
        "prior_pool": n_pool,
        "calibrated_on": ";".join(lik["id"]) or "none",
    }
    if overrides:
        params["overrides"] = {k: v for k, v in overrides.items()}
    return Projection(
        scenario=sc,
        years=years,
        shares={s: np.ascontiguousarray(v[:, is_end]) for s, v in shares.items()},
        draws=d,
        observations=obs,
        parameters=params,
        anchors=anchors,
        calibration=calibration,
        year_shares={s: np.ascontiguousarray(v[:, ~is_end]) for s, v in shares.items()},
    )


def _anchor(row: pd.Series, **fields) -> Anchor:
    """The :class:`Anchor` on observation ``row``; ``fields`` set or replace its fields."""
    kw = {"id": row["id"], "time": float(row["decimal_year"]), "value": float(row["value"])}
    return Anchor(**{**kw, **fields})


def choose_anchors(obs: pd.DataFrame, sc: Scenario, cut: date) -> dict[str, Anchor]:
    """Each segment's anchor for a cut-off (the rules are in :func:`project`'s docstring).

    Parameters
    ----------
    obs
        :func:`~dvcanalysis.uptake.observations` for the cut-off ``cut``.
    sc
        The scenario: its national mode and, for ``linear`` and ``logistic``, its base-year
        range, after which every anchor must lie.

    Raises
    ------
    InputError
        No observation up to the cut-off; ``national: observations`` without a national one;
        an anchor not after the base-year range of a ``linear`` or ``logistic`` curve.
    """
    loc = latest_observation(obs, "localities")
    proxy = loc is None
    if proxy:
        loc = latest_observation(obs, "national")
    if loc is None:
        raise InputError(
            f"cutoff={cut.isoformat()}: no fully-online observation on or before it; the first is {obs['period_end'].min().date().isoformat()}"
        )
    # With ``proxy``, ``value`` is the national figure; the localities' anchor is that times
    # ``localities_to_national_ratio``, drawn per draw (see ``calibrate_segments``).
    anchors = {"localities": _anchor(loc, proxy=proxy, via=PROXY_RATIO if proxy else None)}
    mins = latest_observation(obs, "ministries")
    if mins is not None:
        anchors["ministries"] = _anchor(mins)
    else:  # no ministries observation up to the cut-off: localities x ministries_ratio
        anchors["ministries"] = _anchor(loc, proxy=True, value=float("nan"))
    if sc.national == "observations":
        nat = latest_observation(obs, "national")
        if nat is None:
            raise InputError(
                f"national='observations' needs a national observation on or before {cut.isoformat()}; there is none"
            )
        anchors["national"] = _anchor(nat)

    base_hi = end_of_year(sc.assumptions["base_year"].high)
    for seg, a in anchors.items():
        if sc.curve in ("linear", "logistic") and a.time <= base_hi:
            raise InputError(
                f"cutoff={cut.isoformat()}: the {seg} anchor ({a.id}, {a.time:.2f}) is not after the base year "
                f"range (up to {sc.assumptions['base_year'].high:g}); expected a later cut-off, base_year overrides, "
                f"or curve='bass' (which needs only the anchor)"
            )
    return anchors


def _mark_roles(
    obs: pd.DataFrame, sc: Scenario, anchors: dict[str, Anchor], *, calibrate: bool
) -> tuple[pd.DataFrame, str]:
    """Mark the anchors' roles in ``obs`` (in place); return the national observations that
    weight the draws and, when none do, the :class:`Calibration` reason."""
    used_ids = {a.id for a in anchors.values()}
    obs.loc[obs["id"].isin(used_ids) & (obs["role"] != ROLE_AFTER_CUTOFF), "role"] = ANCHOR_ROLE
    proxy = anchors["localities"].proxy
    if proxy:
        obs.loc[obs["id"] == anchors["localities"].id, "role"] = PROXY_ANCHOR_ROLE
    # With a proxy anchor the national figures still weight the draws, the anchor's own
    # included: the localities' level comes from it through the ratio, but the ministries'
    # level and the volume weight do not, and the mix must reproduce the national figure
    # (without this the national forecast from a proxy anchor is far too wide; see the forecast
    # evaluation, notebook 06).
    lik_roles = [ROLE_COMPARISON, PROXY_ANCHOR_ROLE] if proxy else [ROLE_COMPARISON]
    lik = obs[(obs["segment"] == "national") & obs["role"].isin(lik_roles)]
    if not calibrate:
        reason = "disabled"
    elif sc.national != "mix":
        reason = "national_observations"
    elif lik.empty:
        reason = "no_observation"
    else:
        reason = ""
    return (lik.iloc[:0] if reason else lik), reason
