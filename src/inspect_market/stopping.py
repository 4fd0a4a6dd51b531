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
    forecasts: Sequence[float | Sequence[float] | None],
    max_judgments: int,
    threshold: float,
    window: int,
) -> Literal["converged", "max_judgments"] | None:
    """Why the market stops after these judgments, or None to continue.

    A forecast is a judgment's p, or (K outcomes) its probability per option; None when it
    was not parsed. Converged: at least `window` judgments, the last `window` all parsed, and
    for every option their probabilities within `threshold` of each other (binary: their p's,
    whose spread is that of 1 - p). Otherwise stop once `max_judgments` judgments exist.
    """
    recent = list(forecasts[-window:])
    if len(forecasts) >= window and all(f is not None for f in recent):
        columns = zip(*(_vector(f) for f in recent if f is not None), strict=True)
        if all(max(values) - min(values) <= threshold + _EPS for values in columns):
            return "converged"
    if len(forecasts) >= max_judgments:
        return "max_judgments"
    return None


def _vector(forecast: float | Sequence[float]) -> Sequence[float]:
    """A forecast as a probability vector: a binary p is the one value (p,)."""
    return (forecast,) if isinstance(forecast, float | int) else forecast
