"""Opening and closing a protocol run: the trajectory it records and the final answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from inspect_ai.model import ChatMessageAssistant, ModelOutput
from inspect_ai.solver import TaskState
from inspect_ai.util import registry_info

from ..errors import InspectMarketError
from ..trajectory import TrajectoryData, save_trajectory

PACKAGE = "inspect_market"
REQUESTED = "inspect_market:requested_protocol"
"""Sample store key of the protocol a task's `-T solver=` asked for (unset when not asked)."""


def protocol_name(factory: object) -> str:
    """The registry name of a registered solver or factory, without this package's prefix."""
    return registry_info(factory).name.removeprefix(f"{PACKAGE}/")


@contextmanager
def recording(factory: object, state: TaskState) -> Iterator[TrajectoryData]:
    """A new trajectory of the protocol registered as `factory`, saved however the block ends.

    The protocol is named by the registry, from the solver that runs. When the task's
    `-T solver=` asked for another one (`--solver` replaced the task's solver), this raises
    before any model call, so a log never names one protocol and holds another. When the
    block raises (a model error, a cancelled sample) the stop reason is "error" and the
    judgments and turns finished so far are saved with it.
    """
    name = protocol_name(factory)
    requested = state.store.get(REQUESTED)
    if requested is not None and requested != name:
        raise InspectMarketError(
            f"-T solver={requested} asks for {requested!r} but --solver ran {name!r}; "
            "pass one of them"
        )
    trajectory = TrajectoryData(protocol=name)
    try:
        yield trajectory
    except BaseException:
        trajectory.stop_reason = "error"
        raise
    finally:
        save_trajectory(trajectory)


def finish(
    state: TaskState,
    trajectory: TrajectoryData,
    final_p: float | None,
    final_claim_side: int | None,
    final_text: str,
) -> TaskState:
    """Record the final p and claim, and show the final reply as the sample's output."""
    trajectory.final_p = final_p
    trajectory.final_claim_side = final_claim_side
    state.output = ModelOutput.from_content(model=str(state.model), content=final_text)
    state.messages.append(ChatMessageAssistant(content=final_text))
    return state
