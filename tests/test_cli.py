"""The command line a user types: `inspect eval inspect_market/<task>`, solvers swapped by name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai.log import list_eval_logs, read_eval_log

FIXTURE = Path(__file__).parent / "fixtures" / "truthfulqa_mini.csv"
INSPECT = str(Path(sys.executable).with_name("inspect"))


def inspect_eval(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        INSPECT,
        "eval",
        "inspect_market/truthfulqa",
        "--model",
        "simulated/default",
        "-T",
        f"data_path={FIXTURE}",
        "--log-dir",
        str(tmp_path),
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)


@pytest.mark.parametrize(
    ("args", "protocol_calls"),
    [
        (["--solver", "inspect_market/market_making", "-S", "max_judgments=5"], None),
        (["-T", "solver=single_shot", "--solver", "inspect_market/single_shot"], 1.0),
        (["-T", "trader_stance=adversarial"], None),
        (["-T", "solver=debate", "-T", "assignment=random"], 8.0),
        (["-T", "solver=multi_agent_debate"], 9.0),  # 3 agents x (2 rounds + 1)
        # the simulated executors agree at once: one round of 1 + 3 calls, then the final
        (["-T", "solver=econ"], 5.0),
    ],
)
def test_inspect_eval_resolves_tasks_and_solvers(
    tmp_path: Path, args: list[str], protocol_calls: float | None
) -> None:
    result = inspect_eval(tmp_path, "--limit", "2", "--display", "none", *args)
    assert result.returncode == 0, result.stderr
    [info] = list_eval_logs(str(tmp_path))
    log = read_eval_log(info)
    assert log.status == "success" and log.results is not None
    metrics = {k: m.value for s in log.results.scores for k, m in s.metrics.items()}
    assert {"baseline_accuracy", "final_accuracy", "net_gain"} <= set(metrics)
    if protocol_calls is not None:
        assert metrics["mean_calls"] == protocol_calls
    else:
        assert 5 <= metrics["mean_calls"] <= 9  # 2J - 1 with 3 <= J <= 5


def test_bad_argument_is_one_line_and_no_log(tmp_path: Path) -> None:
    result = inspect_eval(tmp_path, "-T", "threshold=-1")
    assert result.returncode == 1
    assert "threshold must be a finite number in [0, 1], got -1" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert list_eval_logs(str(tmp_path)) == []
