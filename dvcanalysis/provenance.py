"""Provenance: where a result's inputs came from and which parameters produced it.

A plain record that models attach to their results and that figures and tables
print (see :meth:`Provenance.text`). It lives at the left of the flow so that models
can build one without importing the display layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Provenance:
    """Where a figure's or table's inputs came from and what produced it.

    Attributes
    ----------
    sources
        Source ids (from ``data/sources.csv``) behind the inputs.
    parameters
        The parameters that produced the figure (name -> value).
    note
        Free text (for example "assumption: ...").
    data_date
        The date of the data the result rests on (ISO ``YYYY-MM-DD``): a projection's cut-off;
        None: the evidence's own date (:func:`dvcanalysis.evidence.data_date`) when shown.
    """

    sources: list[str] = field(default_factory=list)
    parameters: dict[str, object] = field(default_factory=dict)
    note: str = ""
    data_date: str | None = None

    def resolved_data_date(self) -> str:
        """:attr:`data_date`, or the date of the latest observation in the evidence base."""
        if self.data_date:
            return str(self.data_date)
        from dvcanalysis import evidence

        return evidence.data_date().isoformat()

    def text(self, lang: str = "vi") -> str:
        """One footer line: sources with dates, then parameters."""
        from dvcanalysis import evidence
        from dvcanalysis import fmt as _fmt  # display only; imported when text is asked for

        parts = [
            _fmt.label("word.data_as_of", lang, date=_fmt.day(self.resolved_data_date(), lang))
        ]
        if self.sources:
            cites = "; ".join(evidence.source_label(s, lang) for s in sorted(set(self.sources)))
            parts.append(f"{_fmt.label('word.sources', lang)}: {cites}")
        if self.parameters:
            params = ", ".join(f"{k}={v}" for k, v in self.parameters.items())
            parts.append(f"{_fmt.label('word.parameters', lang)}: {params}")
        if self.note:
            parts.append(self.note)
        return " | ".join(parts)

    def to_dict(self) -> dict:
        return {
            "sources": sorted(set(self.sources)),
            "parameters": self.parameters,
            "note": self.note,
            "data_date": self.resolved_data_date(),
        }
