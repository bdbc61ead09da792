"""The claims audit: every official savings claim that can be recomputed, against the reference.

Owns :func:`claims_audit` and its verdicts (:data:`AGREE_RATIO`, :func:`_verdict`): ``reference``,
``agrees``, ``higher``, ``lower`` or ``not_comparable``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dvcanalysis import evidence
from dvcanalysis.savings.config import Config, Reference, evidence_terms, load_config, reference

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
    cfg = load_config(config)
    audit = _Audit.start(cfg)
    _reference_claims(audit)
    _paper_claims(audit)
    _portal_claims(audit)
    _health_insurance_claim(audit, hours_per_day=cfg.parameters["hours_per_day"].default)
    return audit.frame()


#: Columns only some claims fill (NaN elsewhere).
_OPTIONAL_COLUMNS = (
    "stated_days_saved",
    "implied_vnd_per_hour",
    "implied_wage_ratio",
    "stated_online_dossiers",
    "per_stated_online_dossier_vnd",
)


@dataclass
class _Audit:
    """The audit being built: the evidence, the reference, the value of time and the rows."""

    ev: pd.DataFrame  # evidence indexed by id
    ref: Reference
    vot: float  # value of time, VND per hour (the average wage)
    wage_period: str  # the period of the evidence row the value of time is read from
    rows: list[dict] = field(default_factory=list)

    @classmethod
    def start(cls, cfg: Config) -> _Audit:
        ev = evidence.load().set_index("id")
        vot_param = cfg.parameters["value_of_time_vnd_per_hour"]
        vot_rows = [i for i in evidence_terms(vot_param.default_spec) if i in ev.index]
        wage_period = str(ev.loc[vot_rows[0], "period"]) if vot_rows else ""
        return cls(ev=ev, ref=reference(cfg), vot=vot_param.default, wage_period=wage_period)

    def v(self, i: str) -> float:
        return float(self.ev.loc[i, "value"])

    def period(self, i: str) -> str:
        return str(self.ev.loc[i, "period"])

    def find(
        self, indicator: str, segment: str | None = None, source_prefix: str = ""
    ) -> list[str]:
        """Ids of the evidence rows of ``indicator`` (and ``segment``) whose source id starts
        with ``source_prefix``, sorted."""
        ev = self.ev
        sel = ev[(ev["indicator"] == indicator) & ev["source_id"].str.startswith(source_prefix)]
        if segment is not None:
            sel = sel[sel["segment"] == segment]
        return sorted(sel.index)

    def add(
        self, claim, rows_ids, period_, claim_vnd, dossiers, per, basis, ratio, verdict, **extra
    ):
        self.rows.append(
            {
                "claim": claim,
                "evidence_ids": ";".join(rows_ids),
                "sources": ";".join(sorted({self.ev.loc[i, "source_id"] for i in rows_ids})),
                "period": period_,
                "claim_vnd_per_year": claim_vnd,
                "implied_dossiers": dossiers,
                "implied_per_dossier_vnd": per,
                "implied_hours_of_avg_wage": per / self.vot if per == per else math.nan,
                "basis": basis,
                "ratio": ratio,
                "verdict": verdict,
                "note": f"savings.audit.note.{claim}",
                "wage_period": self.wage_period,
                **extra,
            }
        )

    def add_portal(self, claim: str, rows_ids: list[str], total: float, **extra) -> None:
        """A portal-wide yearly claim: the volume it needs at the reference VND per dossier,
        the saving per dossier if every dossier were online, and its ratio to the reference."""
        ratio = total / self.ref.saving_vnd
        self.add(
            claim,
            rows_ids,
            self.period(rows_ids[0]),
            total,
            total / self.ref.per_dossier_vnd,
            total / self.ref.total_dossiers,
            "per_year",
            ratio,
            _verdict(ratio, True),
            **extra,
        )

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows)
        for col in _OPTIONAL_COLUMNS:
            if col not in df:
                df[col] = math.nan
        return df


def _reference_claims(a: _Audit) -> None:
    """The reference claim itself, and its 17.5 million people against 17.5 million dossiers."""
    ref, ids = a.ref, a.ref.ids
    a.add(
        "social_cost_target",
        [ids["saving"], ids["dossiers_online"], ids["share"]],
        a.period(ids["saving"]),
        ref.saving_vnd,
        ref.total_dossiers,
        ref.per_dossier_vnd,
        "per_dossier",
        1.0,
        "reference",
    )
    ppl = ref.people / ref.dossiers_online
    a.add(
        "people_vs_dossiers",
        [ids["people"], ids["dossiers_online"], ids["share"]],
        a.period(ids["people"]),
        math.nan,
        ref.dossiers_online,
        math.nan,
        "count",
        ppl,
        _verdict(ppl, True),
    )


def _paper_claims(a: _Audit) -> None:
    """Paper and ink saved by document exchange (seed004): another channel, not comparable."""
    for i in a.find("paper_cost_saving", "government_office"):
        a.add(
            "paper_document_exchange",
            [i],
            a.period(i),
            a.v(i),
            math.nan,
            math.nan,
            "per_year",
            a.v(i) / a.ref.saving_vnd,
            "not_comparable",
        )


def _portal_claims(a: _Audit) -> None:
    """The portal's yearly savings: at launch (2019), in 2021 (over 8.1 trillion + 1.2 trillion
    paper and delivery) and in its first year to December 2020 (about 8,000 billion a year,
    against the dossiers it actually handled online that year)."""
    for i in a.find("portal_cost_saving", source_prefix="ref_vir"):
        a.add_portal("portal_launch_2019", [i], a.v(i))
    ids21 = a.find("portal_cost_saving", source_prefix="ref_vietnamplus_2021") + a.find(
        "paper_cost_saving", "portal"
    )
    if ids21:
        a.add_portal("portal_2021", ids21, sum(a.v(i) for i in ids21))
    for i in a.find("portal_cost_saving", source_prefix="ref_binhduong"):
        total = a.v(i)
        online = a.find("portal_online_dossiers", source_prefix="ref_binhduong")
        n_online = a.v(online[0]) if online else math.nan
        a.add_portal(
            "portal_first_year_2020",
            [i, *online],
            total,
            stated_online_dossiers=n_online,
            per_stated_online_dossier_vnd=total / n_online,
        )


def _health_insurance_claim(a: _Audit, *, hours_per_day: float) -> None:
    """Health-insurance card reissue: one working day saved per request; the VND per hour that
    day implies, and that over the average wage."""
    hi_saving, hi_req = a.find("hi_card_reissue_saving"), a.find("hi_card_reissue_requests")
    hi_days = a.find("hi_card_reissue_time_saved")
    if not (hi_saving and hi_req):
        return
    per = a.v(hi_saving[0]) / a.v(hi_req[0])
    a.add(
        "health_insurance_reissue",
        hi_saving + hi_req + hi_days,
        a.period(hi_saving[0]),
        a.v(hi_saving[0]),
        a.v(hi_req[0]),
        per,
        "per_dossier",
        per / a.ref.per_dossier_vnd,
        _verdict(per / a.ref.per_dossier_vnd, True),
        stated_days_saved=a.v(hi_days[0]) if hi_days else math.nan,
        implied_vnd_per_hour=per / (hours_per_day * (a.v(hi_days[0]) if hi_days else 1.0)),
    )
    a.rows[-1]["implied_wage_ratio"] = a.rows[-1]["implied_vnd_per_hour"] / a.vot
