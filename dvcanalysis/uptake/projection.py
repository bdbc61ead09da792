"""The result of :func:`~dvcanalysis.uptake.project`: the :class:`Projection` object.

Owns what a projection offers once computed: the long table (``to_df``), quantile paths
(``quantiles``, ``median``), the assumptions table, the official targets, sources and
provenance, and the fan chart (``plot``, delegated to :mod:`dvcanalysis.plots.uptake`);
plus the checking and naming of quantiles (:func:`check_quantiles`, :func:`quantile_name`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dvcanalysis import evidence
from dvcanalysis import targets as _targets  # targets never imports uptake: no cycle
from dvcanalysis.errors import InputError
from dvcanalysis.provenance import Provenance
from dvcanalysis.results import Result
from dvcanalysis.scenarios import Scenario
from dvcanalysis.uptake.calibration import PROXY_RATIO, TREND_PACE_RATIO
from dvcanalysis.uptake.inputs import INDICATOR
from dvcanalysis.uptake.records import Anchor, Calibration
from dvcanalysis.vocabulary import ROLE_AFTER_CUTOFF


@dataclass(kw_only=True, repr=False)
class Projection(Result):
    """A Monte Carlo projection of the fully-online share by segment.

    Attributes
    ----------
    scenario
        The :class:`~dvcanalysis.scenarios.Scenario` (with any overrides applied).
    years
        Integer years (end-of-year values), from the first year-end after the cut-off to the horizon.
    shares
        Segment -> array ``(n_draws, n_years)`` of shares (0-1).
    draws
        Assumption name -> the ``n_draws`` values drawn.
    observations
        Evidence rows of the indicator with their ``role`` (see :func:`observations`).
    parameters
        What produced it (scenario, curve, n_draws, seed, cutoff, horizon, prior pool, overrides).
    anchors
        Segment -> the :class:`~dvcanalysis.uptake.Anchor` its curve is anchored on.
    calibration
        The conditioning on national observations (see :func:`condition`), a
        :class:`~dvcanalysis.uptake.Calibration`.
    year_shares
        Segment -> array ``(n_draws, n_years)`` of each year's **full-year share** (the share
        of the year's dossiers, read as the level at mid-year; see ``data/README.md``): what
        a year's published figure and its target are compared with. None when not computed.
    """

    scenario: Scenario
    years: np.ndarray
    shares: dict[str, np.ndarray]
    draws: dict[str, np.ndarray]
    observations: pd.DataFrame
    parameters: dict[str, object]
    anchors: dict[str, Anchor] = field(default_factory=dict)
    calibration: Calibration = field(
        default_factory=lambda: Calibration(applied=False, reason="disabled")
    )
    year_shares: dict[str, np.ndarray] | None = None

    def summary(self) -> str:
        """Scenario, curve, draws, cut-off and projected years, e.g.
        ``business-as-usual (logistic), 1000 draws, cut-off 2024-12-31, 2025-2030``."""
        years = f"{int(self.years[0])}-{int(self.years[-1])}" if len(self.years) else "no years"
        return (
            f"{self.scenario.name} ({self.scenario.curve}), {self.n_draws} draws, "
            f"cut-off {self.parameters.get('cutoff')}, {years}"
        )

    @property
    def n_draws(self) -> int:
        return int(next(iter(self.shares.values())).shape[0])

    @property
    def segments(self) -> list[str]:
        return list(self.shares)

    @property
    def assumptions(self) -> pd.DataFrame:
        """Tidy table: ``name, value, distribution, default, low, high, unit, source, reason, description, used``."""
        curve = self.scenario.curve
        unused = {
            "linear": {"bass_p", "bass_q"},
            "logistic": {"bass_p", "bass_q"},
            "bass": {"base_year", "base_share"},
            "target-path": {
                "bass_p",
                "bass_q",
                "base_year",
                "base_share",
                "ceiling_share",
                "pace_multiplier",
                TREND_PACE_RATIO,
            },
        }[curve]
        if self.scenario.national != "mix" or not self.calibration.applied:
            unused = unused | {"national_observation_sd_share"}
        loc = self.anchors.get("localities")
        if loc is None or not loc.proxy:
            unused = unused | {PROXY_RATIO}
        rows = []
        for a in self.scenario.assumptions.values():
            rows.append(
                {
                    "name": a.name,
                    "value": a.describe(),
                    "distribution": a.distribution,
                    "default": a.default,
                    "low": a.low,
                    "high": a.high,
                    "unit": a.unit,
                    "source": a.source,
                    "reason": a.reason,
                    "description": a.description,
                    "used": a.name not in unused,
                }
            )
        return pd.DataFrame(rows)

    @property
    def targets(self) -> pd.DataFrame:
        """The official fully-online targets of the projected segments (see :func:`dvcanalysis.targets.official`)."""
        off = _targets.official(indicators=(INDICATOR,))
        return off[off["segment"].isin(self.segments)].reset_index(drop=True)

    @property
    def last_target_year(self) -> int | None:
        """The last deadline year of the official targets of the projected segments (None if none).

        The year headline texts and comparison tables report by default (instead of a fixed year).
        """
        t = self.targets
        return int(t["year"].max()) if len(t) else None

    @property
    def sources(self) -> list[str]:
        """Source ids behind the projection: observations used, targets, cited assumptions."""
        ev = evidence.load().set_index("id")
        ids = set()
        for s in self.scenario.sources:
            ids.add(ev.loc[s, "source_id"] if s in ev.index else s)
        used = self.observations[self.observations["role"] != ROLE_AFTER_CUTOFF]
        ids |= set(used["source_id"])
        for sid in self.targets["source_ids"]:
            ids |= set(sid.split(";"))
        return sorted(ids)

    def shares_at(self, times: Sequence[float] | np.ndarray) -> dict[str, np.ndarray]:
        """Shares ``(n_draws, len(times))`` per segment at decimal ``times``, for the kept draws.

        The kept draws' curves evaluated at the dates themselves (the curves are not straight
        between year ends), with the departures of :func:`~dvcanalysis.uptake.shocks.at_times`:
        at every date the same distribution as the year-end paths of
        :func:`~dvcanalysis.uptake.project` (each date's shock drawn with its own variance, from
        streams that depend only on the seed and the date). The forecast evaluation and :func:`backtest_projection` read a
        projection only through this method, so a projection type with its own rule (a
        baseline, :mod:`~dvcanalysis.uptake.baselines`) overrides it.
        """
        from dvcanalysis.uptake import shocks
        from dvcanalysis.uptake.inputs import all_segment_targets

        # montecarlo imports this module
        from dvcanalysis.uptake.montecarlo import shock_time, simulate

        t = np.asarray(times, dtype=float)
        tgt = all_segment_targets() if self.scenario.curve == "target-path" else {}
        out = simulate(self.scenario, t, self.anchors, self.draws, tgt)
        out = shocks.at_times(
            out,
            t,
            self.anchors,
            self.draws,
            shock_from=shock_time(self.scenario),
            national=self.scenario.national,
            seed=int(self.parameters.get("seed", 0)),
        )
        return {seg: out[seg] for seg in self.segments}

    def to_df(self) -> pd.DataFrame:
        """Long table ``draw, year, segment, share`` (share 0-1, end of year)."""
        n, k = self.n_draws, len(self.years)
        frames = [
            pd.DataFrame(
                {
                    "draw": np.repeat(np.arange(n), k),
                    "year": np.tile(self.years, n),
                    "segment": seg,
                    "share": arr.ravel(),
                }
            )
            for seg, arr in self.shares.items()
        ]
        return pd.concat(frames, ignore_index=True)

    def quantiles(self, qs: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Columns ``year, segment`` and one per quantile, named ``q05``, ``q50``, ``q95``... (shares).

        Raises
        ------
        InputError
            If ``qs`` is not a non-empty sequence of numbers within 0-1.
        """
        qs = check_quantiles(qs)
        frames = []
        for seg, arr in self.shares.items():
            qv = np.quantile(arr, qs, axis=0)
            d = {"year": self.years, "segment": seg}
            d.update({quantile_name(q): qv[i] for i, q in enumerate(qs)})
            frames.append(pd.DataFrame(d))
        return pd.concat(frames, ignore_index=True)

    def median(self) -> pd.DataFrame:
        """Columns ``scenario, year, segment, share`` (the median path)."""
        q = self.quantiles((0.5,)).rename(columns={"q50": "share"})
        q.insert(0, "scenario", self.scenario.name)
        return q

    def provenance(self) -> Provenance:
        """A :class:`~dvcanalysis.provenance.Provenance` for figures and tables of this projection."""
        return Provenance(
            sources=self.sources,
            parameters=dict(self.parameters),
            data_date=str(self.parameters["cutoff"]),
        )

    def plot(self, ax=None, *, lang: str = "vi", segment: str | None = None):
        """Fan chart (5-95% and 25-75% bands, median) with observations and targets.

        One panel per segment (or only ``segment``); returns the figure. See
        :func:`dvcanalysis.plots.uptake.fan_chart`.
        """
        from dvcanalysis.plots import uptake as uplot

        return uplot.fan_chart(
            self.quantiles((0.05, 0.25, 0.5, 0.75, 0.95)),
            self.observations,
            self.targets,
            segment=segment,
            lang=lang,
            ax=ax,
            provenance=self.provenance(),
            scenario=self.scenario.title[lang]
            if lang in self.scenario.title
            else self.scenario.name,
        )


def check_quantiles(qs: object, name: str = "qs") -> list[float]:
    """``qs`` as a list of floats, or :class:`InputError` naming the argument and what is accepted."""
    accepted = "expected a sequence of numbers within 0-1, e.g. (0.05, 0.5, 0.95)"
    if isinstance(qs, (str, bytes)) or not isinstance(qs, Sequence | np.ndarray) or len(qs) == 0:
        raise InputError(f"{name}={qs!r} is not accepted; {accepted}")
    out = []
    for q in qs:
        ok = isinstance(q, (int, float, np.integer, np.floating)) and not isinstance(
            q, (bool, np.bool_)
        )
        if not ok or not 0 <= float(q) <= 1:  # NaN fails the comparison
            raise InputError(f"{name}={tuple(qs)!r}: {q!r} is not accepted; {accepted}")
        out.append(float(q))
    return out


def quantile_name(q: float) -> str:
    """``0.05`` -> ``q05``, ``0.5`` -> ``q50``, ``0.025`` -> ``q025``."""
    pct = 100 * q
    return (
        f"q{int(round(pct)):02d}"
        if math.isclose(pct, round(pct))
        else "q" + f"{pct:g}".replace(".", "")
    )
