"""What a projection reads, up to a cut-off: scenarios, observations and official targets.

Owns the cut-off parsing, the fully-online observations of the three segments with their
role for a cut-off (:func:`observations`), the binding official targets of the modelled
segments (:func:`segment_targets`, :func:`last_target_year`), and the caches that keep a
repeated :func:`~dvcanalysis.uptake.project` call from re-parsing YAML or re-filtering the
evidence (keyed on the files' contents or stamps, so any change of the files gives a new key).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from dvcanalysis import evidence, paths, scenarios
from dvcanalysis import targets as _targets  # targets never imports uptake: no cycle
from dvcanalysis.dates import parse_cutoff
from dvcanalysis.errors import check_choice
from dvcanalysis.scenarios import Scenario
from dvcanalysis.uptake.curves import end_of_year
from dvcanalysis.vocabulary import ROLE_AFTER_CUTOFF, ROLE_COMPARISON, SEGMENTS

INDICATOR = "fully_online_share"
# The definition of every observation the models read (old-definition figures never enter).
DEFINITION = "fully_online"
# ``cutoff=None`` everywhere means the evidence's own date (:func:`dvcanalysis.evidence.data_date`):
# new rows move it, no code names it.
DEFAULT_CUTOFF = None


# Loading is cached by what it reads, so that a repeated project() call does not re-parse
# YAML or re-filter the evidence; any change of the files gives a new key.
_CACHE_SIZE = 32
_scenario_cache: dict[tuple, Scenario] = {}
_observations_cache: dict[tuple, pd.DataFrame] = {}


def _evidence_stamp() -> tuple | None:
    """``(path, mtime, size)`` of the evidence file (what ``evidence.load`` caches on), or None."""
    p = paths.data_dir() / "evidence.csv"
    try:
        st = p.stat()
    except OSError:
        return None
    return (str(p.resolve()), st.st_mtime_ns, st.st_size)


def _remember(cache: dict, key: tuple, value):
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value
    return value


def load_scenario(name: str) -> Scenario:
    """``scenarios.load(name)``, cached on the contents of the scenario files and the evidence stamp.

    What :func:`~dvcanalysis.uptake.project` and the other model functions read a scenario
    name with; each call returns a copy, so a caller changing it leaves the cache alone.
    """
    ev = _evidence_stamp()
    d = scenarios.scenario_dir()
    try:
        files = tuple(sorted((f.name, f.read_bytes()) for f in Path(d).glob("*.yml")))
    except OSError:
        files = None
    if ev is None or files is None:  # let the loader report what is missing
        return scenarios.load(name)
    key = (str(Path(d).resolve()), name, files, ev)
    sc = _scenario_cache.get(key)
    if sc is None:
        sc = _remember(_scenario_cache, key, scenarios.load(name))
    # A frozen dataclass whose mappings are copied: a caller changing them leaves the cache alone.
    return dataclasses.replace(sc, title=dict(sc.title), assumptions=dict(sc.assumptions))


def _decimal(ts) -> float:
    return evidence.decimal_year(pd.Timestamp(ts).date())


def observations(*, cutoff: str | date | None = DEFAULT_CUTOFF) -> pd.DataFrame:
    """Fully-online observations of the three segments, with their role for ``cutoff``.

    Columns ``id, segment, period, period_start, period_end, t_start, t_end, decimal_year,
    value, bound, source_id, role``. An observation is the share of the dossiers of its period
    (``period_start`` to ``period_end``; a single day for a level on a date); ``t_start`` and
    ``t_end`` are its bounds as decimal years and ``decimal_year`` its midpoint, the time at
    which the models compare it with their level (for a path close to linear over the period,
    the period's share equals the level at its midpoint; see ``data/README.md``).
    ``role`` is given by the period's end:
    ``role`` is ``comparison`` (up to the cut-off) or ``after cutoff`` (for backtests);
    :func:`project` then marks the observations it uses as ``anchor`` (calibrates the
    segment's curve) or ``calibration (likelihood)`` (national observations that weight the
    draws, see :func:`condition`).
    """
    cut = pd.Timestamp(parse_cutoff(cutoff))
    ev = _evidence_stamp()
    if ev is not None and (ev, cut) in _observations_cache:
        return _observations_cache[(ev, cut)].copy()
    frames = []
    for seg in SEGMENTS:
        s = evidence.series(INDICATOR, seg)
        s = s[s["definition"] == DEFINITION]
        s.insert(0, "segment", seg)
        frames.append(s)
    obs = pd.concat(frames, ignore_index=True)
    # A period runs from the start of its first day to the end of its last; a level on a
    # single day (start == end) is read at the end of that day, as every year-end value is.
    obs["t_end"] = [_decimal(d) for d in obs["period_end"]]
    obs["t_start"] = [
        te if s == e else _decimal(s) - 1 / 365.25
        for s, e, te in zip(obs["period_start"], obs["period_end"], obs["t_end"], strict=True)
    ]
    obs["decimal_year"] = (obs["t_start"] + obs["t_end"]) / 2
    obs["role"] = np.where(obs["period_end"] <= cut, ROLE_COMPARISON, ROLE_AFTER_CUTOFF)
    cols = [
        "id",
        "segment",
        "period",
        "period_start",
        "period_end",
        "t_start",
        "t_end",
        "decimal_year",
        "value",
        "bound",
        "source_id",
        "role",
    ]
    # Within a segment and period end, the more precise report comes last, so that it is the
    # "latest" observation (45.8% and 45% for 2024 nationally: 45.8% is the segment's latest).
    obs["_digits"] = [len(f"{v:.10g}".partition(".")[2]) for v in obs["value"]]
    obs = obs.sort_values(["segment", "period_end", "_digits", "id"])
    obs = obs[cols].reset_index(drop=True)
    if ev is not None and ev == _evidence_stamp():  # unchanged while it was read
        _remember(_observations_cache, (ev, cut), obs.copy())
    return obs


def _binding_targets() -> pd.DataFrame:
    """One fully-online target per modelled segment and deadline (:func:`dvcanalysis.targets.binding`:
    where statements differ, the higher share binds)."""
    return _targets.binding(indicator=INDICATOR, segments=SEGMENTS)


def _path_targets(off: pd.DataFrame, segment: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """One segment's binding targets, in year order: (times, shares, evidence ids).

    A year's target is assessed on that year's full-year share, which the projection reads as
    the level at mid-year; so the target path passes through each target at mid-year
    (``year + 0.5``), and meets it by construction.
    """
    o = off[off["segment"] == segment].sort_values("year")
    times = end_of_year(o["year"].to_numpy()) - 0.5
    return times, o["target_share"].to_numpy(float), list(o["ids"])


def segment_targets(segment: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Official fully-online targets of ``segment``, from :mod:`dvcanalysis.targets` (``binding``).

    Returns
    -------
    tuple
        ``(end times, shares, evidence ids)``, one per deadline year (the higher value where
        sources differ).

    Raises
    ------
    InputError
        For a segment other than ``ministries``, ``localities``, ``national``.
    """
    check_choice("segment", segment, SEGMENTS)
    return _path_targets(_binding_targets(), segment)


def all_segment_targets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`segment_targets` ``(end times, shares)`` of every segment, from one read of the targets.

    What the ``target-path`` curve follows (:func:`~dvcanalysis.uptake.simulate`'s ``targets``).
    """
    off = _binding_targets()
    return {seg: _path_targets(off, seg)[:2] for seg in SEGMENTS}


def last_target_year() -> int | None:
    """The last deadline year of the official fully-online targets of the modelled segments."""
    off = _binding_targets()
    return int(off["year"].max()) if len(off) else None


def latest_observation(obs: pd.DataFrame, segment: str) -> pd.Series | None:
    """The latest observation of ``segment`` in ``obs`` (from :func:`observations`) up to the
    cut-off (role other than ``after cutoff``), or None when it has none."""
    sel = obs[(obs["segment"] == segment) & (obs["role"] != ROLE_AFTER_CUTOFF)]
    # observations() orders a segment's rows so that the last is the latest (see there)
    return None if sel.empty else sel.sort_values("period_end", kind="stable").iloc[-1]
