"""Uptake curves, calibration with a cut-off, and Monte Carlo projections.

The fully-online share of dossiers is projected for ``ministries``,
``localities`` and ``national`` (the volume-weighted mix of the two, or its own
observations). A year's value is the share at the end of that year; time is a
decimal year where the end of year ``Y`` is ``Y + 1.0``.

Curves (choose with the scenario's ``curve`` or ``project(..., curve=...)``):

``linear``
    A straight line through the base level and the latest observation, capped at
    the ceiling. Estonia's e-governance uptake was linear, not S-shaped
    (Solvak et al. 2019, source ``ref_solvak_2019``).
``logistic``
    An S-curve with ceiling ``m`` through the same two points:
    ``s(t) = m / (1 + exp(-(y_a + k (t - t_a))))`` with ``y = logit(s / m)``.
``bass``
    Bass diffusion, ``F(t) = m (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})``, with p, q
    drawn from their literature ranges (p about 0.03, often below 0.01; q about 0.38,
    typically 0.3-0.5; source ``ref_bass``) and the start time solved so that the curve
    passes through the latest observation.
``target-path``
    Piecewise-linear from the latest observation through each official target at the end
    of its year, then flat: what meeting the targets requires.

After the anchor (the latest observation) every curve but ``target-path`` runs
``trend_pace_ratio`` times its calibrated pace (drawn per draw; 1 = the long-run trend from
the base to the anchor continues), composed with the scenario's ``pace_multiplier`` from
``pace_from`` (:func:`effective_time`); the history up to the anchor is unchanged.

The evidence is thin: localities have one fully-online observation, national a few
from a secondary source, ministries none. Everything else is a named assumption of
the scenario (``data/scenarios/*.yml``), and the Monte Carlo draws each over its
range so that intervals are wide where the evidence is thin. All draws are computed
at once with numpy (arrays of shape ``(n_draws, n_years)``).

National observations up to the cut-off condition the draws (sampling-importance-
resampling): a pool of ``4 * n_draws`` prior draws is weighted by a normal likelihood
of each national observation given the draw's volume-weighted national mix at its
date (standard deviation ``national_observation_sd_share``, for definition and
coverage differences), and ``n_draws`` are resampled in proportion to the weights.
The effective sample size of the weights is reported in ``Projection.calibration``
(a :class:`Calibration`); each segment's anchor in ``Projection.anchors`` (an :class:`Anchor`).

The package is split by concept; every public name is re-exported here (``__all__``), so
``uptake.project``, ``uptake.Projection``, ``uptake.DEFAULT_CUTOFF``... are the same
objects as in the submodule that owns them:

:mod:`~dvcanalysis.uptake.curves`
    The curve formulas and the per-draw calibrated curve (numpy only).
:mod:`~dvcanalysis.uptake.inputs`
    Cut-off, observations, official targets, and the load caches.
:mod:`~dvcanalysis.uptake.calibration`
    Assumption draws, anchors per draw, national likelihood, importance resampling.
:mod:`~dvcanalysis.uptake.records`
    The typed records of a projection: :class:`Anchor`, :class:`Calibration`.
:mod:`~dvcanalysis.uptake.projection`
    The :class:`Projection` result (tables, quantiles, provenance, plot).
:mod:`~dvcanalysis.uptake.montecarlo`
    :func:`project` and its vectorized core (:func:`sample`, :func:`simulate`).
:mod:`~dvcanalysis.uptake.comparison`
    :func:`compare` and :class:`Comparison`.
:mod:`~dvcanalysis.uptake.backtesting`
    :func:`backtest`, :func:`backtests`, :func:`backtest_projection` and their
    :class:`Backtest` result.
:mod:`~dvcanalysis.uptake.baselines`
    The naive baselines (:func:`baseline`, :class:`BaselineProjection`).

Module-level constants are read by the submodule that defines them: to change one for a
test, patch it there (``monkeypatch.setattr(uptake.montecarlo, "POOL_FACTOR", ...)``), not
on this package. The load caches live in :mod:`~dvcanalysis.uptake.inputs`, keyed on the
files' contents or stamps.

Examples
--------
>>> from dvcanalysis import uptake
>>> proj = uptake.project("business-as-usual", n_draws=1000, seed=0)  # doctest: +SKIP
>>> proj.quantiles((0.05, 0.5, 0.95))  # doctest: +SKIP
"""

