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
from datetime import date

import pandas as pd

from dvcanalysis import (
    __version__,
    cache,
    citations,
    document,
    evaluation,
    evidence,
    fmt,
    forecast,
    savings,
    targets,
    uptake,
)
from dvcanalysis import facts as facts_mod
from dvcanalysis.document import Document, production_date, runs
from dvcanalysis.errors import InputError, check_choice
from dvcanalysis.forecast import Forecast
from dvcanalysis.forecast import archive as forecast_archive
from dvcanalysis.forecast import vintages as forecast_vintages
from dvcanalysis.tables import evaluation as evaluation_tables
from dvcanalysis.vocabulary import ROLE_AFTER_CUTOFF, ROLE_PUBLISHED, SEGMENTS


@dataclass
class Briefing:
    """Everything one briefing shows, for one (scenario, segment, language).

    Every number the briefing states is in :attr:`facts` (:class:`dvcanalysis.facts.Facts`),
    computed once; the key message, the headline list, the tables, the chart's data and the
    PDF all read it from there.

    Attributes
    ----------
    projection
        :class:`dvcanalysis.uptake.Projection` of the scenario.
    attainment
        :func:`dvcanalysis.targets.attainment` rows of this segment.
    savings
        :class:`dvcanalysis.savings.OverTime` of this segment's dossiers along the projection
        (each year's full-year share; for ministries and localities their part of all dossiers).
    parameters
        The briefing's own parameters (scenario, segment, lang, draws, seed, cut-off, horizon).
    data_date
        The date the data are as of, shown in the header (default: the cut-off, which is the
        date of the latest observation unless a backtest gives an earlier one).
    track_record
        How the model's forecast made at the previous data vintage fared against this
        segment's newest figure, and its skill against persistence
        (:func:`dvcanalysis.evaluation.track_record`); None when there is nothing to check.
    forecast
        The default forecast (:func:`dvcanalysis.forecast.forecast`) the probabilities, the
        status words and the key message come from; the scenario is a what-if path beside it.
    facts
        The numbers the briefing states (computed from the above when not given).
    """

    projection: uptake.Projection
    attainment: pd.DataFrame
    savings: savings.OverTime
    parameters: dict[str, object] = field(default_factory=dict)
    data_date: date | None = None
    track_record: evaluation.TrackRecord | None = None
    forecast: Forecast | None = None
    facts: facts_mod.Facts | None = None

    def __post_init__(self) -> None:
        if self.data_date is None:  # until the evidence says its latest date: the cut-off
            self.data_date = date.fromisoformat(str(self.parameters.get("cutoff"))[:10])
        if self.facts is None:
            self.facts = facts_mod.compute(
                self.projection,
                self.attainment,
                self.savings.to_df(),
                segment=self.segment,
                data_date=self.data_date,
                production_date=production_date(),
                per_dossier_vnd=savings.estimate(0.0).per_dossier_vnd,
                forecast=self.forecast,
            )

    @property
    def segment(self) -> str:
        return str(self.parameters["segment"])

    @property
    def lang(self) -> str:
        return str(self.parameters["lang"])

    @property
    def is_target_path(self) -> bool:
        """Whether the scenario is the target path (a requirement, not a forecast)."""
        return self.projection.scenario.curve == "target-path"

    def _L(self, key: str, **values: object) -> str:
        return document.label(key, self.lang, **values)

    # ------------------------------------------------------------ numbers
    def headline(self) -> pd.DataFrame:
        """The headline figures as a long table (``figure, value, unit, note``), unformatted.

        Latest published share (or none), the headline target (the first year not yet
        published), the probability of meeting it, the median and gap in that year, and
        the savings in that year and cumulated to the horizon (median with 5-95% interval).
        """
        f = self.facts
        t = f.headline_target
        y = str(t.year)
        latest = f.latest
        rows = [
            (
                "latest_share",
                latest.share if latest else float("nan"),
                "share",
                latest.evidence_id if latest else "",
            ),
            ("target_share", t.target_share, "share", y),
            ("probability", t.probability, "share", y),
            ("median_share", t.median_share, "share", y),
            ("gap_share", t.gap_share, "share", y),
            ("required_pace_share_per_year", t.required_pace_share_per_year, "share", y),
        ]
        s = f.savings_in(t.year)
        last = f.savings[-1] if f.savings else None
        if s is not None:
            rows += [
                (f"savings_vnd_{q}", v, "vnd", y)
                for q, v in (("q05", s.low_vnd), ("q50", s.median_vnd), ("q95", s.high_vnd))
            ]
        if last is not None:
            rows += [
                (f"cumulative_savings_vnd_{q}", v, "vnd", str(last.year))
                for q, v in (
                    ("q05", last.cumulative_low_vnd),
                    ("q50", last.cumulative_median_vnd),
                    ("q95", last.cumulative_high_vnd),
                )
            ]
        return pd.DataFrame(rows, columns=["figure", "value", "unit", "note"])

    def sources(self) -> list[str]:
        """Every source id behind the briefing's numbers (projection, targets, savings); the
        page cites only those its text, tables and figure use (:meth:`document`)."""
        ids = set(self.projection.sources) | set(self.savings.sources)
        for t in self.facts.targets:
            ids |= set(t.source_ids)
        return sorted(ids)

    def chart_sources(self) -> list[str]:
        """The sources of what the fan chart shows: the segment's published figures, its
        targets, and the sources of the assumptions the projection uses (from the result's
        provenance; an evidence row id is read as its source)."""
        ev = evidence.load().set_index("id")
        prov = set(self.projection.provenance().sources)
        out: list[str] = [fg.source_id for fg in facts_mod.figures(self.projection, self.segment)]
        for t in self.facts.targets:
            out += list(t.source_ids)
        a = self.projection.assumptions
        if len(a):  # the shock's date matters only where there is a shock
            shock = a[a["name"] == "coverage_shock_logit"]
            if len(shock) and shock["low"].iloc[0] == shock["high"].iloc[0] == 0:
                a = a[a["name"] != "coverage_shock_year"]
        for s in a.loc[a["used"], "source"] if len(a) else []:
            s = ev.loc[s, "source_id"] if s in ev.index else s
            if s in prov:
                out.append(s)
        return [s for s in dict.fromkeys(out) if s in prov or s in set(self.sources())]

    # ------------------------------------------------------------ facts for the text
    def observations(self) -> pd.DataFrame:
        """The observations of this segment the projection used (up to the cut-off)."""
        obs = self.projection.observations
        return obs[(obs["segment"] == self.segment) & (obs["role"] != ROLE_AFTER_CUTOFF)]

    def last_target(self) -> pd.Series:
        """The attainment row of the segment's last official target."""
        return self.attainment.sort_values("target_year").iloc[-1]

    @property
    def figure_name(self) -> str:
        """File stem of the briefing's fan chart (``plots.save`` name)."""
        p = self.parameters
        return f"briefing_fan_{p['scenario']}_{p['segment']}_{p['lang']}"

    # ------------------------------------------------------------ display
    def title(self) -> str:
        seg = fmt.label(f"segment.{self.segment}", self.lang)
        return fmt.label("briefing.title", self.lang, segment=seg, scenario=self.scenario_title())

    def scenario_title(self) -> str:
        return self.projection.scenario.title.get(self.lang, self.projection.scenario.name)

    def subject(self, *, capital: bool = False) -> str:
        s = self._L(f"briefing.subject.{self.segment}")
        return s[:1].upper() + s[1:] if capital else s

    def status_word(self, status: str) -> str:
        """The table's word for a status (:func:`dvcanalysis.facts.outlook` or an outcome)."""
        return fmt.label(f"briefing.status.{status}", self.lang)

    def outcome_text(self, t: facts_mod.TargetFact, notes: citations.Notes) -> str:
        """One sentence on a target year whose figure is published (an outcome)."""
        f = t.observed
        return self._L(
            f"briefing.km.outcome_{t.status}",
            subject=self.subject(),
            year=t.year,
            observed=document.bold(fmt.share_as_published(f.share, self.lang)),
            target=fmt.share(t.target_share, self.lang),
            gap=fmt.pp(t.gap_share, self.lang, 1),
            status=self.status_word(t.status).lower(),
            ref=notes.ref(f.source_id, *t.source_ids),
        )

    def forecast_text(self, t: facts_mod.TargetFact, notes: citations.Notes) -> list[str]:
        """Sentences on a target year not yet published: the forecast, and the scenario's path
        beside it (for the target path, :meth:`required_text`)."""
        lang, L = self.lang, self._L
        common = dict(
            year=t.year,
            target=fmt.share(t.target_share, lang),
            subject=self.subject(),
            scenario=self.scenario_title(),
            data_date=fmt.day(self.data_date, lang),
        )
        if self.is_target_path:
            return self.required_text(t, common)
        out = [
            L(
                "briefing.km.forecast",
                phrase=fmt.label(f"briefing.status.{t.status}.phrase", lang),
                p=document.bold(fmt.probability(t.probability, lang)),
                median=fmt.share(t.median_share, lang),
                gap=fmt.pp(t.gap_share, lang, 0),
                **common,
            )
        ]
        if self.forecast is not None and not pd.isna(t.path_median_share):
            out.append(
                L(
                    "briefing.km.path",
                    path=fmt.share(t.path_median_share, lang),
                    diff=fmt.pp(t.path_median_share - t.median_share, lang, 0),
                    **common,
                )
            )
        if t.crossing_year is None:
            out.append(L("briefing.km.no_crossing", horizon=self.parameters["horizon"]))
        elif t.crossing_year > t.year:
            out.append(L("briefing.km.crossing", crossing=t.crossing_year))
        return out

    def required_text(self, t: facts_mod.TargetFact, common: dict) -> list[str]:
        """Sentences of the target path on a year not yet published: what it requires, where a
        year under way or the national mix falls short, and the forecast's probability."""
        lang, L = self.lang, self._L
        latest = self.facts.latest
        pace = fmt.pp(t.required_pace_share_per_year, lang, 1, signed=False)
        key = (
            "briefing.km.required_none"
            if latest is None
            else (
                "briefing.km.required_in_year"
                if pd.isna(t.required_pace_share_per_year)
                else "briefing.km.required"
            )
        )
        out = [
            L(
                key,
                latest=fmt.share_as_published(latest.share, lang) if latest else "",
                latest_year=latest.year if latest else "",
                period=fmt.period(latest.period, lang) if latest else "",
                pace=document.bold(pace),
                **common,
            )
        ]
        if t.path_status == "short":  # national: the mix of the segments' paths falls short
            out.append(
                L(
                    "briefing.km.required_short"
                    if self.segment == "national"
                    else "briefing.km.required_late",
                    median=fmt.share(t.path_median_share, lang),
                    gap=fmt.pp(t.path_median_share - t.target_share, lang, 0),
                    **common,
                )
            )
        if self.forecast is not None:
            out.append(
                L(
                    "briefing.km.required_forecast",
                    phrase=fmt.label(f"briefing.status.{t.status}.phrase", lang),
                    p=document.bold(fmt.probability(t.probability, lang)),
                    median=fmt.share(t.median_share, lang),
                )
            )
        return out

    def savings_text(self) -> str:
        """The key message's sentence on the segment's savings in the headline year."""
        t = self.facts.headline_target
        s = self.facts.savings_in(t.year) or (self.facts.savings[0] if self.facts.savings else None)
        if s is None:
            return ""
        lang = self.lang
        return self._L(
            "briefing.km.savings",
            subject=self.subject(),
            year=s.year,
            dossiers=fmt.count(round(s.dossiers_online, -5), lang),
            median=document.bold(fmt.savings(s.median_vnd, lang)),
            low=fmt.savings(s.low_vnd, lang),
            high=fmt.savings(s.high_vnd, lang),
        )

    def key_message(self, notes: citations.Notes | None = None) -> str:
        """The key message from the facts: what the published years show (outcomes), what is
        forecast for the first year not yet published, and the segment's savings."""
        notes = notes or citations.Notes(self.lang)
        f = self.facts
        out = [self.outcome_text(t, notes) for t in f.outcomes[-1:]]
        if f.forecasts:
            out += self.forecast_text(f.forecasts[0], notes)
        sv = self.savings_text()
        if sv:
            out.append(sv)
        return " ".join(out)

    def track_record_text(self) -> str:
        """The track record in plain sentences (empty when there is none)."""
        return evaluation_tables.track_record_text(self.track_record, self.lang)

    def caveats(self, notes: citations.Notes) -> list[str]:
        """Caveats: no observation, a single observation, a secondary source; savings."""
        lang, L = self.lang, self._L
        subject = self.subject()
        obs = self.observations()
        out = []
        if obs.empty:
            out.append(L("briefing.caveat.no_observation", subject=subject))
        elif len(obs) == 1:
            r = obs.iloc[0]
            out.append(
                L(
                    "briefing.caveat.one_observation",
                    subject=subject,
                    date=fmt.period(r["period"], lang),
                    ref=notes.ref(r["source_id"]),
                )
            )
        secondary = list(dict.fromkeys(s for s in obs["source_id"] if citations.is_secondary(s)))
        if secondary:
            names = "; ".join(f"{citations.short(s, lang)} {notes.ref(s)}" for s in secondary)
            out.append(L("briefing.caveat.secondary", subject=subject, sources=names))
        if self.forecast is not None:
            out.append(L("briefing.caveat.forecast"))
            known = self.forecast.core.breaks
            items = [
                L(f"briefing.break.{r.segment}", date=fmt.day(r.date.date(), lang))
                for r in known.itertuples(index=False)
                if r.segment in ("ministries", "localities")
                and (self.segment == "national" or r.segment == self.segment)
            ]
            if items:
                out.append(L("briefing.caveat.breaks", breaks="; ".join(items)))
        out.append(L("briefing.caveat.savings"))
        return out

    def headline_items(self, notes: citations.Notes) -> list[str]:
        """Headline figures, one line each (``**bold**`` marks the number): the latest
        published figure, each target as an outcome or a forecast, the savings."""
        lang, L, f = self.lang, self._L, self.facts
        if f.latest is None:
            lines = [L("briefing.no_observation")]
        else:
            lines = [
                L(
                    "briefing.latest",
                    share=fmt.share_as_published(f.latest.share, lang),
                    date=fmt.period(f.latest.period, lang),  # the period the figure measures
                    ref=notes.ref(f.latest.source_id),
                )
            ]
        for t in f.targets:
            common = dict(
                year=t.year, target=fmt.share(t.target_share, lang), ref=notes.ref(*t.source_ids)
            )
            if t.outcome:
                lines.append(
                    L(
                        "briefing.item.outcome",
                        observed=fmt.share_as_published(t.observed.share, lang),
                        status=self.status_word(t.status),
                        **common,
                    )
                )
            elif self.is_target_path:
                in_year = pd.isna(t.required_pace_share_per_year)
                lines.append(
                    L(
                        "briefing.item.required_in_year" if in_year else "briefing.item.required",
                        pace=fmt.pp(t.required_pace_share_per_year, lang, 1, signed=False),
                        p=fmt.probability(t.probability, lang),
                        median=fmt.share(t.median_share, lang),
                        status=self.status_word(t.status),
                        **common,
                    )
                )
            else:
                no_pace = pd.isna(t.required_pace_share_per_year)  # the figure is of that year
                lines.append(
                    L(
                        "briefing.item.forecast_in_year" if no_pace else "briefing.item.forecast",
                        p=fmt.probability(t.probability, lang),
                        median=fmt.share(t.median_share, lang),
                        low=fmt.share(t.low_share, lang),
                        high=fmt.share(t.high_share, lang),
                        gap=fmt.pp(t.gap_share, lang, 0),
                        pace=fmt.pp(t.required_pace_share_per_year, lang, 1, signed=False),
                        status=self.status_word(t.status),
                        **common,
                    )
                )
        t = f.headline_target
        s = f.savings_in(t.year) or (f.savings[0] if f.savings else None)
        if s is not None:
            lines.append(
                L(
                    "briefing.savings_year",
                    year=s.year,
                    subject=self.subject(),
                    dossiers=fmt.count(round(s.dossiers_online, -5), lang),
                    median=fmt.savings(s.median_vnd, lang),
                    low=fmt.savings(s.low_vnd, lang),
                    high=fmt.savings(s.high_vnd, lang),
                )
            )
            last = f.savings[-1]
            lines.append(
                L(
                    "briefing.savings_cumulative",
                    first=f.savings[0].year,
                    year=last.year,
                    median=fmt.savings(last.cumulative_median_vnd, lang),
                    low=fmt.savings(last.cumulative_low_vnd, lang),
                    high=fmt.savings(last.cumulative_high_vnd, lang),
                )
            )
        return lines

    def chart_data(self) -> pd.DataFrame:
        """The frame the fan chart is drawn from (saved beside it as CSV): each year's share."""
        return self.facts.chart.copy()

    def fan_chart(self):
        """The fan chart of this segment: each year's share (the figure the text states),
        with the segment's targets and published figures."""
        from dvcanalysis.plots import uptake as uplot

        p = self.projection
        obs = self.observations().assign(role=ROLE_PUBLISHED)
        targets = pd.DataFrame(
            [(self.segment, t.year, t.target_share) for t in self.facts.targets],
            columns=["segment", "year", "target_share"],
        )
        return uplot.fan_chart(
            self.chart_data(),
            obs,
            targets,
            segment=self.segment,
            lang=self.lang,
            provenance=p.provenance(),
            scenario=self.scenario_title(),
        )

    def attainment_table(self) -> pd.DataFrame:
        """Attainment of the segment's targets (one row per target year), from the facts:
        an outcome shows the published figure, a forecast its probability and median."""
        lang = self.lang
        L = lambda k: fmt.label(k, lang)  # noqa: E731
        rows = []
        for t in self.facts.targets:
            rows.append(
                {
                    L("uptake.col.target_year"): str(t.year),
                    L("uptake.col.target"): fmt.share(t.target_share, lang),
                    L("briefing.col.kind"): L(
                        "briefing.kind.outcome" if t.outcome else "briefing.kind.forecast"
                    ),
                    L("briefing.col.value"): fmt.share_as_published(t.observed.share, lang)
                    if t.outcome
                    else fmt.share(t.median_share, lang),
                    L("uptake.col.probability"): "–"
                    if t.outcome
                    else fmt.probability(t.probability, lang),
                    L("briefing.col.gap"): fmt.pp(t.gap_share, lang, 1 if t.outcome else 0),
                    L("uptake.col.required_pace"): "–"
                    if t.outcome
                    else fmt.pp(t.required_pace_share_per_year, lang, 1, signed=False),
                    L("uptake.col.status"): self.status_word(t.status),
                }
            )
        return pd.DataFrame(rows)

    def savings_table(self) -> pd.DataFrame:
        """The segment's savings by year (median and 90% interval, billion VND, rounded by
        :func:`dvcanalysis.fmt.round_savings`), from the facts."""
        lang = self.lang
        L = lambda k: fmt.label(k, lang)  # noqa: E731
        b = lambda x: fmt.savings_billion(x, lang)  # noqa: E731
        rows = []
        for s in self.facts.savings:
            rows.append(
                {
                    L("briefing.col.year"): str(s.year),
                    f"{L('briefing.col.yearly')}: {L('briefing.col.median')}": b(s.median_vnd),
                    f"{L('briefing.col.yearly')}: {L('briefing.col.interval')}": fmt.interval(
                        b(s.low_vnd), b(s.high_vnd), lang
                    ),
                    f"{L('briefing.col.cumulative')}: {L('briefing.col.median')}": b(
                        s.cumulative_median_vnd
                    ),
                    f"{L('briefing.col.cumulative')}: {L('briefing.col.interval')}": fmt.interval(
                        b(s.cumulative_low_vnd), b(s.cumulative_high_vnd), lang
                    ),
                }
            )
        return pd.DataFrame(rows)

    def method_text(self, notes: citations.Notes) -> str:
        """The method note: simulations and cut-off, the year's value, and the savings
        model's unit cost, time values, discount rate and price year."""
        lang, p = self.lang, self.parameters
        v = savings_mod_values()
        return self._L(
            "briefing.method",
            n=fmt.count(p["n_draws"], lang),
            cutoff=fmt.day(p["cutoff"], lang),
            per_dossier=fmt.vnd(round(self.facts.per_dossier_vnd, -3), lang, 0),
            h_off=fmt.number(v["applicant_hours_offline"], lang, 0),
            h_on=fmt.number(v["applicant_hours_online"], lang, 0),
            vot=fmt.vnd(round(v["value_of_time_vnd_per_hour"], -3), lang, 0),
            rate=fmt.share(v["discount_rate_per_year"], lang),
            price_year=v["price_year"],
            ref=notes.ref(*v["sources"]),
        )

    def official_text(self, notes: citations.Notes) -> str:
        """The official 2,600 billion VND a year beside the estimate, and what explains the gap."""
        ref = savings.reference()
        t = self.facts.headline_target
        s = self.facts.savings_in(t.year)
        if s is None:
            return ""
        ev = evidence.load().set_index("id")
        src = ev.loc[ref.ids["saving"], "source_id"]
        share = self.facts.chart_value(s.year, "path_q50")  # savings follow the scenario's path
        key = (
            "briefing.official.national"
            if self.segment == "national"
            else "briefing.official.segment"
        )
        w = facts_mod.volume_weight(self.projection, self.segment)
        return self._L(
            key,
            official=fmt.vnd(ref.saving_vnd, self.lang),
            share=fmt.share(ref.share, self.lang),
            dossiers=fmt.count(ref.dossiers_online, self.lang),
            ref=notes.ref(src),
            estimate=fmt.savings(s.median_vnd, self.lang),
            year=s.year,
            projected=fmt.share(share, self.lang),
            subject=self.subject(),
            weight=fmt.share(float(pd.Series(w).median()), self.lang),
        )

    def document(self, *, figures: dict | None = None) -> Document:
        """The briefing as a reader's document (HTML in the notebook, PDF by the renderer).

        Sources are numbered in the order the page first cites them, and the page lists only
        those it cites.

        Parameters
        ----------
        figures
            Live figures by file stem, shown in the notebook (the PDF reads the saved files).
            The track record (:attr:`track_record`) is a section of its own when there is one.
        """
        lang, L = self.lang, self._L
        notes = citations.Notes(lang)
        doc = Document(
            lang=lang,
            title=self.title(),
            header=[
                L("briefing.data_date", date=fmt.day(self.data_date, lang)),
                L("briefing.produced", date=fmt.day(self.facts.production_date, lang)),
                L("briefing.issuer", version=__version__),
            ],
            figures=dict(figures or {}),
        )
        doc.add("paragraph", runs=runs(self.key_message(notes)), role="key")
        doc.add("paragraph", runs=runs(self.time_frame_text()), role="note")
        doc.add("paragraph", runs=runs(L("briefing.definition")), role="note")
        doc.add("heading", text=L("briefing.section_headline"))
        doc.add("list", items=[runs(x) for x in self.headline_items(notes)])
        doc.add("heading", text=L("briefing.section_fan"))
        caption = (
            L("briefing.fan_caption")
            + " "
            + L(
                "briefing.figure_sources",
                refs=", ".join(
                    notes.ref(s) for s in sorted(self.chart_sources(), key=notes.number)
                ),
            )
        )
        doc.add("figure", name=self.figure_name, caption=caption)
        doc.add("heading", text=L("briefing.section_attainment"))
        doc.add("table", **_table(self.attainment_table(), numeric_from=1))
        doc.add("heading", text=L("briefing.section_savings"))
        doc.add(
            "table",
            caption=L("briefing.savings_caption", subject=self.subject()),
            **_table(self.savings_table(), numeric_from=1),
        )
        official = self.official_text(notes)
        if official:
            doc.add("paragraph", runs=runs(official), role="note")
        track = self.track_record_text()
        if track:
            doc.add("heading", text=L("briefing.section_track_record"))
            doc.add("paragraph", runs=runs(fmt.md(track).replace("\\", "")))
        doc.add("heading", text=L("briefing.section_caveats"))
        doc.add("caveats", items=[runs(x) for x in self.caveats(notes)])
        doc.add("paragraph", runs=runs(self.method_text(notes)), role="note")
        doc.add("heading", text=L("briefing.section_notes"))
        doc.notes = notes.lines()
        doc.record = {
            "parameters": dict(self.parameters),
            "data_date": str(self.data_date),
            "catalogue": {  # what index.html shows about this briefing, in its language
                "title": self.title(),
                "segment": fmt.label(f"segment.{self.segment}", lang),
                "scenario": self.scenario_title(),
                "language": fmt.label(f"language.{lang}", lang),
                "data_date": fmt.day(self.data_date, lang),
            },
            "savings_parameters": {k: v for k, v in self.savings.parameters.items()},
            "projection": self.projection.provenance().to_dict(),
            "notes": notes.ids,
            "chart_sources": self.chart_sources(),
            "assumptions": list(self.projection.assumptions.get("name", [])),
        }
        return doc

    def time_frame_text(self) -> str:
        """What is past (published) and what is forecast, as of the production date."""
        f, lang = self.facts, self.lang
        past = [str(t.year) for t in f.outcomes]
        ahead = [str(t.year) for t in f.forecasts]
        return self._L(
            "briefing.time_frame" + ("" if past else "_none_past"),
            produced=fmt.day(f.production_date, lang),
            data_date=fmt.day(f.data_date, lang),
            past=", ".join(past),
            ahead=", ".join(ahead) or "–",
        )


