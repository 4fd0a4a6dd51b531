"""`inspect-market report` (tables, figures, replay), `gate` (CI) and `grid` (eval sets)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from .. import grid
from ..errors import InspectMarketError
from ..params import MAX_LOOP, check_int, check_number
from .document import FORMATS, write_report
from .gate import UNUSABLE, Bounds, gate
from .load import load_logs

T = TypeVar("T")


def comma_list(convert: Callable[[str], T]) -> Callable[[str], list[T]]:
    """An argparse type for '0.1,0.2,0.3'."""

    def parse(text: str) -> list[T]:
        try:
            return [convert(item) for item in text.split(",") if item.strip()]
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"not a comma-separated list: {text!r}") from error

    return parse


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="inspect-market", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)

    report = commands.add_parser("report", help="paper-style tables and figures from eval logs")
    report.add_argument("logs", nargs="+", help="log files or directories (searched recursively)")
    report.add_argument("--out", type=Path, default=Path("report"), help="output directory")
    report.add_argument("--format", choices=FORMATS, default="md", help="table format")
    report.add_argument(
        "--threshold",
        type=comma_list(float),
        help="replay market making with these thresholds, e.g. 0.1,0.2,0.3",
    )
    report.add_argument(
        "--max-judgments", type=comma_list(int), help="replay with these max judgments, e.g. 5,10"
    )
    report.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    report.add_argument(
        "--pool-repeats",
        action="store_true",
        help="pool repeated runs of one configuration as epochs of the same samples "
        "(default: keep the newest run, list the others as superseded)",
    )

    check = commands.add_parser(
        "gate",
        help="check eval logs against bounds; exit 0 pass, 1 fail, 2 unusable or partial log",
        description="Bounds are fractions, as in the logged metrics (0.05 = 5 points).",
    )
    check.add_argument("logs", nargs="+", help="log files or directories")
    check.add_argument("--min-net-gain", type=float)
    check.add_argument("--min-final-accuracy", type=float)
    check.add_argument("--max-parse-failure-rate", type=float)
    check.add_argument("--against", nargs="+", default=[], help="old logs to compare with")
    check.add_argument("--max-drop", type=float, help="largest fall in final accuracy vs --against")
    check.add_argument(
        "--allow-partial",
        action="store_true",
        help="gate on the usable samples of logs with errored, missing, unreadable or "
        "unscored samples (default: exit 2)",
    )

    run_grid_parser = commands.add_parser(
        "grid",
        help="run tasks x protocols x models from a grid file as one resumable eval set",
        description="A re-run on the same log_dir skips finished cells; see README.",
    )
    run_grid_parser.add_argument("config", type=Path, help="grid file (YAML)")
    run_grid_parser.add_argument(
        "--dry-run", action="store_true", help="print cells and estimated calls; run nothing"
    )
    run_grid_parser.add_argument(
        "--shard", help="run shard K of N (K/N) of the cells, sharing log_dir with the others"
    )
    run_grid_parser.add_argument(
        "--out", type=Path, help="report directory (default: <log_dir>/report)"
    )
    return top


def check_report_args(args: argparse.Namespace) -> None:
    """One clear error for replay rules out of range or an --out that is not a directory."""
    for threshold in args.threshold or []:
        check_number("--threshold", threshold, 0, 1)
    for limit in args.max_judgments or []:
        check_int("--max-judgments", limit, 1, MAX_LOOP)
    if args.out.exists() and not args.out.is_dir():
        raise InspectMarketError(f"--out {args.out} is a file; give a directory")


def run_report(args: argparse.Namespace) -> int:
    check_report_args(args)
    loaded = load_logs(args.logs, pool_repeats=args.pool_repeats)
    for excluded in loaded.excluded:
        print(f"left out: {excluded.path}: {excluded.reason}", file=sys.stderr)
    rules = None
    if args.threshold or args.max_judgments:
        rules = (args.threshold or [None], args.max_judgments or [None])
    index = write_report(loaded, args.out, args.format, rules, args.seed)
    print(index)
    return 0 if not loaded.samples.empty else UNUSABLE


def run_gate(args: argparse.Namespace, error: Callable[[str], None]) -> int:
    bounds = Bounds(
        args.min_net_gain, args.min_final_accuracy, args.max_parse_failure_rate, args.max_drop
    )
    if (args.max_drop is None) != (not args.against):
        error("--against and --max-drop go together")
    if bounds == Bounds():
        error("give at least one bound")
    code, text = gate(args.logs, bounds, args.against, args.allow_partial)
    print(text)
    return code


def run_grid(args: argparse.Namespace) -> int:
    """Validate, build every cell's task (errors before any model call), then estimate or run."""
    config = grid.load_config(args.config)
    cells = grid.cells(config)
    if args.shard:
        cells = grid.shard(cells, *grid.parse_shard(args.shard))
    tasks = grid.build(cells)
    if args.dry_run:
        estimates = [
            grid.estimate(c, t, config.limit, config.epochs)
            for c, t in zip(cells, tasks, strict=True)
        ]
        print(grid.dry_run_table(estimates))
        return 0
    if not cells:
        print("this shard holds no cells", file=sys.stderr)
        return 0
    ok, _ = grid.run(config, cells, tasks, sharded=args.shard is not None)
    if "://" in config.log_dir:
        print(
            f"the report reads local logs: copy {config.log_dir} here, then inspect-market report",
            file=sys.stderr,
        )
    else:
        out = args.out or Path(config.log_dir) / "report"
        print(write_report(load_logs([config.log_dir]), out))
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `inspect-market` console script; returns the exit code."""
    top = parser()
    args = top.parse_args(argv)
    try:
        if args.command == "report":
            return run_report(args)
        if args.command == "grid":
            return run_grid(args)
        return run_gate(args, top.error)
    except InspectMarketError as error:
        print(f"inspect-market: {error}", file=sys.stderr)
        return UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
