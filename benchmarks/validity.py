"""Do the report's statistics mean what they say? Measured on a world with known answers.

    python benchmarks/validity.py            # full run (~10 min on 2 busy cores), prints the tables
    python benchmarks/validity.py --quick    # tiny sizes: proves the script works, no claims
    python benchmarks/validity.py --only eval # one or more of: coverage fpr power planned eval
    python benchmarks/validity.py --only eval --eval-seeds 12 --eval-jobs 2  # world seeds 1-12

Outcomes come from the simulated world (`inspect_market.world`) playing market making, whose
expected baseline and final accuracy have a closed form (`world.expected`): the truth each
replication is held against. The market maker knows an item with probability `skill` and, on
the items it does not know, follows the trader's arguments when they agree (persuadability 1);
an independent honest trader knows an item with probability h. Then the expected net gain is
(1 - skill) h / 2, and (1 - skill) / 2 of the items are discordant whatever h (on an item the
market maker does not know, its baseline guess and its final judgment are independent).

Replications draw per-item outcomes with the world's direct numpy simulation
(`world.simulate`, no Inspect, fast); every statistic is the report's own function:
- coverage of the paired 95% percentile bootstrap CI for net gain (`stats.paired_bootstrap_ci`,
  10,000 resamples, seed 0 as in the report) at n = 200, and at n = 50 and 100 for contrast;
- false-positive rate of the exact McNemar test (`stats.mcnemar_exact`) at alpha 0.05 when the
  true gain is 0;
- power of that test against n for true gains of 2, 5 and 10 points, beside the exact power
  `inspect-market plan` computes (`power.power`), and the planner's n (`power.sample_size`)
  simulated;
- the direct simulation against the eval: the real `synthetic` task run through
  `inspect_ai.eval` on the `simulated` provider for world seeds 1..N (`--eval-seeds N`,
  default 4), its logs read by the report's loader, its paired outcomes' summary statistics
  beside the direct simulation's.
Monte-Carlo uncertainty: coverage and rates carry a 95% Clopper-Pearson interval over the
replications.

The outcome generator is a parameter of every measurement (`Outcomes`: (n, seed) -> baseline
and final correctness per item), so any other world or protocol can be plugged in.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy.stats import binomtest

from inspect_market.report.power import ALPHA, POWER, power, sample_size, split_flips
from inspect_market.report.stats import mcnemar_exact, paired_bootstrap_ci
from inspect_market.scorers.metrics import flip_rate, mean_of
from inspect_market.world import Agent, WorldSettings, expected, simulate

Outcomes = Callable[[int, int], tuple[NDArray[np.float64], NDArray[np.float64]]]
"""(n, seed) -> per-item baseline and final correctness (0/1 floats)."""
PROTOCOL = "market_making"
N = 200
CONFIDENCE = 0.95
COVERAGE_TARGET = (0.93, 0.97)
FPR_TARGET = 0.06
GAINS_SKILL = 0.6  # the market maker of the power runs: baseline 80%, 20% discordant


@dataclass(frozen=True)
class Scenario:
    """A world setting of market making and the numbers it implies."""

    skill: float
    trader_skill: float
    stance: str = "honest"

    @property
    def settings(self) -> WorldSettings:
        return WorldSettings(
            main=Agent(skill=self.skill, persuadability=1.0),
            helper=Agent(skill=self.trader_skill),
            trader_stance=self.stance,
        )

    @property
    def gain(self) -> float:
        """Expected net gain, closed form."""
        baseline, final = expected(PROTOCOL, self.settings)
        return final - baseline

    @property
    def discordant(self) -> float:
        """Expected discordant share: half the items the market maker does not know."""
        return (1 - self.skill) / 2

    @property
    def label(self) -> str:
        return f"skill {self.skill:g}, {self.stance} trader {self.trader_skill:g}"

    def outcomes(self) -> Outcomes:
        settings = self.settings
        return lambda n, seed: simulate(PROTOCOL, n, seed, settings)


@dataclass(frozen=True)
class Sizes:
    coverage_reps: int
    fpr_reps: int
    power_reps: int
    power_ns: tuple[int, ...]
    eval_seeds: int
    eval_n: int
    eval_jobs: int = 1


FULL = Sizes(1000, 4000, 1000, (50, 100, 200, 400, 800, 1600, 3200), 4, 200)
QUICK = Sizes(10, 100, 40, (50, 200), 1, 20)

COVERAGE = [
    (Scenario(0.6, 0.0), N),
    (Scenario(0.6, 0.25), N),
    (Scenario(0.6, 0.5), N),
    (Scenario(0.6, 0.25, "adversarial"), N),
    (Scenario(0.3, 0.25), N),
    (Scenario(0.9, 0.5), N),
    (Scenario(0.6, 0.25), 50),
    (Scenario(0.9, 0.5), 100),
]
"""Settings and sample counts of the coverage runs: n = N for the target, then smaller n."""
NULL = [Scenario(0.3, 0.0), Scenario(0.6, 0.0), Scenario(0.9, 0.0)]
GAINS = {
    points: Scenario(GAINS_SKILL, points / 100 * 2 / (1 - GAINS_SKILL)) for points in (2, 5, 10)
}
"""A true gain of 2, 5 and 10 points: trader skill h = 2 gain / (1 - skill)."""


def rate_cell(hits: int, reps: int) -> str:
    """'0.951 [0.936, 0.963]': a share of replications with its Clopper-Pearson 95% interval."""
    ci = binomtest(hits, reps).proportion_ci(CONFIDENCE)
    return f"{hits / reps:.3f} [{ci.low:.3f}, {ci.high:.3f}]"


def coverage(outcomes: Outcomes, gain: float, n: int, reps: int, seed: int) -> dict[str, float]:
    """Replications of n items whose report CI holds `gain`, lies above or below it; width."""
    ci_above = ci_below = 0
    widths = []
    for rep in range(reps):
        low, high = paired_bootstrap_ci(*outcomes(n, seed + rep), confidence=CONFIDENCE)
        ci_above += gain < low
        ci_below += gain > high
        widths.append(high - low)
    return {
        "covered": reps - ci_above - ci_below,
        "ci_above": ci_above,
        "ci_below": ci_below,
        "width": float(np.mean(widths)),
    }


def rejections(outcomes: Outcomes, n: int, reps: int, seed: int) -> int:
    """Replications of n items whose exact McNemar p-value is at most ALPHA."""
    return sum(mcnemar_exact(*outcomes(n, seed + rep)) <= ALPHA for rep in range(reps))


def markdown(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def coverage_table(reps: int) -> str:
    rows = []
    for i, (scenario, n) in enumerate(COVERAGE):
        got = coverage(scenario.outcomes(), scenario.gain, n, reps, seed=10_000 * (i + 1))
        ok = COVERAGE_TARGET[0] <= got["covered"] / reps <= COVERAGE_TARGET[1]
        rows.append(
            [
                scenario.label,
                f"{scenario.gain * 100:+.2f}",
                f"{scenario.discordant * 100:.0f}%",
                n,
                reps,
                rate_cell(int(got["covered"]), reps),
                f"{got['ci_above']} / {got['ci_below']}",
                f"{got['width'] * 100:.1f}",
                "yes" if ok else "no",
            ]
        )
    header = ["setting", "true gain (pts)", "discordant", "n", "reps", "coverage [95% CI]",
              "CI above / below truth", "mean width (pts)", "in 0.93-0.97"]  # fmt: skip
    return markdown(header, rows)


def fpr_table(reps: int) -> str:
    rows = []
    for i, scenario in enumerate(NULL):
        hits = rejections(scenario.outcomes(), N, reps, seed=20_000_000 + 100_000 * i)
        rows.append(
            [
                scenario.label,
                f"{scenario.discordant * 100:.0f}%",
                reps,
                rate_cell(hits, reps),
                f"{power(N, *split_flips(scenario.discordant, 0.0)):.4f}",
                "yes" if hits / reps <= FPR_TARGET else "no",
            ]
        )
    header = ["setting (true gain 0)", "discordant", "reps", "P(p <= 0.05) [95% CI]",
              "exact size", "<= 0.06"]  # fmt: skip
    return markdown(header, rows)


def power_table(reps: int, ns: Sequence[int]) -> str:
    rows = []
    for points, scenario in GAINS.items():
        up, down = split_flips(scenario.discordant, scenario.gain)
        cells = []
        for j, n in enumerate(ns):
            hits = rejections(scenario.outcomes(), n, reps, seed=30_000_000 + 1_000_000 * j)
            cells.append(f"{hits / reps:.3f} ({power(n, up, down):.3f})")
        rows.append([f"+{points}", *cells])
    return markdown(["gain (pts)", *(f"n = {n}" for n in ns)], rows)


def planned_table(reps: int) -> str:
    rows = []
    for points, scenario in GAINS.items():
        n = sample_size(scenario.discordant, scenario.gain)
        hits = rejections(scenario.outcomes(), n, reps, seed=40_000_000 + 1_000_000 * points)
        rows.append([f"+{points}", n, rate_cell(hits, reps)])
    return markdown(
        ["gain (pts)", f"planned n ({POWER:g} power)", "simulated power [95% CI]"], rows
    )


def eval_outcomes(
    scenario: Scenario, n: int, seed: int, log_dir: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The `synthetic` task through inspect_ai.eval on the simulated provider, read back by the
    report's loader: per-item baseline and final correctness."""
    from inspect_ai import eval

    from inspect_market.report.load import load_logs
    from inspect_market.world import eval_args

    args = eval_args(PROTOCOL, scenario.settings, n, world_seed=seed)
    [log] = eval(**args, log_dir=log_dir, display="none")
    samples = load_logs([log.location]).samples.sort_values("id")
    if log.status != "success" or len(samples) != n:
        raise RuntimeError(
            f"eval check: {log.location} is {log.status} with {len(samples)} samples"
        )
    return samples["baseline_correct"].to_numpy(float), samples["final_correct"].to_numpy(float)


