"""The proposition every protocol judges, and how it travels in sample metadata.

A proposition is binary (a positive and a negative claim; p is the probability of the
positive one) or has K outcomes (one claim per option, `answer A is the true answer`, ...;
a judgment gives a probability per option). Outcomes are numbered: a binary proposition's
outcome 1 is its positive claim and 0 its negative one (the side), a K-outcome one's outcome
k is option k (A = 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from inspect_ai.dataset import Sample

_APOSTROPHE = re.compile(r"['’]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""Option letters: a K-outcome proposition has at most 26 options."""


@dataclass(frozen=True)
class Proposition:
    """Claims about a question: binary (p always means P(positive claim is true)) or with
    one claim per option (`options`, K >= 2 of them; build it with `Proposition.choice`).

    Attributes:
        question: the text shown to every role (question, scenario, answers).
        positive_claim: the claim whose probability is p (e.g. "answer A is the true answer");
            empty in a K-outcome proposition.
        negative_claim: its negation (e.g. "answer B is the true answer"); empty in a
            K-outcome proposition.
        key: the item's key in the simulated world (the `synthetic` task); None otherwise.
        options: a K-outcome proposition's claims, option A's first; empty when binary.
    """

    question: str
    positive_claim: str
    negative_claim: str
    key: str | None = None
    options: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.options and (self.positive_claim or self.negative_claim):
            raise ValueError("a proposition has two claims or options, not both")
        if self.options and not 2 <= len(self.options) <= len(LETTERS):
            raise ValueError(f"a proposition has 2 to {len(LETTERS)} options")
        claims = self.normalized_claims
        if not all(claims):
            raise ValueError("a proposition needs non-empty claims")
        if len(set(claims)) < len(claims):
            raise ValueError(
                f"the {'two' if self.binary else len(claims)} claims of a proposition must differ"
            )

    @classmethod
    def choice(cls, question: str, options: tuple[str, ...], key: str | None = None) -> Proposition:
        """A K-outcome proposition: one claim per option, option A's first."""
        return cls(question, "", "", key, tuple(options))

    @property
    def binary(self) -> bool:
        """True for two claims (positive, negative), False for K options."""
        return not self.options

    @property
    def claims(self) -> tuple[str, ...]:
        """The claim of each outcome, by outcome number (binary: negative, positive)."""
        return self.options or (self.negative_claim, self.positive_claim)

    @property
    def outcomes(self) -> int:
        """How many outcomes: 2 when binary, else the number of options."""
        return len(self.claims)

    @cached_property
    def normalized_claims(self) -> tuple[str, ...]:
        """The claim of each outcome (as `claims`) as `normalize_claim` gives it."""
        return tuple(map(normalize_claim, self.claims))

    def claim(self, side: int) -> str:
        """The claim of an outcome: binary 1 = positive, 0 = negative; else option `side`."""
        return self.claims[side]

    @property
    def targets(self) -> tuple[str, ...]:
        """The sample target naming each outcome: "0", "1" when binary, else the letters."""
        return ("0", "1") if self.binary else tuple(LETTERS[: self.outcomes])

    def outcome(self, target: str) -> int:
        """The outcome a sample's target names (ValueError when it names none)."""
        if target not in self.targets:
            raise ValueError(
                f"target {target!r} names none of the outcomes ({', '.join(self.targets)})"
            )
        return self.targets.index(target)

    def to_metadata(self) -> dict[str, Any]:
        claims: dict[str, Any] = (
            {"positive_claim": self.positive_claim, "negative_claim": self.negative_claim}
            if self.binary
            else {"options": list(self.options)}
        )
        return claims if self.key is None else {**claims, "item_key": self.key}

    @classmethod
    def from_sample(cls, question: str, metadata: dict[str, Any]) -> Proposition:
        """Rebuild the proposition a solver sees from a sample's input and metadata."""
        try:
            if "options" in metadata:
                return cls.choice(question, tuple(metadata["options"]), metadata.get("item_key"))
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
    choices: list[str] | None = None,
) -> Sample:
    """A Sample for a proposition whose true outcome is `label`.

    Binary: target "1" when the positive claim is true, else "0". K outcomes: target the
    true option's letter, and `choices` (one text per option, as Inspect's multiple-choice
    samples hold them) required.
    """
    if label not in range(proposition.outcomes):
        raise ValueError(f"label must be an outcome 0..{proposition.outcomes - 1}, got {label!r}")
    if (choices is None) != proposition.binary or (
        choices is not None and len(choices) != proposition.outcomes
    ):
        raise ValueError("a K-outcome sample needs one choice per option, a binary one none")
    return Sample(
        input=proposition.question,
        target=proposition.targets[label],
        choices=choices,
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
