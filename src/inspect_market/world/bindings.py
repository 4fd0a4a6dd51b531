"""A world setting as Inspect eval arguments: the `simulated` models bound to the roles."""

from __future__ import annotations

from typing import Any

from inspect_ai.model import get_model

from ..solvers import require_spec
from .settings import Agent, WorldSettings

MAIN_SEED, HELPER_SEED = 0, 1
"""Model seeds of the main and the helper agent (different, so they know independently)."""


def agent_args(agent: Agent, seed: int) -> dict[str, Any]:
    """The `simulated` model args (`-M`) of an agent."""
    return {"skill": agent.skill, "persuadability": agent.persuadability, "seed": seed}


def eval_args(
    protocol: str, settings: WorldSettings, n: int, world_seed: int, options: int = 0
) -> dict[str, Any]:
    """Arguments of `inspect_ai.eval` that run `protocol` on n synthetic items in `settings`
    (binary, or with `options` answers each).

    The main agent is the eval's model; the helper, when there is one, is bound to the
    helper roles of the protocol's spec (at its default parameters), and the task gets the
    setting's values of the protocol arguments the spec says a world sets (`world_args`).
    """
    spec = require_spec(protocol)
    main = get_model("simulated/default", memoize=False, **agent_args(settings.main, MAIN_SEED))
    roles = {}
    if settings.helper is not None:
        helper = get_model(
            "simulated/default", memoize=False, **agent_args(settings.helper, HELPER_SEED)
        )
        roles = dict.fromkeys(spec.helper_roles(spec.defaults()), helper)
    task_args: dict[str, Any] = {"n": n, "world_seed": world_seed, "solver": protocol}
    if options:
        task_args["options"] = options
    task_args.update({name: getattr(settings, name) for name in spec.world_args})
    return {
        "tasks": "inspect_market/synthetic",
        "model": main,
        "model_roles": roles,
        "task_args": task_args,
    }
