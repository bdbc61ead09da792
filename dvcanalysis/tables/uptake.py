"""Display tables and reader text of uptake projections and target attainment (vi/en).

Reads :class:`~dvcanalysis.uptake.Projection` frames, :func:`dvcanalysis.targets.attainment`
and backtest rows and formats them through :mod:`dvcanalysis.fmt`; computes no model.
"""

from __future__ import annotations

import pandas as pd

from dvcanalysis import citations, fmt
from dvcanalysis.tables._base import median_interval, missing, observed_text, reader_index
from dvcanalysis.vocabulary import ROLE_AFTER_CUTOFF, ROLE_LABEL_KEYS, SEGMENTS


def _status(status: str, lang: str) -> str:
    return fmt.label("uptake.status." + status.replace(" ", "_"), lang)


def attainment_table(
    att: pd.DataFrame, lang: str = "vi", *, horizon: int | None = None
) -> pd.DataFrame:
    """The attainment frame (:func:`dvcanalysis.targets.attainment`) for display.

    Columns: segment, target year, target, probability, median at deadline, gap (pp),
    year reached (median), latest observation (value, date, evidence id), required
    pace per year, status.
    """
    fmt.check_lang(lang)
    L = lambda k: fmt.label(k, lang)  # noqa: E731
    rows = []
    for r in att.itertuples(index=False):
        if missing(r.latest_share):
            latest = fmt.label("uptake.no_observation", lang)
        else:
            latest = f"{fmt.share(r.latest_share, lang)} ({fmt.day(r.latest_date.date(), lang)})"
        if missing(r.median_crossing_year):
            cross = fmt.label("uptake.word.never", lang, year=horizon) if horizon else "–"
        else:
            cross = str(int(r.median_crossing_year))
        pace = (
            "–"
            if missing(r.required_pace_share_per_year)
            else fmt.pp(r.required_pace_share_per_year, lang, 1, signed=False)
        )
        rows.append(
            {
                L("word.segment"): fmt.label(f"segment.{r.segment}", lang),
                L("uptake.col.target_year"): str(r.target_year),
                L("uptake.col.target"): fmt.share(r.target_share, lang),
                L("uptake.col.probability"): fmt.probability(r.probability, lang),
                L("uptake.col.median_share"): fmt.share(r.median_share, lang),
                L("uptake.col.gap"): fmt.pp(r.gap_share, lang, 0),
                L("uptake.col.crossing_year"): cross,
                L("uptake.col.latest"): latest,
                L("uptake.col.required_pace"): pace,
                L("uptake.col.status"): _status(r.status, lang),
            }
        )
    return reader_index(pd.DataFrame(rows))


