"""A point rule with bands from its own past out-of-sample errors (split conformal).

The procedure, for one rule (:class:`Rule`: persistence, or a damped trend) and one cut-off:

1. **Anchor.** Each segment's latest figure up to the cut-off (two reports of one period: their
   mean log-odds). A figure published after a recorded break is by construction the latest, so
   the forecast re-anchors on the first post-break figure by itself.
2. **Centre.** The rule's value of the log-odds for the target period (persistence: the anchor).
3. **Scale.** ``s = sqrt(fallback_sd^2 D + noise(anchor) + noise(target) + break_sd^2 [break])``
   (:mod:`~dvcanalysis.forecast.randomwalk`: ``D`` from the two periods; reporting noise by
   period length, estimated from every pair of reports of one period; ``[break]`` is 1 when a
   break known at the cut-off separates the two periods: not both wholly after it, nor both
   wholly before it; a year that straddles a break is on both sides).
4. **Past errors.** The same rule made at every earlier vintage, scored on every figure
   published by the cut-off: the normalised errors ``r = |logit(figure) - centre| / s``, pooled
   over segments, vintages and horizons (the normalisation by ``s`` is what makes errors at
   different horizons comparable).
5. **Bands.** For the central band of level ``1 - alpha``, the conformal quantile ``q`` is the
   ``ceil((n + 1)(1 - alpha))``-th smallest of the ``n`` past errors (the finite-sample
   correction; errors are weighted by their age, :func:`conformal`). Where the errors weigh
   too little for the 90% band (less than nine recent errors), both bands are the stated
   fallback's (normal quantiles: ``s`` assumes the fallback spread), whatever the few
   errors say.
6. **Draws.** ``n_draws`` values of the centre plus ``s g(z)`` at evenly spaced probabilities,
   where ``g`` is the odd, piecewise linear map through the normal quantiles of the 50% and
   90% bands to ``q50`` and ``q90`` (normal tails beyond), so the draws reproduce both bands,
   on the logit scale, back to shares by :func:`~dvcanalysis.forecast.randomwalk.expit` (always
   inside 0-1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from dvcanalysis.errors import InputError
from dvcanalysis.forecast import randomwalk as rw
from dvcanalysis.forecast import vintages
from dvcanalysis.forecast.settings import Settings

#: Central bands calibrated: level -> normal quantile of its upper end.
LEVELS = {0.5: 0.6744897501960817, 0.9: 1.6448536269514722}


def _norm_ppf(p: np.ndarray) -> np.ndarray:
    """The standard normal quantile function (:class:`statistics.NormalDist`; no scipy import)."""
    from statistics import NormalDist

    nd = NormalDist()
    return np.array([nd.inv_cdf(float(x)) for x in np.ravel(p)]).reshape(np.shape(p))


@dataclass(frozen=True)
class Rule:
    """A point rule on the log-odds: ``persistence`` or ``damped-trend`` (``damping`` per year)."""

    name: str
    damping: float = 0.0

    def centre(
        self, known: pd.DataFrame, segment: str, a: dict, target: tuple[float, float], breaks_t
    ) -> float:
        """The rule's log-odds for the ``target`` period from the anchor ``a``.

        The damped trend takes its slope from the anchor and the segment's latest figure of
        a period that ended before the anchor's began (none, or a recorded break between
        them: no trend, persistence); the slope decays by ``damping`` per year from the
        anchor's midpoint to the target's.
        """
        if self.name == "persistence":
            return a["x"]
        g = known[(known["segment"] == segment) & (known["t_end"] <= a["t_start"] + 1e-9)]
        if g.empty:
            return a["x"]
        prev = g[g["period_end"] == g["period_end"].max()]
        p0, p1 = float(prev["t_start"].iloc[0]), float(prev["t_end"].iloc[0])
        if any(p0 < t <= a["t_end"] for t in breaks_t):
            return a["x"]
        mid_a, mid_p = (a["t_start"] + a["t_end"]) / 2, (p0 + p1) / 2
        slope = (a["x"] - float(np.mean(rw.logit(prev["value"])))) / max(mid_a - mid_p, 1 / 12)
        h = max((target[0] + target[1]) / 2 - mid_a, 0.0)
        phi = self.damping
        carried = (1 - phi**h) / -math.log(phi) if 0 < phi < 1 else 0.0
        return a["x"] + slope * carried


@dataclass
class Calibration:
    """What the bands rest on: the past errors and the conformal quantiles."""

    errors: pd.DataFrame
    q: dict[float, float]
    fallback: bool
    tau: float

    @property
    def n_errors(self) -> int:
        return len(self.errors)


@dataclass
class RuleForecast:
    """A calibrated rule made at one cut-off; :meth:`period_draws` reads any period."""

    rule: Rule
    cutoff: date
    settings: Settings
    known: pd.DataFrame
    breaks: pd.DataFrame
    calibration: Calibration | None = None
    n_draws: int = 1000
    anchors: dict[str, dict] = field(default_factory=dict)

    # -- the pieces of the procedure (module docstring) --------------------------------
    def scale(
        self, segment: str, a: dict, target: tuple[float, float], target_months: float
    ) -> float:
        sd = self.settings.value("fallback_sd_logit")
        tau = self.calibration.tau if self.calibration is not None else 0.0
        var = sd**2 * rw.period_distance((a["t_start"], a["t_end"]), target)
        var += float(rw.noise_variance(a["months"], tau)) + float(
            rw.noise_variance(target_months, tau)
        )
        if self._crosses_break(segment, a, target):
            var += self.settings.value("break_sd_logit") ** 2
        return math.sqrt(var)

    def _crosses_break(self, segment: str, a: dict, target: tuple[float, float]) -> bool:
        b = self.breaks
        if b is None or b.empty:
            return False
        # a break separates the two periods unless both lie wholly after it or wholly before
        t = np.array(self._break_times(segment))
        after = (a["t_start"] >= t - 1e-9) & (target[0] >= t - 1e-9)
        before = (a["t_end"] < t) & (target[1] < t)
        return bool((~after & ~before).any())

    def _break_times(self, segment: str) -> list[float]:
        b = self.breaks
        if b is None or b.empty:
            return []
        # a break takes effect at the start of its day (a figure of the month it begins in is
        # already after it)
        return [_decimal(d) - 1 / 365.25 for d in b.loc[b["segment"] == segment, "date"]]

    def centre_and_scale(self, segment: str, start, end) -> tuple[float, float]:
        a = self.anchors.get(segment)
        if a is None:
            raise InputError(
                f"segment={segment!r} has no fully-online figure up to {self.cutoff.isoformat()}; "
                f"expected one of: {', '.join(sorted(self.anchors)) or 'none'}"
            )
        target = _period(start, end)
        m = rw.months(*target)
        centre = self.rule.centre(self.known, segment, a, target, self._break_times(segment))
        return centre, self.scale(segment, a, target, m)

    def period_draws(self, segment: str, start, end) -> np.ndarray:
        """Draws (1-D, ``n_draws``) of the share of the dossiers of the period ``start``-``end``.

        ``start`` and ``end`` are dates (or ``YYYY-MM-DD``), both days included; equal for a
        level on a day.
        """
        c, s = self.centre_and_scale(segment, start, end)
        return rw.expit(c + s * self.standard_draws())

    def standard_draws(self) -> np.ndarray:
        """The calibrated standardised draws ``g(z)`` at evenly spaced probabilities."""
        return _standard_draws(self.n_draws, self.calibration.q[0.5], self.calibration.q[0.9])


@lru_cache(maxsize=64)
def _normal_scores(n: int) -> np.ndarray:
    """Standard normal quantiles at the probabilities ``(k + 0.5) / n``."""
    z = _norm_ppf((np.arange(n) + 0.5) / n)
    z.flags.writeable = False
    return z


@lru_cache(maxsize=256)
def _standard_draws(n: int, q50: float, q90: float) -> np.ndarray:
    """``g(z)`` of :meth:`RuleForecast.standard_draws` (read-only, cached)."""
    z = _normal_scores(n)
    z50, z90 = LEVELS[0.5], LEVELS[0.9]
    a = np.abs(z)
    g = np.where(
        a <= z50,
        a * q50 / z50,
        np.where(a <= z90, q50 + (a - z50) * (q90 - q50) / (z90 - z50), a * q90 / z90),
    )
    out = np.sign(z) * g
    out.flags.writeable = False
    return out


def _decimal(d) -> float:
    from dvcanalysis.evidence import decimal_year

    return decimal_year(pd.Timestamp(d).date())


def _period(start, end) -> tuple[float, float]:
    """``(t_start, t_end)`` decimal years of a period given by its first and last day."""
    s, e = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    if e < s:
        raise InputError(
            f"period {s.isoformat()} to {e.isoformat()}: the end is before the start; "
            "expected start <= end"
        )
    te = _decimal(e)
    return (te, te) if s == e else (_decimal(s) - 1 / 365.25, te)


def conformal(scores, weights=None) -> tuple[dict[float, float], bool]:
    """Conformal quantiles ``{0.5: q50, 0.9: q90}`` of normalised errors, and whether the
    fallback was used.

    Weighted split conformal (Barber et al. 2023; unit weights: the usual rank
    ``ceil((n + 1)(1 - alpha))``): ``q`` is the smallest error whose cumulative weight reaches
    ``(1 - alpha)`` of the errors' total weight plus one (the forecast's own). Where no error
    reaches it at the 90% level (the errors weigh less than nine recent ones), the errors
    cannot shape the bands and both take the fallback's normal quantiles (the scale ``s``
    assumes the fallback spread).

    Examples
    --------
    >>> q, fb = conformal(np.linspace(0.1, 1.0, 10))  # ten errors: ranks 6 and 10
    >>> round(q[0.5], 2), round(q[0.9], 2), fb
    (0.6, 1.0, False)
    """
    r = np.asarray(scores, dtype=float)
    w = np.ones_like(r) if weights is None else np.asarray(weights, dtype=float)
    order = np.argsort(r, kind="stable")
    r, cum = r[order], np.cumsum(w[order])
    total = float(cum[-1]) if len(cum) else 0.0
    found: dict[float, float | None] = {}
    for level in LEVELS:
        k = int(np.searchsorted(cum, level * (total + 1.0) - 1e-12))
        found[level] = float(r[k]) if k < len(r) else None
    if all(v is not None for v in found.values()):
        return {lv: float(v) for lv, v in found.items()}, False
    # the errors weigh too little to shape both bands: the stated fallback, for both
    return dict(LEVELS), True


def make(
    rule: Rule, cutoff: date, settings: Settings, *, n_draws: int = 1000, breaks=None
) -> RuleForecast:
    """The calibrated rule at ``cutoff`` (steps 1-5 of the module docstring)."""
    known = vintages.figures(cutoff)
    if known.empty:
        raise InputError(f"cutoff={cutoff.isoformat()}: no fully-online figure up to it")
    tau = rw.estimate_tau(vintages.duplicate_reports(known))
    fc = _bare(rule, cutoff, settings, known, breaks, tau, n_draws)
    rows = []
    for o in [v for v in vintages.vintages() if v < cutoff]:
        past = _bare(rule, o, settings, vintages.figures(o), breaks, tau, n_draws)
        ts_o, ts_c = pd.Timestamp(o), pd.Timestamp(cutoff)
        later = known[(known["period_end"] > ts_o) & (known["period_end"] <= ts_c)]
        for f in later.itertuples(index=False):
            if f.segment not in past.anchors:
                continue
            c, s = past.centre_and_scale(f.segment, f.period_start, f.period_end)
            e = float(rw.logit(f.value)) - c
            rows.append(
                {
                    "origin": o,
                    "segment": f.segment,
                    "id": f.id,
                    "error_logit": e,
                    "scale": s,
                    "score": abs(e) / s,
                }
            )
    errors = pd.DataFrame(
        rows, columns=["origin", "segment", "id", "error_logit", "scale", "score"]
    )
    age = np.array([(cutoff - o).days / 365.25 for o in errors["origin"]])
    errors["weight"] = 0.5 ** (age / settings.value("error_half_life_years"))
    q, fb = conformal(errors["score"].to_numpy(), errors["weight"].to_numpy())
    fc.calibration = Calibration(errors=errors, q=q, fallback=fb, tau=tau)
    return fc


def _bare(rule, cutoff, settings, known, breaks, tau, n_draws) -> RuleForecast:
    fc = RuleForecast(
        rule=rule,
        cutoff=cutoff,
        settings=settings,
        known=known,
        breaks=breaks,
        calibration=Calibration(errors=pd.DataFrame(), q={}, fallback=True, tau=tau),
        n_draws=n_draws,
    )
    for seg in vintages.SEGMENTS:
        a = vintages.anchor(known, seg)
        if a is not None:
            fc.anchors[seg] = a
    return fc
