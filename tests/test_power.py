"""Power of the exact McNemar test and `inspect-market plan`: hand-computed cases, simulation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from inspect_market.cli import main
from inspect_market.report.power import (
    critical_counts,
    minimum_detectable_effect,
    power,
    sample_size,
)
from inspect_market.report.stats import mcnemar_exact
from inspect_market.report.tables import group_stats
from inspect_market.world import Agent, WorldSettings, expected, simulate


def binomial(k: int, n: int, q: float) -> float:
    return math.comb(n, k) * q**k * (1 - q) ** (n - k)


@pytest.mark.parametrize("alpha", [0.05, 0.01, 0.2])
def test_rejection_region_is_the_reports_mcnemar(alpha: float) -> None:
    """X <= k(d) or X >= d - k(d) exactly where stats.mcnemar_exact gives p <= alpha."""
    ds = np.arange(0, 41)
    for d, k in zip(ds, critical_counts(ds, alpha), strict=True):
        for x in range(d + 1):
            before, after = [0] * x + [1] * (d - x), [1] * x + [0] * (d - x)
            assert (mcnemar_exact(before, after) <= alpha) == (x <= k or x >= d - k), (d, x)


def test_power_by_hand() -> None:
    # Every sample discordant, no gain (up = down = 1/2): 6 discordant reject only at 0 or 6,
    # each 1/64, so the power is the size 2/64 = 0.03125. Below 6, nothing can reject
    # (d = 5: the smallest two-sided p is 2/32 = 0.0625).
    assert power(6, 0.5, 0.5) == pytest.approx(2 / 64)
    assert power(5, 0.5, 0.5) == 0.0
    # n = 7, up 0.6, down 0.2: D ~ Bin(7, 0.8), X | D ~ Bin(D, 0.75). Critical counts:
    # d = 6 -> 0 (2/64 <= .05), d = 7 -> 0 (p at X = 1 is 2 * 8/128 = 0.125).
    expected = binomial(6, 7, 0.8) * (0.75**6 + 0.25**6) + 0.8**7 * (0.75**7 + 0.25**7)
    assert power(7, 0.6, 0.2) == pytest.approx(expected, rel=1e-12)


def test_sample_size_by_hand() -> None:
    # up = 0.8, down = 0: every discordant sample improved, so the test rejects iff D >= 6,
    # D ~ Bin(n, 0.8). P(D >= 6) = 0.7969 at n = 8 and 0.9144 at n = 9: 9 samples for 80%.
    at_8 = sum(binomial(k, 8, 0.8) for k in range(6, 9))
    at_9 = sum(binomial(k, 9, 0.8) for k in range(6, 10))
    assert (round(at_8, 4), round(at_9, 4)) == (0.7969, 0.9144)
    assert sample_size(0.8, 0.8) == 9
    assert sample_size(0.8, 0.8, target=0.95) == 10  # P(Bin(10, .8) >= 6) = 0.9672


def test_sample_size_is_the_first_n_reaching_the_power() -> None:
    # 15% discordant, 3 points: Connor's normal approximation with z = 1.959964 and 0.841621,
    # (1.959964 sqrt(.15) + 0.841621 sqrt(.15 - .0009))^2 / .0009 = 1305.8; the exact test
    # needs a few percent more.
    n = sample_size(0.15, 0.03)
    assert power(n, 0.09, 0.06) >= 0.8 > power(n - 1, 0.09, 0.06)
    assert 1306 < n < 1306 * 1.1


def test_minimum_detectable_effect() -> None:
    # No 5 samples can reject at 0.05, whatever the gain.
    assert math.isnan(minimum_detectable_effect(5, 0.9))

    # n = 9, all discordant: D = 9, k(9) = 1 (2 * 10/512 = 0.039), so the power at gain g is
    # P(X <= 1) + P(X >= 8) with X ~ Bin(9, (1 + g) / 2).
    def hand(g: float) -> float:
        q = (1 + g) / 2
        return sum(binomial(x, 9, q) for x in (0, 1, 8, 9))

    mde = minimum_detectable_effect(9, 1.0)
    assert hand(mde) >= 0.8 > hand(mde - 1e-4)
    # At g = 0.8 (q = 0.9): 9 * .9^8 * .1 + .9^9 = 0.7748 (P(X <= 1) < 1e-7): not enough.
    assert round(hand(0.8), 4) == 0.7748
    assert 0.8 < mde < 0.85


def test_report_mde_column() -> None:
    # 9 samples, 8 wrong -> right and 1 right -> wrong: discordant share 1, so the cell's MDE
    # is the n = 9, all-discordant case above.
    frame = pd.DataFrame(
        {
            "id": range(9),
            "baseline_correct": [0] * 8 + [1],
            "final_correct": [1] * 8 + [0],
            "judgments": 1,
        }
    )
    assert group_stats(frame)["mde"] == minimum_detectable_effect(9, 1.0)
    few = frame.head(5)  # 5 samples: nothing detectable
    assert math.isnan(group_stats(few)["mde"])


def test_planned_n_reaches_the_power_in_the_simulated_world() -> None:
    # Market making, skill 0.6 (baseline 80%), persuadable; an honest trader of skill 0.5:
    # net gain (1 - 0.6) * 0.5 / 2 = 10 points, discordant share (1 - 0.6) / 2 = 20%.
    settings = WorldSettings(main=Agent(0.6, 1.0), helper=Agent(0.5))
    baseline, final = expected("market_making", settings)
    assert final - baseline == pytest.approx(0.1)
    n = sample_size(0.2, 0.1)
    reps = 1000
    hits = sum(
        mcnemar_exact(*simulate("market_making", n, seed, settings)) <= 0.05 for seed in range(reps)
    )
    exact = power(n, 0.15, 0.05)
    assert 0.8 <= exact < 0.85
    assert abs(hits / reps - exact) < 3 * math.sqrt(exact * (1 - exact) / reps)


def test_cli_plan_prints_the_samples_needed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--baseline", "0.1", "--flips", "0.8", "--effect", "0.8"]) == 0
    out = capsys.readouterr().out
    assert "samples needed: 9 (exact power there 0.914)" in out
    assert "baseline 10.0% -> final 90.0% (net gain +80.0 points)" in out
    assert main(["plan", "--baseline", "0.1", "--flips", "0.8", "--effect", "0.8",
                 "--power", "0.95", "--alpha", "0.05"]) == 0  # fmt: skip
    assert "samples needed: 10 " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--baseline", "0.7", "--flips", "0.2"], "--effect must be a fraction in (0, 1)"),
        (["--baseline", "0.7", "--flips", "0.2", "--effect", "5"],
         "--effect must be a fraction in (0, 1) (0.05 = 5 points), got 5"),
        (["--baseline", "0.7", "--flips", "x", "--effect", "0.05"],
         "--flips must be a fraction in (0, 1) (0.05 = 5 points), got x"),
        (["--baseline", "0.7", "--flips", "0.2", "--effect", "0.05", "--power", "1"],
         "--power must be a fraction"),
        (["--baseline", "0.7", "--effect", "0.05"], "give --baseline and --flips, or --log"),
        (["--baseline", "0.7", "--flips", "0.2", "--effect", "0.05", "--log", "x"],
         "give --baseline and --flips, or --log (not both)"),
        (["--baseline", "0.7", "--flips", "0.02", "--effect", "0.05"],
         "a gain of 0.05 needs at least that share of discordant samples, got 0.02"),
        (["--baseline", "0.98", "--flips", "0.1", "--effect", "0.03"],
         "needs 0.065 of samples to go wrong -> right, more than the 0.02 wrong at baseline "
         "accuracy 0.98"),
        (["--effect", "0.05", "--log", "absent_dir"], "no usable samples in --log absent_dir"),
    ],
)  # fmt: skip
def test_cli_plan_bad_arguments_are_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["plan", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    last = captured.err.splitlines()[-1]
    assert last.startswith("inspect-market: ") and message in last