from __future__ import annotations

from dvcanalysis.uptake.backtesting import (
    BACKTEST_COLUMNS,
    BACKTESTS,
    Backtest,
    backtest,
    backtest_projection,
    backtests,
)
from dvcanalysis.uptake.baselines import BASELINES, BaselineProjection, baseline
from dvcanalysis.uptake.calibration import (
    LATE_DRAWS,
    PROXY_RATIO,
    TREND_PACE_RATIO,
    calibrate_segments,
    condition,
    condition_calibrated,
    draw_assumptions,
    implied_ministries_share,
    national_log_likelihood,
    resample_indices,
    segment_columns,
)
from dvcanalysis.uptake.comparison import (
    CURVE_CHOICES,
    ChoiceRange,
    Comparison,
    choice_range,
    compare,
)
from dvcanalysis.uptake.curves import (
    FLOOR_SHARE,
    CalibratedCurve,
    bass_cdf,
    bass_time_to,
    curve_paths,
    effective_time,
    end_of_year,
    linear_through,
    logistic_through,
    stack_columns,
    target_path,
)
from dvcanalysis.uptake.inputs import (
    DEFAULT_CUTOFF,
    INDICATOR,
    SEGMENTS,
    all_segment_targets,
    last_target_year,
    latest_observation,
    load_scenario,
    observations,
    parse_cutoff,
    segment_targets,
)
from dvcanalysis.uptake.montecarlo import (
    ANCHOR_ROLE,
    LIKELIHOOD_ROLE,
    LOW_ESS_SHARE,
    MAX_HORIZON,
    POOL_FACTOR,
    PROXY_ANCHOR_ROLE,
    check_run,
    choose_anchors,
    project,
    resolve_scenario,
    sample,
    shock_rng,
    shock_time,
    simulate,
)
from dvcanalysis.uptake.projection import Projection, check_quantiles, quantile_name
from dvcanalysis.uptake.records import CALIBRATION_REASONS, Anchor, Calibration

__all__ = [
    "ANCHOR_ROLE",
    "BACKTESTS",
    "BACKTEST_COLUMNS",
    "BASELINES",
    "CALIBRATION_REASONS",
    "CURVE_CHOICES",
    "DEFAULT_CUTOFF",
    "FLOOR_SHARE",
    "INDICATOR",
    "LATE_DRAWS",
    "LIKELIHOOD_ROLE",
    "LOW_ESS_SHARE",
    "MAX_HORIZON",
    "POOL_FACTOR",
    "PROXY_ANCHOR_ROLE",
    "PROXY_RATIO",
    "SEGMENTS",
    "TREND_PACE_RATIO",
    "Anchor",
    "Backtest",
    "BaselineProjection",
    "Calibration",
    "CalibratedCurve",
    "ChoiceRange",
    "Comparison",
    "Projection",
    "all_segment_targets",
    "backtest",
    "backtest_projection",
    "backtests",
    "baseline",
    "bass_cdf",
    "bass_time_to",
    "calibrate_segments",
    "check_quantiles",
    "check_run",
    "choice_range",
    "choose_anchors",
    "compare",
    "condition",
    "condition_calibrated",
    "curve_paths",
    "draw_assumptions",
    "effective_time",
    "end_of_year",
    "implied_ministries_share",
    "last_target_year",
    "latest_observation",
    "linear_through",
    "load_scenario",
    "logistic_through",
    "national_log_likelihood",
    "observations",
    "parse_cutoff",
    "project",
    "quantile_name",
    "resample_indices",
    "resolve_scenario",
    "sample",
    "segment_columns",
    "segment_targets",
    "shock_rng",
    "shock_time",
    "simulate",
    "stack_columns",
    "target_path",
]
