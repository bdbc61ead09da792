"""The arithmetic of the default forecast: a random walk of the log-odds, read over periods.

A published figure is the share of the dossiers of a period (a month, a year to date, a year),
not a level on a day. The forecast treats the log-odds ``x(t) = logit(share)`` as a random walk
(Brownian motion with variance ``sigma^2`` per year) and a figure as the average of ``x`` over
its period plus reporting noise. Then the change from one figure (the anchor) to the figure of
another period has variance ``sigma^2 D(anchor, target) + noise(anchor) + noise(target)`` where
``D`` depends only on the two periods (:func:`period_distance`):

- two disjoint periods, the anchor ending ``g`` years before the target starts:
  ``D = g + L_anchor / 3 + L_target / 3`` (so a full year to the next full year is 2/3);
- a period inside or overlapping another (a half-year inside its year): the part they share
  cancels (H1 2024 to the whole of 2024 is 1/12).

Reporting noise: two reports of one period differ (15.21% and 14.48% for the provinces in June
2025); a figure of ``m`` months has noise variance ``tau^2 / m`` on the log-odds scale
(:func:`noise_variance`), with ``tau`` estimated from every pair of reports of one period
(:func:`estimate_tau`). A figure of less than a month (a level on a day) counts as one month.

Everything here is pure arithmetic on numbers and intervals (decimal years); nothing reads data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Nodes per period in the quadrature of :func:`period_distance` (midpoint rule).
NODES = 96
#: The shortest period a figure is counted as, for its noise (a level on a day: one month).
MIN_MONTHS = 1.0


def logit(p) -> np.ndarray:
    """Log-odds of shares, with shares clipped to [1e-6, 1 - 1e-6]."""
    q = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def expit(x) -> np.ndarray:
    """The inverse of :func:`logit`: shares from log-odds."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _nodes(t0: float, t1: float) -> np.ndarray:
    if t1 <= t0:
        return np.array([float(t1)])
    return t0 + (np.arange(NODES) + 0.5) * (t1 - t0) / NODES


def _mean_min(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.minimum(a[:, None], b[None, :]).mean())


def period_distance(anchor: tuple[float, float], target: tuple[float, float]) -> float:
    """``Var(mean_T W - mean_A W)`` for a standard Brownian motion ``W`` (years).

    Parameters
    ----------
    anchor, target
        Periods as ``(start, end)`` decimal years; ``start == end`` for a level on a day.

    Returns
    -------
    float
        The variance factor ``D`` of the module docstring (0 for the same period).

    Examples
    --------
    >>> round(period_distance((2024.0, 2025.0), (2025.0, 2026.0)), 3)  # year to next year: 2/3
    0.667
    >>> round(period_distance((2024.0, 2024.5), (2024.0, 2025.0)), 3)  # H1 to its year: 1/12
    0.083
    """
    a, t = _nodes(*anchor), _nodes(*target)
    d = _mean_min(a, a) + _mean_min(t, t) - 2 * _mean_min(a, t)
    return max(d, 0.0)


def months(t0: float, t1: float) -> float:
    """A period's length in months (at least :data:`MIN_MONTHS`)."""
    return max(12.0 * (float(t1) - float(t0)), MIN_MONTHS)


def noise_variance(n_months, tau: float) -> np.ndarray:
    """Reporting noise of a figure of ``n_months`` months on the log-odds scale: ``tau^2 / m``."""
    m = np.maximum(np.asarray(n_months, dtype=float), MIN_MONTHS)
    return tau**2 / m


def estimate_tau(pairs: Sequence[tuple[float, float, float]]) -> float:
    """``tau`` from pairs of reports of one period: ``(share_1, share_2, months)`` each.

    Each pair's difference of log-odds has variance ``2 tau^2 / m``; ``tau^2`` is the mean of
    ``m d^2 / 2`` over the pairs (method of moments). No pair: 0 (no noise measured).

    Examples
    --------
    >>> round(estimate_tau([(0.1521, 0.1448, 1.0)]), 4)
    0.0408
    """
    if not pairs:
        return 0.0
    v = [m * float(logit(a) - logit(b)) ** 2 / 2 for a, b, m in pairs]
    return float(np.sqrt(np.mean(v)))
