"""The claims audit: every official savings claim that can be recomputed, against the reference.

Owns :func:`claims_audit` and its verdicts (:data:`AGREE_RATIO`, :func:`_verdict`): ``reference``,
``agrees``, ``higher``, ``lower`` or ``not_comparable``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from dvcanalysis import evidence
from dvcanalysis.savings.config import Config, reference
from dvcanalysis.savings.config import evidence_terms as _evidence_terms
from dvcanalysis.savings.config import load_config as _cfg

AGREE_RATIO = (0.8, 1.25)


def _verdict(ratio: float, comparable: bool) -> str:
    if not comparable:
        return "not_comparable"
    if AGREE_RATIO[0] <= ratio <= AGREE_RATIO[1]:
        return "agrees"
    return "higher" if ratio > 1 else "lower"


def claims_audit(config: Config | Path | str | None = None) -> pd.DataFrame:
    """Every official savings claim in the evidence base that can be recomputed.

    One row per claim with what it implies and how it compares with the 2,600-billion claim
    (seed003): ``claim, evidence_ids, sources, period, claim_vnd_per_year, implied_dossiers,
    implied_per_dossier_vnd, implied_hours_of_avg_wage, basis, ratio, verdict, note,
    wage_period, stated_days_saved, implied_vnd_per_hour, implied_wage_ratio`` (the last three for the
    health-insurance claim: the VND per hour its day implies, and that over the average wage),
    ``stated_online_dossiers, per_stated_online_dossier_vnd`` (for the portal's first-year claim:
    the online dossiers it reported that year, and the saving per such dossier).
    ``wage_period`` is the period of the evidence row the value of time (the average wage of
    ``implied_hours_of_avg_wage`` and ``implied_wage_ratio``) is read from.
    ``ratio`` is the claim's value over the reference's on ``basis`` (``per_dossier``,
    ``per_year`` or ``count``). For the portal-wide claims ``implied_dossiers`` is the volume
    needed at the reference VND per dossier, and ``implied_per_dossier_vnd`` the saving needed if
    every one of the implied total dossiers were online (a lower bound). ``verdict`` is ``reference``, ``agrees`` (ratio 0.8-1.25),
    ``higher``, ``lower`` or ``not_comparable``; ``note`` is a label key
    (``savings.audit.note.<claim>``) explaining the comparison.
    """
    cfg = _cfg(config)
    ref = reference(cfg)
    ev = evidence.load().set_index("id")
    vot_param = cfg.parameters["value_of_time_vnd_per_hour"]
    vot = vot_param.default
    # the period of the income the value of time is read from (e.g. GSO 2024), for the notes
    vot_rows = [i for i in _evidence_terms(vot_param.default_spec) if i in ev.index]
    wage_period = str(ev.loc[vot_rows[0], "period"]) if vot_rows else ""
    ids = ref.ids

    def v(i: str) -> float:
        return float(ev.loc[i, "value"])

    def src(*rows: str) -> str:
        return ";".join(sorted({ev.loc[i, "source_id"] for i in rows}))

    def period(i: str) -> str:
        return str(ev.loc[i, "period"])

    def find(indicator: str, segment: str | None = None, source_prefix: str = "") -> list[str]:
        sel = ev[(ev["indicator"] == indicator) & ev["source_id"].str.startswith(source_prefix)]
        if segment is not None:
            sel = sel[sel["segment"] == segment]
        return sorted(sel.index)

    rows = []

    def add(claim, rows_ids, period_, claim_vnd, dossiers, per, basis, ratio, verdict, **extra):
        rows.append(
            {
                "claim": claim,
                "evidence_ids": ";".join(rows_ids),
                "sources": src(*rows_ids),
                "period": period_,
                "claim_vnd_per_year": claim_vnd,
                "implied_dossiers": dossiers,
                "implied_per_dossier_vnd": per,
                "implied_hours_of_avg_wage": per / vot if per == per else math.nan,
                "basis": basis,
                "ratio": ratio,
                "verdict": verdict,
                "note": f"savings.audit.note.{claim}",
                "wage_period": wage_period,
                **extra,
            }
        )

    # 1. the reference claim itself
    add(
        "social_cost_target",
        [ids["saving"], ids["dossiers_online"], ids["share"]],
        period(ids["saving"]),
        ref.saving_vnd,
        ref.total_dossiers,
        ref.per_dossier_vnd,
        "per_dossier",
        1.0,
        "reference",
    )
    # 2. 17.5 million people vs 17.5 million dossiers
    ppl = ref.people / ref.dossiers_online
    add(
        "people_vs_dossiers",
        [ids["people"], ids["dossiers_online"], ids["share"]],
        period(ids["people"]),
        math.nan,
        ref.dossiers_online,
        math.nan,
        "count",
        ppl,
        _verdict(ppl, True),
    )
    # 3. paper and ink saved by document exchange (seed004): another channel
    for i in find("paper_cost_saving", "government_office"):
        add(
            "paper_document_exchange",
            [i],
            period(i),
            v(i),
            math.nan,
            math.nan,
            "per_year",
            v(i) / ref.saving_vnd,
            "not_comparable",
        )

    def add_portal(claim: str, rows_ids: list[str], total: float, **extra) -> None:
        """A portal-wide yearly claim: the volume it needs at the reference VND per dossier,
        the saving per dossier if every dossier were online, and its ratio to the reference."""
        ratio = total / ref.saving_vnd
        add(
            claim,
            rows_ids,
            period(rows_ids[0]),
            total,
            total / ref.per_dossier_vnd,
            total / ref.total_dossiers,
            "per_year",
            ratio,
            _verdict(ratio, True),
            **extra,
        )

    # 4. portal at launch (2019)
    for i in find("portal_cost_saving", source_prefix="ref_vir"):
        add_portal("portal_launch_2019", [i], v(i))
    # 5. portal 2021: over 8.1 trillion + 1.2 trillion paper and delivery
    ids21 = find("portal_cost_saving", source_prefix="ref_vietnamplus_2021") + find(
        "paper_cost_saving", "portal"
    )
    if ids21:
        add_portal("portal_2021", ids21, sum(v(i) for i in ids21))
    # 6. the portal's first year (to December 2020): about 8,000 billion a year, against the
    # dossiers it actually handled online that year
    for i in find("portal_cost_saving", source_prefix="ref_binhduong"):
        total = v(i)
        online = find("portal_online_dossiers", source_prefix="ref_binhduong")
        n_online = v(online[0]) if online else math.nan
        add_portal(
            "portal_first_year_2020",
            [i, *online],
            total,
            stated_online_dossiers=n_online,
            per_stated_online_dossier_vnd=total / n_online,
        )
    # 7. health-insurance card reissue: one working day per request
    hi_saving, hi_req = find("hi_card_reissue_saving"), find("hi_card_reissue_requests")
    hi_days = find("hi_card_reissue_time_saved")
    if hi_saving and hi_req:
        per = v(hi_saving[0]) / v(hi_req[0])
        hours_per_day = cfg.parameters["hours_per_day"].default
        add(
            "health_insurance_reissue",
            hi_saving + hi_req + hi_days,
            period(hi_saving[0]),
            v(hi_saving[0]),
            v(hi_req[0]),
            per,
            "per_dossier",
            per / ref.per_dossier_vnd,
            _verdict(per / ref.per_dossier_vnd, True),
            stated_days_saved=v(hi_days[0]) if hi_days else math.nan,
            implied_vnd_per_hour=per / (hours_per_day * (v(hi_days[0]) if hi_days else 1.0)),
        )
        rows[-1]["implied_wage_ratio"] = rows[-1]["implied_vnd_per_hour"] / vot
    df = pd.DataFrame(rows)
    for col in (
        "stated_days_saved",
        "implied_vnd_per_hour",
        "implied_wage_ratio",
        "stated_online_dossiers",
        "per_stated_online_dossier_vnd",
    ):
        if col not in df:
            df[col] = math.nan
    return df
