"""Figures of uptake projections and target attainment.

Each function takes frames (from :class:`~dvcanalysis.uptake.Projection`,
:func:`~dvcanalysis.uptake.compare`, :func:`~dvcanalysis.targets.attainment`)
and draws them; nothing here computes a model.

Time axis: decimal years, year ``Y`` spanning ``[Y, Y + 1)``. A year's figure (the share of
that year's dossiers) is drawn at the year's tick, ``Y + 0.5``, where the label "Y" and its
gridline are, so a 2025 target sits on "2025"; an observation sits at its own decimal time
(:func:`dvcanalysis.uptake.observations`: the midpoint of its period), so 31 Aug 2024 falls
inside "2024", right of its tick.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from dvcanalysis import fmt
from dvcanalysis.plots._base import (
    SEGMENT_COLORS,
    TARGET_COLOR,
    YEAR_X,
    Provenance,
    attach,
    legend_below,
    new_figure,
    year_axis,
    year_x,
)
from dvcanalysis.vocabulary import (
    ROLE_AFTER_CUTOFF,
    ROLE_ANCHOR,
    ROLE_COMPARISON,
    ROLE_LABEL_KEYS,
    ROLE_LIKELIHOOD,
    ROLE_PROXY_ANCHOR,
    ROLE_PUBLISHED,
    SEGMENTS,
)

SEGMENT_ORDER = SEGMENTS


def _share_axis(ax, lang: str) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.share(v, lang)))
    ax.set_ylim(0, 1)


def _legend_below(fig, handles, labels, provenance, lang: str) -> None:
    """One legend under the axes and above the sources footer: never over the data."""
    fig.subplots_adjust(top=0.86, wspace=0.08)
    legend_below(fig, handles, labels, fontsize=8)
    attach(fig, provenance)


def _segments(frame: pd.DataFrame, segment: str | None) -> list[str]:
    if segment not in (None, "all"):
        if segment not in set(frame["segment"]):
            from dvcanalysis.errors import InputError

            raise InputError(
                f"segment={segment!r} is not in the projection; expected one of: all, {', '.join(sorted(set(frame['segment'])))}"
            )
        return [segment]
    return [s for s in SEGMENT_ORDER if s in set(frame["segment"])]


def _axes(n: int, ax, width_per: float = 3.4, height: float = 3.8, max_width: float = 7.0):
    if ax is not None:
        axes = np.atleast_1d(ax).ravel()
        return axes[0].figure, list(axes), False
    # one panel (the briefing's) as wide as the A4 page prints it, so it prints at its size
    width, height = (6.0, 3.4) if n == 1 else (min(max_width, width_per * n), height)
    fig, axes = new_figure(width=width, height=height, ncols=n, sharey=True, squeeze=False)
    return fig, list(axes.ravel()), True


# How each role of an observation is marked on the fan chart (``color``: the segment's).
def _observation_styles(color: str) -> dict[str, dict]:
    return {
        ROLE_PUBLISHED: dict(marker="s", color="black", ms=5, ls="none"),
        ROLE_ANCHOR: dict(marker="o", color=color, ms=7, ls="none"),
        ROLE_PROXY_ANCHOR: dict(marker="P", color=color, ms=8, ls="none"),
        ROLE_LIKELIHOOD: dict(marker="s", color=color, ms=6, ls="none"),
        ROLE_COMPARISON: dict(marker="o", mfc="white", mec=color, mew=1.5, ms=7, ls="none"),
        ROLE_AFTER_CUTOFF: dict(marker="X", color="#555555", ms=7, ls="none"),
    }


def _draw_bands(a, q: pd.DataFrame, color: str, lang: str) -> np.ndarray:
    """The 90% and (when given) 50% bands and the median; returns the x positions."""
    x = year_x(q["year"].to_numpy(float))
    bands = [("q05", "q95", 0.18, "uptake.band90")]
    if {"q25", "q75"} <= set(q.columns):
        bands.append(("q25", "q75", 0.32, "uptake.band50"))
    for low, high, alpha, key in bands:
        a.fill_between(
            x, q[low], q[high], color=color, alpha=alpha, lw=0, label=fmt.label(key, lang)
        )
    a.plot(x, q["q50"], color=color, lw=2, label=fmt.label("uptake.median", lang))
    if "path_q50" in q.columns:  # the scenario's what-if path beside the forecast
        a.plot(
            x,
            q["path_q50"],
            color="#555555",
            lw=1.4,
            ls="--",
            label=fmt.label("uptake.scenario_path", lang),
        )
    return x


def _draw_observations(a, o: pd.DataFrame, color: str, lang: str, xmin: float) -> float:
    """The observations, marked by role; returns the leftmost x drawn so far."""
    for role, style in _observation_styles(color).items():
        r = o[o["role"] == role]
        if len(r):
            a.plot(
                r["decimal_year"], r["value"], label=fmt.label(ROLE_LABEL_KEYS[role], lang), **style
            )
            xmin = min(xmin, float(r["decimal_year"].min()))
    return xmin


def _draw_targets(a, t: pd.DataFrame, lang: str, *, annotate: bool) -> None:
    """Targets as red diamonds at their year's tick, with their share when ``annotate``."""
    a.plot(
        year_x(t["year"].to_numpy(float)),
        t["target_share"],
        marker="D",
        color=TARGET_COLOR,
        ls="none",
        ms=6,
        label=fmt.label("uptake.target", lang),
    )
    if not annotate:
        return
    for r in t.itertuples(index=False):
        a.annotate(
            fmt.share(r.target_share, lang),
            (year_x(r.year), r.target_share),
            textcoords="offset points",
            xytext=(5, 4),
            fontsize=8,
            color=TARGET_COLOR,
        )


