"""The joined embedded model is trusted through a stamp of its sha256, size, mtime and ctime:
any change to the file, even one keeping its size (and its mtime), means a re-hash on the next
load, and a failed re-hash means joining it again. Small fake chunk files stand in for the model."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from inspect_market.errors import InspectMarketError
from inspect_market.providers import model_files
from inspect_market.providers.model_files import EmbeddedModel, embedded_model_path

CHUNKS = [b"GGUF\x03\x00", b"tensor-bytes-", b"the-end"]
DATA = b"".join(CHUNKS)
MODEL = EmbeddedModel(
    "fake", "fake.gguf", hashlib.sha256(DATA).hexdigest(), len(DATA), "im-fake-part", 3, "0.2.0"
)


class Counter:
    """Counts calls of a wrapped function (or fails the test when `allowed` is False)."""

    def __init__(self, wrapped: Callable[..., object], allowed: bool = True) -> None:
        self.wrapped, self.allowed, self.calls = wrapped, allowed, 0

    def __call__(self, *args: object) -> object:
        if not self.allowed:
            pytest.fail(f"unexpected call of {self.wrapped}")
        self.calls += 1
        return self.wrapped(*args)


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Counter:
    """The fake model registered, its chunk files on disk; counts how often they are looked up."""
    paths = []
    for i, chunk in enumerate(CHUNKS, start=1):
        paths.append(tmp_path / f"part{i:02d}.bin")
        paths[-1].write_bytes(chunk)
    monkeypatch.setitem(model_files.EMBEDDED_MODELS, MODEL.alias, MODEL)
    counter = Counter(lambda model: paths)
    monkeypatch.setattr(model_files, "part_paths", counter)
    return counter


@pytest.fixture
def hashing(monkeypatch: pytest.MonkeyPatch) -> Counter:
    counter = Counter(model_files.sha256_of)
    monkeypatch.setattr(model_files, "sha256_of", counter)
    return counter


def stamp_of(target: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(target.with_name(f"{target.name}.sha256").read_text())
    return loaded


def settle(target: Path) -> None:
    """Date the stamp a second after the file's last change (as after any real pause)."""
    later = target.stat().st_ctime_ns + 1_000_000_000
    os.utime(target.with_name(f"{target.name}.sha256"), ns=(later, later))


def test_the_stamp_records_sha256_size_and_times(tmp_path: Path, parts: Counter) -> None:
    target = embedded_model_path(MODEL.alias, tmp_path / "cache")
    assert target.read_bytes() == DATA
    now = target.stat()
    assert stamp_of(target) == {
        "sha256": MODEL.sha256,
        "size": len(DATA),
        "mtime_ns": now.st_mtime_ns,
        "ctime_ns": now.st_ctime_ns,
    }
    assert sorted(p.name for p in target.parent.iterdir()) == ["fake.gguf", "fake.gguf.sha256"]


def test_a_settled_stamp_skips_hashing_and_the_parts(
    tmp_path: Path, parts: Counter, hashing: Counter
) -> None:
    target = embedded_model_path(MODEL.alias, tmp_path / "cache")
    settle(target)
    parts.allowed = hashing.allowed = False
    assert embedded_model_path(MODEL.alias, tmp_path / "cache") == target


@pytest.mark.parametrize("restore_mtime", [False, True], ids=["write", "write-then-restore-mtime"])
def test_a_same_size_corruption_is_caught_on_the_next_load(
    tmp_path: Path, parts: Counter, caplog: pytest.LogCaptureFixture, restore_mtime: bool
) -> None:
    target = embedded_model_path(MODEL.alias, tmp_path / "cache")
    settle(target)
    before = target.stat()
    with target.open("r+b") as f:  # flip bytes in place: same size, same inode
        f.seek(6)
        f.write(b"TENSOR")
    if restore_mtime:
        os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size and target.read_bytes() != DATA
    with caplog.at_level(logging.WARNING, logger=model_files.__name__):
        assert embedded_model_path(MODEL.alias, tmp_path / "cache") == target
    assert target.read_bytes() == DATA and parts.calls == 2  # joined again from the parts
    assert [r.getMessage() for r in caplog.records] == [
        f"{target} fails its sha256 check; joining it again from the parts"
    ]
    assert stamp_of(target)["ctime_ns"] == target.stat().st_ctime_ns


def test_an_intact_but_touched_file_is_rehashed_without_the_parts(
    tmp_path: Path, parts: Counter, hashing: Counter
) -> None:
    target = embedded_model_path(MODEL.alias, tmp_path / "cache")
    os.utime(target, ns=(1, 1))  # metadata change only: e.g. a restore from a backup
    parts.allowed = False  # e.g. the part packages were uninstalled after joining
    assert embedded_model_path(MODEL.alias, tmp_path / "cache") == target
    assert hashing.calls == 1 and stamp_of(target)["mtime_ns"] == 1


@pytest.mark.parametrize(
    "stamp",
    [MODEL.sha256 + "\n", "{not json", "[]"],
    ids=["old-plain-digest", "unreadable", "not-a-dict"],
)
def test_an_old_or_unreadable_stamp_means_a_rehash(
    tmp_path: Path, parts: Counter, hashing: Counter, stamp: str
) -> None:
    target = embedded_model_path(MODEL.alias, tmp_path / "cache")
    target.with_name(f"{target.name}.sha256").write_text(stamp)
    parts.allowed = False
    assert embedded_model_path(MODEL.alias, tmp_path / "cache") == target
    assert hashing.calls == 1 and stamp_of(target)["sha256"] == MODEL.sha256


def test_a_stamp_from_the_same_clock_tick_as_the_file_is_not_trusted(
    tmp_path: Path, parts: Counter, hashing: Counter
) -> None:
    target = embedded_model_path(MODEL.alias, tmp_path / "cache")
    tick = target.stat().st_ctime_ns
    os.utime(target.with_name(f"{target.name}.sha256"), ns=(tick, tick))
    assert embedded_model_path(MODEL.alias, tmp_path / "cache") == target
    assert hashing.calls == 1


def test_a_stamp_for_another_sha256_means_a_rehash(
    tmp_path: Path, parts: Counter, hashing: Counter
) -> None:
    target = embedded_model_path(MODEL.alias, tmp_path / "cache")
    stamp = target.with_name(f"{target.name}.sha256")
    stamp.write_text(json.dumps(stamp_of(target) | {"sha256": "f" * 64}))  # another version's
    settle(target)
    assert embedded_model_path(MODEL.alias, tmp_path / "cache") == target
    assert hashing.calls == 1 and stamp_of(target)["sha256"] == MODEL.sha256


def test_a_corrupt_model_without_its_part_packages_is_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(model_files.EMBEDDED_MODELS, MODEL.alias, MODEL)
    target = tmp_path / "cache" / MODEL.filename
    target.parent.mkdir()
    target.write_bytes(b"x" * len(DATA))
    with pytest.raises(InspectMarketError, match=r"needs packages that are not installed: im-fake"):
        embedded_model_path(MODEL.alias, tmp_path / "cache")
    assert target.read_bytes() == b"x" * len(DATA)
