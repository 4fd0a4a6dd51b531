"""Market making on questions with K options, on scripted mock models: the stop rule on every
option, what the trader is shown, stances, several traders, scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from inspect_ai import Task
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessage

from inspect_market import make_sample, market_making, protocol_metrics, trajectory_scorer
from inspect_market.errors import InspectMarketError
from inspect_market.judgment import format_judgment
from inspect_market.propositions import LETTERS, Proposition
from inspect_market.requests import request_tag
from inspect_market.solvers.market_making import argued_side
from inspect_market.tasks import truthfulqa
from inspect_market.trajectory import Judgment
from tests.mocks import (
    TQA_FIXTURE,
    Call,
    Script,
    arguments_seen,
    metrics,
    recording,
    run,
    run_truthfulqa,
    score_of,
    scripted,
    stored,
)

THREE = Proposition.choice(
    "Question: Which is heaviest?\nAnswer A: a feather\nAnswer B: a brick\nAnswer C: a coin",
    tuple(f"answer {letter} is the true answer" for letter in "ABC"),
)
ARGUMENT = "A brick weighs about two kilograms."

Probs = tuple[float, ...]


def by_round(rounds: list[Probs | None]) -> Script:
    """Judgment k gives rounds[k] (the last repeats), claiming its most probable option; None
    replies with unparseable text."""

    def script(messages: list[ChatMessage]) -> str:
        probs = rounds[min(arguments_seen(messages), len(rounds) - 1)]
        if probs is None:
            return "I would rather not say."
        best = max(range(len(probs)), key=probs.__getitem__)
        return format_judgment("r.", f"answer {LETTERS[best]} is the true answer", probs)

    return script


def market(
    tmp_path: Path, rounds: list[Probs | None], label: int = 1, **args: Any
) -> tuple[EvalLog, list[Call]]:
    """Market making on THREE (true option `label`); the log and the trader's calls."""
    market_maker = scripted(by_round(rounds))
    trader, trader_calls = recording(lambda messages: ARGUMENT)
    task = Task(
        dataset=[make_sample(THREE, label, id="heavy", choices=["feather", "brick", "coin"])],
        solver=market_making(**args),
        scorer=trajectory_scorer(),
        metrics=protocol_metrics("market_making", **args),
    )
    log = run(task, {"market_maker": market_maker, "trader": trader}, tmp_path)
    assert log.status == "success", log.error
    return log, trader_calls


CONVERGES = [(0.6, 0.3, 0.1), (0.5, 0.35, 0.15), (0.45, 0.4, 0.15), (0.1, 0.1, 0.8)]
SETTLED = CONVERGES[2]
# option A never moves; B and C swap by 0.4 each judgment, so it never converges
SWAPS = [(0.5, 0.45, 0.05), (0.5, 0.05, 0.45)] * 2


@pytest.mark.parametrize(
    ("rounds", "args", "judgments", "reason"),
    [
        (CONVERGES, {}, 3, "converged"),  # spreads A .15, B .1, C .05 over judgments 1-3
        (SWAPS, {"max_judgments": 4}, 4, "max_judgments"),
        # the unparsed judgment 2 breaks the windows that hold it: converged at 5
        ([SETTLED, None, SETTLED, SETTLED, SETTLED], {"max_format_retries": 0}, 5, "converged"),
    ],
)
def test_the_market_stops_when_every_option_settles(
    tmp_path: Path, rounds: list[Probs | None], args: dict[str, Any], judgments: int, reason: str
) -> None:
    log, trader_calls = market(tmp_path, rounds, **args)
    sample = log.samples[0]  # type: ignore[index]
    recorded = [j.get("probs") for j in stored(sample, "judgments")]
    assert recorded == [pytest.approx(r) if r else None for r in rounds[:judgments]]
    assert stored(sample, "stop_reason") == reason
    assert stored(sample, "calls") == 2 * judgments - 1
    assert len(trader_calls) == judgments - 1


