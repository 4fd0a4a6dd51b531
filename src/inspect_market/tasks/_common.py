"""What every task shares: protocol selection, the scorer, and provenance in the log."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from inspect_ai import Epochs, Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.scorer import Metric

from ..errors import DataError, InspectMarketError
from ..scorers import CORE_METRICS, epoch_mean, trajectory_scorer
from ..solvers import create_protocol
from .sources import RemoteFile, SourceFile, resolve_source

T = TypeVar("T")


def protocol_task(
    *,
    name: str,
    load: Callable[[], tuple[Sequence[Sample], SourceFile]],
    solver: str,
    solver_args: dict[str, Any],
    metadata: dict[str, Any] | None = None,
    extra_metrics: Sequence[Metric] = (),
) -> Task:
    """A task scoring protocol `solver` on the samples from `load` with the trajectory scorer.

    The solver is built first, so a bad protocol name or parameter fails before any data is
    read; both fail before any model call. The eval metadata records the protocol, the data
    file and its sha256.
    """
    built = create_protocol(solver, **solver_args)
    samples, source = load()
    if not samples:
        raise DataError(f"{source.path} holds no samples for task {name}")
    return Task(
        dataset=MemoryDataset(list(samples), name=name, location=source.origin),
        solver=built,
        scorer=trajectory_scorer(),
        # Task-level metrics replace the scorer's: pass them only to add a task's own.
        metrics=[*CORE_METRICS, *extra_metrics] if extra_metrics else None,
        epochs=Epochs(1, epoch_mean()),
        metadata={"task": name, "protocol": solver, **source.log_metadata(), **(metadata or {})},
    )


def choose_split(task: str, split: str, options: Mapping[str, T]) -> T:
    """The option for `split`, or one clear error naming the splits the task offers."""
    if split not in options:
        raise InspectMarketError(
            f"{task} has no split {split!r}; pass -T split= one of: {', '.join(options)}"
        )
    return options[split]


def release_task(
    *,
    name: str,
    remote: RemoteFile,
    data_path: str | None,
    parse: Callable[[Path], Sequence[Sample]],
    solver: str,
    solver_args: dict[str, Any],
    metadata: dict[str, Any],
    extra_metrics: Sequence[Metric] = (),
) -> Task:
    """protocol_task on `parse` of one release file: `data_path`, else the cached `remote`.

    A file `parse` rejects fails with its DataError plus the option to pass the right file.
    """

    def load() -> tuple[Sequence[Sample], SourceFile]:
        source = resolve_source(data_path, remote, remote.filename)
        try:
            return parse(source.path), source
        except DataError as ex:
            raise DataError(f"{ex}; pass -T data_path=/path/to/{remote.filename}") from None

    return protocol_task(
        name=name,
        load=load,
        solver=solver,
        solver_args=solver_args,
        metadata=metadata,
        extra_metrics=extra_metrics,
    )
