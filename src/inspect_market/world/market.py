"""A prediction market in the simulated world: K traders, each its own agent, simulated directly
in numpy (no Inspect), and the eval arguments that play the same market through Inspect.

The traders follow the world's rules (`WorldAgent`): a knowing trader believes the true side
(p = KNOWN_P); an unknowing one, with probability `persuadability`, the side the price is on at
the round's start (the one signal a trader's request shows; p = LEAN_P), else a side at random
each round (p = GUESS_P). A trader trades
toward its belief: it asks for the shares that move the price it saw at the round's start to
its p, as many as its cash buys; the market maker fills each order in trader order as a limit
order at the trader's p (`prediction_market`). The market's logarithmic scoring rule is
re-implemented here on the shares' difference d = q_yes - q_no, so this shares no code with the
protocol or the provider.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from inspect_ai.model import get_model
from numpy.typing import NDArray

from ..solvers import require_spec
from .bindings import agent_args
from .direct import NO_SIDE
from .rules import GUESS_P, KNOWN_P, LEAN_P
from .settings import Agent

Floats = NDArray[np.float64]
_LOGIT_CAP = 20.0


def _price(d: Floats, b: float) -> Floats:
    result: Floats = 1.0 / (1.0 + np.exp(-d / b))
    return result


def _cost_yes(d: Floats, x: Floats, b: float) -> Floats:
    """What x YES shares cost at d."""
    result: Floats = b * (np.logaddexp(0.0, (d + x) / b) - np.logaddexp(0.0, d / b))
    return result


def _to_yes(d: Floats, p: Floats, b: float) -> Floats:
    """YES shares that move the price to p."""
    logit = np.clip(np.log(p / (1 - p)), -_LOGIT_CAP, _LOGIT_CAP)
    result: Floats = np.maximum(0.0, b * logit - d)
    return result


def _afford_yes(d: Floats, cash: Floats, b: float) -> Floats:
    """YES shares that `cash` buys at d (1 + e^((d+x)/b) = e^(cash/b) (1 + e^(d/b)))."""
    target = cash / b + np.logaddexp(0.0, d / b)
    x = b * (target + np.log1p(-np.exp(-target))) - d
    result: Floats = np.clip(x, 0.0, np.maximum(0.0, b * _LOGIT_CAP - d))
    return result


def simulate_market(
    n: int, seed: int, traders: Sequence[Agent], **params: Any
) -> tuple[Floats, Floats]:
    """Per item, 0/1: is the traders' mean first belief right (the baseline), is the closing
    price right (the final), for `prediction_market` with `params` over its defaults.

    Every draw comes from `numpy.random.default_rng(seed)`; buying NO at d is buying YES at -d.
    """
    p = require_spec("prediction_market").params({**params, "traders": len(traders)})
    b, budget = float(p["liquidity"]), float(p["budget"])
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n).astype(np.int8)
    knows = [rng.random(n) < agent.skill for agent in traders]
    d = np.zeros(n)
    cash = np.full((len(traders), n), budget)
    path = [_price(d, b)]
    active = np.ones(n, dtype=bool)
    baseline = np.full(n, 0.5)
    for round_no in range(1, p["rounds"] + 1):
        start = d.copy()
        majority = np.where(start > 0, 1, np.where(start < 0, 0, NO_SIDE)).astype(np.int8)
        beliefs = []
        for k, agent in enumerate(traders):
            follow = ~knows[k] & (rng.random(n) < agent.persuadability) & (majority != NO_SIDE)
            guess = rng.integers(0, 2, n).astype(np.int8)
            side = np.where(knows[k], truth, np.where(follow, majority, guess))
            level = np.where(knows[k], KNOWN_P, np.where(follow, LEAN_P, GUESS_P))
            beliefs.append(np.where(side == 1, level, 1 - level))
        if round_no == 1:
            baseline = np.mean(beliefs, axis=0)
        for k, belief in enumerate(beliefs):
            yes = belief > _price(start, b)
            no = belief < _price(start, b)
            sign = np.where(yes, 1.0, -1.0)  # NO at d is YES at -d
            wanted = np.minimum(
                _to_yes(sign * start, np.where(yes, belief, 1 - belief), b),
                _afford_yes(sign * start, cash[k], b),
            )
            now = sign * d
            bought = np.minimum(
                wanted,
                np.minimum(
                    _afford_yes(now, cash[k], b),
                    _to_yes(now, np.where(yes, belief, 1 - belief), b),
                ),
            )
            bought = np.where(active & (yes | no), bought, 0.0)
            cash[k] -= _cost_yes(now, bought, b)
            d = d + sign * bought
            path.append(_price(d, b))
        recent = np.stack(path[-p["window"] - 1 :]) if len(path) > p["window"] else None
        if recent is not None:
            active &= ~(recent.max(axis=0) - recent.min(axis=0) < p["threshold"])
        if not active.any():
            break
    return _right(baseline, truth), _right(_price(d, b), truth)


def _right(p: Floats, truth: NDArray[np.int8]) -> Floats:
    decided = np.where(p > 0.5, 1, np.where(p < 0.5, 0, NO_SIDE))
    result: Floats = (decided == truth).astype(np.float64)
    return result


def market_eval_args(
    traders: Sequence[Agent], n: int, world_seed: int, **params: Any
) -> dict[str, Any]:
    """Arguments of `inspect_ai.eval` that run `prediction_market` on n synthetic items with
    trader k played by `traders[k - 1]` (its own `simulated` model, seed k)."""
    roles = {
        f"trader_{k}": get_model("simulated/default", memoize=False, **agent_args(agent, k))
        for k, agent in enumerate(traders, start=1)
    }
    return {
        "tasks": "inspect_market/synthetic",
        "model": roles["trader_1"],
        "model_roles": roles,
        "task_args": {
            "n": n,
            "world_seed": world_seed,
            "solver": "prediction_market",
            "traders": len(traders),
            **params,
        },
    }
