"""Metrics against values computed by hand."""

from __future__ import annotations

import math

import pytest
from inspect_ai.scorer import SampleScore, Score, stderr
from inspect_ai.util import Store, registry_info

from inspect_market.scorers import CORE_METRICS, epoch_mean, score_trajectory
from inspect_market.scorers.metrics import (
    adversary_success_rate,
    brier,
    flip_rate,
    log_loss,
    mean_of,
    ratio_of,
    score_values,
    squared_error,
    stderr_of,
    vote_baseline_accuracy,
)
from inspect_market.trajectory import Judgment, Trajectory


def row(label: int, bp: float, fp: float, **extra: float) -> dict[str, float]:
    """A score dict with correctness and flips derived from p by the decision rule."""

    def correct(p: float) -> int:
        return int(not math.isnan(p) and p != 0.5 and (p > 0.5) == bool(label))

    before, after = correct(bp), correct(fp)
    base = {
        "label": label,
        "baseline_p": bp,
        "final_p": fp,
        "baseline_correct": before,
        "final_correct": after,
        "flipped_to_correct": int(before == 0 and after == 1),
        "flipped_to_wrong": int(before == 1 and after == 0),
        "baseline_claim_correct": 0,
        "final_claim_correct": 0,
        "judgments": 3,
        "converged": 1,
        "parse_failures": 0,
        "parsed": 3,
        "consistent": 3,
        "format_retries": 0,
        "calls": 5,
        "input_tokens": 100,
        "output_tokens": 20,
        "stopped_by_limit": 0,
    }
    return {**base, **extra}


# Seven samples, worked by hand (b = baseline correct, f = final correct, d = f - b):
#   1: label 1, p 0.3 -> 0.8   b 0  f 1  d +1   wrong -> right
#   2: label 0, p 0.2 -> 0.6   b 1  f 0  d -1   right -> wrong
#   3: label 1, p 0.9 -> 0.7   b 1  f 1  d  0
#   4: label 0, p 0.5 -> NaN   b 0  f 0  d  0   undecided -> unparsed
#   5: label 0, p 0.6 -> 0.1   b 0  f 1  d +1   wrong -> right
#   6: label 1, p 0.8 -> 0.9   b 1  f 1  d  0
#   7: label 0, p 0.4 -> 0.3   b 1  f 1  d  0
# Asymmetric on purpose: net gain 1/7 != 0, flips 2/7 != 1/7, baseline and final correctness
# correlated (so the paired net_gain stderr differs from the unpaired one, sqrt(11/147)).
ROWS = [
    row(
        1,
        0.3,
        0.8,
        judgments=3,
        converged=1,
        calls=5,
        parsed=3,
        consistent=2,
        final_claim_correct=1,
        adversary_success=1,
        vote_baseline_correct=1,
    ),
    row(
        0,
        0.2,
        0.6,
        judgments=10,
        converged=0,
        calls=19,
        parsed=10,
        consistent=10,
        input_tokens=400,
        adversary_success=0,
    ),
    row(
        1,
        0.9,
        0.7,
        baseline_claim_correct=1,
        final_claim_correct=1,
        adversary_success=1,
        vote_baseline_correct=0,
    ),
    row(
        0,
        0.5,
        math.nan,
        judgments=4,
        calls=9,
        parse_failures=1,
        parsed=3,
        consistent=0,
        output_tokens=60,
        stopped_by_limit=1,
    ),
    row(0, 0.6, 0.1, final_claim_correct=1),
    row(1, 0.8, 0.9),
    row(
        0,
        0.4,
        0.3,
        judgments=5,
        converged=0,
        calls=9,
        parse_failures=2,
        parsed=3,
        consistent=1,
        baseline_claim_correct=1,
    ),
]
EXPECTED = {
    # f = 1,0,1,0,1,1,1
    "final_accuracy": 5 / 7,
    # mean 5/7; squared deviations 5 * (2/7)^2 + 2 * (5/7)^2 = 70/49; var = 70/49 / 6 = 5/21;
    # stderr = sqrt(5/21 / 7)
    "final_accuracy_stderr": math.sqrt(5 / 147),
    "net_gain": 5 / 7 - 4 / 7,
    # d = 1,-1,0,0,1,0,0: mean 1/7; sum (d - 1/7)^2 = 3 - 7 * (1/7)^2 = 20/7; var = 20/42;
    # stderr = sqrt(10/21 / 7)
    "net_gain_stderr": math.sqrt(10 / 147),
    # b = 0,1,1,0,0,1,1
    "baseline_accuracy": 4 / 7,
    # mean 4/7; 4 * (3/7)^2 + 3 * (4/7)^2 = 84/49; var = 84/49 / 6 = 2/7; stderr = sqrt(2/7 / 7)
    "baseline_accuracy_stderr": math.sqrt(2 / 49),
    "flip_to_correct": 2 / 7,  # samples 1 and 5
    "flip_to_wrong": 1 / 7,  # sample 2
    # .49 + .04 + .01 + .25 + .36 + .04 + .16 = 1.35
    "brier_baseline": 1.35 / 7,
    # .04 + .36 + .09 + .01 + .01 + .09 = 0.60 over the 6 parsed
    "brier_final": 0.60 / 6,
    # P(true outcome): baseline .3 .8 .9 .5 .4 .8 .6; final .8 .4 .7 - .9 .9 .7 (6 parsed)
    "log_loss_baseline": -(
        math.log(0.3)
        + 2 * math.log(0.8)
        + math.log(0.9)
        + math.log(0.5)
        + math.log(0.4)
        + math.log(0.6)
    )
    / 7,
    "log_loss_final": -(math.log(0.8) + math.log(0.4) + 2 * math.log(0.7) + 2 * math.log(0.9)) / 6,
    "baseline_claim_accuracy": 2 / 7,  # samples 3 and 7
    "final_claim_accuracy": 3 / 7,  # samples 1, 3 and 5
    "mean_judgments": (3 + 10 + 3 + 4 + 3 + 3 + 5) / 7,
    "converged_rate": 5 / 7,
    "parse_failure_rate": 3 / 31,
    # consistent 2 + 10 + 3 + 0 + 3 + 3 + 1 = 22 of parsed 3 + 10 + 3 + 3 + 3 + 3 + 3 = 28
    "claim_consistency_rate": 22 / 28,
    "mean_calls": (5 + 19 + 5 + 9 + 5 + 5 + 9) / 7,
    # input 400 + 6 * 100 = 1000, output 60 + 6 * 20 = 180
    "mean_tokens": 1000 / 7 + 180 / 7,
    "stopped_by_limit_rate": 1 / 7,  # sample 4
    # protocol metrics: only samples 1-3 had an adversary: it won 1 and 3
    "adversary_success_rate": 2 / 3,
    # votes only in samples 1 and 3 (absent elsewhere): right in 1
    "vote_baseline_accuracy": 1 / 2,
}


