"""A prediction market: K traders trade YES and NO shares against an automated market maker that
prices them by the logarithmic market scoring rule (`inspect_market.lmsr`).

Each round every trader sees the question, the two claims, the current price, its own cash and
shares and the trades so far (with `rationales`, the traders' one-sentence reasons too) and
replies with a judgment (its belief: p of the positive claim) and one trade line; the trades
of a round are then priced in trader order. The closing price is the final p; the baseline is
the mean of the traders' first beliefs, stated before any trade, so net gain is what trading
added over a simple average of the same traders. Profits are settled by the scorer, which
knows the outcome.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable

from inspect_ai.model import Model
from inspect_ai.util import span

from ..judgment import decide
from ..lmsr import Market, Outcome
from ..params import MAX_LOOP, check_bool, check_int, check_number
from ..requests import MarketView, RequestTag
from ..scorers.metrics import best_single_trader_accuracy, trader_profits, vote_baseline_accuracy
from ..trajectory import Judgment, Trade, majority_side
from . import paper_prompts
from ._calls import argument_text, validate_retries
from .evidence import numbered
from .judge import JUDGE_SYSTEM
from .protocol import Calls, Final, Params, Play, ProtocolRun, protocol
from .templates import DEFAULT_PROMPTS, MARKET_TRADER, RolePrompt, role_prompt

MARKET_SYSTEM = (
    JUDGE_SYSTEM.replace(
        "Reply with exactly three labelled lines and nothing else:",
        "Reply with exactly four labelled lines and nothing else:",
    ).replace(
        "then the label Final Prediction: followed by that p.",
        "then the label Final Prediction: followed by that p;\nthen the label Trade: followed "
        "by BUY YES, BUY NO or HOLD, with the number of shares after BUY YES or BUY NO "
        "(for example: Trade: BUY YES 40).",
    )
    + """

You are also a trader in a prediction market on the question. A YES share pays 1 if the \
POSITIVE claim is true, a NO share pays 1 if the NEGATIVE claim is true; the price of YES is \
the market's probability of the POSITIVE claim. Buy YES when your p is above the price, NO \
when it is below, more shares the further apart they are; you cannot spend more cash than you \
have. You profit by trading toward the truth."""
)

SUITE_TRADER_TEMPLATE = """\
{question}

POSITIVE claim: "{positive_claim}"

NEGATIVE claim: "{negative_claim}"

{scale}

{market}

Give your judgment in the three labelled lines, then the Trade line (for example: Trade: BUY \
NO 25). Final Prediction is the \
probability that "{positive_claim}" is true: above 0.5 if your claim is "{positive_claim}", \
below 0.5 if your claim is "{negative_claim}"."""

PAPER_TRADER_TEMPLATE = f"""\
You are a trader in a prediction market on the following question:

{paper_prompts.QUESTION}

dictionary:
{{scale}}

{{market}}

Provide the following four sections of information:
{paper_prompts.SECTIONS.rstrip()}
4) Trade: a YES share pays 1 if {{positive_claim}}, a NO share pays 1 if {{negative_claim}}. \
Write BUY YES or BUY NO followed by a number of shares (for example BUY YES 40), or HOLD, \
prefixed by 'Trade: '

Write ONLY these four sections with no additional notes or information."""

TRADER_PROMPTS: dict[str, RolePrompt] = {
    "suite": RolePrompt("suite", MARKET_TRADER, SUITE_TRADER_TEMPLATE, system=MARKET_SYSTEM),
    "paper": RolePrompt("paper", MARKET_TRADER, PAPER_TRADER_TEMPLATE),
}
"""A trader's prompt per set: the judgment format plus a trade line; `paper` words it in the
paper's format (one user turn, the paper's dictionary, numbered sections)."""

_TRADE_LINE = re.compile(
    r"^[\s*#>_`-]*trade[\s*_`]*[:：](?P<body>.*)$", re.IGNORECASE | re.MULTILINE
)
_TRADE = re.compile(
    r"^\s*(?:(?P<hold>hold)|buy\s+(?P<outcome>yes|no)\s+(?:and\s+)?(?P<shares>\d+(?:\.\d+)?)"
    r"(?:\s+shares?)?)[\s.*_`]*$",
    re.IGNORECASE,
)
MAX_HISTORY = 30
"""The most recent trades a trader is shown (earlier ones are counted, not listed)."""
MAX_REASON_CHARS = 300


def parse_trade(text: str) -> tuple[Outcome | None, float, str | None]:
    """(outcome, shares, error) of a reply's one Trade line; HOLD is (None, 0, None).

    Unreadable (no Trade line, several, or another form) is a hold with the error recorded.
    """
    lines = _TRADE_LINE.findall(text)
    if len(lines) != 1:
        return None, 0.0, f"{'no' if not lines else 'more than one'} Trade line"
    match = _TRADE.match(lines[0].strip(" \t*_`"))
    if match is None:
        return None, 0.0, f"unreadable Trade line: {lines[0].strip()[:80]!r}"
    if match["hold"]:
        return None, 0.0, None
    outcome: Outcome = "yes" if match["outcome"].lower() == "yes" else "no"
    return outcome, float(match["shares"]), None


