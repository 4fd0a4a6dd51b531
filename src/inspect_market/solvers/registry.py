"""Protocols through Inspect's registry: a protocol is an `@solver` and its registry name.

`-T solver=NAME` on a task and the report both go through here, so the name a log shows is
always the registry name of the solver that ran. A bare NAME means `inspect_market/NAME`; a
name with a slash (`mypackage/my_protocol`) is any registered solver that writes a Trajectory.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import registry_create

from ..errors import InspectMarketError
from ._finish import PACKAGE, REQUESTED, protocol_name
from .debate import debate, debate_prompts
from .econ import econ, econ_prompts
from .market_making import market_making, market_making_prompts
from .multi_agent_debate import multi_agent_debate, multi_agent_debate_prompts
from .self_consistency import self_consistency
from .single_shot import single_shot, single_shot_prompts
from .templates import DEFAULT_PROMPTS, RolePrompt

PROTOCOL_SOLVERS: tuple[Callable[..., Solver], ...] = (
    market_making,
    single_shot,
    debate,
    self_consistency,
    multi_agent_debate,
    econ,
)
"""The package's registered protocol factories (their names come from the registry)."""

ROLE_PROMPTS: dict[Callable[..., Solver], Callable[..., dict[str, RolePrompt]]] = {
    market_making: market_making_prompts,
    single_shot: single_shot_prompts,
    debate: debate_prompts,
    self_consistency: single_shot_prompts,
    multi_agent_debate: multi_agent_debate_prompts,
    econ: econ_prompts,
}
"""Each protocol's prompt per role, from the protocol's own parameters."""


def protocol_names() -> list[str]:
    """Names of the package's protocols, as `-T solver=` takes them."""
    return [protocol_name(factory) for factory in PROTOCOL_SOLVERS]


def _factory(name: str) -> Callable[..., Solver] | None:
    return next((f for f in PROTOCOL_SOLVERS if protocol_name(f) == name), None)


def protocol_defaults(name: str) -> dict[str, Any] | None:
    """The default parameters of the package's protocol `name` (None for another solver)."""
    factory = _factory(name)
    if factory is None:
        return None
    return {
        param: spec.default
        for param, spec in inspect.signature(factory).parameters.items()
        if spec.default is not inspect.Parameter.empty
    }


def protocol_prompts(name: str, **params: Any) -> dict[str, Any]:
    """What protocol `name` built with `params` will send: its prompt set and, per role (or
    block template), the short sha256 its trajectory records; {} for another package's solver.
    """
    factory = _factory(name.removeprefix(f"{PACKAGE}/"))
    if factory is None:
        return {}
    build = ROLE_PROMPTS[factory]
    accepted = inspect.signature(build).parameters
    roles = build(**{key: value for key, value in params.items() if key in accepted})
    return {
        "protocol": protocol_name(factory),
        "set": params.get("prompts", DEFAULT_PROMPTS),
        "sha256": {role: prompt.sha256 for role, prompt in roles.items()},
    }


def create_protocol(name: str, **params: Any) -> Solver:
    """The registered solver `name` built with `params`; one clear line for a bad name or param."""
    qualified = name if "/" in name else f"{PACKAGE}/{name}"
    defaults = protocol_defaults(name)
    if defaults is not None:
        unknown = sorted(set(params) - set(defaults))
        if unknown:
            raise InspectMarketError(
                f"solver {name!r} takes no parameter {', '.join(map(repr, unknown))}; "
                f"its parameters are: {', '.join(defaults)}"
            )
    try:
        return registry_create("solver", qualified, **params)
    except LookupError:
        raise InspectMarketError(
            f"unknown solver {name!r}; choose one of: {', '.join(protocol_names())} "
            "(or a registered solver as package/name)"
        ) from None
    except TypeError as error:
        raise InspectMarketError(f"solver {name!r}: {error}") from None


@solver
def requested_protocol(name: str) -> Solver:
    """A task's setup step for `-T solver=NAME`: note NAME for the protocol that runs to check.

    Setup steps run even when `--solver` replaces the task's solver, so the two can never
    silently disagree: the protocol that runs raises before any model call when it is not NAME.
    """
    requested = name.removeprefix(f"{PACKAGE}/")

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.store.set(REQUESTED, requested)
        return state

    return solve
