"""Figures of the forecast evaluation: PIT histogram, band coverage, scores by origin.

Takes the frames of :class:`dvcanalysis.evaluation.Evaluation` (``to_df()``, ``by_segment()``,
``by_origin()``) and draws them; nothing here computes a score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from dvcanalysis import fmt
from dvcanalysis.plots._base import Provenance, attach, legend_below, new_figure

# The default forecast in the project's national colour; baselines in grey and ochre; the
# other forecasters in lighter tones (a scenario curve: purple).
MODEL_COLOR = "#1b4f72"
BASELINE_COLORS = {
    "default": MODEL_COLOR,
    "persistence": "#7f7f7f",
    "linear-trend": "#b9770e",
    "calibrated-persistence": "#5dade2",
    "damped-trend": "#48c9b0",
}
SCENARIO_COLOR = "#8e44ad"
PIT_BINS = 5


def model_label(name: str, lang: str) -> str:
    """Display name of a forecaster: a baseline's label, else the scenario's title."""
    key = f"evaluation.model.{name}"
    if fmt.has_label(key):
        return fmt.label(key, lang)
    from dvcanalysis import scenarios  # display of a scenario name: its title in the YAML
    from dvcanalysis.errors import InputError

    try:
        return scenarios.load(name).title.get(lang, name)
    except InputError:  # not a scenario file: shown as it is
        return name


def _wrap(title: str, width: int = 34) -> str:
    """A panel title on as many lines of about ``width`` characters as it needs."""
    import textwrap

    return "\n".join(textwrap.wrap(title, width)) or title


def _color(name: str) -> str:
    return BASELINE_COLORS.get(name, SCENARIO_COLOR)


def _year_below(day: str) -> str:
    """A formatted day with its year on a second line (``30 Jun 2024``, ``30/6/2024``)."""
    cut = max(day.rfind(" "), day.rfind("/"))
    return f"{day[:cut]}\n{day[cut + 1 :]}" if cut > 0 else day


def evaluation_chart(
    forecasts: pd.DataFrame,
    summary: pd.DataFrame,
    by_origin: pd.DataFrame,
    *,
    lang: str = "vi",
    provenance: Provenance | None = None,
):
    """Three panels: PIT histogram, coverage of the 50% and 90% bands, mean CRPS by origin.

    Parameters
    ----------
    forecasts
        ``model, pit`` (per forecast).
    summary
        ``model, segment, coverage50, coverage90`` (the ``all`` rows are drawn).
    by_origin
        ``model, origin, mean_crps_share``.
    """
    fmt.check_lang(lang)
    models = list(dict.fromkeys(forecasts["model"]))
    fig, axes = new_figure(width=10.5, height=4.0, ncols=3)
    ax_pit, ax_cov, ax_crps = axes
    width = 0.8 / max(len(models), 1)
    edges = np.linspace(0.0, 1.0, PIT_BINS + 1)
    for i, m in enumerate(models):
        p = forecasts.loc[forecasts["model"] == m, "pit"].to_numpy(float)
        counts, _ = np.histogram(np.clip(p, 0.0, 1.0), bins=edges)
        frac = counts / max(len(p), 1)
        x = np.arange(PIT_BINS) + (i - (len(models) - 1) / 2) * width
        ax_pit.bar(x, frac, width=width, color=_color(m), label=model_label(m, lang))
    ax_pit.axhline(
        1.0 / PIT_BINS,
        color="#c0392b",
        ls="--",
        lw=1,
        label=fmt.label("evaluation.pit_uniform", lang),
    )
    ax_pit.set_xticks(np.arange(PIT_BINS))
    ax_pit.set_xticklabels(
        [
            f"{fmt.number(a, lang, 1)}–{fmt.number(b, lang, 1)}"
            for a, b in zip(edges[:-1], edges[1:], strict=True)
        ],
        fontsize=7,
    )
    ax_pit.set_xlabel(fmt.label("evaluation.pit_axis", lang), fontsize=8)
    ax_pit.set_ylabel(fmt.label("evaluation.fraction", lang))
    ax_pit.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.share(v, lang)))
    ax_pit.set_title(_wrap(fmt.label("evaluation.pit_title", lang)), fontsize=9, pad=12)

    allrows = summary[summary["segment"] == "all"].set_index("model")
    levels = (("coverage50", 0.5, "50%"), ("coverage90", 0.9, "90%"))
    for i, m in enumerate(models):
        if m not in allrows.index:
            continue
        x = np.arange(len(levels)) + (i - (len(models) - 1) / 2) * width
        ax_cov.bar(x, [allrows.at[m, c] for c, _, _ in levels], width=width, color=_color(m))
    for j, (_, nominal, _) in enumerate(levels):
        ax_cov.hlines(nominal, j - 0.45, j + 0.45, colors="#c0392b", linestyles="--", lw=1)
    ax_cov.set_xticks(np.arange(len(levels)))
    ax_cov.set_xticklabels(
        [fmt.label(f"evaluation.col.{c}", lang) for c, _, _ in levels], fontsize=8
    )
    ax_cov.set_ylim(0, 1.05)
    ax_cov.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.share(v, lang)))
    ax_cov.set_title(_wrap(fmt.label("evaluation.coverage_title", lang)), fontsize=9, pad=12)

    origins = sorted(set(by_origin["origin"]))
    for m in models:
        g = by_origin[by_origin["model"] == m].set_index("origin").reindex(origins)
        ax_crps.plot(range(len(origins)), g["mean_crps_share"], marker="o", color=_color(m), lw=1.5)
    ax_crps.set_xticks(range(len(origins)))
    days = [fmt.day(o, lang) for o in origins]
    if len(origins) > 3:  # more than the panel holds on one line (five from the 2025 data)
        days = [_year_below(d) for d in days]
    ax_crps.set_xticklabels(days, fontsize=7)
    ax_crps.set_xlim(-0.5, len(origins) - 0.5)
    ax_crps.set_xlabel(fmt.label("evaluation.origin", lang), fontsize=8)
    ax_crps.set_ylabel(fmt.label("evaluation.crps_axis", lang))
    ax_crps.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.number(100 * v, lang, 0)))
    ax_crps.set_ylim(bottom=0)
    ax_crps.set_title(_wrap(fmt.label("evaluation.crps_title", lang)), fontsize=9, pad=12)

    handles, labels = ax_pit.get_legend_handles_labels()
    fig.suptitle(fmt.label("evaluation.title", lang), fontsize=10)
    lines = max(t.get_text().count("\n") + 1 for t in (ax_pit.title, ax_cov.title, ax_crps.title))
    fig.subplots_adjust(top=0.84 - 0.05 * (lines - 1), wspace=0.32)
    attach(fig, provenance)
    top = 0.0
    legend_below(fig, handles, labels, above=top, ncol=len(labels), fontsize=7, axis_in=0.6)
    return fig


def interval_chart(
    frame: pd.DataFrame,
    *,
    lang: str = "vi",
    ax=None,
    provenance: Provenance | None = None,
):
    """Forecasts against what was published: per row, the 90% band, the median and the observation.

    Parameters
    ----------
    frame
        ``segment, period, q05, q50, q95, observed`` and optionally ``curve``, one row per
        forecast (a :class:`~dvcanalysis.uptake.Backtest` frame, a
        :class:`~dvcanalysis.evaluation.TrackRecord` row); rows whose band is NaN (not
        identifiable) are labelled but not drawn.
    ax
        An axes to draw on; else a new figure with a footer.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    fmt.check_lang(lang)
    d = frame.reset_index(drop=True)
    own = ax is None
    if own:
        _, ax = new_figure(width=7.0, height=1.6 + 0.4 * max(len(d), 1))
    y = np.arange(len(d))[::-1]
    ok = d["q05"].notna().to_numpy() if len(d) else np.array([], dtype=bool)
    ax.hlines(
        y[ok],
        d["q05"][ok],
        d["q95"][ok],
        color=MODEL_COLOR,
        lw=4,
        alpha=0.35,
        label=fmt.label("uptake.band90", lang),
    )
    ax.plot(
        d["q50"][ok], y[ok], "|", color=MODEL_COLOR, ms=12, label=fmt.label("uptake.median", lang)
    )
    ax.plot(
        d["observed"],
        y,
        "X",
        color="#555555",
        ms=7,
        ls="none",
        label=fmt.label("uptake.observed_after", lang),
    )
    labels = [
        f"{fmt.label(f'segment.{r.segment}', lang)} {fmt.period(r.period, lang)}"
        + (f" ({fmt.label(f'uptake.curve.{r.curve}', lang)})" if "curve" in d else "")
        for r in d.itertuples(index=False)
    ]
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.share(v, lang)))
    ax.set_xlabel(fmt.label("axis.fully_online_share", lang))
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    if own:
        attach(ax.figure, provenance)
        top = 0.0
        ax.figure.subplots_adjust(left=0.3, bottom=top + 0.6 / ax.figure.get_figheight())
    return ax
