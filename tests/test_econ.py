"""econ on scripted mocks: rounds and the stop rule, calls, executors that never see each other."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.event import SpanBeginEvent
from inspect_ai.model import ChatMessage, Model

from inspect_market.errors import InspectMarketError
from inspect_market.solvers import econ
from inspect_market.solvers.econ import COORDINATOR_SYSTEM, EXECUTOR_EVIDENCE, STRATEGY_EVIDENCE
from tests.mocks import (
    NEG_B,
    POS_A,
    Call,
    judgment,
    metrics,
    recording,
    run_truthfulqa,
    score_of,
    stored,
)

STRATEGY = "Strategy {n}: weigh what is seen. Think of daylight. Then decide. Dropped fourth."


def coordinator() -> tuple[Model, list[Call]]:
    """Strategy n for its n-th strategy request; a final judgment of p 0.1 otherwise."""
    strategies = itertools.count(1)

    def script(messages: list[ChatMessage]) -> str:
        if messages[0].text == COORDINATOR_SYSTEM:
            return STRATEGY.format(n=next(strategies))
        return judgment(0.1, NEG_B, "The judges mostly agree.")

    return recording(script)


def executor(n: int, ps: list[float | None]) -> tuple[Model, list[Call]]:
    """Executor n's k-th judgment has p = ps[k] (None: unreadable), reasoning 'Executor n kk'."""
    calls = itertools.count()

    def script(messages: list[ChatMessage]) -> str:
        k = next(calls)
        p = ps[k]
        if p is None:
            return "No idea."
        return judgment(p, POS_A if p > 0.5 else NEG_B, f"Executor {n} private {k}.")

    return recording(script)


def run_econ(
    tmp_path: Path, ps: dict[int, list[float | None]], **args: Any
) -> tuple[Any, list[Call], dict[int, list[Call]]]:
    coordinator_model, coordinator_calls = coordinator()
    roles: dict[str, Model] = {"coordinator": coordinator_model}
    calls = {}
    for n, executor_ps in ps.items():
        roles[f"executor_{n}"], calls[n] = executor(n, executor_ps)
    log = run_truthfulqa(tmp_path, roles, solver="econ", **args)
    return log, coordinator_calls, calls


def test_disagreement_revises_the_strategy_then_agreement_stops(tmp_path: Path) -> None:
    # round 1: p 0.2, 0.8, 0.5 spread 0.6 > 0.2: revise; round 2: 0.7, 0.75, 0.8 spread 0.1: stop
    ps: dict[int, list[float | None]] = {1: [0.2, 0.7], 2: [0.8, 0.75], 3: [0.5, 0.8]}
    log, coordinator_calls, calls = run_econ(tmp_path, ps)
    sample = log.samples[0]  # type: ignore[index]
    assert stored(sample, "calls") == 2 * (1 + 3) + 1 and len(coordinator_calls) == 3
    assert stored(sample, "stop_reason") == "converged"
    judgments = stored(sample, "judgments")
    assert [j["role"] for j in judgments] == [f"executor_{n}" for n in (1, 2, 3)] * 2 + [
        "coordinator"
    ]
    assert [j.get("p") for j in judgments] == [0.2, 0.8, 0.5, 0.7, 0.75, 0.8, 0.1]
    turns = stored(sample, "turns")
    assert [(t["role"], t["round"]) for t in turns] == [("coordinator", 1), ("coordinator", 2)]
    assert turns[0]["text"] == "Strategy 1: weigh what is seen. Think of daylight. Then decide."
    # executors see the question and the current strategy only: never another's judgment
    for n, executor_calls in calls.items():
        for k, (messages, _) in enumerate(executor_calls):
            request = messages[-1].text
            assert STRATEGY_EVIDENCE in request and f"Strategy {k + 1}: weigh" in request
            assert "What colour is the sky" in request
            assert all("Executor" not in m.text for m in messages), (n, k)
    # the coordinator: first the question alone, then the round-1 judgments, then round 2's
    first, revision, final = (messages[-1].text for messages, _ in coordinator_calls)
    assert "Executor" not in first and "Strategy 1" not in first
    assert "Strategy 1: weigh" in revision
    assert set(re.findall(r"Executor \d private \d", revision)) == {
        f"Executor {n} private 0" for n in (1, 2, 3)
    }
    assert EXECUTOR_EVIDENCE in final
    assert set(re.findall(r"Executor \d private \d", final)) == {
        f"Executor {n} private 1" for n in (1, 2, 3)
    }
    spans = [
        e.name
        for e in sample.events
        if isinstance(e, SpanBeginEvent) and (e.name.startswith("round ") or "final" in e.name)
    ]
    assert spans == ["round 1", "round 2", "final judgment"]
    # label 0: baseline 0.2 is right, the coordinator's 0.1 too
    score = score_of(sample)
    assert score["baseline_p"] == 0.2 and score["final_p"] == 0.1
    assert score["final_correct"] == 1
    m = metrics(log)
    assert m["mean_calls"] == 9 and m["mean_judgments"] == 7 and m["converged_rate"] == 1


@pytest.mark.parametrize(
    ("args", "ps", "strategies", "stop"),
    [
        # always spread: all 3 rounds, then the final judgment
        ({}, {1: [0.1] * 3, 2: [0.9] * 3}, 3, "rounds_done"),
        ({"threshold": 0.8}, {1: [0.1], 2: [0.9]}, 1, "converged"),  # 0.8 <= 0.8
        ({"rounds": 2}, {1: [0.5, 0.5], 2: [None, 0.5]}, 2, "converged"),  # unreadable p: revise
    ],
)
def test_stop_rule_and_calls(
    tmp_path: Path,
    args: dict[str, Any],
    ps: dict[int, list[float | None]],
    strategies: int,
    stop: str,
) -> None:
    log, coordinator_calls, _ = run_econ(
        tmp_path, ps, executors=len(ps), max_format_retries=0, **args
    )
    sample = log.samples[0]  # type: ignore[index]
    assert stored(sample, "stop_reason") == stop
    assert len(coordinator_calls) == strategies + 1
    assert stored(sample, "calls") == strategies * (1 + len(ps)) + 1


def test_roles_default_to_executor_then_the_main_model(tmp_path: Path) -> None:
    coordinator_model, _ = coordinator()
    shared, shared_calls = recording(lambda messages: judgment(0.7))
    log = run_truthfulqa(
        tmp_path, {"coordinator": coordinator_model, "executor": shared}, solver="econ"
    )
    assert len(shared_calls) == 3
    roles = [e.role for e in log.samples[0].events if e.event == "model"]  # type: ignore[index]
    assert sorted(r or "" for r in roles) == [
        "coordinator",
        "coordinator",
        "executor_1",
        "executor_2",
        "executor_3",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"executors": 0}, r"executors must be an integer in \[1, 100\], got 0"),
        ({"rounds": 101}, r"rounds must be an integer in \[1, 100\]"),
        ({"threshold": 1.5}, r"threshold must be a finite number in \[0, 1\]"),
    ],
)
def test_bad_parameters_fail_before_any_model_call(
    tmp_path: Path, args: dict[str, Any], message: str
) -> None:
    main, calls = recording(lambda messages: judgment(0.5))
    with pytest.raises(InspectMarketError, match=message):
        econ(**args)
    with pytest.raises(InspectMarketError, match=message):
        run_truthfulqa(tmp_path, {"coordinator": main}, solver="econ", **args)
    assert calls == []
