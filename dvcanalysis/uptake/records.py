"""The small typed records a projection carries: :class:`Anchor` and :class:`Calibration`.

A :class:`~dvcanalysis.uptake.Projection` says, per segment, which observation its curve is
anchored on (``projection.anchors[segment]``, an :class:`Anchor`), and how its draws were
conditioned on the national observations (``projection.calibration``, a :class:`Calibration`).
Both are frozen: a projection's record of how it was made does not change after it is made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

#: Why a projection's draws were not conditioned on national observations
#: (:attr:`Calibration.reason`).
CALIBRATION_REASONS = (
    "disabled",  # calibrate=False
    "national_observations",  # national follows its own curve through its own observations
    "no_observation",  # no national observation up to the cut-off besides the anchors
    "baseline",  # a naive baseline (:mod:`~dvcanalysis.uptake.baselines`) is never conditioned
)


@dataclass(frozen=True, kw_only=True)
class Anchor:
    """The observation a segment's curve is anchored on (its latest up to the cut-off).

    Attributes
    ----------
    id
        Evidence id of the observation.
    time
        Its decimal time (the midpoint of the period it measures).
    value
        Its share (0-1). For a proxy anchor of the localities, the national figure (the
        localities' level is that times :attr:`via`, drawn per draw); for a proxy anchor of
        the ministries, NaN (their level is the localities' times ``ministries_ratio``).
    proxy
        True when the segment has no observation of its own up to the cut-off.
    via
        The assumption through which a proxy anchor's level is read
        (``localities_to_national_ratio``), or None.
    share_q05, share_q95
        For a proxy anchor of the localities: the 5% and 95% of the anchor level the kept
        draws imply (national figure x ratio); None otherwise.
    """

    id: str
    time: float
    value: float
    proxy: bool = False
    via: str | None = None
    share_q05: float | None = None
    share_q95: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(self.id))
        object.__setattr__(self, "time", float(self.time))
        object.__setattr__(self, "value", float(self.value))
        object.__setattr__(self, "proxy", bool(self.proxy))


@dataclass(frozen=True, kw_only=True)
class Calibration:
    """How a projection's draws were conditioned on the national observations.

    Attributes
    ----------
    applied
        Whether the draws were resampled on national observations
        (see :func:`~dvcanalysis.uptake.condition`).
    reason
        Why not, when not applied: one of :data:`CALIBRATION_REASONS`; ``""`` when applied.
    observation_ids
        Evidence ids of the national observations that weighted the draws.
    pool
        Prior draws weighted (``POOL_FACTOR * n_draws``); 0 when not computed.
    ess
        Effective sample size of the weights (Kish: ``1 / sum(w^2)``); NaN when not computed.
    weights
        The normalized weights, one per prior draw (None when not computed).
    low_ess_share
        The ESS share (``ess / pool``) below which :attr:`low_ess` is True.
    """

    applied: bool
    reason: str = ""
    observation_ids: tuple[str, ...] = ()
    pool: int = 0
    ess: float = math.nan
    weights: np.ndarray | None = field(default=None, compare=False, repr=False)
    low_ess_share: float = 0.10

    def __post_init__(self) -> None:
        object.__setattr__(self, "observation_ids", tuple(self.observation_ids))
        if self.reason and self.reason not in CALIBRATION_REASONS:
            raise ValueError(
                f"Calibration reason={self.reason!r}; expected one of {', '.join(CALIBRATION_REASONS)}"
            )

    @property
    def ess_share(self) -> float:
        """``ess / pool`` (NaN without a pool)."""
        return self.ess / self.pool if self.pool else math.nan

    @property
    def low_ess(self) -> bool:
        """True when the effective sample size is below :attr:`low_ess_share` of the pool."""
        return bool(self.ess_share < self.low_ess_share)
