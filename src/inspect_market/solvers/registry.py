"""Looking protocols up: by the registry name their `@protocol` spec was declared under.

`-T solver=NAME` on a task, the grid, the world and the report all go through here, so the
name a log shows is always the registry name of the solver that ran. A bare NAME is this
package's protocol (or one registered without a package); `pkg/name` names any protocol
declared with `@protocol` in an installed package.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai.model import model_roles
from inspect_ai.scorer import Metric
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import registry_create

from ..errors import InspectMarketError
from ..scorers import CORE_METRICS
from .debate import debate
from .econ import econ
from .market_making import market_making
from .multi_agent_debate import multi_agent_debate
from .prediction_market import prediction_market
from .protocol import PACKAGE, REQUESTED, SPECS, ProtocolSpec, protocol_name
from .self_consistency import self_consistency
from .single_shot import single_shot

PACKAGE_PROTOCOLS = (
    market_making,
    single_shot,
    debate,
    self_consistency,
    multi_agent_debate,
    econ,
    prediction_market,
)
"""The package's protocols (imported here so that their specs are registered), in the order
`protocol_names` lists them; protocols of other modules follow in the order they registered."""


def protocol_names() -> list[str]:
    """Names of the registered protocols, as `-T solver=` takes them."""
    ours = [protocol_name(factory) for factory in PACKAGE_PROTOCOLS]
    return ours + [spec.short_name for spec in SPECS.values() if spec.short_name not in ours]


def protocol_spec(name: str) -> ProtocolSpec | None:
    """The spec of protocol `name` (bare or `pkg/name`); None for a name no protocol has."""
    return SPECS.get(name) or SPECS.get(f"{PACKAGE}/{name}")


def require_spec(name: str) -> ProtocolSpec:
    """The spec of protocol `name`, or one line naming the protocols there are."""
    spec = protocol_spec(name)
    if spec is None:
        raise InspectMarketError(
            f"unknown solver {name!r}; choose a protocol: {', '.join(protocol_names())} "
            "(or a protocol declared with @protocol in an installed package, as package/name)"
        )
    return spec


def protocol_defaults(name: str) -> dict[str, Any] | None:
    """The default parameters of protocol `name` (None for a name no protocol has)."""
    spec = protocol_spec(name)
    return None if spec is None else spec.defaults()


def protocol_prompts(name: str, params: dict[str, Any], choice: bool = False) -> dict[str, Any]:
    """What protocol `name` built with `params` will send (on K-outcome questions with
    `choice`): its prompt set and, per role (or block template), the short sha256 its
    trajectory records. With `choice`, one clear error line when the protocol or its prompts
    are binary only."""
    spec = require_spec(name)
    given = spec.params(params)
    roles = spec.choice_prompts(given) if choice else spec.role_prompts(given)
    return {
        "protocol": spec.short_name,
        "set": params.get("prompts", spec.defaults().get("prompts")),
        "sha256": {role: prompt.sha256 for role, prompt in roles.items()},
    }


def protocol_table(names: Sequence[str] | None = None) -> str:
    """A markdown table of protocols `names` (default: every registered one) from their specs:
    what each does (its docstring's first line), its roles, parameters and calls per sample at
    the defaults, and whether it runs on questions with K options."""
    rows = [
        "| protocol | what it does | roles | parameters (defaults) | calls per sample "
        "| K options |",
        "|---|---|---|---|---|---|",
    ]
    for name in protocol_names() if names is None else names:
        spec = require_spec(name)
        params = spec.defaults()
        doc = (spec.factory.__doc__ or "").strip().splitlines()[0]
        shown = ", ".join(
            f"`{key}`={value}" for key, value in params.items() if not key.endswith("_template")
        )
        typical, most = spec.calls(params).total, spec.max_calls(params).total
        calls = f"{typical}" if typical == most else f"{typical} to {most}"
        rows.append(
            f"| `{name}` | {doc} | {', '.join(f'`{r}`' for r in spec.roles(params))} | {shown} "
            f"| {calls} (at most {spec.call_ceiling(params)} with format retries) "
            f"| {'yes' if spec.multi_outcome else 'no'} |"
        )
    return "\n".join(rows)


def protocol_metrics(name: str, **params: Any) -> list[Metric]:
    """The metrics of protocol `name` with `params`: the core ones, then those its spec says
    apply (e.g. `adversary_success_rate` for an adversarial trader). A Task that runs a
    protocol passes them as its `metrics` (the scorer alone has the core ones)."""
    spec = require_spec(name)
    return [*CORE_METRICS, *spec.metrics(spec.params(params))]


def create_protocol(name: str, **params: Any) -> Solver:
    """The protocol `name` built with `params`; one clear line for a bad name or parameter."""
    spec = require_spec(name)
    defaults = spec.defaults()
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise InspectMarketError(
            f"solver {name!r} takes no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters are: {', '.join(defaults)}"
        )
    try:
        return registry_create("solver", spec.name, **params)
    except TypeError as error:
        raise InspectMarketError(f"solver {name!r}: {error}") from None


@solver
def requested_protocol(name: str, roles: list[str]) -> Solver:
    """A task's setup step: note the protocol the task names, and check the role bindings.

    Setup steps run even when `--solver` replaces the task's solver, so the two can never
    silently disagree: the protocol that runs raises before any model call when it is not
    `name` (the log's tag, metrics and prompt record name the task's protocol). A role bound
    with `--model-role` that is not among the protocol's `roles` fails here too, before any
    model call, instead of being silently unused.
    """
    short = require_spec(name).short_name

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        unused = sorted(set(model_roles()) - set(roles))
        if unused:
            raise InspectMarketError(
                f"{short} has no role {', '.join(map(repr, unused))}; its roles are: "
                f"{', '.join(roles)}"
            )
        state.store.set(REQUESTED, short)
        return state

    return solve
