"""The settings of the default forecast: ``data/forecast.yml``, read strictly.

Four named parameters (each with a description, unit, range and, being assumptions, a
reason; see the file) and the list of candidate members. Unknown keys, missing entries,
values outside their limits and unknown candidates are refused with one line each naming the
file and key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from dvcanalysis import _io, paths, scenarios
from dvcanalysis.errors import InputError, Problem
from dvcanalysis.parameters import Parameter, Schema, Spec, read_parameters

FILE = "forecast.yml"
DAMPED_TREND = "damped-trend"
SPECS = {
    "fallback_sd_logit": Spec("logit per square-root year", 0.05, 5.0),
    "break_sd_logit": Spec("logit", 0.0, 5.0),
    "damping_per_year": Spec("ratio", 0.0, 0.99),
    "error_half_life_years": Spec("year", 0.1, 100.0),
    "min_pairs_to_join": Spec("count", 1, math.inf, integer=True),
}
SCHEMA = Schema(SPECS, distribution="fixed")
TOP_KEYS = ("parameters", "candidates")


@dataclass(frozen=True)
class Settings:
    """The forecast's settings (:data:`SPECS` values, and the candidate members)."""

    parameters: dict[str, Parameter]
    candidates: tuple[str, ...]
    file: str

    def value(self, name: str) -> float:
        """The default of parameter ``name``."""
        return float(self.parameters[name].default)


_cache: dict[tuple, Settings] = {}


def path() -> Path:
    """``data/forecast.yml``."""
    return paths.data_dir() / FILE


def load(file: Path | str | None = None) -> Settings:
    """Read and check the settings (cached on the file's stamp).

    Raises
    ------
    InputError
        One line per problem, naming the file and key and what is accepted.
    """
    p = Path(file) if file is not None else path()
    try:
        st = p.stat()
        stamp = (str(p.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None
    if stamp is not None and stamp in _cache:
        return _cache[stamp]
    shown = paths.relative(p)
    data = _io.read_yaml(p, what="forecast settings (YAML)", mapping="keys parameters, candidates")
    problems: list[Problem] = []
    for k in data:
        if k not in TOP_KEYS:
            problems.append(
                Problem(shown, f"key '{k}': unknown key; expected one of: {', '.join(TOP_KEYS)}")
            )
    params = read_parameters(
        data.get("parameters"), SCHEMA, file=shown, prefix="parameters", problems=problems
    )
    cands = data.get("candidates", [])
    allowed = (DAMPED_TREND, *scenarios.names())
    if not isinstance(cands, list) or not all(isinstance(c, str) for c in cands):
        problems.append(Problem(shown, f"key 'candidates': {cands!r}; expected a list of names"))
        cands = []
    for c in cands:
        if c not in allowed:
            problems.append(
                Problem(
                    shown,
                    f"key 'candidates': {c!r} is not a forecaster; expected any of: "
                    f"{', '.join(allowed)}",
                )
            )
    if problems:
        raise InputError(problems)
    out = Settings(parameters=params, candidates=tuple(cands), file=shown)
    if stamp is not None:
        _cache[stamp] = out
    return out
