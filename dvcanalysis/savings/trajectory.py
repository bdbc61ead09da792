"""Savings along an uptake projection: yearly, discounted and cumulative, draw by draw.

Owns :class:`OverTime` and :func:`over_time`, and the handling of the projection they take:
its table (:func:`_projection_frame`), its fully-online shares by draw and year for one segment
or for ministries and localities combined with the projection's own volume-share draws
(:func:`_projection_shares`, :func:`_volume_share_draws`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dvcanalysis import evidence
from dvcanalysis.errors import InputError
from dvcanalysis.results import check_own_figure
from dvcanalysis.savings.config import UNIT_LIMITS, Config, load_config, reference
from dvcanalysis.savings.model import (
    SavingsResult,
    bottom_up_saving,
    check_nonneg,
    check_share,
    check_total_dossiers,
    estimate,
    parameter_values,
)
from dvcanalysis.savings.uncertainty_analysis import draw_parameters, quantile_frame


@dataclass(kw_only=True, repr=False)
class OverTime(SavingsResult):
    """Savings along an uptake projection (see :func:`over_time`); ``draws`` is the draw-level
    table (``to_df(draws=True)``)."""

    draws: pd.DataFrame

    def summary(self) -> str:
        years = self.draws["year"]
        span = f"{int(years.min())}-{int(years.max())}" if len(years) else "no years"
        return (
            f"{self.parameters.get('segment')}, {span}, "
            f"{self.draws['draw'].nunique()} draws, seed {self.parameters.get('seed')}"
        )

    def plot(self, ax=None, *, lang: str = "vi"):
        """Yearly and cumulative discounted savings, median and 5-95% band, in two panels
        (:func:`dvcanalysis.plots.savings.over_time`); returns the figure."""
        check_own_figure(self, ax)
        from dvcanalysis.plots import savings as ps

        return ps.over_time(self, lang=lang, provenance=self.provenance())

    def to_df(self, *, draws: bool = False) -> pd.DataFrame:
        """Quantiles by year (default) or the draw-level table.

        Quantile table columns: ``year, measure, unit, mean, q05, q50, q95``; measures
        ``share``, ``dossiers_online``, ``savings_vnd`` (yearly), ``discounted_savings_vnd`` and
        ``cumulative_savings_vnd`` (discounted, summed from the first year).
        """
        if draws:
            return self.draws.copy()
        units = {
            "share": "share",
            "dossiers_online": "count_per_year",
            "savings_vnd": "vnd_per_year",
            "discounted_savings_vnd": "vnd_per_year",
            "cumulative_savings_vnd": "vnd",
        }
        frames = []
        for year, g in self.draws.groupby("year", sort=True):
            q = quantile_frame({m: g[m].to_numpy() for m in units}, units)
            q.insert(0, "year", year)
            frames.append(q)
        return pd.concat(frames, ignore_index=True)


_PROJECTION_CONTRACT = (
    "an object with .to_df() returning a long table with columns draw, year, segment, share "
    "(for example dvcanalysis.uptake.project(...))"
)


def _projection_frame(projection: object) -> pd.DataFrame:
    """``projection.to_df()``, or an InputError naming the argument and what is accepted."""
    to_df = getattr(projection, "to_df", None)
    if not callable(to_df):
        shown = (
            repr(projection)
            if projection is None or isinstance(projection, (str, int, float))
            else "an object"
        )
        raise InputError(
            f"projection={shown} of type {type(projection).__name__} is not accepted; "
            f"expected {_PROJECTION_CONTRACT}"
        )
    df = to_df()
    if not isinstance(df, pd.DataFrame):
        raise InputError(
            f"projection.to_df() returned {type(df).__name__}; expected a pandas DataFrame "
            "with columns draw, year, segment, share"
        )
    return df


def _volume_share_draws(projection: object) -> pd.Series | None:
    """The projection's own ``ministries_volume_share`` per draw (index: draw), if it has them.

    :class:`dvcanalysis.uptake.Projection` keeps every assumption's draws in ``.draws``
    (name -> array of ``n_draws``, in the order of ``to_df()``'s ``draw`` 0, 1, ...).
    """
    draws = getattr(projection, "draws", None)
    if not isinstance(draws, Mapping) or "ministries_volume_share" not in draws:
        return None
    w = np.asarray(draws["ministries_volume_share"], dtype=float)
    if w.ndim != 1 or not np.all((w >= 0) & (w <= 1)):
        raise InputError(
            "projection.draws['ministries_volume_share'] is not accepted; expected one share "
            "(0-1) per draw"
        )
    return pd.Series(w, index=np.arange(len(w)))


def _projection_shares(
    df: pd.DataFrame, segment: str | None, weights: pd.Series | None
) -> tuple[pd.DataFrame, str]:
    need = {"draw", "year", "segment", "share"}
    missing = need - set(df.columns)
    if missing:
        raise InputError(
            f"projection.to_df() lacks column(s) {', '.join(sorted(missing))}; expected columns draw, year, segment, share"
        )
    segs = sorted(set(df["segment"]))
    can_combine = {"ministries", "localities"} <= set(segs)
    if segment is None:
        if "national" in segs:
            segment = "national"
        elif can_combine:
            segment = "combined"
        else:
            raise InputError(
                f"projection segments {segs} cannot be combined; pass segment= one of them"
            )
    if segment == "combined":
        if not can_combine:
            raise InputError(
                f"segment='combined' needs ministries and localities in the projection; it has "
                f"{', '.join(segs)}"
            )
        if weights is None:
            raise InputError(
                "segment='combined' weights ministries and localities by the projection's own "
                "ministries_volume_share draws (projection.draws['ministries_volume_share']), "
                "which this projection lacks; pass segment= explicitly, one of: " + ", ".join(segs)
            )
        wide = (
            df[df["segment"].isin(["ministries", "localities"])]
            .pivot_table(index=["draw", "year"], columns="segment", values="share")
            .reset_index()
        )
        missing_draws = sorted(set(wide["draw"]) - set(weights.index))
        if missing_draws:
            raise InputError(
                f"projection.draws['ministries_volume_share'] has {len(weights)} values; "
                f"expected one per draw of projection.to_df() (draw {missing_draws[0]} has none)"
            )
        w = weights.loc[wide["draw"]].to_numpy()
        wide["share"] = w * wide["ministries"] + (1 - w) * wide["localities"]
        out = wide[["draw", "year", "share"]]
    else:
        if segment not in segs:
            raise InputError(
                f"segment={segment!r} is not in the projection; expected one of: {', '.join(segs)} or 'combined'"
            )
        out = df.loc[df["segment"] == segment, ["draw", "year", "share"]]
    out = out.sort_values(["draw", "year"]).reset_index(drop=True)
    if out["share"].isna().any() or not out["share"].between(0, 1).all():
        raise InputError("projection shares must be within 0-1 with no gaps")
    return out, segment


def over_time(
    projection,
    *,
    discount_rate: float | None = None,
    baseline_share: float | None = None,
    segment: str | None = None,
    total_dossiers: float | None = None,
    growth: float | None = None,
    uncertain: bool = True,
    seed: int = 0,
    calibration: str | float | None = None,
    config: Config | Path | str | None = None,
    **overrides: float,
) -> OverTime:
    """Yearly and cumulative savings along an uptake projection.

    Parameters
    ----------
    projection
        Any object whose ``.to_df()`` is a long table ``draw, year, segment, share``
        (for example :func:`dvcanalysis.uptake.project`); for ``segment="combined"`` also
        ``.draws["ministries_volume_share"]``, one value per draw.
    discount_rate
        Yearly discount rate for the cumulative sum (default ``discount_rate_per_year`` of
        ``savings.yml``); year ``t`` is discounted by ``(1 + r) ** -(t - first year)``.
    baseline_share
        If given, savings are incremental: dossiers above this share only (never negative).
    segment
        ``national``, ``ministries``, ``localities`` or ``combined`` (ministries and localities
        weighted, draw by draw, by the projection's own ``ministries_volume_share`` draws, the
        weight its national mix uses); default national if present, else combined. A
        projection without those draws cannot be combined: pass ``segment=`` explicitly.
    total_dossiers
        Dossiers in the reference year of the claim (default: implied by the claim); grows by
        ``growth`` a year (default ``dossier_growth_per_year``).
    uncertain
        Draw the per-dossier inputs once per projection draw, else use the defaults. The
        draws come from the savings stream for ``seed`` (:func:`rng`), independent of the
        projection's own draws even when both use the same seed.
    **overrides
        Parameter values by name, as in :func:`estimate` (held fixed in the draws).

    Raises
    ------
    InputError
        A ``projection`` without ``.to_df()`` (or whose table lacks the columns), an unknown
        segment, a combination without the projection's volume-share draws, bad rates or
        parameter values.
    """
    df = _projection_frame(projection)
    cfg = load_config(config)
    values = parameter_values(overrides, config=cfg)
    r = values["discount_rate_per_year"] if discount_rate is None else discount_rate
    r = check_nonneg("discount_rate", r, "a yearly rate such as 0.06")
    if r > 1:
        raise InputError(f"discount_rate={r!r} is out of range; expected 0 to 1 (6% as 0.06)")
    g = values["dossier_growth_per_year"] if growth is None else float(growth)
    lo_g, hi_g = UNIT_LIMITS["share_per_year"]
    if not lo_g <= g <= hi_g:
        raise InputError(f"growth={growth!r} is out of range; expected {lo_g:g} to {hi_g:g} a year")
    if baseline_share is not None:
        baseline_share = check_share("baseline_share", baseline_share)
    ref = reference(cfg)
    total = check_total_dossiers(total_dossiers, ref.total_dossiers)
    ref_year = int(
        evidence.load().set_index("id").loc[ref.ids["dossiers_online"], "period_end"].year
    )

    shares, segment = _projection_shares(df, segment, _volume_share_draws(projection))
    draw_ids = np.sort(shares["draw"].unique())
    point = estimate(0.0, total_dossiers=total, calibration=calibration, config=cfg, **overrides)
    if uncertain:
        d = draw_parameters(len(draw_ids), seed=seed, config=cfg, fixed=overrides)
        per = point.calibration_factor * bottom_up_saving(
            {**values, **{c: d[c].to_numpy() for c in d}}
        )
    else:
        per = np.full(len(draw_ids), point.per_dossier_vnd)
    per_by_draw = pd.Series(per, index=draw_ids)

    out = shares.copy()
    years = out["year"].to_numpy(dtype=float)
    volume = total * (1 + g) ** (years - ref_year)
    eligible = (
        out["share"].to_numpy()
        if baseline_share is None
        else np.clip(out["share"].to_numpy() - baseline_share, 0, None)
    )
    out["dossiers_online"] = volume * out["share"].to_numpy()
    out["per_dossier_vnd"] = per_by_draw.loc[out["draw"]].to_numpy()
    out["savings_vnd"] = volume * eligible * out["per_dossier_vnd"].to_numpy()
    first = years.min()
    out["discounted_savings_vnd"] = out["savings_vnd"] * (1 + r) ** -(years - first)
    out["cumulative_savings_vnd"] = out.groupby("draw")["discounted_savings_vnd"].cumsum()
    params = {
        "discount_rate": r,
        "baseline_share": baseline_share,
        "segment": segment,
        "total_dossiers": total,
        "growth": g,
        "uncertain": uncertain,
        "seed": seed,
        "calibration": point.calibration,
        "first_year": int(first),
        **(
            {"combined_weight": "projection ministries_volume_share draws"}
            if segment == "combined"
            else {}
        ),
        **overrides,
    }
    sources = sorted(set(point.sources) | set(getattr(projection, "sources", []) or []))
    return OverTime(draws=out, parameters=params, sources=sources)
