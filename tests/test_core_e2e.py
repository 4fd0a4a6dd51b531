"""End-to-end evals of market making and single shot on scripted mock models."""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.model import ChatMessage

from inspect_market.errors import InspectMarketError
from tests.mocks import (
    NEG_B,
    arguments_seen,
    judgment,
    market_maker_by_round,
    metrics,
    run,
    scripted,
)

FIXTURE = str(Path(__file__).parent / "fixtures" / "truthfulqa_mini.csv")
TRADER = scripted(lambda messages: "Consider the evidence again. This second sentence is dropped.")


def tqa(
    tmp_path: Path, mm_script: object, limit: int = 1, trader: object = TRADER, **task_args: object
) -> EvalLog:
    market_maker = scripted(mm_script) if callable(mm_script) else mm_script
    roles = {"market_maker": market_maker, "trader": trader}
    log = run(
        "inspect_market/truthfulqa",
        roles,
        tmp_path,  # type: ignore[arg-type]
        task_args={"data_path": FIXTURE, **task_args},
        limit=limit,
    )
    assert log.status == "success", log.error
    return log


def store(sample: EvalSample, key: str) -> object:
    return sample.store[f"Trajectory:{key}"]


def ps(sample: EvalSample) -> list[float | None]:
    # the log leaves out None fields: an unparsed p is a missing key
    return [j.get("p") for j in store(sample, "judgments")]  # type: ignore[attr-defined]


def test_converges_at_judgment_three(tmp_path: Path) -> None:
    log = tqa(tmp_path, market_maker_by_round([0.3, 0.4, 0.45, 0.9]))
    sample = log.samples[0]  # type: ignore[index]
    assert ps(sample) == [0.3, 0.4, 0.45]
    assert store(sample, "stop_reason") == "converged"
    assert store(sample, "calls") == 5  # 2J - 1
    assert len(store(sample, "turns")) == 2  # type: ignore[arg-type]
    m = metrics(log)
    assert m["mean_judgments"] == 3 and m["converged_rate"] == 1 and m["mean_calls"] == 5


def test_oscillating_market_runs_to_max_judgments(tmp_path: Path) -> None:
    log = tqa(tmp_path, market_maker_by_round([0.2, 0.8] * 6))
    sample = log.samples[0]  # type: ignore[index]
    assert ps(sample) == [0.2, 0.8] * 5
    assert store(sample, "stop_reason") == "max_judgments"
    assert store(sample, "calls") == 19
    assert metrics(log)["converged_rate"] == 0


def test_max_judgments_parameter(tmp_path: Path) -> None:
    log = tqa(tmp_path, market_maker_by_round([0.1, 0.9, 0.1, 0.9]), max_judgments=4)
    sample = log.samples[0]  # type: ignore[index]
    assert ps(sample) == [0.1, 0.9, 0.1, 0.9]
    assert store(sample, "stop_reason") == "max_judgments" and store(sample, "calls") == 7


def test_baseline_final_and_net_gain(tmp_path: Path) -> None:
    # Fixture order with seed 0: check the label of every sample, then script p toward the truth.
    def toward_truth(messages: list[ChatMessage]) -> str:
        a_true = (
            "Answer A: It is blue" in messages[-1].text or "Answer A: Eight" in messages[-1].text
        )
        a_true = (
            a_true
            or "Answer A: Ice" in messages[-1].text
            or "Answer A: The country" in messages[-1].text
        )
        wrong, right = (0.3, 0.8) if a_true else (0.7, 0.2)
        return judgment(wrong if arguments_seen(messages) == 0 else right)

    log = tqa(tmp_path, toward_truth, limit=4)
    m = metrics(log)
    assert m["baseline_accuracy"] == 0 and m["final_accuracy"] == 1 and m["net_gain"] == 1
    assert m["flip_to_correct"] == 1 and m["flip_to_wrong"] == 0
    for sample in log.samples or []:
        assert sample.scores["trajectory_scorer"].value["final_correct"] == 1  # type: ignore[index]


def test_malformed_judgment_recovered_by_retry(tmp_path: Path) -> None:
    def flaky(messages: list[ChatMessage]) -> str:
        if messages[-1].text.startswith("Your reply could not be read"):
            return judgment(0.3, NEG_B)
        if arguments_seen(messages) == 0:
            return "Claim: answer B is the true answer\nFinal Prediction: maybe"
        return judgment(0.3, NEG_B)

    log = tqa(tmp_path, flaky)
    sample = log.samples[0]  # type: ignore[index]
    judgments = store(sample, "judgments")
    assert ps(sample) == [0.3, 0.3, 0.3]
    assert judgments[0]["retries"] == 1  # type: ignore[index]
    assert store(sample, "calls") == 5 + 1
    assert metrics(log)["parse_failure_rate"] == 0
    retry_infos = [e for e in sample.events if e.event == "info" and "format_retry" in str(e.data)]
    assert len(retry_infos) == 1


def test_malformed_judgment_never_recovers(tmp_path: Path) -> None:
    log = tqa(tmp_path, lambda messages: "I cannot answer that.", solver="single_shot")
    sample = log.samples[0]  # type: ignore[index]
    [only] = store(sample, "judgments")  # type: ignore[misc]
    assert only.get("p") is None and only["raw"] == "I cannot answer that." and only["retries"] == 2
    assert store(sample, "calls") == 3
    score = sample.scores["trajectory_scorer"]  # type: ignore[index]
    assert score.value["final_correct"] == 0 and score.value["parse_failures"] == 1  # type: ignore[index]
    m = metrics(log)
    assert m["parse_failure_rate"] == 1 and m["final_accuracy"] == 0


