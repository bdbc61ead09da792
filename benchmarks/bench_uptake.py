"""Benchmark: the vectorized Monte Carlo core of ``uptake.project`` against a per-draw loop.

100,000 draws x 3 segments x end-of-year and mid-year values to 2030 under the logistic
curve (business-as-usual assumptions), conditioned on the national observations by
sampling-importance-resampling: 400,000 prior draws, each one's national mix at the
observation dates, a normal log-likelihood, multinomial resampling, then the paths of
the draws kept (the time after each segment's anchor runs ``trend_pace_ratio`` times faster,
drawn per draw, and the log-odds take a random walk of yearly standard deviation
``logit_shock_sd``). The loop computes the same thing one draw at a time with plain Python
floats (and ``bisect`` on the cumulative weights, with the same uniforms); the run
checks the two agree (and that the core equals ``project()`` and the public steps
``draw_assumptions``, ``condition``, ``simulate`` run one after the other, to the bit),
then prints the times and their ratios: the core alone and the whole ``project()`` call. Run with ``make bench``
or ``.venv/bin/python benchmarks/bench_uptake.py``.
"""

from __future__ import annotations

import bisect
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dvcanalysis import uptake  # noqa: E402
from dvcanalysis.uptake import montecarlo, shocks  # noqa: E402

N_DRAWS = 100_000
REPEATS = 5
LOOP_DRAWS = 10_000  # the loop is timed on a tenth and scaled (it is linear in draws)
SEED = 1


def _logistic(d: dict, i: int, ta: float, sa: float) -> tuple[float, float, float]:
    """``(m, ya, k)`` of draw ``i``'s logistic through the base point and the anchor ``(ta, sa)``."""
    m = d["ceiling_share"][i]
    t0 = d["base_year"][i] + 1.0
    sa = min(max(sa, 0.001), 0.98 * m)
    s0 = min(max(d["base_share"][i], 0.0005), sa)
    ya = math.log(sa / (m - sa))
    return m, ya, (ya - math.log(s0 / (m - s0))) / (ta - t0)


def _pair(d: dict, i: int, anchors: dict) -> list[tuple[float, float, float]]:
    """Ministries and localities, each through its own observed anchor (with the anchor error)."""
    err = d["anchor_error_share"][i]
    (ta_m, s_m), (ta_l, s_l) = anchors["ministries"], anchors["localities"]
    return [
        _logistic(d, i, ta_m, s_m + err * d["z_ministries"][i]),
        _logistic(d, i, ta_l, s_l + err * d["z_localities"][i]),
    ]


def _share(m: float, ya: float, k: float, x: float) -> float:
    """The logistic at effective time ``x`` after the anchor, clipped to 0-1."""
    return min(max(m / (1.0 + math.exp(-(ya + k * x))), 0.0), 1.0)


def _shocked(s: float, shift: float) -> float:
    s = min(max(s, 1e-6), 1 - 1e-6)
    return 1.0 / (1.0 + math.exp(-(math.log(s / (1 - s)) + shift)))


def loop(
    pool: dict,
    rng: np.random.Generator,
    n: int,
    t: np.ndarray,
    anchors: dict,
    obs_t: np.ndarray,
    obs_v: np.ndarray,
    z: np.ndarray,
) -> tuple[np.ndarray, list[int]]:
    """Likelihood of every prior draw, resampling, then the kept draws' paths with their yearly
    log-odds shocks (normals ``z``: ministries, localities x draw x time), one at a time."""
    n_pool = len(pool["ceiling_share"])
    tas = [anchors["ministries"][0], anchors["localities"][0]]
    lw = []
    for i in range(n_pool):
        curves = _pair(pool, i, anchors)
        w = pool["ministries_volume_share"][i]
        sd = pool["national_observation_sd_share"][i]
        ll = 0.0
        for tj, vj in zip(obs_t, obs_v, strict=True):
            mm, ml = (_share(*c, tj - ta) for c, ta in zip(curves, tas, strict=True))
            nat = w * mm + (1 - w) * ml
            zz = (nat - vj) / sd
            ll += -0.5 * zz * zz - math.log(sd)
        lw.append(ll)
    top = max(lw)
    cdf, acc = [], 0.0
    for x in lw:
        acc += math.exp(x - top)
        cdf.append(acc)
    idx = [min(bisect.bisect_right(cdf, u * acc), n_pool - 1) for u in rng.random(n)]
    out = np.empty((3, n, t.size))
    for r, i in enumerate(idx):
        curves = _pair(pool, i, anchors)
        w, pace = pool["ministries_volume_share"][i], pool["pace_multiplier"][i]
        ratio, sd = pool["trend_pace_ratio"][i], pool["logit_shock_sd"][i]
        for seg, (c, ta) in enumerate(zip(curves, tas, strict=True)):
            walk, prev = 0.0, ta
            for j, tj in enumerate(t):
                # Effective time after the anchor (business as usual: the pace applies from it).
                x = tj - ta if tj <= ta else ratio * pace * (tj - ta)
                s = _share(*c, x)
                if tj > ta:  # a random walk of the log-odds from the anchor
                    walk += math.sqrt(tj - max(prev, ta)) * z[seg, r, j]
                    s = _shocked(s, sd * walk)
                prev = tj
                out[seg, r, j] = s
        out[2, r] = w * out[0, r] + (1 - w) * out[1, r]
    return out, idx


