"""The binary proposition every protocol judges, and how it travels in sample metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from inspect_ai.dataset import Sample

_APOSTROPHE = re.compile(r"['’]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


@dataclass(frozen=True)
class Proposition:
    """A binary claim about a question; p always means P(positive claim is true).

    Attributes:
        question: the text shown to every role (question, scenario, answers).
        positive_claim: the claim whose probability is p (e.g. "answer A is the true answer").
        negative_claim: its negation (e.g. "answer B is the true answer").
        key: the item's key in the simulated world (the `synthetic` task); None otherwise.
    """

    question: str
    positive_claim: str
    negative_claim: str
    key: str | None = None

    def __post_init__(self) -> None:
        positive, negative = self.normalized_claims
        if not positive or not negative:
            raise ValueError("a proposition needs two non-empty claims")
        if positive == negative:
            raise ValueError("the two claims of a proposition must differ")

    @cached_property
    def normalized_claims(self) -> tuple[str, str]:
        """The positive and the negative claim as `normalize_claim` gives them."""
        return normalize_claim(self.positive_claim), normalize_claim(self.negative_claim)

    def claim(self, side: int) -> str:
        """The claim for a side: 1 = positive, 0 = negative."""
        return self.positive_claim if side == 1 else self.negative_claim

    def to_metadata(self) -> dict[str, str]:
        claims = {"positive_claim": self.positive_claim, "negative_claim": self.negative_claim}
        return claims if self.key is None else {**claims, "item_key": self.key}

    @classmethod
    def from_sample(cls, question: str, metadata: dict[str, Any]) -> Proposition:
        """Rebuild the proposition a solver sees from a sample's input and metadata."""
        try:
            return cls(
                question,
                metadata["positive_claim"],
                metadata["negative_claim"],
                metadata.get("item_key"),
            )
        except KeyError as ex:
            raise ValueError(
                f"sample metadata lacks {ex.args[0]!r}: inspect_market solvers need samples "
                "built by make_sample()"
            ) from None


def make_sample(
    proposition: Proposition,
    label: int,
    id: str | int,
    metadata: dict[str, Any] | None = None,
) -> Sample:
    """A Sample for a proposition; target is "1" when the positive claim is true, else "0"."""
    if label not in (0, 1):
        raise ValueError(f"label must be 0 or 1, got {label!r}")
    return Sample(
        input=proposition.question,
        target=str(label),
        id=id,
        metadata={**(metadata or {}), **proposition.to_metadata(), "label": label},
    )


def normalize_claim(text: str) -> str:
    """The form in which claims are compared: lower case, apostrophes dropped, every other
    punctuation mark or underscore a space, whitespace runs one space.

    Used both to tell a proposition's two claims apart and to match a judged claim to them,
    so two claims can never differ only in a way the parser ignores.
    """
    text = _APOSTROPHE.sub("", text.lower())
    return " ".join(_PUNCTUATION.sub(" ", text).split())
