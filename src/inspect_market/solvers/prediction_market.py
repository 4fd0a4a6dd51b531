"""A prediction market: traders trade shares of the outcomes against an automated market maker
that prices them by the logarithmic market scoring rule (`inspect_market.lmsr`).

Each round every trader sees the question, the claims, the current prices, its own cash and
shares and the trades so far (with `rationales`, the traders' one-sentence reasons too) and
replies with a judgment (its belief: p of the positive claim, or on a question with K
options a probability per option) and one trade line; the trades of a round are then priced
in trader order. The closing price (per option) is the final forecast; the baseline is the
mean of the traders' first beliefs, stated before any trade, so net gain is what trading
added over a simple average of the same traders. Profits are settled by the scorer, which
knows the outcome.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Awaitable

from inspect_ai.model import Model
from inspect_ai.util import span

from ..judgment import decide, format_probs
from ..lmsr import BINARY, Market, Outcome, Quote
from ..params import MAX_LOOP, check_bool, check_int, check_number
from ..propositions import LETTERS
from ..requests import MarketView, RequestTag
from ..scorers.metrics import best_single_trader_accuracy, trader_profits, vote_baseline_accuracy
from ..trajectory import Judgment, Trade, TrajectoryData
from . import paper_prompts
from ._calls import argument_text, validate_retries
from .choice import CHOICE_JUDGE_SYSTEM, register_choice_prompt
from .evidence import numbered
from .judge import JUDGE_SYSTEM
from .protocol import Calls, Final, Params, Play, ProtocolRun, protocol
from .self_consistency import aggregate
from .templates import DEFAULT_PROMPTS, MARKET_TRADER, RolePrompt, TemplateSpec, role_prompt


def trader_system(judge_system: str, prediction: str, trade: str, market: str) -> str:
    """A judge's system message made a trader's: a fourth line, the Trade line (`trade` says
    what follows its label), after the line that ends with `prediction`; then `market`."""
    for old in ("exactly three labelled lines", prediction):
        if old not in judge_system:
            raise ValueError(f"the judge's system message lacks {old!r}")
    return (
        judge_system.replace("exactly three labelled lines", "exactly four labelled lines")
        .replace(prediction, f"{prediction[:-1]};\nthen the label Trade: followed by {trade}.")
        .rstrip()
        + "\n\n"
        + market
    )


MARKET_SYSTEM = trader_system(
    JUDGE_SYSTEM,
    "then the label Final Prediction: followed by that p.",
    "BUY YES, BUY NO or HOLD, with the number of shares after BUY YES or BUY NO "
    "(for example: Trade: BUY YES 40)",
    """\
You are also a trader in a prediction market on the question. A YES share pays 1 if the \
POSITIVE claim is true, a NO share pays 1 if the NEGATIVE claim is true; the price of YES is \
the market's probability of the POSITIVE claim. Buy YES when your p is above the price, NO \
when it is below, more shares the further apart they are; you cannot spend more cash than you \
have. You profit by trading toward the truth.""",
)

TRADE_REMINDERS = {
    True: "Trade (BUY YES or BUY NO and a number of shares, or HOLD)",
    False: "Trade (BUY, an answer's letter and a number of shares, or HOLD)",
}
"""The Trade line as a format re-ask describes it, on binary questions and on K options."""

