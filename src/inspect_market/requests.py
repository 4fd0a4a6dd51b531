"""What a protocol's request asks for, marked on the request message on purpose.

Every protocol tags the user turn that asks a role for something with a `RequestTag` in the
message's `metadata` (which Inspect keeps in the log and never sends to a model). The
`simulated` provider reads the tag, never the prompt's wording, so rewording a prompt or
passing another template cannot change what it replies.

A reply may declare, in its message's metadata under the same key, the side its argument
supports (`reply_side`) and whether the argument is sound (`reply_sound`: a world debater's that
knows the item and argues the true side); protocols pass them on to the judges that are shown
the argument (`shown_sides`, `shown_sound`). The `simulated` provider's world agents use these,
and nothing else does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from inspect_ai.model import ChatMessage, ChatMessageUser, ModelOutput
from pydantic import BaseModel, Field

from .propositions import LETTERS, Proposition

TAG_KEY = "inspect_market"
RequestKind = Literal["judgment", "argument"]


class MarketView(BaseModel):
    """What a prediction-market trader is shown of the market, for the simulated provider."""

    price: float | list[float]
    """The prices as `lmsr.Market.quote` gives them: the YES price (the market's probability
    of the positive claim), or on K options the price of each option (A first)."""
    liquidity: float
    """The market maker's liquidity b."""
    cash: float
    """The trader's cash."""


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
    item: str | None = None
    """The proposition's key in the simulated world (`Proposition.key`); None for real data."""
    role: str | None = None
    """The protocol role asked (`market_maker`, `trader`, `agent_2`, ...)."""
    draw: int = 0
    """Which of several otherwise equal requests this is (a self-consistency sample, a round
    of multi-agent debate or econ)."""
    stance: str | None = None
    """A trader's stance (market making)."""
    side: int | None = None
    """The side the role is told to argue (1 positive, 0 negative; with K options the option,
    A = 0), when it is told one."""
    shown_sides: list[int | None] = Field(default_factory=list)
    """Per argument or judgment the request shows, the side it supports (None: unknown)."""
    shown_sound: list[bool] = Field(default_factory=list)
    """Per argument the request shows, whether it is sound (empty: none is)."""
    market: MarketView | None = None
    """A prediction-market trader's view of the market (it replies with a trade line too)."""
    options: int = 0
    """A K-outcome question's number of options (its claims are then empty); 0: binary."""

    @classmethod
    def of(
        cls,
        kind: RequestKind,
        proposition: Proposition,
        evidence: int = 0,
        round: int = 0,
        **details: Any,
    ) -> RequestTag:
        """The tag of a request about `proposition`; `details` sets the fields after `round`."""
        return cls(
            kind=kind,
            question=proposition.question,
            positive_claim=proposition.positive_claim,
            negative_claim=proposition.negative_claim,
            evidence=evidence,
            round=round,
            item=proposition.key,
            options=len(proposition.options),
            **details,
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


def side_metadata(side: int | None, sound: bool = False) -> dict[str, Any]:
    """Reply message metadata declaring the side an argument supports and whether it is sound."""
    return {TAG_KEY: {"side": side, "sound": sound}}


def reply_side(output: ModelOutput) -> int | None:
    """The side (K options: the option, A = 0) a reply declares its argument supports (None
    when it declares none)."""
    metadata = output.message.metadata or {}
    side = metadata.get(TAG_KEY, {}).get("side")
    return side if type(side) is int and 0 <= side < len(LETTERS) else None


def reply_sound(output: ModelOutput) -> bool:
    """Whether a reply declares its argument sound (False when it declares nothing)."""
    metadata = output.message.metadata or {}
    return metadata.get(TAG_KEY, {}).get("sound") is True
