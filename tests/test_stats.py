"""Report statistics against hand-computed values."""

from __future__ import annotations

import math

import pytest

from inspect_market.report.stats import (
    bootstrap_ci,
    calibration_bins,
    discordant_pairs,
    ece,
    mcnemar_exact,
    paired_bootstrap_ci,
    sample_differences,
)


def test_bootstrap_two_pairs_has_exact_percentiles() -> None:
    # Differences [0, 1]: resampled means are 0, 0.5, 1 with chances 1/4, 1/2, 1/4, so the
    # 2.5th percentile is 0 and the 97.5th is 1.
    assert paired_bootstrap_ci([1, 0], [1, 1], seed=3) == (0.0, 1.0)


def test_bootstrap_constant_difference_is_a_point() -> None:
    assert paired_bootstrap_ci([0, 0, 0], [1, 1, 1]) == (1.0, 1.0)


def test_bootstrap_seeded_interval_is_exact_and_near_the_normal_one() -> None:
    # 60 wrong->right, 20 right->wrong, 120 unchanged: d has mean 0.2, variance
    # 80/200 - 0.2^2 = 0.36, so the normal 95% interval is 0.2 -+ 1.96 * 0.6 / sqrt(200),
    # [0.117, 0.283]; seed 7's percentile interval (10,000 resamples) is [0.12, 0.285].
    before = [0] * 60 + [1] * 20 + [1] * 60 + [0] * 60
    after = [1] * 60 + [0] * 20 + [1] * 60 + [0] * 60
    assert paired_bootstrap_ci(before, after, seed=7) == (0.12, 0.285)
    # The 50% interval: the 25th and 75th percentiles of the same resampled means.
    assert paired_bootstrap_ci(before, after, seed=7, confidence=0.5) == (0.175, 0.23)


def test_sample_differences_average_each_cluster_in_key_order() -> None:
    before, after = [0, 0, 1, 0, 1, 1], [1, 1, 0, 1, 1, 0]
    assert sample_differences(before, after).tolist() == [1, 1, -1, 1, 0, -1]
    clusters = ["d", "d", "a", "c", "c", "b"]
    assert sample_differences(before, after, clusters).tolist() == [-1, -1, 0.5, 1]


def test_clustered_bootstrap_resamples_samples_not_rows() -> None:
    before, after = [0, 0, 1, 0, 1, 1], [1, 1, 0, 1, 1, 0]
    clustered = paired_bootstrap_ci(before, after, [1, 1, 2, 3, 3, 4])
    assert clustered == paired_bootstrap_ci([0, 0, 0, 0], [1, -1, 0.5, -1]) == (-1.0, 0.75)
    # Three identical epochs of four samples: the interval of the four samples, not of 12 rows.
    once_b, once_a = [0, 1, 1, 0], [1, 1, 0, 1]
    assert paired_bootstrap_ci(once_b, once_a) == (-0.5, 1.0)
    assert paired_bootstrap_ci(once_b * 3, once_a * 3, [1, 2, 3, 4] * 3) == (-0.5, 1.0)
    assert paired_bootstrap_ci(once_b * 3, once_a * 3) == (-0.25, 2 / 3)


def test_bootstrap_ci_of_a_mean_by_hand_and_per_sample() -> None:
    # Means of 4 draws from 1 1 0 1: P(0) = 0.004 < 0.025 < P(<= 0.25) = 0.051 and
    # P(1) = 0.32, so the 95% interval is [0.25, 1].
    assert bootstrap_ci([1, 1, 0, 1]) == (0.25, 1.0)
    # Two rows per sample (in another order) are one sample each: the same interval.
    assert bootstrap_ci([1, 0, 1, 1, 1, 0, 1, 1], ["d", "c", "a", "b", "a", "c", "d", "b"]) == (
        0.25,
        1.0,
    )
    assert all(math.isnan(bound) for bound in bootstrap_ci([]))


def test_clustered_mcnemar_counts_samples() -> None:
    # Per sample mean differences: +1, +1, 0 (one epoch each way), -0.5 -> 2 up, 1 down.
    before = [0, 0, 0, 0, 1, 0, 1, 1]
    after = [1, 1, 1, 1, 0, 1, 1, 0]
    clusters = [1, 1, 2, 2, 3, 3, 4, 4]
    assert discordant_pairs(before, after, clusters) == (2, 1)
    assert discordant_pairs(before, after) == (5, 2)
    assert mcnemar_exact(before, after, clusters) == 1.0
    five_up = [0] * 10, [1] * 10
    assert mcnemar_exact(*five_up, [1, 2, 3, 4, 5] * 2) == 2 * 0.5**5
    assert mcnemar_exact(*five_up) == 2 * 0.5**10


