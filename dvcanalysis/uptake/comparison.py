"""Several scenarios side by side: :func:`compare` and its :class:`Comparison` result.

Every scenario is projected with the same seed (common random numbers) and reduced to
quantile paths; the result carries the union of the scenarios' sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from dvcanalysis import scenarios
from dvcanalysis.errors import InputError
from dvcanalysis.provenance import Provenance
from dvcanalysis.results import Result
from dvcanalysis.uptake.inputs import DEFAULT_CUTOFF
from dvcanalysis.uptake.montecarlo import project, resolve_scenario
from dvcanalysis.uptake.projection import check_quantiles


@dataclass(kw_only=True, repr=False)
class Comparison(Result):
    """Quantile paths of several scenarios (from :func:`compare`), with their own provenance.

    Attributes
    ----------
    frame
        ``scenario, year, segment`` and one column per quantile (``q05, q50, q95``...).
    names
        The scenarios compared, in order.
    source_ids
        Source ids behind any of the projections (the union; :attr:`sources` sorted).
    parameters
        ``scenarios`` (names joined by ``;``), ``n_draws``, ``seed``, ``cutoff``, ``horizon``.
    last_target_year
        The last deadline year of the official targets of the projected segments (None if none).
    """

    frame: pd.DataFrame
    names: list[str]
    source_ids: tuple[str, ...] = ()
    parameters: dict[str, object] = field(default_factory=dict)
    last_target_year: int | None = None

    @property
    def sources(self) -> list[str]:
        """Source ids behind any of the projections compared."""
        return sorted(set(self.source_ids))

    def summary(self) -> str:
        """E.g. ``2 scenarios (business-as-usual, stalled), 1000 draws, cut-off 2024-12-31``."""
        p = self.parameters
        return (
            f"{len(self.names)} scenarios ({', '.join(self.names)}), {p.get('n_draws')} draws, "
            f"cut-off {p.get('cutoff')}"
        )

    def to_df(self) -> pd.DataFrame:
        """The long frame ``scenario, year, segment, q05, q50, q95`` (shares, end of year)."""
        return self.frame.copy()

    def plot(self, ax=None, *, lang: str = "vi", segment: str | None = None, titles=None):
        """Median path of each scenario, one panel per segment (or only ``segment``); returns
        the figure. ``titles``: scenario name -> display title. See
        :func:`dvcanalysis.plots.uptake.compare_chart`."""
        from dvcanalysis.plots import uptake as uplot

        return uplot.compare_chart(self, titles=titles, segment=segment, lang=lang, ax=ax)

    def provenance(self) -> Provenance:
        """A :class:`~dvcanalysis.provenance.Provenance` for the comparison chart and table."""
        return Provenance(
            sources=list(self.sources),
            parameters=dict(self.parameters),
            data_date=str(self.parameters["cutoff"]),
        )


def compare(
    names: Sequence[str] | str | None = None,
    *,
    n_draws: int = 1000,
    seed: int = 0,
    cutoff: str | date | None = DEFAULT_CUTOFF,
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
        frame=pd.concat(frames, ignore_index=True),
        names=names,
        source_ids=tuple(sorted(sources)),
        parameters=parameters,
        last_target_year=last,
    )


# The modelling choices the evidence cannot settle: the shape of the curve (the reference notes
# offer more than one; Estonia's e-governance diffusion was linear, not S-shaped).
CURVE_CHOICES = ("logistic", "linear", "bass")


@dataclass(kw_only=True, repr=False)
class ChoiceRange(Result):
    """The probability of meeting each official target under several modelling choices.

    Attributes
    ----------
    frame
        ``segment, target_year, target_share, choice, probability`` (one row per target and
        choice) for the targets the projections cover.
    scenario
        The scenario projected under every choice.
    parameters
        ``scenario``, ``choices`` (joined by ``;``), ``n_draws``, ``seed``, ``cutoff``.
    source_ids
        Source ids behind any of the projections (the union; :attr:`sources` sorted).
    """

    frame: pd.DataFrame
    scenario: str
    parameters: dict[str, object] = field(default_factory=dict)
    source_ids: tuple[str, ...] = ()

    @property
    def sources(self) -> list[str]:
        """Source ids behind any of the projections."""
        return sorted(set(self.source_ids))

    def summary(self) -> str:
        """E.g. ``business-as-usual under logistic;linear;bass, 4 targets``."""
        n = len(self.frame[["segment", "target_year"]].drop_duplicates()) if len(self.frame) else 0
        return f"{self.scenario} under {self.parameters.get('choices')}, {n} targets"

    def provenance(self) -> Provenance:
        """Sources, the parameters and the cut-off of the projections."""
        return Provenance(
            sources=self.sources,
            parameters=dict(self.parameters),
            data_date=str(self.parameters["cutoff"]),
        )

    def plot(self, ax=None, *, lang: str = "vi", scenario_title: str = ""):
        """Each target's probability under each curve shape and the range between; returns
        the axes. See :func:`dvcanalysis.plots.uptake.choice_range_chart`."""
        from dvcanalysis.plots import uptake as uplot

        return uplot.choice_range_chart(
            self.frame,
            lang=lang,
            scenario=scenario_title or self.scenario,
            provenance=self.provenance(),
            ax=ax,
        )

    def to_df(self) -> pd.DataFrame:
        """One row per target: ``segment, target_year, target_share, probability_low,
        probability_high`` and one ``probability_<choice>`` column per choice."""
        wide = self.frame.pivot_table(
            index=["segment", "target_year", "target_share"],
            columns="choice",
            values="probability",
        )
        wide.columns = [f"probability_{c}" for c in wide.columns]
        wide["probability_low"] = wide.min(axis=1)
        wide["probability_high"] = wide.max(axis=1)
        return wide.reset_index()

    def for_target(self, segment: str, year: int) -> tuple[float, float]:
        """``(lowest, highest)`` probability of a segment's target of ``year`` across the choices."""
        sel = self.frame[(self.frame["segment"] == segment) & (self.frame["target_year"] == year)]
        if sel.empty:
            raise InputError(f"no target of {segment!r} in {year} among the projected years")
        return float(sel["probability"].min()), float(sel["probability"].max())


