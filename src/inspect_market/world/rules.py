"""The rules of the simulated world: its items' truth and the p's its agents state.

Used by the `synthetic` task and the `simulated` provider's world agents (which play the world
through Inspect); the direct simulation and the closed form share only the p constants, so
they stay independent checks of the agents.
"""

from __future__ import annotations

import hashlib

KNOWN_P = 0.95
"""A knowing agent's p for the positive claim when it is true (1 - KNOWN_P when it is false)."""
LEAN_P = 0.58
"""An unknowing judge persuaded by the arguments: p for the side most of them support."""
GUESS_P = 0.55
"""An unknowing judge guessing: p for the side it picked at random."""
ARGUER_ROLES = ("trader", "debater")
"""Roles (prefixes, as in `debater_a`) whose arguments support a side; a coordinator's
strategy supports none."""
DEBATER_ROLE = "debater"
"""The prefix of debate's roles: told a side, a debater argues it, and its argument is sound
when it knows the item and the side is true (a persuaded judge follows sound arguments)."""


def item_key(world_seed: int, index: int) -> str:
    """The key naming item `index` of world `world_seed` (carried by every request about it)."""
    return f"{world_seed}:{index}"


def truth(key: str, options: int = 0) -> int:
    """The true outcome of item `key`, uniform and fixed by the key: binary (options 0), the
    side (1: the positive claim holds); else the option (0 = A) of `options`."""
    k = options or 2
    digest = hashlib.blake2b(f"truth\x1f{key}".encode(), digest_size=8).digest()
    return k - 1 - (int.from_bytes(digest, "big") * k >> 64)  # binary: 1 iff digest[0] < 128


def side_p(side: int, p: float) -> float:
    """The probability of the positive claim stated by an agent that gives `side` p `p`."""
    return p if side == 1 else round(1 - p, 10)


def option_probs(option: int, options: int, p: float) -> tuple[float, ...]:
    """A K-outcome judgment of the strength a binary p states: weight 2p - 1 on `option`, the
    rest spread evenly over all `options` (so with 2 options it is the binary p and 1 - p).

    For 3 options: knowing 0.933 (0.033 each other), persuaded 0.44 (0.28), guessing 0.4 (0.3).
    """
    weight = 2 * p - 1
    rest = (1 - weight) / options
    return tuple(rest + weight * (k == option) for k in range(options))