def test_bootstrap_is_seeded() -> None:
    before, after = [0, 1, 0, 1, 1, 0, 0, 1], [1, 1, 0, 0, 1, 1, 1, 1]
    assert paired_bootstrap_ci(before, after, seed=1) == paired_bootstrap_ci(before, after, seed=1)
    assert paired_bootstrap_ci(before, after, seed=1) != paired_bootstrap_ci(before, after, seed=2)
    # The default seed is 0: seed 0 gives [-0.25, 0.625], seed 1 [-0.25, 0.75].
    assert paired_bootstrap_ci(before, after) == (-0.25, 0.625)
    assert paired_bootstrap_ci(before, after, seed=1) == (-0.25, 0.75)


def test_bootstrap_of_nothing_is_nan_and_of_one_pair_a_point() -> None:
    assert all(math.isnan(v) for v in paired_bootstrap_ci([], []))
    assert paired_bootstrap_ci([0], [1]) == (1.0, 1.0)


def test_discordant_pairs() -> None:
    assert discordant_pairs([0, 0, 1, 1, 0], [1, 1, 0, 1, 0]) == (2, 1)


@pytest.mark.parametrize(
    ("to_right", "to_wrong", "expected"),
    [
        (5, 0, 2 * 0.5**5),  # 0.0625
        (1, 4, (1 + 5 + 5 + 1) / 32),  # P(X<=1) + P(X>=4), X ~ Bin(5, 1/2)
        (3, 3, 1.0),
        (0, 0, 1.0),  # no discordant pair: no evidence either way
        (10, 2, 2 * (1 + 12 + 66) / 4096),  # 2 * P(X<=2), X ~ Bin(12, 1/2)
    ],
)
def test_mcnemar_exact(to_right: int, to_wrong: int, expected: float) -> None:
    unchanged = [1, 0, 1]  # concordant pairs do not enter the test
    before = [0] * to_right + [1] * to_wrong + unchanged
    after = [1] * to_right + [0] * to_wrong + unchanged
    assert mcnemar_exact(before, after) == pytest.approx(expected)


def test_calibration_bins_and_ece() -> None:
    p = [0.05, 0.15, 0.95, 0.95, 1.0, math.nan]
    label = [0, 1, 1, 0, 1, 1]
    bins = calibration_bins(p, label)
    assert bins["bin"].tolist() == [0, 1, 9]  # 1.0 falls in the last bin, NaN is left out
    assert bins["count"].tolist() == [1, 1, 3]
    assert bins["mean_p"].tolist() == pytest.approx([0.05, 0.15, (0.95 + 0.95 + 1.0) / 3])
    assert bins["frequency"].tolist() == pytest.approx([0, 1, 2 / 3])
    # |0.05 - 0| * 1/5 + |0.15 - 1| * 1/5 + |0.9667 - 0.6667| * 3/5
    assert ece(p, label) == pytest.approx(0.05 / 5 + 0.85 / 5 + 0.3 * 3 / 5)


def test_a_p_on_a_bin_edge_belongs_to_the_bin_above() -> None:
    # Bin i is [i/10, (i+1)/10); 1.0 joins bin 9. So 0.1 is in bin 1, 0.7 in bin 7, 0.3 and
    # 0.39 share bin 3, 0.69 is in bin 6.
    p = [0.0, 0.1, 0.3, 0.39, 0.69, 0.7, 0.9, 1.0]
    label = [0, 1, 0, 1, 1, 0, 1, 1]
    bins = calibration_bins(p, label)
    assert bins["bin"].tolist() == [0, 1, 3, 6, 7, 9]
    assert bins["count"].tolist() == [1, 1, 2, 1, 1, 2]
    assert bins["mean_p"].tolist() == pytest.approx([0.0, 0.1, 0.345, 0.69, 0.7, 0.95])
    assert bins["frequency"].tolist() == [0, 1, 0.5, 1, 0, 1]
    # Gaps 0, .9, .155, .31, .7, .05 weighted by counts 1, 1, 2, 1, 1, 2 over 8.
    expected = (0 + 0.9 + 2 * 0.155 + 0.31 + 0.7 + 2 * 0.05) / 8
    assert ece(p, label) == pytest.approx(expected, abs=1e-12)
    assert ece(p, label, bins=2) == pytest.approx(
        (4 * abs(0.1975 - 0.5) + 4 * abs(0.8225 - 0.75)) / 8
    )


def test_ece_of_a_perfect_forecaster_is_zero_and_of_nothing_nan() -> None:
    assert ece([0.0, 1.0, 1.0], [0, 1, 1]) == 0
    assert math.isnan(ece([math.nan], [1]))
