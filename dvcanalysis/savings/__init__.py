"""Savings from fully-online dossiers: a standard cost model with uncertainty and a claims audit.

Standard Cost Model (International SCM Manual): cost = price x quantity, price = time x value of
time + out-of-pocket costs. For one dossier the model prices four components offline (at a
counter) and fully online; the saving per dossier is their difference, and the quantity is
total dossiers a year x fully-online share.

The official statement (seed003) says that at 70% fully online, 17.5 million dossiers a year are
processed online and about 2,600 billion VND of social cost is saved a year. The implied total
(17.5 million / 0.70 = 25 million dossiers) and saving per dossier (2,600 billion / 17.5 million
= about 148,571 VND) are derived here from the evidence rows named in ``data/savings.yml``.

How the per-dossier saving splits into components is an assumption (``data/savings.yml``). By
default the bottom-up components are scaled by one factor, fixed at the default assumptions over
all components, so that the reference case holds exactly; the unscaled bottom-up total is
reported beside it.

Random draws (Monte Carlo, Sobol) come from their own stream,
``numpy.random.default_rng(numpy.random.SeedSequence([seed, RNG_STREAM]))``, so that for the
same ``seed`` they are independent of the uptake projection's draws (``default_rng(seed)``).

Everything is re-exported here; each concept lives in its own module:

``config``
    strict loading of ``data/savings.yml`` (:func:`load_config`), evidence-id resolution, unit
    limits, and the official reference case (:func:`reference`).
``model``
    the cost model: component costs, calibration, :func:`estimate`, parameter values and
    overrides, argument checks, the random stream (:func:`rng`, :data:`RNG_STREAM`).
``uncertainty_analysis``
    :func:`draw_parameters`, :func:`uncertainty` (Monte Carlo), :func:`tornado`,
    :func:`sobol_indices` / :func:`sensitivity` (SALib, imported only when called).
``trajectory``
    :func:`over_time`: savings along an uptake projection.
``audit``
    :func:`claims_audit`: official claims recomputed against the reference.

(The modules are not named ``uncertainty`` and ``over_time`` because those names are the
functions re-exported here.) The names here are bindings to the modules' objects: to replace
one in a test, patch it in the module that reads it (for example
``dvcanalysis.savings.model.reference``), not here.

Examples
--------
>>> from dvcanalysis import savings
>>> r = savings.estimate(0.70)
>>> round(r.dossiers_online), round(r.savings_vnd / 1e9)
(17500000, 2600)
"""

from __future__ import annotations

from dvcanalysis import evidence, paths
from dvcanalysis.errors import InputError, Problem
from dvcanalysis.savings.audit import AGREE_RATIO, claims_audit
from dvcanalysis.savings.config import (
    MOVED,
    PARAM_FIELDS,
    PARAM_OPTIONAL,
    REFERENCE_KEYS,
    SECTIONS,
    UNIT_LIMITS,
    Config,
    Parameter,
    Reference,
    load_config,
    reference,
)
from dvcanalysis.savings.model import (
    COMPONENTS,
    RNG_STREAM,
    Estimate,
    SavingsResult,
    bottom_up_saving,
    component_costs,
    estimate,
    notebook_inputs,
    parameter_overrides,
    parameter_values,
    rng,
)
from dvcanalysis.savings.trajectory import OverTime, over_time
from dvcanalysis.savings.uncertainty_analysis import (
    QUANTILES,
    Sobol,
    Tornado,
    Uncertainty,
    draw_parameters,
    sensitivity,
    sobol_indices,
    tornado,
    uncertain_names,
    uncertainty,
)

__all__ = [
    "AGREE_RATIO",
    "COMPONENTS",
    "MOVED",
    "PARAM_FIELDS",
    "PARAM_OPTIONAL",
    "QUANTILES",
    "REFERENCE_KEYS",
    "RNG_STREAM",
    "SECTIONS",
    "UNIT_LIMITS",
    "Config",
    "Estimate",
    "InputError",
    "OverTime",
    "Parameter",
    "Problem",
    "Reference",
    "SavingsResult",
    "Sobol",
    "Tornado",
    "Uncertainty",
    "bottom_up_saving",
    "claims_audit",
    "component_costs",
    "draw_parameters",
    "estimate",
    "evidence",
    "load_config",
    "notebook_inputs",
    "over_time",
    "parameter_overrides",
    "parameter_values",
    "paths",
    "reference",
    "rng",
    "sensitivity",
    "sobol_indices",
    "tornado",
    "uncertain_names",
    "uncertainty",
]
