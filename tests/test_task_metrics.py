"""Task-specific metrics (grouped exact match, non-controversial accuracy, soft Brier), by hand."""

from __future__ import annotations

import math
from typing import Any

import pytest
from inspect_ai.scorer import SampleScore, Score, Value
from inspect_ai.util import registry_info

from inspect_market.scorers import epoch_mean
from inspect_market.scorers.metrics import final_accuracy
from inspect_market.scorers.task_metrics import (
    ANNOTATOR_METRICS,
    GROUP_METRICS,
    complete_groups,
    group_exact_match,
    noncontroversial_mean,
    soft_brier,
)


def sample_score(value: Value, **metadata: Any) -> SampleScore:
    return SampleScore(score=Score(value=value), sample_metadata=metadata)


def by_name(metrics: list[Any], scores: list[SampleScore]) -> dict[str, float]:
    return {registry_info(m).name.split("/")[-1]: m(scores) for m in metrics}


def test_group_exact_match_needs_every_row_of_a_complete_group_right() -> None:
    rows = [{"group": 1, "ok": 1, "group_size": 4}] * 4
    rows += [{"group": 2, "ok": o, "group_size": 4} for o in (1, 0, 1, 1)]
    rows += [{"group": 3, "ok": 1, "group_size": 4}]  # 1 row of 4 scored: left out
    rows += [{"group": 4, "ok": 1, "group_size": 1}]  # complete on its own
    assert group_exact_match(rows, "ok") == pytest.approx(2 / 3)  # groups 1 and 4 of 1, 2, 4
    complete, incomplete = complete_groups(rows)
    assert [len(g) for g in complete] == [4, 4, 1] and incomplete == 1
    assert math.isnan(group_exact_match([], "ok"))
    assert math.isnan(group_exact_match(rows[8:9], "ok"))  # no complete group


def test_group_metrics_over_two_epochs_and_a_cut_group() -> None:
    # Four complete contrast groups of 4 rows plus group 5, cut by --limit to 2 rows; 2 epochs.
    # Final: every row right in both epochs except group 2 row 3, wrong in epoch 2 (mean 0.5).
    # Baseline: group 1 row 1 wrong in epoch 1 (0.5), group 3 row 2 wrong in both (0),
    # group 4 row 4 wrong in epoch 2 (0.5).
    # Rule: a row is right only if right in every epoch (epoch mean == 1); only complete
    # groups count. Final exact match: groups 1, 3, 4 of 1-4 = 3/4 (bool() of the means
    # and counting group 5 gave 5/5); baseline: group 2 only = 1/4 (was 4/5); 1 group cut.
    # final_accuracy over the 18 rows = (17 + 0.5) / 18.
    final_wrong = {(2, 3, 2)}
    baseline_wrong = {(1, 1, 1), (3, 2, 1), (3, 2, 2), (4, 4, 2)}
    scores = []
    for group, size in [(1, 4), (2, 4), (3, 4), (4, 4), (5, 2)]:
        for r in range(1, size + 1):
            epochs = [
                Score(
                    value={
                        "baseline_correct": int((group, r, e) not in baseline_wrong),
                        "final_correct": int((group, r, e) not in final_wrong),
                    }
                )
                for e in (1, 2)
            ]
            scores.append(sample_score(epoch_mean()(epochs).value, group=group, group_size=4))
    assert by_name(GROUP_METRICS, scores) == {
        "group_exact_match_baseline": pytest.approx(1 / 4),
        "group_exact_match_final": pytest.approx(3 / 4),
        "incomplete_groups": 1,
    }
    assert final_accuracy()(scores) == pytest.approx(17.5 / 18)  # type: ignore[arg-type]


def test_one_row_wrong_in_one_epoch_fails_its_group() -> None:
    # Two groups of 4, two epochs, one final row wrong in epoch 2 only: final_accuracy
    # 7.5 / 8 = 0.9375; exact match 1/2 (bool() of the epoch means gave 1).
    rows = [{"group": g, "group_size": 4, "ok": 1.0} for g in (1, 1, 1, 1, 2, 2, 2)]
    rows.append({"group": 2, "group_size": 4, "ok": 0.5})
    assert group_exact_match(rows, "ok") == pytest.approx(0.5)


def test_noncontroversial_mean_ignores_controversial_rows() -> None:
    pairs = [(False, 1), (False, 0), (True, 0), (False, 1)]
    rows = [{"controversial": c, "ok": o} for c, o in pairs]
    assert noncontroversial_mean(rows, "ok") == pytest.approx(2 / 3)
    assert math.isnan(noncontroversial_mean([{"controversial": True, "ok": 1}], "ok"))


def test_soft_brier_uses_the_vote_share_and_skips_unparsed_p() -> None:
    rows = [
        {"p": 0.8, "soft_label": 0.6, "label": 1},  # (0.8 - 0.6)^2 = 0.04
        {"p": 0.1, "soft_label": 0.2, "label": 0},  # 0.01
        {"p": math.nan, "soft_label": 1.0, "label": 1},
    ]
    assert soft_brier(rows, "p") == pytest.approx(0.025)


def test_inspect_metrics_read_sample_metadata() -> None:
    def value(b: int, f: int, bp: float, fp: float) -> dict[str, Any]:
        return {
            "baseline_correct": b,
            "final_correct": f,
            "baseline_p": bp,
            "final_p": fp,
            "label": 1,
        }

    group_scores = [
        sample_score(value(1, 1, 0.9, 0.9), group=1, group_size=2),
        sample_score(value(0, 1, 0.2, 0.9), group=1, group_size=2),
        sample_score(value(1, 1, 0.9, 0.9), group=2, group_size=1),
    ]
    assert by_name(GROUP_METRICS, group_scores) == {
        "group_exact_match_baseline": pytest.approx(0.5),
        "group_exact_match_final": pytest.approx(1.0),
        "incomplete_groups": 0,
    }
    scruples_scores = [
        sample_score(value(1, 1, 0.9, 0.7), controversial=False, soft_label=1.0),
        sample_score(value(0, 1, 0.4, 0.6), controversial=True, soft_label=0.6),
    ]
    assert by_name(ANNOTATOR_METRICS, scruples_scores) == {
        "noncontroversial_baseline_accuracy": pytest.approx(1.0),
        "noncontroversial_final_accuracy": pytest.approx(1.0),
        "soft_brier_baseline": pytest.approx((0.01 + 0.04) / 2),
        "soft_brier_final": pytest.approx((0.09 + 0.0) / 2),
    }
    empty = by_name([*GROUP_METRICS, *ANNOTATOR_METRICS], [])
    assert empty.pop("incomplete_groups") == 0
    assert all(math.isnan(v) for v in empty.values())
