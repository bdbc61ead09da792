"""Command line: ``dvcanalysis validate`` and ``dvcanalysis render``.

Exit codes: 0 success; 1 some work failed (for example a briefing); 2 bad
input (one line per problem on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dvcanalysis.errors import InputError


def _first_data_line(path: Path) -> str:
    """The first line that is not blank or a ``#`` comment (the CSV header)."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.strip() and not line.lstrip().startswith("#"):
                return line
    return ""


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _validate_file(path: Path) -> list:
    """Dispatch on what the file is; return the problems found."""
    from dvcanalysis import evidence

    name = path.name
    if path.suffix == ".csv":
        header = _first_data_line(path)
        if "quote_vi" in header or name == "evidence.csv":
            return evidence.validate(path)
        if "dossiers_total" in header:
            from dvcanalysis import units

            return units.validate_counts(path)
        if name == "sources.csv":
            return evidence.validate_sources(path)
        if name == "breaks.csv" or header.startswith("id,segment,date,announced"):
            from dvcanalysis import breaks

            return breaks.validate(path)
    if path.suffix in (".yml", ".yaml"):
        loaders = _yaml_loaders()
        for predicate, loader in loaders:
            if predicate(path):
                try:
                    loader(path)
                except InputError as exc:
                    return list(exc.problems)
                return []
    return [
        f"{path}: cannot tell what this file is; expected an evidence CSV, a per-unit counts CSV, a breaks CSV, a scenario YAML (data/scenarios/), savings.yml, forecast.yml or a briefing grid"
    ]


def _yaml_loaders():
    """(predicate, loader) pairs for the YAML configurations the project knows."""
    out = []

    def scenario(p: Path) -> bool:
        return p.parent.name == "scenarios"

    def savings(p: Path) -> bool:
        return p.name.startswith("savings")

    def grid(p: Path) -> bool:
        return p.name.startswith("briefings")

    def forecast_settings(p: Path) -> bool:
        return p.name.startswith("forecast")

    def load_forecast(p: Path):
        from dvcanalysis.forecast import settings

        return settings.load(p)

    def load_scenario(p: Path):
        from dvcanalysis import scenarios

        return scenarios.load_file(p)

    def load_savings(p: Path):
        from dvcanalysis import savings as sv

        return sv.load_config(p)

    def load_grid(p: Path):
        from dvcanalysis import render

        return render.load_grid(p)

    out += [
        (scenario, load_scenario),
        (savings, load_savings),
        (grid, load_grid),
        (forecast_settings, load_forecast),
    ]
    return out


def validate_path(path: Path) -> list:
    """Validate a data folder (everything in it the project knows) or one file."""
    from dvcanalysis import paths

    if path.is_dir():
        known = [
            path / "evidence.csv",
            path / "breaks.csv",
            path / "savings.yml",
            path / "briefings.yml",
            path / "scenarios",
        ]
        if not any(p.exists() for p in known):
            return [
                f"{path}: nothing to validate; expected evidence.csv, breaks.csv, scenarios/, savings.yml or briefings.yml in this folder"
            ]
        problems = []
        if (path / "evidence.csv").exists():
            from dvcanalysis import evidence

            problems += evidence.validate(path / "evidence.csv", data_dir=path)
        if problems:
            # scenarios and savings cite the evidence base, the breaks its sources: checking
            # them now would repeat its problems once per file; say so once, check the grid only
            dependent = [
                f for f in ("scenarios", "savings.yml", "breaks.csv") if (path / f).exists()
            ]
            if dependent:
                problems.append(
                    f"{paths.relative(path)}: {_and(dependent)} not checked: they cite "
                    "the evidence base, which has the problems above"
                )
            if (path / "briefings.yml").exists():
                problems += _validate_file(path / "briefings.yml")
            return problems
        if (path / "breaks.csv").exists():
            from dvcanalysis import breaks

            problems += breaks.validate(path / "breaks.csv", data_dir=path)
        for sub in (
            sorted((path / "scenarios").glob("*.yml")) if (path / "scenarios").is_dir() else []
        ):
            problems += _validate_file(sub)
        for f in ("savings.yml", "briefings.yml", "forecast.yml"):
            if (path / f).exists():
                problems += _validate_file(path / f)
        return problems
    if not path.exists():
        return [f"{path}: file not found"]
    return _validate_file(path)


def cmd_validate(args: argparse.Namespace) -> int:
    from dvcanalysis import paths

    target = Path(args.path) if args.path else paths.data_dir()
    problems = validate_path(target)
    if problems:
        for p in problems:
            print(str(p), file=sys.stderr)
        print(f"{len(problems)} problem(s) in {target}", file=sys.stderr)
        return 2
    print(f"{target}: valid")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from dvcanalysis import __version__

    parser = argparse.ArgumentParser(prog="dvcanalysis", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"dvcanalysis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser(
        "validate",
        help="check the evidence base, scenarios, configurations or a per-unit counts file",
    )
    v.add_argument("path", nargs="?", help="a data folder or one file (default: data/)")
    v.set_defaults(func=cmd_validate)
    from dvcanalysis import render

    render.add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        for p in exc.problems:
            print(str(p), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
