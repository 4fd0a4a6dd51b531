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

On items with K options (`options`) the same rules pick an option for a side (the side the
price is on: the option of the highest price), a belief is a probability per option (weight
2p - 1 on its option, the rest even), and a trader buys the option whose probability exceeds
its price at the round's start most, toward that probability. Buying option j is buying YES
in the binary market of j against the other options as one outcome (d = q_j - b ln sum of
e^(q_i/b) over the others), so the binary formulas serve; a binary market is options NO, YES.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from inspect_ai.model import get_model
from numpy.typing import NDArray

from ..params import check_options
from ..solvers import require_spec
from .bindings import agent_args
from .direct import NO_SIDE, top_option
from .rules import GUESS_P, KNOWN_P, LEAN_P
from .settings import Agent

Floats = NDArray[np.float64]
_LOGIT_CAP = 20.0


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
    n: int, seed: int, traders: Sequence[Agent], options: int = 0, **params: Any
) -> tuple[Floats, Floats]:
    """Per item, 0/1: is the traders' mean first belief right (the baseline), is the closing
    price right (the final), for `prediction_market` with `params` over its defaults, on binary
    items (`options` 0) or items with K options.

    Every draw comes from `numpy.random.default_rng(seed)`. A binary market is the market of
    two options, NO (0) and YES (1); a trader buys the option whose belief exceeds its price
    most, and buying option j is buying YES in the binary market of j against the others.
    """
    check_options(options)
    p = require_spec("prediction_market").params({**params, "traders": len(traders)})
    b, budget = float(p["liquidity"]), float(p["budget"])
    k_out = options or 2
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k_out, n).astype(np.int8)
    knows = [rng.random(n) < agent.skill for agent in traders]
    q = np.zeros((n, k_out))
    rows = np.arange(n)
    cash = np.full((len(traders), n), budget)
    path = [_prices(q, b)]
    active = np.ones(n, dtype=bool)
    baseline = np.full((n, k_out), 1 / k_out)
    for round_no in range(1, p["rounds"] + 1):
        start = q.copy()
        start_prices = _prices(start, b)
        majority = top_option(start_prices)
        beliefs = []
        for k, agent in enumerate(traders):
            follow = ~knows[k] & (rng.random(n) < agent.persuadability) & (majority != NO_SIDE)
            guess = rng.integers(0, k_out, n).astype(np.int8)
            side = np.where(knows[k], truth, np.where(follow, majority, guess))
            level = np.where(knows[k], KNOWN_P, np.where(follow, LEAN_P, GUESS_P))
            weight = (2 * level - 1)[:, None]
            beliefs.append(weight * (side[:, None] == np.arange(k_out)) + (1 - weight) / k_out)
        if round_no == 1:
            baseline = np.mean(beliefs, axis=0)
        for k, belief in enumerate(beliefs):
            gaps = belief - start_prices
            j = gaps.argmax(axis=1)
            target = belief[rows, j]
            lead = _lead(start, j, b)
            wanted = np.minimum(_to_yes(lead, target, b), _afford_yes(lead, cash[k], b))
            now = _lead(q, j, b)
            bought = np.minimum(
                wanted, np.minimum(_afford_yes(now, cash[k], b), _to_yes(now, target, b))
            )
            bought = np.where(active & (gaps[rows, j] > 0), bought, 0.0)
            cash[k] -= _cost_yes(now, bought, b)
            q[rows, j] += bought
            path.append(_prices(q, b))
        if len(path) > p["window"]:
            recent = np.stack(path[-p["window"] - 1 :])
            spread = (recent.max(axis=0) - recent.min(axis=0)).max(axis=1)
            active &= ~(spread < p["threshold"])
        if not active.any():
            break
    return _right(baseline, truth), _right(_prices(q, b), truth)


def _prices(q: Floats, b: float) -> Floats:
    """Each option's price per item (the softmax of q / b over a row)."""
    weights = np.exp((q - q.max(axis=1, keepdims=True)) / b)
    result: Floats = weights / weights.sum(axis=1, keepdims=True)
    return result


def _lead(q: Floats, j: NDArray[np.intp], b: float) -> Floats:
    """Per item, option j's shares less the others' as one outcome (b ln sum of e^(q/b)): its
    d in the binary market of j against the rest (binary: q_yes - q_no for YES)."""
    others = np.where(np.arange(q.shape[1]) == j[:, None], -np.inf, q / b)
    result: Floats = q[np.arange(q.shape[0]), j] - b * np.logaddexp.reduce(others, axis=1)
    return result


def _right(p: Floats, truth: NDArray[np.int8]) -> Floats:
    """1.0 where the true option has the highest probability of its row, alone."""
    result: Floats = (top_option(p) == truth).astype(np.float64)
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
