"""Offline threshold replay: stop market-making trajectories by another rule, no model call.

The stored p sequence answers a replayed rule only up to its last judgment: when the rule would
continue past it, what the market maker would have said next is unknown, so the sample is marked
not computable rather than guessed.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator, Sequence
from typing import Any

import pandas as pd

from ..errors import InspectMarketError
from ..judgment import decide
from ..solvers import market_making, protocol_defaults, protocol_name
from ..stopping import stop_reason, validate_stop_rule
from .load import GROUP

REPLAYABLE = protocol_name(market_making)
STOP_RULE = ("max_judgments", "threshold", "window")


def replay_stop(
    ps: Sequence[float | None], max_judgments: int, threshold: float, window: int
) -> int | None:
    """How many judgments the rule would take on these p's; None if it needs more than recorded."""
    for count in range(1, len(ps) + 1):
        if stop_reason(ps[:count], max_judgments, threshold, window) is not None:
            return count
    return None


def _rules(
    sample: dict[Hashable, Any],
    thresholds: Sequence[float | None],
    max_judgments: Sequence[int | None],
) -> Iterator[tuple[float, int, int]]:
    """(threshold, max_judgments, window) of each replayed rule on one sample's configuration."""
    defaults = protocol_defaults(REPLAYABLE) or {}
    rule = {key: sample["params"].get(key, defaults[key]) for key in STOP_RULE}
    for threshold in thresholds:
        for limit in max_judgments:
            t = rule["threshold"] if threshold is None else threshold
            n = rule["max_judgments"] if limit is None else limit
            yield t, n, rule["window"]


def _problem(threshold: float, max_judgments: int, window: int) -> str | None:
    """Why a configuration cannot take this rule (e.g. its window exceeds max_judgments)."""
    try:
        validate_stop_rule(max_judgments, threshold, window)
    except InspectMarketError as error:
        return str(error)
    return None


def replay(
    samples: pd.DataFrame,
    thresholds: Sequence[float | None],
    max_judgments: Sequence[int | None],
) -> pd.DataFrame:
    """Replayed market-making samples, one row per sample and rule (threshold, max_judgments).

    None in a list means the run's own value. Rows keep the sample's columns, with `judgments`,
    `final_p` and `final_correct` replaced; `computable` is False (and those NaN) when the run
    stopped before the replayed rule would have. A rule the sample's configuration cannot take
    gives no row (`skipped_rules` says why).
    """
    rows: list[dict[Hashable, Any]] = []
    for sample in _market(samples).to_dict("records"):
        for t, n, window in _rules(sample, thresholds, max_judgments):
            if _problem(t, n, window) is None:
                outcome = replayed(sample["ps"], sample["label"], n, t, window)
                rows.append({**sample, **outcome})
    return pd.DataFrame(rows)


def skipped_rules(
    samples: pd.DataFrame,
    thresholds: Sequence[float | None],
    max_judgments: Sequence[int | None],
) -> list[str]:
    """One line per configuration and replayed rule that `replay` skipped, saying why."""
    skipped = set()
    for sample in _market(samples).to_dict("records"):
        for t, n, window in _rules(sample, thresholds, max_judgments):
            problem = _problem(t, n, window)
            if problem is not None:
                group = " / ".join(str(sample[k]) for k in GROUP if sample[k] != "")
                skipped.add(f"{group} at threshold={t:g}, max_judgments={n}: {problem}")
    return sorted(skipped)


def _market(samples: pd.DataFrame) -> pd.DataFrame:
    return samples[(samples["protocol_name"] == REPLAYABLE) & (samples["options"] == 0)]


def replayed(
    ps: Sequence[float | None], label: float, max_judgments: int, threshold: float, window: int
) -> dict[Hashable, Any]:
    """The replayed rule and its outcome on one trajectory (NaN outcome when not computable)."""
    validate_stop_rule(max_judgments, threshold, window)
    count = replay_stop(ps, max_judgments, threshold, window)
    outcome: dict[Hashable, Any] = {
        "threshold": threshold,
        "max_judgments": max_judgments,
        "computable": count is not None,
        "judgments": math.nan,
        "final_p": math.nan,
        "final_correct": math.nan,
    }
    if count is not None:
        final = ps[count - 1]
        outcome["judgments"] = count
        outcome["final_p"] = math.nan if final is None else final
        outcome["final_correct"] = float(decide(final) == label)
    return outcome
