"""Cross-model matrix on the simulated world: market-maker skill x trader skill, against theory.

    python benchmarks/cross_model.py --out LOG_DIR [--n 200] [--skills 0.2,0.5,0.8]

Runs the `synthetic` task with market making for every pairing of a main agent (the market
maker) and a trader of the given skills (the `simulated` provider, persuadability 0.8 for
all), in one `inspect_ai.eval` call, into LOG_DIR; reads the logs back with the report's
loader, builds the cross-model matrix and compares each cell's net gain with the world's
closed form (`world.expected`), within 3 standard errors of a per-item difference drawn from
the direct simulation (`world.simulate`). Prints one line per cell; exits 1 if a cell is off.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from inspect_ai import eval, task_with
from inspect_ai.model import get_model

from inspect_market.report.load import load_logs
from inspect_market.report.matrix import cross_model
from inspect_market.report.tables import summarize
from inspect_market.tasks import synthetic
from inspect_market.world import Agent, WorldSettings, agent_args, expected, simulate
from inspect_market.world.bindings import HELPER_SEED, MAIN_SEED

SKILLS = (0.2, 0.5, 0.8)
PERSUADABILITY = 0.8
SIMULATED_ITEMS = 20_000
"""Items of the direct simulation that estimates a cell's per-item variance."""
TOLERANCE = 3.0
"""Standard errors a cell's net gain may lie from the closed form."""


def agent(skill: float, persuadability: float = PERSUADABILITY) -> Agent:
    return Agent(skill=skill, persuadability=persuadability)


def run_grid(log_dir: Path, n: int, skills: Sequence[float] = SKILLS, world_seed: int = 0) -> None:
    """Market making on n synthetic items for every (market maker, trader) pair of `skills`."""
    tasks = []
    for main in skills:
        for helper in skills:
            model = get_model(
                "simulated/default", memoize=False, **agent_args(agent(main), MAIN_SEED)
            )
            trader = get_model(
                "simulated/default", memoize=False, **agent_args(agent(helper), HELPER_SEED)
            )
            base = synthetic(n=n, world_seed=world_seed, solver="market_making")
            tasks.append(task_with(base, model=model, model_roles={"trader": trader}))
    logs = eval(tasks, log_dir=str(log_dir), display="none", max_tasks=len(tasks))
    failed = [log.location for log in logs if log.status != "success"]
    if failed:
        raise RuntimeError(f"evals did not succeed: {', '.join(failed)}")


def skill_of(label: str) -> float:
    """The skill in a matrix axis label: 'simulated/default (skill=0.2)' -> 0.2."""
    return float(label.split("skill=")[1].split(",")[0].rstrip(")"))


def compare(matrix: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """The matrix's cells beside the closed form's net gain and their distance in standard
    errors (per-item variance from the direct simulation, over the cell's n)."""
    rows = []
    for cell in matrix.to_dict("records"):
        helper = skill_of(cell["arguer_model"])
        settings = WorldSettings(agent(skill_of(cell["judge_model"])), agent(helper))
        baseline, final = expected("market_making", settings)
        before, after = simulate("market_making", SIMULATED_ITEMS, seed, settings)
        error = float(np.std(after - before)) / np.sqrt(cell["n"])
        rows.append(
            {
                "market_maker_skill": settings.main.skill,
                "trader_skill": helper,
                "n": cell["n"],
                "net_gain": cell["net_gain"],
                "expected": final - baseline,
                "standard_error": error,
                "z": (cell["net_gain"] - (final - baseline)) / error,
            }
        )
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="log directory")
    parser.add_argument("--n", type=int, default=200, help="items per cell")
    parser.add_argument("--skills", default=",".join(map(str, SKILLS)))
    args = parser.parse_args(argv)
    run_grid(args.out, args.n, [float(s) for s in args.skills.split(",")])
    matrix = cross_model(
        summarize(load_logs([str(args.out)]).samples), load_logs([str(args.out)]).samples
    )
    table = compare(matrix)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    off = table[table["z"].abs() > TOLERANCE]
    return 1 if len(off) else 0


if __name__ == "__main__":
    sys.exit(main())
