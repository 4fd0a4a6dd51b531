"""The prediction market: trade lines, the scoring rule, scripted traders, and the simulated world
played through Inspect against the same market simulated directly."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from inspect_ai import eval
from inspect_ai.model import ChatMessage

from inspect_market.errors import InspectMarketError
from inspect_market.lmsr import Market
from inspect_market.solvers import create_protocol
from inspect_market.solvers.prediction_market import parse_trade
from inspect_market.world import Agent
from inspect_market.world.market import market_eval_args, simulate_market
from tests.mocks import NEG_B, POS_A, TQA_FIXTURE, judgment, metrics, recording, run, stored
from tests.test_synthetic import SLOW


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Trade: BUY YES 12.5", ("yes", 12.5, None)),
        ("**Trade:** buy no 3 shares.", ("no", 3.0, None)),
        ("Trade: HOLD", (None, 0.0, None)),
        ("Trade: BUY NO and 40", ("no", 40.0, None)),  # as a 1.5B model writes it
        ("Trade: buy maybe 3", (None, 0.0, "unreadable Trade line: 'buy maybe 3'")),
        ("Trade: BUY YES 1-2", (None, 0.0, "unreadable Trade line: 'BUY YES 1-2'")),
        ("no trade here", (None, 0.0, "no Trade line")),
        ("Trade: HOLD\nTrade: BUY YES 1", (None, 0.0, "more than one Trade line")),
    ],
)
def test_trade_lines(reply: str, expected: tuple[object, float, str | None]) -> None:
    assert parse_trade(f"Final Prediction: 0.7\n{reply}") == expected


def test_the_scoring_rule_by_hand() -> None:
    market = Market(100.0)
    assert market.price == 0.5 and market.cost() == pytest.approx(100 * math.log(2))
    # moving YES from 0.5 to 0.8 takes b ln(0.8/0.2) = 138.63 shares and costs b ln(0.5/0.2)
    shares = market.shares_to("yes", 0.8)
    assert shares == pytest.approx(100 * math.log(4))
    assert market.price_of("yes", shares) == pytest.approx(100 * math.log(2.5))
    assert market.bought("yes", shares).price == pytest.approx(0.8)
    # 100 cash buys the shares that take the price to 1 - 0.5 e^(-1) = 0.8161
    bought = market.affordable("yes", 100.0)
    assert market.price_of("yes", bought) == pytest.approx(100.0)
    assert market.bought("yes", bought).price == pytest.approx(1 - 0.5 * math.exp(-1))
    # NO is YES mirrored
    assert market.affordable("no", 100.0) == pytest.approx(bought)
    assert market.bought("no", bought).price == pytest.approx(0.5 * math.exp(-1))


def trader_script(p: float, trade: str) -> object:
    def script(messages: list[ChatMessage]) -> str:
        return f"{judgment(p, POS_A if p > 0.5 else NEG_B)}\nTrade: {trade}"

    return script


def test_scripted_traders_trade_as_limit_orders_and_are_settled(tmp_path: Path) -> None:
    # trader_1 buys 200 YES (a limit order at its belief 0.8: 138.63 shares fill);
    # trader_2 asks for 50 NO at 0.4; trader_3 holds. One round.
    t1, c1 = recording(trader_script(0.8, "BUY YES 200"))
    t2, _ = recording(trader_script(0.4, "BUY NO 50"))
    t3, _ = recording(trader_script(0.6, "HOLD"))
    log = run(
        "inspect_market/truthfulqa",
        {"trader_1": t1, "trader_2": t2, "trader_3": t3},
        tmp_path,
        task_args={"data_path": str(TQA_FIXTURE), "solver": "prediction_market", "rounds": 1},
        limit=1,
    )
    assert log.status == "success", log.error
    sample = log.samples[0]  # type: ignore[index]
    trades = stored(sample, "trades")
    assert [t.get("outcome") for t in trades] == ["yes", "no", None]  # None is not logged
    assert trades[0]["shares"] == pytest.approx(100 * math.log(4))
    assert "reach the trader's belief" in trades[0]["error"]
    assert trades[1]["shares"] == 50
    path = stored(sample, "price_path")
    assert path[0] == 0.5 and path[1] == pytest.approx(0.8)
    expected = 1 / (1 + math.exp(-(100 * math.log(4) - 50) / 100))
    assert path[2] == pytest.approx(expected) and path[3] == path[2]
    assert "Market price of YES" in c1[0][0][-1].text and "none yet" in c1[0][0][-1].text
    score = sample.scores["trajectory_scorer"].value  # type: ignore[index]
    label = score["label"]
    # baseline: the mean first belief (0.8 + 0.4 + 0.6) / 3 = 0.6; final: the closing price
    assert score["baseline_p"] == pytest.approx(0.6) and score["final_p"] == pytest.approx(path[-1])
    yes_cost = trades[0]["cost"]
    assert score["trader_1_profit"] == pytest.approx(
        (trades[0]["shares"] if label else 0) - yes_cost
    )
    assert score["trader_3_profit"] == 0
    assert [score[f"trader_{k}_first_correct"] for k in (1, 2, 3)] == [label, 1 - label, label]
    m = metrics(log)
    assert m["trader_1_mean_profit"] == pytest.approx(score["trader_1_profit"])
    assert m["best_single_trader_accuracy"] == 1 and "vote_baseline_accuracy" in m
    assert log.eval.tags == ["prediction_market"]


def test_bad_market_parameters_fail_before_any_call() -> None:
    with pytest.raises(InspectMarketError, match="liquidity must be a finite number"):
        create_protocol("prediction_market", liquidity=0)
    with pytest.raises(InspectMarketError, match="rationales must be true or false"):
        create_protocol("prediction_market", rationales="yes")


SETTINGS = {
    "none": [Agent(0.0, 0.5)] * 3,
    "one": [Agent(0.9, 0.5), Agent(0.0, 0.5), Agent(0.0, 0.5)],
    "three": [Agent(0.9, 0.5)] * 3,
}


def test_the_direct_market_has_galanis_shape() -> None:
    """Closing accuracy about 0.5 with no informed trader, rising with one, >= 0.85 with three."""
    final = {name: float(np.mean(simulate_market(20_000, 1, t)[1])) for name, t in SETTINGS.items()}
    assert abs(final["none"] - 0.5) < 0.02
    assert final["one"] > final["none"] + 0.2
    assert final["three"] >= 0.85


def eval_against_direct(tmp_path: Path, n: int) -> None:
    for name, traders in SETTINGS.items():
        want_b, want_f = (float(np.mean(a)) for a in simulate_market(50_000, 2, traders))
        [log] = eval(**market_eval_args(traders, n, world_seed=7), log_dir=str(tmp_path / name))
        assert log.status == "success", log.error
        m = metrics(log)
        for got, want in ((m["baseline_accuracy"], want_b), (m["final_accuracy"], want_f)):
            se = math.sqrt(max(want * (1 - want), 1 / n) / n)
            assert abs(got - want) <= 3 * se, (name, got, want)


def test_the_eval_plays_the_direct_market(tmp_path: Path) -> None:
    eval_against_direct(tmp_path, 200)


@pytest.mark.slow
@SLOW
def test_the_eval_plays_the_direct_market_at_2000_items(tmp_path: Path) -> None:
    eval_against_direct(tmp_path, 2000)


@pytest.mark.parametrize("prompts", ["suite", "paper"])
def test_both_prompt_sets_show_the_market_and_ask_for_a_trade(tmp_path: Path, prompts: str) -> None:
    trader, calls = recording(trader_script(0.7, "BUY YES 10"))
    log = run(
        "inspect_market/truthfulqa",
        {"trader": trader},
        tmp_path,
        task_args={
            "data_path": str(TQA_FIXTURE),
            "solver": "prediction_market",
            "traders": 2,
            "rounds": 2,
            "rationales": True,
            "prompts": prompts,
        },
        limit=1,
    )
    assert log.status == "success", log.error
    request = calls[-1][0][-1].text
    assert "Market price of YES" in request and "Trade" in request
    # round 2 shows round 1's trades, with the traders' reasons
    assert "Round 1, trader_1 bought" in request and '"Because of the evidence."' in request
    assert stored(log.samples[0], "prompts") == prompts  # type: ignore[index]


def test_a_trader_template_without_the_market_is_refused() -> None:
    with pytest.raises(InspectMarketError, match=r"lacks required placeholder\(s\) \{market\}"):
        create_protocol(
            "prediction_market",
            trader_template="{question} {positive_claim} {negative_claim}",
        )


def test_the_report_draws_price_paths_per_configuration(tmp_path: Path) -> None:
    from inspect_market.cli import main

    for informed, traders in (("one", SETTINGS["one"]), ("three", SETTINGS["three"])):
        [log] = eval(**market_eval_args(traders, 8, world_seed=3), log_dir=str(tmp_path / informed))
        assert log.status == "success", log.error
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "report")]) == 0
    paths = pd.read_csv(tmp_path / "report" / "price_paths.csv")
    # two configurations (the traders' skills differ), each a mean path and 5 sample paths
    assert paths.groupby("variant")["path"].nunique().tolist() == [6, 6]
    first = paths[(paths["path"] != "mean") & (paths["trade"] == 0)]
    assert (first["price"] == 0.5).all()
    assert "price_paths.png" in (tmp_path / "report" / "index.md").read_text()
