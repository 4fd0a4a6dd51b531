"""Market making (Gho et al. 2025): a market maker posts p, a trader argues to move it."""

from __future__ import annotations

from inspect_ai.model import get_model
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import span

from ..prompts import MARKET_MAKER_EVIDENCE, judgment_messages, trade_messages
from ..propositions import Proposition
from ..stopping import stop_reason, validate_stop_rule
from ..trajectory import Turn
from ._calls import counted_generate, first_sentence, request_judgment, validate_retries
from ._finish import finish, recording


@solver
def market_making(
    max_judgments: int = 10,
    threshold: float = 0.2,
    window: int = 3,
    max_format_retries: int = 2,
) -> Solver:
    """Market making between roles `market_maker` and `trader` (both default to the main model).

    Judgment 1 is the baseline. After each judgment the market stops when the last `window`
    p's lie within `threshold` of each other, or when `max_judgments` exist; otherwise the
    trader, seeing only the current judgment, writes one sentence to move p, and the market
    maker judges again from scratch seeing every trader argument so far.

    Args:
        max_judgments: most judgments per sample (N); calls are 2J - 1 plus format retries.
        threshold: largest spread of the last `window` p's that counts as converged (T).
        window: how many recent p's must agree.
        max_format_retries: re-asks of a judgment whose prediction cannot be read.
    """
    validate_stop_rule(max_judgments, threshold, window)
    validate_retries(max_format_retries)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        proposition = Proposition.from_sample(state.input_text, state.metadata)
        market_maker = get_model(role="market_maker")
        trader = get_model(role="trader")
        arguments: list[str] = []
        with recording("market_making") as trajectory:
            for round_no in range(1, max_judgments + 1):
                async with span(f"round {round_no}", type="round"):
                    judgment = await request_judgment(
                        market_maker,
                        judgment_messages(proposition, MARKET_MAKER_EVIDENCE, arguments),
                        proposition,
                        trajectory,
                        role="market_maker",
                        max_format_retries=max_format_retries,
                    )
                    ps = [j.p for j in trajectory.judgments]
                    reason = stop_reason(ps, max_judgments, threshold, window)
                    if reason is not None:
                        trajectory.stop_reason = reason
                        break
                    trade = await counted_generate(
                        trader, trade_messages(proposition, judgment.raw, judgment.p), trajectory
                    )
                    argument = first_sentence(trade.completion)
                    trajectory.turns.append(
                        Turn(role="trader", round=round_no, text=argument, raw=trade.completion)
                    )
                    arguments.append(argument)
            last = trajectory.judgments[-1]
            return finish(state, trajectory, last.p, last.claim_side, last.raw)

    return solve
