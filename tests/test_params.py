"""The shared parameter validators: type, range and one clear message."""

from __future__ import annotations

import math

import pytest

from inspect_market.errors import InspectMarketError
from inspect_market.params import MAX_LOOP, check_bool, check_int, check_number


def test_max_loop_is_the_documented_cap() -> None:
    assert MAX_LOOP == 100


@pytest.mark.parametrize(
    ("value", "minimum", "maximum"),
    [(1, 1, None), (10**30, 0, None), (-3, -3, 5), (5, -3, 5), (0, 0, 0), (100, 1, MAX_LOOP)],
)
def test_check_int_accepts_ints_in_range(value: int, minimum: int, maximum: int | None) -> None:
    check_int("n", value, minimum, maximum)


@pytest.mark.parametrize(
    ("value", "minimum", "maximum", "message"),
    [
        (0, 1, None, "n must be an integer >= 1, got 0"),
        (-1, 0, None, "n must be an integer >= 0, got -1"),
        (101, 1, 100, "n must be an integer in [1, 100], got 101"),
        (0, 1, 100, "n must be an integer in [1, 100], got 0"),
        (True, 0, None, "n must be an integer >= 0, got True"),
        (False, 0, 5, "n must be an integer in [0, 5], got False"),
        (2.0, 1, None, "n must be an integer >= 1, got 2.0"),
        ("3", 1, None, "n must be an integer >= 1, got '3'"),
        (None, 1, None, "n must be an integer >= 1, got None"),
    ],
)
def test_check_int_rejects_with_one_line(
    value: object, minimum: int, maximum: int | None, message: str
) -> None:
    with pytest.raises(InspectMarketError) as info:
        check_int("n", value, minimum, maximum)
    assert str(info.value) == message


def test_check_int_appends_why() -> None:
    with pytest.raises(InspectMarketError) as info:
        check_int("window", 4, 1, 3, why="too long")
    assert str(info.value) == "window must be an integer in [1, 3] (too long), got 4"


@pytest.mark.parametrize(
    ("value", "kwargs"),
    [
        (0, {}),
        (1, {}),
        (0.5, {}),
        (1.0, {"min_open": True}),
        (0.0, {"max_open": True}),
        (1e300, {"maximum": None}),
        (10**400, {"maximum": None}),  # an int too large for a float is still finite
        (1e-300, {"min_open": True, "maximum": None}),
    ],
)
def test_check_number_accepts(value: float, kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"minimum": 0, "maximum": 1, **kwargs}
    check_number("x", value, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (math.nan, {}, "x must be a finite number in [0, 1], got nan"),
        (math.inf, {}, "x must be a finite number in [0, 1], got inf"),
        (-math.inf, {"maximum": None}, "x must be a finite number >= 0, got -inf"),
        (math.inf, {"maximum": None}, "x must be a finite number >= 0, got inf"),
        (1.5, {}, "x must be a finite number in [0, 1], got 1.5"),
        (-0.1, {}, "x must be a finite number in [0, 1], got -0.1"),
        (2, {}, "x must be a finite number in [0, 1], got 2"),
        (0, {"min_open": True}, "x must be a finite number in (0, 1], got 0"),
        (1, {"max_open": True}, "x must be a finite number in [0, 1), got 1"),
        (0.0, {"min_open": True, "maximum": None}, "x must be a finite number > 0, got 0.0"),
        (True, {}, "x must be a finite number in [0, 1], got True"),
        ("0.5", {}, "x must be a finite number in [0, 1], got '0.5'"),
        (None, {}, "x must be a finite number in [0, 1], got None"),
    ],
)
def test_check_number_rejects_with_one_line(
    value: object, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {"minimum": 0, "maximum": 1, **kwargs}
    with pytest.raises(InspectMarketError) as info:
        check_number("x", value, **args)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_check_number_formats_bounds_compactly() -> None:
    with pytest.raises(InspectMarketError) as info:
        check_number("temperature", 3.5, 0.25, 2.5, min_open=True)
    assert str(info.value) == "temperature must be a finite number in (0.25, 2.5], got 3.5"


@pytest.mark.parametrize("value", [True, False])
def test_check_bool_accepts_booleans(value: bool) -> None:
    check_bool("flag", value)


@pytest.mark.parametrize("value", ["false", "true", "maybe", 0, 1, 2, None, 0.0, []])
def test_check_bool_rejects_everything_else(value: object) -> None:
    with pytest.raises(InspectMarketError) as info:
        check_bool("flag", value)
    assert str(info.value) == f"flag must be true or false, got {value!r}"