def sample_scores(rows: list[dict[str, float]]) -> list[SampleScore]:
    return [SampleScore(score=Score(value=r), sample_id=i) for i, r in enumerate(rows)]


def compute(scores: list[SampleScore]) -> dict[str, float]:
    every = [*CORE_METRICS, adversary_success_rate(), vote_baseline_accuracy()]
    return {registry_info(m).name.split("/")[-1]: m(scores) for m in every}  # type: ignore[arg-type, misc]


def test_metrics_match_hand_computed_values() -> None:
    got = compute(sample_scores(ROWS))
    assert list(got) == list(EXPECTED)  # the order too: final_accuracy is the headline
    for name, value in EXPECTED.items():
        assert got[name] == pytest.approx(value, rel=1e-12), name


def test_stderr_matches_inspect_stderr() -> None:
    finals = [SampleScore(score=Score(value=r["final_correct"])) for r in ROWS]
    inspect_stderr = stderr()(finals)  # type: ignore[arg-type]
    assert inspect_stderr == pytest.approx(EXPECTED["final_accuracy_stderr"], rel=1e-12)


def test_every_metric_is_nan_on_no_samples() -> None:
    assert all(math.isnan(v) for v in compute([]).values())


def test_stderr_needs_two_samples() -> None:
    assert math.isnan(stderr_of([])) and math.isnan(stderr_of([1.0]))
    assert stderr_of([0.0, 1.0]) == pytest.approx(0.5)  # std sqrt(1/2), / sqrt(2)


def test_pure_helpers_on_edge_cases() -> None:
    assert flip_rate(ROWS, 0, 1) == pytest.approx(2 / 7)
    assert flip_rate(ROWS, 1, 0) == pytest.approx(1 / 7)
    assert math.isnan(flip_rate([], 0, 1)) and math.isnan(mean_of([], "calls"))
    assert math.isnan(ratio_of([{"a": 1, "b": 0}], "a", "b"))
    assert math.isnan(brier([{"p": math.nan, "label": 1}], "p"))


def test_metrics_reject_a_non_dict_score() -> None:
    with pytest.raises(TypeError, match="dict scores of trajectory_scorer"):
        score_values(SampleScore(score=Score(value=1.0)))


def test_flips_are_exact_over_epochs() -> None:
    # Two epochs of three samples (b -> f):
    #   1: epoch 1 0 -> 1, epoch 2 1 -> 1     2: 1 -> 0, then 1 -> 1     3: 0 -> 1 twice
    # Per epoch: flip_to_correct 2/3 and 1/3, flip_to_wrong 1/3 and 0: means 1/2 and 1/6.
    # (A rate counting only reduced rows exactly 0 -> 1 would give 1/3 and 0.)
    epochs = {
        1: [row(1, 0.3, 0.8), row(1, 0.9, 0.9)],
        2: [row(1, 0.9, 0.2), row(1, 0.9, 0.9)],
        3: [row(1, 0.3, 0.8), row(1, 0.3, 0.8)],
    }
    reduced = [
        SampleScore(score=epoch_mean()([Score(value=r) for r in rs]), sample_id=i)
        for i, rs in epochs.items()
    ]
    got = compute(reduced)
    assert got["flip_to_correct"] == pytest.approx(1 / 2)
    assert got["flip_to_wrong"] == pytest.approx(1 / 6)
    assert got["baseline_accuracy"] == pytest.approx((0.5 + 1 + 0) / 3)
    assert got["final_accuracy"] == pytest.approx((1 + 0.5 + 1) / 3)


