"""Backtests: fit up to a cut-off, compare with the observations after it.

Owns :func:`backtest` (a series fitted on its own observations, per curve),
:func:`backtests` (the default cases, :data:`BACKTESTS`) and :func:`backtest_projection`
(a projection against every observation after its own cut-off), and their result,
:class:`Backtest` (``to_df()`` gives the rows; ``plot()`` each forecast's 90% band, median
and the observation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from dvcanalysis import evidence
from dvcanalysis.errors import InputError, check_choice
from dvcanalysis.provenance import Provenance
from dvcanalysis.results import Result
from dvcanalysis.scenarios import Scenario
from dvcanalysis.uptake.calibration import draw_assumptions
from dvcanalysis.uptake.curves import curve_paths
from dvcanalysis.uptake.inputs import INDICATOR, parse_cutoff
from dvcanalysis.uptake.montecarlo import resolve_scenario
from dvcanalysis.uptake.projection import Projection
from dvcanalysis.vocabulary import ROLE_AFTER_CUTOFF


@dataclass(kw_only=True, repr=False)
class Backtest(Result):
    """Forecasts made with the data up to a cut-off, set against the observations after it.

    Attributes
    ----------
    frame
        One row per (forecast, later observation): the columns of :func:`backtest` (a series
        per curve), or :data:`BACKTEST_COLUMNS` (:func:`backtest_projection`).
    parameters
        What produced it (``scenario``, ``cutoff`` or ``cases``, ``n_draws``, ``seed``...).
    source_ids
        Source ids of the observations fitted on and compared with.
    """

    frame: pd.DataFrame
    parameters: dict[str, object] = field(default_factory=dict)
    source_ids: tuple[str, ...] = ()

    @property
    def sources(self) -> list[str]:
        """Source ids of the observations fitted on and compared with."""
        return sorted(set(self.source_ids))

    def to_df(self) -> pd.DataFrame:
        """The rows (a copy); see :func:`backtest` and :func:`backtest_projection` for columns."""
        return self.frame.copy()

    def provenance(self) -> Provenance:
        """Sources and parameters; the data date is the evidence's (the later observations)."""
        return Provenance(sources=self.sources, parameters=dict(self.parameters))

    def summary(self) -> str:
        """E.g. ``business-as-usual, cut-off 2023-12-31: 4 of 6 forecasts in the 90% band``."""
        f, p = self.frame, self.parameters
        what = f"{p['indicator']} {p['segment']}" if "indicator" in p else p.get("scenario", "")
        cut = self.parameters.get("cutoff", self.parameters.get("cases", ""))
        inside = int(f["covered"].sum()) if "covered" in f else 0
        return f"{what}, cut-off {cut}: {inside} of {len(f)} forecasts in the 90% band"

    def plot(self, ax=None, *, lang: str = "vi"):
        """Each forecast's 90% band and median beside the observation; returns the axes.

        See :func:`dvcanalysis.plots.evaluation.interval_chart`.
        """
        from dvcanalysis.plots import evaluation as eplot

        return eplot.interval_chart(self.frame, lang=lang, ax=ax, provenance=self.provenance())


def _frame_sources(*frames: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sorted({s for f in frames if "source_id" in f for s in f["source_id"]}))


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
) -> Backtest:
    """Fit a series on its observations up to ``cutoff``; predict its later observations.

    The series is fitted on its own observations: ``linear`` and ``logistic`` need two
    (the earliest and the latest up to the cut-off), ``bass`` one (the latest). The
    ceiling, Bass coefficients and anchor error are drawn from the scenario.

    Returns
    -------
    Backtest
        ``.to_df()``: one row per (curve, later observation): ``indicator, segment, cutoff, curve,
        fitted_on`` (evidence ids), ``id, period, observed, q05, q50, q95,
        error_share`` (median minus observed), ``covered`` (observed within 5-95%),
        ``identifiable`` (False when the cut-off leaves too few points for the curve;
        the numbers are then NaN).
    """
    sc = resolve_scenario(scenario, None, None)
    cut = pd.Timestamp(parse_cutoff(cutoff))
    for c in curves:
        check_choice("curve", c, ("linear", "logistic", "bass"))
    s = evidence.series(indicator, segment)
    s["decimal_year"] = [evidence.decimal_year(pd.Timestamp(x).date()) for x in s["period_end"]]
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
    params = {
        "scenario": sc.name,
        "indicator": indicator,
        "segment": segment,
        "cutoff": cut.date().isoformat(),
        "curves": ";".join(curves),
        "n_draws": n_draws,
        "seed": seed,
    }
    return Backtest(frame=pd.DataFrame(rows), parameters=params, source_ids=_frame_sources(s))


def backtests(
    cases: Sequence[tuple[str, str, str]] = BACKTESTS,
    *,
    scenario: str | Scenario = "business-as-usual",
    n_draws: int = 1000,
    seed: int = 0,
) -> Backtest:
    """:func:`backtest` over several ``(indicator, segment, cutoff)`` cases, concatenated."""
    runs = [
        backtest(i, s, cutoff=c, scenario=scenario, n_draws=n_draws, seed=seed) for i, s, c in cases
    ]
    params = {
        "scenario": runs[0].parameters["scenario"] if runs else str(scenario),
        "cases": ";".join(f"{i}/{s}/{c}" for i, s, c in cases),
        "n_draws": n_draws,
        "seed": seed,
    }
    return Backtest(
        frame=pd.concat([r.frame for r in runs], ignore_index=True),
        parameters=params,
        source_ids=tuple(sorted({x for r in runs for x in r.source_ids})),
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


def backtest_projection(projection: Projection) -> Backtest:
    """Compare a projection, fitted up to its own cut-off, with every observation after it.

    Every fully-online observation of a projected segment dated after the projection's
    cut-off (role ``after cutoff``) is set against the projection's 5%, 50% and 95% at that
    date. The curves are evaluated at the observation's own decimal date (the midpoint of the
    period it measures) for the projection's kept draws (:func:`simulate` on
    ``projection.draws`` and ``projection.anchors``, the same numbers :func:`project` computed
    at the year ends), with the shocks of :func:`~dvcanalysis.uptake.shocks.at_times` (the same
    distribution as the year-end paths at every date), not interpolated between year ends:
    the curves are not straight between year ends, and an observation between the cut-off and
    the first year end (e.g. August for a July cut-off) has no grid point before it.

    Parameters
    ----------
    projection
        A :class:`Projection` from :func:`project`.

    Returns
    -------
    Backtest
        ``.to_df()``: one row per later observation: ``scenario, cutoff, segment, id, period, period_end,
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
    later = obs[(obs["role"] == ROLE_AFTER_CUTOFF) & obs["segment"].isin(projection.segments)]
    later = later.sort_values(["period_end", "segment", "id"]).reset_index(drop=True)
    params = {
        k: projection.parameters[k]
        for k in ("scenario", "curve", "n_draws", "seed", "cutoff")
        if k in projection.parameters
    }
    if later.empty:
        return Backtest(
            frame=pd.DataFrame(columns=list(BACKTEST_COLUMNS)),
            parameters=params,
            source_ids=tuple(projection.sources),
        )
    sc = projection.scenario
    times = np.unique(later["decimal_year"].to_numpy(float))
    shares = projection.shares_at(times)
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
    return Backtest(
        frame=pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS)),
        parameters=params,
        source_ids=tuple(sorted(set(projection.sources) | set(later["source_id"]))),
    )
