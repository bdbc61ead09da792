"""The package's shared words: modelled segments and the roles an observation plays in a projection.

Module constants (plain strings, so that tables and stored outputs show the word itself), written
once here and imported wherever they are compared or shown.
"""

from __future__ import annotations

#: The segments the uptake model projects, in display order.
SEGMENTS: tuple[str, ...] = ("ministries", "localities", "national")

# The ``role`` column of a projection's observations (see :func:`dvcanalysis.uptake.observations`).
#: The observation a segment's curve is anchored on.
ROLE_ANCHOR = "anchor"
#: The national observation that anchors the localities when none of theirs precedes the cut-off.
ROLE_PROXY_ANCHOR = "anchor (proxy via localities_to_national_ratio)"
#: A national observation that weights the draws (importance resampling).
ROLE_LIKELIHOOD = "calibration (likelihood)"
#: An observation up to the cut-off that plays no part in the projection (shown for comparison).
ROLE_COMPARISON = "comparison"
#: An observation after the cut-off: what a backtest compares the projection with.
ROLE_AFTER_CUTOFF = "after cutoff"

#: A published figure as the default forecast reads it (no role in a curve's calibration).
ROLE_PUBLISHED = "published"

#: Every role, in the order figures and tables list them, with its display label key.
ROLE_LABEL_KEYS: dict[str, str] = {
    ROLE_PUBLISHED: "uptake.observed_published",
    ROLE_ANCHOR: "uptake.observed",
    ROLE_PROXY_ANCHOR: "uptake.observed_proxy",
    ROLE_LIKELIHOOD: "uptake.observed_likelihood",
    ROLE_COMPARISON: "uptake.observed_other",
    ROLE_AFTER_CUTOFF: "uptake.observed_after",
}
