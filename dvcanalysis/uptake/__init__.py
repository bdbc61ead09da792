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
The effective sample size of the weights is reported in ``Projection.calibration``.

The package is split by concept; every name is re-exported here, so
``uptake.project``, ``uptake.Projection``, ``uptake.DEFAULT_CUTOFF``... are the same
objects as in the submodule that owns them:

:mod:`~dvcanalysis.uptake.curves`
    The curve formulas and the per-draw calibrated curve (numpy only).
:mod:`~dvcanalysis.uptake.inputs`
    Cut-off, observations, official targets, and the load caches.
:mod:`~dvcanalysis.uptake.calibration`
    Assumption draws, anchors per draw, national likelihood, importance resampling.
:mod:`~dvcanalysis.uptake.projection`
    The :class:`Projection` result (tables, quantiles, provenance, plot).
:mod:`~dvcanalysis.uptake.montecarlo`
    :func:`project` and its vectorized core (:func:`sample`, :func:`simulate`).
:mod:`~dvcanalysis.uptake.comparison`
    :func:`compare` and :class:`Comparison`.
:mod:`~dvcanalysis.uptake.backtesting`
    :func:`backtest`, :func:`backtests`, :func:`backtest_projection`.

Module-level constants are read by the submodule that defines them: to change one for a
test, patch it there (``monkeypatch.setattr(uptake.montecarlo, "POOL_FACTOR", ...)``), not
on this package. The caches (``_scenario_cache``, ``_observations_cache``) are the same
dict objects here and in :mod:`~dvcanalysis.uptake.inputs`, so ``.clear()`` works on either.

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
    backtest,
    backtest_projection,
    backtests,
)
from dvcanalysis.uptake.calibration import (
    LATE_DRAWS,
    PROXY_RATIO,
    TREND_PACE_RATIO,
    condition,
    draw_assumptions,
    implied_ministries_share,
    national_log_likelihood,
    resample_indices,
)
from dvcanalysis.uptake.calibration import _calibrate_segments as _calibrate_segments
from dvcanalysis.uptake.calibration import _condition_calibrated as _condition_calibrated
from dvcanalysis.uptake.calibration import _log_likelihood as _log_likelihood
from dvcanalysis.uptake.calibration import _Picker as _Picker
from dvcanalysis.uptake.calibration import _resample as _resample
from dvcanalysis.uptake.calibration import _segment_columns as _segment_columns
from dvcanalysis.uptake.comparison import (
    CURVE_CHOICES,
    ChoiceRange,
    Comparison,
    choice_range,
    compare,
)
from dvcanalysis.uptake.curves import _BELOW_CEILING as _BELOW_CEILING
from dvcanalysis.uptake.curves import _FLOOR_SHARE as _FLOOR_SHARE
from dvcanalysis.uptake.curves import _Calibrated as _Calibrated
from dvcanalysis.uptake.curves import _stack as _stack
from dvcanalysis.uptake.curves import (
    bass_cdf,
    bass_time_to,
    curve_paths,
    effective_time,
    end_of_year,
    linear_through,
    logistic_through,
    target_path,
)
from dvcanalysis.uptake.inputs import _CACHE_SIZE as _CACHE_SIZE
from dvcanalysis.uptake.inputs import (
    DEFAULT_CUTOFF,
    INDICATOR,
    SEGMENTS,
    last_target_year,
    observations,
    parse_cutoff,
    segment_targets,
)
from dvcanalysis.uptake.inputs import _all_segment_targets as _all_segment_targets
from dvcanalysis.uptake.inputs import _binding_targets as _binding_targets
from dvcanalysis.uptake.inputs import _decimal as _decimal
from dvcanalysis.uptake.inputs import _evidence_stamp as _evidence_stamp
from dvcanalysis.uptake.inputs import _latest as _latest
from dvcanalysis.uptake.inputs import _load_scenario as _load_scenario
from dvcanalysis.uptake.inputs import _observations_cache as _observations_cache
from dvcanalysis.uptake.inputs import _path_targets as _path_targets
from dvcanalysis.uptake.inputs import _remember as _remember
from dvcanalysis.uptake.inputs import _scenario_cache as _scenario_cache
from dvcanalysis.uptake.montecarlo import _MAX_DRAWS as _MAX_DRAWS
from dvcanalysis.uptake.montecarlo import (
    ANCHOR_ROLE,
    LIKELIHOOD_ROLE,
    LOW_ESS_SHARE,
    MAX_HORIZON,
    POOL_FACTOR,
    PROXY_ANCHOR_ROLE,
    project,
    sample,
    simulate,
)
from dvcanalysis.uptake.montecarlo import _check_int as _check_int
from dvcanalysis.uptake.montecarlo import _resolve as _resolve
from dvcanalysis.uptake.projection import Projection, check_quantiles, quantile_name

__all__ = [
    "ANCHOR_ROLE",
    "BACKTESTS",
    "BACKTEST_COLUMNS",
    "DEFAULT_CUTOFF",
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
    "Comparison",
    "Projection",
    "backtest",
    "backtest_projection",
    "backtests",
    "bass_cdf",
    "bass_time_to",
    "check_quantiles",
    "compare",
    "choice_range",
    "ChoiceRange",
    "CURVE_CHOICES",
    "condition",
    "curve_paths",
    "draw_assumptions",
    "effective_time",
    "end_of_year",
    "implied_ministries_share",
    "last_target_year",
    "linear_through",
    "logistic_through",
    "national_log_likelihood",
    "observations",
    "parse_cutoff",
    "project",
    "quantile_name",
    "resample_indices",
    "sample",
    "segment_targets",
    "simulate",
    "target_path",
]
