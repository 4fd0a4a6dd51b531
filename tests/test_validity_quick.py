"""The validity benchmark still runs end to end (`--quick`: tiny sizes, no claim on its figures)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

VALIDITY = Path(__file__).parent.parent / "benchmarks" / "validity.py"


def test_validity_quick_prints_every_table() -> None:
    done = subprocess.run(
        [sys.executable, str(VALIDITY), "--quick"], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for title in [
        "coverage of the report's paired 95% bootstrap CI for net gain, n = 200",
        "false-positive rate of exact McNemar at alpha 0.05",
        "power against n",
        "planned n",
        "direct simulation vs eval",
    ]:
        assert f"## {title}" in done.stdout
    # one row per setting or gain, each with its figures
    assert done.stdout.count("| skill 0.6, honest trader 0 |") == 2  # coverage and false positives
    assert "| +10 | 0." in done.stdout
    assert "| net gain | " in done.stdout
