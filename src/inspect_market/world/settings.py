"""Who plays the simulated world: the agents bound to each role, and the trader's stance."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InspectMarketError

STANCES = ("honest", "adversarial", "contrarian")


@dataclass(frozen=True)
class Agent:
    """One simulated agent (one `simulated` model: its `-M skill=` and `-M persuadability=`).

    Attributes:
        skill: probability that the agent knows the truth of an item, independent per item
            and per agent (agents with different seeds); a knowing agent judges the true side
            with p = 0.95 (0.05) and argues the true side (the false side as an adversarial
            trader). A debater argues the side it is assigned; its argument is sound when it
            knows the item and that side is true.
        persuadability: probability that the agent, judging an item it does not know, adopts
            the side of the sound arguments it is shown, if any, else the side most of the
            arguments (or others' judgments) it is shown support, with p = 0.58 (0.42);
            otherwise, and when no side has a majority, it guesses a side with p = 0.55 (0.45).
    """

    skill: float = 0.0
    persuadability: float = 0.0

    def __post_init__(self) -> None:
        for name in ("skill", "persuadability"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise InspectMarketError(f"{name} must be in [0, 1], got {value!r}")


@dataclass(frozen=True)
class WorldSettings:
    """A setting of the world: the main agent, the helper agent and the trader's stance.

    Attributes:
        main: the agent of `--model`: market maker, single shot, self-consistency, debate
            judge, multi-agent debate's agent_1, econ's coordinator.
        helper: an independent agent playing the protocol spec's helper roles (trader,
            debaters, agents 2..N, executors); None when the main agent plays them too
            (then they know exactly the items the main agent knows).
        trader_stance: market making's `trader_stance` (honest, adversarial, contrarian);
            an unknowing trader argues a random side, a contrarian always argues against the
            market maker's current claim.
    """

    main: Agent = Agent()
    helper: Agent | None = None
    trader_stance: str = "honest"

    def __post_init__(self) -> None:
        if self.trader_stance not in STANCES:
            raise InspectMarketError(
                f"trader_stance must be one of {', '.join(STANCES)}, got {self.trader_stance!r}"
            )


_WEAK = Agent(skill=0.3, persuadability=0.8)
_INFORMED = Agent(skill=0.9, persuadability=0.5)
EXAMPLE_SETTINGS: dict[str, WorldSettings] = {
    "informed": WorldSettings(_WEAK, _INFORMED),
    "adversarial": WorldSettings(_WEAK, _INFORMED, "adversarial"),
    "contrarian": WorldSettings(_WEAK, _INFORMED, "contrarian"),
    "equal": WorldSettings(_WEAK),
    "stubborn": WorldSettings(Agent(skill=0.3, persuadability=0.0), _INFORMED),
}
"""Settings the tests check: a weak, persuadable main agent (skill 0.3, persuadability 0.8)
with an informed helper (skill 0.9) that is honest, adversarial or contrarian; the main
agent alone (`equal`: its own copies play every role); an unpersuadable main agent
(`stubborn`)."""
