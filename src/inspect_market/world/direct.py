"""The world simulated directly in numpy, without Inspect: the expected values of every protocol.

It re-implements each protocol's flow at its default parameters (read from the protocol's
spec) and the agents' rules as stated in `WorldSettings`, drawing
from one numpy generator, so it shares no code and no random draws with the `simulated`
provider that plays the same world through Inspect. On items with K options
(`options`, for the protocols in `CHOICE_PROTOCOLS`) the same rules pick an option for a side,
and a judgment states a probability per option (weight 2p - 1 on its option, the rest spread
evenly, p the binary level).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InspectMarketError
from ..params import check_options
from ..solvers import require_spec
from .rules import GUESS_P, KNOWN_P, LEAN_P
from .settings import Agent, WorldSettings

_EPS = 1e-9
NO_SIDE = -1
CHOICE_PROTOCOLS = ("single_shot", "self_consistency", "market_making")
"""Protocols simulated on items with K options."""

Params = Mapping[str, Any]
Sides = NDArray[np.int8]
Floats = NDArray[np.float64]


@dataclass
class _World:
    """n items' truth and who knows them, and the generator every other draw comes from."""

    rng: np.random.Generator
    truth: Sides
    main_knows: NDArray[np.bool_]
    helper_knows: NDArray[np.bool_]
    main: Agent
    helper: Agent
    stance: str
    options: int = 0
    """0: binary items; K: items with K options (truth and sides are options 0..K-1)."""

    @classmethod
    def draw(cls, n: int, seed: int, settings: WorldSettings, options: int = 0) -> _World:
        rng = np.random.default_rng(seed)
        truth = rng.integers(0, options or 2, n).astype(np.int8)
        main_knows = rng.random(n) < settings.main.skill
        helper = settings.helper
        helper_knows = main_knows if helper is None else rng.random(n) < helper.skill
        return cls(
            rng,
            truth,
            main_knows,
            helper_knows,
            settings.main,
            helper or settings.main,
            settings.trader_stance,
            options,
        )

    def coin(self) -> Sides:
        """A side (an option) per item, uniformly at random."""
        return self.rng.integers(0, self.options or 2, self.truth.size).astype(np.int8)

    def judge(
        self,
        knows: NDArray[np.bool_],
        agent: Agent,
        shown: Sequence[Sides],
        sound: Sequence[NDArray[np.bool_]] = (),
    ) -> tuple[Sides, Floats]:
        """Sides and p's of one judgment per item, by an agent shown `shown` sides, of which
        `sound` (default: none) are sound. Persuaded, it follows the sound arguments' side
        where one is shown, else the majority side."""
        n = self.truth.size
        persuading = _majority(shown, n)
        if sound:
            kept = [np.where(ok, side, NO_SIDE) for side, ok in zip(shown, sound, strict=True)]
            sound_side = _majority(kept, n)
            persuading = np.where(sound_side != NO_SIDE, sound_side, persuading).astype(np.int8)
        persuaded = self.rng.random(n) < agent.persuadability
        guess = self.coin()
        follow = ~knows & persuaded & (persuading != NO_SIDE)
        side = np.where(knows, self.truth, np.where(follow, persuading, guess)).astype(np.int8)
        level = np.where(knows, KNOWN_P, np.where(follow, LEAN_P, GUESS_P))
        return side, self.forecast(side, level)

    def forecast(self, side: Sides, level: Floats) -> Floats:
        """What judgments of `side` at binary level `level` state: p of the positive claim, or
        on K options a row per item, weight 2 level - 1 on its option and the rest spread evenly."""
        if not self.options:
            return np.where(side == 1, level, 1 - level)
        weight = 2 * level - 1
        chosen = side[:, None] == np.arange(self.options)
        return np.asarray(chosen * weight[:, None] + (1 - weight[:, None]) / self.options)

    def argue(self, knows: NDArray[np.bool_], adversarial: bool = False) -> Sides:
        """The side each item's argument supports: the true side if known (as an adversary the
        false side; on K options the option after the true one), else a coin."""
        known = (self.truth + 1) % (self.options or 2) if adversarial else self.truth
        return np.where(knows, known, self.coin()).astype(np.int8)

    def contrary(self, side: Sides) -> Sides:
        """A contrarian's side against judgments of `side`: the other side; on K options the
        most probable other option, which for a world judge is a tie, broken for the last."""
        last = (self.options or 2) - 1
        return np.where(side == last, last - 1, last).astype(np.int8)

    def correct(self, p: Floats) -> Floats:
        """1.0 where p decides for the true side (p = 0.5 decides nothing: wrong); on K options
        where the true option's probability is the unique highest of its row."""
        if p.ndim == 2:
            decided = top_option(p)
        else:
            decided = np.where(p > 0.5, 1, np.where(p < 0.5, 0, NO_SIDE))
        right: Floats = (decided == self.truth).astype(np.float64)
        return right


def top_option(probs: Floats) -> Sides:
    """Per row of probabilities, the option of the highest, NO_SIDE where several share it."""
    ranked = np.sort(probs, axis=1)
    alone = ranked[:, -1] - ranked[:, -2] > _EPS
    return np.where(alone, probs.argmax(axis=1), NO_SIDE).astype(np.int8)