def choice_range(
    scenario: str = "business-as-usual",
    *,
    curves: Sequence[str] = CURVE_CHOICES,
    n_draws: int = 1000,
    seed: int = 0,
    cutoff: str | date | None = DEFAULT_CUTOFF,
    horizon: int = 2030,
) -> ChoiceRange:
    """Project ``scenario`` under each curve shape and collect the probability of every target.

    Where the probability of meeting a target depends on a choice the evidence cannot settle
    (the curve's shape), a single number would be overconfident: the briefing shows the range.
    Every projection uses the same seed (common random numbers). A scenario whose curve is
    ``target-path`` (a requirement, not a forecast) is projected as it is.

    Raises
    ------
    InputError
        For an unknown scenario or curve name, or a bad option.
    """
    from dvcanalysis import targets

    sc = resolve_scenario(scenario, None, None)
    choices = [sc.curve] if sc.curve == "target-path" else list(curves)
    for c in choices:
        if c not in scenarios.CURVES:
            raise InputError(
                f"curves: {c!r} is not accepted; expected some of: {', '.join(scenarios.CURVES)}"
            )
    rows, sources = [], set()
    for c in choices:
        proj = project(sc, n_draws=n_draws, seed=seed, cutoff=cutoff, horizon=horizon, curve=c)
        sources |= set(proj.sources)
        att = targets.attainment(proj).dropna(subset=["probability"])
        for r in att.itertuples(index=False):
            rows.append(
                {
                    "segment": r.segment,
                    "target_year": int(r.target_year),
                    "target_share": float(r.target_share),
                    "choice": c,
                    "probability": float(r.probability),
                }
            )
        cut = proj.parameters["cutoff"]
    params = {
        "scenario": sc.name,
        "choices": ";".join(choices),
        "n_draws": n_draws,
        "seed": seed,
        "cutoff": cut,
    }
    frame = pd.DataFrame(
        rows, columns=["segment", "target_year", "target_share", "choice", "probability"]
    )
    return ChoiceRange(
        frame=frame, scenario=sc.name, parameters=params, source_ids=tuple(sorted(sources))
    )
