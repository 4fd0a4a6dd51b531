"""What a protocol's request asks for, marked on the request message on purpose.

Every protocol tags the user turn that asks a role for something with a `RequestTag` in the
message's `metadata` (which Inspect keeps in the log and never sends to a model). The
`simulated` provider reads the tag, never the prompt's wording, so rewording a prompt or
passing another template cannot change what it replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from inspect_ai.model import ChatMessage, ChatMessageUser
from pydantic import BaseModel

from .propositions import Proposition

TAG_KEY = "inspect_market"
RequestKind = Literal["judgment", "argument"]


class RequestTag(BaseModel):
    """The proposition a request is about and what it asks for."""

    kind: RequestKind
    """`judgment`: a reply in the judgment format; `argument`: a trader's or debater's turn."""
    question: str
    positive_claim: str
    negative_claim: str
    evidence: int = 0
    """How many arguments (trader sentences, debate turns) the request shows."""
    round: int = 0
    """The protocol round that asks, where evidence does not tell it (a trader's turn)."""

    @classmethod
    def of(
        cls, kind: RequestKind, proposition: Proposition, evidence: int = 0, round: int = 0
    ) -> RequestTag:
        return cls(
            kind=kind,
            question=proposition.question,
            positive_claim=proposition.positive_claim,
            negative_claim=proposition.negative_claim,
            evidence=evidence,
            round=round,
        )


def tagged_request(content: str, tag: RequestTag) -> ChatMessageUser:
    """A user turn carrying `tag` in its metadata."""
    return ChatMessageUser(content=content, metadata={TAG_KEY: tag.model_dump()})


def request_tag(messages: Sequence[ChatMessage]) -> RequestTag | None:
    """The tag of the last tagged user turn (None when no turn is tagged)."""
    for message in reversed(messages):
        if message.role == "user" and message.metadata and TAG_KEY in message.metadata:
            return RequestTag.model_validate(message.metadata[TAG_KEY])
    return None