def test_final_probs_and_score_keys(tmp_path: Path) -> None:
    log, _ = market(tmp_path, CONVERGES, label=0)
    sample = log.samples[0]  # type: ignore[index]
    assert stored(sample, "final_probs") == pytest.approx(CONVERGES[2])
    score = score_of(sample)
    assert [score[f"final_p_{x}"] for x in "ABC"] == pytest.approx(CONVERGES[2])
    assert [score[f"baseline_p_{x}"] for x in "ABC"] == pytest.approx(CONVERGES[0])
    assert score["options"] == 3 and score["label"] == 0 and "final_p" not in score
    assert score["final_correct"] == 1 == score["final_claim_correct"]
    assert score["judgments"] == 3 and score["converged"] == 1
    assert "adversary_success" not in score
    assert sample.output.completion.endswith("Final Prediction: A: 0.45, B: 0.4, C: 0.15")


def test_the_trader_is_shown_each_options_probability(tmp_path: Path) -> None:
    _, trader_calls = market(tmp_path, CONVERGES)
    shown = ["A: 0.6, B: 0.3, C: 0.1", "A: 0.5, B: 0.35, C: 0.15"]
    for (messages, _), probs in zip(trader_calls, shown, strict=True):
        system, request = messages[0].text, messages[-1].text
        assert "a prediction market on a question with several answers" in system
        assert "moving the probabilities as far as possible" in system
        assert f"Current probabilities (that each answer is the true one): {probs}" in request
        assert f"Final Prediction: {probs}" in request  # the current judgment
        for letter in "ABC":
            assert f'{letter}: "answer {letter} is the true answer"' in request
        assert "POSITIVE claim" not in request
        tag = request_tag(messages)
        assert tag is not None and tag.options == 3 and tag.kind == "argument"
        assert tag.stance == "honest" and tag.side is None


@pytest.mark.parametrize(("label", "argued"), [(1, 2), (2, 0)])  # the next option, cyclically
def test_an_adversarial_trader_argues_the_option_after_the_true_one(
    tmp_path: Path, label: int, argued: int
) -> None:
    log, trader_calls = market(tmp_path, CONVERGES, label=label, trader_stance="adversarial")
    claim = THREE.claim(argued)
    assert len(trader_calls) == 2
    for messages, _ in trader_calls:
        tag = request_tag(messages)
        assert tag is not None and tag.side == argued and tag.stance == "adversarial"
        assert "several answers" in messages[0].text
        assert f'the claim "{claim}" is FALSE' in messages[0].text
        assert f'argues for "{claim}"' in messages[0].text
    sample = log.samples[0]  # type: ignore[index]
    assert stored(sample, "adversary_side") == argued
    assert [t["side"] for t in stored(sample, "turns")] == [argued] * 2
    # the market ends claiming A: the adversary wins only when it argued A
    assert score_of(sample)["adversary_success"] == int(argued == 0)
    assert metrics(log)["adversary_success_rate"] == int(argued == 0)


def test_a_contrarian_argues_the_most_probable_option_besides_the_current_claim(
    tmp_path: Path,
) -> None:
    # claims A, B, C, C; the second most probable B, C, A, A; converges at judgment 5 (at 4
    # option B's window 0.5, 0.2, 0.2 spreads 0.3)
    rounds = [(0.6, 0.3, 0.1), (0.1, 0.5, 0.4), (0.3, 0.2, 0.5)]
    log, trader_calls = market(tmp_path, rounds, trader_stance="contrarian")
    sample = log.samples[0]  # type: ignore[index]
    assert len(stored(sample, "judgments")) == 5
    assert [t["side"] for t in stored(sample, "turns")] == [1, 2, 0, 0]
    for (messages, _), argued in zip(trader_calls, [1, 2, 0, 0], strict=True):
        assert f'argues for "{THREE.claim(argued)}"' in messages[0].text
        assert "FALSE" not in messages[0].text


