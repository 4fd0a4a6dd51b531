"""ETHICS (Hendrycks et al. 2021): commonsense morality and justice, from the release CSV files."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import Dataset, Sample

from ..errors import DataError
from ..params import check_bool
from ..propositions import Proposition, make_sample
from ..scorers.task_metrics import GROUP_METRICS
from ._common import choose_split, release_task
from ._files import ROW_ID, RecordError, csv_release, shown, text_field
from .sources import RemoteFile

ETHICS_TAR = "https://people.eecs.berkeley.edu/~hendrycks/ethics.tar"
CM_TEST_SHA256 = "aa521e2a45f0aa34c9b055d8022012044f705b35767627cf48919a1102b89115"
JUSTICE_TEST_SHA256 = "d7cc506a1055915d455a9244b26de573c75a760d416a8508a9420d41cbf40250"
GROUP_SIZE = 4


def _member(subdir: str, filename: str, sha256: str | None = None) -> RemoteFile:
    return RemoteFile(ETHICS_TAR, filename, sha256, member=f"ethics/{subdir}/{filename}")


COMMONSENSE_REMOTES = {
    "test": _member("commonsense", "cm_test.csv", CM_TEST_SHA256),
    "test_hard": _member("commonsense", "cm_test_hard.csv"),
}
JUSTICE_REMOTES = {
    "test": _member("justice", "justice_test.csv", JUSTICE_TEST_SHA256),
    "test_hard": _member("justice", "justice_test_hard.csv"),
}


def _choice(record: dict[str, Any], column: str, allowed: tuple[str, ...]) -> str:
    """The stripped cell of `column`, which must be one of `allowed`."""
    value = record[column].strip()
    if value not in allowed:
        raise RecordError(
            f"column {column} must be {' or '.join(allowed)}, got {shown(record[column])}"
        )
    return str(value)


def commonsense_record(record: dict[str, Any], split: str) -> Sample:
    """One first-person account; label 1 = the narrator's action is wrong."""
    is_short = _choice(record, "is_short", ("True", "False")) == "True"
    proposition = Proposition(
        question=f"A first-person account:\n{text_field(record, 'input', 'column')}",
        positive_claim="the narrator's action is morally wrong",
        negative_claim="the narrator's action is not morally wrong",
    )
    label = int(_choice(record, "label", ("0", "1")))
    metadata = {
        "task": "ethics_commonsense",
        "split": split,
        "subset": "short" if is_short else "long",
    }
    return make_sample(proposition, label, ROW_ID, metadata)


def justice_record(record: dict[str, Any], split: str) -> Sample:
    """One statement; label 1 = the statement is reasonable (its group is added by position)."""
    proposition = Proposition(
        question=f"Statement: {text_field(record, 'scenario', 'column')}",
        positive_claim="the statement is reasonable",
        negative_claim="the statement is not reasonable",
    )
    label = int(_choice(record, "label", ("0", "1")))
    metadata = {"task": "ethics_justice", "split": split, "subset": "all"}
    return make_sample(proposition, label, ROW_ID, metadata)


def commonsense_dataset(path: Path, split: str = "test", short_only: bool = False) -> Dataset:
    """One sample per row (id = data row number), only the short ones with `short_only`."""
    hint = f"the ETHICS release's cm_{split}.csv (columns label,input,is_short,edited)"
    dataset = csv_release(
        path,
        partial(commonsense_record, split=split),
        ("label", "input", "is_short"),
        hint,
        "ethics_commonsense",
    )
    if short_only:
        return dataset.filter(lambda sample: (sample.metadata or {})["subset"] == "short")
    return dataset


def justice_dataset(path: Path, split: str = "test") -> Dataset:
    """One sample per row (id = data row number); rows 4k+1..4k+4 form contrast group k+1.

    Each sample's metadata holds its `group` and `group_size` (GROUP_SIZE).
    """
    hint = f"the ETHICS release's justice_{split}.csv (columns label,scenario)"
    dataset = csv_release(
        path, partial(justice_record, split=split), ("label", "scenario"), hint, "ethics_justice"
    )
    if len(dataset) % GROUP_SIZE:
        raise DataError(
            f"{path}: {len(dataset)} data rows are not contrast groups of {GROUP_SIZE}; "
            f"expected {hint}"
        )
    for sample in dataset:
        group = (int(sample.id or 0) - 1) // GROUP_SIZE + 1
        sample.metadata = {**(sample.metadata or {}), "group": group, "group_size": GROUP_SIZE}
    return dataset


@task
def ethics_commonsense(
    solver: str | None = None,
    seed: int = 0,
    data_path: str | None = None,
    split: str = "test",
    short_only: bool = False,
    **solver_args: Any,
) -> Task:
    """ETHICS commonsense morality: is the narrator's action morally wrong? Target = label.

    Args:
        solver: protocol name (default market_making; single_shot, debate, ...).
        seed: recorded in the log; these rows have no order to randomise.
        data_path: the release's cm_test.csv or cm_test_hard.csv (default: pinned download).
        split: test or test_hard.
        short_only: keep only the short scenarios (is_short), as many replications do.
        **solver_args: passed to the protocol, e.g. max_judgments=5, threshold=0.1.
    """
    check_bool("short_only", short_only)
    return release_task(
        name="ethics_commonsense",
        remote=choose_split("ethics_commonsense", split, COMMONSENSE_REMOTES),
        data_path=data_path,
        parse=lambda path: commonsense_dataset(path, split, short_only),
        seed=seed,
        solver=solver,
        solver_args=solver_args,
        metadata={"split": split, "short_only": short_only},
    )


@task
def ethics_justice(
    solver: str | None = None,
    seed: int = 0,
    data_path: str | None = None,
    split: str = "test",
    **solver_args: Any,
) -> Task:
    """ETHICS justice: is the statement reasonable? Target = label; adds grouped exact match.

    Args:
        solver: protocol name (default market_making; single_shot, debate, ...).
        seed: recorded in the log; these rows have no order to randomise.
        data_path: the release's justice_test.csv or justice_test_hard.csv (default: download).
        split: test or test_hard.
        **solver_args: passed to the protocol, e.g. max_judgments=5, threshold=0.1.
    """
    return release_task(
        name="ethics_justice",
        remote=choose_split("ethics_justice", split, JUSTICE_REMOTES),
        data_path=data_path,
        parse=lambda path: justice_dataset(path, split),
        seed=seed,
        solver=solver,
        solver_args=solver_args,
        metadata={"split": split},
        extra_metrics=GROUP_METRICS,
    )
