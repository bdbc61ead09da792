"""The default forecast: what the evidence supports, calibrated on its own past errors.

:func:`forecast` is the forecast that target probabilities, "on track" and key messages come
from; scenarios (:mod:`dvcanalysis.uptake`) are what-if paths shown against it. It is a
procedure, not a set of priors (module docstrings of the parts):

:mod:`~dvcanalysis.forecast.calibrated`
    persistence on the log-odds, re-anchored on the latest figure (after a recorded break
    too), with bands from the pooled past out-of-sample errors of the same procedure
    (weighted split conformal, finite-sample correction, a stated fallback where there
    are too few errors, extra spread across a recorded break, reporting noise by period
    length);
:mod:`~dvcanalysis.forecast.ensemble`
    candidate members (a damped trend, the scenarios' uptake curves) join an equal-weight
    median ensemble only where they beat persistence on the rolling evaluation;
:mod:`~dvcanalysis.forecast.rolling`
    the rolling-origin scores of every forecaster (CRPS, WIS, coverage, PIT; relative WIS);
:mod:`~dvcanalysis.forecast.archive`
    each data vintage's published forecast, written once under ``data/forecasts/``.

Examples
--------
>>> from dvcanalysis import forecast
>>> fc = forecast.forecast()  # doctest: +SKIP
>>> fc.period_draws("localities", "2025-07-01", "2025-07-31")  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date

from dvcanalysis import cache
from dvcanalysis.dates import parse_cutoff
from dvcanalysis.errors import InputError
from dvcanalysis.forecast import ensemble, members, rolling, vintages
from dvcanalysis.forecast.result import FORECAST_TABLE_COLUMNS, Forecast
from dvcanalysis.forecast.settings import load as load_settings

DEFAULT = "default"
#: Forecasters scored by :func:`evaluate` besides the default (baselines first).
COMPARED = (*members.BASELINES, members.CORE)

_forecasts: dict[tuple, Forecast] = {}


def forecast(cutoff: str | date | None = None, n_draws: int = 1000, seed: int = 0) -> Forecast:
    """The default forecast made from the evidence up to ``cutoff``.

    Parameters
    ----------
    cutoff
        The data vintage (``YYYY-MM-DD``); None or empty: the evidence's own date.
    n_draws
        Draws of every period read from it (:meth:`Forecast.period_draws`).
    seed
        Seeds the members that draw at random (the scenario curves); the calibrated members
        are deterministic.

    Raises
    ------
    InputError
        For a bad cut-off or draw count, or a cut-off before the first figure.
    """
    cut = parse_cutoff(cutoff)
    if not isinstance(n_draws, int) or isinstance(n_draws, bool) or n_draws < 10:
        raise InputError(f"n_draws={n_draws!r} is not accepted; expected a whole number >= 10")
    key = (cut, n_draws, seed, members._stamp())
    if key in _forecasts:
        return _forecasts[key]
    settings = load_settings()
    core = members.maker(members.CORE, settings)(cut, n_draws=n_draws, seed=seed)
    # the same for every briefing of a grid: kept once per data vintage and code version when
    # a results cache is set (dvcanalysis.cache)
    selection = cache.cached(
        "forecast_selection",
        {"cutoff": cut.isoformat(), "n_draws": n_draws, "seed": seed},
        lambda: ensemble.select(cut, settings, n_draws=n_draws, seed=seed),
    )
    chosen = {members.CORE: core}
    for name in selection.loc[selection["joined"], "candidate"]:
        chosen[name] = members.maker(name, settings)(cut, n_draws=n_draws, seed=seed)
    known = vintages.figures(cut)
    fc = Forecast(
        cutoff=cut,
        members=chosen,
        selection=selection,
        parameters={
            "cutoff": cut.isoformat(),
            "n_draws": n_draws,
            "seed": seed,
            "members": list(chosen),
            **{k: p.default for k, p in settings.parameters.items()},
        },
        _source_ids=sorted(set(known["source_id"])),
    )
    if len(_forecasts) > 64:
        _forecasts.clear()
    _forecasts[key] = fc
    return fc


def _default_maker(cutoff: date, *, n_draws: int = 1000, seed: int = 0) -> Forecast:
    return forecast(cutoff, n_draws=n_draws, seed=seed)


def evaluate(
    forecasters=None, *, n_draws: int = 1000, seed: int = 0, until: str | date | None = None
):
    """The rolling evaluation of the default forecast beside the baselines and candidates.

    Parameters
    ----------
    forecasters
        Names to score (default: ``default``, the baselines, calibrated persistence and every
        candidate of ``data/forecast.yml``).
    until
        Score the pairs resolved by this date (default: every figure).

    Returns
    -------
    dvcanalysis.evaluation.Evaluation
        One row per (forecaster, origin, later figure); ``relative_wis()``,
        ``by_segment()``, ``by_horizon()``, ``pit_histogram()``.
    """
    from dvcanalysis.evaluation.result import Evaluation
    from dvcanalysis.forecast import scoring_table

    settings = load_settings()
    names = list(forecasters) if forecasters else [DEFAULT, *COMPARED, *settings.candidates]
    pairs = vintages.pairs(until=until)
    if pairs.empty:
        raise InputError("evaluate: no data vintage has a later figure yet; nothing to score")
    scores, skipped = rolling.score_pairs(
        names, pairs, n_draws=n_draws, seed=seed, makers={DEFAULT: _default_maker}
    )
    makers = {DEFAULT: _default_maker}
    forecasts, brier = scoring_table.tables(scores, makers, n_draws=n_draws, seed=seed)
    return Evaluation(
        forecasts=forecasts,
        brier=brier,
        skipped=skipped,
        parameters={
            "scenario": DEFAULT,
            "forecasters": names,
            "baselines": list(members.BASELINES),
            "origins": [o.isoformat() for o in vintages.origins(until)],
            "n_draws": n_draws,
            "seed": seed,
            "period": "span",
            "data_as_of": vintages.figures()["period_end"].max().date().isoformat(),
        },
    )


def evaluate_cached(*, n_draws: int = 1000, seed: int = 0):
    """:func:`evaluate` of the default forecasters, computed once per data vintage and code
    version when a results cache is set (:mod:`dvcanalysis.cache`): the briefings' track
    records and notebook 06 read one evaluation."""
    return cache.cached(
        "evaluation",
        {"n_draws": n_draws, "seed": seed},
        lambda: evaluate(n_draws=n_draws, seed=seed),
    )


__all__ = [
    "DEFAULT",
    "FORECAST_TABLE_COLUMNS",
    "Forecast",
    "evaluate",
    "evaluate_cached",
    "forecast",
]
