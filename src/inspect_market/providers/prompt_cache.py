"""Saved llama.cpp states keyed by token prefix, so no conversation re-reads its prompt.

A llama.cpp context holds one KV cache and reuses only the prefix its next prompt shares with
the previous call. In market making the trader's call sits between two market-maker judgments,
so without saved states every judgment re-reads its whole (~1,000-token) prompt. With this
cache the state after each call (the KV cache of prompt and reply) is kept, and a call whose
prompt shares a longer prefix with a kept state than with the live context loads that state
first: each role's conversation, and the system message and worked examples every judgment
shares, are read once. A loaded state holds what reading the prompt again would compute, up to
float rounding: llama.cpp's results depend on how a prompt is split into batches, so at T = 0 a
reply's wording can differ (measured: same claims and p's, different wording from the second
judgment of a market on; README, "Offline: a local model").

llama-cpp-python's `LlamaRAMCache` does the lookup; its states also copy the logits buffer
(n_batch x vocabulary floats: 311 MB for Qwen2.5), which is read only for logprobs with
`logits_all=True` (never set here), so this cache keeps one row of it. Its capacity counts the
llama.cpp state bytes; least recently used states go first.
"""

from __future__ import annotations

from collections.abc import Sequence

from llama_cpp.llama import LlamaState
from llama_cpp.llama_cache import LlamaRAMCache

MIB = 1 << 20


class PromptStateCache(LlamaRAMCache):
    """A prefix-keyed LRU of llama.cpp states that keeps their KV caches, not their logits."""

    def __setitem__(self, key: Sequence[int], value: LlamaState) -> None:
        slim = LlamaState(
            input_ids=value.input_ids,
            scores=value.scores[:1].copy(),
            n_tokens=value.n_tokens,
            llama_state=value.llama_state,
            llama_state_size=value.llama_state_size,
            seed=value.seed,
        )
        super().__setitem__(key, slim)
