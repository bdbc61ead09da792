"""The forecasters: every one offers ``period_draws(segment, start, end)``.

A forecaster is made at a cut-off by a **maker** ``make(cutoff, n_draws=, seed=)``; the
registry (:func:`maker`, :data:`BASELINES`) knows, by name:

``persistence``, ``linear-trend``
    The naive baselines of :mod:`dvcanalysis.uptake.baselines` (median flat at the latest
    figure, or the drift line; spread from past changes): the yardsticks.
``calibrated-persistence``
    Persistence on the log-odds with bands from its own past out-of-sample errors
    (:mod:`~dvcanalysis.forecast.calibrated`): the core of the default forecast.
``damped-trend``
    A damped trend of the log-odds, calibrated the same way (a candidate member).
a scenario name (``business-as-usual``, ...)
    That scenario's uptake curve (:func:`dvcanalysis.uptake.project`), read over periods: a
    candidate member; it joins the default only where it beats persistence.

Made forecasters are kept in memory per (name, cut-off, draws, seed) and data stamp, so the
rolling evaluation and the member selection make each one once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from dvcanalysis import paths
from dvcanalysis.errors import InputError
from dvcanalysis.forecast import calibrated
from dvcanalysis.forecast.settings import DAMPED_TREND, Settings
from dvcanalysis.forecast.settings import load as load_settings

BASELINES = ("persistence", "linear-trend")
CORE = "calibrated-persistence"
Maker = Callable[..., object]


class CurveForecast:
    """A projection (:class:`dvcanalysis.uptake.Projection`) read over periods.

    ``period_draws`` averages each draw's share over the period (midpoints of at least two
    slices a month), which is the period's share when dossiers flow evenly.
    """

    def __init__(self, projection) -> None:
        self.projection = projection

    def period_draws(self, segment: str, start, end) -> np.ndarray:
        """Draws (1-D) of the share of the dossiers of the period ``start``-``end``."""
        t0, t1 = calibrated._period(start, end)
        if t1 - t0 < 1.5 / 365:
            times = np.array([t1])
        else:
            k = max(2, math.ceil(24 * (t1 - t0)))
            times = t0 + (np.arange(k) + 0.5) * (t1 - t0) / k
        shares = self.projection.shares_at(times)
        if segment not in shares:
            raise InputError(
                f"segment={segment!r} is not projected; expected one of: {', '.join(shares)}"
            )
        return shares[segment].mean(axis=1)


def _horizon(cutoff: date) -> int:
    from dvcanalysis import evidence

    return max(cutoff.year + 1, evidence.data_date().year + 1)


def _breaks(cutoff: date) -> pd.DataFrame:
    from dvcanalysis import breaks

    return breaks.known(cutoff)


def _calibrated(rule_name: str, settings: Settings):
    def make(cutoff: date, *, n_draws: int = 1000, seed: int = 0):
        damping = settings.value("damping_per_year") if rule_name == DAMPED_TREND else 0.0
        rule = calibrated.Rule("persistence" if rule_name == CORE else rule_name, damping)
        return calibrated.make(rule, cutoff, settings, n_draws=n_draws, breaks=_breaks(cutoff))

    return make


def _baseline(name: str):
    def make(cutoff: date, *, n_draws: int = 1000, seed: int = 0):
        from dvcanalysis.uptake import baselines

        return CurveForecast(
            baselines.baseline(
                name, n_draws=n_draws, seed=seed, cutoff=cutoff, horizon=_horizon(cutoff)
            )
        )

    return make


def _scenario(name: str):
    def make(cutoff: date, *, n_draws: int = 1000, seed: int = 0):
        from dvcanalysis import uptake

        return CurveForecast(
            uptake.project(
                name, n_draws=n_draws, seed=seed, cutoff=cutoff, horizon=_horizon(cutoff)
            )
        )

    return make


def kind(name: str) -> str:
    """``baseline``, ``forecast`` (the default and its core) or ``candidate``."""
    if name in BASELINES:
        return "baseline"
    if name in ("default", CORE):
        return "forecast"
    return "candidate"


_made: dict[tuple, object] = {}


def _stamp() -> tuple:
    out = []
    d = paths.data_dir()
    for f in ("evidence.csv", "breaks.csv", "forecast.yml"):
        try:
            st = (d / f).stat()
            out.append((f, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((f, None))
    scen = d / "scenarios"
    out.append(
        tuple(sorted((p.name, p.stat().st_mtime_ns) for p in scen.glob("*.yml")))
        if scen.is_dir()
        else ()
    )
    return (str(d.resolve()), *out)


def maker(name: str, settings: Settings | None = None) -> Maker:
    """The maker of forecaster ``name`` (module docstring), memoised per cut-off and data.

    Raises
    ------
    InputError
        For an unknown name (the message lists the known ones).
    """
    from dvcanalysis import scenarios

    settings = settings or load_settings()
    if name in BASELINES:
        base = _baseline(name)
    elif name in (CORE, DAMPED_TREND):
        base = _calibrated(name, settings)
    elif name in scenarios.names():
        base = _scenario(name)
    else:
        known = (*BASELINES, CORE, DAMPED_TREND, *scenarios.names())
        raise InputError(f"forecaster {name!r} is not known; expected one of: {', '.join(known)}")

    def make(cutoff: date, *, n_draws: int = 1000, seed: int = 0):
        key = (name, cutoff, n_draws, seed, _stamp())
        if key not in _made:
            if len(_made) > 256:
                _made.clear()
            _made[key] = base(cutoff, n_draws=n_draws, seed=seed)
        return _made[key]

    return make
