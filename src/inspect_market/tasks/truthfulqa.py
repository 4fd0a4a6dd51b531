"""TruthfulQA in the authors' recommended binary setting: best answer vs best incorrect answer."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import Dataset, Sample

from ..propositions import Proposition, make_sample
from ._common import release_task, seeded_flip
from ._files import ROW_ID, RecordError, csv_release
from .sources import RemoteFile

TRUTHFULQA_REMOTE = RemoteFile(
    url="https://raw.githubusercontent.com/sylinrl/TruthfulQA/main/TruthfulQA.csv",
    filename="TruthfulQA.csv",
    sha256="764be5c0c27c337baed4db641555c125428569df44a8dbf9b28796a6ce4d7616",
    # the release file itself (Apache-2.0), shipped with its licence: see data/README.md
    shipped=Path(__file__).parent / "data" / "TruthfulQA.csv",
)
_COLUMNS = ("Type", "Category", "Question", "Best Answer", "Best Incorrect Answer", "Source")
_HINT = "the authors' TruthfulQA.csv (Jan 2025 release, with 'Best Incorrect Answer')"


def record_to_sample(record: dict[str, Any], seed: int) -> Sample:
    """One question; its two answers shown as A and B in an order fixed by (seed, question)."""
    question = record["Question"].strip()
    best, incorrect = record["Best Answer"].strip(), record["Best Incorrect Answer"].strip()
    if not question or not best or not incorrect:
        raise RecordError("empty question or answer")
    a_is_true = seeded_flip(seed, question)
    answer_a, answer_b = (best, incorrect) if a_is_true else (incorrect, best)
    proposition = Proposition(
        question=f"Question: {question}\nAnswer A: {answer_a}\nAnswer B: {answer_b}",
        positive_claim="answer A is the true answer",
        negative_claim="answer B is the true answer",
    )
    metadata = {"task": "truthfulqa", "type": record["Type"], "category": record["Category"]}
    return make_sample(proposition, int(a_is_true), ROW_ID, metadata)


def truthfulqa_dataset(path: Path, seed: int) -> Dataset:
    """One sample per question (id = data row number)."""
    return csv_release(path, partial(record_to_sample, seed=seed), _COLUMNS, _HINT, "truthfulqa")


@task
def truthfulqa(
    solver: str | None = None,
    seed: int = 0,
    data_path: str | None = None,
    **solver_args: Any,
) -> Task:
    """TruthfulQA, binary: is answer A (or B) the true answer? Target 1 iff A is the best answer.

    Args:
        solver: protocol name (default market_making; single_shot, debate, ...).
        seed: seed of the A/B order (an integer >= 0; see seeded_flip).
        data_path: the authors' TruthfulQA.csv (default: the copy shipped in the package).
        **solver_args: passed to the protocol, e.g. max_judgments=5, threshold=0.1.
    """

    return release_task(
        name="truthfulqa",
        remote=TRUTHFULQA_REMOTE,
        data_path=data_path,
        parse=lambda path: truthfulqa_dataset(path, seed),
        seed=seed,
        solver=solver,
        solver_args=solver_args,
        metadata={"split": "validation"},
    )