CHOICE_MARKET_SYSTEM = trader_system(
    CHOICE_JUDGE_SYSTEM,
    "The probabilities sum to 1, and the answer of your claim has the highest.",
    "BUY, an answer's letter and the number of shares, or HOLD (for example: Trade: BUY B 40)",
    """\
You are also a trader in a prediction market on the question. A share of an answer pays 1 if \
that answer is the true one; the price of an answer's share is the market's probability that \
it is true (the prices sum to 1). Buy the answer whose probability in your judgment is \
furthest above its price, more shares the further apart they are; you cannot spend more cash \
than you have. You profit by trading toward the truth.""",
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

CHOICE_MARKET_TRADER = TemplateSpec(
    "choice_market_trader", ("question", "options", "market"), ("letters", "arguments")
)

CHOICE_TRADER_TEMPLATE = """\
{question}

The claims, one per answer:
{options}

{market}

Give your judgment in the three labelled lines, then the Trade line (for example: Trade: BUY \
B 25). Final Prediction gives each of the letters {letters} with the probability that its \
answer is the true one; they sum to 1."""

TRADER_PROMPTS: dict[str, RolePrompt] = {
    "suite": RolePrompt("suite", MARKET_TRADER, SUITE_TRADER_TEMPLATE, system=MARKET_SYSTEM),
    "paper": RolePrompt("paper", MARKET_TRADER, PAPER_TRADER_TEMPLATE),
}
"""A trader's prompt per set: the judgment format plus a trade line; `paper` words it in the
paper's format (one user turn, the paper's dictionary, numbered sections)."""

register_choice_prompt(
    TRADER_PROMPTS["suite"],
    RolePrompt("suite", CHOICE_MARKET_TRADER, CHOICE_TRADER_TEMPLATE, system=CHOICE_MARKET_SYSTEM),
)

_TRADE_LINE = re.compile(
    r"^[\s*#>_`-]*trade[\s*_`]*[:：](?P<body>.*)$", re.IGNORECASE | re.MULTILINE
)
_TRADE = (
    r"^\s*(?:(?P<hold>hold)|buy\s+(?P<outcome>{outcomes})\s+(?:and\s+)?"
    r"(?P<shares>\d+(?:\.\d+)?)(?:\s+shares?)?)[\s.*_`]*$"
)
MAX_HISTORY = 30
"""The most recent trades a trader is shown (earlier ones are counted, not listed)."""
MAX_REASON_CHARS = 300


def parse_trade(
    text: str, outcomes: tuple[Outcome, ...] = BINARY
) -> tuple[Outcome | None, float, str | None]:
    """(outcome, shares, error) of a reply's one Trade line (`BUY YES 25`; on a market of
    options `BUY B 25`); HOLD is (None, 0, None).

    Unreadable (no Trade line, several, another form, an outcome not in `outcomes`) is a hold
    with the error recorded.
    """
    lines = _TRADE_LINE.findall(text)
    if len(lines) != 1:
        return None, 0.0, f"{'no' if not lines else 'more than one'} Trade line"
    match = _trade_pattern(outcomes).match(lines[0].strip(" \t*_`"))
    if match is None:
        return None, 0.0, f"unreadable Trade line: {lines[0].strip()[:80]!r}"
    if match["hold"]:
        return None, 0.0, None
    outcome = next(o for o in outcomes if o.lower() == match["outcome"].lower())
    return outcome, float(match["shares"]), None


@functools.cache
def _trade_pattern(outcomes: tuple[Outcome, ...]) -> re.Pattern[str]:
    """The Trade line's form on a market of these outcomes."""
    return re.compile(_TRADE.format(outcomes="|".join(map(re.escape, outcomes))), re.IGNORECASE)


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
    multi_outcome=True,
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
    """K traders trade shares against a logarithmic-market-scoring-rule market maker.

    A share is YES or NO on a binary question, one per option on a question with K options.

    Roles `trader_1` ... `trader_K`, each else role `trader`, else the main model. Each round
    every trader, seeing the price, its cash and shares and the trades so far, states its belief
    (a judgment: p of the positive claim) and a trade; the round's trades are then priced in
    trader order, each a limit order at the trader's belief: cut to what its cash buys and to
    the shares that bring the price to its p (the traders of a round decide at the same price,
    so a later trade never overshoots its own belief). The market stops after `rounds`
    rounds, or once the price has moved less than `threshold` over the last `window` trades.
    Final p = the closing price; baseline = the mean of the traders' first beliefs (stated
    before any trade); the first beliefs' majority is the vote baseline. On a question with K
    options each trader states a probability per option and buys one option's shares
    (`BUY B 25`), a limit order at its probability of that option; the final forecast is the
    closing price per option, the baseline the mean first belief per option, the vote the
    majority of the options the first beliefs put highest. Calls per sample: traders x the
    rounds run, plus format retries.

    Args:
        traders: number of traders.
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
        proposition = run.proposition
        market = (
            Market(float(liquidity))
            if proposition.binary
            else Market.choice(float(liquidity), proposition.outcomes)
        )
        cash = dict.fromkeys((role for role, _ in roles), float(budget))
        shares = {role: dict.fromkeys(market.outcomes, 0.0) for role, _ in roles}
        note_prices(trajectory, market)
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
                    note_prices(trajectory, market)
            if round_no == 1:
                trajectory.baseline = mean_belief(beliefs)
                trajectory.baseline_votes = [
                    j.claim_side if market.binary else decide(j.probs) for j in beliefs
                ]
            if settled(trajectory.price_path or trajectory.price_vectors, threshold, window):
                trajectory.stop_reason = "converged"
                break
        return closing(market, len(trajectory.trades))

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
    as a whole says; on K options the option of the highest price), with a binary market's
    state for the simulated provider.
    """
    tag = RequestTag.of(
        "judgment",
        run.proposition,
        len(history),
        role=role,
        draw=round_no,
        shown_sides=[decide(market.quote)],
        market=MarketView(price=market.quote, liquidity=market.b, cash=cash),
    )
    block = market_block(market, cash, held, history)
    return run.judge(
        role,
        model=model,
        prompt=run.prompts["trader"],
        values={"market": block},
        tag=tag,
        also=TRADE_REMINDERS[market.binary],
    )


def execute(
    market: Market, role: str, round_no: int, belief: Judgment, cash: float
) -> tuple[Market, Trade]:
    """The market after `role`'s trade from `belief`'s Trade line, as a limit order at the
    trader's belief: cut to what `cash` buys and to the shares that move the price to the
    trader's own p (a trader never buys YES above its p, or NO below it; on K options, never
    an option above its probability). A trade with no readable belief is not made."""
    outcome, wanted, error = parse_trade(belief.raw, market.outcomes)
    stated = belief.forecast
    bought = 0.0
    if outcome is not None and stated is None:
        error = "no readable belief to limit the trade: held"
    elif outcome is not None and stated is not None:
        limit = market.shares_to(outcome, stated)
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
        price_before=market.quote,
        price_after=after.quote,
        belief=stated,
        reason=argument_text(belief.reasoning or "", 1, MAX_REASON_CHARS),
        error=error,
    )
    return after, trade