def grid(years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What project() computes on: year ends and mid-years, and which are year ends."""
    t_end = uptake.end_of_year(years)
    t_all = np.sort(np.concatenate([t_end, years + 0.5]))
    return t_all, np.isin(t_all, t_end)


def vectorized(proj: uptake.Projection, n: int, t: np.ndarray, lik) -> tuple[dict, dict]:
    """What ``project`` does after loading: prior pool, conditioning, the kept draws' curves
    (``uptake.sample``), then their shocks (``uptake.shocks.apply``)."""
    rng = np.random.default_rng(SEED)
    d, shares, _, _ = uptake.sample(
        proj.scenario,
        t,
        proj.anchors,
        {},
        lik["decimal_year"].to_numpy(float),
        lik["value"].to_numpy(float),
        n,
        rng,
    )
    shares = shocks.apply(
        shares,
        t,
        proj.anchors,
        d,
        shock_from=None,
        national=proj.scenario.national,
        rng=montecarlo.shock_rng(SEED),
    )
    return d, shares


def composed(proj: uptake.Projection, n: int, t: np.ndarray, lik) -> dict:
    """The curves from the public steps, one after the other: what the fast core must equal."""
    sc, rng = proj.scenario, np.random.default_rng(SEED)
    pool = uptake.draw_assumptions(sc, uptake.POOL_FACTOR * n, rng)
    idx, _, _ = uptake.condition(
        sc,
        proj.anchors,
        pool,
        {},
        lik["decimal_year"].to_numpy(float),
        lik["value"].to_numpy(float),
        n,
        rng,
    )
    d = {k: v[idx] for k, v in pool.items()}
    trend = uptake.simulate(sc, t, proj.anchors, d, {})
    return shocks.apply(
        trend,
        t,
        proj.anchors,
        d,
        shock_from=None,
        national=sc.national,
        rng=montecarlo.shock_rng(SEED),
    )


def main() -> int:
    uptake.project("business-as-usual", n_draws=10)  # warm caches (evidence, scenario files)
    start = time.perf_counter()
    proj = uptake.project("business-as-usual", n_draws=N_DRAWS, seed=SEED)
    first = time.perf_counter() - start
    whole = first
    for _ in range(REPEATS - 1):  # best of a few runs, as timeit does
        start = time.perf_counter()
        uptake.project("business-as-usual", n_draws=N_DRAWS, seed=SEED)
        whole = min(whole, time.perf_counter() - start)
    t, is_end = grid(proj.years)
    lik = proj.observations[proj.observations["role"] == uptake.LIKELIHOOD_ROLE]
    vec = math.inf
    for _ in range(REPEATS):
        start = time.perf_counter()
        d, shares = vectorized(proj, N_DRAWS, t, lik)
        vec = min(vec, time.perf_counter() - start)
    ref = composed(proj, N_DRAWS, t, lik)
    for seg in uptake.SEGMENTS:  # the core is project()'s, and equals the public steps to the bit
        np.testing.assert_array_equal(shares[seg][:, is_end], proj.shares[seg])
        np.testing.assert_array_equal(shares[seg][:, ~is_end], proj.year_shares[seg])
        np.testing.assert_array_equal(shares[seg], ref[seg])
    for k, v in d.items():
        np.testing.assert_array_equal(v, proj.draws[k])
    # The loop on a smaller run (same seed): same prior pool, same uniforms for the resampling.
    small = uptake.project("business-as-usual", n_draws=LOOP_DRAWS, seed=SEED)
    rng = np.random.default_rng(SEED)
    pool = uptake.draw_assumptions(small.scenario, uptake.POOL_FACTOR * LOOP_DRAWS, rng)
    anchors = {s: (a.time, a.value) for s, a in small.anchors.items()}
    z = montecarlo.shock_rng(SEED).standard_normal((2, LOOP_DRAWS, t.size))
    start = time.perf_counter()
    looped, _ = loop(
        pool,
        rng,
        LOOP_DRAWS,
        t,
        anchors,
        lik["decimal_year"].to_numpy(float),
        lik["value"].to_numpy(float),
        z,
    )
    loop_s = (time.perf_counter() - start) * N_DRAWS / LOOP_DRAWS
    for k, seg in enumerate(("ministries", "localities", "national")):
        np.testing.assert_allclose(small.shares[seg], looped[k][:, is_end], rtol=1e-9, atol=1e-12)
    cells = N_DRAWS * 3 * len(proj.years)
    pool_n = uptake.POOL_FACTOR * N_DRAWS
    print(
        f"uptake.project: {N_DRAWS:,} draws x 3 segments x {len(proj.years)} years ({cells:,} shares), "
        f"resampled from {pool_n:,} prior draws on {len(lik)} national observations "
        f"(ESS {proj.calibration.ess:,.0f}, {proj.calibration.ess_share:.0%})"
    )
    print(
        f"  vectorized core (prior pool + likelihood + resampling + curves, best of {REPEATS}): {vec:.3f} s"
    )
    print(
        f"  whole project() call (also loads evidence, scenario, observations; best of {REPEATS}): {whole:.3f} s "
        f"(first call after warm-up {first:.3f} s)"
    )
    print(
        f"  per-draw Python loop (timed on {LOOP_DRAWS:,} draws / {uptake.POOL_FACTOR * LOOP_DRAWS:,} prior, scaled): {loop_s:.2f} s"
    )
    print(f"  speed-up of the core over the loop: {loop_s / vec:.0f}x (results agree to 1e-9)")
    print(
        f"  speed-up of the whole call over the loop: {loop_s / whole:.0f}x (first call: {loop_s / first:.0f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
