"""The benchmark scripts still run end to end (`--quick`: tiny sizes, no assertion on figures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
PERFORMANCE = [
    "efficiency, market making",
    "per-call wall time ratio",
    "prefix share",
    "peak RSS",
    "RSS growth",
]
VALIDITY = [
    "## coverage of the report's paired 95% bootstrap CI for net gain",
    "## false-positive rate of exact McNemar at alpha 0.05",
    "## power against n",
    "## planned n",
    "## direct simulation vs eval",
    "| skill 0.6, honest trader 0 | +0.00 | 20% | 200 |",  # a coverage row
    "| skill 0.6, honest trader 0 | 20% |",  # a false-positive row
    "| +10 | 0.",  # a power row
    "| net gain | ",  # the eval check
]


@pytest.mark.parametrize(
    ("script", "figures"), [("bench.py", PERFORMANCE), ("validity.py", VALIDITY)]
)
def test_benchmark_quick_prints_its_figures(script: str, figures: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for figure in figures:
        assert figure in done.stdout