def market_block(market: Market, cash: float, held: dict[str, float], history: list[str]) -> str:
    """What a trader is shown of the market: the prices, its cash and shares, the trades."""
    earlier = len(history) - MAX_HISTORY
    listed = history[-MAX_HISTORY:]
    trades = numbered(listed) if listed else "none yet"
    skipped = f"({earlier} earlier trades not listed)\n" if earlier > 0 else ""
    if market.binary:
        price = market.price
        state = (
            f"Market price of YES (the market's probability that the POSITIVE claim is true): "
            f"{price:.3f}. A YES share costs about {price:.3f}, a NO share about "
            f"{1 - price:.3f}.\nYou hold {cash:.2f} cash, {held['yes']:.2f} YES shares and "
            f"{held['no']:.2f} NO shares."
        )
    else:
        owned = ", ".join(f"{outcome}: {held[outcome]:.2f}" for outcome in market.outcomes)
        state = (
            "Market prices (each the market's probability that the answer is the true one; "
            f"an answer's share costs about its price): {format_probs(market.prices)}.\n"
            f"You hold {cash:.2f} cash and these shares: {owned}."
        )
    return f"{state}\nTrades so far:\n{skipped}{trades}"


def trade_line(trade: Trade, rationales: bool) -> str:
    """A trade as the other traders are shown it (the price of the outcome bought)."""
    if trade.outcome is None:
        done = f"{trade.role} held"
    else:
        before, after = (_price(trade, quote) for quote in (trade.price_before, trade.price_after))
        done = (
            f"{trade.role} bought {trade.shares:.2f} {trade.outcome.upper()} shares "
            f"(price {before:.3f} -> {after:.3f})"
        )
    reason = f': "{trade.reason}"' if rationales and trade.reason else ""
    return f"Round {trade.round}, {done}{reason}"


def _price(trade: Trade, quote: Quote) -> float:
    """A trade's price as `trade_line` shows it: the YES price, else the option's bought."""
    if isinstance(quote, float | int):
        return quote
    return quote[LETTERS.index(str(trade.outcome))]


def note_prices(trajectory: TrajectoryData, market: Market) -> None:
    """Record the market's prices: the YES price (`price_path`), else the price per option."""
    if market.binary:
        trajectory.price_path.append(market.price)
    else:
        trajectory.price_vectors.append(market.prices)


def closing(market: Market, trades: int) -> Final:
    """The final forecast: the closing price (per option), and the decision it makes."""
    if market.binary:
        price = market.price
        text = f"Closing price {price:.4g} after {trades} trade(s)"
        return Final(price, decide(price), text)
    prices = market.prices
    text = f"Closing prices {format_probs(prices)} after {trades} trade(s)"
    return Final(None, decide(prices), text, prices)


def mean_belief(beliefs: list[Judgment]) -> Judgment:
    """The traders' mean readable belief (per option on K options) and majority claim, as one
    judgment (the baseline)."""
    mean = aggregate(beliefs)
    return Judgment(
        role="traders",
        claim_side=mean.claim_side,
        p=mean.p,
        probs=mean.probs,
        raw=f"Traders' first beliefs: {mean.text}",
    )


def settled(path: list[float] | list[list[float]], threshold: float, window: int) -> bool:
    """Whether the price (each option's, on K options) moved less than `threshold` over the
    last `window` trades."""
    if len(path) <= window:
        return False
    recent = [step if isinstance(step, list) else [step] for step in path[-window - 1 :]]
    return all(max(prices) - min(prices) < threshold for prices in zip(*recent, strict=True))
