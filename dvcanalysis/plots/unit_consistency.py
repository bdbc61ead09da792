"""The figure of :class:`dvcanalysis.unit_evidence.Consistency`: published shares against the
range the per-unit evidence allows.

Draws the checks that put a published share against a share or range worked out from the
evidence (:data:`DRAWN`); the others (dossiers, units, derived bounds on other quantities)
are text only (:func:`dvcanalysis.tables.unit_evidence.consistency_statements`).
Nothing here computes a check.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dvcanalysis import fmt, units
from dvcanalysis.plots._base import SEGMENT_COLORS, TARGET_COLOR, Provenance, attach, new_figure

#: Marker colour of a published figure by the check's outcome (True, False, None: a bound).
VERDICT_COLORS = {True: SEGMENT_COLORS["localities"], False: TARGET_COLOR, None: "#7f8c8d"}
#: The checks drawn: the published share and the computed share or range measure the same thing.
DRAWN = ("unweighted_mean_range", "weighted_range", "counts_share")
_UNIT_TYPE_OF = {seg: unit_type for unit_type, seg in units.SEGMENT_OF.items()}


def share_checks(checks: pd.DataFrame) -> pd.DataFrame:
    """The checks drawn (:data:`DRAWN`): a published share against what the evidence allows."""
    return checks[checks["check"].isin(DRAWN)].reset_index(drop=True)


def _row_label(r: pd.Series, lang: str) -> str:
    """ "<unit or segment>: <check>", the unit by its name (pre-2025 layout)."""
    check = fmt.label(f"unit_evidence.chart.check.{r['check']}", lang)
    seg, code = r["segment"], r["unit_code"]
    unit_type = seg if seg in units.UNIT_TYPES else _UNIT_TYPE_OF.get(seg)
    if isinstance(code, str) and code and unit_type:
        names = units.unit_list(unit_type, "pre-2025").set_index("unit_code")
        who = names.loc[code, f"name_{lang}"] if code in names.index else code
    else:
        who = fmt.label(f"segment.{seg}", lang)
    return f"{who}: {check}"


def _verdict(v: object) -> bool | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return bool(v)


def checks_chart(
    checks: pd.DataFrame,
    *,
    year: int | None = None,
    ax=None,
    lang: str = "vi",
    provenance: Provenance | None = None,
):
    """One row per share check: the range the evidence allows (a bar), the number computed
    from it (a dot) and the published figure (a diamond coloured by the outcome).

    Parameters
    ----------
    checks
        :meth:`dvcanalysis.unit_evidence.Consistency.to_df`.
    year
        The year of the checks (for the title).
    ax
        Axes to draw on (default: a new figure, with the sources in its footer).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    fmt.check_lang(lang)
    df = share_checks(checks).iloc[::-1].reset_index(drop=True)
    own = ax is None
    if own:
        fig, ax = new_figure(8, 1.2 + 0.45 * max(len(df), 1))
    y = np.arange(len(df))
    low = df["low"].astype(float)
    high = df["high"].astype(float)
    lo = low.fillna(0.0).clip(0, 1)
    hi = high.fillna(1.0).clip(0, 1)
    has_range = low.notna() | high.notna()
    ax.barh(
        y[has_range],
        (hi - lo)[has_range],
        left=lo[has_range],
        height=0.35,
        color=SEGMENT_COLORS["ministries"],
        alpha=0.35,
        label=fmt.label("unit_evidence.chart.range", lang),
    )
    computed = df["computed"].astype(float)
    ax.plot(
        computed,
        y,
        "o",
        color=SEGMENT_COLORS["ministries"],
        markersize=4,
        zorder=5,  # above the published figure's diamond when they coincide
        label=fmt.label("unit_evidence.chart.computed", lang),
    )
    for verdict in (True, False, None):
        sel = [_verdict(v) is verdict for v in df["consistent"]]
        if not any(sel):
            continue
        ax.plot(
            df.loc[sel, "stated"].astype(float),
            y[sel],
            "D",
            color=VERDICT_COLORS[verdict],
            markersize=7,
            linestyle="none",
            label=fmt.label(f"unit_evidence.chart.stated.{str(verdict).lower()}", lang),
        )
    ax.set_yticks(y, [_row_label(r, lang) for _, r in df.iterrows()], fontsize=7)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: fmt.share(v, lang, 0))
    ax.set_xlabel(fmt.label("unit_evidence.chart.axis", lang))
    ax.set_title(fmt.label("unit_evidence.chart.title", lang, year="" if year is None else year))
    ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    if own:
        attach(ax.figure, provenance)
    return ax