def savings_mod_values() -> dict:
    """The savings model's default values the method note states, with their price year and
    sources (from ``data/savings.yml``)."""
    from dvcanalysis.savings.config import load_config
    from dvcanalysis.savings.model import parameter_values

    cfg = load_config(None)
    v = dict(parameter_values({}, config=cfg))
    src = evidence.load_sources()
    vot = cfg.section("per_dossier")["value_of_time_vnd_per_hour"].source
    v["price_year"] = str(src.loc[vot, "event_date"])[:4] if vot in src.index else "–"
    v["sources"] = [s for s in (vot, "ref_scm_manual") if s in src.index]
    return v


def _table(df: pd.DataFrame, *, numeric_from: int) -> dict:
    """A display frame as a document table block (strings; columns from ``numeric_from`` right-aligned)."""
    cols = [str(c) for c in df.columns]
    return {
        "columns": cols,
        "rows": [[str(v) for v in r] for r in df.itertuples(index=False)],
        "numeric": [i >= numeric_from for i in range(len(cols))],
    }


class _YearShares:
    """A projection seen as each year's full-year share of one segment (what savings of a
    year are computed on), with the projection's draws beside it."""

    def __init__(self, projection, segment: str) -> None:
        self._frame = facts_mod.year_share_frame(projection, segment)
        self.draws = projection.draws
        self.sources = projection.sources

    def to_df(self) -> pd.DataFrame:
        return self._frame


