"""Several scenarios side by side: :func:`compare` and its :class:`Comparison` result.

Every scenario is projected with the same seed (common random numbers) and reduced to
quantile paths; the result carries the union of the scenarios' sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dvcanalysis import scenarios
from dvcanalysis.errors import InputError
from dvcanalysis.uptake.inputs import DEFAULT_CUTOFF
from dvcanalysis.uptake.montecarlo import project
from dvcanalysis.uptake.projection import check_quantiles


@dataclass
class Comparison:
    """Quantile paths of several scenarios (from :func:`compare`), with their own provenance.

    Attributes
    ----------
    frame
        ``scenario, year, segment`` and one column per quantile (``q05, q50, q95``...).
    names
        The scenarios compared, in order.
    sources
        Source ids behind any of the projections (the union).
    parameters
        ``scenarios`` (names joined by ``;``), ``n_draws``, ``seed``, ``cutoff``, ``horizon``.
    last_target_year
        The last deadline year of the official targets of the projected segments (None if none).
    """

    frame: pd.DataFrame
    names: list[str]
    sources: list[str]
    parameters: dict[str, object]
    last_target_year: int | None = None

    def to_df(self) -> pd.DataFrame:
        """The long frame ``scenario, year, segment, q05, q50, q95`` (shares, end of year)."""
        return self.frame.copy()

    def provenance(self):
        """A :class:`~dvcanalysis.provenance.Provenance` for the comparison chart and table."""
        from dvcanalysis.provenance import Provenance

        return Provenance(sources=list(self.sources), parameters=dict(self.parameters))


def compare(
    names: Sequence[str] | str | None = None,
    *,
    n_draws: int = 1000,
    seed: int = 0,
    cutoff: str | date = DEFAULT_CUTOFF,
    horizon: int = 2030,
    qs: Sequence[float] = (0.05, 0.5, 0.95),
    curve: str | None = None,
) -> Comparison:
    """Quantile paths of several scenarios, with the same seed in each (common random numbers).

    Parameters
    ----------
    names
        Scenario names (default: every scenario in ``data/scenarios/``); one name may be given as text.
    n_draws, seed, cutoff, horizon, curve
        As for :func:`project`, used for every scenario (``curve``: None keeps each
        scenario's own; an earlier cut-off may need ``"bass"``).
    qs
        Quantiles to report (numbers within 0-1).

    Returns
    -------
    Comparison
        ``.to_df()`` gives ``scenario, year, segment, q05, q50, q95``; ``.provenance()`` the
        union of the scenarios' sources and the parameters.

    Raises
    ------
    InputError
        For no scenario, an unknown one, or a bad option (as :func:`project`).
    """
    qs = check_quantiles(qs)
    if names is None:
        names = scenarios.names()
    elif isinstance(names, str):
        names = [names]
    elif isinstance(names, Sequence) and all(isinstance(n, str) for n in names):
        names = list(names)
    else:
        raise InputError(
            f"names={names!r} is not accepted; expected a list of scenario names ({', '.join(scenarios.names())})"
        )
    if not names:
        raise InputError(
            f"names={names!r} is not accepted; expected at least one scenario name ({', '.join(scenarios.names())})"
        )
    frames, sources, params = [], set(), {}
    for name in names:
        proj = project(
            name, n_draws=n_draws, seed=seed, cutoff=cutoff, horizon=horizon, curve=curve
        )
        q = proj.quantiles(qs)
        q.insert(0, "scenario", name)
        frames.append(q)
        sources |= set(proj.sources)
        params = proj.parameters
        last = proj.last_target_year
    parameters = {
        "scenarios": ";".join(names),
        "n_draws": params["n_draws"],
        "seed": params["seed"],
        "cutoff": params["cutoff"],
        "horizon": params["horizon"],
    }
    if curve is not None:
        parameters["curve"] = curve
    return Comparison(
        pd.concat(frames, ignore_index=True), names, sorted(sources), parameters, last
    )
