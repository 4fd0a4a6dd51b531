"""multi_agent_debate on scripted mocks: calls, who sees what, aggregation, the vote baseline."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.event import SpanBeginEvent
from inspect_ai.model import ChatMessage, Model

from inspect_market.errors import InspectMarketError
from inspect_market.solvers import multi_agent_debate
from inspect_market.solvers.multi_agent_debate import AGENT_EVIDENCE
from tests.mocks import (
    NEG_B,
    POS_A,
    TQA_FIXTURE,
    Call,
    judgment,
    metrics,
    recording,
    run_truthfulqa,
    score_of,
    scripted,
    stored,
)


def agent_script(n: int, ps: list[float]) -> Any:
    """Agent n's k-th judgment has p = ps[k] and the reasoning 'Agent n thought k.'."""
    calls = itertools.count()

    def script(messages: list[ChatMessage]) -> str:
        k = next(calls)
        p = ps[k]
        return judgment(p, POS_A if p > 0.5 else NEG_B, f"Agent {n} thought {k}.")

    return script


def agents_with(ps: dict[int, list[float]]) -> tuple[dict[str, Model], dict[int, list[Call]]]:
    roles, calls = {}, {}
    for n, agent_ps in ps.items():
        roles[f"agent_{n}"], calls[n] = recording(agent_script(n, agent_ps))
    return roles, calls


def test_calls_visibility_aggregation_and_spans(tmp_path: Path) -> None:
    # round 0: 0.3 (negative), 0.6 (positive), 0.2 (negative): the vote is negative;
    # round 2: 0.8, 0.9 (positive), 0.3 (negative): majority positive, mean p 2/3.
    roles, calls = agents_with({1: [0.3, 0.7, 0.8], 2: [0.6, 0.7, 0.9], 3: [0.2, 0.4, 0.3]})
    log = run_truthfulqa(tmp_path, roles, solver="multi_agent_debate")
    sample = log.samples[0]  # type: ignore[index]
    assert stored(sample, "calls") == 3 * (2 + 1)
    judgments = stored(sample, "judgments")
    assert [(j["role"], j["p"]) for j in judgments] == [
        (f"agent_{n}", ps[k])
        for k in range(3)
        for n, ps in ((1, [0.3, 0.7, 0.8]), (2, [0.6, 0.7, 0.9]), (3, [0.2, 0.4, 0.3]))
    ]
    assert stored(sample, "baseline_votes") == [0, 1, 0]
    assert stored(sample, "final_p") == pytest.approx(2 / 3)
    assert stored(sample, "final_claim_side") == 1
    assert stored(sample, "stop_reason") == "rounds_done"
    for n, agent_calls in calls.items():
        assert len(agent_calls) == 3
        for k, (messages, _) in enumerate(agent_calls):
            request = messages[-1].text
            seen = set(re.findall(r"Agent (\d) thought (\d)", request))
            # round 0 alone; then the other agents' judgments of the round before, not its own
            assert seen == {(str(m), str(k - 1)) for m in calls if m != n and k > 0}
            assert (AGENT_EVIDENCE in request) == (k > 0)
    shown = calls[1][1][0][-1].text
    assert 'Agent 2 (for "answer A is the true answer", p = 0.6): Agent 2 thought 0.' in shown
    spans = [
        e.name
        for e in sample.events
        if isinstance(e, SpanBeginEvent) and e.name.startswith("round ")
    ]
    assert spans == ["round 0", "round 1", "round 2"]
    # label 0: baseline 0.3 and the negative vote are right, the final 2/3 is wrong
    score = score_of(sample)
    assert score["baseline_correct"] == 1 and score["vote_baseline_correct"] == 1
    assert score["final_correct"] == 0 and "adversary_success" not in score
    m = metrics(log)
    assert "adversary_success_rate" not in m
    assert m["vote_baseline_accuracy"] == 1 and m["net_gain"] == -1 and m["mean_calls"] == 9


def test_a_tied_vote_is_wrong_and_metrics_over_samples(tmp_path: Path) -> None:
    # Two agents split in round 0 (0.3 negative, 0.6 positive), then both say 0.8. Labels of
    # the fixture with seed 0: 0, 0, 1, 1.
    def agent(first: float) -> Model:
        def script(messages: list[ChatMessage]) -> str:
            p = 0.8 if AGENT_EVIDENCE in messages[-1].text else first
            return judgment(p, POS_A if p > 0.5 else NEG_B)

        return scripted(script)

    roles = {"agent_1": agent(0.3), "agent_2": agent(0.6)}
    log = run_truthfulqa(tmp_path, roles, 4, solver="multi_agent_debate", agents=2, rounds=1)
    m = metrics(log)
    assert m["vote_baseline_accuracy"] == 0  # the tie decides nothing
    assert m["baseline_accuracy"] == 0.5 and m["final_accuracy"] == 0.5
    assert m["brier_final"] == pytest.approx((2 * 0.8**2 + 2 * 0.2**2) / 4)
    assert m["mean_calls"] == 2 * 2 and m["mean_judgments"] == 4


def test_roles_fall_back_to_agent_then_the_main_model(tmp_path: Path) -> None:
    shared, shared_calls = recording(lambda messages: judgment(0.7))
    main, main_calls = recording(lambda messages: judgment(0.7))
    own, own_calls = recording(lambda messages: judgment(0.7))
    [log] = eval(
        "inspect_market/truthfulqa",
        model=main,
        model_roles={"agent": shared, "agent_3": own},
        task_args={"data_path": str(TQA_FIXTURE), "solver": "multi_agent_debate", "rounds": 1},
        limit=1,
        log_dir=str(tmp_path / "bound"),
        display="none",
    )
    assert log.status == "success", log.error
    assert (len(shared_calls), len(own_calls), len(main_calls)) == (4, 2, 0)
    roles = sorted(e.role or "" for e in log.samples[0].events if e.event == "model")  # type: ignore[index]
    assert roles == ["agent_1", "agent_1", "agent_2", "agent_2", "agent_3", "agent_3"]
    [log] = eval(
        "inspect_market/truthfulqa",
        model=main,
        task_args={"data_path": str(TQA_FIXTURE), "solver": "multi_agent_debate"},
        limit=1,
        log_dir=str(tmp_path / "main"),
        display="none",
    )
    assert log.status == "success" and len(main_calls) == 9


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"agents": 1}, r"agents must be an integer in \[2, 100\], got 1"),
        ({"rounds": 0}, r"rounds must be an integer in \[1, 100\]"),
        ({"max_format_retries": -1}, "max_format_retries must be an integer in \\[0, 10\\]"),
    ],
)
def test_bad_parameters_fail_before_any_model_call(
    tmp_path: Path, args: dict[str, Any], message: str
) -> None:
    main, calls = recording(lambda messages: judgment(0.5))
    with pytest.raises(InspectMarketError, match=message):
        multi_agent_debate(**args)
    with pytest.raises(InspectMarketError, match=message):
        run_truthfulqa(tmp_path, {"agent": main}, solver="multi_agent_debate", **args)
    assert calls == []
