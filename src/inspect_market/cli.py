"""`inspect-market report` (tables, figures, replay), `gate` (CI), `grid` (eval sets) and
`plan` (sample sizes)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from . import grid
from .errors import InspectMarketError
from .params import MAX_LOOP, check_int, check_number
from .report.document import FORMATS, write_report
from .report.gate import UNUSABLE, Bounds, gate
from .report.load import load_logs
from .report.plan import header, plan_table, plan_text
from .report.power import ALPHA, POWER
from .report.tables import POINTS, markdown_table

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
    plan = commands.add_parser(
        "plan",
        help="samples needed to detect a net gain with the report's paired test (exact McNemar)",
        description="Give --effect and either --baseline and --flips or --log. Fractions "
        "throughout, as in the logged metrics (0.05 = 5 points).",
    )
    plan.add_argument("--effect", help="net gain to detect, a fraction (0.05 = 5 points)")
    plan.add_argument("--baseline", help="baseline accuracy, a fraction")
    plan.add_argument(
        "--flips",
        help="expected share of discordant samples (wrong -> right plus right -> wrong)",
    )
    plan.add_argument(
        "--log", nargs="+", help="earlier logs: baseline accuracy and discordant share per cell"
    )
    plan.add_argument("--power", default=str(POWER), help=f"power to reach (default {POWER})")
    plan.add_argument("--alpha", default=str(ALPHA), help=f"level of the test (default {ALPHA})")
    return top


def fraction(name: str, text: str | None) -> float:
    """A command-line fraction in (0, 1), or one clear error."""
    try:
        value = float(text) if text is not None else None
    except ValueError:
        value = None
    if value is None or not 0 < value < 1:
        raise InspectMarketError(
            f"{name} must be a fraction in (0, 1) (0.05 = 5 points), got {text}"
        )
    return value


def run_plan(args: argparse.Namespace) -> int:
    """Samples needed for assumed rates (one block) or for each cell of earlier logs (a table)."""
    effect = fraction("--effect", args.effect)
    alpha, target = fraction("--alpha", args.alpha), fraction("--power", args.power)
    assumed = (args.baseline, args.flips)
    if (args.log is None) == (assumed == (None, None)) or (args.log is None and None in assumed):
        raise InspectMarketError("give --baseline and --flips, or --log (not both)")
    if args.log is None:
        baseline, flips = fraction("--baseline", args.baseline), fraction("--flips", args.flips)
        print(plan_text(baseline, flips, effect, alpha, target))
        return 0
    loaded = load_logs(args.log)
    for excluded in loaded.excluded:
        print(f"left out: {excluded.path}: {excluded.reason}", file=sys.stderr)
    if loaded.samples.empty:
        raise InspectMarketError(f"no usable samples in --log {' '.join(args.log)}")
    print(header(alpha, target) + f"; net gain to detect +{effect * POINTS:.1f} points")
    print(markdown_table(plan_table(loaded.samples, effect, alpha, target)))
    return 0


def check_report_args(args: argparse.Namespace) -> None:
    """One clear error for replay rules out of range, a negative seed or an --out that is not a
    directory, before any log is read."""
    check_int("--seed", args.seed, 0)
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
    if (args.max_drop is None) != (not args.against):
        error("--against and --max-drop go together")
    given = (args.min_net_gain, args.min_final_accuracy, args.max_parse_failure_rate, args.max_drop)
    if all(bound is None for bound in given):
        error("give at least one bound")
    bounds = Bounds(*given)
    code, text = gate(args.logs, bounds, args.against, args.allow_partial)
    print(text)
    return code


def run_grid(args: argparse.Namespace) -> int:
    """Validate, build every cell's task (errors before any model call), then estimate or run."""
    config = grid.load_config(args.config)
    cells = grid.cells(config)
    if args.shard:
        cells = grid.shard(cells, *grid.parse_shard(args.shard))
    if args.dry_run:
        print(grid.dry_run_table(grid.dry_run(config, cells)))
        return 0
    tasks = grid.build(cells)
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
        if args.command == "plan":
            return run_plan(args)
        return run_gate(args, top.error)
    except InspectMarketError as error:
        print(f"inspect-market: {error}", file=sys.stderr)
        return UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
