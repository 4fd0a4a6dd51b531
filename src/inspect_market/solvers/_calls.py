"""What every protocol's calls share: role models, cost accounting, and arguments made safe
to pass on."""

from __future__ import annotations

import re

from inspect_ai.model import ChatMessage, GenerateConfig, Model, ModelOutput, get_model

from ..judgment import as_evidence
from ..params import check_int
from ..trajectory import TrajectoryData

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z])")
NO_CONFIG = GenerateConfig()
"""A call's config when the protocol sets none (Inspect's own default is one shared instance)."""


MAX_FORMAT_RETRIES = 10
"""The most re-asks of one unreadable judgment (each resends the growing conversation: 300
retries once spent 5.3 M tokens on one sample)."""


def validate_retries(max_format_retries: int) -> None:
    check_int("max_format_retries", max_format_retries, 0, MAX_FORMAT_RETRIES)


def role_model(role: str) -> Model:
    """The model bound to `role`, else the main model acting in that role.

    Either way the calls carry the role, so `inspect view` labels each call by its role and
    the log counts tokens per role even when no `--model-role` is given.
    """
    return get_model(role=role, default=get_model())


def member_model(group: str, number: int) -> Model:
    """The model of role `<group>_<number>` (e.g. `agent_2`): bound, else `group`'s model.

    `group`'s model is in turn the bound role, else the main model; calls carry the numbered role.
    """
    return get_model(role=f"{group}_{number}", default=role_model(group))


async def counted_generate(
    model: Model,
    messages: list[ChatMessage],
    trajectory: TrajectoryData,
    config: GenerateConfig | None = None,
) -> ModelOutput:
    """Generate and add the call and its tokens to the trajectory."""
    output = await model.generate(messages, config=config or NO_CONFIG)
    trajectory.calls += 1
    if output.usage is not None:
        trajectory.input_tokens += output.usage.input_tokens
        trajectory.output_tokens += output.usage.output_tokens
    return output


def argument_text(reply: str, sentences: int, max_chars: int) -> str:
    """The first `sentences` sentences of an agent's reply, made safe to show another role.

    Outer quotes are stripped; `as_evidence` then makes it one line of at most `max_chars`
    characters with every section label quoted, so it cannot pose as part of a judgment.
    """
    stripped = reply.strip().strip("\"'“”")
    leading = " ".join(_SENTENCE_END.split(stripped, maxsplit=sentences)[:sentences])
    return as_evidence(leading, max_chars)
