"""The simulated world on items with K options: the items, the agents and the expected values."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import ChatMessage, GenerateConfig, ModelOutput

from inspect_market.errors import InspectMarketError
from inspect_market.judgment import decide, parse_judgment
from inspect_market.propositions import LETTERS, Proposition
from inspect_market.providers.simulated import SimulatedModelAPI, trade_toward
from inspect_market.requests import MarketView, RequestTag, reply_side, tagged_request
from inspect_market.tasks.synthetic import record_to_sample, synthetic, synthetic_dataset
from inspect_market.world import EXAMPLE_SETTINGS, Agent, WorldSettings, eval_args, expected
from inspect_market.world.direct import simulate
from inspect_market.world.market import market_eval_args, simulate_market
from inspect_market.world.rules import GUESS_P, KNOWN_P, LEAN_P, item_key, option_probs, truth

from .test_synthetic import Expectation, assert_within_3_se, world_metrics

K = 3
N = 1500


def prop(i: int, options: int = K) -> Proposition:
    sample = record_to_sample({"index": i, "world_seed": 5, "options": options})
    assert sample.metadata is not None
    return Proposition.from_sample(str(sample.input), sample.metadata)


def true_option(i: int, options: int = K) -> int:
    return truth(item_key(5, i), options)


def ask(api: SimulatedModelAPI, kind: str, i: int, options: int = K, **details: Any) -> ModelOutput:
    tag = RequestTag.of(kind, prop(i, options), **details)  # type: ignore[arg-type]
    messages: list[ChatMessage] = [tagged_request("Whatever the template says.", tag)]
    return asyncio.run(api.generate(messages, [], "none", GenerateConfig()))


def judged(api: SimulatedModelAPI, i: int, options: int = K, **details: Any) -> tuple[float, ...]:
    """The probability per option of the agent's judgment (its claim names their top option)."""
    parsed = parse_judgment(
        ask(api, "judgment", i, options, **details).completion, prop(i, options)
    )
    assert parsed.ok and parsed.probs is not None
    assert parsed.claim_side == decide(parsed.probs)
    return parsed.probs


def test_k_option_items_have_a_uniform_true_option_fixed_by_the_key() -> None:
    sample = record_to_sample({"index": 7, "world_seed": 3, "options": 4})
    assert sample.target == LETTERS[truth(item_key(3, 7), 4)]
    assert sample.choices is not None and len(sample.choices) == 4
    assert sample.metadata is not None and sample.metadata["item_key"] == "3:7"
    targets = [str(s.target) for s in synthetic_dataset(3000, 3, K)]
    assert set(Counter(targets).values()) == pytest.approx([1000] * K, abs=80)  # type: ignore[arg-type]
    assert targets != [str(s.target) for s in synthetic_dataset(3000, 4, K)]
    # binary items are unchanged by the K-option rule
    assert [truth(item_key(3, i), 0) for i in range(50)] == [
        truth(item_key(3, i)) for i in range(50)
    ]


@pytest.mark.parametrize("options", [1, 27, -1, True, 3.0, "3"])
def test_bad_options_are_refused_in_one_line(options: object) -> None:
    with pytest.raises(InspectMarketError, match="options must be 0") as caught:
        synthetic(options=options)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


def test_a_binary_only_protocol_is_refused_on_k_options() -> None:
    with pytest.raises(InspectMarketError, match="binary questions only"):
        synthetic(options=K, solver="debate")


@pytest.mark.parametrize("options", [K, 26])
def test_a_knowing_agent_names_the_true_option_an_unknowing_one_guesses(options: int) -> None:
    api = SimulatedModelAPI("m", skill=0.3, seed=2)
    results = [judged(api, i, options, role="market_maker") for i in range(N)]
    top = [max(probs) for probs in results]
    knowing = [q == pytest.approx(option_probs(0, options, KNOWN_P)[0], abs=1e-3) for q in top]
    assert sum(knowing) / N == pytest.approx(0.3, abs=0.04)
    right = [decide(probs) == true_option(i, options) for i, probs in enumerate(results)]
    assert all(r for r, k in zip(right, knowing, strict=True) if k)
    guessed = [r for r, k in zip(right, knowing, strict=True) if not k]
    assert sum(guessed) / len(guessed) == pytest.approx(1 / options, abs=0.04)
    picks = Counter(decide(p) for p, k in zip(results, knowing, strict=True) if not k)
    assert len(picks) == options and max(picks.values()) < 2 * len(guessed) / options
    guess_top = option_probs(0, options, GUESS_P)[0]
    assert all(
        q == pytest.approx(guess_top, abs=1e-3) for q, k in zip(top, knowing, strict=True) if not k
    )


