"""Shared by the real-model tests (marked `local_model`): what they need and one checked sample."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from inspect_ai import eval
from inspect_ai.log import EvalLog

from inspect_market.trajectory import Trajectory

FIXTURE = Path(__file__).parent / "fixtures" / "truthfulqa_mini.csv"


def missing_modules(names: Iterable[str]) -> list[str]:
    """The importable names among `names` that are not installed."""
    return [name for name in names if importlib.util.find_spec(name) is None]


def one_sample(
    model: str, solver: str, solver_args: dict[str, Any], log_dir: Path
) -> tuple[EvalLog, Trajectory]:
    """One fixture question through `solver` on `model` (T=0, 120 tokens); the eval must succeed."""
    [log] = eval(
        "inspect_market/truthfulqa",
        model=model,
        task_args={"data_path": str(FIXTURE), "solver": solver, **solver_args},
        limit=1,
        max_samples=1,
        temperature=0,
        max_tokens=120,
        log_dir=str(log_dir),
        display="none",
    )
    assert log.status == "success", log.error
    [sample] = log.samples or []
    return log, sample.store_as(Trajectory)
