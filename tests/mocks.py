"""Scripted mock models for tests: callables that answer from the conversation, with usage."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspect_ai import Task, eval
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    Model,
    ModelOutput,
    ModelUsage,
    get_model,
)

from inspect_market.judgment import format_judgment

Script = Callable[[list[ChatMessage]], str]

TQA_FIXTURE = Path(__file__).parent / "fixtures" / "truthfulqa_mini.csv"
"""A short TruthfulQA-format file of our own (not the benchmark's rows)."""

POS_A = "answer A is the true answer"
NEG_B = "answer B is the true answer"


def output(text: str) -> ModelOutput:
    """A mock output that carries usage (without it Inspect downloads a tokenizer)."""
    out = ModelOutput.from_content(model="mockllm/model", content=text)
    out.usage = ModelUsage(input_tokens=10, output_tokens=5, total_tokens=15)
    return out


def scripted(script: Script, name: str = "mockllm/model") -> Model:
    """A mockllm model replying script(conversation); another `name` poses as another model."""

    def respond(messages: list[ChatMessage], *args: Any) -> ModelOutput:
        return output(script(messages))

    return get_model(name, custom_outputs=respond)


def judgment(p: float, claim: str = POS_A, reasoning: str = "Because of the evidence.") -> str:
    return format_judgment(reasoning, claim, p)


def arguments_seen(messages: list[ChatMessage]) -> int:
    """How many numbered arguments the last user turn shows (0 for the first judgment)."""
    return len(re.findall(r"^\d+\. ", messages[-1].text, flags=re.MULTILINE))


def market_maker_by_round(
    ps: list[float | None], claims: tuple[str, str] = (POS_A, NEG_B)
) -> Script:
    """Judgment k gets p = ps[k] (the last one repeats); None replies with unparseable text.

    The claim written is claims[0] (positive) when p >= 0.5, else claims[1] (negative).
    """

    def script(messages: list[ChatMessage]) -> str:
        p = ps[min(arguments_seen(messages), len(ps) - 1)]
        if p is None:
            return "I would rather not say."
        return judgment(p, claims[0] if p >= 0.5 else claims[1])

    return script


def run(task: Task | str, roles: dict[str, Model], log_dir: Path, **kwargs: Any) -> EvalLog:
    """Run an eval with roles bound (the first role's model is also the main model)."""
    [log] = eval(
        task,
        model=next(iter(roles.values())),
        model_roles=roles,
        log_dir=str(log_dir),
        display="none",
        **kwargs,
    )
    return log


def run_truthfulqa(
    log_dir: Path, roles: dict[str, Model], limit: int = 1, **task_args: Any
) -> EvalLog:
    """The truthfulqa task on TQA_FIXTURE with `roles` bound; the eval must succeed."""
    log = run(
        "inspect_market/truthfulqa",
        roles,
        log_dir,
        task_args={"data_path": str(TQA_FIXTURE), **task_args},
        limit=limit,
    )
    assert log.status == "success", log.error
    return log


def stored(sample: EvalSample, key: str) -> Any:
    """A Trajectory field from a logged sample's store."""
    return sample.store[f"Trajectory:{key}"]


def score_of(sample: EvalSample) -> Any:
    """The trajectory scorer's dict score of a logged sample."""
    return sample.scores["trajectory_scorer"].value  # type: ignore[index]


def metrics(log: EvalLog) -> dict[str, float]:
    """All metric values of the log's results, by metric name."""
    assert log.results is not None, log.error
    return {k: m.value for s in log.results.scores for k, m in s.metrics.items()}


Call = tuple[list[ChatMessage], GenerateConfig]


def recording(script: Script) -> tuple[Model, list[Call]]:
    """A scripted model that also records the messages and config of every call, in order."""
    calls: list[Call] = []

    def respond(
        messages: list[ChatMessage], tools: Any, tool_choice: Any, config: GenerateConfig
    ) -> ModelOutput:
        calls.append((list(messages), config))
        return output(script(messages))

    return get_model("mockllm/model", custom_outputs=respond), calls