STATISTICS = ("baseline accuracy", "final accuracy", "net gain", "wrong -> right", "right -> wrong")


def summary(before: NDArray[np.float64], after: NDArray[np.float64]) -> dict[str, float]:
    """The paired outcomes' STATISTICS, by the scorer's metric functions the report shares."""
    records = [
        {"baseline_correct": b, "final_correct": f} for b, f in zip(before, after, strict=True)
    ]
    baseline, final = mean_of(records, "baseline_correct"), mean_of(records, "final_correct")
    values = (baseline, final, final - baseline, flip_rate(records, 0, 1), flip_rate(records, 1, 0))
    return dict(zip(STATISTICS, values, strict=True))


def expected_summary(scenario: Scenario) -> dict[str, float]:
    """The STATISTICS in closed form."""
    baseline, final = expected(PROTOCOL, scenario.settings)
    up, down = split_flips(scenario.discordant, scenario.gain)
    return dict(zip(STATISTICS, (baseline, final, final - baseline, up, down), strict=True))


def eval_summary(scenario: Scenario, n: int, seed: int, log_dir: str) -> dict[str, float]:
    """The STATISTICS of one eval run (world seed `seed`)."""
    return summary(*eval_outcomes(scenario, n, seed, log_dir))


def eval_table(seeds: int, n: int, direct_reps: int, jobs: int = 1) -> str:
    """Per statistic: each eval run (world seeds 1..seeds, in `jobs` processes), the eval's mean
    over runs, the direct simulation's mean and sd over replications of the same n, the closed
    form, and the z of the eval's mean against the direct simulation's mean."""
    scenario = GAINS[10]
    world_seeds = range(1, seeds + 1)
    with tempfile.TemporaryDirectory() as log_dir:
        if jobs == 1:
            runs = [eval_summary(scenario, n, seed, log_dir) for seed in world_seeds]
        else:
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(jobs, mp_context=spawn) as pool:
                calls = [pool.submit(eval_summary, scenario, n, s, log_dir) for s in world_seeds]
                runs = [call.result() for call in calls]
    direct = [summary(*scenario.outcomes()(n, 50_000_000 + rep)) for rep in range(direct_reps)]
    rows = []
    for key, truth in expected_summary(scenario).items():
        values = np.array([d[key] for d in direct])
        pooled = float(np.mean([r[key] for r in runs]))
        z = (pooled - values.mean()) / (values.std(ddof=1) * np.sqrt(1 / seeds + 1 / direct_reps))
        rows.append(
            [key, ", ".join(f"{r[key] * 100:.1f}" for r in runs), f"{pooled * 100:.2f}",
             f"{values.mean() * 100:.2f} (sd {values.std(ddof=1) * 100:.2f})",
             f"{truth * 100:.2f}", f"{z:+.2f}"]
        )  # fmt: skip
    header = [f"statistic ({scenario.label}, n = {n})", f"eval, {seeds} seed(s) (%)",
              "eval mean", f"direct, {direct_reps} reps: mean (sd)", "closed form",
              "z of eval mean"]  # fmt: skip
    return markdown(header, rows)


