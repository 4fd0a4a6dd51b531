"""The prediction market in the simulated world: closing-price and baseline accuracy against the
number of informed traders (skill 0.9; the others skill 0), directly simulated and played
through Inspect.

    python benchmarks/markets.py --out docs/ [--n 300] [--direct-n 20000]

Writes `markets_world.png` and `markets_world.csv` (one row per setting and source) into --out
and prints the table. Offline: the `simulated` provider and numpy only.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from inspect_ai import eval

from inspect_market.world import Agent
from inspect_market.world.market import market_eval_args, simulate_market

INFORMED = Agent(skill=0.9, persuadability=0.5)
UNINFORMED = Agent(skill=0.0, persuadability=0.5)
TRADERS = 3


def settings() -> dict[int, list[Agent]]:
    """Informed traders first: 0 to 3 of the 3."""
    return {k: [INFORMED] * k + [UNINFORMED] * (TRADERS - k) for k in range(TRADERS + 1)}


def rows(n: int, direct_n: int, log_dir: Path) -> pd.DataFrame:
    """Baseline and final accuracy (with standard errors) per setting, direct and eval."""
    out = []
    for informed, traders in settings().items():
        baseline, final = simulate_market(direct_n, 1, traders)
        for key, values in (("baseline", baseline), ("final", final)):
            mean = float(np.mean(values))
            se = math.sqrt(mean * (1 - mean) / direct_n)
            out.append(("direct", informed, key, mean, se, direct_n))
        [log] = eval(**market_eval_args(traders, n, 11), log_dir=str(log_dir), display="none")
        if log.results is None:
            raise RuntimeError(f"eval with {informed} informed trader(s) failed: {log.error}")
        metrics = {k: m.value for s in log.results.scores for k, m in s.metrics.items()}
        for key in ("baseline", "final"):
            mean = float(metrics[f"{key}_accuracy"])
            out.append(("eval", informed, key, mean, float(metrics[f"{key}_accuracy_stderr"]), n))
    columns = ["source", "informed_traders", "accuracy_of", "accuracy", "stderr", "n"]
    return pd.DataFrame(out, columns=columns)


def figure(table: pd.DataFrame, path: Path) -> None:
    """Accuracy against informed traders: lines for the direct simulation, points with 95% CIs
    for the eval."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for key, colour, label in (
        ("final", "tab:blue", "closing price"),
        ("baseline", "tab:grey", "mean first belief"),
    ):
        direct = table[(table["source"] == "direct") & (table["accuracy_of"] == key)]
        played = table[(table["source"] == "eval") & (table["accuracy_of"] == key)]
        ax.plot(direct["informed_traders"], direct["accuracy"], "-", color=colour, label=label)
        ax.errorbar(
            played["informed_traders"] + 0.05,
            played["accuracy"],
            yerr=1.96 * played["stderr"],
            fmt="o",
            color=colour,
            capsize=3,
            label=f"{label}, eval (95% CI)",
        )
    ax.axhline(0.5, color="black", linewidth=0.5, linestyle=":")
    ax.set_xticks(range(TRADERS + 1))
    ax.set_xlabel(f"informed traders (skill 0.9) of {TRADERS}")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0.3, 1.02)
    ax.set_title("prediction_market in the simulated world")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the PNG and CSV")
    parser.add_argument("--n", type=int, default=300, help="items per eval (default 300)")
    parser.add_argument("--direct-n", type=int, default=20_000, help="items per direct run")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="markets_") as log_dir:
        table = rows(args.n, args.direct_n, Path(log_dir))
    table.to_csv(args.out / "markets_world.csv", index=False)
    figure(table, args.out / "markets_world.png")
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
