"""Named parameters: one type, one strict YAML reader, one sampler.

Every uncertain input of the package (the scenario assumptions of ``data/scenarios/*.yml``,
the savings parameters of ``data/savings.yml``) is a :class:`Parameter`: a name, a
description, a unit, a default, a range ``[low, high]``, a source (a source id or evidence
row id of ``data/``, or the word ``assumption`` with a reason) and a distribution over the
range, whose quantile function :meth:`Parameter.ppf` maps uniforms in [0, 1) to values.

- :class:`Spec` says what a parameter may be at all: its unit, hard limits and whether it is
  a whole number. A configuration declares its parameters as an ordered ``name -> Spec``
  mapping; that declared order is the draw order.
- :func:`read_parameters` reads a YAML block of parameters strictly against those specs
  (unknown key, missing field, wrong type or unit, out-of-range value, unknown source:
  one :class:`~dvcanalysis.errors.Problem` line each, naming the file and the key, and what
  is accepted); :class:`Schema` holds what differs between configurations (which fields are
  required, the default distribution, how a value is read, which sources may be cited).
- :func:`draw` is the one sampler: one row of uniforms per parameter from a seeded
  :class:`numpy.random.Generator`, in a declared order (or sorted by name), each mapped
  through the parameter's quantile function. The order never depends on the order of a
  dict or of a YAML file.

Distributions (:data:`DISTRIBUTIONS`), each over ``[low, high]`` with the default inside:

``fixed``
    always the default (a uniform is still consumed, so other draws do not move).
``uniform``
    ``low + u (high - low)``; a whole-number parameter takes ``floor(low + u (high - low + 1))``
    capped at ``high`` (each whole value equally likely).
``triangular``
    mode at the default: ``low + sqrt(u (high - low) (default - low))`` below
    ``u = (default - low) / (high - low)``, ``high - sqrt((1 - u) (high - low) (high - default))``
    above; a whole-number parameter is rounded.

Examples
--------
>>> import numpy as np
>>> p = Parameter("x", "an example", "share", 0.5, 0.0, 1.0, "uniform", "assumption", "demo")
>>> p.ppf(np.array([0.0, 0.25, 0.5]))
array([0.  , 0.25, 0.5 ])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from dvcanalysis.errors import InputError, Problem

DISTRIBUTIONS = ("fixed", "uniform", "triangular")
# Every field a parameter entry may have, in the order messages list them.
FIELDS = ("description", "unit", "default", "range", "distribution", "source", "reason")
ASSUMPTION = "assumption"  # the ``source`` of a value no evidence gives (it then needs a reason)


@dataclass(frozen=True)
class Spec:
    """What a parameter may be at all: its unit, hard limits and whether it is a whole number."""

    unit: str
    low: float = -math.inf
    high: float = math.inf
    integer: bool = False

    def within(self) -> str:
        """The limits as text (``0.3 to 1``, ``at least 0``)."""
        if math.isfinite(self.high):
            return f"{self.low:g} to {self.high:g}"
        return f"at least {self.low:g}"


@dataclass(frozen=True)
class Parameter:
    """One named parameter with its unit, range, source and distribution (module docstring)."""

    name: str
    description: str
    unit: str
    default: float
    low: float
    high: float
    distribution: str = "triangular"
    source: str = ASSUMPTION
    reason: str = ""
    integer: bool = False

    def __post_init__(self) -> None:
        if self.distribution not in DISTRIBUTIONS:
            raise InputError(
                f"parameter {self.name!r}: distribution={self.distribution!r} is not accepted; "
                f"expected one of: {', '.join(DISTRIBUTIONS)}"
            )

    @property
    def range(self) -> tuple[float, float]:
        """``(low, high)``."""
        return self.low, self.high

    @property
    def is_assumption(self) -> bool:
        """True when no source gives the value (``source: assumption`` with a reason)."""
        return self.source == ASSUMPTION

    def describe(self) -> str:
        """The value or distribution as a short text (``2.0``, ``uniform(1.0, 3.5)``)."""
        if self.distribution == "fixed":
            return f"{self.default:g}"
        if self.distribution == "triangular":
            return f"triangular({self.low:g}, {self.default:g}, {self.high:g})"
        return f"uniform({self.low:g}, {self.high:g})"

    def ppf(self, u: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
        """The quantile function: values for uniforms ``u`` in [0, 1) (vectorized).

        ``out`` (which may be ``u`` itself) receives the result, so that a large array of
        uniforms is turned into values where it lies; the operations are those of the
        formulas in the module docstring, in that order.
        """
        u = np.asarray(u, dtype=float)
        v = np.array(u, dtype=float) if out is None else out
        if out is not None and out is not u:
            np.copyto(v, u)
        _ppf_block(self._kind(), v, self.low, self.default, self.high)
        return v

    def _kind(self) -> tuple[str, bool]:
        """What decides the operations of :meth:`ppf`: the distribution and whole numbers."""
        if self.distribution == "fixed" or self.high <= self.low:
            return "fixed", False
        return self.distribution, self.integer


def _ppf_block(kind: tuple[str, bool], v: np.ndarray, lo, mode, hi) -> None:
    """Uniforms ``v`` to values in place; ``lo, mode, hi`` are scalars or one per row of ``v``.

    The same operations element by element either way, so a block of rows gives, to the
    bit, what its rows give one at a time.
    """
    dist, integer = kind
    if dist == "fixed":
        v[...] = mode
    elif dist == "uniform":
        _uniform(v, lo, hi, integer)
    else:
        _triangular(v, lo, mode, hi)
        if integer:
            np.round(v, out=v)


def _uniform(v: np.ndarray, lo, hi, integer: bool) -> None:
    if integer:  # min(floor(lo + u (hi - lo + 1)), hi)
        v *= hi - lo + 1.0
        v += lo
        np.floor(v, out=v)
        np.minimum(v, hi, out=v)
    else:  # lo + u (hi - lo)
        v *= hi - lo
        v += lo


def _triangular(v: np.ndarray, lo, mode, hi) -> None:
    """Inverse CDF of triangular(lo, mode, hi) in place (one extra array, for the low leg)."""
    c = (mode - lo) / (hi - lo)
    below = v < c
    low_leg = v * (hi - lo)  # lo + sqrt(u (hi - lo) (mode - lo)) where u < c
    low_leg *= mode - lo
    np.sqrt(low_leg, out=low_leg)
    low_leg += lo
    np.subtract(1.0, v, out=v)  # else hi - sqrt((1 - u) (hi - lo) (hi - mode))
    v *= hi - lo
    v *= hi - mode
    np.sqrt(v, out=v)
    np.subtract(hi, v, out=v)
    np.copyto(v, low_leg, where=below)


# ---------------------------------------------------------------- the sampler
def draw(
    parameters: Mapping[str, Parameter],
    n_draws: int,
    rng: np.random.Generator,
    *,
    order: Sequence[str] | None = None,
) -> dict[str, np.ndarray]:
    """``n_draws`` values of each parameter: one row of uniforms each, through its quantile function.

    The uniforms are ``rng.random((len(order), n_draws))``, row ``i`` for ``order[i]``, so a
    parameter's draws depend on its place in ``order`` (a declared order: the keys of a
    configuration's specs), never on the order of ``parameters``; without ``order`` the
    names are sorted. Every parameter consumes its row whatever its distribution (``fixed``
    included), so that fixing one leaves the others' draws unchanged, and a parameter's draws
    are monotone in its range (common random numbers across configurations).

    Returns
    -------
    dict
        ``name -> array of n_draws values``, in ``order``.
    """
    names = sorted(parameters) if order is None else list(order)
    if sorted(names) != sorted(parameters):
        raise ValueError(
            f"order {names} does not name the parameters {sorted(parameters)} once each"
        )
    u = rng.random((len(names), n_draws))
    ps = [parameters[n] for n in names]
    # Consecutive rows of one kind are turned into values as one block (fewer, larger numpy
    # operations; the same numbers as row by row, see ``_ppf_block``).
    start = 0
    for i in range(1, len(ps) + 1):
        if i == len(ps) or ps[i]._kind() != ps[start]._kind():
            run = ps[start:i]
            col = [
                np.array([getattr(p, f) for p in run])[:, None] for f in ("low", "default", "high")
            ]
            _ppf_block(run[0]._kind(), u[start:i], *col)
            start = i
    return dict(zip(names, u, strict=True))


# ---------------------------------------------------------------- the strict reader
def is_number(v: object) -> bool:
    """A finite int or float (not a boolean)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))


