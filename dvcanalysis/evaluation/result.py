"""The result of :func:`~dvcanalysis.evaluation.evaluate`: the :class:`Evaluation` object.

Owns the tables an evaluation offers once its forecasts are scored: the per-forecast table
(``to_df``), the scores by forecaster and segment with the skill against persistence
(``by_segment``), the scores by origin (``by_origin``), sources and provenance, and the figure
(``plot``, delegated to :mod:`dvcanalysis.plots.evaluation`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from dvcanalysis.evaluation import scoring
from dvcanalysis.provenance import Provenance
from dvcanalysis.results import Result, check_own_figure
from dvcanalysis.uptake.inputs import SEGMENTS, observations

# The baseline that skill scores are measured against.
REFERENCE = "persistence"
FORECAST_COLUMNS = (
    "model",
    "kind",
    "origin",
    "segment",
    "id",
    "period",
    "period_start",
    "period_end",
    "lead_years",
    "own_observation",
    "observed",
    *scoring.SCORE_COLUMNS,
    "source_id",
)
BRIER_COLUMNS = (
    "model",
    "kind",
    "origin",
    "segment",
    "id",
    "target_year",
    "target_share",
    "probability",
    "observed",
    "outcome",
    "brier",
)
SUMMARY_COLUMNS = (
    "model",
    "kind",
    "segment",
    "n_forecasts",
    "n_origins",
    "coverage50",
    "coverage90",
    "mean_crps_share",
    "mean_wis_share",
    "mean_abs_error_share",
    "crps_skill",
    "relative_wis",
    "n_brier",
    "mean_brier",
)
SKIPPED_COLUMNS = ("origin", "model", "reason")


def all_observations() -> pd.DataFrame:
    """Every fully-online observation of the evidence, whatever its date
    (:func:`~dvcanalysis.uptake.observations` with no cut-off before it)."""
    return observations(cutoff=date.max)


@dataclass(kw_only=True, repr=False)
class Evaluation(Result):
    """Scored forecasts of the model and the baselines over rolling origins.

    Attributes
    ----------
    forecasts
        One row per (forecaster, origin, later observation): :data:`FORECAST_COLUMNS`
        (``model`` is the scenario's name or the baseline's; ``kind`` ``model`` or
        ``baseline``; ``lead_years`` from the origin to the period's end; ``own_observation``
        whether the segment had an observation of its own up to the origin; shares 0-1;
        scores in share units, lower is better).
    brier
        One row per (forecaster, origin, official target whose deadline has an observation):
        :data:`BRIER_COLUMNS` (``probability`` of meeting the target, ``outcome`` 1 if the
        observation met it).
    skipped
        Origins left out, with the forecaster that could not be built and why.
    parameters
        What produced it (scenario, origins, baselines, n_draws, seed, period, data as of).
    """

    forecasts: pd.DataFrame
    brier: pd.DataFrame
    skipped: pd.DataFrame
    parameters: dict[str, object] = field(default_factory=dict)

    @property
    def models(self) -> list[str]:
        """Forecasters in display order: the model, then the baselines."""
        return list(dict.fromkeys(self.forecasts["model"])) if len(self.forecasts) else []

    @property
    def origins(self) -> list[str]:
        """The origins scored (ISO dates)."""
        return sorted(set(self.forecasts["origin"])) if len(self.forecasts) else []

    @property
    def sources(self) -> list[str]:
        """Source ids of the observations the forecasts were made from or scored on."""
        obs = all_observations()
        last = max(self.parameters.get("origins", []) or ["0000-01-01"])
        used = obs[obs["period_end"] <= pd.Timestamp(last)]["source_id"]
        return sorted(set(used) | set(self.forecasts.get("source_id", [])))

    def to_df(self) -> pd.DataFrame:
        """The per-forecast table (:attr:`forecasts`), a copy."""
        return self.forecasts.copy()

    def summary(self) -> str:
        """E.g. ``business-as-usual vs persistence, linear-trend: 5 origins, 120 forecasts``."""
        p = self.parameters
        return (
            f"{p.get('scenario')} vs {', '.join(p.get('baselines', [])) or 'no baseline'}: "
            f"{len(self.origins)} origins, {len(self.forecasts)} forecasts"
        )

    def by_segment(self, *, own_only: bool = False) -> pd.DataFrame:
        """By forecaster and segment (and ``all``): :data:`SUMMARY_COLUMNS`.

        With ``own_only``, only the forecasts of a segment that had an observation of its own
        at the origin count (where it had none, the baselines carry the national figure and the
        model its assumed ratios: a comparison of assumptions rather than of forecasts).

        ``coverage50``/``coverage90`` are the fractions (0-1) of observations inside the
        central 50%/90% bands (nominal 0.5 and 0.9); ``crps_skill`` is
        ``1 - mean CRPS / mean CRPS of persistence`` on the same forecasts (positive: better
        than persistence; NaN without persistence or when its mean CRPS is 0); ``mean_brier``
        over the target probabilities (NaN where no target's deadline has an observation).
        """
        f, b = self.forecasts, self.brier
        if own_only:
            f = f[f["own_observation"].astype(bool)]
            keep = set(zip(f["model"], f["origin"], f["id"], strict=True))
            mask = [k in keep for k in zip(b["model"], b["origin"], b["id"], strict=True)]
            b = b[np.asarray(mask, dtype=bool)]
        segs = ["all"] + [s for s in SEGMENTS if s in set(f["segment"])]
        rows = []
        for seg in segs:
            fs = f if seg == "all" else f[f["segment"] == seg]
            bs = b if seg == "all" else b[b["segment"] == seg]
            rel = self.relative_wis(segment=None if seg == "all" else seg) if len(fs) else {}
            ref = fs[fs["model"] == REFERENCE]["crps_share"]
            ref_mean = float(ref.mean()) if len(ref) else float("nan")
            for m in self.models:
                g = fs[fs["model"] == m]
                if g.empty:
                    continue
                gb = bs[bs["model"] == m]
                crps = float(g["crps_share"].mean())
                rows.append(
                    {
                        "model": m,
                        "kind": g["kind"].iloc[0],
                        "segment": seg,
                        "n_forecasts": len(g),
                        "n_origins": g["origin"].nunique(),
                        "coverage50": float(g["in50"].mean()),
                        "coverage90": float(g["in90"].mean()),
                        "mean_crps_share": crps,
                        "mean_wis_share": float(g["wis_share"].mean()),
                        "mean_abs_error_share": float(g["abs_error_share"].mean()),
                        "crps_skill": 1.0 - crps / ref_mean
                        if ref_mean > 0 and math.isfinite(ref_mean)
                        else float("nan"),
                        "relative_wis": float(rel.get(m, float("nan"))),
                        "n_brier": len(gb),
                        "mean_brier": float(gb["brier"].mean()) if len(gb) else float("nan"),
                    }
                )
        return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))

    def relative_wis(self, *, segment: str | None = None) -> pd.Series:
        """Relative WIS of each forecaster against persistence (pairwise, geometric mean;
        :func:`dvcanalysis.forecast.rolling.relative_wis`), over all pairs or one segment's."""
        from dvcanalysis.forecast.rolling import relative_wis

        f = (
            self.forecasts
            if segment is None
            else self.forecasts[self.forecasts["segment"] == segment]
        )
        return relative_wis(f, REFERENCE)

    def by_horizon(
        self, *, edges_months: tuple[int, ...] = (0, 3, 6, 12, 24, 1200)
    ) -> pd.DataFrame:
        """Coverage, mean WIS and relative WIS by forecaster and horizon band (months from the
        origin to the end of the figure's period): ``model, horizon, n_forecasts, coverage50,
        coverage90, mean_wis_share, relative_wis``."""
        f = self.forecasts.copy()
        if f.empty:
            return pd.DataFrame(
                columns=[
                    "model",
                    "horizon",
                    "n_forecasts",
                    "coverage50",
                    "coverage90",
                    "mean_wis_share",
                    "relative_wis",
                ]
            )
        months = 12 * f["lead_years"].astype(float)
        labels = [
            f"{a}-{b}" if b < 1200 else f"{a}+"
            for a, b in zip(edges_months[:-1], edges_months[1:], strict=True)
        ]
        f["horizon"] = pd.cut(
            months, bins=list(edges_months), labels=labels, right=True, include_lowest=True
        ).astype(str)
        rows = []
        for h in labels:
            g = f[f["horizon"] == h]
            if g.empty:
                continue
            from dvcanalysis.forecast.rolling import relative_wis

            rel = relative_wis(g, REFERENCE)
            for m in self.models:
                gm = g[g["model"] == m]
                if gm.empty:
                    continue
                rows.append(
                    {
                        "model": m,
                        "horizon": h,
                        "n_forecasts": len(gm),
                        "coverage50": float(gm["in50"].mean()),
                        "coverage90": float(gm["in90"].mean()),
                        "mean_wis_share": float(gm["wis_share"].mean()),
                        "relative_wis": float(rel.get(m, float("nan"))),
                    }
                )
        return pd.DataFrame(rows)

    def pit_histogram(self, *, bins: int = 5) -> pd.DataFrame:
        """The PIT histogram by forecaster: ``model, bin_low, bin_high, fraction`` (uniform
        ``1 / bins`` for a calibrated forecaster)."""
        edges = np.linspace(0, 1, bins + 1)
        rows = []
        for m in self.models:
            pit = self.forecasts.loc[self.forecasts["model"] == m, "pit"].to_numpy(float)
            counts, _ = np.histogram(np.clip(pit, 0, 1), bins=edges)
            for i in range(bins):
                rows.append(
                    {
                        "model": m,
                        "bin_low": edges[i],
                        "bin_high": edges[i + 1],
                        "fraction": counts[i] / max(len(pit), 1),
                    }
                )
        return pd.DataFrame(rows)

    def by_origin(self) -> pd.DataFrame:
        """Mean scores by forecaster and origin: ``model, origin, n_forecasts,
        mean_crps_share, mean_wis_share, coverage90``."""
        f = self.forecasts
        if f.empty:
            return pd.DataFrame(
                columns=[
                    "model",
                    "origin",
                    "n_forecasts",
                    "mean_crps_share",
                    "mean_wis_share",
                    "coverage90",
                ]
            )
        g = f.groupby(["model", "origin"], sort=False)
        out = g.agg(
            n_forecasts=("crps_share", "size"),
            mean_crps_share=("crps_share", "mean"),
            mean_wis_share=("wis_share", "mean"),
            coverage90=("in90", "mean"),
        ).reset_index()
        return out.sort_values(["origin"], kind="stable").reset_index(drop=True)

    def provenance(self) -> Provenance:
        """A :class:`~dvcanalysis.provenance.Provenance` for figures and tables of it."""
        keep = ("scenario", "origins", "baselines", "n_draws", "seed", "period")
        return Provenance(
            sources=self.sources,
            parameters={k: self.parameters[k] for k in keep if k in self.parameters},
        )

    def plot(self, ax=None, *, lang: str = "vi"):
        """PIT histogram, coverage at 50% and 90%, and mean CRPS by origin, one panel each, on
        a figure of its own (``ax`` must be None); returns the figure.

        See :func:`dvcanalysis.plots.evaluation.evaluation_chart`.
        """
        from dvcanalysis.plots import evaluation as eplot

        check_own_figure(self, ax)
        return eplot.evaluation_chart(
            self.forecasts,
            self.by_segment(),
            self.by_origin(),
            lang=lang,
            provenance=self.provenance(),
        )
