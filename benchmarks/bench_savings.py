"""Vectorized Monte Carlo of the savings model vs the obvious per-draw loop (prints the ratio)."""

from __future__ import annotations

import time

import numpy as np

from dvcanalysis import savings


def main(n_draws: int = 2000) -> None:
    savings.estimate(0.7)  # warm the caches (config, evidence)
    t0 = time.perf_counter()
    vec = savings.uncertainty(0.7, n_draws=n_draws, seed=0).draws["savings_vnd"].to_numpy()
    t_vec = time.perf_counter() - t0

    draws = savings.draw_parameters(n_draws, seed=0)
    t0 = time.perf_counter()
    loop = np.array([savings.estimate(0.7, **row).savings_vnd for row in draws.to_dict("records")])
    t_loop = time.perf_counter() - t0

    assert np.allclose(vec, loop, rtol=1e-12), "vectorized and loop results differ"
    print(
        f"savings Monte Carlo, {n_draws} draws: vectorized {t_vec:.3f} s, per-draw loop {t_loop:.3f} s, "
        f"loop / vectorized = {t_loop / t_vec:.0f}x"
    )


if __name__ == "__main__":
    main()