def test_unparsed_judgment_inside_the_market(tmp_path: Path) -> None:
    log = tqa(tmp_path, market_maker_by_round([0.6, None, 0.6, 0.6, 0.6]), max_format_retries=0)
    sample = log.samples[0]  # type: ignore[index]
    assert ps(sample) == [0.6, None, 0.6, 0.6, 0.6]  # the None breaks the first window
    assert store(sample, "stop_reason") == "converged"
    assert metrics(log)["parse_failure_rate"] == pytest.approx(1 / 5)


def test_roles_bound_to_different_models(tmp_path: Path) -> None:
    seen: dict[str, list[list[ChatMessage]]] = {"mm": [], "trader": []}

    def mm(messages: list[ChatMessage]) -> str:
        seen["mm"].append(messages)
        return market_maker_by_round([0.3, 0.6, 0.7, 0.65])(messages)

    def trader(messages: list[ChatMessage]) -> str:
        seen["trader"].append(messages)
        return f"Argument number {len(seen['trader'])} is decisive."

    log = tqa(tmp_path, mm, trader=scripted(trader))
    sample = log.samples[0]  # type: ignore[index]
    assert len(seen["mm"]) == 4 and len(seen["trader"]) == 3
    # the trader is myopic: it sees the current judgment, not earlier arguments
    assert "Final Prediction: 0.6" in seen["trader"][1][-1].text
    assert "Argument number 1" not in seen["trader"][1][-1].text
    # the market maker sees every earlier argument, not its own earlier judgments
    last = seen["mm"][-1][-1].text
    assert all(f"Argument number {i} is decisive." in last for i in (1, 2, 3))
    assert "Final Prediction: 0.7" not in last
    roles = {e.role for e in sample.events if e.event == "model"}
    assert roles == {"market_maker", "trader"}
    turns = store(sample, "turns")
    assert turns[0]["text"] == "Argument number 1 is decisive."  # type: ignore[index]


def test_each_round_is_a_span(tmp_path: Path) -> None:
    log = tqa(tmp_path, market_maker_by_round([0.3, 0.4, 0.45]))
    sample = log.samples[0]  # type: ignore[index]
    rounds = [e.name for e in sample.events if e.event == "span_begin" and e.type == "round"]
    assert rounds == ["round 1", "round 2", "round 3"]


def test_roles_default_to_the_main_model(tmp_path: Path) -> None:
    def both(messages: list[ChatMessage]) -> str:
        if "Final Prediction" in messages[0].text:
            return market_maker_by_round([0.9])(messages)
        return "Answer A is well established."

    from inspect_ai import eval

    [log] = eval(
        "inspect_market/truthfulqa",
        model=scripted(both),
        task_args={"data_path": FIXTURE},
        limit=2,
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success"
    assert metrics(log)["mean_calls"] == 5


@pytest.mark.parametrize(
    ("task_args", "message"),
    [
        ({"max_judgments": 0}, r"max_judgments must be an integer in \[1, 100\]"),
        ({"threshold": -1}, r"threshold must be a finite number in \[0, 1\]"),
        ({"window": 0}, r"window must be an integer in \[1, 10\]"),
        ({"solver": "auction"}, "unknown solver 'auction'"),
        ({"max_rounds": 3}, "takes no parameter 'max_rounds'"),
        ({"data_path": "/nonexistent/TruthfulQA.csv"}, "is not a file"),
    ],
)
def test_bad_arguments_fail_before_any_model_call(
    tmp_path: Path, task_args: dict[str, object], message: str
) -> None:
    calls: list[int] = []

    def never(messages: list[ChatMessage]) -> str:
        calls.append(1)
        return judgment(0.5)

    from inspect_ai import eval

    with pytest.raises(InspectMarketError, match=message):
        eval(
            "inspect_market/truthfulqa",
            model=scripted(never),
            task_args={"data_path": FIXTURE, **task_args},
            log_dir=str(tmp_path),
            display="none",
        )
    assert calls == []


def test_log_records_protocol_and_data_provenance(tmp_path: Path) -> None:
    import hashlib

    log = tqa(tmp_path, market_maker_by_round([0.9]))
    metadata = log.eval.metadata or {}
    assert metadata["protocol"] == "market_making" and metadata["task"] == "truthfulqa"
    assert metadata["data_source"] == str(Path(FIXTURE).resolve())
    assert metadata["data_sha256"] == hashlib.sha256(Path(FIXTURE).read_bytes()).hexdigest()


def test_model_error_saves_the_finished_rounds(tmp_path: Path) -> None:
    # The trader fails on its second call: the sample errors, its store keeps rounds 1-2.
    trades = iter(["Consider the evidence again.", None])

    def trader_script(messages: list[ChatMessage]) -> str:
        reply = next(trades)
        if reply is None:
            raise RuntimeError("trader provider down")
        return reply

    market_maker = scripted(market_maker_by_round([0.2, 0.8, 0.2]))
    log = run(
        "inspect_market/truthfulqa",
        {"market_maker": market_maker, "trader": scripted(trader_script)},
        tmp_path,
        task_args={"data_path": FIXTURE},
        limit=1,
        fail_on_error=False,
    )
    sample = log.samples[0]  # type: ignore[index]
    assert sample.error is not None and "trader provider down" in sample.error.message
    assert store(sample, "stop_reason") == "error"
    assert ps(sample) == [0.2, 0.8]
    assert store(sample, "calls") == 3 and len(store(sample, "turns")) == 1  # type: ignore[arg-type]
