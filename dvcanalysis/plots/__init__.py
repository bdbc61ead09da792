"""Figures made from result objects' tidy frames.

Plots never compute a model: each function takes a frame (or a result object's
``.to_df()``) and draws it. :func:`save` writes PNG + SVG + the tidy data as CSV
(with a provenance sidecar) so the data behind every figure sits beside it. A figure carries
no sources block: its sources are in that sidecar and the page that shows it cites them.

Topic modules: :mod:`dvcanalysis.plots.evidence`, ``uptake``, ``savings``, ``units``,
``unit_evidence``, ``evaluation``; their display tables and reader text are in the modules of
the same names under :mod:`dvcanalysis.tables`.
"""

from dvcanalysis.plots._base import Provenance, Saved, new_figure, save, style

__all__ = ["Provenance", "Saved", "new_figure", "save", "style"]
