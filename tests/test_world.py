"""The world's expected values: the closed form by hand and against the direct simulation."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from inspect_market.errors import InspectMarketError
from inspect_market.solvers import protocol_defaults
from inspect_market.world import (
    CLOSED_FORM,
    EXAMPLE_SETTINGS,
    PROTOCOLS,
    Agent,
    WorldSettings,
    direct,
    expected,
    simulate,
)
from inspect_market.world.rules import GUESS_P, KNOWN_P, LEAN_P

SETTINGS = EXAMPLE_SETTINGS
N = 100_000


def test_closed_form_by_hand() -> None:
    # baseline s + (1 - s)/2; final s + (1 - s)(1/2 + pi * (+-h) / 2)
    assert expected("single_shot", SETTINGS["informed"]) == pytest.approx((0.65, 0.65))
    assert expected("market_making", SETTINGS["informed"]) == pytest.approx((0.65, 0.902))
    assert expected("market_making", SETTINGS["adversarial"]) == pytest.approx((0.65, 0.398))
    for name in ("contrarian", "equal", "stubborn"):
        assert expected("market_making", SETTINGS[name]) == pytest.approx((0.65, 0.65))


def test_no_closed_form_for_the_other_protocols() -> None:
    for protocol in set(PROTOCOLS) - set(CLOSED_FORM):
        with pytest.raises(ValueError, match="no closed form"):
            expected(protocol, SETTINGS["informed"])


@pytest.mark.parametrize("protocol", CLOSED_FORM)
@pytest.mark.parametrize("name", SETTINGS)
def test_direct_simulation_matches_the_closed_form(protocol: str, name: str) -> None:
    baseline, final = simulate(protocol, N, 7, SETTINGS[name])
    want_baseline, want_final = expected(protocol, SETTINGS[name])
    for got, want in [
        (baseline, want_baseline),
        (final, want_final),
        (final - baseline, want_final - want_baseline),
    ]:
        se = max(float(np.std(got)) / math.sqrt(N), 1e-12)
        assert abs(float(np.mean(got)) - want) <= 3 * se + 1e-12


@pytest.mark.parametrize("name", SETTINGS)
def test_direct_debate_gains_what_an_honest_trader_does(name: str) -> None:
    """A persuaded judge follows the sound side, argued where the debaters know the item
    (otherwise the sides split): so debate ends where market making with an honest trader
    does, whatever the setting's trader stance."""
    baseline, final = simulate("debate", N, 7, SETTINGS[name])
    want = expected("market_making", replace(SETTINGS[name], trader_stance="honest"))
    for got, value in zip((baseline, final), want, strict=True):
        assert abs(float(np.mean(got)) - value) <= 3 * float(np.std(got)) / math.sqrt(N)


def test_direct_simulation_is_seeded_and_returns_zero_one_arrays() -> None:
    for protocol in PROTOCOLS:
        first = simulate(protocol, 500, 3, SETTINGS["informed"])
        again = simulate(protocol, 500, 3, SETTINGS["informed"])
        other = simulate(protocol, 500, 4, SETTINGS["informed"])
        assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
        assert not np.array_equal(first[0], other[0])
        assert all(set(np.unique(a)) <= {0.0, 1.0} and a.shape == (500,) for a in first)


def test_simulation_shows_the_effects_it_should() -> None:
    """Helpful evidence helps, a lying trader hurts, an agent alone learns nothing new."""
    gains = {
        (protocol, name): float(np.mean(np.subtract(*simulate(protocol, 20_000, 1, s)[::-1])))
        for protocol in PROTOCOLS
        for name, s in SETTINGS.items()
    }
    assert gains["market_making", "informed"] > 0.2
    assert gains["market_making", "adversarial"] < -0.2
    assert gains["debate", "informed"] > 0.2
    assert gains["multi_agent_debate", "informed"] > 0.2
    for protocol in PROTOCOLS:
        assert abs(gains[protocol, "equal"]) < 0.02


def test_simulation_runs_each_protocol_at_its_specs_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The direct simulation reads a protocol's defaults from its spec: changing the spec's
    default changes what it simulates (here: self-consistency's sample count)."""
    seen: list[int] = []
    sample = direct.PROTOCOLS["self_consistency"]

    def counting(world: Any, params: Any) -> Any:
        seen.append(params["samples"])
        return sample(world, params)

    monkeypatch.setitem(direct.PROTOCOLS, "self_consistency", counting)
    simulate("self_consistency", 10, 0, SETTINGS["informed"])
    assert seen == [protocol_defaults("self_consistency")["samples"]]  # type: ignore[index]


def test_no_mean_of_three_stated_ps_is_exactly_one_half() -> None:
    """Multi-agent debate decides on a mean of 3 p's: none may sit at the 0.5 boundary."""
    levels = [p for level in (KNOWN_P, LEAN_P, GUESS_P) for p in (level, 1 - level)]
    sums = [a + b + c for a in levels for b in levels for c in levels]
    assert min(abs(total - 1.5) for total in sums) > 0.01


def test_bad_settings_and_protocols_fail_with_one_clear_error() -> None:
    with pytest.raises(InspectMarketError, match="skill"):
        Agent(skill=1.5)
    with pytest.raises(InspectMarketError, match="trader_stance"):
        WorldSettings(trader_stance="liar")
    with pytest.raises(InspectMarketError, match="no direct simulation"):
        simulate("chess", 10, 0, WorldSettings())
