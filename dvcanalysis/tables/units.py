"""Display tables and reader text of the unit-level analysis (notebook 05), in vi or en.

Every function takes a :class:`~dvcanalysis.unit_targets.UnitReport` (frames from
:mod:`dvcanalysis.units` / :mod:`dvcanalysis.unit_targets`) and formats it; nothing here
computes a share, a rank or a status. The figures are in :mod:`dvcanalysis.plots.units`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dvcanalysis import fmt


def name_column(lang: str) -> str:
    """The column of a unit's name in ``lang`` (``name_vi`` or ``name_en``)."""
    return "name_vi" if lang == "vi" else "name_en"


def unit_name(row, lang: str) -> str:
    """A unit's name in ``lang`` from a row with ``name_vi`` and ``name_en``."""
    return row[name_column(lang)]


def intro(rep, *, lang: str = "vi"):
    """A Markdown paragraph saying what the report holds (or how to supply counts)."""
    from IPython.display import Markdown  # noqa: PLC0415

    layout = fmt.label(f"units.layout.{rep.layout}", lang)
    if not rep.has_counts:
        return Markdown(fmt.label("units.intro.no_counts", lang, layout=layout))
    a = rep.analysis
    text = fmt.label(
        "units.intro.counts",
        lang,
        file=fmt.md(Path(str(rep.counts_file)).name),  # the name only: no user's path
        n_units=a[["unit_type", "unit_code"]].drop_duplicates().shape[0],
        n_periods=a["period"].nunique(),
        layout=layout,
        as_of=fmt.day(rep.as_of, lang),
        n_incomplete=int((~rep.counts["complete"]).sum()),
    )
    if rep.scenario_pace:
        paces = ", ".join(
            f"{fmt.label(f'segment.{s}', lang)} {fmt.pp(v, lang)}/{fmt.label('word.year', lang).lower()}"
            for s, v in sorted(rep.scenario_pace.items())
        )
        text += " " + fmt.label("units.intro.pace", lang, scenario=rep.scenario, paces=paces)
    else:
        text += " " + fmt.label("units.intro.no_pace", lang, scenario=rep.scenario)
    return Markdown(text)


def national_table(rep, *, lang: str = "vi") -> pd.DataFrame:
    """The evidence's segment figures (latest observed shares and targets), formatted."""
    n = rep.national
    bound = {
        "min": fmt.label("units.bound.min", lang) + " ",
        "approx": fmt.label("units.bound.approx", lang) + " ",
    }
    return pd.DataFrame(
        {
            fmt.label("units.col.segment", lang): [
                fmt.label(f"segment.{s}", lang) for s in n["segment"]
            ],
            fmt.label("units.col.kind", lang): [fmt.label(f"kind.{k}", lang) for k in n["kind"]],
            fmt.label("units.col.period", lang): [fmt.period(p, lang) for p in n["period"]],
            fmt.label("units.col.value", lang): [
                bound.get(b, "") + fmt.share(v, lang)
                for b, v in zip(n["bound"], n["value_share"], strict=True)
            ],
            fmt.label("units.col.evidence", lang): [i.replace(";", ", ") for i in n["evidence_id"]],
        }
    )


def status_table(rep, *, lang: str = "vi") -> pd.DataFrame:
    """The latest period of each unit with share, rank, target, pace and status, formatted.

    Empty without a counts file.
    """
    if not rep.has_counts:
        return pd.DataFrame()
    from dvcanalysis import units  # noqa: PLC0415

    d = units.latest(rep.analysis)
    per_year = "/năm" if lang == "vi" else "/yr"
    return pd.DataFrame(
        {
            fmt.label("units.col.unit", lang): list(d[name_column(lang)]),
            fmt.label("units.col.code", lang): list(d["unit_code"]),
            fmt.label("units.col.period", lang): [fmt.period(p, lang) for p in d["period"]],
            fmt.label("units.col.dossiers", lang): [
                fmt.count(x, lang) for x in d["dossiers_total"]
            ],
            fmt.label("units.col.share", lang): [
                fmt.share(x, lang, 1) for x in d["fully_online_share"]
            ],
            fmt.label("units.col.rank", lang): [
                f"{r}/{n}" if pd.notna(r) else "–"
                for r, n in zip(d["rank"], d["n_ranked"], strict=True)
            ],
            fmt.label("units.col.target", lang): [fmt.share(x, lang) for x in d["target_share"]],
            fmt.label("units.col.deadline", lang): [
                fmt.day(t.date(), lang) if pd.notna(t) else "–" for t in d["deadline"]
            ],
            fmt.label("units.col.gap", lang): [fmt.pp(x, lang) for x in d["gap_share"]],
            fmt.label("units.col.pace_needed", lang): [
                fmt.pp(x, lang) + per_year if pd.notna(x) else "–"
                for x in d["pace_needed_share_per_year"]
            ],
            fmt.label("units.col.pace", lang): [
                fmt.pp(x, lang) + per_year if pd.notna(x) else "–" for x in d["pace_share_per_year"]
            ],
            fmt.label("units.col.pace_source", lang): [
                fmt.label(f"units.pace_source.{s}", lang) if s else "–" for s in d["pace_source"]
            ],
            fmt.label("units.col.status", lang): [
                fmt.label(f"units.status.{s}", lang) for s in d["status"]
            ],
        }
    )
