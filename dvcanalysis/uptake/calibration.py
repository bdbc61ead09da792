"""Monte Carlo draws of the assumptions and their conditioning on national observations.

Owns :func:`draw_assumptions` (one uniform per assumption and draw, common random numbers
across scenarios), the calibration of each segment's curve on its anchor per draw
(``calibrate_segments``), the volume-weighted national mix, the normal likelihood of the
national observations (:func:`national_log_likelihood`) and sampling-importance-resampling
(:func:`resample_indices`, :func:`condition`).
"""

from __future__ import annotations

import numpy as np

from dvcanalysis import evidence, parameters
from dvcanalysis.scenarios import SPECS, Scenario
from dvcanalysis.uptake.curves import FLOOR_SHARE, CalibratedCurve, end_of_year
from dvcanalysis.uptake.records import Anchor

PROXY_RATIO = "localities_to_national_ratio"
TREND_PACE_RATIO = "trend_pace_ratio"
# Assumptions whose uniforms come from a child stream (``rng.spawn``), which leaves the parent
# stream untouched: adding them changed no other draw, so every projection that does not use
# them (and the resampling that follows) is unchanged to the bit. Each new one is appended: the
# child stream's rows are filled in order, so the earlier rows keep their uniforms.
LATE_DRAWS = (
    PROXY_RATIO,
    TREND_PACE_RATIO,
    "logit_shock_sd",
    "coverage_shock_logit",
    "coverage_shock_year",
)


def draw_assumptions(
    scenario: Scenario, n_draws: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """One array of ``n_draws`` values per assumption, plus standard-normal anchor errors.

    Drawn by the package's one sampler (:func:`dvcanalysis.parameters.draw`): every
    assumption consumes one uniform per Monte Carlo draw, in the declared order of
    :data:`~dvcanalysis.scenarios.SPECS`, whatever its distribution, mapped through its
    quantile function; so the same seed gives the same random numbers in every scenario
    (common random numbers), and a quantity's draws are monotone in its range. The
    assumptions in :data:`LATE_DRAWS` take theirs from a child stream of ``rng``
    (``rng.spawn(1)``, in the order of :data:`LATE_DRAWS`), which consumes nothing from
    ``rng`` itself; the anchor errors come from ``rng`` after the others' uniforms.
    """
    a = scenario.assumptions
    early = [n for n in SPECS if n not in LATE_DRAWS]
    rows = parameters.draw({n: a[n] for n in early}, n_draws, rng, order=early)
    z = rng.standard_normal((3, n_draws))
    late = parameters.draw(
        {n: a[n] for n in LATE_DRAWS}, n_draws, rng.spawn(1)[0], order=LATE_DRAWS
    )
    out = {n: rows[n] if n in rows else late[n] for n in SPECS}
    out["z_localities"], out["z_ministries"], out["z_national"] = z
    return out


def calibrate_segments(
    sc: Scenario,
    anchors: dict[str, Anchor],
    d: dict[str, np.ndarray],
    targets: dict[str, tuple[np.ndarray, np.ndarray]],
) -> dict[str, CalibratedCurve]:
    """Each modelled segment's curve calibrated per draw on its anchor (``national`` only when
    the scenario follows its own observations), shared by the projection and the conditioning.

    Parameters
    ----------
    sc
        The scenario (curve, national mode, ``pace_from``).
    anchors
        Segment -> :class:`~dvcanalysis.uptake.Anchor` (localities; ministries; national with
        ``national: observations``).
    d
        Draws from :func:`draw_assumptions`.
    targets
        Segment -> (end times, shares) of its official targets (``target-path``).
    """
    err = d["anchor_error_share"]
    pace_from = evidence.decimal_year(sc.pace_from) if sc.pace_from else -np.inf
    t0 = end_of_year(d["base_year"])

    def fit(sa: np.ndarray, ta: float, seg: str) -> CalibratedCurve:
        tt, tv = targets.get(seg, (np.array([]), np.array([])))
        return CalibratedCurve.fit(
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
            ratio=d[TREND_PACE_RATIO],
        )

    la = anchors["localities"]
    if la.proxy:  # no localities observation up to the cut-off: national figure x ratio
        sa_loc = la.value * d[PROXY_RATIO]
        sa_loc += err * d["z_localities"]
    else:
        sa_loc = la.value + err * d["z_localities"]
    out = {"localities": fit(sa_loc, la.time, "localities")}
    ma = anchors.get("ministries")
    if (
        ma is None or ma.proxy
    ):  # no ministries observation: the localities' anchor x ministries_ratio
        sa_min = np.clip(sa_loc, FLOOR_SHARE, None) * d["ministries_ratio"]
        sa_min += err * d["z_ministries"]
        out["ministries"] = fit(sa_min, la.time, "ministries")
    else:
        out["ministries"] = fit(ma.value + err * d["z_ministries"], ma.time, "ministries")
    if sc.national == "observations":
        na = anchors["national"]
        out["national"] = fit(na.value + err * d["z_national"], na.time, "national")
    return out


def segment_columns(
    segs: dict[str, CalibratedCurve], w: np.ndarray, t: np.ndarray
) -> dict[str, list[np.ndarray]]:
    """Per segment, one 1-D array of shares per time in ``t``; ``national`` is the mix weighted
    by ``w`` (``ministries_volume_share`` per draw) unless it has its own curve."""
    cols = {seg: c.columns(t) for seg, c in segs.items()}
    if "national" not in cols:
        omw = 1.0 - w
        cols["national"] = [
            w * a + omw * b for a, b in zip(cols["ministries"], cols["localities"], strict=True)
        ]
    return cols


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


def condition_calibrated(
    segs: dict[str, CalibratedCurve],
    pool: dict[str, np.ndarray],
    obs_times: np.ndarray,
    obs_values: np.ndarray,
    n_draws: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, float, _Picker]:
    """:func:`condition` on curves already calibrated for every prior draw
    (:func:`calibrate_segments`), plus a picker of the kept draws (``pick(v)`` is ``v[idx]``).

    Returns
    -------
    tuple
        ``(indices into the pool, normalized weights, effective sample size, picker)``.
    """
    n_pool = len(pool["ceiling_share"])
    obs_times = np.asarray(obs_times, dtype=float)
    if obs_times.size == 0:
        idx = np.arange(n_draws)
        return idx, np.full(n_pool, 1.0 / n_pool), float(n_pool), _Picker(idx)
    w = pool["ministries_volume_share"]
    national = (
        segment_columns(segs, w, np.array([tj]))["national"][0] for tj in obs_times
    )  # one date at a time
    lw = _log_likelihood(national, obs_values, pool["national_observation_sd_share"])
    return _resample(lw, n_draws, rng)


def condition(
    sc: Scenario,
    anchors: dict[str, Anchor],
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
    segs = calibrate_segments(sc, anchors, pool, targets) if np.asarray(obs_times).size else {}
    return condition_calibrated(segs, pool, obs_times, obs_values, n_draws, rng)[:3]


def implied_ministries_share(
    national_share: float, localities_share: float, ministries_volume_share
) -> np.ndarray:
    """The ministries' share that a national and a localities share imply for a volume weight.

    ``national = w * ministries + (1 - w) * localities``; values above 1 mean the two
    observations cannot both hold with that weight (different definitions or dates).
    """
    w = np.asarray(ministries_volume_share, dtype=float)
    return (national_share - (1.0 - w) * localities_share) / w
