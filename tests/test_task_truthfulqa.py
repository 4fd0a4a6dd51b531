"""TruthfulQA: its record_to_sample, its file errors and the real release file."""

from __future__ import annotations

import csv
import urllib.request
from pathlib import Path

import pytest

from inspect_market.errors import DataError
from inspect_market.tasks import truthfulqa
from inspect_market.tasks._common import seeded_flip
from inspect_market.tasks.sources import CACHE_ENV, sha256_of
from inspect_market.tasks.truthfulqa import TRUTHFULQA_REMOTE, record_to_sample, truthfulqa_dataset
from tests.shared_data import shared_file

FIXTURE = Path(__file__).parent / "fixtures" / "truthfulqa_mini.csv"
RECORD = {
    "Type": "Adversarial",
    "Category": "Invented",
    "Question": " What does gadget 1 do? ",
    "Best Answer": "It hums",
    "Best Incorrect Answer": "It sings",
    "Source": "invented",
}
A_TRUE = "Question: What does gadget 1 do?\nAnswer A: It hums\nAnswer B: It sings"
B_TRUE = "Question: What does gadget 1 do?\nAnswer A: It sings\nAnswer B: It hums"


def test_record_to_sample_and_what_the_seed_changes() -> None:
    # `printf "0:What does gadget 1 do?" | sha256sum` starts b2 (tails), with "3:" 2b (heads)
    assert [seeded_flip(s, "What does gadget 1 do?") for s in (0, 3)] == [False, True]
    b_true, a_true = record_to_sample(RECORD, seed=0), record_to_sample(RECORD, seed=3)
    assert (b_true.input, b_true.target) == (B_TRUE, "0")
    assert (a_true.input, a_true.target) == (A_TRUE, "1")
    # the seed changes only which answer is A (so input, target and label); nothing else
    assert b_true.metadata == {**(a_true.metadata or {}), "label": 0}
    assert a_true.metadata == {
        "task": "truthfulqa",
        "type": "Adversarial",
        "category": "Invented",
        "positive_claim": "answer A is the true answer",
        "negative_claim": "answer B is the true answer",
        "label": 1,
    }
    assert record_to_sample(dict(RECORD), seed=3) == a_true  # pure: same record, same sample


@pytest.mark.parametrize("column", ["Question", "Best Answer", "Best Incorrect Answer"])
def test_record_with_an_empty_field_is_rejected(column: str) -> None:
    with pytest.raises(ValueError, match=r"^empty question or answer$"):
        record_to_sample({**RECORD, column: " "}, seed=0)


def test_fixture_dataset() -> None:
    samples = list(truthfulqa_dataset(FIXTURE, seed=0))
    assert [s.id for s in samples] == [1, 2, 3, 4]
    assert str(samples[0].input).startswith("Question: What colour is the sky")
    assert (samples[0].metadata or {})["category"] == "Misconceptions"
    for s in samples:
        a_true = "Answer A: " + {1: "It is blue", 2: "Eight", 3: "Ice", 4: "The country"}[int(s.id)]  # type: ignore[arg-type]
        assert s.target == ("1" if a_true in str(s.input) else "0")


def test_missing_column_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "TruthfulQA.csv"
    bad.write_text("Type,Category,Question,Best Answer,Source\nA,B,Q?,Yes,s\n")
    with pytest.raises(DataError, match=r"missing column\(s\) Best Incorrect Answer"):
        truthfulqa_dataset(bad, 0)


def test_malformed_row_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "TruthfulQA.csv"
    lines = FIXTURE.read_text().splitlines()
    bad.write_text("\n".join([*lines[:3], "Adversarial,Misc,Short row", *lines[3:]]) + "\n")
    with pytest.raises(DataError, match=r"TruthfulQA.csv:4: malformed row \(expected 8 fields\)$"):
        truthfulqa_dataset(bad, 0)


def test_empty_answer_names_the_line_and_the_file_to_pass(tmp_path: Path) -> None:
    bad = tmp_path / "t.csv"
    lines = FIXTURE.read_text().splitlines()
    bad.write_text("\n".join([*lines[:2], "Adversarial,Misc,Why?,,Nothing,,,s", *lines[2:]]))
    with pytest.raises(
        DataError, match=r"t\.csv:3: empty question or answer; pass -T data_path=/path/to/Truth"
    ):
        truthfulqa(data_path=str(bad))


def no_network(url: object, timeout: float) -> None:
    raise AssertionError(f"network used: {url}")


def test_without_data_path_the_shipped_release_file_is_read_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))  # an empty cache: nothing downloaded before
    shipped = TRUTHFULQA_REMOTE.shipped
    assert shipped is not None and sha256_of(shipped) == TRUTHFULQA_REMOTE.sha256
    with shipped.open(newline="", encoding="utf-8") as f:
        rows = sum(1 for _ in csv.DictReader(f))
    task = truthfulqa()
    assert len(task.dataset) == rows > 0
    assert {k: v for k, v in (task.metadata or {}).items() if k.startswith("data_")} == {
        "data_source": str(shipped),
        "data_sha256": TRUTHFULQA_REMOTE.sha256,
        "data_sha256_pinned": True,
    }
    assert not any(tmp_path.iterdir())


def test_shipped_file_and_licence_are_package_data() -> None:
    shipped = TRUTHFULQA_REMOTE.shipped
    assert shipped is not None
    assert "Apache License" in shipped.with_suffix(".LICENSE").read_text()
    assert (
        f"{TRUTHFULQA_REMOTE.sha256}  TruthfulQA.csv" in (shipped.parent / "README.md").read_text()
    )
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text()
    assert 'inspect_market = ["py.typed", "tasks/data/*"]' in pyproject


def test_real_release_file() -> None:
    path = shared_file("truthfulqa/TruthfulQA.csv")
    task = truthfulqa(data_path=str(path))
    assert len(task.dataset) == 790 == len(truthfulqa().dataset)
    assert (task.metadata or {})["data_sha256"] == TRUTHFULQA_REMOTE.sha256
    for seed in range(5):  # answer A is the true one in 371, 392, 382, 399, 411 of 790
        share_a = sum(s.target == "1" for s in truthfulqa_dataset(path, seed))
        assert 0.45 <= share_a / 790 <= 0.55
