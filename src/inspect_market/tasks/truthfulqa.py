"""TruthfulQA in the authors' recommended binary setting: best answer vs best incorrect answer."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import Sample

from ..errors import DataError
from ..propositions import Proposition, make_sample
from ._common import release_task
from ._files import read_csv_rows
from .sources import RemoteFile

TRUTHFULQA_REMOTE = RemoteFile(
    url="https://raw.githubusercontent.com/sylinrl/TruthfulQA/main/TruthfulQA.csv",
    filename="TruthfulQA.csv",
    sha256="764be5c0c27c337baed4db641555c125428569df44a8dbf9b28796a6ce4d7616",
)
_COLUMNS = ("Type", "Category", "Question", "Best Answer", "Best Incorrect Answer", "Source")
_HINT = "the authors' TruthfulQA.csv (Jan 2025 release, with 'Best Incorrect Answer')"


def truthfulqa_samples(path: Path, seed: int) -> list[Sample]:
    """One sample per question; the two answers shown as A and B in a seeded random order."""
    rng = random.Random(seed)
    samples: list[Sample] = []
    for line, row in read_csv_rows(path, _COLUMNS, _HINT):
        best, incorrect = row["Best Answer"].strip(), row["Best Incorrect Answer"].strip()
        if not row["Question"].strip() or not best or not incorrect:
            raise DataError(f"{path}:{line}: empty question or answer")
        a_is_true = rng.random() < 0.5
        answer_a, answer_b = (best, incorrect) if a_is_true else (incorrect, best)
        proposition = Proposition(
            question=(
                f"Question: {row['Question'].strip()}\nAnswer A: {answer_a}\nAnswer B: {answer_b}"
            ),
            positive_claim="answer A is the true answer",
            negative_claim="answer B is the true answer",
        )
        metadata = {"task": "truthfulqa", "type": row["Type"], "category": row["Category"]}
        samples.append(
            make_sample(proposition, int(a_is_true), id=len(samples) + 1, metadata=metadata)
        )
    return samples


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
        seed: seed of the A/B order.
        data_path: the authors' TruthfulQA.csv, for offline use (default: pinned download).
        **solver_args: passed to the protocol, e.g. max_judgments=5, threshold=0.1.
    """

    return release_task(
        name="truthfulqa",
        remote=TRUTHFULQA_REMOTE,
        data_path=data_path,
        parse=lambda path: truthfulqa_samples(path, seed),
        solver=solver,
        solver_args=solver_args,
        metadata={"split": "validation", "seed": seed},
    )
