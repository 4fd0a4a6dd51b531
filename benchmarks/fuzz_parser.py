"""Fuzzes parse_judgment and the label quoting with the strategies of tests/test_parser_fuzz.py.

    python benchmarks/fuzz_parser.py               # 30,000 inputs per strategy (300,000)
    python benchmarks/fuzz_parser.py --per 1000    # quick

Checks on every input: no exception, p None or in [0, 1], an accepted p (or p * 100, or a
fraction's value) equal to a number written after a prediction label, and no other labelled
value that differs from it. The property strategies also check that appending a labelled
prediction to a readable reply leaves p as it was or makes it ambiguous, that quoting
as_evidence(text) or quote_labels(text) in a reply changes neither p nor the claim (and that
quote_labels only adds quotes), that a simple fraction in [0, 1] is read as its value, and
that a prediction line holding more than one number (a range, "N of M", a correction, LaTeX,
a nested number) or a negated or bounded number gives no p.
Prints counts per strategy; exits 0 when no input broke an invariant (Hypothesis reports the
shrunk failing input otherwise).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_parser_fuzz import (
    FUZZ_STRATEGIES,
    PROPERTY_STRATEGIES,
    Checker,
    check,
    fuzz_settings,
)


def fuzz(
    strategy: st.SearchStrategy[tuple[str, str]], checker: Checker, examples: int
) -> Counter[str]:
    """Run `checker` on `examples` generated inputs; count accepted and rejected ones."""
    counts: Counter[str] = Counter()

    @fuzz_settings(examples)
    @given(strategy)
    def run(pair: tuple[str, str]) -> None:
        counts["accepted" if checker(*pair).ok else "rejected"] += 1

    run()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per", type=int, default=30_000, help="inputs per strategy")
    args = parser.parse_args()
    runs: dict[str, tuple[st.SearchStrategy[tuple[str, str]], Checker]] = {
        name: (strategy.map(lambda text: (text, "")), lambda text, _: check(text))
        for name, strategy in FUZZ_STRATEGIES.items()
    }
    runs.update(PROPERTY_STRATEGIES)
    total: Counter[str] = Counter()
    print(f"{'strategy':<22}{'inputs':>9}{'accepted':>10}{'rejected':>10}{'seconds':>9}")
    for name, (strategy, checker) in runs.items():
        start = time.perf_counter()
        counts = fuzz(strategy, checker, args.per)
        inputs = counts["accepted"] + counts["rejected"]
        seconds = time.perf_counter() - start
        print(
            f"{name:<22}{inputs:>9}{counts['accepted']:>10}{counts['rejected']:>10}{seconds:>9.1f}"
        )
        total += counts
    inputs = total["accepted"] + total["rejected"]
    print(f"{'total':<22}{inputs:>9}{total['accepted']:>10}{total['rejected']:>10}")
    print("invariant violations: 0, exceptions: 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