def machine() -> str:
    """CPU model and count, Python, and the load average now."""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{names[0] if names else platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {load}"
    )


def parts(sizes: Sizes) -> dict[str, tuple[str, Callable[[], str]]]:
    """Each measurement by name: its title and the function printing its table."""
    return {
        "coverage": (f"coverage of the report's paired {CONFIDENCE:.0%} bootstrap CI for net gain",
                     lambda: coverage_table(sizes.coverage_reps)),
        "fpr": (f"false-positive rate of exact McNemar at alpha {ALPHA:g}, true gain 0, n = {N}",
                lambda: fpr_table(sizes.fpr_reps)),
        "power": (f"power against n, {sizes.power_reps} reps each: simulated (exact, "
                  "`inspect-market plan`)", lambda: power_table(sizes.power_reps, sizes.power_ns)),
        "planned": ("planned n: inspect-market plan's sample size, simulated",
                    lambda: planned_table(sizes.power_reps)),
        "eval": ("direct simulation vs eval (synthetic task, simulated provider)",
                 lambda: eval_table(sizes.eval_seeds, sizes.eval_n, sizes.power_reps,
                                  sizes.eval_jobs)),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: the script runs")
    parser.add_argument(
        "--only", choices=list(parts(QUICK)), nargs="+", help="run these measurements only"
    )
    parser.add_argument(
        "--eval-seeds",
        type=int,
        metavar="N",
        help=f"eval: run world seeds 1..N (default {FULL.eval_seeds}; {QUICK.eval_seeds} quick)",
    )
    parser.add_argument(
        "--eval-jobs", type=int, default=1, metavar="J", help="eval: runs in J processes at once"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    for option, value in [("--eval-seeds", args.eval_seeds), ("--eval-jobs", args.eval_jobs)]:
        if value is not None and value < 1:
            parser.error(f"{option} must be at least 1, got {value}")
    sizes = replace(sizes, eval_seeds=args.eval_seeds or sizes.eval_seeds, eval_jobs=args.eval_jobs)
    started = time.perf_counter()
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"validity benchmark{' (quick)' if args.quick else ''}, {now}")
    print(machine())
    for name, (title, build) in parts(sizes).items():
        if args.only and name not in args.only:
            continue
        start = time.perf_counter()
        table = build()
        print(f"\n## {title} ({time.perf_counter() - start:.0f} s)\n\n{table}", flush=True)
    print(f"\nwall {time.perf_counter() - started:.0f} s; {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
