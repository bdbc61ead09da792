"""Departures from the trend: yearly shocks and a coverage change, on the log-odds scale.

A calibrated curve only rises, so alone it cannot say how likely a stall or a fall is. Real
uptake series stall, and measured shares fall when coverage widens or units reorganise. After
each segment's anchor the share is therefore::

    logit(share(t)) = logit(curve(t)) + sd * W(t - t_anchor) + c * [t >= shock_from]

where ``W`` is a standard random walk (independent normal increments, variance one a year,
started at the anchor), ``sd`` is ``logit_shock_sd`` (drawn per draw) and ``c`` is
``coverage_shock_logit`` (a one-off change of the measured log-odds from the scenario's
``shock_from`` date, e.g. when monitoring coverage widens or units merge; 0 in business as
usual; not applied to a segment whose anchor is on or after ``shock_from``, as its observed
level already shows the change). Shocks can be negative, so the share can fall; a trend whose pace is 0
(``trend_pace_ratio`` or ``pace_multiplier`` at 0) stalls.

The national share is the volume-weighted mix of the shocked ministries and localities (or,
with ``national: observations``, its own curve shocked the same way). The history up to each
anchor is unchanged, so the conditioning on the national observations is unaffected.

Two ways of evaluating, with the same distribution at every time:

- :func:`apply` on the year-end grid of a projection: one random-walk path per draw, so a
  draw's years are correlated as a path is;
- :func:`at_times` at arbitrary dates (observations between year ends, for backtests and
  forecast scores): each date's shock drawn with its own variance ``sd^2 (t - t_anchor)``,
  which is the same marginal distribution.
"""

from __future__ import annotations

import numpy as np

from dvcanalysis.uptake.records import Anchor

SHOCK_SD = "logit_shock_sd"
COVERAGE_SHOCK = "coverage_shock_logit"
COVERAGE_YEAR = "coverage_shock_year"
# Shares are kept off 0 and 1 before taking their log-odds.
_EPS = 1e-6


def _logit(s: np.ndarray) -> np.ndarray:
    s = np.clip(s, _EPS, 1.0 - _EPS)
    return np.log(s / (1.0 - s))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _shift(
    base: np.ndarray, t: np.ndarray, t_anchor: float, walk: np.ndarray, draws: dict, shock_from
) -> np.ndarray:
    """``base`` shares (n_draws, n_times) moved by the walk and the coverage shock on the logit scale."""
    sd = np.asarray(draws.get(SHOCK_SD, 0.0), dtype=float)
    c = np.asarray(draws.get(COVERAGE_SHOCK, 0.0), dtype=float)
    if not np.any(sd) and (shock_from is None or not np.any(c)):
        return base
    x = _logit(base)
    after = np.asarray(t, dtype=float) > t_anchor
    x += np.reshape(sd, (-1, 1)) * walk * after[None, :]
    if shock_from is not None and np.any(c):
        x += np.reshape(c, (-1, 1)) * (np.asarray(t, dtype=float) >= shock_from)[None, :]
    return _expit(x)


def _walk_on_grid(t: np.ndarray, t_anchor: float, z: np.ndarray) -> np.ndarray:
    """A standard random walk from ``t_anchor`` at the (sorted) times ``t``: cumulated
    ``sqrt(dt) z`` increments; 0 at and before the anchor."""
    t = np.asarray(t, dtype=float)
    prev = np.maximum(np.concatenate([[t_anchor], t[:-1]]), t_anchor)
    dt = np.maximum(t - prev, 0.0)
    return np.cumsum(z * np.sqrt(dt)[None, :], axis=1)


def _walk_marginal(t: np.ndarray, t_anchor: float, z: np.ndarray) -> np.ndarray:
    """Each time's walk value drawn on its own: ``sqrt(t - t_anchor) z`` (same marginals)."""
    dt = np.maximum(np.asarray(t, dtype=float) - t_anchor, 0.0)
    return z * np.sqrt(dt)[None, :]


def _shock_segments(national: str) -> tuple[str, ...]:
    return (
        ("ministries", "localities", "national")
        if national == "observations"
        else (
            "ministries",
            "localities",
        )
    )


def _normals_per_time(seed: int, t: np.ndarray, n_segs: int, n: int) -> np.ndarray:
    """Normals ``(n_segs, n, len(t))`` where each time's column comes from a stream of its own
    (seeded by ``seed`` and the time), so a date gets the same numbers whatever other dates
    are asked for at once."""
    z = np.empty((n_segs, n, len(t)))
    for j, tj in enumerate(np.asarray(t, dtype=float)):
        key = int(round(tj * 1_000_000))
        z[:, :, j] = np.random.default_rng([int(seed), 0xDA7E, key]).standard_normal((n_segs, n))
    return z


def _apply(shares, t, anchors, draws, shock_from, national, z, walk) -> dict[str, np.ndarray]:
    out = dict(shares)
    segs = _shock_segments(national)
    for i, seg in enumerate(segs):
        ta = anchors[seg].time
        # an anchor measured after the coverage change already shows it: not applied twice
        sf = shock_from if shock_from is not None and shock_from > ta else None
        out[seg] = _shift(shares[seg], t, ta, walk(t, ta, z[i]), draws, sf)
    if national != "observations":
        w = np.asarray(draws["ministries_volume_share"], dtype=float)[:, None]
        out["national"] = w * out["ministries"] + (1.0 - w) * out["localities"]
    return out


def apply(
    shares: dict[str, np.ndarray],
    t: np.ndarray,
    anchors: dict[str, Anchor],
    draws: dict[str, np.ndarray],
    *,
    shock_from: float | None,
    national: str,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Shares per segment on a sorted time grid, with one random-walk path per draw.

    Parameters
    ----------
    shares
        Trend shares per segment, ``(n_draws, n_times)`` (from the calibrated curves).
    t
        The sorted decimal times of the columns.
    anchors
        Segment -> :class:`~dvcanalysis.uptake.Anchor`: each segment's walk starts at its ``time``.
    draws
        The kept draws (``logit_shock_sd``, ``coverage_shock_logit``,
        ``ministries_volume_share``).
    shock_from
        Decimal time from which the coverage shock applies (None: never).
    national
        ``mix`` (national recomputed from the shocked segments) or ``observations``.
    rng
        The stream of the shocks' normals (one per segment, draw and time).
    """
    n, k = next(iter(shares.values())).shape
    # fixed order: ministries, localities[, national]
    z = rng.standard_normal((len(_shock_segments(national)), n, k))
    return _apply(shares, t, anchors, draws, shock_from, national, z, _walk_on_grid)


def at_times(
    shares: dict[str, np.ndarray],
    t: np.ndarray,
    anchors: dict[str, Anchor],
    draws: dict[str, np.ndarray],
    *,
    shock_from: float | None,
    national: str,
    seed: int,
) -> dict[str, np.ndarray]:
    """As :func:`apply` at arbitrary times, each time's shock drawn with its own variance,
    from normals that depend only on ``seed`` and the time (:func:`_normals_per_time`)."""
    n = next(iter(shares.values())).shape[0]
    z = _normals_per_time(seed, t, len(_shock_segments(national)), n)
    return _apply(shares, t, anchors, draws, shock_from, national, z, _walk_marginal)
