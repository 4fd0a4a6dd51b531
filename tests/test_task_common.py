"""What the tasks share: the seeded order, the seed check, the readers' errors, the data source."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.dataset import Sample

from inspect_market.errors import DataError, InspectMarketError
from inspect_market.tasks import csqa2, ethics_commonsense, ethics_justice, scruples, truthfulqa
from inspect_market.tasks._common import seeded_flip
from inspect_market.tasks._files import RecordError, csv_release, jsonl_release, text_field
from inspect_market.tasks.sources import RemoteFile, resolve_source

FIXTURES = Path(__file__).parent / "fixtures"
TRUTHFULQA = FIXTURES / "truthfulqa_mini.csv"
TASKS = [truthfulqa, ethics_commonsense, ethics_justice, scruples, csqa2]


def test_seeded_flip_is_a_fixed_fair_coin_per_key() -> None:
    # `printf 0:a | sha256sum` starts 9d (>= 0x80: tails), `printf 1:a | sha256sum` 41 (heads)
    assert seeded_flip(0, "a") is False and seeded_flip(1, "a") is True
    keys = [f"item{i}" for i in range(4000)]
    for seed in range(3):
        heads = sum(seeded_flip(seed, k) for k in keys)
        assert 1900 <= heads <= 2100  # fair: 2000 +- 3.2 sd
    assert [seeded_flip(7, k) for k in keys] == [seeded_flip(7, k) for k in keys]


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("seed", ["abc", "3", True, -1, 1.5])
def test_seed_must_be_an_integer(task: Any, seed: object) -> None:
    with pytest.raises(
        InspectMarketError, match=f"^seed must be an integer >= 0, got {re.escape(repr(seed))}$"
    ):
        task(seed=seed, data_path="/never/read")


def test_seed_is_recorded() -> None:
    assert (truthfulqa(seed=5, data_path=str(TRUTHFULQA)).metadata or {})["seed"] == 5


def echo(record: dict[str, Any]) -> Sample:
    return Sample(input=text_field(record, "text"), id=0)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_text_field_rejects_null_numbers_lists_and_blank_text() -> None:
    assert text_field({"q": "  Is it?  "}, "q") == "Is it?"
    for value in (None, 3, 2.5, ["a"], "", "  "):
        with pytest.raises(
            RecordError, match=f"^field q must be text, got {re.escape(repr(value))}$"
        ):
            text_field({"q": value}, "q")
    with pytest.raises(RecordError, match=r"^column q must be text"):
        text_field({"q": " "}, "q", "column")


def test_csv_release_numbers_rows_and_names_the_line_of_a_bad_record(tmp_path: Path) -> None:
    # a quoted field over two lines and a blank row: the bad record is on line 7
    text = 'text,n\n"one\nline two",1\n\n,\nthree,3\n ,4\n'
    with pytest.raises(DataError, match=r"^.*c\.csv:7: field text must be text, got ' '$"):
        csv_release(write(tmp_path / "c.csv", text), echo, ["text"], "a test file", "t")
    good = csv_release(
        write(tmp_path / "g.csv", text[: text.index(" ,4")]), echo, ["text"], "", "t"
    )
    assert [(s.id, s.input) for s in good] == [(1, "one\nline two"), (2, "three")]
    assert good.name == "t"


def test_csv_release_file_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"c\.csv: missing column\(s\) text \(header: a, b\); exp"):
        csv_release(write(tmp_path / "c.csv", "a,b\n1,2\n"), echo, ["text"], "x", "t")
    with pytest.raises(DataError, match=r"^.*r\.csv:3: malformed row \(expected 2 fields\)$"):
        csv_release(write(tmp_path / "r.csv", "text,n\na,1\nb,2,3\n"), echo, ["text"], "x", "t")
    (tmp_path / "z.csv").write_bytes(b"text\n\xff\xfe\n")
    with pytest.raises(DataError, match=r"z\.csv: not a readable CSV file .*; expected x$"):
        csv_release(tmp_path / "z.csv", echo, ["text"], "x", "t")


def test_jsonl_release_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path / "d.json", '{"text": "a"}\n\n{"text": null}\n')
    with pytest.raises(DataError, match=r"^.*d\.json:3: field text must be text, got None$"):
        jsonl_release(path, echo, ["text"], "x", "t")
    with pytest.raises(DataError, match=r"d\.json:1: missing field\(s\) other; expected x$"):
        jsonl_release(path, echo, ["text", "other"], "x", "t")
    with pytest.raises(DataError, match=r"l\.json:2: not a JSON object; expected x$"):
        jsonl_release(write(tmp_path / "l.json", '{"text": "a"}\n[1]\n'), echo, ["text"], "x", "t")


def remote_for(path: Path, sha256: str | None) -> RemoteFile:
    return RemoteFile(url=path.as_uri(), filename="TruthfulQA.csv", sha256=sha256)


def test_remote_is_downloaded_checked_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSPECT_MARKET_CACHE_DIR", str(tmp_path / "cache"))
    upstream = tmp_path / "upstream.csv"
    upstream.write_bytes(TRUTHFULQA.read_bytes())
    digest = hashlib.sha256(upstream.read_bytes()).hexdigest()
    source = resolve_source(None, remote_for(upstream, digest), "TruthfulQA.csv")
    assert source.origin == upstream.as_uri() and source.sha256 == digest
    assert source.path == tmp_path / "cache" / "data" / "TruthfulQA.csv"
    upstream.unlink()  # the cached copy is used from now on
    assert resolve_source(None, remote_for(upstream, digest), "TruthfulQA.csv").path == source.path


def test_changed_upstream_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_MARKET_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(DataError, match=r"changed upstream.*-T data_path=/path/to/TruthfulQA\.csv"):
        resolve_source(None, remote_for(TRUTHFULQA, "0" * 64), "TruthfulQA.csv")
    assert list((tmp_path / "cache" / "data").iterdir()) == []  # no half-written file is left


def test_unreachable_remote_names_data_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSPECT_MARKET_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(
        DataError, match=r"^could not download .*pass -T data_path=/path/to/TruthfulQA.csv$"
    ):
        resolve_source(None, remote_for(tmp_path / "absent.csv", None), "TruthfulQA.csv")
