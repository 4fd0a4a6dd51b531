"""The epoch reducer: one epoch passes through, several are averaged key by key (Inspect's mean)."""

from __future__ import annotations

import math
from pathlib import Path

from inspect_ai.scorer import Score

from inspect_market.scorers import epoch_mean
from tests.mocks import market_maker_by_round, metrics, run, scripted

FIXTURE = str(Path(__file__).parent / "fixtures" / "truthfulqa_mini.csv")


def test_one_epoch_passes_the_score_through() -> None:
    score = Score(value={"final_correct": 1, "final_p": math.nan}, answer="0.8")
    assert epoch_mean()([score]) is score


def test_several_epochs_average_each_key_and_skip_nan() -> None:
    reduced = epoch_mean()(
        [
            Score(value={"final_correct": 1, "final_p": math.nan, "calls": 5}),
            Score(value={"final_correct": 0, "final_p": 0.25, "calls": 8}),
            Score(value={"final_correct": 0, "final_p": 0.75, "calls": 8}),
        ]
    )
    assert reduced.value == {"final_correct": 1 / 3, "final_p": 0.5, "calls": 7}


def test_tasks_reduce_epochs_with_it(tmp_path: Path) -> None:
    roles = {
        "market_maker": scripted(market_maker_by_round([0.3, 0.4, 0.45])),
        "trader": scripted(lambda messages: "Consider the evidence again."),
    }
    log = run(
        "inspect_market/truthfulqa",
        roles,
        tmp_path,
        task_args={"data_path": FIXTURE},
        limit=2,
        epochs=2,
    )
    assert log.status == "success", log.error
    assert log.eval.config.epochs == 2
    [reducer] = log.eval.config.epochs_reducer or []
    assert reducer.endswith("epoch_mean")
    assert metrics(log)["mean_calls"] == 5