def segment_savings(projection, segment: str, *, seed: int = 0) -> savings.OverTime:
    """Savings of one segment's dossiers along the projection: each year's full-year share of
    the segment, applied to the segment's part of all dossiers (the projection's own
    ``ministries_volume_share`` draw, draw by draw; the whole country for ``national``)."""
    ot = savings.over_time(_YearShares(projection, segment), segment=segment, seed=seed)
    w = facts_mod.volume_weight(projection, segment)
    d = ot.draws.copy()
    weight = w[d["draw"].to_numpy()]
    for col in (
        "dossiers_online",
        "savings_vnd",
        "discounted_savings_vnd",
        "cumulative_savings_vnd",
    ):
        d[col] = d[col].to_numpy() * weight
    params = {
        **ot.parameters,
        "volume_weight": "projection ministries_volume_share draws"
        if segment != "national"
        else 1.0,
        "year_value": "full-year share",
    }
    return savings.OverTime(draws=d, parameters=params, sources=ot.sources)


def build(
    scenario: str = "business-as-usual",
    segment: str = "national",
    *,
    lang: str = "vi",
    n_draws: int = 1000,
    seed: int = 0,
    cutoff: str | None = uptake.DEFAULT_CUTOFF,
    horizon: int = 2030,
    data_date: date | str | None = None,
    track_record: bool = True,
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
    data_date
        The "data as of" date of the header (default: the cut-off).
    track_record
        Compute the track record (:func:`dvcanalysis.evaluation.track_record`: the default
        forecast made at earlier data vintages scored on the figures published since); the same
        for every scenario, the target path included, since it is the forecast's.

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
    ot = segment_savings(projection, segment, seed=seed)
    params = {
        "scenario": projection.scenario.name,
        "segment": segment,
        "lang": lang,
        "n_draws": n_draws,
        "seed": seed,
        "cutoff": projection.parameters["cutoff"],
        "horizon": horizon,
    }
    if isinstance(data_date, str):
        data_date = date.fromisoformat(data_date[:10])
    fc = forecast.forecast(cutoff=projection.parameters["cutoff"], n_draws=n_draws, seed=seed)
    record = None
    if track_record:
        # the same for every scenario, segment and language: computed once per data vintage
        # and code version when a cache folder is set (dvcanalysis.cache)
        try:
            ev = forecast.evaluate_cached(n_draws=n_draws, seed=seed)
            archived = forecast_archive.score_archived(forecast_vintages.figures())
            record = evaluation.track_record(segment, evaluation=ev, archived=archived)
        except InputError:  # no data vintage with later figures yet: nothing to check
            record = None
    return Briefing(
        projection=projection,
        attainment=att,
        savings=ot,
        parameters=params,
        data_date=data_date,
        track_record=record,
        forecast=fc,
    )


def __dvc_warmup__() -> None:
    """Fill the caches of what a briefing reads, for ``dvcanalysis render``'s warm kernels.

    The renderer calls this once in the process it forks kernels from (see
    :data:`dvcanalysis.render.template.WARMUP_HOOK`): a small briefing is built and composed
    (evidence, scenarios, targets, savings configuration, labels and sources are read and
    parsed, and the modules the computation imports on first use are imported), then
    dropped. Those caches are keyed by the files' stamps, so a kernel gets the same
    numbers as a fresh one; nothing is drawn and no global state is changed.
    """
    with cache.off():  # nothing of this small run is kept on disk
        b = build("business-as-usual", "national", lang="vi", n_draws=20, seed=0)
        b.document()
