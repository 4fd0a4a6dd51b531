"""Items of the simulated world: binary statements whose truth is a seeded function of the item,
or (`options=K`) questions with K answers whose true answer is.

No data file: the samples are built in memory, each by a pure `record_to_sample` from its
world seed and index. Only the `simulated` provider's world agents know anything about these
items (`-M skill=`, `-M persuadability=`); `inspect_market.world` gives the expected metrics.
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import Dataset, MemoryDataset, Sample

from ..params import MAX_ITEMS, check_int, check_options
from ..propositions import LETTERS, Proposition, make_sample
from ..world.rules import item_key, truth
from ._common import protocol_task


def record_to_sample(record: dict[str, Any]) -> Sample:
    """Statement `index` of world `world_seed`; target 1 iff its truth (a fair coin) is true.

    With `options` K (>= 2) in the record: question `index` with answers A, B, ..., its
    target the letter of the true answer (uniform over the K, fixed by the item's key).
    """
    index, world_seed = record["index"], record["world_seed"]
    key = item_key(world_seed, index)
    options = record.get("options", 0)
    metadata = {"task": "synthetic", "world_seed": world_seed, "index": index}
    if options:
        letters = LETTERS[:options]
        choice = Proposition.choice(
            f"Question {index} of simulated world {world_seed}: which of its {options} "
            f"answers ({', '.join(letters)}) is true?",
            tuple(f"answer {letter} is the true answer" for letter in letters),
            key,
        )
        choices = [f"answer {letter}" for letter in letters]
        return make_sample(choice, truth(key, options), index, metadata, choices)
    proposition = Proposition(
        question=f"Statement {index} of simulated world {world_seed}.",
        positive_claim=f"statement {index} is true",
        negative_claim=f"statement {index} is false",
        key=key,
    )
    return make_sample(proposition, truth(key), index, metadata)


def synthetic_dataset(n: int, world_seed: int, options: int = 0) -> Dataset:
    """Items 0 .. n-1 of world `world_seed` (binary, or with `options` answers)."""
    records = ({"index": index, "world_seed": world_seed, "options": options} for index in range(n))
    return MemoryDataset([record_to_sample(record) for record in records], name="synthetic")


@task
def synthetic(
    n: int = 200,
    world_seed: int = 0,
    options: int = 0,
    solver: str | None = None,
    **solver_args: Any,
) -> Task:
    """n items of a simulated world with known answers, for the `simulated` provider.

    Args:
        n: number of items (1 to 1,000,000).
        world_seed: seed of the items' truth (an integer >= 0).
        options: 0 for binary statements (true or false), K in 2..26 for questions with K
            answers (A, B, ...), exactly one true; protocols that run on K options only.
        solver: protocol name (default market_making; single_shot, debate, ...).
        **solver_args: passed to the protocol, e.g. trader_stance=adversarial.
    """
    check_int("n", n, 1, MAX_ITEMS)
    check_int("world_seed", world_seed, 0)
    check_options(options)
    return protocol_task(
        name="synthetic",
        load=lambda: (
            synthetic_dataset(n, world_seed, options),
            {"data_source": "simulated world"},
        ),
        solver=solver,
        solver_args=solver_args,
        metadata={"n": n, "world_seed": world_seed, "options": options},
        choice=options > 0,
    )
