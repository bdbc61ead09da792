"""Display tables and reader text: result frames turned into labelled, formatted frames and
Markdown (vi/en), as :mod:`dvcanalysis.plots` turns them into figures.

Models return numbers; these builders format them through :mod:`dvcanalysis.fmt` for
notebooks and briefings and compute nothing. Topic modules mirror the plots:
:mod:`dvcanalysis.tables.evidence`, ``uptake`` (uptake and targets), ``savings``, ``units``,
``unit_evidence``, ``evaluation``. In a notebook::

    from dvcanalysis.tables import uptake as uptake_tables
    uptake_tables.attainment_table(att, lang)
"""

from dvcanalysis.tables._base import label_or, median_interval, missing, reader_index

__all__ = ["label_or", "median_interval", "missing", "reader_index"]