def assumptions_table(assumptions: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """A projection's assumptions (``Projection.assumptions``) with their sources, for display.

    A source id is shown with its outlet label; an evidence row id also names the row;
    ``assumption`` shows the word and the reason.
    """
    from dvcanalysis import evidence

    fmt.check_lang(lang)
    L = lambda k: fmt.label(k, lang)  # noqa: E731
    ev = evidence.load().set_index("id")
    sources = evidence.load_sources()
    rows = []
    for r in assumptions.itertuples(index=False):
        if r.source == "assumption":
            src = fmt.label("word.assumption", lang)
        elif r.source in ev.index:
            src = f"{citations.reader(ev.loc[r.source, 'source_id'], lang)}"
        elif r.source in sources.index:
            src = f"{citations.reader(r.source, lang)}"
        else:
            src = r.source
        unit = (
            fmt.label(f"uptake.unit.{r.unit}", lang)
            if fmt.has_label(f"uptake.unit.{r.unit}")
            else r.unit
        )
        rows.append(
            {
                L("uptake.col.assumption"): r.name,
                L("uptake.col.distribution"): r.value,
                L("uptake.col.unit"): unit,
                L("word.source"): src,
                L("uptake.col.reason"): r.reason,
                L("uptake.col.used"): L("uptake.word.yes") if r.used else L("uptake.word.no"),
            }
        )
    return pd.DataFrame(rows)


def quantiles_table(
    quantiles: pd.DataFrame, lang: str = "vi", *, years: list[int] | None = None
) -> pd.DataFrame:
    """Median and 90% interval by year (rows) and segment (columns), formatted as shares."""
    fmt.check_lang(lang)
    q = quantiles if years is None else quantiles[quantiles["year"].isin(years)]
    out = {}
    for seg in dict.fromkeys(q["segment"]):
        d = q[q["segment"] == seg].set_index("year")
        out[fmt.label(f"segment.{seg}", lang)] = [median_interval(r, lang) for r in d.itertuples()]
        index = list(d.index)
    frame = pd.DataFrame(
        out, index=pd.Index([str(y) for y in index], name=fmt.label("uptake.year_end", lang))
    )
    return frame


def _report_year(years, target_year: int | None) -> int:
    """The year to report: the last official target year if projected, else the nearest projected year."""
    years = sorted(int(y) for y in set(years))
    if target_year is None:
        return years[-1]
    return min(years, key=lambda y: (abs(y - target_year), -y))


def compare_table(
    frame, lang: str = "vi", *, year: int | None = None, titles: dict[str, str] | None = None
) -> pd.DataFrame:
    """Scenario comparison at one year: median (90% interval) by scenario and segment.

    ``frame`` is a :class:`~dvcanalysis.uptake.Comparison` (or its frame). ``year`` defaults to
    the last official target year in the evidence (the nearest projected year if it is not projected).
    """
    from dvcanalysis import uptake

    fmt.check_lang(lang)
    if year is None:
        target_year = (
            frame.last_target_year
            if hasattr(frame, "last_target_year")
            else uptake.last_target_year()
        )
    if hasattr(frame, "to_df"):
        frame = frame.to_df()
    if year is None:
        year = _report_year(frame["year"], target_year)
    d = frame[frame["year"] == year]
    rows = []
    for name in dict.fromkeys(d["scenario"]):
        row = {fmt.label("uptake.col.scenario", lang): (titles or {}).get(name, name)}
        for r in d[d["scenario"] == name].itertuples(index=False):
            row[fmt.label(f"segment.{r.segment}", lang)] = median_interval(r, lang)
        rows.append(row)
    return pd.DataFrame(rows)


def observations_table(obs: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Observations with their role, period, value, evidence id and source, for display."""

    fmt.check_lang(lang)
    L = lambda k: fmt.label(k, lang)  # noqa: E731
    role_key = ROLE_LABEL_KEYS
    return pd.DataFrame(
        [
            {
                L("word.segment"): fmt.label(f"segment.{r.segment}", lang),
                L("word.date"): fmt.period(r.period, lang),
                L("word.value"): fmt.share(r.value, lang),
                "id": r.id,
                L("word.source"): citations.reader(r.source_id, lang),
                L("word.kind"): fmt.label(role_key[r.role], lang),
            }
            for r in obs.itertuples(index=False)
        ]
    )


def backtest_table(bt, lang: str = "vi") -> pd.DataFrame:
    """Backtest rows (:func:`dvcanalysis.uptake.backtest`, a Backtest or its frame) for display."""
    fmt.check_lang(lang)
    bt = bt.to_df() if hasattr(bt, "to_df") else bt
    L = lambda k: fmt.label(k, lang)  # noqa: E731
    rows = []
    for r in bt.itertuples(index=False):
        if r.identifiable:
            pred = median_interval(r, lang)
            err, cov = (
                fmt.pp(r.error_share, lang, 1),
                L("uptake.word.yes") if r.covered else L("uptake.word.no"),
            )
        else:
            pred, err, cov = L("uptake.word.not_identifiable"), "–", "–"
        rows.append(
            {
                L("word.indicator"): fmt.label(f"indicator.{r.indicator}", lang),
                L("uptake.col.cutoff"): fmt.day(r.cutoff, lang),
                L("uptake.col.curve"): fmt.label(f"uptake.curve.{r.curve}", lang),
                L("uptake.col.fitted_on"): observed_text(r.fitted_on, lang, cite=False),
                L("uptake.col.observed"): observed_text(r.id, lang),
                L("uptake.col.predicted"): pred,
                L("uptake.col.error"): err,
                L("uptake.col.covered"): cov,
            }
        )
    return reader_index(pd.DataFrame(rows))


def projection_backtest_table(bt, lang: str = "vi") -> pd.DataFrame:
    """Rows of :func:`dvcanalysis.uptake.backtest_projection` (a Backtest or its frame) for display (vi/en).

    Columns: segment, observation (value, period, evidence id), observation date, projected
    5% / median / 95% at that date, error (median minus observed), within the 90% interval.
    Keeps its labelled columns when there is no row.
    """
    fmt.check_lang(lang)
    L = lambda k: fmt.label(k, lang)  # noqa: E731
    cols = [
        L("word.segment"),
        L("uptake.col.observed"),
        L("uptake.col.observed_date"),
        L("uptake.col.q05"),
        L("uptake.col.q50"),
        L("uptake.col.q95"),
        L("uptake.col.error"),
        L("uptake.col.covered"),
    ]
    bt = bt.to_df() if hasattr(bt, "to_df") else bt
    rows = [
        [
            fmt.label(f"segment.{r.segment}", lang),
            observed_text(r.id, lang),
            fmt.day(r.period_end.date(), lang),
            fmt.share(r.q05, lang),
            fmt.share(r.q50, lang),
            fmt.share(r.q95, lang),
            fmt.pp(r.error_share, lang, 1),
            L("uptake.word.yes") if r.covered else L("uptake.word.no"),
        ]
        for r in bt.itertuples(index=False)
    ]
    return reader_index(pd.DataFrame(rows, columns=cols))


def projection_backtest_text(bt, projection, lang: str = "vi") -> str:
    """Markdown: how many observations after the projection's cut-off fall inside its 90% interval, or that there are none."""
    fmt.check_lang(lang)
    bt = bt.to_df() if hasattr(bt, "to_df") else bt
    cutoff = fmt.day(projection.parameters["cutoff"], lang)
    if bt.empty:
        return fmt.label("uptake.text.backtest_none", lang, cutoff=cutoff)
    sc = projection.scenario
    return fmt.label(
        "uptake.text.backtest_some",
        lang,
        scenario=fmt.md(sc.title.get(lang, sc.name)),
        cutoff=cutoff,
        n=len(bt),
        n_in=int(bt["covered"].sum()),
    )


# ---------------------------------------------------------------- uptake narrative (markdown)
def _q(quantiles: pd.DataFrame, seg: str, year: int, lang: str) -> str:
    r = quantiles[(quantiles["segment"] == seg) & (quantiles["year"] == year)].iloc[0]
    return median_interval(r, lang)


def uptake_evidence_text(projection, lang: str = "vi") -> str:
    """Markdown: how thin the evidence is, and how the national points condition the draws.

    Followed by :func:`calibration_text` (which warns when the effective sample size is small).
    """
    from dvcanalysis import uptake

    fmt.check_lang(lang)
    obs = projection.observations
    used = obs[obs["role"] != ROLE_AFTER_CUTOFF]
    n = {s: int((used["segment"] == s).sum()) for s in SEGMENTS}
    loc = used[used["segment"] == "localities"]
    loc_txt = "; ".join(
        f"{fmt.share(r.value, lang)}, {fmt.period(r.period, lang)}, {r.id}"
        for r in loc.itertuples()
    ) or fmt.label("uptake.no_observation", lang)
    nat = used[used["segment"] == "national"].tail(1)
    a = projection.scenario.assumptions["ministries_volume_share"]
    if len(nat):
        nat_txt = f"{fmt.share(nat['value'].iloc[0], lang)}, {fmt.period(nat['period'].iloc[0], lang)}, {nat['id'].iloc[0]}"
        src = citations.reader(nat["source_id"].iloc[0], lang)
    else:
        nat_txt, src = "–", "–"
    if (
        loc.empty
    ):  # nothing to set the national figure against; proxy_text says how localities are anchored
        head = fmt.label(
            "uptake.text.evidence_no_localities",
            lang,
            cutoff=fmt.day(projection.parameters["cutoff"], lang),
            n_min=n["ministries"],
            n_nat=n["national"],
            nat_source=src,
            nat=nat_txt,
        )
        proxy = proxy_text(projection, lang)
        return (
            head + "\n\n" + (proxy + "\n\n" if proxy else "") + calibration_text(projection, lang)
        )
    if len(nat):
        implied = uptake.implied_ministries_share(
            float(nat["value"].iloc[0]), float(loc["value"].iloc[-1]), [a.high, a.low]
        )
    else:
        implied = [float("nan")] * 2
    head = fmt.label(
        "uptake.text.evidence",
        lang,
        cutoff=fmt.day(projection.parameters["cutoff"], lang),
        n_loc=n["localities"],
        loc=loc_txt,
        n_min=n["ministries"],
        n_nat=n["national"],
        nat_source=src,
        nat=nat_txt,
        w_low=fmt.share(a.low, lang),
        w_high=fmt.share(a.high, lang),
        implied_low=fmt.share(implied[0], lang),
        implied_high=fmt.share(implied[1], lang),
    )
    return head + "\n\n" + calibration_text(projection, lang)


def proxy_text(projection, lang: str = "vi") -> str:
    """Markdown: localities have no observation up to the cut-off and are anchored through the national figure.

    Empty when the localities have their own observation up to the cut-off.
    """
    fmt.check_lang(lang)
    a = projection.anchors.get("localities")
    if a is None or not a.proxy:
        return ""
    obs = projection.observations.set_index("id")
    r = obs.loc[a.id]
    ratio = projection.scenario.assumptions["localities_to_national_ratio"]
    return fmt.label(
        "uptake.text.proxy",
        lang,
        cutoff=fmt.day(projection.parameters["cutoff"], lang),
        nat=f"{fmt.share(r['value'], lang)}, {fmt.period(r['period'], lang)}, {a.id}",
        ratio=ratio.describe(),
        anchor_low=fmt.share(a.share_q05, lang),
        anchor_high=fmt.share(a.share_q95, lang),
    )


def _low_ess_text(projection, lang: str) -> str:
    from dvcanalysis import uptake

    cal = projection.calibration
    if not (cal.applied and cal.low_ess):
        return ""
    return fmt.label(
        "uptake.text.low_ess",
        lang,
        ess_share=fmt.share(cal.ess_share, lang, 1),
        threshold=fmt.share(uptake.LOW_ESS_SHARE, lang),
    )


def calibration_text(projection, lang: str = "vi") -> str:
    """Markdown: how the draws were conditioned on the national observations (or why not).

    States the observations used, the likelihood's standard deviation, the prior pool and
    the effective sample size, and adds a warning when the effective sample size is below
    :data:`dvcanalysis.uptake.LOW_ESS_SHARE` of the pool.
    """
    fmt.check_lang(lang)
    cal = projection.calibration
    if not cal.applied:
        return fmt.label(f"uptake.text.calibration_off.{cal.reason or 'disabled'}", lang)
    a = projection.scenario.assumptions["national_observation_sd_share"]
    sd = fmt.pp(a.default, lang, 0, signed=False) if a.distribution == "fixed" else a.describe()
    text = fmt.label(
        "uptake.text.calibration",
        lang,
        ids=", ".join(cal.observation_ids),
        pool=fmt.count(cal.pool, lang),
        sd=sd,
        n=fmt.count(projection.n_draws, lang),
        ess=fmt.count(round(cal.ess), lang),
        ess_share=fmt.share(cal.ess_share, lang),
    )
    warn = _low_ess_text(projection, lang)
    return text + ("\n\n" + warn if warn else "")


def uptake_headline_text(projection, lang: str = "vi", *, year: int | None = None) -> str:
    """Markdown: the median and 90% interval of each segment at the end of ``year``, and the width gap.

    ``year`` defaults to the last official target year in the evidence
    (``projection.last_target_year``); a year outside the projection gives the nearest projected year.
    """
    fmt.check_lang(lang)
    q = projection.quantiles((0.05, 0.5, 0.95))
    year = _report_year(q["year"], projection.last_target_year if year is None else year)
    sc = projection.scenario
    head = fmt.label(
        "uptake.text.headline",
        lang,
        scenario=fmt.md(sc.title.get(lang, sc.name)),
        curve=fmt.label(f"uptake.curve.{sc.curve}", lang),
        year=year,
        min=_q(q, "ministries", year, lang),
        loc=_q(q, "localities", year, lang),
        nat=_q(q, "national", year, lang),
    )
    width = {
        s: float((d["q95"] - d["q05"]).iloc[0]) for s, d in q[q["year"] == year].groupby("segment")
    }
    mins = projection.anchors.get("ministries")
    observed = mins is not None and not mins.proxy
    body = fmt.label(
        "uptake.text.width_observed" if observed else "uptake.text.width",
        lang,
        year=year,
        min_width=fmt.pp(width["ministries"], lang, 0, signed=False),
        loc_width=fmt.pp(width["localities"], lang, 0, signed=False),
        ratio=sc.assumptions["ministries_ratio"].describe(),
    )
    return head + "\n\n" + body


def attainment_text(att: pd.DataFrame, projection, lang: str = "vi") -> str:
    """Markdown: counts by status and what the localities' latest target needs (warns on a small ESS)."""
    fmt.check_lang(lang)
    sc = projection.scenario
    loc = att[att["segment"] == "localities"].sort_values("target_year").tail(1)
    if loc.empty:
        return ""
    r = loc.iloc[0]
    L = lambda k, **kw: fmt.label(k, lang, **kw)  # noqa: E731
    text = L(
        "uptake.text.attainment_counts",
        scenario=fmt.md(sc.title.get(lang, sc.name)),
        n_met=int((att["status"] == "met").sum()),
        n_on=int((att["status"] == "on track").sum()),
        n_unc=int((att["status"] == "uncertain").sum()),
        n_off=int((att["status"] == "off track").sum()),
        n_other=int((~att["status"].isin(["met", "on track", "uncertain", "off track"])).sum()),
        n=len(att),
    )
    common = {
        "target": fmt.share(r.target_share, lang),
        "year": int(r.target_year),
        "p": fmt.probability(r.probability, lang),
    }
    cutoff = fmt.day(projection.parameters["cutoff"], lang)
    if missing(r.latest_share):  # no observation up to the cut-off: no pace can be stated
        text += " " + L("uptake.text.attainment_loc_none", cutoff=cutoff, **common)
    else:
        text += " " + L(
            "uptake.text.attainment_loc",
            latest=fmt.share(r.latest_share, lang),
            date=fmt.day(r.latest_date.date(), lang),
            pace=fmt.pp(r.required_pace_share_per_year, lang, 0, signed=False),
            **common,
        )
    later = projection.observations["role"].eq(ROLE_AFTER_CUTOFF).sum()
    if later:  # a backtest: say so first
        text = L("uptake.text.backtest_intro", cutoff=cutoff, n=int(later)) + "\n\n" + text
    warn = _low_ess_text(projection, lang)
    return text + ("\n\n" + warn if warn else "")


def _source_ids(ids: str) -> list[str]:
    from dvcanalysis import evidence

    ev = evidence.load().set_index("id")
    return [ev.loc[i, "source_id"] for i in str(ids).split(";") if i in ev.index]


def targets_table(official: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Official targets (:func:`dvcanalysis.targets.official`) for display, with their sources."""
    from dvcanalysis import citations

    fmt.check_lang(lang)
    L = lambda k: fmt.label(k, lang)  # noqa: E731
    return reader_index(
        pd.DataFrame(
            [
                {
                    L("word.indicator"): fmt.label(f"indicator.{r.indicator}", lang),
                    L("word.segment"): fmt.label(f"segment.{r.segment}", lang),
                    L("uptake.col.deadline"): fmt.day(r.deadline.date(), lang),
                    L("uptake.col.target"): ("≥ " if r.bound == "min" else "")
                    + fmt.share(r.target_share, lang),
                    L("word.sources"): "; ".join(
                        dict.fromkeys(citations.short(x, lang) for x in _source_ids(r.ids))
                    ),
                    L("uptake.col.modelled"): L("uptake.word.yes")
                    if r.modelled
                    else L("uptake.word.no"),
                }
                for r in official.itertuples(index=False)
            ]
        )
    )


def status_rule_md(lang: str = "vi") -> str:
    """Markdown: the status rule with its thresholds (:mod:`dvcanalysis.targets`), stated from
    the code when the notebook runs."""
    from dvcanalysis import targets

    fmt.check_lang(lang)
    return fmt.label(
        "uptake.text.status_rule",
        lang,
        on=fmt.share(targets.ON_TRACK_PROBABILITY, lang),
        off=fmt.share(targets.OFF_TRACK_PROBABILITY, lang),
    )


def observations_md(projection, lang: str = "vi") -> str:
    """Markdown: how many fully-online figures each segment has up to the projection's cut-off
    (and of which periods), and what a segment without one rests on."""
    fmt.check_lang(lang)
    obs = projection.observations
    used = obs[obs["role"] != ROLE_AFTER_CUTOFF]
    parts = []
    for seg in SEGMENTS:
        s = used[used["segment"] == seg]
        name = fmt.label(f"segment.{seg}", lang)
        if s.empty:
            parts.append(fmt.label("uptake.text.segment_none", lang, segment=name))
        else:
            periods = ", ".join(dict.fromkeys(fmt.period(p, lang) for p in s["period"]))
            parts.append(
                fmt.label("uptake.text.segment_some", lang, segment=name, n=len(s), periods=periods)
            )
    return (
        fmt.label(
            "uptake.text.observations_head",
            lang,
            cutoff=fmt.day(projection.parameters["cutoff"], lang),
        )
        + " "
        + "; ".join(parts)
        + "."
    )
