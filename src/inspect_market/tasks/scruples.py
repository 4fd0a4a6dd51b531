"""Scruples Dilemmas (Lourie et al. 2021): which of two actions is less ethical?"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import Dataset, Sample

from ..propositions import Proposition, make_sample
from ..scorers.task_metrics import ANNOTATOR_METRICS
from ._common import choose_split, release_task, seeded_flip
from ._files import RecordError, jsonl_release, shown, text_field
from .sources import RemoteFile

DILEMMAS_TAR = (
    "https://storage.googleapis.com/ai2-mosaic-public/projects/scruples/v1.0/data/dilemmas.tar.gz"
)
SCRUPLES_REMOTES = {
    split: RemoteFile(
        DILEMMAS_TAR,
        f"{split}.scruples-dilemmas.jsonl",
        None,
        member=f"dilemmas/{split}.scruples-dilemmas.jsonl",
    )
    for split in ("test", "dev")
}
_FIELDS = ("id", "actions", "gold_annotations", "gold_label", "controversial")


def _dilemma(record: dict[str, Any]) -> tuple[list[str], list[int], int]:
    """The two action descriptions, the two vote counts and gold_label, checked."""
    actions, votes, gold = record["actions"], record["gold_annotations"], record["gold_label"]
    if not (
        isinstance(actions, list)
        and len(actions) == 2
        and all(
            isinstance(a, dict)
            and isinstance(a.get("description"), str)
            and a["description"].strip()
            for a in actions
        )
    ):
        raise RecordError("field actions must be 2 objects with a non-empty description")
    if not (
        isinstance(votes, list)
        and len(votes) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in votes)
        and sum(votes) > 0
    ):
        raise RecordError(f"field gold_annotations must be 2 vote counts, got {shown(votes)}")
    if isinstance(gold, bool) or gold not in (0, 1) or votes[gold] < votes[1 - gold]:
        raise RecordError(
            "field gold_label must index the action with the most gold_annotations "
            f"votes (the LESS ethical one), got {shown(gold)} with votes {shown(votes)}"
        )
    return [a["description"].strip() for a in actions], votes, gold


def record_to_sample(record: dict[str, Any], split: str, seed: int) -> Sample:
    """One dilemma (id = its id), the two actions in an order fixed by (seed, id)."""
    dilemma_id = text_field(record, "id")
    controversial = record["controversial"]
    if not isinstance(controversial, bool):
        raise RecordError("field controversial must be true or false")
    descriptions, votes, gold = _dilemma(record)
    target = seeded_flip(seed, dilemma_id)  # True: the less ethical action is action 1
    first = gold if target else 1 - gold
    proposition = Proposition(
        question=(
            "Which of these two actions is less ethical?\n"
            f"Action 1: {descriptions[first]}\nAction 2: {descriptions[1 - first]}"
        ),
        positive_claim="action 1 is the less ethical one",
        negative_claim="action 2 is the less ethical one",
    )
    metadata = {
        "task": "scruples",
        "split": split,
        "subset": "controversial" if controversial else "noncontroversial",
        "controversial": controversial,
        "gold_annotations": votes,
        "action_1_index": first,
        "soft_label": votes[first] / sum(votes),
    }
    return make_sample(proposition, int(target), dilemma_id, metadata)


def scruples_dataset(path: Path, split: str = "test", seed: int = 0) -> Dataset:
    """One sample per dilemma, in file order."""
    return jsonl_release(
        path,
        partial(record_to_sample, split=split, seed=seed),
        _FIELDS,
        "a *.scruples-dilemmas.jsonl file from the authors' dilemmas.tar.gz",
        "scruples",
    )


@task
def scruples(
    solver: str | None = None,
    seed: int = 0,
    data_path: str | None = None,
    split: str = "test",
    **solver_args: Any,
) -> Task:
    """Scruples Dilemmas: is action 1 the less ethical of the two? Target from gold_label.

    Adds accuracy on the non-controversial dilemmas and a Brier score against the annotators'
    vote share.

    Args:
        solver: protocol name (default market_making; single_shot, debate, ...).
        seed: seed of the action order (an integer >= 0; see seeded_flip).
        data_path: the release's dev or test .scruples-dilemmas.jsonl (default: download).
        split: test or dev.
        **solver_args: passed to the protocol, e.g. max_judgments=5, threshold=0.1.
    """
    return release_task(
        name="scruples",
        remote=choose_split("scruples", split, SCRUPLES_REMOTES),
        data_path=data_path,
        parse=lambda path: scruples_dataset(path, split, seed),
        seed=seed,
        solver=solver,
        solver_args=solver_args,
        metadata={"split": split},
        extra_metrics=ANNOTATOR_METRICS,
    )
