"""`inspect-market plan`: the samples a paired comparison needs, from assumptions or from logs.

Fractions throughout, as in the logged metrics and `gate` (0.05 = 5 points); printed in points.
"""

from __future__ import annotations

import pandas as pd

from ..errors import InspectMarketError
from .load import GROUP
from .power import check_plan, power, sample_size, split_flips
from .stats import discordant_pairs
from .tables import POINTS


def header(alpha: float, target: float) -> str:
    return f"exact McNemar test (two-sided), alpha {alpha:g}, power {target:g}"


def plan_text(baseline: float, flips: float, effect: float, alpha: float, target: float) -> str:
    """The samples needed for one assumed baseline accuracy, discordant share and effect."""
    check_plan(baseline, flips, effect)
    n = sample_size(flips, effect, alpha, target)
    up, down = split_flips(flips, effect)
    return "\n".join(
        [
            header(alpha, target),
            f"baseline {baseline * POINTS:.1f}% -> final {(baseline + effect) * POINTS:.1f}% "
            f"(net gain +{effect * POINTS:.1f} points); discordant {flips * POINTS:.1f}% of "
            f"samples: wrong -> right {up * POINTS:.1f}%, right -> wrong {down * POINTS:.1f}%",
            f"samples needed: {n} (exact power there {power(n, up, down, alpha):.3f})",
        ]
    )


def plan_table(samples: pd.DataFrame, effect: float, alpha: float, target: float) -> pd.DataFrame:
    """Per group of the report: its n, baseline accuracy and discordant share, and the samples
    needed to detect `effect` at that baseline and share (or why none can)."""
    rows = []
    for key, group in samples.groupby(GROUP, sort=True):
        before, after, ids = group["baseline_correct"], group["final_correct"], group["id"]
        n = ids.nunique()
        baseline = float(before.mean())
        flips = sum(discordant_pairs(before, after, ids)) / n
        try:
            check_plan(baseline, flips, effect)
            needed = str(sample_size(flips, effect, alpha, target))
        except InspectMarketError as error:
            needed = f"none: {error}"
        rows.append(
            {
                **dict(zip(GROUP, key, strict=True)),
                "n": n,
                "baseline": f"{baseline * POINTS:.1f}",
                "discordant": f"{flips * POINTS:.1f}",
                "samples_needed": needed,
            }
        )
    return pd.DataFrame(rows)
