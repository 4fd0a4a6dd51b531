"""Validators for protocol and task parameters: one clear error line before any model call."""

from __future__ import annotations

import math

from .errors import InspectMarketError
from .propositions import LETTERS

MAX_LOOP = 100
"""The cap on every loop count a user sets: max_judgments, debate rounds, self-consistency
samples, agents, ... Without it one typo runs away: `max_judgments=1000000` made one sample
do 6,381 calls and reach 2.1 GB RSS in 25 s before it was stopped."""
MAX_ITEMS = 1_000_000
"""The cap on the synthetic task's item count (its samples are built in memory)."""


def check_int(
    name: str, value: object, minimum: int, maximum: int | None = None, *, why: str = ""
) -> None:
    """Raise InspectMarketError unless value is an int (not a bool) in [minimum, maximum].

    `why`, when given, is appended to the message (e.g. why the upper bound exists).
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        allowed = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        reason = f" ({why})" if why else ""
        raise InspectMarketError(f"{name} must be an integer {allowed}{reason}, got {value!r}")


def check_bool(name: str, value: object) -> None:
    """Raise InspectMarketError unless value is True or False (not 'false', 0 or 1)."""
    if not isinstance(value, bool):
        raise InspectMarketError(f"{name} must be true or false, got {value!r}")


def check_number(
    name: str,
    value: object,
    minimum: float,
    maximum: float | None,
    *,
    min_open: bool = False,
    max_open: bool = False,
) -> None:
    """Raise InspectMarketError unless value is a finite int or float (not a bool) in range.

    The range is [minimum, maximum], open at an end when min_open / max_open is set, and
    unbounded above when maximum is None.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not math.isfinite(value))
        or value < minimum
        or (min_open and value == minimum)
        or (maximum is not None and (value > maximum or (max_open and value == maximum)))
    ):
        raise InspectMarketError(
            f"{name} must be a finite number {_interval(minimum, maximum, min_open, max_open)}, "
            f"got {value!r}"
        )


def _interval(minimum: float, maximum: float | None, min_open: bool, max_open: bool) -> str:
    if maximum is None:
        return f"{'>' if min_open else '>='} {minimum:g}"
    return f"in {'(' if min_open else '['}{minimum:g}, {maximum:g}{')' if max_open else ']'}"


def check_options(options: object) -> None:
    """One clear error line unless `options` (of a simulated-world item) is 0 (binary) or an
    integer in 2..26 (that many options, A to Z at most)."""
    if isinstance(options, bool) or not (
        isinstance(options, int) and (options == 0 or 2 <= options <= len(LETTERS))
    ):
        raise InspectMarketError(
            f"options must be 0 (binary items) or an integer in [2, {len(LETTERS)}] "
            f"(answers A, B, ...), got {options!r}"
        )
