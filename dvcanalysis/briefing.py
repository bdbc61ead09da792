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
    savings,
    targets,
    uptake,
)
from dvcanalysis.document import Document, production_date, runs
from dvcanalysis.errors import InputError, check_choice
from dvcanalysis.tables import evaluation as evaluation_tables
from dvcanalysis.tables import savings as savings_tables
from dvcanalysis.tables import uptake as uptake_tables
from dvcanalysis.vocabulary import ROLE_AFTER_CUTOFF, SEGMENTS


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
    data_date
        The date the data are as of, shown in the header (default: the cut-off, which is the
        date of the latest observation unless a backtest gives an earlier one).
    track_record
        How the model's forecast made at the previous data vintage fared against this
        segment's newest figure, and its skill against persistence
        (:func:`dvcanalysis.evaluation.track_record`); None when there is nothing to check.
    choices
        The probability of each target under each curve shape the evidence cannot choose
        between (:func:`dvcanalysis.uptake.choice_range`); None when not computed.
    """

    projection: uptake.Projection
    attainment: pd.DataFrame
    savings: savings.OverTime
    parameters: dict[str, object] = field(default_factory=dict)
    data_date: date | None = None
    track_record: evaluation.TrackRecord | None = None
    choices: uptake.ChoiceRange | None = None

    def __post_init__(self) -> None:
        if self.data_date is None:  # until the evidence says its latest date: the cut-off
            self.data_date = date.fromisoformat(str(self.parameters.get("cutoff"))[:10])

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

    # ------------------------------------------------------------ facts for the text
    def observations(self) -> pd.DataFrame:
        """The observations of this segment the projection used (up to the cut-off)."""
        obs = self.projection.observations
        return obs[(obs["segment"] == self.segment) & (obs["role"] != ROLE_AFTER_CUTOFF)]

    def last_target(self) -> pd.Series:
        """The attainment row of the segment's last official target."""
        return self.attainment.sort_values("target_year").iloc[-1]

    @staticmethod
    def likelihood(probability: float) -> str:
        """``very_unlikely`` (< 10%), ``unlikely`` (< 50%), ``likely`` (< 90%), ``very_likely``."""
        for limit, word in ((0.1, "very_unlikely"), (0.5, "unlikely"), (0.9, "likely")):
            if probability < limit:
                return word
        return "very_likely"

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

    def _target_sources(self, row: pd.Series) -> list[str]:
        ev = evidence.load().set_index("id")
        ids = [i for i in str(row["target_ids"]).split(";") if i in ev.index]
        return sorted({ev.loc[i, "source_id"] for i in ids})

    def key_message(self, notes: citations.Notes | None = None) -> str:
        """Two or three sentences composed from the numbers: the last target (met, or how
        likely under the scenario), the year the median reaches it, the savings in that year."""
        lang, att = self.lang, self.last_target()
        L = lambda k, **kw: document.label(k, lang, **kw)  # noqa: E731
        subject = L(f"briefing.subject.{self.segment}")
        year = int(att["target_year"])
        target = fmt.share(att["target_share"], lang)
        if att["status"] == "met" and not pd.isna(att["latest_share"]):
            out = [
                L(
                    "briefing.km.met",
                    Subject=subject[:1].upper() + subject[1:],
                    target=target,
                    year=year,
                    latest=fmt.share(att["latest_share"], lang),
                    date=fmt.day(att["latest_date"].date(), lang),
                )
            ]
        else:
            out = [
                L(
                    "briefing.km.target",
                    scenario=self.scenario_title(),
                    target=target,
                    year=year,
                    subject=subject,
                    likelihood=L(f"briefing.likelihood.{self.likelihood(att['probability'])}"),
                    p=document.bold(fmt.probability(att["probability"], lang)),
                    median=fmt.share(att["median_share"], lang),
                    gap=fmt.pp(att["gap_share"], lang, 0),
                )
            ]
            rng = self.probability_range()
            if rng is not None:
                out.append(
                    L(
                        "briefing.km.range",
                        low=fmt.probability(rng[0], lang),
                        high=fmt.probability(rng[1], lang),
                    )
                )
            if pd.isna(att["median_crossing_year"]):
                out.append(L("briefing.km.no_crossing", horizon=self.parameters["horizon"]))
            else:
                out.append(L("briefing.km.crossing", crossing=int(att["median_crossing_year"])))
        h = self.headline().set_index("figure")
        if "savings_vnd_q50" in h.index:
            v = h["value"]
            out.append(
                L(
                    "briefing.km.savings",
                    year=h.loc["savings_vnd_q50", "note"],
                    median=document.bold(fmt.vnd(v["savings_vnd_q50"], lang, fixed=True)),
                    low=fmt.vnd(v["savings_vnd_q05"], lang, fixed=True),
                    high=fmt.vnd(v["savings_vnd_q95"], lang, fixed=True),
                )
            )
        return " ".join(out)

    def probability_range(self) -> tuple[float, float] | None:
        """The lowest and highest probability of the last target across the curve shapes, when
        they differ as shown (None: not computed, or the same to the displayed precision)."""
        if self.choices is None:
            return None
        att = self.last_target()
        try:
            low, high = self.choices.for_target(self.segment, int(att["target_year"]))
        except InputError:
            return None
        if fmt.probability(low, self.lang) == fmt.probability(high, self.lang):
            return None
        return low, high

    def track_record_text(self) -> str:
        """The track record in plain sentences (empty when there is none)."""
        return evaluation_tables.track_record_text(self.track_record, self.lang)

    def caveats(self, notes: citations.Notes) -> list[str]:
        """Caveats: no observation, a single observation, a secondary source; savings."""
        lang = self.lang
        L = lambda k, **kw: document.label(k, lang, **kw)  # noqa: E731
        subject = L(f"briefing.subject.{self.segment}")
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
                    date=fmt.day(r["period_end"], lang),
                    ref=notes.ref(r["source_id"]),
                )
            )
        secondary = sorted({s for s in obs["source_id"] if citations.is_secondary(s)})
        if secondary:
            out.append(L("briefing.caveat.secondary", subject=subject, ref=notes.ref(*secondary)))
        out.append(L("briefing.caveat.savings"))
        return out

    def headline_items(self, notes: citations.Notes) -> list[str]:
        """Headline figures, one line each (``**bold**`` marks the number)."""
        lang = self.lang
        h = self.headline().set_index("figure")["value"]
        note = self.headline().set_index("figure")["note"]
        att = self.last_target()
        L = lambda k, **kw: document.label(k, lang, **kw)  # noqa: E731
        if pd.isna(h["latest_share"]):
            latest = L("briefing.no_observation")
        else:
            ev = evidence.load().set_index("id")
            row = ev.loc[att["latest_id"]]
            latest = L(
                "briefing.latest",
                share=fmt.share_as_published(h["latest_share"], lang),
                date=fmt.period(row["period"], lang),  # the period the figure measures
                ref=notes.ref(row["source_id"]),
            )
        year = int(att["target_year"])
        lines = [
            latest,
            L(
                "briefing.target",
                share=fmt.share(h["target_share"], lang),
                year=year,
                ref=notes.ref(*self._target_sources(att)),
            ),
            L(
                "briefing.probability",
                p=fmt.probability(h["probability"], lang),
                median=fmt.share(h["median_share"], lang),
                gap=fmt.pp(h["gap_share"], lang, 0),
                year=year,
            ),
        ]
        for key, measure in (
            ("briefing.savings_year", "savings_vnd"),
            ("briefing.savings_cumulative", "cumulative_savings_vnd"),
        ):
            if f"{measure}_q50" in h:
                lines.append(
                    L(
                        key,
                        year=note[f"{measure}_q50"],
                        median=fmt.vnd(h[f"{measure}_q50"], lang, fixed=True),
                        low=fmt.vnd(h[f"{measure}_q05"], lang, fixed=True),
                        high=fmt.vnd(h[f"{measure}_q95"], lang, fixed=True),
                    )
                )
        return lines

    def fan_chart(self):
        """The fan chart of this segment with its targets and observations."""
        return self.projection.plot(segment=self.segment, lang=self.lang)

    def attainment_table(self) -> pd.DataFrame:
        """Attainment of the segment's targets (display table, one row per target year)."""
        df = uptake_tables.attainment_table(
            self.attainment, self.lang, horizon=self.parameters["horizon"]
        )
        latest = fmt.label("uptake.col.latest", self.lang)
        return df.reset_index(drop=True).drop(columns=[latest])  # the segment is the title

    def savings_table(self) -> pd.DataFrame:
        """Savings along the scenario by year (:func:`dvcanalysis.tables.savings.by_year_table`)."""
        return savings_tables.by_year_table(self.savings, self.lang)

    def document(self, *, figures: dict | None = None) -> Document:
        """The briefing as a reader's document (HTML in the notebook, PDF by the renderer).

        Parameters
        ----------
        figures
            Live figures by file stem, shown in the notebook (the PDF reads the saved files).
            The track record (:attr:`track_record`) is a section of its own when there is one.
        """
        lang = self.lang
        L = lambda k, **kw: document.label(k, lang, **kw)  # noqa: E731
        notes = citations.Notes(lang)
        doc = Document(
            lang=lang,
            title=self.title(),
            header=[
                L("briefing.data_date", date=fmt.day(self.data_date, lang)),
                L("briefing.produced", date=fmt.day(production_date(), lang)),
                L("briefing.issuer", version=__version__),
            ],
            figures=dict(figures or {}),
        )
        doc.add("paragraph", runs=runs(self.key_message(notes)), role="key")
        doc.add("paragraph", runs=runs(L("briefing.definition")), role="note")
        doc.add("heading", text=L("briefing.section_headline"))
        doc.add("list", items=[runs(x) for x in self.headline_items(notes)])
        doc.add("heading", text=L("briefing.section_fan"))
        doc.add("figure", name=self.figure_name, caption=L("briefing.fan_caption"))
        doc.add("heading", text=L("briefing.section_attainment"))
        doc.add("table", **_table(self.attainment_table(), numeric_from=1))
        doc.add("heading", text=L("briefing.section_savings"))
        doc.add(
            "table",
            caption=L("briefing.savings_caption"),
            **_table(self.savings_table(), numeric_from=1),
        )
        track = self.track_record_text()
        if track:
            doc.add("heading", text=L("briefing.section_track_record"))
            doc.add("paragraph", runs=runs(fmt.md(track)))
        doc.add("heading", text=L("briefing.section_caveats"))
        doc.add("caveats", items=[runs(x) for x in self.caveats(notes)])
        p = self.parameters
        doc.add(
            "paragraph",
            runs=runs(
                L(
                    "briefing.method",
                    n=fmt.count(p["n_draws"], lang),
                    cutoff=fmt.day(p["cutoff"], lang),
                )
            ),
            role="note",
        )
        for s in self.sources():  # every source behind the numbers gets a note
            notes.number(s)
        doc.add("heading", text=L("briefing.section_notes"))
        doc.notes = notes.lines()
        doc.record = {
            "parameters": dict(p),
            "data_date": str(self.data_date),
            "catalogue": {  # what index.html shows about this briefing, in its language
                "segment": fmt.label(f"segment.{self.segment}", lang),
                "scenario": self.scenario_title(),
                "data_date": fmt.day(self.data_date, lang),
            },
            "savings_parameters": {k: v for k, v in self.savings.parameters.items()},
            "projection": self.projection.provenance().to_dict(),
            "notes": notes.ids,
            "assumptions": list(self.projection.assumptions.get("name", [])),
        }
        return doc