def _legend_entries(axes) -> tuple[list, list]:
    """Each label once, in the order the panels first draw it."""
    handles, labels = [], []
    for a in axes:
        for h, lab in zip(*a.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    return handles, labels


def _fan_panel(a, seg: str, quantiles, observations, targets, lang: str) -> None:
    """One segment's panel: bands, observations, targets, axes."""
    color = SEGMENT_COLORS.get(seg, "#333333")
    x = _draw_bands(a, quantiles[quantiles["segment"] == seg].sort_values("year"), color, lang)
    xmin = x.min()
    if observations is not None and len(observations):
        o = observations[observations["segment"] == seg]
        xmin = _draw_observations(a, o, color, lang, xmin)
    if targets is not None and len(targets):
        t = targets[targets["segment"] == seg]
        if len(t):
            _draw_targets(a, t, lang, annotate=True)
    years = list(range(int(np.floor(xmin)), int(np.floor(x.max())) + 1))
    a.set_xlim(min(xmin, years[0] + YEAR_X) - 0.3, x.max() + 0.4)
    target_years = () if targets is None or not len(targets) else sorted(set(targets["year"]))
    year_axis(a, years, lang, labelled=target_years)
    _share_axis(a, lang)
    a.set_title(fmt.label(f"segment.{seg}", lang), fontsize=9)


def fan_chart(
    quantiles: pd.DataFrame,
    observations: pd.DataFrame | None = None,
    targets: pd.DataFrame | None = None,
    *,
    segment: str | None = None,
    lang: str = "vi",
    ax=None,
    provenance: Provenance | None = None,
    scenario: str = "",
):
    """Fan chart per segment: 5-95% and 25-75% bands, median, observations, targets.

    Parameters
    ----------
    quantiles
        ``year, segment, q05, q25, q50, q75, q95`` (``q25``/``q75`` optional); with
        ``path_q50`` (a briefing's chart: the bands are the default forecast's), the
        scenario's median path is drawn beside them as a dashed line.
    observations
        ``segment, decimal_year, value, role`` (role ``anchor``, ``anchor (proxy via
        localities_to_national_ratio)``, ``calibration (likelihood)``, ``comparison``,
        ``after cutoff``).
    targets
        ``segment, year, target_share``.
    segment
        One segment, or None / ``"all"`` for one panel per segment.
    ax
        An axes (or array of axes, one per segment) to draw on; else a new figure.
    """
    fmt.check_lang(lang)
    segs = _segments(quantiles, segment)
    fig, axes, own = _axes(len(segs), ax)
    for a, seg in zip(axes, segs, strict=False):
        _fan_panel(a, seg, quantiles, observations, targets, lang)
    axes[0].set_ylabel(fmt.label("axis.fully_online_share", lang))
    if "path_q50" in quantiles.columns:  # each year's share of its dossiers, forecast and path
        for a in axes[: len(segs)]:
            a.set_xlabel(fmt.label("forecast.axis_year", lang))
    handles, labels = _legend_entries(axes[: len(segs)])
    if own:
        key = "uptake.fan_title_forecast" if "path_q50" in quantiles.columns else "uptake.fan_title"
        fig.suptitle(fmt.label(key, lang, scenario=scenario), fontsize=10)
        _legend_below(fig, handles, labels, provenance, lang)
    else:
        axes[0].legend(handles, labels, fontsize=7, loc="upper left", frameon=False)
    return fig


def compare_chart(
    frame,
    *,
    titles: dict[str, str] | None = None,
    segment: str | None = None,
    lang: str = "vi",
    targets: pd.DataFrame | None = None,
    provenance: Provenance | None = None,
    ax=None,
):
    """Median path of each scenario, one panel per segment.

    Parameters
    ----------
    frame
        A :class:`~dvcanalysis.uptake.Comparison` (from :func:`dvcanalysis.uptake.compare`),
        or its frame ``scenario, year, segment, q50``.
    titles
        Scenario name -> display title (default: the name).
    provenance
        The footer's provenance (default: the comparison's own, ``frame.provenance()``).
    """
    fmt.check_lang(lang)
    if provenance is None and hasattr(frame, "provenance"):
        provenance = frame.provenance()
    if hasattr(frame, "to_df"):
        frame = frame.to_df()
    segs = _segments(frame, segment)
    fig, axes, own = _axes(len(segs), ax)
    names = list(dict.fromkeys(frame["scenario"]))
    styles = ("-", "--", ":", "-.", (0, (5, 1)), (0, (1, 1)))
    for a, seg in zip(axes, segs, strict=False):
        color = SEGMENT_COLORS.get(seg, "#333333")
        for i, name in enumerate(names):
            d = frame[(frame["segment"] == seg) & (frame["scenario"] == name)].sort_values("year")
            a.plot(
                year_x(d["year"].to_numpy(float)),
                d["q50"],
                ls=styles[i % len(styles)],
                color=color,
                lw=1.8,
                alpha=1 - 0.12 * i,
                label=(titles or {}).get(name, name),
            )
        if targets is not None and len(targets):
            _draw_targets(a, targets[targets["segment"] == seg], lang, annotate=False)
        target_years = () if targets is None or not len(targets) else sorted(set(targets["year"]))
        year_axis(a, sorted(set(frame["year"])), lang, labelled=target_years)
        _share_axis(a, lang)
        a.set_title(fmt.label(f"segment.{seg}", lang), fontsize=9)
    axes[0].set_ylabel(fmt.label("axis.fully_online_share", lang))
    if own:
        fig.suptitle(fmt.label("uptake.compare_title", lang), fontsize=10)
        handles, labels = axes[0].get_legend_handles_labels()
        _legend_below(fig, handles, labels, provenance, lang)
    else:
        axes[0].legend(fontsize=7, frameon=False, loc="upper left")
    return fig


def _probability_axis(ax, y, targets: pd.DataFrame, lang: str) -> None:
    """A probability axis (0-100%, the even line dashed) and one row per target, labelled
    "<segment> <year> ≥ <share>" from ``targets``' ``segment, target_year, target_share``."""
    ax.axvline(0.5, color=TARGET_COLOR, lw=1, ls="--")
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{fmt.label(f'segment.{r.segment}', lang)} {r.target_year} ≥ {fmt.share(r.target_share, lang)}"
            for r in targets.itertuples()
        ],
        fontsize=8,
    )
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.share(v, lang)))
    ax.set_xlabel(fmt.label("uptake.probability", lang))


