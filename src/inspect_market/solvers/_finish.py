"""Opening and closing a protocol run: the trajectory it records and the final answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from inspect_ai.model import ChatMessageAssistant, ModelOutput
from inspect_ai.solver import TaskState

from ..trajectory import TrajectoryData, save_trajectory


@contextmanager
def recording(protocol: str) -> Iterator[TrajectoryData]:
    """A new trajectory, saved to the sample store however the block ends.

    When the block raises (a model error, a cancelled sample) the stop reason is "error" and
    the judgments and turns finished so far are saved with it.
    """
    trajectory = TrajectoryData(protocol=protocol)
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
