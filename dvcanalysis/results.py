"""The result protocol every model result follows.

A result is what a model function returns (:func:`dvcanalysis.uptake.project` ->
:class:`~dvcanalysis.uptake.Projection`, :func:`dvcanalysis.savings.estimate` ->
:class:`~dvcanalysis.savings.Estimate`, ...). Whatever the model, a result offers the same
five things, so that notebooks, briefings, tables and tests treat them alike:

``to_df()``
    The result as a long table with explicit units in its column names.
``plot(ax=None, *, lang="vi", ...)``
    Its standard figure, drawn by :mod:`dvcanalysis.plots`; returns the axes drawn on
    (or the figure, for a result whose standard figure has several panels).
``provenance()``
    A :class:`~dvcanalysis.provenance.Provenance`: the sources, the data date and the
    parameters that produced it.
``parameters``
    What produced it (name -> value): the arguments and options of the model call.
``sources``
    The source ids (``data/sources.csv``) behind its inputs.

and a short one-line ``repr`` (its kind and the few facts that identify it), never a dump of
its arrays. Results are dataclasses built with keyword arguments only
(``@dataclass(kw_only=True, repr=False)``: the ``repr`` is the protocol's).

Subclasses implement :meth:`Result.to_df`, :meth:`Result.plot`, :meth:`Result.provenance`,
:attr:`Result.sources` and :meth:`Result.summary` (the text inside the ``repr``), and have a
``parameters`` attribute or property.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

import pandas as pd

from dvcanalysis.provenance import Provenance

#: The longest ``repr`` a result may have (characters); a test holds every result to it.
REPR_MAX_CHARS = 160


class Result(abc.ABC):
    """Base class of the package's model results (see the module docstring for the protocol)."""

    parameters: Mapping[str, object]

    @abc.abstractmethod
    def to_df(self) -> pd.DataFrame:
        """The result as a long table (units in the column names)."""

    @abc.abstractmethod
    def plot(self, ax: Any = None, *, lang: str = "vi", **options: Any) -> Any:
        """Draw the result's standard figure on ``ax`` (a new figure when None); return what was drawn on."""

    @abc.abstractmethod
    def provenance(self) -> Provenance:
        """Where the result's inputs came from and which parameters produced it."""

    @property
    @abc.abstractmethod
    def sources(self) -> list[str]:
        """Source ids behind the result's inputs."""

    @abc.abstractmethod
    def summary(self) -> str:
        """A few words identifying the result (shown in its ``repr``), e.g. ``"business-as-usual, 2000 draws"``."""

    def __repr__(self) -> str:
        text = f"<{type(self).__name__}: {self.summary()}>"
        if len(text) > REPR_MAX_CHARS:
            text = text[: REPR_MAX_CHARS - 4] + "...>"
        return text


def check_own_figure(result: Result, ax: Any) -> None:
    """For a result whose standard figure is a whole figure (its size, panels and footer with
    the sources are part of it): ``ax`` must be None.

    Raises
    ------
    InputError
        If ``ax`` is given, naming the result's ``plot`` and what is accepted.
    """
    if ax is not None:
        from dvcanalysis.errors import InputError

        raise InputError(
            f"ax is not accepted by {type(result).__name__}.plot, which draws a figure of its own "
            "(size and footer with the sources); expected ax=None"
        )
