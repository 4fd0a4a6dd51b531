"""How well a model follows a prompt set, read from the logs of the tasks themselves.

Run a protocol per prompt set through the tasks (see README "Offline: a local model"), e.g.

    .venv/bin/inspect eval inspect_market/ethics_commonsense --model gguf/qwen2.5-coder-1.5b \\
        -T solver=single_shot -T prompts=paper -T short_only=true --sample-id 48,70,149 \\
        --max-samples 1 --temperature 0 --max-tokens 150 --log-dir /tmp/pq/paper

then `.venv/bin/python benchmarks/prompt_quality.py /tmp/pq/paper /tmp/pq/suite` prints, per
(prompt set, task) and over every judgment in the logs (partial logs included): how many
replies parse, how many parsed claims agree with p (the scorer's claim consistency), accuracy by
p and by claim (unparsed and p = 0.5 count as wrong), and the distribution of p: distinct values
and the share equal to a p the suite's worked examples show (`--anchors`).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from inspect_ai.log import read_eval_log

from inspect_market.judgment import decide, is_consistent
from inspect_market.solvers.judge import JUDGE_PROMPTS
from inspect_market.trajectory import Trajectory


def suite_anchors() -> list[float]:
    """The p's the suite's worked examples show (their Final Prediction lines)."""
    return sorted({float(reply.rsplit(" ", 1)[-1]) for _, reply in JUDGE_PROMPTS["suite"].examples})


def rows(paths: list[str]) -> list[tuple[str, str, int, int | None, float | None]]:
    """(run, task, label, claim side, p) of every judgment in the logs under `paths`.

    A run is named by its prompt set and, for a directory, the directory's name.
    """
    found = []
    for path in paths:
        is_dir = Path(path).is_dir()
        files = sorted(Path(path).glob("*.eval")) if is_dir else [Path(path)]
        for file in files:
            log = read_eval_log(str(file))
            for sample in log.samples or []:
                trajectory = sample.store_as(Trajectory)
                for j in trajectory.judgments:
                    task = log.eval.task.split("/")[-1]
                    run = (
                        f"{trajectory.prompts}:{Path(path).name}" if is_dir else trajectory.prompts
                    )
                    found.append((run, task, int(str(sample.target)), j.claim_side, j.p))
    return found


def table(found: list[tuple[str, str, int, int | None, float | None]], anchors: list[float]) -> str:
    header = (
        f"{'run':20} {'task':19} {'n':>3} {'parse':>6} {'consist':>8} {'acc(p)':>7} "
        f"{'acc(claim)':>10} {'distinct p':>10} {'p=anchor':>8}  p values"
    )
    groups: dict[tuple[str, str], list[tuple[int, int | None, float | None]]] = {}
    for prompts, task, label, side, p in found:
        groups.setdefault((prompts, task), []).append((label, side, p))
        groups.setdefault((prompts, "all"), []).append((label, side, p))
    lines = [header, "-" * len(header)]
    for (prompts, task), group in sorted(groups.items()):
        n = len(group)
        ps = [p for _, _, p in group if p is not None]
        parsed = [(label, side, p) for label, side, p in group if p is not None]
        consistent = sum(is_consistent(side, p) for _, side, p in parsed)
        counts = Counter(ps)
        shown = " ".join(f"{p:g}x{c}" for p, c in sorted(counts.items()))
        lines.append(
            f"{prompts:20} {task:19} {n:3d} {len(parsed) / n:6.0%} "
            f"{consistent / len(parsed) if parsed else 0:8.0%} "
            f"{sum(decide(p) == label for label, _, p in group) / n:7.0%} "
            f"{sum(side == label for label, side, _ in group) / n:10.0%} "
            f"{len(counts):10d} {sum(p in anchors for p in ps) / max(len(ps), 1):8.0%}  {shown}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="eval log files or directories of them")
    parser.add_argument(
        "--anchors",
        type=lambda text: [float(p) for p in text.split(",")],
        default=None,
        help="comma-separated p's to count as anchored (default: the suite examples' p's)",
    )
    args = parser.parse_args()
    print(table(rows(args.paths), args.anchors or suite_anchors()))


if __name__ == "__main__":
    main()
