"""The per-sample record every solver writes and the one scorer reads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Literal

from inspect_ai.util import StoreModel, store
from pydantic import BaseModel, Field

StopReason = Literal[
    "single", "converged", "max_judgments", "rounds_done", "samples_done", "limit", "error"
]


class Judgment(BaseModel):
    """One judgment of a judging role (market maker, judge, single shot)."""

    role: str
    claim: str | None = None
    claim_side: int | None = None
    """1 = positive claim, 0 = negative claim, None = the claim matched neither."""
    reasoning: str | None = None
    p: float | None = None
    """Probability of the positive claim; None when the reply could not be parsed (or the
    question has K outcomes)."""
    probs: list[float] | None = None
    """A K-outcome question's probability per option (A first); None when the reply could
    not be parsed or the question is binary."""
    raw: str
    """The text of the last attempt."""
    error: str | None = None
    """Why parsing failed (None when it succeeded)."""
    retries: int = 0
    """Format re-asks spent on this judgment."""

    @property
    def parsed(self) -> bool:
        return self.p is not None or self.probs is not None

    @property
    def forecast(self) -> float | list[float] | None:
        """p, or a K-outcome question's probability per option; None when unparsed."""
        return self.p if self.probs is None else self.probs


class Turn(BaseModel):
    """One argument: a trader's sentence or a debater's turn."""

    role: str
    round: int
    text: str
    """The text passed on to the other roles."""
    raw: str
    side: int | None = None
    """The claim side the role was told to argue (1 positive, 0 negative; with K options the
    option, A = 0); None when free."""
    supports: int | None = None
    """The side the reply declared its argument supports (the `simulated` provider's world
    agents declare it); None when undeclared."""
    sound: bool = False
    """Whether the reply declared its argument sound (a knowing world debater's argument for
    the true side)."""


class Trade(BaseModel):
    """One trade in a prediction market: what a trader bought, at what cost, and the price."""

    role: str
    round: int
    outcome: str | None
    """The outcome whose shares were bought: `yes` or `no`, on K options the option's letter
    (None: the trader held, or its trade was unreadable)."""
    shares: float
    cost: float
    price_before: float | list[float]
    """The YES price before the trade; on K options the price per option (A first)."""
    price_after: float | list[float]
    belief: float | list[float] | None
    """The trader's stated probability of the positive claim; on K options its probability
    per option."""
    reason: str = ""
    """The trader's reasoning, as the other traders are shown it (with `rationales`)."""
    error: str | None = None
    """Why the trade line could not be read, or why it was cut to what the cash buys."""


class TrajectoryData(BaseModel):
    """Judgments, arguments and costs of one sample, whatever the protocol.

    A plain model: solvers fill one in memory and `save_trajectory` it once, because every
    field write of a `StoreModel` validates the whole model, which adds up over a protocol's
    calls.
    """

    protocol: str = ""
    prompts: str = ""
    """The prompt set the protocol used (`suite`, `paper`)."""
    prompt_sha256: dict[str, str] = Field(default_factory=dict)
    """Role (or block template: peers, briefing, ...) -> short sha256 of its prompt (system,
    examples, template)."""
    judgments: list[Judgment] = Field(default_factory=list)
    turns: list[Turn] = Field(default_factory=list)
    final_p: float | None = None
    """The protocol's final probability (the last judgment's p, or an aggregate)."""
    final_probs: list[float] | None = None
    """A K-outcome question's final probability per option (its final_p is None)."""
    final_claim_side: int | None = None
    stop_reason: StopReason | None = None
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    trader_stance: str | None = None
    """Market making: the trader's stance (honest, adversarial, contrarian)."""
    adversary_side: int | None = None
    """The claim side (with K options the option) an adversary told the target argued for;
    None when none took part."""
    assignment: str | None = None
    """Debate: how sides were given to the debaters (fixed, random)."""
    positive_debater: str | None = None
    """Debate: the debater role that argued the positive claim."""
    baseline: Judgment | None = None
    """The baseline when it is not the first judgment (a prediction market's mean first
    belief); None: the first judgment is the baseline."""
    trades: list[Trade] = Field(default_factory=list)
    """Prediction market: every trade, in the order the market maker priced them."""
    price_path: list[float] = Field(default_factory=list)
    """Prediction market: the YES price before any trade, then after each trade."""
    price_vectors: list[list[float]] = Field(default_factory=list)
    """Prediction market on K options: the price per option (A first) before any trade, then
    after each trade (`price_path` stays empty)."""
    baseline_votes: list[int | None] | None = None
    """Claim sides of the votes whose majority is the vote baseline (multi_agent_debate's
    round 0); None when the protocol takes no vote."""


def majority_side(sides: Iterable[int | None]) -> int | None:
    """The claim side (or option) most of `sides` name, ignoring None (None when there is
    none or a tie for the most)."""
    ranked = Counter(side for side in sides if side is not None).most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


class Trajectory(StoreModel, TrajectoryData):
    """The same fields in the sample store, under the keys `Trajectory:<field>`."""


def _store_key(name: str) -> str:
    """The store key under which `store_as(Trajectory)` keeps field `name`."""
    return f"{Trajectory.__name__}:{name}"


def save_trajectory(trajectory: TrajectoryData) -> None:
    """Write every field to the current sample store, where `store_as(Trajectory)` reads it.

    Validated once, then set key by key: each field set through `store_as(Trajectory)`
    would validate the whole model again.
    """
    checked = TrajectoryData.model_validate(trajectory.model_dump())
    current = store()
    for name in TrajectoryData.model_fields:
        current.set(_store_key(name), getattr(checked, name))


def load_trajectory() -> TrajectoryData:
    """The current sample's trajectory, read from the store (fields not set: defaults)."""
    current = store()
    fields = {name: _store_key(name) for name in TrajectoryData.model_fields}
    return TrajectoryData.model_validate(
        {name: current.get(key) for name, key in fields.items() if key in current}
    )
