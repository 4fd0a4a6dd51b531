"""CommonsenseQA 2.0 (Talmor et al. 2021): yes/no questions and true/false assertions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import Dataset, Sample

from ..errors import InspectMarketError
from ..propositions import Proposition, make_sample
from ._common import choose_split, release_task
from ._files import RecordError, jsonl_release, shown, text_field
from .sources import RemoteFile

CSQA2_COMMIT = "3f57a4a6a1d51fe6a9b462b59be67c08d41fdc39"
CSQA2_REMOTES = {
    "dev": RemoteFile(
        f"https://raw.githubusercontent.com/allenai/csqa2/{CSQA2_COMMIT}/dataset/CSQA2_dev.json.gz",
        "CSQA2_dev.json.gz",
        "2804671317521bb79784037482b7e84e891c707f6ac369607209059b3df3b884",
    ),
}
_HINT = "the authors' CSQA2_dev.json.gz (gzipped JSON Lines with id, question, answer)"


def record_to_sample(record: dict[str, Any]) -> Sample:
    """One item (id = its id); target 1 iff answer is "yes"."""
    item_id, question, answer = (
        text_field(record, "id"),
        text_field(record, "question"),
        record["answer"],
    )
    if answer not in ("yes", "no"):
        raise RecordError(f'field answer must be "yes" or "no", got {shown(answer)}')
    proposition = Proposition(
        question=f"Question or statement: {question}",
        positive_claim="the answer is yes / the statement is true",
        negative_claim="the answer is no / the statement is false",
    )
    metadata = {
        "task": "csqa2",
        "split": "dev",
        "subset": "question" if question.endswith("?") else "assertion",
    }
    return make_sample(proposition, int(answer == "yes"), item_id, metadata)


def csqa2_dataset(path: Path) -> Dataset:
    """One sample per item, in file order."""
    return jsonl_release(path, record_to_sample, ("id", "question", "answer"), _HINT, "csqa2")


@task
def csqa2(
    solver: str | None = None,
    seed: int = 0,
    data_path: str | None = None,
    split: str = "dev",
    **solver_args: Any,
) -> Task:
    """CommonsenseQA 2.0: is the answer yes / the statement true? Target 1 iff answer == "yes".

    Args:
        solver: protocol name (default market_making; single_shot, debate, ...).
        seed: recorded in the log; these items have no order to randomise.
        data_path: the authors' CSQA2_dev.json.gz, gzipped or not (default: pinned download).
        split: dev (the public test split has no answers).
        **solver_args: passed to the protocol, e.g. max_judgments=5, threshold=0.1.
    """
    if split == "test":
        raise InspectMarketError("csqa2's test split has no public answers; use -T split=dev")
    return release_task(
        name="csqa2",
        remote=choose_split("csqa2", split, CSQA2_REMOTES),
        data_path=data_path,
        parse=csqa2_dataset,
        seed=seed,
        solver=solver,
        solver_args=solver_args,
        metadata={"split": split},
    )
