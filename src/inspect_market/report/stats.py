"""Paired and calibration statistics over per-sample arrays (numpy and scipy, nothing hand-rolled).

Correctness arrays hold 0/1 per row; probability arrays may hold NaN for unparsed p's, which
the calibration functions leave out (as the Brier metric of the scorer does). The paired
statistics take `clusters` (the sample id of each row): epochs and pooled repeats of one sample
are averaged into one difference per sample before resampling or testing, so repeating a
sample adds no evidence of its own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.stats import binomtest

from ..params import check_int

BOOTSTRAP_RESAMPLES = 10_000
CALIBRATION_BINS = 10


def _floats(values: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(values, dtype=np.float64)


def sample_means(values: ArrayLike, clusters: ArrayLike | None = None) -> NDArray[np.float64]:
    """`values` per row, or averaged per cluster (in order of the sorted cluster keys)."""
    floats = _floats(values)
    if clusters is None:
        return floats
    _, index = np.unique(np.asarray(clusters), return_inverse=True)
    return np.bincount(index, weights=floats) / np.bincount(index)


def sample_differences(
    before: ArrayLike, after: ArrayLike, clusters: ArrayLike | None = None
) -> NDArray[np.float64]:
    """after - before per row, or averaged per cluster (in order of the sorted cluster keys)."""
    return sample_means(_floats(after) - _floats(before), clusters)


def bootstrap_ci(
    values: ArrayLike,
    clusters: ArrayLike | None = None,
    *,
    confidence: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of `values`, resampling samples.

    With `clusters`, a sample's rows are averaged first, so repeats add no evidence. `seed`
    must be an integer >= 0 (numpy's generator takes no other), else one clear error.
    """
    check_int("bootstrap seed", seed, 0)
    means = sample_means(values, clusters)
    if means.size == 0:
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    resampled = means[rng.integers(0, means.size, size=(resamples, means.size))].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(resampled, [tail, 100 - tail])
    return (float(low), float(high))


def paired_bootstrap_ci(
    before: ArrayLike,
    after: ArrayLike,
    clusters: ArrayLike | None = None,
    *,
    confidence: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean difference after - before, resampling samples.

    Pairs stay together; with `clusters`, a sample's rows are averaged first (`sample_differences`).
    """
    diffs = _floats(after) - _floats(before)
    return bootstrap_ci(diffs, clusters, confidence=confidence, resamples=resamples, seed=seed)


def discordant_pairs(
    before: ArrayLike, after: ArrayLike, clusters: ArrayLike | None = None
) -> tuple[int, int]:
    """(improved, worsened) sample counts: mean after - before above or below 0.

    For one 0/1 pair per sample: (wrong -> right, right -> wrong).
    """
    diffs = sample_differences(before, after, clusters)
    return int(np.sum(diffs > 0)), int(np.sum(diffs < 0))


def mcnemar_exact(before: ArrayLike, after: ArrayLike, clusters: ArrayLike | None = None) -> float:
    """Two-sided exact McNemar p-value: a binomial test of the discordant samples at 1/2.

    With several rows per sample this is the exact sign test of the per-sample mean differences.
    """
    to_right, to_wrong = discordant_pairs(before, after, clusters)
    if to_right + to_wrong == 0:
        return 1.0
    return float(binomtest(to_right, to_right + to_wrong, 0.5).pvalue)


def _parsed(p: ArrayLike, label: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    probs, labels = _floats(p), _floats(label)
    keep = ~np.isnan(probs)
    return probs[keep], labels[keep]


def calibration_bins(p: ArrayLike, label: ArrayLike, bins: int = CALIBRATION_BINS) -> pd.DataFrame:
    """Per equal-width bin of p on [0, 1]: count, mean p, frequency of label 1.

    Bin i (from 0) holds i/bins <= p < (i+1)/bins, the last bin also p = 1.0: a p on an inner
    edge belongs to the bin above it (with 10 bins, 0.7 is in bin 7, [0.7, 0.8)). Empty bins
    and unparsed (NaN) p's are left out.
    """
    probs, labels = _parsed(p, label)
    index = np.clip(np.floor(probs * bins).astype(int), 0, bins - 1)
    frame = pd.DataFrame({"bin": index, "p": probs, "label": labels})
    grouped = frame.groupby("bin")
    return pd.DataFrame(
        {
            "count": grouped.size(),
            "mean_p": grouped["p"].mean(),
            "frequency": grouped["label"].mean(),
        }
    ).reset_index()


def ece(p: ArrayLike, label: ArrayLike, bins: int = CALIBRATION_BINS) -> float:
    """Expected calibration error: count-weighted mean |mean p - frequency| over the bins."""
    table = calibration_bins(p, label, bins)
    if table.empty:
        return np.nan
    gaps = (table["mean_p"] - table["frequency"]).abs()
    return float(np.average(gaps, weights=table["count"]))
