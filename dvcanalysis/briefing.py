"""The one-page briefing: headline figures, fan chart, attainment, savings, provenance.

This module composes results (uptake projection, target attainment, savings along the
projection) and hands them to the display layer (:mod:`dvcanalysis.fmt`,
:mod:`dvcanalysis.tables`, :mod:`dvcanalysis.plots`). It computes no model of its own:
``notebooks/briefing.ipynb`` calls :func:`build` and the methods below, nothing else.

Examples
--------
>>> from dvcanalysis import briefing
>>> b = briefing.build("business-as-usual", "localities", lang="en", n_draws=500)  # doctest: +SKIP
>>> print(b.headline_md())  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dvcanalysis import __version__, evidence, fmt, savings, tables, targets, uptake
from dvcanalysis.errors import check_choice

SEGMENTS = ("national", "ministries", "localities")


@dataclass
class Briefing:
    """Everything one briefing shows, for one (scenario, segment, language).

    Attributes
    ----------
    projection
        :class:`dvcanalysis.uptake.Projection` of the scenario.
    attainment
        :func:`dvcanalysis.targets.attainment` rows of this segment.
    savings
        :class:`dvcanalysis.savings.OverTime` along the projection (whole country).
    parameters
        The briefing's own parameters (scenario, segment, lang, draws, seed, cut-off, horizon).
    """

    projection: uptake.Projection
    attainment: pd.DataFrame
    savings: savings.OverTime
    parameters: dict[str, object] = field(default_factory=dict)

    @property
    def segment(self) -> str:
        return str(self.parameters["segment"])

    @property
    def lang(self) -> str:
        return str(self.parameters["lang"])

    # ------------------------------------------------------------ numbers
    def headline(self) -> pd.DataFrame:
        """The headline figures as a long table (``figure, value, unit, note``), unformatted.

        Latest observed share (or none), the segment's last official target, the
        probability of meeting it, the median gap at its deadline, and the savings in
        the target year and cumulated to the horizon (median with 5-95% interval).
        """
        att = self.attainment.sort_values("target_year")
        last = att.iloc[-1]
        rows = [
            ("latest_share", last["latest_share"], "share", last["latest_id"] or ""),
            ("target_share", last["target_share"], "share", f"{int(last['target_year'])}"),
            ("probability", last["probability"], "share", f"{int(last['target_year'])}"),
            ("median_share", last["median_share"], "share", f"{int(last['target_year'])}"),
            ("gap_share", last["gap_share"], "share", f"{int(last['target_year'])}"),
        ]
        sv = self.savings.to_df()
        year = int(last["target_year"])
        horizon = int(sv["year"].max())
        for measure, y in (("savings_vnd", year), ("cumulative_savings_vnd", horizon)):
            r = sv[(sv["measure"] == measure) & (sv["year"] == y)]
            if not r.empty:
                r = r.iloc[0]
                for q in ("q05", "q50", "q95"):
                    rows.append((f"{measure}_{q}", r[q], "vnd", str(y)))
        return pd.DataFrame(rows, columns=["figure", "value", "unit", "note"])

    def sources(self) -> list[str]:
        """Every source id behind the briefing (projection, targets, savings)."""
        ids = set(self.projection.sources) | set(self.savings.sources)
        ev = evidence.load().set_index("id")
        for cell in self.attainment["target_ids"]:
            for i in str(cell).split(";"):
                if i in ev.index:
                    ids.add(ev.loc[i, "source_id"])
        return sorted(ids)

    # ------------------------------------------------------------ display
    def title(self) -> str:
        seg = fmt.label(f"segment.{self.segment}", self.lang)
        scen = self.projection.scenario.title.get(self.lang, self.projection.scenario.name)
        return fmt.label("briefing.title", self.lang, segment=seg, scenario=scen)

    def headline_md(self) -> str:
        """Headline figures as Markdown bullet lines, formatted for ``lang``."""
        lang = self.lang
        h = self.headline().set_index("figure")["value"]
        note = self.headline().set_index("figure")["note"]
        att = self.attainment.sort_values("target_year").iloc[-1]
        L = lambda k, **kw: fmt.label(k, lang, **kw)  # noqa: E731
        if pd.isna(h["latest_share"]):
            latest = L("briefing.no_observation")
        else:
            latest = L(
                "briefing.latest",
                share=fmt.share(h["latest_share"], lang),
                date=fmt.day(att["latest_date"].date(), lang),
                id=note["latest_share"],
            )
        year = int(att["target_year"])
        lines = [
            f"- {latest}",
            "- " + L("briefing.target", share=fmt.share(h["target_share"], lang), year=year),
            "- "
            + L(
                "briefing.probability",
                p=fmt.probability(h["probability"], lang),
                median=fmt.share(h["median_share"], lang),
                gap=fmt.pp(h["gap_share"], lang, 0),
                year=year,
            ),
        ]
        if "savings_vnd_q50" in h:
            lines.append(
                "- "
                + L(
                    "briefing.savings_year",
                    year=note["savings_vnd_q50"],
                    median=fmt.vnd(h["savings_vnd_q50"], lang),
                    low=fmt.vnd(h["savings_vnd_q05"], lang),
                    high=fmt.vnd(h["savings_vnd_q95"], lang),
                )
            )
        if "cumulative_savings_vnd_q50" in h:
            lines.append(
                "- "
                + L(
                    "briefing.savings_cumulative",
                    year=note["cumulative_savings_vnd_q50"],
                    median=fmt.vnd(h["cumulative_savings_vnd_q50"], lang),
                    low=fmt.vnd(h["cumulative_savings_vnd_q05"], lang),
                    high=fmt.vnd(h["cumulative_savings_vnd_q95"], lang),
                )
            )
        if self.segment == "ministries" or pd.isna(h["latest_share"]):
            lines.append("- " + L("briefing.thin_evidence"))
        return "\n".join(lines)

    def fan_chart(self):
        """The fan chart of this segment with its targets and observations."""
        return self.projection.plot(segment=self.segment, lang=self.lang)

    def attainment_table(self) -> pd.DataFrame:
        """Attainment of the segment's targets (display table)."""
        df = tables.attainment_table(self.attainment, self.lang, horizon=self.parameters["horizon"])
        return df.set_index(list(df.columns[:2]))

    def savings_table(self) -> pd.DataFrame:
        """Savings along the scenario, yearly and cumulative (display table)."""
        from dvcanalysis.plots import savings as splot

        df = splot.over_time_table(self.savings, self.lang)
        return df.set_index(list(df.columns[:2]))

    def footer_md(self) -> str:
        """Every source (outlet, date) and every parameter used, as Markdown."""
        lang = self.lang
        srcs = "; ".join(f"{evidence.source_label(s, lang)} [{s}]" for s in self.sources())
        params = {**self.parameters}
        params.update(
            {f"savings.{k}": v for k, v in self.savings.parameters.items() if v is not None}
        )
        shown = ", ".join(f"`{k}={v}`" for k, v in params.items())
        assumptions = self.projection.assumptions
        names = ", ".join(f"`{n}`" for n in assumptions["name"]) if "name" in assumptions else ""
        return "\n\n".join(
            [
                f"**{fmt.label('word.sources', lang)}:** {srcs}",
                f"**{fmt.label('word.parameters', lang)}:** {shown}",
                fmt.label(
                    "briefing.assumptions_line",
                    lang,
                    names=names,
                    scenario=self.projection.scenario.name,
                ),
                fmt.label("provenance.generated", lang, version=__version__),
            ]
        )


