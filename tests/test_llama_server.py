"""Real-model test of the serving-engine path: market making through `openai-api/...`.

Starts llama-cpp-python's OpenAI-compatible server (the `server` extra) with the embedded GGUF
model on 127.0.0.1, runs one market-making sample against it with the base URL and key in
Inspect's `LLAMACPP_BASE_URL` / `LLAMACPP_API_KEY`, and stops the server. Skipped without the
extra; run with `pytest -m local_model`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from inspect_market.providers.llama_server import RunningServer, llama_server
from inspect_market.providers.model_files import QWEN_CODER_1_5B, embedded_model_path
from tests.real_model import missing_modules, one_sample

# llama_cpp, what its `server` extra adds, and the model's chunk packages
_MISSING = missing_modules(
    [
        "llama_cpp",
        "sse_starlette",
        "starlette_context",
        "pydantic_settings",
        *(p.replace("-", "_") for p in QWEN_CODER_1_5B.packages()),
    ]
)

pytestmark = [
    pytest.mark.local_model,
    pytest.mark.skipif(
        bool(_MISSING),
        reason=f"needs pip install 'inspect-market[server]' (missing: {', '.join(_MISSING[:3])})",
    ),
]


@pytest.fixture
def server() -> Iterator[RunningServer]:
    """The embedded model behind llama_cpp.server, stopped by PID when the test ends."""
    path = embedded_model_path(QWEN_CODER_1_5B.alias)
    with llama_server(path, QWEN_CODER_1_5B.alias, n_ctx=4096) as running:
        yield running


def test_market_making_through_an_openai_compatible_server(
    server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in server.env.items():
        monkeypatch.setenv(name, value)
    log, trajectory = one_sample(server.model, "market_making", {"max_judgments": 3}, tmp_path)
    assert len(trajectory.judgments) == 3, trajectory.stop_reason
    assert all(j.parsed for j in trajectory.judgments), [j.raw for j in trajectory.judgments]
    usage = log.stats.model_usage[server.model]
    assert usage.input_tokens > 0 and usage.output_tokens > 0