def _table(df: pd.DataFrame, *, numeric_from: int) -> dict:
    """A display frame as a document table block (strings; columns from ``numeric_from`` right-aligned)."""
    cols = [str(c) for c in df.columns]
    return {
        "columns": cols,
        "rows": [[str(v) for v in r] for r in df.itertuples(index=False)],
        "numeric": [i >= numeric_from for i in range(len(cols))],
    }


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
        Compute the track record (:func:`dvcanalysis.evaluation.track_record`, the forecasts
        made from earlier data vintages scored on the figures published since) and the
        probabilities under every curve shape (:func:`dvcanalysis.uptake.choice_range`).
        Neither is computed for the ``target-path`` scenario (a requirement, not a forecast).

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
    if isinstance(data_date, str):
        data_date = date.fromisoformat(data_date[:10])
    record = choices = None
    if track_record and projection.scenario.curve != "target-path":
        # the same for every segment and language of a scenario: computed once per data
        # vintage and code version when a cache folder is set (dvcanalysis.cache)
        sc = projection.scenario
        args = {"scenario": sc, "n_draws": n_draws, "seed": seed}  # keyed by its contents
        choices = cache.cached(
            "choice_range",
            {**args, "cutoff": cutoff, "horizon": horizon},
            lambda: uptake.choice_range(
                sc, n_draws=n_draws, seed=seed, cutoff=cutoff, horizon=horizon
            ),
            codec=uptake.ChoiceRange,
        )
        try:  # like for like: forecasts made when the segment had a figure of its own
            ev = evaluation.track.evaluate_cached(
                scenario if isinstance(scenario, str) else sc, n_draws=n_draws, seed=seed
            )
            record = evaluation.track_record(segment, evaluation=ev, own_only=True)
        except InputError:  # no data vintage with later figures yet: nothing to check
            record = None
    return Briefing(
        projection=projection,
        attainment=att,
        savings=ot,
        parameters=params,
        data_date=data_date,
        track_record=record,
        choices=choices,
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
