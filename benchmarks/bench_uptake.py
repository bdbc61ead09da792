"""Benchmark: the vectorized Monte Carlo core of ``uptake.project`` against a per-draw loop.

100,000 draws x 3 segments x end-of-year values to 2030 under the logistic curve
(business-as-usual assumptions). The loop computes the same shares from the same
draws with plain Python floats; the run checks the two agree, then prints the times
and their ratio. Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_uptake.py``.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dvcanalysis import uptake  # noqa: E402

N_DRAWS = 100_000
REPEATS = 5
LOOP_DRAWS = 10_000  # the loop is timed on a tenth and scaled (it is linear in draws)


def loop(d: dict, t: np.ndarray, ta: float, s_loc: float, n: int) -> np.ndarray:
    """The same calibration and curves, one draw and one year at a time."""
    out = np.empty((3, n, t.size))
    for i in range(n):
        m = d["ceiling_share"][i]
        err = d["anchor_error_share"][i]
        t0 = d["base_year"][i] + 1.0
        w = d["ministries_volume_share"][i]
        sa_l = s_loc + err * d["z_localities"][i]
        sa_m = max(sa_l, 0.001) * d["ministries_ratio"][i] + err * d["z_ministries"][i]
        for seg, sa in ((1, sa_l), (0, sa_m)):
            sa = min(max(sa, 0.001), 0.98 * m)
            s0 = min(max(d["base_share"][i], 0.0005), sa)
            ya = math.log(sa / (m - sa))
            k = (ya - math.log(s0 / (m - s0))) / (ta - t0)
            for j, tj in enumerate(t):
                te = tj if tj <= ta else ta + d["pace_multiplier"][i] * (tj - ta)
                out[seg, i, j] = min(max(m / (1.0 + math.exp(-(ya + k * (te - ta)))), 0.0), 1.0)
        for j in range(t.size):
            out[2, i, j] = w * out[0, i, j] + (1 - w) * out[1, i, j]
    return out


def main() -> int:
    uptake.project("business-as-usual", n_draws=10)  # warm caches (evidence file)
    start = time.perf_counter()
    proj = uptake.project("business-as-usual", n_draws=N_DRAWS, seed=1)
    whole = time.perf_counter() - start
    # The vectorized core alone: draws + calibration + curves, on the same inputs.
    sc, a, t = proj.scenario, proj.anchors["localities"], uptake.end_of_year(proj.years)
    targets = {s: uptake.segment_targets(s)[:2] for s in uptake.SEGMENTS}
    vec = math.inf
    for _ in range(REPEATS):  # best of a few runs, as timeit does
        start = time.perf_counter()
        d = uptake.draw_assumptions(sc, N_DRAWS, np.random.default_rng(1))
        shares = uptake.simulate(sc, t, proj.anchors, d, targets)
        vec = min(vec, time.perf_counter() - start)
    for seg in uptake.SEGMENTS:
        np.testing.assert_array_equal(shares[seg], proj.shares[seg])
    start = time.perf_counter()
    ref = loop(proj.draws, t, a["time"], a["value"], LOOP_DRAWS)
    loop_s = (time.perf_counter() - start) * N_DRAWS / LOOP_DRAWS
    for k, seg in enumerate(("ministries", "localities", "national")):
        np.testing.assert_allclose(proj.shares[seg][:LOOP_DRAWS], ref[k], rtol=1e-9, atol=1e-12)
    cells = N_DRAWS * 3 * len(proj.years)
    print(f"uptake.project: {N_DRAWS:,} draws x 3 segments x {len(proj.years)} years ({cells:,} shares)")
    print(f"  vectorized core (draws + calibration + curves, best of {REPEATS}): {vec:.3f} s")
    print(f"  whole project() call (also loads evidence, scenario, targets): {whole:.3f} s")
    print(f"  per-draw Python loop (timed on {LOOP_DRAWS:,} draws, scaled): {loop_s:.2f} s")
    print(f"  speed-up of the core over the loop: {loop_s / vec:.0f}x (results agree to 1e-9)")
    print(f"  speed-up of the whole call over the loop: {loop_s / whole:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