def attainment_chart(
    att: pd.DataFrame,
    *,
    lang: str = "vi",
    scenario: str = "",
    provenance: Provenance | None = None,
    ax=None,
):
    """Horizontal bars: the probability of meeting each target by its deadline.

    Parameters
    ----------
    att
        ``segment, target_year, target_share, probability, status`` (from
        :func:`dvcanalysis.targets.attainment`).
    """
    fmt.check_lang(lang)
    if ax is None:
        fig, ax = new_figure(width=7.0, height=1.2 + 0.45 * len(att))
        own = True
    else:
        fig, own = ax.figure, False
    d = att.reset_index(drop=True)
    y = np.arange(len(d))[::-1]
    colors = [SEGMENT_COLORS.get(s, "#333333") for s in d["segment"]]
    ax.barh(y, d["probability"].fillna(0), color=colors, alpha=0.8)
    for yi, r in zip(y, d.itertuples(), strict=True):
        status = fmt.label("uptake.status." + r.status.replace(" ", "_"), lang)
        ax.text(
            min(float(np.nan_to_num(r.probability)) + 0.02, 0.8),
            yi,
            f"{fmt.probability(r.probability, lang)} · {status}",
            va="center",
            fontsize=7,
        )
    _probability_axis(ax, y, d, lang)
    if own:
        ax.set_title(fmt.label("uptake.attainment_title", lang, scenario=scenario), fontsize=10)
        attach(fig, provenance)
        fig.subplots_adjust(left=0.27, bottom=0.6 / fig.get_figheight())
    return fig