@dataclass(frozen=True)
class Citable:
    """What a ``source`` may name: source ids and evidence row ids, with each row's value."""

    ids: frozenset[str]
    row_values: Mapping[str, float] = field(default_factory=dict)


def citable_from_evidence() -> Citable:
    """Source ids of ``data/sources.csv`` and evidence row ids of ``data/evidence.csv``.

    Cached by the two files' modification times.
    """
    from dvcanalysis import paths

    files = [paths.data_dir() / n for n in ("evidence.csv", "sources.csv")]
    stamp = tuple(f.stat().st_mtime if f.exists() else 0.0 for f in files)
    return _citable(str(paths.data_dir().resolve()), stamp)


@lru_cache(maxsize=4)
def _citable(data_dir: str, stamp: tuple[float, ...]) -> Citable:
    from dvcanalysis import evidence

    ev = evidence.load()
    ids = set(ev["id"]) | set(ev["source_id"]) | set(evidence.load_sources().index)
    return Citable(frozenset(ids), dict(zip(ev["id"], ev["value"], strict=True)))


@dataclass(frozen=True)
class Schema:
    """What differs between configurations of parameters.

    Attributes
    ----------
    specs
        ``name -> Spec`` of every parameter the block must hold, in the declared order.
    required
        The fields every entry must give (the others of :data:`FIELDS` are optional).
    distribution
        The distribution of an entry that gives none.
    value
        Reads a default or a range end (a number by default); raises ``ValueError`` with
        what is wrong. ``accepted`` says what a value may be.
    citable
        Called once, when a source other than ``assumption`` is met, to check it; ``None``
        leaves sources unchecked (for example for overrides of an already checked file).
    moved
        Names that used to be accepted here: where they live now.
    noun
        What an entry is called in messages (``parameter``, ``assumption``).
    """

    specs: Mapping[str, Spec]
    required: tuple[str, ...] = ("description", "unit", "default", "range", "source")
    distribution: str = "triangular"
    value: Callable[[object], float] | None = None
    accepted: str = ""
    citable: Callable[[], Citable] | None = citable_from_evidence
    moved: Mapping[str, str] = field(default_factory=dict)
    noun: str = "parameter"


