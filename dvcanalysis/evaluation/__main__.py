"""``python -m dvcanalysis.evaluation``: the rolling evaluation of the default forecast.

Prints, for the default forecast beside the baselines (persistence, linear trend), calibrated
persistence and the candidate members: relative WIS against persistence, 50% and 90%
coverage, mean CRPS and WIS, by segment and by horizon, and the PIT histogram; then the
archived (published) forecasts scored on the figures published since.
Options: ``--n-draws N``, ``--seed S``, ``--until YYYY-MM-DD`` (score the pairs resolved by
then). Exit code 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from dvcanalysis.errors import InputError


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dvcanalysis.evaluation", description=__doc__)
    ap.add_argument("--n-draws", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--until", default=None)
    args = ap.parse_args(argv)
    # the evaluation scores the forecast package's forecasters; imported here, at the top
    from dvcanalysis import forecast
    from dvcanalysis.forecast import archive, vintages

    try:
        ev = forecast.evaluate(n_draws=args.n_draws, seed=args.seed, until=args.until)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"origins: {', '.join(ev.origins)}; data as of {ev.parameters['data_as_of']}")
        print(f"pairs scored per forecaster: {len(ev.forecasts) // max(len(ev.models), 1)}")
        cols = [
            "model",
            "segment",
            "n_forecasts",
            "relative_wis",
            "coverage50",
            "coverage90",
            "mean_crps_share",
            "mean_wis_share",
        ]
        print("\nby segment")
        print(ev.by_segment()[cols].round(3).to_string(index=False))
        print("\nby horizon (months from the origin to the end of the figure's period)")
        print(ev.by_horizon().round(3).to_string(index=False))
        pit = ev.pit_histogram()
        print("\nPIT histogram (fraction per fifth; 0.2 each if calibrated)")
        print(pit.pivot(index="model", columns="bin_low", values="fraction").round(2).to_string())
        arch = archive.score_archived(vintages.figures())
        if len(arch):
            print("\narchived (published) forecasts scored on later figures")
            print(arch.round(4).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
