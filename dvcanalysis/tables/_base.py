"""Helpers every display table shares: reader index, missing values, quantile cells, labels."""

from __future__ import annotations

import math

import pandas as pd

from dvcanalysis import fmt


def missing(x: object) -> bool:
    """None, NaN or NaT: a cell with nothing to show."""
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT


def reader_index(df: pd.DataFrame) -> pd.DataFrame:
    """The first column as the index, so a displayed table shows no row numbers (0, 1, 2...)."""
    return df.set_index(df.columns[0]) if len(df.columns) > 1 else df


def median_interval(r, lang: str) -> str:
    """A row's median share and 90% interval: ``45% (38–52%)`` (fields ``q50``, ``q05``, ``q95``)."""
    return f"{fmt.share(r.q50, lang)} ({fmt.interval(fmt.share(r.q05, lang), fmt.share(r.q95, lang), lang)})"


def label_or(key: str, fallback: str, lang: str) -> str:
    """The label of ``key`` when there is one, else ``fallback`` as it is."""
    return fmt.label(key, lang) if fmt.has_label(key) else fallback


def observed_text(ids: str, lang: str, *, cite: bool = True) -> str:
    """Evidence rows (``id;id``) as readers see them: ``42% (H1 2024; VietNamNet ...)``."""
    from dvcanalysis import citations, evidence

    ev = evidence.load().set_index("id")
    out = []
    for i in str(ids).split(";"):
        if i not in ev.index:
            continue
        r = ev.loc[i]
        where = fmt.period(r["period"], lang)
        if cite:
            where += f"; {citations.short(r['source_id'], lang)}"
        out.append(f"{fmt.share(float(r['value']), lang)} ({where})")
    return "; ".join(out)