class _Reader:
    """Reads one block of entries, collecting problems (one line each)."""

    def __init__(self, schema: Schema, file: str, problems: list[Problem]) -> None:
        self.schema, self.file, self.problems = schema, file, problems
        self._citable: Citable | None = None

    def bad(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, f"key '{key}': {message}"))

    def citable(self) -> Citable | None:
        if self._citable is None and self.schema.citable is not None:
            self._citable = self.schema.citable()
        return self._citable

    # -- steps of one entry
    def fields(self, key: str, raw: Mapping) -> bool:
        """Unknown and missing fields, and the text fields; True when all are usable."""
        n0 = len(self.problems)
        for f in raw:
            if f not in FIELDS:
                self.bad(f"{key}.{f}", f"unknown key; expected one of: {', '.join(FIELDS)}")
        for f in self.schema.required:
            if f not in raw or raw[f] is None or raw[f] == "":
                needs = ", ".join(self.schema.required)
                self.bad(f"{key}.{f}", f"missing field; every {self.schema.noun} needs {needs}")
        for f in ("description", "unit", "source", "reason", "distribution"):
            if raw.get(f) not in (None, "") and not isinstance(raw[f], str):
                self.bad(f"{key}.{f}", f"{raw[f]!r} is not text; expected a non-empty text")
        return len(self.problems) == n0

    def number(self, key: str, v: object, spec: Spec) -> float | None:
        """A default or range end as a number, or ``None`` (and a problem)."""
        if self.schema.value is not None:
            try:
                return float(self.schema.value(v))
            except ValueError as exc:
                self.bad(key, f"{exc}; {self.schema.accepted}")
                return None
        kind = f"an integer {spec.unit}" if spec.integer else "a number"
        whole = not spec.integer or (is_number(v) and float(v) == int(v))
        if not (is_number(v) and whole):
            self.bad(key, f"{v!r} is not {kind}; expected {kind} {_from(spec)}")
            return None
        return float(v)

    def values(self, key: str, raw: Mapping, spec: Spec) -> tuple[float, float, float] | None:
        """``(default, low, high)`` read and checked against the limits and each other."""
        default = self.number(f"{key}.default", raw["default"], spec)
        if default is None:
            return None
        rng = raw["range"]
        if not (isinstance(rng, (list, tuple)) and len(rng) == 2):
            self.bad(
                f"{key}.range",
                f"{rng!r} is not accepted; expected [low, high] within {spec.within()} ({spec.unit})",
            )
            return None
        ends = [self.number(f"{key}.range", v, spec) for v in rng]
        if None in ends:
            return None
        low, high = ends
        n0 = len(self.problems)
        for k, v in (("default", default), ("range", low), ("range", high)):
            if not spec.low <= v <= spec.high:
                self.bad(
                    f"{key}.{k}", f"{v:g} is out of range; expected {spec.within()} ({spec.unit})"
                )
        if len(self.problems) > n0:
            return None
        if low > high:
            self.bad(
                f"{key}.range",
                f"[{low:g}, {high:g}] is not accepted; expected [low, high] with low <= high",
            )
        elif not low <= default <= high:
            self.bad(
                f"{key}.default",
                f"{default:g} is out of range; expected {low:g} to {high:g} (the declared range)",
            )
        return (default, low, high) if len(self.problems) == n0 else None

    def source(self, key: str, raw: Mapping, default: float | None) -> None:
        """``assumption`` needs a reason; any other source must be citable (and agree)."""
        src = raw["source"]
        if src == ASSUMPTION:
            if not str(raw.get("reason") or "").strip():
                self.bad(f"{key}.reason", f"missing; source '{ASSUMPTION}' needs a reason")
            return
        known = self.citable()
        if known is None:
            return
        if src not in known.ids:
            self.bad(
                f"{key}.source",
                f"{src!r} is not accepted; expected a source id of data/sources.csv, "
                f"an evidence row id or '{ASSUMPTION}' (with a reason)",
            )
        elif (
            default is not None
            and src in known.row_values
            and is_number(raw["default"])
            and not math.isclose(default, known.row_values[src])
        ):
            self.bad(
                f"{key}.default",
                f"{default:g} differs from evidence row {src} ({known.row_values[src]:g}); "
                "expected the cited value (or cite the source id, not the row)",
            )

    def entry(self, key: str, name: str, raw: object) -> Parameter | None:
        spec = self.schema.specs[name]
        if not isinstance(raw, Mapping):
            self.bad(key, f"expected a mapping with keys {', '.join(self.schema.required)}")
            return None
        if not self.fields(key, raw):
            return None
        n0 = len(self.problems)
        if raw["unit"] != spec.unit:
            self.bad(f"{key}.unit", f"{raw['unit']!r} is not accepted; expected {spec.unit}")
        dist = raw.get("distribution") or self.schema.distribution
        if dist not in DISTRIBUTIONS:
            self.bad(
                f"{key}.distribution",
                f"{dist!r} is not accepted; expected one of: {', '.join(DISTRIBUTIONS)}",
            )
        values = self.values(key, raw, spec)
        self.source(key, raw, None if values is None else values[0])
        if values is None or len(self.problems) > n0:
            return None
        default, low, high = values
        return Parameter(
            name,
            raw["description"].strip(),
            spec.unit,
            default,
            low,
            high,
            dist,
            raw["source"],
            str(raw.get("reason") or "").strip(),
            spec.integer,
        )


