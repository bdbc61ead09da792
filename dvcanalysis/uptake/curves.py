"""Uptake curves, evaluated for every Monte Carlo draw at once (numpy only).

Owns the curve formulas of :mod:`dvcanalysis.uptake`: the straight line and the logistic
through a base point and an anchor, the Bass closed form and its inverse, the piecewise-linear
target path, the effective time (the trend-pace ratio after the anchor composed with the
pace multiplier), and the per-draw calibrated curve
(``CalibratedCurve``) that :func:`curve_paths` and the projection evaluate one time at a time.
Time is a decimal year where the end of year ``Y`` is ``Y + 1.0``; shares are 0-1.
"""

from __future__ import annotations

import numpy as np

from dvcanalysis import scenarios
from dvcanalysis.errors import InputError

#: The lowest share a calibrated anchor takes (and, for ``ministries_ratio``, the localities'
#: level it multiplies): anchors stay strictly inside (0, ceiling) so logit and Bass inverses exist.
FLOOR_SHARE = 0.001
_BELOW_CEILING = 0.98


def end_of_year(year: int | np.ndarray) -> float | np.ndarray:
    """The decimal time of the end of ``year`` (``2024`` -> ``2025.0``)."""
    return (
        np.asarray(year, dtype=float) + 1.0 if isinstance(year, np.ndarray) else float(year) + 1.0
    )


def effective_time(
    t: np.ndarray,
    pace: np.ndarray,
    t_pace: float,
    *,
    ratio: np.ndarray | None = None,
    ta: float | None = None,
) -> np.ndarray:
    """Time as the curve sees it: the trend-pace ratio after the anchor, then the pace multiplier.

    With ``x`` the effective time after the anchor ``ta`` (``ta <= t_pace``) and ``r`` the
    ``ratio`` (``trend_pace_ratio``)::

        x = t - ta                                   for t <= ta (history unchanged)
        x = r (t - ta)                               for ta < t <= t_pace
        x = r (t_pace - ta) + r pace (t - t_pace)    for t > t_pace

    and the result is ``ta + x``. Without ``ratio`` (or with ``r = 1`` for every draw) it is
    the time unchanged up to ``t_pace``, then ``pace`` times faster: ``t_pace + pace (t -
    t_pace)``, computed as before.

    ``t`` has shape ``(n_years,)``, ``pace`` and ``ratio`` ``(n_draws,)``; the result
    ``(n_draws, n_years)``. Curves are non-decreasing in time, so a higher pace or ratio never
    lowers a share.
    """
    t = np.asarray(t, dtype=float)[None, :]
    pace = np.asarray(pace, dtype=float)[:, None]
    if ratio is None or np.all(np.asarray(ratio) == 1.0):
        if np.all(pace == 1.0):  # the common case: no change of pace
            return np.broadcast_to(t, (pace.shape[0], t.shape[1]))
        return np.where(t <= t_pace, t, t_pace + pace * (t - t_pace))
    if ta is None or not ta <= t_pace:
        raise InputError(
            f"effective_time: ta={ta!r} is not accepted with a ratio; expected the anchor time, "
            f"at or before t_pace={t_pace!r}"
        )
    r = np.asarray(ratio, dtype=float)[:, None]
    x = np.where(
        t <= ta,
        t - ta,
        np.where(t <= t_pace, r * (t - ta), r * (t_pace - ta) + r * pace * (t - t_pace)),
    )
    return ta + x


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


