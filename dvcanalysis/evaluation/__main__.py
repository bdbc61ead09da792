"""``python -m dvcanalysis.evaluation``: print the evaluation summary (coverage, CRPS, skill).

Options: ``--scenario NAME`` (default business-as-usual), ``--n-draws N``, ``--seed S``,
``--origin YYYY-MM-DD`` (repeatable; default every data vintage), ``--own-only`` (only forecasts
of segments that had a figure of their own at the origin). Exit code 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from dvcanalysis.errors import InputError


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dvcanalysis.evaluation", description=__doc__)
    ap.add_argument("--scenario", default="business-as-usual")
    ap.add_argument("--n-draws", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--origin", action="append", default=None)
    ap.add_argument(
        "--own-only",
        action="store_true",
        help="only forecasts of segments that had a figure of their own at the origin",
    )
    args = ap.parse_args(argv)
    from dvcanalysis.evaluation import evaluate

    try:
        ev = evaluate(args.scenario, origins=args.origin, n_draws=args.n_draws, seed=args.seed)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"origins scored: {', '.join(ev.origins)}; data as of {ev.parameters['data_as_of']}")
        if len(ev.skipped):
            print(f"origins skipped: {', '.join(sorted(set(ev.skipped['origin'])))}")
        print(ev.by_segment(own_only=args.own_only).round(4).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