def _from(spec: Spec) -> str:
    return f"from {spec.low:g} to {spec.high:g}" if math.isfinite(spec.high) else f">= {spec.low:g}"


def read_parameter(
    raw: object, name: str, schema: Schema, *, file: str, key: str, problems: list[Problem]
) -> Parameter | None:
    """One entry read strictly (``name`` must be in ``schema.specs``); problems are appended.

    ``key`` is how the entry is named in messages (``assumptions.ceiling_share``).
    """
    return _Reader(schema, file, problems).entry(key, name, raw)


def read_parameters(
    block: object,
    schema: Schema,
    *,
    file: str,
    prefix: str,
    problems: list[Problem],
    require_all: bool = True,
) -> dict[str, Parameter]:
    """A YAML block ``name -> entry`` read strictly into parameters, in the declared order.

    Every problem is appended to ``problems`` (one line each, naming ``file`` and the key
    ``prefix.name.field``); only the entries without problems are returned.

    Parameters
    ----------
    block
        The mapping read from YAML (see :func:`dvcanalysis._io.read_yaml`).
    schema
        The specs and the rules of this configuration (:class:`Schema`).
    file
        The file as shown in messages.
    prefix
        The key of the block (``assumptions``, ``per_dossier``).
    require_all
        A missing name is a problem (one line for all of them).
    """
    reader = _Reader(schema, file, problems)
    if not isinstance(block, Mapping):
        reader.bad(prefix, f"expected a mapping of {schema.noun} name to its fields")
        return {}
    specs = schema.specs
    for name in block:
        if name not in specs:
            moved = f"; {schema.moved[name]}" if name in schema.moved else ""
            reader.bad(
                f"{prefix}.{name}",
                f"unknown {schema.noun}; expected one of: {', '.join(specs)}{moved}",
            )
    missing = [n for n in specs if block.get(n) is None]
    if require_all and missing:
        reader.bad(
            prefix,
            f"missing {', '.join(missing)}; expected all of: {', '.join(specs)}",
        )
    out = {}
    for name in specs:
        if block.get(name) is not None:
            p = reader.entry(f"{prefix}.{name}", name, block[name])
            if p is not None:
                out[name] = p
    return out


def to_entry(p: Parameter) -> dict[str, object]:
    """The YAML entry of a parameter (the inverse of :func:`read_parameter`)."""
    return {
        "description": p.description,
        "unit": p.unit,
        "default": p.default,
        "range": [p.low, p.high],
        "distribution": p.distribution,
        "source": p.source,
        "reason": p.reason,
    }