def choice_range_chart(
    frame: pd.DataFrame,
    *,
    lang: str = "vi",
    scenario: str = "",
    provenance: Provenance | None = None,
    ax=None,
):
    """The probability of meeting each target under each curve shape, and the range between.

    Parameters
    ----------
    frame
        ``segment, target_year, target_share, choice, probability`` (one row per target and
        choice; :class:`~dvcanalysis.uptake.ChoiceRange`'s ``frame``).
    ax
        An axes to draw on; else a new figure with a title and footer.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    fmt.check_lang(lang)
    keys = ["segment", "target_year", "target_share"]
    rows = frame[keys].drop_duplicates().reset_index(drop=True)
    own = ax is None
    if own:
        _, ax = new_figure(width=7.0, height=1.4 + 0.45 * max(len(rows), 1))
    y = np.arange(len(rows))[::-1]
    markers = ("o", "s", "^", "D", "v")
    for i, choice in enumerate(dict.fromkeys(frame["choice"])):
        c = rows.merge(frame[frame["choice"] == choice], on=keys, how="left")
        ax.plot(
            c["probability"],
            y,
            markers[i % len(markers)],
            color="#333333",
            mfc="white" if i else "#333333",
            ms=6,
            ls="none",
            label=fmt.label(f"uptake.curve.{choice}", lang),
        )
    g = frame.groupby(keys, sort=False)["probability"]
    span = rows.merge(g.min().rename("low").reset_index(), on=keys).merge(
        g.max().rename("high").reset_index(), on=keys
    )
    colors = [SEGMENT_COLORS.get(s, "#333333") for s in span["segment"]]
    ax.hlines(y, span["low"], span["high"], colors=colors, lw=5, alpha=0.35)
    _probability_axis(ax, y, rows, lang)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    if own:
        ax.set_title(fmt.label("uptake.attainment_title", lang, scenario=scenario), fontsize=10)
        attach(ax.figure, provenance)
        ax.figure.subplots_adjust(left=0.27, bottom=0.6 / ax.figure.get_figheight())
    return ax
