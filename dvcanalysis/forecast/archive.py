"""Published forecasts, archived: written once per data vintage, never re-made.

Each data vintage's default forecast (quantiles by segment and period, :meth:`Forecast.to_df`)
is written once to ``data/forecasts/<cutoff>.csv`` with the code version that made it
(:func:`publish`); an existing file is never rewritten, whatever the code does later. The
track record scores these archived forecasts as well as the forecasts the current code re-makes
for past vintages, labelled which is which (:func:`score_archived`).

Rows: ``cutoff, model, segment, period, period_start, period_end, q05, q25, q50, q75, q95,
members, code_version``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from dvcanalysis import _io, paths
from dvcanalysis.errors import InputError
from dvcanalysis.evaluation import scoring
from dvcanalysis.forecast.result import QUANTILE_COLUMNS, Forecast

FOLDER = "forecasts"
COLUMNS = (
    "cutoff",
    "model",
    "segment",
    "period",
    "period_start",
    "period_end",
    *QUANTILE_COLUMNS,
    "members",
    "code_version",
)


def folder() -> Path:
    """``data/forecasts/``."""
    return paths.data_dir() / FOLDER


def path_for(cutoff: str, model: str = "default") -> Path:
    """The archive file of one vintage's forecast by ``model``."""
    suffix = "" if model == "default" else f"_{model}"
    return folder() / f"{cutoff}{suffix}.csv"


def table(fc: Forecast, *, model: str = "default") -> pd.DataFrame:
    """The archive rows of a forecast (quantiles rounded to 1e-6)."""
    from dvcanalysis import __version__

    df = fc.to_df()
    df.insert(0, "model", model)
    df.insert(0, "cutoff", fc.cutoff.isoformat())
    for c in QUANTILE_COLUMNS:
        df[c] = df[c].round(6)
    df["members"] = ";".join(fc.members)
    df["code_version"] = __version__
    return df[list(COLUMNS)]


def publish(fc: Forecast, *, model: str = "default") -> tuple[Path, bool]:
    """Write the forecast's archive file unless it exists; ``(path, written)``."""
    p = path_for(fc.cutoff.isoformat(), model)
    if p.exists():
        return p, False
    p.parent.mkdir(parents=True, exist_ok=True)
    _io.write_text(p, table(fc, model=model).to_csv(index=False, lineterminator="\n"))
    return p, True


def load() -> pd.DataFrame:
    """Every archived forecast (empty with :data:`COLUMNS` when there is none).

    Raises
    ------
    InputError
        For a file whose columns are not :data:`COLUMNS` (naming the file).
    """
    frames = []
    for f in sorted(folder().glob("*.csv")) if folder().is_dir() else []:
        df = pd.read_csv(f, dtype={"cutoff": str, "period": str, "code_version": str})
        if tuple(df.columns) != COLUMNS:
            raise InputError(
                f"{paths.relative(f)}: columns {', '.join(df.columns)}; expected {', '.join(COLUMNS)}"
            )
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(COLUMNS))


def score_archived(figures: pd.DataFrame) -> pd.DataFrame:
    """Score archived forecasts on the later figures of the same period (from quantiles).

    A figure is scored by an archived row of its segment whose period has the figure's start
    and end and whose cut-off is before the figure's period ended. WIS of the 50% and 90%
    bands with the median (:func:`dvcanalysis.evaluation.scoring.weighted_interval_score`)
    and band coverage; CRPS needs draws and is not given.
    """
    arch = load()
    if arch.empty or figures.empty:
        return pd.DataFrame()
    f = figures.copy()
    f["period_start"] = pd.to_datetime(f["period_start"]).dt.strftime("%Y-%m-%d")
    f["period_end_s"] = pd.to_datetime(f["period_end"]).dt.strftime("%Y-%m-%d")
    m = arch.merge(
        f,
        left_on=["segment", "period_start", "period_end"],
        right_on=["segment", "period_start", "period_end_s"],
        suffixes=("", "_fig"),
    )
    m = m[pd.to_datetime(m["cutoff"]) < pd.to_datetime(m["period_end_s"])]
    if m.empty:
        return pd.DataFrame()
    y = m["value"].to_numpy(float)
    lower = m[["q05", "q25"]].to_numpy(float)
    upper = m[["q95", "q75"]].to_numpy(float)
    m["wis_share"] = scoring.weighted_interval_score(
        y, m["q50"].to_numpy(float), lower, upper, np.array([0.1, 0.5])
    )
    m["in50"] = (m["q25"] <= y) & (y <= m["q75"])
    m["in90"] = (m["q05"] <= y) & (y <= m["q95"])
    m["archived"] = True
    keep = [
        "cutoff",
        "model",
        "code_version",
        "segment",
        "id",
        "period_fig",
        "value",
        *QUANTILE_COLUMNS,
        "in50",
        "in90",
        "wis_share",
        "archived",
    ]
    return (
        m[keep].rename(columns={"period_fig": "period", "value": "observed"}).reset_index(drop=True)
    )


def main() -> int:
    """``python -m dvcanalysis.forecast.archive``: publish the data vintage's default forecast."""
    from dvcanalysis import forecast

    try:
        p, written = publish(forecast.forecast())
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(
        f"{'wrote' if written else 'kept (already archived, never rewritten)'} {paths.relative(p)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
