"""CommonsenseQA 2.0: record_to_sample, gzipped and plain JSON Lines, errors, the real dev file."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from inspect_market.errors import DataError, InspectMarketError
from inspect_market.tasks import csqa2
from inspect_market.tasks._files import RecordError
from inspect_market.tasks.csqa2 import CSQA2_REMOTES, csqa2_dataset, record_to_sample
from tests.shared_data import shared_file

CSQA2 = Path(__file__).parent / "fixtures" / "csqa2_mini.json.gz"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_record_to_sample() -> None:
    sample = record_to_sample({"id": "q1", "question": " Is ice cold? ", "answer": "yes"})
    assert (sample.input, sample.target, sample.id) == (
        "Question or statement: Is ice cold?",
        "1",
        "q1",
    )
    assert sample.metadata == {
        "task": "csqa2",
        "split": "dev",
        "subset": "question",
        "positive_claim": "the answer is yes / the statement is true",
        "negative_claim": "the answer is no / the statement is false",
        "label": 1,
    }
    statement = record_to_sample({"id": "q2", "question": "Ice is hot.", "answer": "no"})
    assert statement.target == "0" and (statement.metadata or {})["subset"] == "assertion"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"id": "a", "question": None, "answer": "yes"},
            r"^field question must be text, got None$",
        ),
        ({"id": "a", "question": 42, "answer": "yes"}, r"^field question must be text, got 42$"),
        ({"id": "a", "question": " ", "answer": "no"}, r"^field question must be text, got ' '$"),
        ({"id": None, "question": "Is it?", "answer": "no"}, r"^field id must be text"),
        ({"id": "a", "question": "Is it?", "answer": "maybe"}, r'^field answer must be "yes" or'),
        ({"id": "a", "question": "Is it?", "answer": True}, r'^field answer must be "yes" or'),
    ],
)
def test_record_errors(record: dict[str, object], message: str) -> None:
    with pytest.raises(RecordError, match=message):
        record_to_sample(record)


def test_reads_gzipped_and_plain_json_lines(tmp_path: Path) -> None:
    samples = list(csqa2_dataset(CSQA2))
    assert [s.target for s in samples] == ["1", "0", "1", "0", "0"]
    assert [s.id for s in samples] == ["fx0001", "fx0002", "fx0003", "fx0004", "fx0005"]
    subsets = [(s.metadata or {})["subset"] for s in samples]
    assert subsets == ["question", "assertion", "assertion", "question", "assertion"]
    plain = tmp_path / "CSQA2_dev.json"
    plain.write_bytes(gzip.decompress(CSQA2.read_bytes()))
    assert list(csqa2_dataset(plain)) == samples


def test_file_errors(tmp_path: Path) -> None:
    null_question = '{"id": "a", "question": "Is it?", "answer": "no"}\n' + (
        '{"id": "b", "question": null, "answer": "yes"}\n'
    )
    with pytest.raises(
        DataError, match=r"n\.json\.gz:2: field question must be text, got None; pass -T data_pa"
    ):
        (tmp_path / "n.json.gz").write_bytes(gzip.compress(null_question.encode()))
        csqa2(data_path=str(tmp_path / "n.json.gz"))
    with pytest.raises(DataError, match=r"t\.json:1: missing field\(s\) answer"):
        csqa2_dataset(write(tmp_path / "t.json", '{"id": "a", "question": "Is it?"}\n'))
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"\x1f\x8b" + b"not really gzip")
    with pytest.raises(DataError, match=r"broken\.json\.gz: not a readable JSON Lines file"):
        csqa2_dataset(broken)
    with pytest.raises(InspectMarketError, match=r"test split has no public answers; use -T"):
        csqa2(split="test", data_path=str(CSQA2))


def test_real_dev_file() -> None:
    task = csqa2(data_path=str(shared_file("csqa2/CSQA2_dev.json.gz")))
    assert len(task.dataset) == 2541 and [s.target for s in task.dataset].count("1") == 1225
    assert (task.metadata or {})["data_sha256"] == CSQA2_REMOTES["dev"].sha256