def test_an_unknowing_judge_follows_the_option_most_arguments_support() -> None:
    api = SimulatedModelAPI("m", skill=0.0, persuadability=0.7, seed=1)
    lean = option_probs(2, K, LEAN_P)
    follows = [judged(api, i, evidence=3, shown_sides=[2, 0, 2]) for i in range(N)]
    assert sum(probs == pytest.approx(lean, abs=1e-3) for probs in follows) / N == pytest.approx(
        0.7, abs=0.04
    )
    # no option alone the most supported (a tie, or sides unknown): it guesses
    for sides in ([0, 2], [1, 0, 2], [None], []):
        tops = {
            round(max(judged(api, i, evidence=len(sides), shown_sides=sides)), 3)
            for i in range(100)
        }
        assert tops == {round(option_probs(0, K, GUESS_P)[0], 3)}


@pytest.mark.parametrize(("stance", "shift"), [("honest", 0), ("adversarial", 1)])
def test_a_knowing_trader_argues_an_option_by_its_stance_and_declares_it(
    stance: str, shift: int
) -> None:
    api = SimulatedModelAPI("m", skill=1.0)
    for i in range(60):
        output = ask(api, "argument", i, role="trader", stance=stance, round=1)
        option = reply_side(output)
        assert option == (true_option(i) + shift) % K
        assert prop(i).claim(option) in output.completion


def test_unknowing_arguers_argue_a_random_option_a_contrarian_the_one_it_is_told() -> None:
    api = SimulatedModelAPI("m", skill=0.0)
    options = [reply_side(ask(api, "argument", i, 5, role="trader", round=1)) for i in range(N)]
    assert set(Counter(options).values()) == pytest.approx([N / 5] * 5, abs=60)  # type: ignore[arg-type]
    told = [
        reply_side(ask(api, "argument", i, role="trader", stance="contrarian", side=i % K))
        for i in range(30)
    ]
    assert told == [i % K for i in range(30)]


def test_closed_form_by_hand_and_the_direct_simulation_agrees() -> None:
    settings = WorldSettings(Agent(skill=0.4))
    assert expected("single_shot", settings, 4) == pytest.approx((0.55, 0.55))
    assert expected("single_shot", settings, 0) == pytest.approx((0.7, 0.7))
    n = 200_000
    for options in (2, 3, 7):
        base, final = simulate("single_shot", n, 3, settings, options)
        want = 0.4 + 0.6 / options
        assert abs(base.mean() - want) <= 3 * math.sqrt(want * (1 - want) / n)
        assert (base == final).all()
    with pytest.raises(InspectMarketError, match="on 3 options"):
        simulate("debate", 10, 0, settings, 3)
    for bad in (1, 27):
        with pytest.raises(InspectMarketError, match="options must be 0"):
            simulate("single_shot", 10, 0, settings, bad)
        with pytest.raises(InspectMarketError, match="options must be 0"):
            simulate_market(10, 0, [Agent()], options=bad)


@pytest.mark.parametrize("setting", sorted(EXAMPLE_SETTINGS))
@pytest.mark.parametrize("options", [2, 3, 5])
def test_market_making_on_k_options_direct_simulation_matches_the_closed_form(
    setting: str, options: int
) -> None:
    n = 100_000
    base, final = simulate("market_making", n, 11, EXAMPLE_SETTINGS[setting], options)
    for got, want in zip(
        (base, final), expected("market_making", EXAMPLE_SETTINGS[setting], options), strict=True
    ):
        assert abs(got.mean() - want) <= 3 * got.std() / math.sqrt(n) + 1e-9, (got.mean(), want)


def test_market_making_closed_form_on_k_options_by_hand() -> None:
    # final = s + (1 - s)(1/K + pi * gain): gain h (K - 1)/K honest, -h/K adversarial
    informed, adversarial = EXAMPLE_SETTINGS["informed"], EXAMPLE_SETTINGS["adversarial"]
    assert expected("market_making", informed, 3)[1] == pytest.approx(
        0.3 + 0.7 * (1 / 3 + 0.8 * 0.6)
    )
    assert expected("market_making", adversarial, 3)[1] == pytest.approx(
        0.3 + 0.7 * (1 / 3 - 0.8 * 0.3)
    )
    assert expected("market_making", informed, 2) == expected("market_making", informed, 0)


def test_self_consistency_on_k_options_counts_a_tied_majority_wrong() -> None:
    """Five guesses of 3 options tie 2-2-1 with probability 90/243; such an item is wrong."""
    base, final = simulate("self_consistency", 200_000, 4, WorldSettings(Agent()), K)
    assert base.mean() == pytest.approx(1 / K, abs=0.005)
    assert final.mean() == pytest.approx((1 - 90 / 243) / K, abs=0.005)


def run(protocol: str, n: int, tmp_path: Path) -> dict[str, float]:
    args = eval_args(protocol, EXAMPLE_SETTINGS["equal"], n, world_seed=1, options=K)
    return world_metrics(args, tmp_path)