def prediction_market_prompts(
    prompts: object = DEFAULT_PROMPTS, trader_template: str | None = None
) -> dict[str, RolePrompt]:
    """prediction_market's trader prompt (every trader shares it) for these parameters."""
    return {"trader": role_prompt(TRADER_PROMPTS, prompts, trader_template)}


def _calls(params: Params) -> Calls:
    """The earliest stop once the first round moved the price: `window` more trades that do
    not move it."""
    rounds = min(params["rounds"], 1 + math.ceil(params["window"] / params["traders"]))
    return Calls(params["traders"] * rounds, 0)


def _traders(params: Params) -> tuple[str, ...]:
    return tuple(f"trader_{k}" for k in range(1, params["traders"] + 1))


@protocol(
    roles=lambda params: ("trader", *_traders(params)),
    helper_roles=lambda params: _traders(params)[1:],
    prompts=prediction_market_prompts,
    calls=_calls,
    max_calls=lambda params: Calls(params["traders"] * params["rounds"], 0),
    metrics=lambda params: [
        vote_baseline_accuracy(),
        best_single_trader_accuracy(),
        trader_profits(),
    ],
)
def prediction_market(
    traders: int = 3,
    rounds: int = 3,
    liquidity: float = 100.0,
    budget: float = 1000.0,
    threshold: float = 0.01,
    window: int = 3,
    rationales: bool = False,
    max_format_retries: int = 2,
    prompts: str = DEFAULT_PROMPTS,
    trader_template: str | None = None,
) -> Play:
    """K traders trade YES and NO shares against a logarithmic-market-scoring-rule market maker.

    Roles `trader_1` ... `trader_K`, each else role `trader`, else the main model. Each round
    every trader, seeing the price, its cash and shares and the trades so far, states its belief
    (a judgment: p of the positive claim) and a trade; the round's trades are then priced in
    trader order, each a limit order at the trader's belief: cut to what its cash buys and to
    the shares that bring the price to its p (the traders of a round decide at the same price,
    so a later trade never overshoots its own belief). The market stops after `rounds`
    rounds, or once the price has moved less than `threshold` over the last `window` trades.
    Final p = the closing price; baseline = the mean of the traders' first beliefs (stated
    before any trade); the first beliefs' majority is the vote baseline. Calls per sample:
    traders x the rounds run, plus format retries.

    Args:
        traders: number of traders (K).
        rounds: most trading rounds (each trader trades once a round).
        liquidity: the market maker's liquidity b (a larger b moves the price less per share).
        budget: each trader's starting cash (by default ten times the liquidity: enough to
            move the price from 0.5 to within 1e-4 of 0 or 1).
        threshold: the price movement over the last `window` trades below which trading stops.
        window: how many recent trades the stop rule looks at.
        rationales: show the traders each other's one-sentence reasons with the trades.
        max_format_retries: re-asks of a reply whose belief cannot be read.
        prompts: prompt set, `suite` or `paper` (the paper's format, with a trade section).
        trader_template: the traders' request template, or a file holding it.
    """
    check_int("traders", traders, 1, MAX_LOOP)
    check_int("rounds", rounds, 1, MAX_LOOP)
    check_number("liquidity", liquidity, 0, 1e9, min_open=True)
    check_number("budget", budget, 0, 1e9)
    check_number("threshold", threshold, 0, 1)
    check_int("window", window, 1, MAX_LOOP)
    check_bool("rationales", rationales)
    validate_retries(max_format_retries)

    async def play(run: ProtocolRun) -> Final:
        trajectory = run.trajectory
        roles = [(f"trader_{k}", run.member("trader", k)) for k in range(1, traders + 1)]
        market = Market(float(liquidity))
        cash = dict.fromkeys((role for role, _ in roles), float(budget))
        shares = {role: {"yes": 0.0, "no": 0.0} for role, _ in roles}
        trajectory.price_path = [market.price]
        trajectory.stop_reason = "rounds_done"
        for round_no in range(1, rounds + 1):
            async with span(f"round {round_no}", type="market"):
                history = [trade_line(t, rationales) for t in trajectory.trades]
                beliefs = await run.judge_together(
                    [
                        (
                            role,
                            ask_trader(
                                run,
                                role,
                                model,
                                round_no,
                                history,
                                market,
                                cash[role],
                                shares[role],
                            ),
                        )
                        for role, model in roles
                    ]
                )
                for (role, _), belief in zip(roles, beliefs, strict=True):
                    market, trade = execute(market, role, round_no, belief, cash[role])
                    cash[role] -= trade.cost
                    if trade.outcome is not None:
                        shares[role][trade.outcome] += trade.shares
                    trajectory.trades.append(trade)
                    trajectory.price_path.append(market.price)
            if round_no == 1:
                trajectory.baseline = mean_belief(beliefs)
                trajectory.baseline_votes = [j.claim_side for j in beliefs]
            if settled(trajectory.price_path, threshold, window):
                trajectory.stop_reason = "converged"
                break
        price = market.price
        text = f"Closing price {price:.4g} after {len(trajectory.trades)} trade(s)"
        return Final(price, decide(price), text)

    return play