@pytest.mark.parametrize(
    ("claim_side", "p", "probs", "outcomes", "argued"),
    [
        (0, None, [0.6, 0.3, 0.1], 3, 1),
        (None, None, [0.1, 0.3, 0.6], 3, 1),  # no claim: against the most probable option
        (1, None, [0.7, 0.2, 0.1], 3, 0),  # against the claim, even when it is not the top
        (0, None, [0.8, 0.1, 0.1], 3, 2),  # a tie: the later option
        (None, None, None, 3, 2),  # nothing readable: the last option
        (1, None, None, 3, 2),
        (2, None, None, 3, 1),
        # binary, as before: the other side; nothing readable or undecided: the positive claim
        (1, 0.3, None, 2, 0),
        (None, 0.3, None, 2, 1),
        (None, 0.7, None, 2, 0),
        (None, 0.5, None, 2, 1),
        (None, None, None, 2, 1),
    ],
)
def test_contrarian_side(
    claim_side: int | None, p: float | None, probs: list[float] | None, outcomes: int, argued: int
) -> None:
    judgment = Judgment(role="market_maker", raw="", claim_side=claim_side, p=p, probs=probs)
    assert argued_side("contrarian", judgment, None, outcomes) == argued


def test_several_traders_on_k_options(tmp_path: Path) -> None:
    # by arguments seen: 0 -> SWAPS[0], 3 -> SWAPS[1], 6 on -> SWAPS[1]: converges at 4
    rounds = [SWAPS[0]] * 3 + [SWAPS[1]] * 4
    traders = {f"trader_{k}": recording(lambda m, k=k: f"Argument {k}.") for k in (1, 2, 3)}
    task = Task(
        dataset=[make_sample(THREE, 1, id="heavy", choices=["feather", "brick", "coin"])],
        solver=market_making(traders=3, trader_stance="adversarial"),
        scorer=trajectory_scorer(),
    )
    roles = {"market_maker": scripted(by_round(rounds))}
    log = run(task, {**roles, **{role: model for role, (model, _) in traders.items()}}, tmp_path)
    assert log.status == "success", log.error
    sample = log.samples[0]  # type: ignore[index]
    assert stored(sample, "stop_reason") == "converged" and len(stored(sample, "judgments")) == 4
    assert [(t["role"], t["round"], t["side"]) for t in stored(sample, "turns")] == [
        (f"trader_{k}", r, 2) for r in (1, 2, 3) for k in (1, 2, 3)
    ]
    for _, calls in traders.values():
        assert len(calls) == 3
        assert "Current probabilities (that each answer is the true one): A: 0.5, B: 0.45" in (
            calls[0][0][-1].text
        )


def test_truthfulqa_mc_runs_market_making_with_an_adversary(tmp_path: Path) -> None:
    def uniform_then_a(messages: list[ChatMessage]) -> str:
        tag = request_tag(messages)
        assert tag is not None
        k = tag.options
        probs = [1 / k] * k if arguments_seen(messages) == 0 else [0.9] + [0.1 / (k - 1)] * (k - 1)
        return format_judgment("r.", "answer A is the true answer", probs)

    roles = {"market_maker": scripted(uniform_then_a), "trader": scripted(lambda m: ARGUMENT)}
    log = run_truthfulqa(tmp_path, roles, limit=2, format="mc", trader_stance="adversarial")
    for sample in log.samples or []:
        score = score_of(sample)
        options, label = score["options"], LETTERS.index(str(sample.target))
        assert stored(sample, "adversary_side") == (label + 1) % options
        assert score["final_p_A"] == pytest.approx(0.9) and score["judgments"] == 4
        assert score["adversary_success"] == int((label + 1) % options == 0)


@pytest.mark.parametrize(
    "args", [{"prompts": "paper"}, {"trader_template": "{question} {judgment}"}]
)
def test_binary_only_trader_prompts_are_refused_on_k_options(args: dict[str, str]) -> None:
    with pytest.raises(InspectMarketError, match="no multi-outcome version"):
        truthfulqa(data_path=str(TQA_FIXTURE), format="mc", **args)
