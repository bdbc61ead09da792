"""The one sampler (``parameters.draw``) against numpy's own draws, parameter by parameter.

``parameters.draw`` takes one row of uniforms per parameter and maps it through the
parameter's quantile function (so that every configuration draws the same way, in a declared
order, and a fixed parameter still consumes its row). The obvious alternative is numpy's
``Generator.triangular`` / ``uniform`` called once per parameter. Both are timed on the savings
inputs (11 triangular, 2,000 draws: ``savings.uncertainty``'s default) and on the uptake
assumptions (15 of mixed distributions, 400,000 draws: the prior pool of a 100,000-draw
projection); the run checks that the two give the same numbers (to 1e-12), then prints the
times and their ratio. Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_parameters.py``.
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dvcanalysis import parameters, savings, scenarios  # noqa: E402

REPEATS = 7


def _numpy(ps: dict, n: int, seed: int) -> dict[str, np.ndarray]:
    """Per parameter, numpy's own draw from the same stream (the obvious alternative)."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, p in ps.items():
        if p.distribution == "fixed" or p.high <= p.low:
            rng.random(n)  # consume the row, as the sampler does
            out[name] = np.full(n, p.default)
        elif p.distribution == "uniform" and not p.integer:
            out[name] = rng.uniform(p.low, p.high, n)
        elif p.distribution == "uniform":
            out[name] = np.minimum(np.floor(rng.uniform(p.low, p.high + 1.0, n)), p.high)
        else:
            v = rng.triangular(p.low, p.default, p.high, n)
            out[name] = np.round(v) if p.integer else v
    return out


def _case(label: str, ps: dict, n: int, number: int) -> None:
    order = list(ps)
    ours = parameters.draw(ps, n, np.random.default_rng(1), order=order)
    theirs = _numpy(ps, n, 1)
    for name in order:
        assert np.allclose(ours[name], theirs[name], rtol=1e-12, atol=1e-9), name

    def sampler() -> None:
        parameters.draw(ps, n, np.random.default_rng(1), order=order)

    def numpy_draws() -> None:
        _numpy(ps, n, 1)

    t_ours = min(timeit.repeat(sampler, number=number, repeat=REPEATS)) / number
    t_np = min(timeit.repeat(numpy_draws, number=number, repeat=REPEATS)) / number
    print(
        f"{label}: parameters.draw {t_ours * 1e3:.2f} ms, numpy per parameter {t_np * 1e3:.2f} ms, "
        f"draw / numpy = {t_ours / t_np:.2f} (same numbers to 1e-12)"
    )


def main() -> int:
    cfg = savings.load_config()
    _case("savings, 11 inputs x 2,000 draws", cfg.section("per_dossier"), 2000, 50)
    sc = scenarios.load("business-as-usual")
    _case("uptake, 15 assumptions x 400,000 draws", sc.assumptions, 400_000, 2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