def ask_trader(
    run: ProtocolRun,
    role: str,
    model: Model,
    round_no: int,
    history: list[str],
    market: Market,
    cash: float,
    held: dict[str, float],
) -> Awaitable[Judgment]:
    """A trader's turn: its belief and trade line, shown the market, its cash and its shares.

    The request's tag shows the trades and one signal, the side of the price (what the market
    as a whole says), with the market's state for the simulated provider.
    """
    tag = RequestTag.of(
        "judgment",
        run.proposition,
        len(history),
        role=role,
        draw=round_no,
        shown_sides=[decide(market.price)],
        market=MarketView(price=market.price, liquidity=market.b, cash=cash),
    )
    block = market_block(market.price, cash, held, history)
    return run.judge(
        role, model=model, prompt=run.prompts["trader"], values={"market": block}, tag=tag
    )


def execute(
    market: Market, role: str, round_no: int, belief: Judgment, cash: float
) -> tuple[Market, Trade]:
    """The market after `role`'s trade from `belief`'s Trade line, as a limit order at the
    trader's belief: cut to what `cash` buys and to the shares that move the price to the
    trader's own p (a trader never buys YES above its p, or NO below it). A trade with no
    readable belief is not made."""
    outcome, wanted, error = parse_trade(belief.raw)
    bought = 0.0
    if outcome is not None and belief.p is None:
        error = "no readable belief to limit the trade: held"
    elif outcome is not None and belief.p is not None:
        limit = market.shares_to(outcome, belief.p)
        bought = min(wanted, market.affordable(outcome, cash), limit)
        if wanted - bought > 1e-6 * max(1.0, wanted):  # more than the reply's rounding
            why = "the cash buys" if bought < limit else "reach the trader's belief"
            error = f"cut from {wanted:g} to the {bought:.4g} shares that {why}"
    traded = outcome if bought > 0 else None
    after = market if traded is None else market.bought(traded, bought)
    trade = Trade(
        role=role,
        round=round_no,
        outcome=traded,
        shares=bought,
        cost=0.0 if traded is None else market.price_of(traded, bought),
        price_before=market.price,
        price_after=after.price,
        belief=belief.p,
        reason=argument_text(belief.reasoning or "", 1, MAX_REASON_CHARS),
        error=error,
    )
    return after, trade


def market_block(price: float, cash: float, held: dict[str, float], history: list[str]) -> str:
    """What a trader is shown of the market: the price, its cash and shares, the trades."""
    earlier = len(history) - MAX_HISTORY
    listed = history[-MAX_HISTORY:]
    trades = numbered(listed) if listed else "none yet"
    skipped = f"({earlier} earlier trades not listed)\n" if earlier > 0 else ""
    return (
        f"Market price of YES (the market's probability that the POSITIVE claim is true): "
        f"{price:.3f}. A YES share costs about {price:.3f}, a NO share about {1 - price:.3f}.\n"
        f"You hold {cash:.2f} cash, {held['yes']:.2f} YES shares and {held['no']:.2f} NO "
        f"shares.\nTrades so far:\n{skipped}{trades}"
    )


def trade_line(trade: Trade, rationales: bool) -> str:
    """A trade as the other traders are shown it."""
    if trade.outcome is None:
        done = f"{trade.role} held"
    else:
        done = (
            f"{trade.role} bought {trade.shares:.2f} {trade.outcome.upper()} shares "
            f"(price {trade.price_before:.3f} -> {trade.price_after:.3f})"
        )
    reason = f': "{trade.reason}"' if rationales and trade.reason else ""
    return f"Round {trade.round}, {done}{reason}"


def mean_belief(beliefs: list[Judgment]) -> Judgment:
    """The traders' mean readable belief and majority claim, as one judgment (the baseline)."""
    ps = [j.p for j in beliefs if j.p is not None]
    mean = math.fsum(ps) / len(ps) if ps else None
    shown = "none" if mean is None else f"{mean:.4g}"
    return Judgment(
        role="traders",
        claim_side=majority_side(j.claim_side for j in beliefs),
        p=mean,
        raw=f"Mean first belief of {len(ps)} readable trader(s) of {len(beliefs)}: {shown}",
    )


def settled(path: list[float], threshold: float, window: int) -> bool:
    """Whether the price moved less than `threshold` over the last `window` trades."""
    if len(path) <= window:
        return False
    recent = path[-window - 1 :]
    return max(recent) - min(recent) < threshold
