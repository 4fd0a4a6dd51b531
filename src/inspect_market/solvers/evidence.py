"""What a judge is shown besides the question: one value, from which its prompt block and its
request tag both come."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..propositions import Proposition
from ..requests import RequestTag
from . import paper_prompts
from .templates import RolePrompt


def numbered(items: Sequence[str]) -> str:
    """One numbered line per item: `1. first`."""
    return "\n".join(f"{i}. {text}" for i, text in enumerate(items, start=1))


def numbered_arguments(heading: str, items: Sequence[str]) -> str:
    """The suite's argument block: the heading, numbered arguments, a blank line; or nothing."""
    if not items:
        return ""
    return f"{heading}\n{numbered(items)}\n\n"


ARGUMENT_BLOCKS: dict[str, Callable[[str, Sequence[str]], str]] = {
    "suite": numbered_arguments,
    "paper": paper_prompts.arguments_block,
}
"""Each prompt set's block of arguments under a heading."""


@dataclass(frozen=True)
class Evidence:
    """Text blocks a judge is shown (trader arguments, debate turns, other judgments, a
    strategy), the side each supports (1 positive, 0 negative, None unknown) and whether each
    is sound (default: none is).

    Shown as the prompt set's numbered block under `heading`, or through a protocol's block
    template `block` (filled with `{judgments}`, the numbered items, and `values`). The
    request's tag says how many items were shown, their sides and which are sound; the
    `simulated` provider's world agents read that, never the text.
    """

    items: tuple[str, ...] = ()
    sides: tuple[int | None, ...] = ()
    heading: str = ""
    block: RolePrompt | None = None
    values: Mapping[str, str] = field(default_factory=dict)
    sound: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        if not self.sides:
            object.__setattr__(self, "sides", (None,) * len(self.items))
        if not self.sound:
            object.__setattr__(self, "sound", (False,) * len(self.items))
        if not len(self.sides) == len(self.sound) == len(self.items):
            raise ValueError("evidence needs one side (or None) and one soundness per item")

    def text(self, prompt_set: str) -> str:
        """The judge template's `{arguments}`: the block, or nothing when no item is shown."""
        if not self.items:
            return ""
        if self.block is not None:
            return self.block.block({"judgments": numbered(self.items), **self.values})
        return ARGUMENT_BLOCKS[prompt_set](self.heading, self.items)

    def tag(
        self, proposition: Proposition, *, role: str | None = None, draw: int = 0
    ) -> RequestTag:
        """The tag of a judgment request by `role` showing this evidence."""
        return RequestTag.of(
            "judgment",
            proposition,
            len(self.items),
            role=role,
            draw=draw,
            shown_sides=list(self.sides),
            shown_sound=list(self.sound),
        )


NO_EVIDENCE = Evidence()
