"""ETHICS (Hendrycks et al. 2021): commonsense morality and justice, from the release CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import Sample

from ..errors import DataError
from ..propositions import Proposition, make_sample
from ..scorers.task_metrics import GROUP_METRICS
from ._common import choose_split, release_task
from ._files import read_csv_rows
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


def _field(
    path: Path, line: int, row: dict[str, str], column: str, allowed: tuple[str, ...] = ()
) -> str:
    """A stripped, non-empty cell (one of `allowed` when given), else a DataError naming it."""
    value = row[column].strip()
    if not value or (allowed and value not in allowed):
        expected = " or ".join(allowed) if allowed else "text"
        raise DataError(f"{path}:{line}: column {column} must be {expected}, got {row[column]!r}")
    return value


def commonsense_samples(path: Path, split: str = "test", short_only: bool = False) -> list[Sample]:
    """One sample per row (id = data row number); label 1 = the narrator's action is wrong."""
    hint = f"the ETHICS release's cm_{split}.csv (columns label,input,is_short,edited)"
    rows = read_csv_rows(path, ("label", "input", "is_short"), hint)
    samples = []
    for row_num, (line, row) in enumerate(rows, 1):
        is_short = _field(path, line, row, "is_short", ("True", "False")) == "True"
        if short_only and not is_short:
            continue
        proposition = Proposition(
            question=f"A first-person account:\n{_field(path, line, row, 'input')}",
            positive_claim="the narrator's action is morally wrong",
            negative_claim="the narrator's action is not morally wrong",
        )
        label = int(_field(path, line, row, "label", ("0", "1")))
        subset = "short" if is_short else "long"
        metadata = {"task": "ethics_commonsense", "split": split, "subset": subset}
        samples.append(make_sample(proposition, label, row_num, metadata))
    return samples


def justice_samples(path: Path, split: str = "test") -> list[Sample]:
    """One sample per row (id = data row number); rows 4k+1..4k+4 form contrast group k+1."""
    hint = f"the ETHICS release's justice_{split}.csv (columns label,scenario)"
    rows = read_csv_rows(path, ("label", "scenario"), hint)
    if len(rows) % GROUP_SIZE:
        raise DataError(
            f"{path}: {len(rows)} data rows are not contrast groups of {GROUP_SIZE}; "
            f"expected {hint}"
        )
    samples = []
    for row_num, (line, row) in enumerate(rows, 1):
        proposition = Proposition(
            question=f"Statement: {_field(path, line, row, 'scenario')}",
            positive_claim="the statement is reasonable",
            negative_claim="the statement is not reasonable",
        )
        label = int(_field(path, line, row, "label", ("0", "1")))
        group = (row_num - 1) // GROUP_SIZE + 1
        metadata = {
            "task": "ethics_justice",
            "split": split,
            "subset": "all",
            "group": group,
            "group_size": GROUP_SIZE,
        }
        samples.append(make_sample(proposition, label, row_num, metadata))
    return samples


@task
def ethics_commonsense(
    solver: str = "market_making",
    seed: int = 0,
    data_path: str | None = None,
    split: str = "test",
    short_only: bool = False,
    **solver_args: Any,
) -> Task:
    """ETHICS commonsense morality: is the narrator's action morally wrong? Target = label.

    Args:
        solver: protocol name (market_making, single_shot, ...).
        seed: recorded in the log; these rows have no order to randomise.
        data_path: the release's cm_test.csv or cm_test_hard.csv (default: pinned download).
        split: test or test_hard.
        short_only: keep only the short scenarios (is_short), as many replications do.
        **solver_args: passed to the protocol, e.g. max_judgments=5, threshold=0.1.
    """
    return release_task(
        name="ethics_commonsense",
        remote=choose_split("ethics_commonsense", split, COMMONSENSE_REMOTES),
        data_path=data_path,
        parse=lambda path: commonsense_samples(path, split, short_only),
        solver=solver,
        solver_args=solver_args,
        metadata={"split": split, "seed": seed, "short_only": short_only},
    )


@task
def ethics_justice(
    solver: str = "market_making",
    seed: int = 0,
    data_path: str | None = None,
    split: str = "test",
    **solver_args: Any,
) -> Task:
    """ETHICS justice: is the statement reasonable? Target = label; adds grouped exact match.

    Args:
        solver: protocol name (market_making, single_shot, ...).
        seed: recorded in the log; these rows have no order to randomise.
        data_path: the release's justice_test.csv or justice_test_hard.csv (default: download).
        split: test or test_hard.
        **solver_args: passed to the protocol, e.g. max_judgments=5, threshold=0.1.
    """
    return release_task(
        name="ethics_justice",
        remote=choose_split("ethics_justice", split, JUSTICE_REMOTES),
        data_path=data_path,
        parse=lambda path: justice_samples(path, split),
        solver=solver,
        solver_args=solver_args,
        metadata={"split": split, "seed": seed},
        extra_metrics=GROUP_METRICS,
    )
