"""What every task shares: protocol selection, the scorer, and provenance in the log."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from inspect_ai import Epochs, Task
from inspect_ai.dataset import Dataset
from inspect_ai.log import HeadlineMetric
from inspect_ai.scorer import Metric

from ..errors import DataError, InspectMarketError
from ..params import check_int
from ..scorers import HEADLINE, epoch_mean, trajectory_scorer
from ..solvers import (
    create_protocol,
    protocol_metrics,
    protocol_prompts,
    requested_protocol,
    require_spec,
)
from .sources import RemoteFile, resolve_source

T = TypeVar("T")
DEFAULT_PROTOCOL = "market_making"


def protocol_task(
    *,
    name: str,
    load: Callable[[], tuple[Dataset, dict[str, Any]]],
    solver: str | None,
    solver_args: dict[str, Any],
    metadata: dict[str, Any] | None = None,
    extra_metrics: Sequence[Metric] = (),
    choice: bool = False,
) -> Task:
    """A task scoring protocol `solver` (default market making) on the dataset from `load`
    (questions with K outcomes when `choice`: a binary-only protocol is refused).

    `load` returns the dataset and what the eval metadata records about where it came from.
    The solver is built first, so a bad protocol name or parameter fails before any data is
    read; both fail before any model call. The protocol's spec gives the task its tag (the
    protocol's name, shown in the viewer's log list), its metrics (the core ones, those that
    apply to it, then the task's own) and the eval metadata's `prompts` (its prompt set and
    hashes). A setup step notes the protocol, so a `--solver` that runs another one fails
    before any model call instead of running under this one's name.
    """
    if solver is not None and not isinstance(solver, str):
        raise InspectMarketError(f"solver must be a protocol name, got {solver!r}")
    protocol = solver or DEFAULT_PROTOCOL
    spec = require_spec(protocol)
    built = create_protocol(protocol, **solver_args)
    params = spec.params(solver_args)
    prompts = protocol_prompts(protocol, solver_args, choice)
    dataset, provenance = load()
    return Task(
        dataset=dataset,
        solver=built,
        setup=requested_protocol(protocol, list(spec.roles(params))),
        tags=[spec.short_name],
        scorer=trajectory_scorer(),
        metrics=[*protocol_metrics(protocol, **solver_args), *extra_metrics],
        headline_metric=HeadlineMetric(metric=HEADLINE),
        # part of an eval set's task identity: a grid re-run after an upgrade runs anew
        version=version("inspect-market"),
        epochs=Epochs(1, epoch_mean()),
        metadata={"task": name, **provenance, "prompts": prompts, **(metadata or {})},
    )


def seeded_flip(seed: int, key: str) -> bool:
    """A fair coin fixed by (seed, key): a record's order depends on its key, not its position.

    Tasks that show two answers in a random order flip this coin per record, so the same record
    gets the same order under the same seed whatever rows surround it (a filtered or edited file
    keeps the order of every other row). Balance is therefore in expectation, not exact.
    """
    return hashlib.sha256(f"{seed}:{key}".encode()).digest()[0] < 128


def seeded_order(seed: int, key: str, count: int) -> list[int]:
    """A permutation of range(count) fixed by (seed, key), as `seeded_flip` fixes a coin: the
    order of a record's K options depends on its key only."""
    return sorted(range(count), key=lambda i: hashlib.sha256(f"{seed}:{key}:{i}".encode()).digest())


def choose_split(task: str, split: str, options: Mapping[str, T]) -> T:
    """The option for `split`, or one clear error naming the splits the task offers."""
    if not isinstance(split, str) or split not in options:
        raise InspectMarketError(
            f"{task} has no split {split!r}; pass -T split= one of: {', '.join(options)}"
        )
    return options[split]


def release_task(
    *,
    name: str,
    remote: RemoteFile,
    data_path: str | None,
    parse: Callable[[Path], Dataset],
    seed: object,
    solver: str | None,
    solver_args: dict[str, Any],
    metadata: dict[str, Any],
    extra_metrics: Sequence[Metric] = (),
    choice: bool = False,
) -> Task:
    """protocol_task on `parse` of one release file: `data_path`, else the cached `remote`.

    `seed` must be an integer (it is recorded in the eval metadata), `data_path` None or text.
    A file `parse` rejects fails with its DataError plus the option to pass the right file; so
    does an empty one. The eval metadata records the data file and its sha256.
    """
    check_int("seed", seed, 0)
    if data_path is not None and not isinstance(data_path, str):
        raise InspectMarketError(f"data_path must be the path of a file, got {data_path!r}")

    def load() -> tuple[Dataset, dict[str, Any]]:
        source = resolve_source(data_path, remote, remote.filename)
        try:
            dataset = parse(source.path)
        except DataError as ex:
            raise DataError(f"{ex}; pass -T data_path=/path/to/{remote.filename}") from None
        if not len(dataset):
            raise DataError(f"{source.path} holds no samples for task {name}")
        return dataset, source.log_metadata()

    return protocol_task(
        name=name,
        load=load,
        solver=solver,
        solver_args=solver_args,
        metadata={**metadata, "seed": seed},
        extra_metrics=extra_metrics,
        choice=choice,
    )