def judgment(p: float | None, side: int | None, retries: int = 0) -> Judgment:
    return Judgment(
        role="market_maker",
        claim="c",
        claim_side=side,
        reasoning="r",
        p=p,
        raw="raw",
        retries=retries,
    )


def test_score_of_a_trajectory() -> None:
    trajectory = Trajectory(
        store=Store(),
        protocol="market_making",
        judgments=[judgment(0.3, 1), judgment(None, None, retries=2), judgment(0.8, 1)],
        final_p=0.8,
        final_claim_side=1,
        stop_reason="max_judgments",
        calls=7,
        input_tokens=70,
        output_tokens=35,
    )
    value = score_trajectory(trajectory, label=1).value
    assert isinstance(value, dict)
    assert value["baseline_correct"] == 0 and value["final_correct"] == 1
    assert value["baseline_claim_correct"] == 1 and value["final_claim_correct"] == 1
    assert value["parse_failures"] == 1 and value["parsed"] == 2
    assert value["consistent"] == 1  # 0.3 with the positive claim is inconsistent
    assert value["format_retries"] == 2 and value["converged"] == 0
    assert value["judgments"] == 3 and value["calls"] == 7
    assert value["flipped_to_correct"] == 1 and value["flipped_to_wrong"] == 0


def test_unparsed_final_counts_as_wrong() -> None:
    trajectory = Trajectory(
        store=Store(), judgments=[judgment(None, None)], final_p=None, stop_reason="single"
    )
    value = score_trajectory(trajectory, label=0).value
    assert isinstance(value, dict)
    assert value["final_correct"] == 0 and math.isnan(value["final_p"])


def test_adversary_and_vote_keys_exist_only_where_the_protocol_has_them() -> None:
    plain = score_trajectory(
        Trajectory(store=Store(), judgments=[judgment(0.9, 1)], final_p=0.9, final_claim_side=1),
        label=1,
    ).value
    assert isinstance(plain, dict)
    assert "adversary_success" not in plain and "vote_baseline_correct" not in plain
    assert not any(isinstance(v, float) and math.isnan(v) for v in plain.values())


def test_a_sample_a_limit_stopped_before_any_judgment_is_scored_wrong() -> None:
    value = score_trajectory(Trajectory(store=Store(), stop_reason="limit"), label=1).value
    assert isinstance(value, dict)
    assert value["stopped_by_limit"] == 1 and value["judgments"] == 0
    assert value["final_correct"] == 0 and value["baseline_correct"] == 0
    with pytest.raises(ValueError, match="holds no judgment"):
        score_trajectory(Trajectory(store=Store(), stop_reason="error"), label=1)


@pytest.mark.parametrize(
    ("final_side", "adversary", "votes", "success", "vote_correct"),
    [
        (0, 0, [0, 0, 1], 1, 0),  # the adversary's side won; the vote is negative
        (1, 0, [1, 0, 1], 0, 1),
        (None, 0, [1, 0, None], 0, 0),  # no final claim is no success; a tied vote is wrong
    ],
)
def test_adversary_success_and_vote_baseline(
    final_side: int | None, adversary: int, votes: list[int | None], success: int, vote_correct: int
) -> None:
    trajectory = Trajectory(
        store=Store(),
        judgments=[judgment(0.9, 1)],
        final_p=0.2,
        final_claim_side=final_side,
        adversary_side=adversary,
        baseline_votes=votes,
    )
    value = score_trajectory(trajectory, label=1).value
    assert isinstance(value, dict)
    assert value["adversary_success"] == success and value["vote_baseline_correct"] == vote_correct


def test_right_to_wrong_is_a_flip_to_wrong() -> None:
    trajectory = Trajectory(
        store=Store(), judgments=[judgment(0.9, 1), judgment(0.2, 0)], final_p=0.2
    )
    value = score_trajectory(trajectory, label=1).value
    assert isinstance(value, dict)
    assert value["flipped_to_correct"] == 0 and value["flipped_to_wrong"] == 1


def test_log_loss_clips_the_probability_of_the_true_outcome() -> None:
    # p = 1.0 for a label 0 is clipped to 1 - 1e-6; p = 0.0 for a label 0 to 1e-6 from 1
    certain_wrong = {"label": 0, "final_p": 1.0}
    assert log_loss(certain_wrong, "final") == pytest.approx(-math.log(1e-6))
    assert log_loss({"label": 0, "final_p": 0.0}, "final") == pytest.approx(-math.log(1 - 1e-6))
    assert math.isnan(log_loss({"label": 1, "final_p": math.nan}, "final"))
    # K outcomes: the true option's probability, and the Brier sum over the options
    row = {"label": 2, "options": 3, "final_p_A": 0.2, "final_p_B": 0.3, "final_p_C": 0.5}
    assert log_loss(row, "final") == pytest.approx(-math.log(0.5))
    assert squared_error(row, "final") == pytest.approx(0.04 + 0.09 + 0.25)
