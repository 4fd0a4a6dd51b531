"""The market-making stop rule, shared by the solver and the offline threshold replay."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from .params import MAX_LOOP, check_int, check_number

# Probabilities are decimals written by models: 0.8 - 0.6 is 0.20000000000000007 in floats.
_EPS = 1e-9


def validate_stop_rule(max_judgments: int, threshold: float, window: int) -> None:
    """Raise InspectMarketError, naming the parameter, unless the rule can stop properly.

    max_judgments is an integer in [1, MAX_LOOP]; window an integer in [1, max_judgments] (a
    longer window can never converge); threshold a finite number in [0, 1] (NaN never
    converges, a spread of p's never exceeds 1, so a larger threshold or inf always does).
    """
    check_int("max_judgments", max_judgments, 1, MAX_LOOP)
    check_int(
        "window",
        window,
        1,
        max_judgments,
        why=f"at most max_judgments={max_judgments}: a longer window can never converge",
    )
    check_number("threshold", threshold, 0, 1)


def stop_reason(
    ps: Sequence[float | None], max_judgments: int, threshold: float, window: int
) -> Literal["converged", "max_judgments"] | None:
    """Why the market stops after these judgments, or None to continue.

    Converged: at least `window` judgments and the last `window` p's all parsed and within
    `threshold` of each other. Otherwise stop once `max_judgments` judgments exist.
    """
    recent = list(ps[-window:])
    if len(ps) >= window and all(p is not None for p in recent):
        values = [p for p in recent if p is not None]
        if max(values) - min(values) <= threshold + _EPS:
            return "converged"
    if len(ps) >= max_judgments:
        return "max_judgments"
    return None
