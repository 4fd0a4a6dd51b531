"""The prediction market on questions with K options: the scoring rule over K outcomes, trade
lines with option letters, limit orders, and scripted traders on truthfulqa(format="mc")."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from inspect_ai.model import ChatMessage

from inspect_market.cli import main
from inspect_market.errors import InspectMarketError
from inspect_market.judgment import format_judgment
from inspect_market.lmsr import Market
from inspect_market.propositions import LETTERS
from inspect_market.requests import request_tag
from inspect_market.solvers.prediction_market import (
    TRADER_PROMPTS,
    execute,
    parse_trade,
    settled,
    trade_line,
)
from inspect_market.tasks import truthfulqa
from inspect_market.trajectory import Judgment

from .mocks import TQA_FIXTURE, metrics, recording, run_truthfulqa, score_of, stored

B = 100.0
E = math.exp(0.5)  # e^(50 / b): 50 shares of one option at b = 100


def test_the_k_outcome_scoring_rule_by_hand() -> None:
    market = Market.choice(B, 3)
    assert market.outcomes == ("A", "B", "C") and not market.binary
    assert market.prices == pytest.approx([1 / 3] * 3)
    assert market.cost() == pytest.approx(100 * math.log(3))  # 109.861
    # 50 shares of B: prices e^0.5 / (2 + e^0.5) = 0.4519 for B and 1 / (2 + e^0.5) = 0.2741,
    # at a cost of b ln((2 + e^0.5) / 3) = 19.5764
    after = market.bought("B", 50)
    assert after.prices == pytest.approx([0.274068, 0.451863, 0.274068], abs=1e-6)
    assert after.prices == pytest.approx([1 / (2 + E), E / (2 + E), 1 / (2 + E)])
    assert market.price_of("B", 50) == pytest.approx(19.5764, abs=1e-4)
    assert market.price_of("B", 50) == pytest.approx(100 * math.log((2 + E) / 3))
    assert math.fsum(after.prices) == pytest.approx(1.0)
    # B from 1/3 to 0.6 takes b (logit 0.6 + ln 2) = b ln 3 = 109.86 shares, costing b ln(5/3)
    belief = [0.2, 0.6, 0.2]
    shares = market.shares_to("B", belief)
    assert shares == pytest.approx(100 * math.log(3))
    assert market.price_of("B", shares) == pytest.approx(100 * math.log(5 / 3))  # 51.08
    assert market.bought("B", shares).prices == pytest.approx(belief)
    assert market.shares_to("A", belief) == 0  # A's price 1/3 is past its belief 0.2
    # 100 cash buys b ln(3e - 2) = 181.72 B shares: B's price then 1 - 2 / (3e) = 0.7547
    bought = market.affordable("B", 100.0)
    assert bought == pytest.approx(100 * math.log(3 * math.e - 2))
    assert market.price_of("B", bought) == pytest.approx(100.0)
    assert market.bought("B", bought).prices[1] == pytest.approx(1 - 2 / (3 * math.e))


def test_a_binary_market_is_a_two_outcome_market() -> None:
    binary, two = Market(B), Market.choice(B, 2)
    for (yes, no), shares in ((("yes", "no"), 30.0), (("no", "yes"), 70.0)):
        option = {"yes": "A", "no": "B"}
        binary, two = binary.bought(yes, shares), two.bought(option[yes], shares)
        assert binary.price == pytest.approx(two.prices[0])
        assert binary.prices == pytest.approx(two.prices[::-1])  # (NO, YES) vs (A, B)
        assert binary.cost() == pytest.approx(two.cost())
        assert binary.affordable(no, 25.0) == pytest.approx(two.affordable(option[no], 25.0))
        p = binary.price + 0.1
        assert binary.shares_to("yes", p) == pytest.approx(two.shares_to("A", [p, 1 - p]))


def test_a_market_refuses_another_markets_outcomes_and_beliefs() -> None:
    with pytest.raises(ValueError, match="not an outcome"):
        Market(B).bought("A", 1.0)
    with pytest.raises(ValueError, match="not an outcome"):
        Market.choice(B, 3).bought("D", 1.0)
    with pytest.raises(ValueError, match="price per option"):
        Market.choice(B, 3).shares_to("A", 0.5)
    with pytest.raises(ValueError, match="price per option"):
        Market(B).shares_to("yes", [0.5, 0.5])
    with pytest.raises(ValueError, match="of 3, not 2"):
        Market.choice(B, 3).shares_to("A", [0.5, 0.5])
    with pytest.raises(ValueError, match="price per option"):
        _ = Market.choice(B, 3).price
    with pytest.raises(ValueError, match="2 to 26 options"):
        Market.choice(B, 1)
    with pytest.raises(ValueError, match="not both"):
        Market(B, 1.0, q_options=(0.0, 0.0))


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Trade: BUY B 25", ("B", 25.0, None)),
        ("**Trade:** buy c 3 shares.", ("C", 3.0, None)),
        ("Trade: BUY A and 40", ("A", 40.0, None)),
        ("Trade: HOLD", (None, 0.0, None)),
        ("Trade: BUY D 10", (None, 0.0, "unreadable Trade line: 'BUY D 10'")),
        ("Trade: BUY YES 10", (None, 0.0, "unreadable Trade line: 'BUY YES 10'")),
        ("Trade: BUY A 10, BUY B 5", (None, 0.0, "unreadable Trade line: 'BUY A 10, BUY B 5'")),
        ("Trade: BUY A 10\nTrade: BUY B 5", (None, 0.0, "more than one Trade line")),
    ],
)
def test_k_outcome_trade_lines(reply: str, expected: tuple[object, float, str | None]) -> None:
    assert parse_trade(f"Final Prediction: A: 0.2, B: 0.5, C: 0.3\n{reply}", ("A", "B", "C")) == (
        expected
    )


def belief(probs: list[float] | None, trade: str) -> Judgment:
    return Judgment(role="trader_1", probs=probs, raw=f"Reasoning: r.\nTrade: {trade}")


def test_a_k_outcome_trade_is_a_limit_order_within_the_cash() -> None:
    market = Market.choice(B, 3)
    # the belief 0.9 on A would take 100 (ln 9 + ln 2) = 289 shares; 20 cash buys
    # b ln(3 e^0.2 - 2) = 50.93
    after, trade = execute(market, "trader_1", 1, belief([0.9, 0.05, 0.05], "BUY A 500"), 20.0)
    assert trade.outcome == "A" and trade.cost == pytest.approx(20.0)
    assert trade.shares == pytest.approx(100 * math.log(3 * math.exp(0.2) - 2))
    assert trade.error == "cut from 500 to the 50.93 shares that the cash buys"
    assert trade.price_before == pytest.approx([1 / 3] * 3)
    assert trade.price_after == pytest.approx(after.prices) and trade.belief == [0.9, 0.05, 0.05]
    # an option already priced above the trader's belief is not bought
    _, trade = execute(market, "trader_1", 1, belief([0.2, 0.6, 0.2], "BUY C 5"), 20.0)
    assert trade.outcome is None and trade.shares == 0 and trade.cost == 0
    assert trade.error == "cut from 5 to the 0 shares that reach the trader's belief"
    # no readable belief: no trade
    _, trade = execute(market, "trader_1", 1, belief(None, "BUY A 5"), 20.0)
    assert trade.outcome is None and trade.error == "no readable belief to limit the trade: held"


def test_a_k_outcome_market_settles_when_every_price_is_still() -> None:
    still = [[0.5, 0.3, 0.2]] * 4
    assert settled(still, 0.01, 3)
    assert not settled([*still[:3], [0.5, 0.28, 0.22]], 0.01, 3)  # B and C moved
    assert not settled(still[:3], 0.01, 3)  # fewer trades than the window


# Scripted traders, by the number of options: their beliefs and one trade each.
BELIEFS = {
    3: ([0.6, 0.2, 0.2], [0.2, 0.5, 0.3], [0.45, 0.35, 0.2]),
    2: ([0.6, 0.4], [0.3, 0.7], [0.55, 0.45]),
}
TRADES = ("BUY A 200", "BUY B 50", "HOLD")


def trader(number: int, malformed_first: bool = False) -> object:
    """Trader `number` (0-based): its belief for the question's options and its trade; with
    `malformed_first`, a first reply whose probabilities do not sum to 1 (then re-asked)."""

    def script(messages: list[ChatMessage]) -> str:
        tag = request_tag(messages)
        assert tag is not None and tag.market is not None and tag.positive_claim == ""
        probs = BELIEFS[tag.options][number]
        claim = f"answer {LETTERS[probs.index(max(probs))]} is the true answer"
        if malformed_first and "could not be read" not in messages[-1].text:
            probs = [q + 0.2 for q in probs]
        return f"{format_judgment('Because.', claim, probs)}\nTrade: {TRADES[number]}"

    return script


def by_hand(options: int, label: int) -> dict[str, float | int]:
    """The score keys of the scripted one-round market, computed from the formulas.

    trader_1 buys A up to its belief 0.6: b (logit 0.6 + ln(K - 1)) shares (K = 3: b ln 3;
    K = 2: b ln 1.5), after which the options' weights e^(q/b) are (3, 1, 1) or (1.5, 1);
    trader_2's 50 shares of B (within its limit) multiply B's weight by e^0.5; trader_3 holds.
    """
    shares = B * math.log(1.5 * (options - 1))
    weights = [1.5 * (options - 1)] + [1.0] * (options - 1)
    cost_1 = B * math.log(sum(weights) / options)
    moved = [weights[0], E, *weights[2:]]
    cost_2 = B * math.log(sum(moved) / sum(weights))
    closing = [w / sum(moved) for w in moved]
    mean = [math.fsum(column) / 3 for column in zip(*BELIEFS[options], strict=True)]
    return {
        **{f"final_p_{LETTERS[k]}": q for k, q in enumerate(closing)},
        **{f"baseline_p_{LETTERS[k]}": q for k, q in enumerate(mean)},
        "trader_1_profit": shares * (label == 0) - cost_1,
        "trader_2_profit": 50 * (label == 1) - cost_2,
        "trader_3_profit": 0.0,
        "trader_1_first_correct": int(label == 0),
        "trader_2_first_correct": int(label == 1),
        "trader_3_first_correct": int(label == 0),
        "vote_baseline_correct": int(label == 0),  # the first beliefs put A, B, A highest
        "final_correct": int(closing.index(max(closing)) == label),
        "baseline_correct": int(mean.index(max(mean)) == label),
    }


def test_scripted_traders_on_k_option_questions(tmp_path: Path) -> None:
    t1, c1 = recording(trader(0))
    t2, _ = recording(trader(1))
    t3, c3 = recording(trader(2, malformed_first=True))
    log = run_truthfulqa(
        tmp_path,
        {"trader_1": t1, "trader_2": t2, "trader_3": t3},
        limit=4,
        format="mc",
        solver="prediction_market",
        rounds=1,
    )
    assert log.samples is not None and len(log.samples) == 4
    # the fixture's questions: three with 3 options (true C, B, A), one with 2 (true B)
    shapes = [(score_of(s)["options"], score_of(s)["label"]) for s in log.samples]
    assert shapes == [(3, 2), (3, 1), (3, 0), (2, 1)]
    for sample, (options, label) in zip(log.samples, shapes, strict=True):
        score = score_of(sample)
        for key, want in by_hand(options, label).items():
            assert score[key] == pytest.approx(want), (options, label, key)
        assert "trader_1_profit" in score and "final_p" not in score
        assert score["format_retries"] == 1  # trader_3's first reply was re-asked
        trades = stored(sample, "trades")
        assert [t.get("outcome") for t in trades] == ["A", "B", None]  # None is not logged
        assert trades[0]["shares"] == pytest.approx(B * math.log(1.5 * (options - 1)))
        assert "reach the trader's belief" in trades[0]["error"]
        assert trades[1]["shares"] == 50 and "error" not in trades[1]
        assert trades[1]["belief"] == BELIEFS[options][1]
        vectors = stored(sample, "price_vectors")
        assert len(vectors) == 4 and vectors[0] == pytest.approx([1 / options] * options)
        assert vectors[1][0] == pytest.approx(0.6) and vectors[3] == vectors[2]
        assert trades[1]["price_before"] == vectors[1] and trades[1]["price_after"] == vectors[2]
        assert stored(sample, "price_path") == []
        assert sample.output.completion.startswith("Closing prices A: ")
    # every trader was shown the prices per option and its shares of each
    [request] = [call[0][-1].text for call in c1 if "Answer C:" in call[0][-1].text][:1]
    assert "Market prices" in request and "A: 0.333, B: 0.333, C: 0.333" in request
    assert "these shares: A: 0.00, B: 0.00, C: 0.00" in request and "none yet" in request
    assert "Trade: BUY B 40" in c1[0][0][0].text  # the system message asks for a trade line
    reasked = [call for call in c3 if "could not be read" in call[0][-1].text]
    # the re-ask asks for the Trade line too, not only the judgment's three lines
    assert all("exactly four labelled lines" in call[0][-1].text for call in reasked)
    assert all("then Trade (BUY, an answer's letter" in call[0][-1].text for call in reasked)
    assert len(c3) == 8 and len(reasked) == 4  # once per question
    m = metrics(log)
    # first beliefs right: trader_1 and trader_3 on the third question, trader_2 on two
    assert m["best_single_trader_accuracy"] == 0.5 and m["vote_baseline_accuracy"] == 0.25
    assert m["final_accuracy"] == 0.5 and m["baseline_accuracy"] == 0.5
    profit_1 = [by_hand(o, label)["trader_1_profit"] for o, label in shapes]
    assert m["trader_1_mean_profit"] == pytest.approx(sum(profit_1) / 4)
    # the report's price paths: the price of the true option, per sample and on average
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "report")]) == 0
    paths = pd.read_csv(tmp_path / "report" / "price_paths.csv")
    assert set(paths["task"]) == {"truthfulqa_mc"}
    true = [
        [prices[label] for prices in stored(sample, "price_vectors")]
        for sample, (_, label) in zip(log.samples, shapes, strict=True)
    ]
    mean = paths[paths["path"] == "mean"].sort_values("trade")["price"].tolist()
    assert mean == pytest.approx([sum(step) / 4 for step in zip(*true, strict=True)])
    first = paths[paths["path"] == f"sample {log.samples[0].id}"].sort_values("trade")
    assert first["price"].tolist() == pytest.approx(true[0])


def test_a_k_outcome_trade_is_shown_at_the_price_of_the_option_bought() -> None:
    market = Market.choice(B, 3)
    _, trade = execute(market, "trader_2", 1, belief([0.2, 0.5, 0.3], "BUY B 50"), 100.0)
    shown = trade_line(trade, rationales=False)
    assert shown == f"Round 1, trader_2 bought 50.00 B shares (price 0.333 -> {E / (2 + E):.3f})"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ({"prompts": "paper"}, "no multi-outcome version"),
        ({"trader_template": "{question} {positive_claim} {negative_claim} {market}"}, "no multi"),
    ],
)
def test_binary_only_trader_prompts_are_refused_on_k_options(
    args: dict[str, str], error: str
) -> None:
    with pytest.raises(InspectMarketError, match=error):
        truthfulqa(data_path=str(TQA_FIXTURE), format="mc", solver="prediction_market", **args)


def test_the_k_outcome_trader_prompt_is_registered_for_the_suite_set() -> None:
    from inspect_market.solvers.choice import choice_prompts

    [prompt] = choice_prompts({"trader": TRADER_PROMPTS["suite"]}).values()
    assert prompt.spec.role == "choice_market_trader" and prompt.system is not None
    assert "exactly four labelled lines" in prompt.system and "BUY B 40" in prompt.system


@pytest.mark.parametrize("trade", ["Trade: BUY A 200", "**Trade:** BUY A 200", "__Trade__: HOLD"])
def test_a_trade_line_ends_a_k_outcome_prediction(trade: str) -> None:
    from inspect_market.judgment import parse_judgment
    from inspect_market.propositions import Proposition

    three = Proposition.choice("q", ("answer A", "answer B", "answer C"))
    reply = f"Claim: answer A\nFinal Prediction: A: 0.6, B: 0.2, C: 0.2\n{trade}"
    parsed = parse_judgment(reply, three)
    assert parsed.probs == pytest.approx([0.6, 0.2, 0.2]) and parsed.error is None
    # in the prediction itself, another number is refused as before
    assert not parse_judgment(reply.replace(f"\n{trade}", " BUY A 200"), three).ok
