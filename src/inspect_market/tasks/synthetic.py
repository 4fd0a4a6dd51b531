"""Items of the simulated world: binary statements whose truth is a seeded function of the item.

No data file: the samples are built in memory, each by a pure `record_to_sample` from its
world seed and index. Only the `simulated` provider's world agents know anything about these
items (`-M skill=`, `-M persuadability=`); `inspect_market.world` gives the expected metrics.
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import Dataset, MemoryDataset, Sample

from ..params import MAX_ITEMS, check_int
from ..propositions import Proposition, make_sample
from ..world.rules import item_key, truth
from ._common import protocol_task


def record_to_sample(record: dict[str, Any]) -> Sample:
    """Statement `index` of world `world_seed`; target 1 iff its truth (a fair coin) is true."""
    index, world_seed = record["index"], record["world_seed"]
    key = item_key(world_seed, index)
    proposition = Proposition(
        question=f"Statement {index} of simulated world {world_seed}.",
        positive_claim=f"statement {index} is true",
        negative_claim=f"statement {index} is false",
        key=key,
    )
    metadata = {"task": "synthetic", "world_seed": world_seed, "index": index}
    return make_sample(proposition, truth(key), index, metadata)


def synthetic_dataset(n: int, world_seed: int) -> Dataset:
    """Items 0 .. n-1 of world `world_seed`."""
    records = ({"index": index, "world_seed": world_seed} for index in range(n))
    return MemoryDataset([record_to_sample(record) for record in records], name="synthetic")


@task
def synthetic(
    n: int = 200, world_seed: int = 0, solver: str | None = None, **solver_args: Any
) -> Task:
    """n binary items of a simulated world with known answers, for the `simulated` provider.

    Args:
        n: number of items (1 to 1,000,000).
        world_seed: seed of the items' truth (an integer >= 0).
        solver: protocol name (default market_making; single_shot, debate, ...).
        **solver_args: passed to the protocol, e.g. trader_stance=adversarial.
    """
    check_int("n", n, 1, MAX_ITEMS)
    check_int("world_seed", world_seed, 0)
    return protocol_task(
        name="synthetic",
        load=lambda: (synthetic_dataset(n, world_seed), {"data_source": "simulated world"}),
        solver=solver,
        solver_args=solver_args,
        metadata={"n": n, "world_seed": world_seed},
    )
