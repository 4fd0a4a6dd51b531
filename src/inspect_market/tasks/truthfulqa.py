"""TruthfulQA in the authors' recommended binary setting (best answer vs best incorrect
answer), or as a question with K options (`format="mc"`: the best answer and every incorrect
answer of the release)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import Dataset, Sample

from ..errors import InspectMarketError
from ..propositions import LETTERS, Proposition, make_sample, normalize_claim
from ._common import release_task, seeded_flip, seeded_order
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
_MC_COLUMNS = ("Type", "Category", "Question", "Best Answer", "Incorrect Answers", "Source")
FORMATS = ("binary", "mc")
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


def mc_record_to_sample(record: dict[str, Any], seed: int) -> Sample:
    """One question with K options: the best answer and the release's incorrect answers
    (`;`-separated; repeats and any equal to the best answer dropped, compared as claims
    are), in an order fixed by (seed, question); target the best answer's letter."""
    question = record["Question"].strip()
    best = record["Best Answer"].strip()
    if not question or not best:
        raise RecordError("empty question or best answer")
    answers, seen = [best], {normalize_claim(best)}
    for answer in (a.strip() for a in record["Incorrect Answers"].split(";")):
        if answer and normalize_claim(answer) not in seen:
            answers.append(answer)
            seen.add(normalize_claim(answer))
    if not 2 <= len(answers) <= len(LETTERS):
        raise RecordError(f"{len(answers) - 1} distinct incorrect answers (1 to 25 needed)")
    order = seeded_order(seed, question, len(answers))
    shown = [answers[i] for i in order]
    lines = "\n".join(f"Answer {LETTERS[k]}: {a}" for k, a in enumerate(shown))
    proposition = Proposition.choice(
        f"Question: {question}\n{lines}",
        tuple(f"answer {LETTERS[k]} is the true answer" for k in range(len(shown))),
    )
    metadata = {"task": "truthfulqa", "type": record["Type"], "category": record["Category"]}
    return make_sample(proposition, order.index(0), ROW_ID, metadata, choices=shown)


def truthfulqa_dataset(path: Path, seed: int, format: str = "binary") -> Dataset:
    """One sample per question (id = data row number), binary or with K options (`mc`)."""
    if format == "mc":
        convert = partial(mc_record_to_sample, seed=seed)
        return csv_release(path, convert, _MC_COLUMNS, _HINT, "truthfulqa")
    return csv_release(path, partial(record_to_sample, seed=seed), _COLUMNS, _HINT, "truthfulqa")


@task
def truthfulqa(
    solver: str | None = None,
    seed: int = 0,
    data_path: str | None = None,
    format: str = "binary",
    **solver_args: Any,
) -> Task:
    """TruthfulQA, binary: is answer A (or B) the true answer? Target 1 iff A is the best answer.

    With `format="mc"` each question shows the best answer and the release's incorrect
    answers (2 to 13 options), held in the sample's `choices` as Inspect's multiple-choice
    tasks hold them; the target is the best answer's letter and a judgment gives a
    probability per option. Protocols that run on K options: single_shot, self_consistency,
    market_making, prediction_market.

    Args:
        solver: protocol name (default market_making; single_shot, debate, ...).
        seed: seed of the answer order (an integer >= 0; see seeded_flip, seeded_order).
        data_path: the authors' TruthfulQA.csv (default: the copy shipped in the package).
        format: `binary` (best answer vs best incorrect answer) or `mc` (every answer).
        **solver_args: passed to the protocol, e.g. max_judgments=5, threshold=0.1.
    """
    if format not in FORMATS:
        raise InspectMarketError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    return release_task(
        name="truthfulqa",
        remote=TRUTHFULQA_REMOTE,
        data_path=data_path,
        parse=lambda path: truthfulqa_dataset(path, seed, format),
        seed=seed,
        solver=solver,
        solver_args=solver_args,
        metadata={"split": "validation", "format": format},
        choice=format == "mc",
    )
