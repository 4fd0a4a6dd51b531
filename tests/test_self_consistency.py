"""The self-consistency solver: sampling config, aggregation, calls and scoring."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.model import Model

from inspect_market.errors import InspectMarketError
from inspect_market.solvers import self_consistency
from inspect_market.solvers.self_consistency import aggregate
from inspect_market.trajectory import Judgment
from tests.mocks import (
    NEG_B,
    POS_A,
    TQA_FIXTURE,
    judgment,
    metrics,
    recording,
    run_truthfulqa,
    score_of,
    stored,
)

FIXTURE = str(TQA_FIXTURE)


def in_turn(replies: list[str]) -> Any:
    """A script answering the k-th call with replies[k] (the last one repeats)."""
    calls = itertools.count()
    return lambda messages: replies[min(next(calls), len(replies) - 1)]


def tqa_sc(tmp_path: Path, model: Model, limit: int = 1, **args: Any) -> EvalLog:
    return run_truthfulqa(
        tmp_path, {"market_maker": model}, limit, solver="self_consistency", **args
    )


def store(sample: EvalSample, key: str) -> Any:
    return sample.store[f"Trajectory:{key}"]


def made(p: float | None, side: int | None) -> Judgment:
    return Judgment(role="market_maker", claim=None, claim_side=side, reasoning=None, p=p, raw="")


@pytest.mark.parametrize(
    ("judgments", "expected"),
    [
        ([made(0.9, 1), made(0.2, 0), made(0.4, 0)], (0.5, 0)),
        ([made(0.8, 1), made(0.7, 1), made(0.2, 0), made(0.1, 0)], (0.45, None)),  # tie
        ([made(0.8, 1), made(None, None), made(0.6, None)], (0.7, 1)),  # unmatched claims ignored
        ([made(None, 0), made(None, None)], (None, 0)),
        ([made(None, None)], (None, None)),
    ],
)
def test_aggregate(judgments: list[Judgment], expected: tuple[float | None, int | None]) -> None:
    p, side, _, _ = aggregate(judgments)
    assert (p if p is None else pytest.approx(p), side) == expected


@pytest.mark.parametrize(("args", "temperature"), [({}, 0.7), ({"temperature": 1.1}, 1.1)])
def test_calls_and_temperature(tmp_path: Path, args: dict[str, Any], temperature: float) -> None:
    model, calls = recording(lambda messages: judgment(0.3, NEG_B))
    log = tqa_sc(tmp_path, model, **args)
    sample = log.samples[0]  # type: ignore[index]
    assert len(calls) == 5 and stored(sample, "calls") == 5
    assert [config.temperature for _, config in calls] == [temperature] * 5
    assert stored(sample, "protocol") == "self_consistency"
    assert stored(sample, "stop_reason") == "samples_done"
    m = metrics(log)
    assert m["mean_calls"] == 5 and m["mean_tokens"] == 5 * 15 and m["mean_judgments"] == 5


def test_baseline_first_final_mean(tmp_path: Path) -> None:
    # Sample 1 has label 0. Baseline p 0.9 (wrong); mean p 2.4 / 5 = 0.48 (right); claims 2:3 -> B.
    ps = [0.9, 0.2, 0.4, 0.3, 0.6]
    model, _ = recording(in_turn([judgment(p, POS_A if p > 0.5 else NEG_B) for p in ps]))
    log = tqa_sc(tmp_path, model)
    sample = log.samples[0]  # type: ignore[index]
    assert [j["p"] for j in stored(sample, "judgments")] == ps
    assert stored(sample, "final_p") == pytest.approx(0.48)
    assert stored(sample, "final_claim_side") == 0
    assert sample.output.completion == "Mean p of 5 parsed judgment(s) of 5: 0.48"
    score = score_of(sample)
    assert score["baseline_p"] == 0.9 and score["final_p"] == pytest.approx(0.48)
    m = metrics(log)
    assert m["baseline_accuracy"] == 0 and m["final_accuracy"] == 1 and m["net_gain"] == 1
    assert m["baseline_claim_accuracy"] == 0 and m["final_claim_accuracy"] == 1
    assert m["brier_baseline"] == pytest.approx(0.81)
    assert m["brier_final"] == pytest.approx(0.48**2)


def test_samples_parameter_and_partly_unparsed(tmp_path: Path) -> None:
    model, calls = recording(in_turn([judgment(0.8, POS_A), "No idea."]))
    log = tqa_sc(tmp_path, model, samples=2, max_format_retries=1)
    sample = log.samples[0]  # type: ignore[index]
    # one judgment parses at once; the other fails, is re-asked once and fails again
    assert len(calls) == 3 and stored(sample, "calls") == 3
    assert [config.temperature for _, config in calls] == [0.7] * 3  # the re-ask samples too
    assert stored(sample, "final_p") == 0.8
    assert metrics(log)["parse_failure_rate"] == 0.5


def test_none_parsed(tmp_path: Path) -> None:
    model, calls = recording(lambda messages: "I cannot say.")
    log = tqa_sc(tmp_path, model, limit=2)
    assert len(calls) == 2 * 5 * 3  # two samples, five judgments, each asked three times
    for sample in log.samples or []:
        assert stored(sample, "final_p") is None
        for recorded in stored(sample, "judgments"):
            assert recorded.get("p") is None and recorded["raw"] == "I cannot say."
            assert recorded["retries"] == 2
        assert score_of(sample)["final_correct"] == 0
    m = metrics(log)
    assert m["parse_failure_rate"] == 1 and m["final_accuracy"] == 0 and m["mean_calls"] == 15


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"samples": 0}, "samples must be an integer in \\[1, 100\\]"),
        ({"samples": 1000}, "samples must be an integer in \\[1, 100\\], got 1000"),
        ({"temperature": float("nan")}, "temperature must be a finite number > 0"),
        ({"temperature": 0}, "temperature must be a finite number > 0"),
        ({"temperature": -0.5}, "temperature must be a finite number > 0"),
        ({"temperature": "hot"}, "temperature must be a finite number > 0"),
    ],
)
def test_bad_parameters_fail_before_any_model_call(
    tmp_path: Path, args: dict[str, Any], message: str
) -> None:
    model, calls = recording(lambda messages: judgment(0.5))
    with pytest.raises(InspectMarketError, match=message):
        self_consistency(**args)
    with pytest.raises(InspectMarketError, match=message):
        eval(
            "inspect_market/truthfulqa",
            model=model,
            task_args={"data_path": FIXTURE, "solver": "self_consistency", **args},
            log_dir=str(tmp_path),
            display="none",
        )
    assert calls == []