def simulated_expectation(protocol: str) -> Expectation:
    n = 200_000
    base, final = simulate(protocol, n, 12345, EXAMPLE_SETTINGS["equal"], K)
    return {
        key: (float(x.mean()), float(x.std()) / math.sqrt(n))
        for key, x in [
            ("baseline_accuracy", base),
            ("final_accuracy", final),
            ("net_gain", final - base),
        ]
    }


def test_single_shot_eval_on_3_options_matches_the_closed_form(tmp_path: Path) -> None:
    metrics = run("single_shot", 200, tmp_path)
    accuracy, _ = expected("single_shot", EXAMPLE_SETTINGS["equal"], K)
    assert_within_3_se(
        metrics, {"baseline_accuracy": (accuracy, 0.0), "final_accuracy": (accuracy, 0.0)}
    )
    assert metrics["parse_failure_rate"] == 0 and metrics["claim_consistency_rate"] == 1


def test_self_consistency_eval_on_3_options_matches_the_direct_simulation(tmp_path: Path) -> None:
    metrics = run("self_consistency", 200, tmp_path)
    assert_within_3_se(metrics, simulated_expectation("self_consistency"))
    assert metrics["parse_failure_rate"] == 0


@pytest.mark.parametrize("setting", ["informed", "adversarial"])
def test_market_making_eval_on_3_options_matches_the_closed_form(
    setting: str, tmp_path: Path
) -> None:
    args = eval_args("market_making", EXAMPLE_SETTINGS[setting], 300, world_seed=1, options=K)
    metrics = world_metrics(args, tmp_path)
    baseline, final = expected("market_making", EXAMPLE_SETTINGS[setting], K)
    want = {
        "baseline_accuracy": (baseline, 0.0),
        "final_accuracy": (final, 0.0),
        "net_gain": (final - baseline, 0.0),
    }
    assert_within_3_se(metrics, want)


def k_market(b: float, q: list[float]) -> list[float]:
    """A K-outcome LMSR market's prices at shares q (the softmax of q / b)."""
    weights = [math.exp(x / b) for x in q]
    return [w / sum(weights) for w in weights]


@pytest.mark.parametrize("cash", [1000.0, 20.0])
def test_a_trader_on_k_options_buys_the_option_most_under_its_belief(cash: float) -> None:
    b, q = 100.0, [30.0, 0.0, -10.0]
    prices = k_market(b, q)
    belief = option_probs(1, K, KNOWN_P)
    line = trade_toward(belief, MarketView(price=prices, liquidity=b, cash=cash))
    verb, option, shares = line.split()
    assert (verb, option) == ("BUY", "B")
    after = k_market(b, [q[0], q[1] + float(shares), q[2]])
    spent = b * math.log(
        sum(math.exp(x / b) for x in [q[0], q[1] + float(shares), q[2]])
    ) - b * math.log(sum(math.exp(x / b) for x in q))
    if cash > 100:  # enough cash: the option's price reaches the belief
        assert after[1] == pytest.approx(belief[1], abs=1e-5) and spent < cash
    else:  # cut to what the cash buys
        assert spent == pytest.approx(cash, rel=1e-5) and after[1] < belief[1]
    assert trade_toward(tuple(prices), MarketView(price=prices, liquidity=b, cash=cash)) == "HOLD"
    with pytest.raises(ValueError, match="both binary or both per option"):
        trade_toward(0.7, MarketView(price=prices, liquidity=b, cash=cash))


def test_a_binary_market_is_the_market_of_two_options_and_k_beliefs_are_read_by_hand() -> None:
    traders = [Agent(0.3, 0.8), Agent(0.9, 0.5)]
    binary, two = simulate_market(5000, 1, traders), simulate_market(5000, 1, traders, options=2)
    assert all((x == y).all() for x, y in zip(binary, two, strict=True))
    # three guessers of 3 options: their mean belief picks the true option alone when two or
    # three guesses agree on it (probability 7/27)
    base, _ = simulate_market(200_000, 2, [Agent()] * 3, options=K)
    assert base.mean() == pytest.approx(7 / 27, abs=0.005)


@pytest.mark.parametrize("skills", [(0.0, 0.0, 0.0), (0.9, 0.3, 0.3)])
def test_prediction_market_eval_on_3_options_plays_the_direct_market(
    skills: tuple[float, ...], tmp_path: Path
) -> None:
    traders = [Agent(skill, 0.8) for skill in skills]
    metrics = world_metrics(market_eval_args(traders, 200, 1, options=K), tmp_path)
    assert any(v for key, v in metrics.items() if key.endswith("mean_profit"))  # they traded
    n_direct = 200_000
    base, final = simulate_market(n_direct, 3, traders, options=K)
    assert_within_3_se(
        metrics,
        {
            key: (float(x.mean()), float(x.std()) / math.sqrt(n_direct))
            for key, x in [("baseline_accuracy", base), ("final_accuracy", final)]
        },
    )
