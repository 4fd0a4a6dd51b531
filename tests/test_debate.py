"""The debate solver end to end on scripted mocks: calls, record, visibility, scoring."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.event import SpanBeginEvent
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.model import ChatMessage, Model

from inspect_market.errors import InspectMarketError
from inspect_market.solvers import debate
from inspect_market.solvers.debate import DEBATE_EVIDENCE
from tests.mocks import (
    NEG_B,
    POS_A,
    TQA_FIXTURE,
    judgment,
    metrics,
    recording,
    run_truthfulqa,
    score_of,
    scripted,
    stored,
)

FIXTURE = str(TQA_FIXTURE)


def in_debate(messages: list[ChatMessage]) -> bool:
    return any(DEBATE_EVIDENCE in m.text for m in messages)  # also on a format re-ask


def judge_script(baseline: str, final: str) -> Any:
    return lambda messages: final if in_debate(messages) else baseline


def debater_script(name: str) -> Any:
    """Reply 'A1 ...' in round 1, 'A2 ...' in round 2 etc., read from the request."""

    def script(messages: list[ChatMessage]) -> str:
        round_no = re.search(r"Round (\d+) of \d+\.", messages[-1].text)
        assert round_no is not None
        return f"{name}{round_no.group(1)} argues well. Second sentence. Third one. Dropped fourth."

    return script


def tqa_debate(
    tmp_path: Path,
    judge: Model,
    limit: int = 1,
    debaters: tuple[Model, Model] | None = None,
    **args: Any,
) -> EvalLog:
    a, b = debaters or (scripted(debater_script("A")), scripted(debater_script("B")))
    roles = {"judge": judge, "debater_a": a, "debater_b": b}
    return run_truthfulqa(tmp_path, roles, limit, solver="debate", **args)


def store(sample: EvalSample, key: str) -> Any:
    return sample.store[f"Trajectory:{key}"]


@pytest.mark.parametrize("rounds", [1, 3])
def test_calls_record_and_spans(tmp_path: Path, rounds: int) -> None:
    judge = scripted(judge_script(judgment(0.3, NEG_B), judgment(0.8, POS_A)))
    log = tqa_debate(tmp_path, judge, rounds=rounds)
    sample = log.samples[0]  # type: ignore[index]
    assert stored(sample, "protocol") == "debate"
    assert stored(sample, "stop_reason") == "rounds_done"
    assert stored(sample, "calls") == 2 + 2 * rounds
    assert [(j["role"], j["p"]) for j in stored(sample, "judgments")] == [
        ("judge", 0.3),
        ("judge", 0.8),
    ]
    turns = stored(sample, "turns")
    assert [(t["role"], t["round"]) for t in turns] == [
        (role, n) for n in range(1, rounds + 1) for role in ("debater_a", "debater_b")
    ]
    assert turns[0]["text"] == "A1 argues well. Second sentence. Third one."
    assert turns[0]["raw"].endswith("Dropped fourth.")
    assert stored(sample, "final_p") == 0.8
    spans = [
        e.name
        for e in sample.events
        if isinstance(e, SpanBeginEvent) and e.name.startswith("round ")
    ]
    assert spans == [f"round {n}" for n in range(1, rounds + 1)]
    m = metrics(log)
    assert m["mean_calls"] == 2 + 2 * rounds
    assert m["mean_tokens"] == 15 * (2 + 2 * rounds)  # every mock output: 10 in + 5 out
    assert m["mean_judgments"] == 2


def test_debaters_see_earlier_rounds_only(tmp_path: Path) -> None:
    a, a_calls = recording(debater_script("A"))
    b, b_calls = recording(debater_script("B"))
    judge, judge_calls = recording(judge_script(judgment(0.3, NEG_B), judgment(0.8, POS_A)))
    tqa_debate(tmp_path, judge, debaters=(a, b))
    assert len(a_calls) == len(b_calls) == 3 and len(judge_calls) == 2
    for name, calls, claim, other in (("A", a_calls, POS_A, NEG_B), ("B", b_calls, NEG_B, POS_A)):
        for round_no, (messages, _) in enumerate(calls, start=1):
            system, request = messages[0].text, messages[-1].text
            assert f"You are Debater {name}" in system
            assert f'assigned the claim: "{claim}"' in system and f'argues for: "{other}"' in system
            assert "do not make up facts" in system
            assert "What colour is the sky" in request
            seen = set(re.findall(r"\b([AB]\d) argues well", request))
            # both debaters' turns of every earlier round, nothing of this round
            assert seen == {f"{d}{n}" for d in "AB" for n in range(1, round_no)}
    assert (
        'Round 1, Debater B (for "answer B is the true answer"): B1 argues'
        in b_calls[1][0][-1].text
    )
    # the judge: baseline without the debate, final with all six turns
    baseline, final = judge_calls[0][0][-1].text, judge_calls[1][0][-1].text
    assert "argues well" not in baseline
    assert len(re.findall(r"^\d+\. Round \d, Debater [AB]", final, flags=re.MULTILINE)) == 6


def test_baseline_and_final_scored_by_the_core_metrics(tmp_path: Path) -> None:
    # Labels of the fixture with seed 0: 0, 0, 1, 1. Baseline p 0.3 everywhere, final 0.8.
    judge = scripted(judge_script(judgment(0.3, NEG_B), judgment(0.8, POS_A)))
    m = metrics(tqa_debate(tmp_path, judge, limit=4))
    assert m["baseline_accuracy"] == 0.5 and m["final_accuracy"] == 0.5 and m["net_gain"] == 0
    assert m["flip_to_correct"] == 0.5 and m["flip_to_wrong"] == 0.5
    assert m["brier_baseline"] == pytest.approx((2 * 0.3**2 + 2 * 0.7**2) / 4)
    assert m["brier_final"] == pytest.approx((2 * 0.8**2 + 2 * 0.2**2) / 4)
    assert m["claim_consistency_rate"] == 1 and m["converged_rate"] == 0
    assert m["mean_calls"] == 8 and m["parse_failure_rate"] == 0


def test_malformed_final_judgment(tmp_path: Path) -> None:
    judge = scripted(judge_script(judgment(0.3, NEG_B), "I decline to judge."))
    log = tqa_debate(tmp_path, judge)
    sample = log.samples[0]  # type: ignore[index]
    final = stored(sample, "judgments")[-1]
    assert (
        final.get("p") is None and final["retries"] == 2 and final["raw"] == "I decline to judge."
    )
    assert stored(sample, "calls") == 8 + 2
    score = score_of(sample)
    assert score["baseline_correct"] == 1 and score["final_correct"] == 0
    m = metrics(log)
    assert m["parse_failure_rate"] == 0.5 and m["mean_calls"] == 10


def test_roles_default_to_the_main_model(tmp_path: Path) -> None:
    def everyone(messages: list[ChatMessage]) -> str:
        if "Final Prediction" in messages[0].text:
            return judgment(0.8, POS_A)
        return "The sky is blue."

    main, calls = recording(everyone)
    [log] = eval(
        "inspect_market/truthfulqa",
        model=main,
        task_args={"data_path": FIXTURE, "solver": "debate", "rounds": 2},
        limit=1,
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    assert len(calls) == 6  # judge and both debaters answered by the main model
    assert metrics(log)["mean_calls"] == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"rounds": 0}, "rounds must be an integer in \\[1, 100\\]"),
        ({"rounds": True}, "rounds must be an integer in \\[1, 100\\]"),
        ({"rounds": 101}, "rounds must be an integer in \\[1, 100\\], got 101"),
        ({"max_format_retries": -1}, "max_format_retries must be an integer in \\[0, 10\\]"),
    ],
)
def test_bad_parameters_fail_before_any_model_call(
    tmp_path: Path, args: dict[str, Any], message: str
) -> None:
    main, calls = recording(lambda messages: judgment(0.5))
    with pytest.raises(InspectMarketError, match=message):
        debate(**args)
    with pytest.raises(InspectMarketError, match=message):
        eval(
            "inspect_market/truthfulqa",
            model=main,
            task_args={"data_path": FIXTURE, "solver": "debate", **args},
            log_dir=str(tmp_path),
            display="none",
        )
    assert calls == []


def argues_assigned_claim(messages: list[ChatMessage]) -> str:
    """A debater that names the claim its system prompt assigns it."""
    claim = re.search(r'assigned the claim: "([^"]+)"', messages[0].text)
    assert claim is not None
    return f"I argue that {claim.group(1)}."


def assignments(log: EvalLog) -> dict[Any, str]:
    """Sample id -> the debater that argued the positive claim, checked against every turn."""
    found = {}
    for sample in log.samples or []:
        positive = store(sample, "positive_debater")
        for turn in store(sample, "turns"):
            side = int(turn["role"] == positive)
            assert turn["side"] == side
            assert turn["text"] == f"I argue that {(NEG_B, POS_A)[side]}."
        found[sample.id] = positive
    return found


def test_fixed_assignment_gives_debater_a_the_positive_claim(tmp_path: Path) -> None:
    judge = scripted(judge_script(judgment(0.3, NEG_B), judgment(0.8, POS_A)))
    debaters = (scripted(argues_assigned_claim), scripted(argues_assigned_claim))
    log = tqa_debate(tmp_path, judge, limit=4, debaters=debaters, rounds=1)
    assert set(assignments(log).values()) == {"debater_a"}
    assert {store(s, "assignment") for s in log.samples or []} == {"fixed"}


def test_random_assignment_is_drawn_per_sample_and_seeded(tmp_path: Path) -> None:
    judge = scripted(judge_script(judgment(0.3, NEG_B), judgment(0.8, POS_A)))
    debaters = (scripted(argues_assigned_claim), scripted(argues_assigned_claim))

    def drawn(seed: int, run: str) -> dict[Any, str]:
        log = tqa_debate(
            tmp_path / run, judge, 4, debaters, rounds=1, assignment="random", assignment_seed=seed
        )
        assert {store(s, "assignment") for s in log.samples or []} == {"random"}
        assert metrics(log)["mean_calls"] == 4  # the assignment changes no call
        return assignments(log)

    first = drawn(0, "a")
    assert set(first.values()) == {"debater_a", "debater_b"}  # both occur with seed 0
    assert drawn(0, "b") == first
    assert drawn(1, "c") != first


def test_bad_assignment_fails_before_any_model_call() -> None:
    with pytest.raises(InspectMarketError, match="assignment must be one of fixed, random"):
        debate(assignment="alternate")