def _majority(shown: Sequence[Sides], n: int) -> Sides:
    """Per item, the side (option) most of `shown` support; NO_SIDE where none has the most
    alone."""
    if not shown:
        return np.full(n, NO_SIDE, dtype=np.int8)
    stacked = np.stack(shown)
    counts = np.stack([(stacked == k).sum(axis=0) for k in range(max(stacked.max() + 1, 1))])
    top = counts.max(axis=0)
    alone = ((counts == top).sum(axis=0) == 1) & (top > 0)
    return np.where(alone, counts.argmax(axis=0), NO_SIDE).astype(np.int8)


def _single_shot(w: _World, p: Params) -> tuple[Floats, Floats]:
    _, judged = w.judge(w.main_knows, w.main, [])
    return judged, judged


def _market_making(w: _World, p: Params) -> tuple[Floats, Floats]:
    """Judge, stop when the last `window` p's spread by at most `threshold`, else trade."""
    window, threshold, most = p["window"], p["threshold"], p["max_judgments"]
    ps: list[Floats] = []
    arguments: list[Sides] = []
    final = np.full((w.truth.size, w.options) if w.options else w.truth.size, np.nan)
    active = np.ones(w.truth.size, dtype=bool)
    for t in range(1, most + 1):
        side, judged = w.judge(w.main_knows, w.main, arguments)
        ps.append(judged)
        recent = np.stack(ps[-window:])
        spread = (recent.max(axis=0) - recent.min(axis=0)).reshape(w.truth.size, -1).max(axis=1)
        converged = (t >= window) & (spread <= threshold + _EPS)
        stop = active & (converged | (t == most))
        final[stop] = judged[stop]
        active &= ~stop
        if not active.any():
            break
        if w.stance == "contrarian":
            arguments.append(w.contrary(side))
        else:
            arguments.append(w.argue(w.helper_knows, w.stance == "adversarial"))
    return ps[0], final


def _debate(w: _World, p: Params) -> tuple[Floats, Floats]:
    """Each round one debater (the helper) argues the positive claim and one the negative;
    an argument is sound where its debater knows the item and argues the true side."""
    _, baseline = w.judge(w.main_knows, w.main, [])
    n = w.truth.size
    turns = [np.full(n, side, dtype=np.int8) for _ in range(p["rounds"]) for side in (1, 0)]
    sound = [w.helper_knows & (turn == w.truth) for turn in turns]
    _, final = w.judge(w.main_knows, w.main, turns, sound)
    return baseline, final


def _self_consistency(w: _World, p: Params) -> tuple[Floats, Floats]:
    ps = [w.judge(w.main_knows, w.main, [])[1] for _ in range(p["samples"])]
    return ps[0], np.mean(ps, axis=0)


def _multi_agent_debate(w: _World, p: Params) -> tuple[Floats, Floats]:
    """Agent 1 is the main agent, the others the helper; each round sees the others' sides."""
    agents = [(w.main_knows, w.main)] + [(w.helper_knows, w.helper)] * (p["agents"] - 1)
    latest = [w.judge(knows, agent, []) for knows, agent in agents]
    baseline = latest[0][1]
    for _ in range(p["rounds"]):
        sides = [side for side, _ in latest]
        latest = [
            w.judge(knows, agent, sides[:i] + sides[i + 1 :])
            for i, (knows, agent) in enumerate(agents)
        ]
    return baseline, np.mean([judged for _, judged in latest], axis=0)


def _econ(w: _World, p: Params) -> tuple[Floats, Floats]:
    """Executors (the helper) judge from a strategy that supports no side until their p's agree;
    the coordinator (the main agent) then judges from the last round's executor judgments."""
    n = w.truth.size
    executors = p["executors"]
    shown = np.full((executors, n), NO_SIDE, dtype=np.int8)
    active = np.ones(n, dtype=bool)
    baseline = np.full(n, np.nan)
    for round_no in range(1, p["rounds"] + 1):
        judged = [w.judge(w.helper_knows, w.helper, []) for _ in range(executors)]
        if round_no == 1:
            baseline = judged[0][1]
        shown[:, active] = np.stack([side for side, _ in judged])[:, active]
        ps = np.stack([judged_p for _, judged_p in judged])
        active &= ps.max(axis=0) - ps.min(axis=0) > p["threshold"]
        if not active.any():
            break
    _, final = w.judge(w.main_knows, w.main, list(shown))
    return baseline, final


PROTOCOLS: dict[str, Callable[[_World, Params], tuple[Floats, Floats]]] = {
    "single_shot": _single_shot,
    "market_making": _market_making,
    "debate": _debate,
    "self_consistency": _self_consistency,
    "multi_agent_debate": _multi_agent_debate,
    "econ": _econ,
}


def simulate(
    protocol: str, n: int, seed: int, settings: WorldSettings, options: int = 0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Direct (no Inspect) simulation: per-item baseline_correct and final_correct as 0/1 floats.

    `protocol` is a registry name without prefix (e.g. "market_making"), run at its default
    parameters; n items (binary, or with `options` options each: `CHOICE_PROTOCOLS` only),
    every draw from `numpy.random.default_rng(seed)`.
    """
    check_options(options)
    if protocol not in (CHOICE_PROTOCOLS if options else PROTOCOLS):
        on = f" on {options} options" if options else ""
        raise InspectMarketError(
            f"no direct simulation of {protocol!r}{on}; choose one of: "
            + ", ".join(CHOICE_PROTOCOLS if options else PROTOCOLS)
        )
    world = _World.draw(n, seed, settings, options)
    baseline, final = PROTOCOLS[protocol](world, require_spec(protocol).defaults())
    return world.correct(baseline), world.correct(final)