def build(
    scenario: str = "business-as-usual",
    segment: str = "national",
    *,
    lang: str = "vi",
    n_draws: int = 1000,
    seed: int = 0,
    cutoff: str | None = uptake.DEFAULT_CUTOFF,
    horizon: int = 2030,
) -> Briefing:
    """Compute everything a briefing shows.

    Parameters
    ----------
    scenario
        A scenario name from ``data/scenarios/`` (see :func:`dvcanalysis.scenarios.names`).
    segment
        ``national``, ``ministries`` or ``localities``.
    lang
        ``vi`` or ``en``.
    n_draws, seed, cutoff, horizon
        Passed to :func:`dvcanalysis.uptake.project`; ``seed`` also seeds the savings draws.

    Raises
    ------
    InputError
        For an unknown scenario, segment or language, or out-of-range numbers.
    """
    fmt.check_lang(lang)
    check_choice("segment", segment, SEGMENTS)
    projection = uptake.project(
        scenario, n_draws=n_draws, seed=seed, cutoff=cutoff, horizon=horizon
    )
    att = targets.attainment(projection)
    att = att[(att["segment"] == segment)].reset_index(drop=True)
    ot = savings.over_time(projection, seed=seed)
    params = {
        "scenario": projection.scenario.name,
        "segment": segment,
        "lang": lang,
        "n_draws": n_draws,
        "seed": seed,
        "cutoff": projection.parameters["cutoff"],
        "horizon": horizon,
    }
    return Briefing(projection=projection, attainment=att, savings=ot, parameters=params)
