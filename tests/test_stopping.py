"""The market-making stop rule."""

from __future__ import annotations

import pytest

from inspect_market.errors import InspectMarketError
from inspect_market.stopping import stop_reason, validate_stop_rule

PAPER = {"max_judgments": 10, "threshold": 0.2, "window": 3}


@pytest.mark.parametrize(
    ("ps", "expected"),
    [
        ([0.3], None),
        ([0.3, 0.4], None),  # fewer than `window` judgments never converge
        ([0.3, 0.4, 0.5], "converged"),  # spread 0.2 counts (within T)
        ([0.6, 0.8, 0.7], "converged"),  # 0.8 - 0.6 is 0.20000000000000007 in floats
        ([0.3, 0.4, 0.51], None),
        ([0.1, 0.9, 0.85, 0.9], "converged"),  # only the last three count
        ([0.2, 0.8, 0.2, 0.8], None),
        ([0.5, None, 0.5], None),  # an unparsed p breaks the window
        ([0.2, 0.8] * 5, "max_judgments"),
        ([0.2, 0.8] * 4 + [0.8, 0.8], "converged"),  # converging on the last judgment says so
    ],
)
def test_paper_rule(ps: list[float | None], expected: str | None) -> None:
    assert stop_reason(ps, **PAPER) == expected


def test_other_rules() -> None:
    assert stop_reason([0.5], max_judgments=1, threshold=0.2, window=3) == "max_judgments"
    assert stop_reason([0.5], max_judgments=10, threshold=0.0, window=1) == "converged"
    assert stop_reason([0.5, 0.6], max_judgments=10, threshold=0.0, window=2) is None


@pytest.mark.parametrize(
    ("forecasts", "expected"),
    [
        ([(0.2, 0.5, 0.3), (0.3, 0.5, 0.2), (0.4, 0.4, 0.2)], "converged"),  # spreads .2 .1 0
        ([(0.2, 0.5, 0.3), (0.3, 0.5, 0.2), (0.1, 0.4, 0.5)], None),  # option C spreads 0.3
        ([(0.1, 0.8, 0.1), None, (0.1, 0.8, 0.1)], None),  # an unparsed judgment breaks it
        ([(0.6, 0.4), (0.8, 0.2), (0.7, 0.3)], "converged"),  # K = 2: the binary rule
        ([(0.3, 0.7), (0.4, 0.6), (0.51, 0.49)], None),
        ([(0.9, 0.05, 0.05), (0.05, 0.9, 0.05)] * 5, "max_judgments"),
    ],
)
def test_k_outcome_rule_needs_every_option_within_threshold(
    forecasts: list[tuple[float, ...] | None], expected: str | None
) -> None:
    assert stop_reason(forecasts, **PAPER) == expected


def test_the_float_tolerance_is_inclusive_and_one_nano() -> None:
    rule = {"max_judgments": 10, "threshold": 0.0, "window": 2}
    assert stop_reason([0.0, 1e-9], **rule) == "converged"  # 1e-9 - 0.0 == 0.0 + 1e-9 exactly
    assert stop_reason([0.0, 2e-9], **rule) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"max_judgments": 0}, "max_judgments must be an integer in [1, 100], got 0"),
        ({"max_judgments": 2.5}, "max_judgments must be an integer in [1, 100], got 2.5"),
        ({"max_judgments": True}, "max_judgments must be an integer in [1, 100], got True"),
        # one sample made 6,381 calls and 2.1 GB RSS in 25 s before the cap existed
        ({"max_judgments": 1_000_000}, "max_judgments must be an integer in [1, 100], got 1000000"),
        ({"max_judgments": 101}, "max_judgments must be an integer in [1, 100], got 101"),
        (
            {"window": 0},
            "window must be an integer in [1, 10] (at most max_judgments=10: a longer window "
            "can never converge), got 0",
        ),
        (
            {"window": 11},
            "window must be an integer in [1, 10] (at most max_judgments=10: a longer window "
            "can never converge), got 11",
        ),
        (
            {"max_judgments": 2, "window": 3},
            "window must be an integer in [1, 2] (at most max_judgments=2: a longer window "
            "can never converge), got 3",
        ),
        ({"window": 3.0}, "window must be an integer in [1, 10]"),
        ({"threshold": -0.1}, "threshold must be a finite number in [0, 1], got -0.1"),
        ({"threshold": 1.01}, "threshold must be a finite number in [0, 1], got 1.01"),
        ({"threshold": float("nan")}, "threshold must be a finite number in [0, 1], got nan"),
        ({"threshold": float("inf")}, "threshold must be a finite number in [0, 1], got inf"),
        ({"threshold": "0.2"}, "threshold must be a finite number in [0, 1], got '0.2'"),
        ({"threshold": False}, "threshold must be a finite number in [0, 1], got False"),
    ],
)
def test_invalid_rules_are_one_clear_error(args: dict[str, object], message: str) -> None:
    with pytest.raises(InspectMarketError) as info:
        validate_stop_rule(**{**PAPER, **args})  # type: ignore[arg-type]
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "rule",
    [
        PAPER,
        {"max_judgments": 1, "threshold": 0.0, "window": 1},
        {"max_judgments": 100, "threshold": 1.0, "window": 100},
        {"max_judgments": 3, "threshold": 1, "window": 3},
        {"max_judgments": 3, "threshold": 0, "window": 2},
    ],
)
def test_valid_rules_at_the_limits_pass(rule: dict[str, float]) -> None:
    validate_stop_rule(**rule)  # type: ignore[arg-type]
