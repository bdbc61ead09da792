"""Tables and sentences of the forecast evaluation, in vi or en (display layer).

Reads :class:`dvcanalysis.evaluation.Evaluation` frames and :class:`~dvcanalysis.evaluation.TrackRecord`
and formats them through :mod:`dvcanalysis.fmt`; computes no score. Reader text shows no
evidence ids or parameters.
"""

from __future__ import annotations

import math

import pandas as pd

from dvcanalysis import fmt
from dvcanalysis.evaluation import Evaluation, TrackRecord
from dvcanalysis.plots.evaluation import model_label
from dvcanalysis.tables._base import median_interval, reader_index

# Below this many forecasts of the model the summary says the figures are indicative only.
FEW_FORECASTS = 10


def _segment(seg: str, lang: str) -> str:
    return fmt.label("evaluation.segment.all" if seg == "all" else f"segment.{seg}", lang)


def _yes(flag: bool, lang: str) -> str:
    return fmt.label("evaluation.yes" if flag else "evaluation.no", lang)


def _pct(x: float, lang: str) -> str:
    """A relative difference (skill) as a percentage, unsigned."""
    return fmt.share(abs(x), lang, 0) if math.isfinite(x) else "–"


def summary_table(summary: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """:meth:`Evaluation.by_segment` as a display table (coverage in %, scores in percentage points)."""
    fmt.check_lang(lang)
    L = lambda k: fmt.label(f"evaluation.col.{k}", lang)  # noqa: E731
    rows = []
    for r in summary.itertuples(index=False):
        rows.append(
            {
                L("segment"): _segment(r.segment, lang),
                L("model"): model_label(r.model, lang),
                L("n_forecasts"): fmt.number(r.n_forecasts, lang),
                L("n_origins"): fmt.number(r.n_origins, lang),
                L("coverage50"): fmt.share(r.coverage50, lang),
                L("coverage90"): fmt.share(r.coverage90, lang),
                L("mean_crps"): fmt.pp(r.mean_crps_share, lang, 1, signed=False),
                L("mean_wis"): fmt.pp(r.mean_wis_share, lang, 1, signed=False),
                L("mean_abs_error"): fmt.pp(r.mean_abs_error_share, lang, 1, signed=False),
                L("skill"): fmt.number(r.relative_wis, lang, 2)
                if math.isfinite(r.relative_wis)
                else "–",
                L("mean_brier"): fmt.number(r.mean_brier, lang, 3)
                if math.isfinite(r.mean_brier)
                else "–",
            }
        )
    return reader_index(pd.DataFrame(rows))


def forecasts_table(forecasts: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Every scored forecast: vintage, segment, forecaster, observation, forecast, inside, PIT, CRPS."""
    fmt.check_lang(lang)
    L = lambda k: fmt.label(f"evaluation.col.{k}", lang)  # noqa: E731
    rows = []
    for r in forecasts.itertuples(index=False):
        rows.append(
            {
                L("origin"): fmt.day(r.origin, lang),
                L("segment"): _segment(r.segment, lang),
                L("observation"): fmt.period(r.period, lang),
                L("model"): model_label(r.model, lang),
                L("observed"): fmt.share(r.observed, lang, 1),
                L("forecast"): median_interval(r, lang),
                L("inside90"): _yes(bool(r.in90), lang),
                L("pit"): fmt.number(r.pit, lang, 2),
                L("crps"): fmt.pp(r.crps_share, lang, 1, signed=False),
            }
        )
    return reader_index(pd.DataFrame(rows))


def brier_table(brier: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Target probabilities scored where a target's deadline has an observation."""
    fmt.check_lang(lang)
    L = lambda k: fmt.label(f"evaluation.col.{k}", lang)  # noqa: E731
    cols = ("origin", "segment", "target", "model", "probability", "observed", "outcome", "brier")
    return reader_index(
        pd.DataFrame(
            [
                {
                    L("origin"): fmt.day(r.origin, lang),
                    L("segment"): _segment(r.segment, lang),
                    L("target"): f"{fmt.share(r.target_share, lang)} ({r.target_year})",
                    L("model"): model_label(r.model, lang),
                    L("probability"): fmt.probability(r.probability, lang),
                    L("observed"): fmt.share(r.observed, lang, 1),
                    L("outcome"): _yes(bool(r.outcome), lang),
                    L("brier"): fmt.number(r.brier, lang, 3),
                }
                for r in brier.itertuples(index=False)
            ],
            columns=[L(c) for c in cols],
        )
    )


def summary_text(ev: Evaluation, lang: str = "vi") -> str:
    """A short paragraph: what was scored, the model's coverage, whether it beat persistence."""
    fmt.check_lang(lang)
    f = ev.forecasts
    summ = ev.by_segment()
    models = ", ".join(model_label(m, lang) for m in ev.models)
    origins = ", ".join(fmt.day(o, lang) for o in ev.origins)
    parts = [
        fmt.label(
            "evaluation.summary_text",
            lang,
            n=fmt.number(len(f) // max(len(ev.models), 1), lang),
            models=models,
            n_origins=fmt.number(len(ev.origins), lang),
            origins=origins,
            as_of=fmt.day(ev.parameters["data_as_of"], lang),
        )
    ]
    row = summ[(summ["model"] == "default") & (summ["segment"] == "all")]
    if len(row):
        r = row.iloc[0]
        name = model_label(r["model"], lang)
        parts.append(
            fmt.label(
                "evaluation.coverage_text",
                lang,
                model=name,
                c90=fmt.share(r["coverage90"], lang),
                c50=fmt.share(r["coverage50"], lang),
            )
        )
        rel = float(r["relative_wis"])
        if math.isfinite(rel) and _pct(1 - rel, lang) != _pct(0.0, lang):
            key = "evaluation.skill_better" if rel < 1 else "evaluation.skill_worse"
            parts.append(fmt.label(key, lang, model=name, pct=_pct(1 - rel, lang)))
        if int(r["n_forecasts"]) < FEW_FORECASTS:
            parts.append(
                fmt.label("evaluation.few_text", lang, n=fmt.number(r["n_forecasts"], lang))
            )
    if len(ev.skipped):
        skipped = ", ".join(fmt.day(o, lang) for o in sorted(set(ev.skipped["origin"])))
        parts.append(fmt.label("evaluation.skipped_text", lang, origins=skipped))
    return " ".join(parts)


def track_record_text(record: TrackRecord | None, lang: str = "vi") -> str:
    """The track record in two plain sentences; says so plainly if the model does not beat
    persistence. Empty text when there is no record (nothing to check yet)."""
    fmt.check_lang(lang)
    if record is None:
        return ""
    r = record
    inside = fmt.label(
        "evaluation.track_inside" if r.inside_band else "evaluation.track_outside", lang
    )
    first = fmt.label(
        "evaluation.track_forecast",
        lang,
        how=fmt.label("evaluation.track_how." + ("archived" if r.archived else "remade"), lang),
        origin=fmt.day(r.origin, lang),
        period=fmt.period(r.period, lang),
        median=fmt.share(r.median_share, lang),
        low=fmt.share(r.low_share, lang),
        high=fmt.share(r.high_share, lang),
        observed=fmt.share(r.observed_share, lang, 1),
        inside=inside,
    )
    counts = {"n": fmt.number(r.n_forecasts, lang), "n_origins": fmt.number(r.n_origins, lang)}
    rel = r.relative_wis
    if math.isfinite(rel) and _pct(1 - rel, lang) == _pct(0.0, lang):
        rel = 1.0  # no difference at the precision shown: said as equal
    if not math.isfinite(rel):
        second = fmt.label("evaluation.track_no_skill", lang)
    elif rel < 1:
        second = fmt.label("evaluation.track_better", lang, pct=_pct(1 - rel, lang), **counts)
    elif rel > 1:
        second = fmt.label("evaluation.track_worse", lang, pct=_pct(rel - 1, lang), **counts)
    else:
        second = fmt.label("evaluation.track_equal", lang, **counts)
    return f"{first} {second}"


def brier_text(ev: Evaluation, lang: str = "vi") -> str:
    """How many target probabilities could be scored (a deadline with a published figure)."""
    fmt.check_lang(lang)
    b = ev.brier
    if b.empty:
        return fmt.label("evaluation.brier_none", lang)
    return fmt.label(
        "evaluation.brier_some",
        lang,
        n=fmt.number(len(b[b["model"] == "default"]), lang),
    )


def track_records_md(records: dict[str, TrackRecord | None], lang: str = "vi") -> str:
    """One markdown bullet per segment with its track record (:func:`track_record_text`)."""
    fmt.check_lang(lang)
    lines = []
    for seg in ("national", "ministries", "localities"):
        text = track_record_text(records.get(seg), lang)
        if not text:
            text = fmt.label("evaluation.track_none", lang)
        lines.append(f"- **{fmt.label(f'segment.{seg}', lang)}.** {text}")
    return "\n".join(lines)


def horizon_table(by_horizon: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """:meth:`Evaluation.by_horizon` as a display table."""
    fmt.check_lang(lang)
    L = lambda k: fmt.label(f"evaluation.col.{k}", lang)  # noqa: E731
    return reader_index(
        pd.DataFrame(
            [
                {
                    L("horizon"): r.horizon,
                    L("model"): model_label(r.model, lang),
                    L("n_forecasts"): fmt.number(r.n_forecasts, lang),
                    L("coverage50"): fmt.share(r.coverage50, lang),
                    L("coverage90"): fmt.share(r.coverage90, lang),
                    L("mean_wis"): fmt.pp(r.mean_wis_share, lang, 1, signed=False),
                    L("skill"): fmt.number(r.relative_wis, lang, 2)
                    if math.isfinite(r.relative_wis)
                    else "–",
                }
                for r in by_horizon.itertuples(index=False)
            ]
        )
    )


def members_text(selection: pd.DataFrame, lang: str = "vi") -> str:
    """Which candidates joined the default forecast and why (one sentence each)."""
    fmt.check_lang(lang)
    parts = [fmt.label("evaluation.members_core", lang)]
    for r in selection.itertuples(index=False):
        key = "evaluation.member_joined" if r.joined else "evaluation.member_left"
        rel = fmt.number(r.relative_wis, lang, 2) if math.isfinite(r.relative_wis) else "–"
        parts.append(
            fmt.label(
                key,
                lang,
                model=model_label(r.candidate, lang),
                rel=rel,
                n=fmt.number(r.n_pairs, lang),
            )
        )
    return " ".join(parts)
