"""The per-sample record every solver writes and the one scorer reads."""

from __future__ import annotations

from typing import Literal

from inspect_ai.util import StoreModel, store
from pydantic import BaseModel, Field

StopReason = Literal["single", "converged", "max_judgments", "rounds_done", "samples_done", "error"]


class Judgment(BaseModel):
    """One judgment of a judging role (market maker, judge, single shot)."""

    role: str
    claim: str | None = None
    claim_side: int | None = None
    """1 = positive claim, 0 = negative claim, None = the claim matched neither."""
    reasoning: str | None = None
    p: float | None = None
    """Probability of the positive claim; None when the reply could not be parsed."""
    raw: str
    """The text of the last attempt."""
    error: str | None = None
    """Why parsing failed (None when it succeeded)."""
    retries: int = 0
    """Format re-asks spent on this judgment."""

    @property
    def parsed(self) -> bool:
        return self.p is not None


class Turn(BaseModel):
    """One argument: a trader's sentence or a debater's turn."""

    role: str
    round: int
    text: str
    """The text passed on to the other roles."""
    raw: str


class TrajectoryData(BaseModel):
    """Judgments, arguments and costs of one sample, whatever the protocol.

    A plain model: solvers fill one in memory and `save_trajectory` it once, because every
    field access of a `StoreModel` validates (~0.1 ms each, which adds up over a protocol's calls).
    """

    protocol: str = ""
    judgments: list[Judgment] = Field(default_factory=list)
    turns: list[Turn] = Field(default_factory=list)
    final_p: float | None = None
    """The protocol's final probability (the last judgment's p, or an aggregate)."""
    final_claim_side: int | None = None
    stop_reason: StopReason | None = None
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


class Trajectory(StoreModel, TrajectoryData):
    """The same fields in the sample store, under the keys `Trajectory:<field>`."""


def save_trajectory(trajectory: TrajectoryData) -> None:
    """Write every field to the current sample store, where `store_as(Trajectory)` reads it."""
    current = store()
    for name in TrajectoryData.model_fields:
        current.set(_store_key(name), getattr(trajectory, name))


def load_trajectory() -> TrajectoryData:
    """The current sample's trajectory, read from the store in one validation."""
    current = store()
    return TrajectoryData.model_validate(
        {
            name: current.get(_store_key(name))
            for name in TrajectoryData.model_fields
            if _store_key(name) in current
        }
    )


def _store_key(field: str) -> str:
    # StoreModel's namespacing (class name, colon, field), which logged stores show
    return f"{Trajectory.__name__}:{field}"
