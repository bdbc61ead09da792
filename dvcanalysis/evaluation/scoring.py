"""Scores of probabilistic forecasts given as draws, through the ``scoringrules`` library.

Owns the per-forecast measures of :mod:`dvcanalysis.evaluation`: quantiles, PIT, inside the
50% and 90% central bands, CRPS from draws, the interval score of the 90% band and the weighted
interval score (WIS) of the 50% and 90% bands with the median, the absolute error of the median;
and the Brier score of a probability. The scores themselves come from ``scoringrules``
(imported when first needed: it imports ``scipy.special``, a few tenths of a second).

All values are shares (0-1), so CRPS, WIS and interval scores are in share units too.
"""

from __future__ import annotations

import numpy as np

from dvcanalysis.errors import InputError

# Central bands scored by WIS, as (alpha, lower quantile, upper quantile): 90% and 50%.
BANDS = ((0.1, 0.05, 0.95), (0.5, 0.25, 0.75))
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
SCORE_COLUMNS = (
    "q05",
    "q25",
    "q50",
    "q75",
    "q95",
    "pit",
    "in50",
    "in90",
    "crps_share",
    "wis_share",
    "interval_score90_share",
    "abs_error_share",
)


def _sr():
    import scoringrules

    return scoringrules


def _check(observed, draws) -> tuple[np.ndarray, np.ndarray]:
    y = np.atleast_1d(np.asarray(observed, dtype=float))
    x = np.asarray(draws, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[0] != y.shape[0] or x.shape[1] == 0:
        raise InputError(
            f"draws of shape {np.shape(draws)} do not fit {y.shape[0]} observation(s); "
            "expected (n_observations, n_draws) with at least one draw"
        )
    if not (np.isfinite(y).all() and np.isfinite(x).all()):
        raise InputError("observed values and draws must be finite numbers")
    return y, x


def pit(observed, draws) -> np.ndarray:
    """Probability integral transform of each observation under its draws (mid-rank for ties).

    ``P(X < y) + 0.5 P(X = y)`` of the empirical distribution: 0.5 when the observation is the
    median, near 0 (1) when it lies below (above) every draw. Deterministic: ties are split,
    not randomized.
    """
    y, x = _check(observed, draws)
    below = (x < y[:, None]).mean(axis=1)
    equal = (x == y[:, None]).mean(axis=1)
    return below + 0.5 * equal


def weighted_interval_score(observed, median, lower, upper, alpha) -> np.ndarray:
    """WIS of Bracher et al. (2021) with the canonical weights (``alpha_k / 2``, median ``1/2``).

    ``scoringrules.weighted_interval_score`` (0.10.0) adds ``w_median * median`` instead of
    ``w_median * |observed - median|``; so its interval part is taken with ``w_median=0`` and
    the median's term ``(1/2) |observed - median| / (K + 1/2)`` added here. A point forecast
    (every quantile equal) then scores its absolute error, as it must
    (``tests/test_evaluation.py`` pins that case).
    """
    sr = _sr()
    y = np.atleast_1d(np.asarray(observed, dtype=float))
    m = np.atleast_1d(np.asarray(median, dtype=float))
    a = np.asarray(alpha, dtype=float)
    intervals = sr.weighted_interval_score(
        y, m, np.asarray(lower, dtype=float), np.asarray(upper, dtype=float), a, w_median=0.0
    )
    return np.atleast_1d(intervals) + 0.5 * np.abs(y - m) / (a.size + 0.5)


def score(observed, draws) -> dict[str, np.ndarray]:
    """Every per-forecast measure of :data:`SCORE_COLUMNS` for observations and their draws.

    Parameters
    ----------
    observed
        ``(n,)`` observed shares.
    draws
        ``(n, n_draws)`` forecast draws (one row per observation), or ``(n_draws,)`` for one.

    Returns
    -------
    dict
        Column name -> array ``(n,)``: quantiles ``q05 ... q95``, ``pit``, ``in50`` and
        ``in90`` (inside the central 50% / 90% band, bounds included), ``crps_share`` (CRPS of
        the draws' empirical distribution, ``scoringrules.crps_ensemble``),
        ``wis_share`` (:func:`weighted_interval_score` of the 50% and 90% bands),
        ``interval_score90_share`` (``scoringrules.interval_score``, alpha 0.1) and
        ``abs_error_share`` (|median - observed|).
    """
    sr = _sr()
    y, x = _check(observed, draws)
    q = np.quantile(x, QUANTILES, axis=1)
    out = {f"q{int(round(100 * p)):02d}": q[i] for i, p in enumerate(QUANTILES)}
    q05, q25, q50, q75, q95 = q
    out["pit"] = pit(y, x)
    out["in50"] = (q25 <= y) & (y <= q75)
    out["in90"] = (q05 <= y) & (y <= q95)
    out["crps_share"] = np.atleast_1d(sr.crps_ensemble(y, x))
    alphas = np.array([b[0] for b in BANDS])
    lower = np.stack([q[QUANTILES.index(b[1])] for b in BANDS], axis=-1)
    upper = np.stack([q[QUANTILES.index(b[2])] for b in BANDS], axis=-1)
    out["wis_share"] = weighted_interval_score(y, q50, lower, upper, alphas)
    out["interval_score90_share"] = np.atleast_1d(sr.interval_score(y, q05, q95, 0.1))
    out["abs_error_share"] = np.abs(q50 - y)
    return out


def brier(outcome, probability) -> np.ndarray:
    """Brier score of probabilities of binary outcomes (``scoringrules.brier_score``)."""
    o = np.atleast_1d(np.asarray(outcome, dtype=float))
    p = np.atleast_1d(np.asarray(probability, dtype=float))
    if o.shape != p.shape or not np.isin(o, (0.0, 1.0)).all() or ((p < 0) | (p > 1)).any():
        raise InputError(
            "brier: expected outcomes of 0 or 1 and probabilities within 0-1, of the same length"
        )
    return np.atleast_1d(_sr().brier_score(o, p))
