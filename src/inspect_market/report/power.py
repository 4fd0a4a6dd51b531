"""Power of the report's paired test (exact McNemar): samples needed, minimum detectable effect.

Model: samples are independent; each one flips wrong -> right with probability `up` and
right -> wrong with `down`, so the discordant share is psi = up + down and the net gain is
up - down. Planning holds psi fixed and splits it by the gain: up = (psi + gain) / 2,
down = (psi - gain) / 2 (gain in [-psi, psi], fractions: 0.05 = 5 points).

Exact power, no normal approximation: of n samples, D ~ Bin(n, psi) are discordant; given
D = d, the improved count X ~ Bin(d, up / psi), and `stats.mcnemar_exact` (a two-sided
binomial test at 1/2) rejects at alpha when 2 P(Bin(d, 1/2) <= min(X, d - X)) <= alpha, i.e.
X <= k(d) or X >= d - k(d) for the critical count k(d). Then
power(n) = sum_d P(D = d) P(reject | d), with scipy's binomial distribution.

Because D is random, the power hardly zigzags in n as the power of a discrete test at a fixed
count does: over n = 1..600, discordant shares 0.05-0.8 and gains of 2-20 points it never fell
from one n to the next by more than 0.09 points. So `sample_size` bisects on it (the power at
the n it returns reaches the target), and `minimum_detectable_effect` bisects on the gain.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.stats import binom, norm

from ..errors import InspectMarketError

ALPHA = 0.05
POWER = 0.80
MAX_SAMPLES = 10_000_000
"""The largest sample count `sample_size` searches."""
EFFECT_TOLERANCE = 1e-4
"""Bisection stops when the minimum detectable effect is known to 0.01 points."""
_WINDOW_SDS = 12.0
"""Discordant counts further than this many standard deviations from n psi are left out of
the power sum (their total probability is below 1e-30)."""


def critical_counts(discordant: NDArray[np.int64], alpha: float) -> NDArray[np.int64]:
    """k(d): the largest count with 2 P(Bin(d, 1/2) <= k) <= alpha, or -1 when there is none."""
    d = np.asarray(discordant, dtype=np.int64)
    k = binom.ppf(alpha / 2, d, 0.5).astype(np.int64)  # smallest k with P(<= k) >= alpha / 2
    critical: NDArray[np.int64] = np.where(2 * binom.cdf(k, d, 0.5) <= alpha, k, k - 1)
    return critical


def power(n: int, up: float, down: float, alpha: float = ALPHA) -> float:
    """Exact power of the two-sided exact McNemar test at `alpha` on n samples."""
    psi = up + down
    if n <= 0 or psi <= 0:
        return 0.0
    spread = _WINDOW_SDS * math.sqrt(n * psi * (1 - psi)) + 1
    low, high = max(0, math.floor(n * psi - spread)), min(n, math.ceil(n * psi + spread))
    d = np.arange(low, high + 1)
    k = critical_counts(d, alpha)
    q = up / psi
    reject = binom.cdf(k, d, q) + binom.sf(d - k - 1, d, q)  # both 0 when k = -1
    return float(np.sum(binom.pmf(d, n, psi) * reject))


def split_flips(flips: float, gain: float) -> tuple[float, float]:
    """(up, down) of a discordant share `flips` holding net gain `gain`."""
    return (flips + gain) / 2, (flips - gain) / 2


def check_plan(baseline: float, flips: float, effect: float) -> None:
    """One clear error unless a baseline accuracy, discordant share and effect (fractions in
    [0, 1]) can coexist."""
    if effect > flips:
        raise InspectMarketError(
            f"a gain of {effect:.4g} needs at least that share of discordant samples, "
            f"got {flips:.4g}"
        )
    up, down = split_flips(flips, effect)
    for flip, share, room, side in (
        ("wrong -> right", up, 1 - baseline, "wrong"),
        ("right -> wrong", down, baseline, "right"),
    ):
        if share > room:
            raise InspectMarketError(
                f"a discordant share of {flips:.4g} with a net gain of {effect:.4g} needs "
                f"{share:.4g} of samples to go {flip}, more than the {room:.4g} {side} at "
                f"baseline accuracy {baseline:.4g}"
            )


def approximate_size(flips: float, effect: float, alpha: float, target: float) -> float:
    """Connor's (1987) normal approximation of the McNemar sample size (a starting point)."""
    z_alpha, z_beta = norm.ppf(1 - alpha / 2), norm.ppf(target)
    root = z_alpha * math.sqrt(flips) + z_beta * math.sqrt(max(flips - effect**2, 0.0))
    return float(root**2 / effect**2)


def sample_size(flips: float, effect: float, alpha: float = ALPHA, target: float = POWER) -> int:
    """The samples needed for the exact McNemar test to reach power `target` (bisection)."""
    up, down = split_flips(flips, effect)
    high = max(1, math.ceil(approximate_size(flips, effect, alpha, target)))
    while power(high, up, down, alpha) < target:
        if high >= MAX_SAMPLES:
            raise InspectMarketError(f"more than {MAX_SAMPLES:,} samples would be needed")
        high = min(2 * high, MAX_SAMPLES)
    low = 0
    while high - low > 1:
        middle = (low + high) // 2
        if power(middle, up, down, alpha) >= target:
            high = middle
        else:
            low = middle
    return high


def minimum_detectable_effect(
    n: int, flips: float, alpha: float = ALPHA, target: float = POWER
) -> float:
    """The smallest net gain (fraction) detected with power `target` on n samples whose
    discordant share is `flips`; NaN when even a gain of `flips` (every flip one way) is not."""
    if power(n, flips, 0.0, alpha) < target:
        return math.nan
    low, high = 0.0, flips
    while high - low > EFFECT_TOLERANCE:
        middle = (low + high) / 2
        if power(n, *split_flips(flips, middle), alpha) >= target:
            high = middle
        else:
            low = middle
    return high