class CalibratedCurve:
    """One segment's curve calibrated per draw: the per-draw constants, evaluated one time at a time.

    Everything that depends on the draw only (clipped anchors, logit levels and slopes,
    Bass start times) is computed once; :meth:`column` then evaluates a single time for
    all draws on contiguous 1-D arrays (numpy broadcasting over a short years axis is
    slow), with the same operations in the same order as the textbook formulas of
    :func:`logistic_through`, :func:`linear_through` and :func:`bass_cdf`, so the numbers
    are identical. Time after the anchor is :func:`effective_time`'s, with the per-draw
    ``ratio`` (``trend_pace_ratio``; None or all ones: the time is read as before, to the
    bit). :meth:`take` keeps a subset of draws (after resampling).
    """

    __slots__ = (
        "curve",
        "ta",
        "t_pace",
        "params",
        "pace",
        "pace_one",
        "ratio",
        "ratio_one",
        "targets",
    )

    def __init__(self, curve, ta, t_pace, params, pace, targets, ratio=None):
        self.curve, self.ta, self.t_pace, self.params, self.targets = (
            curve,
            ta,
            t_pace,
            params,
            targets,
        )
        self.pace = pace
        self.pace_one = pace is None or bool(np.all(pace == 1.0))
        self.ratio = ratio
        self.ratio_one = ratio is None or bool(np.all(ratio == 1.0))

    @classmethod
    def fit(
        cls, curve, *, t0, s0, ta, sa, m, p, q, pace, t_pace, targets=None, ratio=None
    ) -> CalibratedCurve:
        m = np.asarray(m, dtype=float)
        sa = np.clip(np.asarray(sa, dtype=float), FLOOR_SHARE, _BELOW_CEILING * m)
        s0 = np.clip(np.asarray(s0, dtype=float), FLOOR_SHARE / 2, sa)
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
        ratio = None if ratio is None else np.asarray(ratio, dtype=float)
        return cls(curve, ta, t_pace, params, np.asarray(pace, dtype=float), None, ratio)

    def take(self, pick) -> CalibratedCurve:
        """The draws that ``pick`` (a :class:`_Picker`) selects."""
        pace = None if self.pace is None else pick(self.pace)
        ratio = None if self.ratio is None else pick(self.ratio)
        return type(self)(
            self.curve,
            self.ta,
            self.t_pace,
            {k: pick(v) for k, v in self.params.items()},
            pace,
            self.targets,
            ratio,
        )

    def after_anchor(self, tj: float) -> float | np.ndarray:
        """The effective time after the anchor at ``tj`` (:func:`effective_time` minus ``ta``).

        A number when it is the same for every draw, else a new 1-D array.
        """
        ta, tp = self.ta, self.t_pace
        if self.ratio_one:  # no trend-pace ratio: exactly as before it existed
            if self.pace_one or tj <= tp:
                return tj - ta
            x = tp + self.pace * (tj - tp)
            x -= ta
            return x
        if tj <= ta:  # the history up to the anchor is unchanged
            return tj - ta
        if self.pace_one or tj <= tp:  # r (t - ta)
            return self.ratio * (tj - ta)
        x = self.ratio * (tp - ta)  # r (t_pace - ta) + r pace (t - t_pace)
        x += self.ratio * self.pace * (tj - tp)
        return x

    def column(self, tj: float) -> np.ndarray:
        """Shares of every draw at time ``tj`` (clipped to 0-1), a new 1-D array."""
        c = self.params
        x = self.after_anchor(tj)  # effective_time - ta, one year at a time
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


def stack_columns(cols: list[np.ndarray], n: int) -> np.ndarray:
    """One 1-D array of ``n`` draws per time (as :meth:`CalibratedCurve.columns` gives them) ->
    a C-ordered ``(n_draws, n_times)`` array."""
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
    ratio: np.ndarray | None = None,
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
    ratio
        ``trend_pace_ratio`` per draw: the time after ``ta`` runs ``ratio`` times faster
        (:func:`effective_time`); None (or all ones) leaves it unchanged. ``target-path``
        ignores it.
    """
    seg = CalibratedCurve.fit(
        curve,
        t0=t0,
        s0=s0,
        ta=ta,
        sa=sa,
        m=m,
        p=p,
        q=q,
        pace=pace,
        t_pace=t_pace,
        targets=targets,
        ratio=ratio,
    )
    t = np.asarray(t, dtype=float)
    if curve == "target-path":
        return np.clip(target_path(t, ta, seg.params["sa"], *targets), 0.0, 1.0)
    return stack_columns(seg.columns(t), len(seg.params["m"]))
