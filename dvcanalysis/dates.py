"""Dates as the package reads them: ``YYYY-MM-DD``, and the cut-off (:func:`parse_cutoff`).

The evidence base is the only clock: a cut-off left empty (``None`` or ``""``, as a notebook
parameter) is the date of the latest fully-online observation
(:func:`dvcanalysis.evidence.data_date`), so that newly added figures move it.
"""

from __future__ import annotations

from datetime import date, datetime

from dvcanalysis.errors import InputError

DATE_FORMAT = "YYYY-MM-DD"


def parse_date(value: object) -> date:
    """A date from a :class:`~datetime.date` (a datetime gives its day) or ``YYYY-MM-DD`` text.

    Text with a time after the day (``2024-08-31T00:00``, as a timestamp prints) gives the day.

    Raises
    ------
    ValueError
        ``"<value!r> is not a date"`` for anything else (the caller says where it was).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            try:
                return datetime.fromisoformat(value).date()
            except ValueError:
                pass
    raise ValueError(f"{value!r} is not a date")


def parse_cutoff(value: str | date | None, *, name: str = "cutoff") -> date:
    """A cut-off date from ``YYYY-MM-DD`` text or a date; empty is the evidence's own date.

    ``None`` or ``""`` is the date of the latest fully-online observation in the evidence
    base (:func:`dvcanalysis.evidence.data_date`). ``name`` is the argument's name in the
    message (``cutoff``, ``as_of``).

    Raises
    ------
    InputError
        ``cutoff='31/08/2024' is not a date; expected YYYY-MM-DD ...``, on one line.
    """
    if value is None or value == "":
        from dvcanalysis import evidence

        return evidence.data_date()
    try:
        return parse_date(value)
    except ValueError:
        raise InputError(
            f"{name}={value!r} is not a date; expected {DATE_FORMAT} (e.g. '2024-08-31'), "
            "or None for the date of the latest observation"
        ) from None
