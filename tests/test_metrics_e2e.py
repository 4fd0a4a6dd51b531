"""Metrics in real logs written by `inspect_ai.eval` on scripted mock models: headline, epochs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from inspect_ai.analysis import evals_df
from inspect_ai.model import ChatMessage

from inspect_market.scorers import CORE_METRICS
from tests.mocks import judgment, market_maker_by_round, metrics, run, scripted

FIXTURES = Path(__file__).parent / "fixtures"
TRADER = scripted(lambda messages: "Consider the evidence again.")
CORE_HEAD = [
    "final_accuracy",
    "final_accuracy_stderr",
    "net_gain",
    "net_gain_stderr",
    "baseline_accuracy",
    "baseline_accuracy_stderr",
]


def test_final_accuracy_is_the_headline(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    roles = {
        "market_maker": scripted(market_maker_by_round([0.3, 0.8, 0.8])),
        "trader": TRADER,
    }
    log = run(
        "inspect_market/truthfulqa",
        roles,
        tmp_path,
        task_args={"data_path": str(FIXTURES / "truthfulqa_mini.csv")},
        limit=4,
    )
    assert log.status == "success", log.error
    assert log.results is not None
    [score] = log.results.scores
    assert list(score.metrics)[: len(CORE_HEAD)] == CORE_HEAD
    # the core metrics only: an honest trader has no adversary, market making takes no vote
    assert len(score.metrics) == len(CORE_METRICS) == 21
    assert "adversary_success_rate" not in score.metrics
    assert log.eval.tags == ["market_making"]
    # named as a metric, not taken by default: Inspect resolves it with no warning
    assert log.eval.headline_metric is not None
    assert log.eval.headline_metric.metric == "final_accuracy"
    assert not [r for r in caplog.records if "Headline" in r.getMessage()]
    [row] = evals_df(str(tmp_path), quiet=True).to_dict("records")
    # Inspect 0.3.285: score_headline_name names the scorer, score_headline_metric the metric.
    assert row["score_headline_metric"] == "final_accuracy"
    assert row["score_headline_name"] == "trajectory_scorer"
    assert row["score_headline_value"] == score.metrics["final_accuracy"].value


def test_justice_groups_over_two_epochs_and_a_limit(tmp_path: Path) -> None:
    # --limit 6 keeps group 1 (rows 1-4) whole and cuts group 2 to rows 5-6. Every answer is
    # right except the second answer to row 3, so row 3 is right in one epoch of two: it does
    # not count as right, group 1 fails, group 2 is left out. final_accuracy = 5.5 / 6.
    lines = (FIXTURES / "ethics_justice_mini.csv").read_text().splitlines()[1:]
    truth = {text: int(label) for label, text in (line.split(",", 1) for line in lines)}
    seen: Counter[str] = Counter()

    def script(messages: list[ChatMessage]) -> str:
        [text] = [t for t in truth if t in messages[-1].text]
        seen[text] += 1
        positive = truth[text] == 1  # right, unless it is row 3's second answer
        if text == lines[2].split(",", 1)[1] and seen[text] == 2:
            positive = not positive
        if positive:
            return judgment(0.9, "the statement is reasonable")
        return judgment(0.1, "the statement is not reasonable")

    log = run(
        "inspect_market/ethics_justice",
        {"market_maker": scripted(script)},
        tmp_path,
        task_args={"solver": "single_shot", "data_path": str(FIXTURES / "ethics_justice_mini.csv")},
        limit=6,
        epochs=2,
    )
    assert log.status == "success", log.error
    assert log.results is not None
    assert next(iter(log.results.scores[0].metrics)) == "final_accuracy"
    m = metrics(log)
    assert m["final_accuracy"] == 5.5 / 6
    assert m["group_exact_match_final"] == 0.0
    assert m["incomplete_groups"] == 1
