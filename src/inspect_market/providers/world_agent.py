"""The `simulated` provider's agent for the simulated world (requests about a world item).

An agent of skill s knows the truth of an item with probability s (a draw fixed by the
model's seed and the item, so every role a model plays knows the same items, and models with
different seeds know independently). Everything it uses comes from the request's tag:

- judgment: knowing, the true side with p = KNOWN_P; not knowing, with probability
  `persuadability` the persuading side with p = LEAN_P: the side of the sound arguments shown
  (`shown_sound`) when there is one, else the side most of the shown arguments or judgments
  support (`shown_sides`, when one side has a strict majority); else a side at random with
  p = GUESS_P.
- argument (trader, debater): a debater or a contrarian trader argues the side it is told
  (`side`); otherwise, knowing, the true side (the false side with the adversarial stance);
  not knowing, a side at random per turn. Any other role's argument (econ's coordinator's
  strategy) supports no side. A debater's argument is sound when it knows the item and its
  side is true; a knowing debater told the false side argues it as an adversary does, and
  its argument is not sound. No other argument is sound.

On a K-outcome item (tag `options` = K) the same rules pick an option for a side: the true
option (`truth(item, K)`), the option most of `shown_sides` support (a unique most), or one
uniformly at random; an adversarial trader argues the option after the true one (cyclically,
as market making tells it). The provider states a belief in an option as a probability per
option (`option_probs`).

Random draws other than knowledge also hash the role and the request's place in the protocol
(evidence shown, round, draw), so they are independent between roles and turns.
"""

from __future__ import annotations

import hashlib

from ..requests import RequestTag
from ..trajectory import majority_side as _majority
from ..world.rules import ARGUER_ROLES, DEBATER_ROLE, GUESS_P, KNOWN_P, LEAN_P, truth


class WorldAgent:
    """Judgments and argued sides of one agent about world items."""

    def __init__(self, seed: int, skill: float, persuadability: float) -> None:
        self.seed = seed
        self.skill = skill
        self.persuadability = persuadability

    def knows(self, item: str) -> bool:
        return self._draw("knows", item) < self.skill

    def belief(self, tag: RequestTag, item: str) -> tuple[int, float]:
        """The outcome this agent judges true (a side; an option on K options) and the binary
        p it states for it (KNOWN_P, LEAN_P or GUESS_P)."""
        if self.knows(item):
            side, level = truth(item, tag.options), KNOWN_P
        else:
            turn = self._turn(tag, item, tag.draw)
            persuading = _persuading_side(tag.shown_sides, tag.shown_sound)
            if persuading is not None and self._draw("persuaded", *turn) < self.persuadability:
                side, level = persuading, LEAN_P
            else:
                side, level = self._outcome("guess", tag.options, *turn), GUESS_P
        return side, level

    def argued_side(self, tag: RequestTag, item: str) -> int | None:
        """The side this agent's argument supports (None: a role whose text argues no side)."""
        if not (tag.role or "").startswith(ARGUER_ROLES):
            return None
        if tag.side is not None and (_debater(tag) or tag.stance == "contrarian"):
            return tag.side
        if self.knows(item):
            true = truth(item, tag.options)
            return (true + 1) % (tag.options or 2) if tag.stance == "adversarial" else true
        return self._outcome("argue", tag.options, *self._turn(tag, item, tag.round))

    def sound(self, tag: RequestTag, item: str) -> bool:
        """Whether this agent's argument is sound: a debater's that knows the item and is told
        the true side."""
        return _debater(tag) and tag.side == truth(item) and self.knows(item)

    def _turn(self, tag: RequestTag, item: str, step: int) -> tuple[str, ...]:
        return (tag.role or "", item, str(tag.evidence), str(step))

    def _outcome(self, purpose: str, options: int, *parts: str) -> int:
        """An outcome uniformly at random (binary, options 0: 1 iff the draw is below 1/2)."""
        k = options or 2
        return k - 1 - int(self._draw(purpose, *parts) * k)

    def _draw(self, purpose: str, *parts: str) -> float:
        """A uniform number in [0, 1) fixed by the seed, the purpose and the parts."""
        key = "\x1f".join(("world", str(self.seed), purpose, *parts))
        digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64


def _debater(tag: RequestTag) -> bool:
    return (tag.role or "").startswith(DEBATER_ROLE)


def _persuading_side(sides: list[int | None], sound: list[bool]) -> int | None:
    """The side of the sound arguments shown, if any (all support the true side); else the
    side most of the shown sides support (None: no strict majority)."""
    sound_sides = [side for side, ok in zip(sides, sound, strict=True) if ok] if sound else []
    return _majority(sound_sides or sides)
