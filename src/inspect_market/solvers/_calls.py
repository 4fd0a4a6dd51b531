"""Model calls shared by every protocol: cost accounting, judgments with format retries."""

from __future__ import annotations

import re

from inspect_ai.log import transcript
from inspect_ai.model import ChatMessage, ChatMessageUser, GenerateConfig, Model, ModelOutput

from ..judgment import parse_judgment
from ..params import check_int
from ..prompts import format_reminder
from ..propositions import Proposition
from ..trajectory import Judgment, TrajectoryData

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z])")


def validate_retries(max_format_retries: int) -> None:
    check_int("max_format_retries", max_format_retries, 0)


async def counted_generate(
    model: Model,
    messages: list[ChatMessage],
    trajectory: TrajectoryData,
    config: GenerateConfig | None = None,
) -> ModelOutput:
    """Generate and add the call and its tokens to the trajectory."""
    output = await model.generate(messages, config=config or GenerateConfig())
    trajectory.calls += 1
    if output.usage is not None:
        trajectory.input_tokens += output.usage.input_tokens
        trajectory.output_tokens += output.usage.output_tokens
    return output


async def request_judgment(
    model: Model,
    messages: list[ChatMessage],
    proposition: Proposition,
    trajectory: TrajectoryData,
    *,
    role: str,
    max_format_retries: int,
    config: GenerateConfig | None = None,
) -> Judgment:
    """Ask for a judgment, re-asking with a format reminder while p cannot be read.

    After `max_format_retries` re-asks the judgment is recorded with p None and the raw text
    of the last attempt; it is appended to the trajectory either way.
    """
    conversation = list(messages)
    retries = 0
    while True:
        output = await counted_generate(model, conversation, trajectory, config)
        parsed = parse_judgment(output.completion, proposition)
        if parsed.ok or retries >= max_format_retries:
            break
        retries += 1
        transcript().info(
            {"format_retry": retries, "error": parsed.error, "reply": output.completion},
            source=role,
        )
        conversation += [
            output.message,
            ChatMessageUser(content=format_reminder(proposition, parsed.error)),
        ]
    judgment = Judgment(
        role=role,
        claim=parsed.claim,
        claim_side=parsed.claim_side,
        reasoning=parsed.reasoning,
        p=parsed.p,
        raw=output.completion,
        error=parsed.error,
        retries=retries,
    )
    trajectory.judgments.append(judgment)
    transcript().info(
        {
            "judgment": len(trajectory.judgments),
            "claim": judgment.claim,
            "p": judgment.p,
            "parsed": judgment.parsed,
            "retries": retries,
        },
        source=role,
    )
    return judgment


def first_sentence(text: str, max_chars: int = 600) -> str:
    """The first sentence of a reply (protocol arguments are one sentence), quotes stripped."""
    return leading_sentences(text, 1, max_chars)


def leading_sentences(text: str, count: int, max_chars: int) -> str:
    """The first `count` sentences of a reply, outer quotes stripped, at most `max_chars` long."""
    stripped = text.strip().strip("\"'“”")
    sentences = _SENTENCE_END.split(stripped, maxsplit=count)[:count]
    return " ".join(sentences).strip()[:max_chars]
