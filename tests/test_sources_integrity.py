"""Cached downloads are verified on every use: pinned files against the pin, unpinned files
against the sha256 recorded at their first download; broken downloads are one clear error."""

from __future__ import annotations

import hashlib
import http.client
import io
import logging
import os
import stat
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from inspect_market.errors import DataError
from inspect_market.tasks import sources
from inspect_market.tasks.sources import (
    CACHE_ENV,
    RemoteFile,
    resolve_source,
    write_atomically,
)

URL = "https://example.invalid/ethics/cm_test_hard.csv"  # never contacted: urlopen is faked
NAME = "cm_test_hard.csv"
ROWS = b"label,input\n0,I helped my neighbour carry her groceries.\n1,I kept the wallet I found.\n"
FLIPPED = (
    b"label,input\n1,I helped my neighbour carry her groceries.\n0,I kept the wallet I found.\n"
)
NEWER = ROWS + b"0,I returned the library book on time.\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Upstream:
    """A fake `urlopen`: serves `body`, or raises it, and counts the requests."""

    def __init__(self) -> None:
        self.body: bytes | Exception = ROWS
        self.calls = 0

    def __call__(self, url: str, timeout: float) -> Upstream:
        self.calls += 1
        return self

    def __enter__(self) -> Upstream:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def read(self) -> bytes:
        if isinstance(self.body, Exception):
            raise self.body
        return self.body


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> Upstream:
    fake = Upstream()
    monkeypatch.setattr(urllib.request, "urlopen", fake)
    return fake


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / "data"


UNPINNED = RemoteFile(URL, NAME, None)
PINNED = RemoteFile(URL, NAME, sha(ROWS))


def cached(data_dir: Path, data: bytes, record: str | None = None) -> Path:
    """Put `data` in the cache as if downloaded earlier, with `record` as its sidecar."""
    data_dir.mkdir(parents=True)
    (data_dir / NAME).write_bytes(data)
    if record is not None:
        (data_dir / f"{NAME}.sha256").write_text(record)
    return data_dir / NAME


def test_first_download_of_an_unpinned_file_records_its_sha256(
    upstream: Upstream, data_dir: Path
) -> None:
    source = resolve_source(None, UNPINNED, NAME)
    assert source.path == data_dir / NAME and source.path.read_bytes() == ROWS
    assert (data_dir / f"{NAME}.sha256").read_text() == f"{sha(ROWS)}  {NAME}\n"
    assert sorted(p.name for p in data_dir.iterdir()) == [NAME, f"{NAME}.sha256"]
    assert source.log_metadata() == {
        "data_source": URL,
        "data_sha256": sha(ROWS),
        "data_sha256_pinned": False,
    }
    upstream.body = urllib.error.URLError("offline")  # later uses read the verified cache
    assert resolve_source(None, UNPINNED, NAME).sha256 == sha(ROWS)
    assert upstream.calls == 1


def test_a_changed_unpinned_cache_file_is_one_error_and_is_kept(
    upstream: Upstream, data_dir: Path
) -> None:
    path = resolve_source(None, UNPINNED, NAME).path
    path.write_bytes(FLIPPED)  # same size, labels flipped
    with pytest.raises(DataError) as error:
        resolve_source(None, UNPINNED, NAME)
    message = str(error.value)
    assert message == (
        f"the cached {path} has sha256 {sha(FLIPPED)[:12]}…, but its first download recorded "
        f"{sha(ROWS)[:12]}… in {NAME}.sha256: the file changed since. Delete {path} to "
        f"download it again, or pass -T data_path=/path/to/{NAME}"
    )
    assert upstream.calls == 1 and path.read_bytes() == FLIPPED  # nothing fetched, nothing lost


def test_deleting_the_changed_file_downloads_and_records_it_anew(
    upstream: Upstream, data_dir: Path
) -> None:
    path = cached(data_dir, FLIPPED, f"{sha(ROWS)}  {NAME}\n")
    path.unlink()  # as the error tells the user to
    upstream.body = NEWER  # upstream published new bytes meanwhile
    assert resolve_source(None, UNPINNED, NAME).sha256 == sha(NEWER)
    assert (data_dir / f"{NAME}.sha256").read_text() == f"{sha(NEWER)}  {NAME}\n"
    assert resolve_source(None, UNPINNED, NAME).path.read_bytes() == NEWER


@pytest.mark.parametrize("record", [None, "", "not a digest\n"])
def test_an_unpinned_cache_file_without_a_usable_record_is_downloaded_again(
    upstream: Upstream, data_dir: Path, record: str | None
) -> None:
    cached(data_dir, FLIPPED, record)  # e.g. cached by a version that kept no record
    source = resolve_source(None, UNPINNED, NAME)
    assert source.path.read_bytes() == ROWS and upstream.calls == 1
    assert (data_dir / f"{NAME}.sha256").read_text() == f"{sha(ROWS)}  {NAME}\n"


def test_an_unrecorded_cache_file_that_cannot_be_downloaded_again_says_why(
    upstream: Upstream, data_dir: Path
) -> None:
    path = cached(data_dir, FLIPPED)
    upstream.body = urllib.error.URLError("offline")
    with pytest.raises(
        DataError,
        match=(
            rf"^could not download {URL} \(<urlopen error offline>\); the cached .*{NAME} has "
            rf"no recorded sha256, so it was not used; pass -T data_path=/path/to/{NAME}$"
        ),
    ):
        resolve_source(None, UNPINNED, NAME)
    assert path.read_bytes() == FLIPPED


@pytest.mark.parametrize("remote", [UNPINNED, PINNED], ids=["unpinned", "pinned"])
def test_a_download_cut_mid_stream_is_one_clear_error(
    upstream: Upstream, data_dir: Path, remote: RemoteFile
) -> None:
    upstream.body = http.client.IncompleteRead(ROWS[:20], len(ROWS) - 20)
    with pytest.raises(
        DataError,
        match=(
            rf"^could not download {URL} \(IncompleteRead\(20 bytes read, \d+ more expected\)\); "
            rf"pass -T data_path=/path/to/{NAME}$"
        ),
    ):
        resolve_source(None, remote, NAME)
    assert list(data_dir.iterdir()) == []  # no partial file, no record


def test_a_truncated_compressed_archive_is_one_clear_error(
    upstream: Upstream, data_dir: Path
) -> None:
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        body = os.urandom(50_000)  # incompressible, so half the archive cuts the member
        info = tarfile.TarInfo(f"ethics/commonsense/{NAME}")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    upstream.body = archive.getvalue()[: len(archive.getvalue()) // 2]
    remote = RemoteFile(URL, NAME, None, member=f"ethics/commonsense/{NAME}")
    with pytest.raises(
        DataError, match=rf"^{URL} is truncated or damaged; pass -T data_path=/path/to/{NAME}$"
    ):
        resolve_source(None, remote, NAME)
    assert list(data_dir.iterdir()) == []


def test_a_corrupt_pinned_cache_file_is_downloaded_again_with_a_warning(
    upstream: Upstream, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = cached(data_dir, FLIPPED)
    with caplog.at_level(logging.WARNING, logger=sources.__name__):
        source = resolve_source(None, PINNED, NAME)
    assert source.path.read_bytes() == ROWS and upstream.calls == 1
    assert source.log_metadata()["data_sha256_pinned"] is True
    assert [r.getMessage() for r in caplog.records] == [
        f"the cached {path} is corrupt (sha256 {sha(FLIPPED)[:12]}…, pinned {sha(ROWS)[:12]}…);"
        " downloading it again"
    ]
    assert sorted(p.name for p in data_dir.iterdir()) == [NAME]  # a pin needs no record


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (http.client.IncompleteRead(b"", 10), rf"could not download {URL} \(IncompleteRead.*\)"),
        (NEWER, rf"{URL} changed upstream \(sha256 {sha(NEWER)[:12]}…, expected .*\)"),
    ],
    ids=["cut", "changed"],
)
def test_a_failed_download_of_a_corrupt_pinned_file_says_the_cache_was_corrupt(
    upstream: Upstream, data_dir: Path, body: bytes | Exception, problem: str
) -> None:
    cached(data_dir, FLIPPED)
    upstream.body = body
    with pytest.raises(
        DataError,
        match=(
            rf"^{problem}; the cached .*{NAME} is corrupt \(sha256 {sha(FLIPPED)[:12]}…, pinned "
            rf"{sha(ROWS)[:12]}…\), so it was not used; pass -T data_path=/path/to/{NAME}$"
        ),
    ):
        resolve_source(None, PINNED, NAME)


@pytest.mark.parametrize(
    ("local", "remote", "pinned"),
    [(ROWS, PINNED, True), (FLIPPED, PINNED, False), (ROWS, UNPINNED, False)],
    ids=["pinned-bytes", "other-bytes", "no-pin"],
)
def test_a_local_file_counts_as_pinned_only_when_it_has_the_pinned_bytes(
    tmp_path: Path, local: bytes, remote: RemoteFile, pinned: bool
) -> None:
    path = tmp_path / NAME
    path.write_bytes(local)
    metadata = resolve_source(str(path), remote, NAME).log_metadata()
    assert metadata == {
        "data_source": str(path),
        "data_sha256": sha(local),
        "data_sha256_pinned": pinned,
    }


def test_write_atomically_replaces_whole_or_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / f"{NAME}.sha256"
    write_atomically(path, b"old\n")
    umask = os.umask(0o027)
    try:
        write_atomically(path, b"new\n")
    finally:
        os.umask(umask)
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # a new file's mode, not mkstemp's 0600

    def failing_rename(src: str, dst: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_rename)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, b"torn")
    assert path.read_bytes() == b"new\n"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file is left behind


def test_a_sidecar_in_upper_case_matches_its_file(upstream: Upstream, data_dir: Path) -> None:
    """`sha256sum -c` accepts either case; so does the cache (no 'changed since' error)."""
    cached(data_dir, ROWS, f"{sha(ROWS).upper()}  {NAME}\n")
    source = resolve_source(None, UNPINNED, NAME)
    assert (source.sha256, upstream.calls) == (sha(ROWS), 0)


def test_a_shipped_file_is_read_only_with_its_pinned_bytes(
    upstream: Upstream, tmp_path: Path
) -> None:
    shipped = tmp_path / NAME
    shipped.write_bytes(ROWS)
    remote = RemoteFile(URL, NAME, sha(ROWS), shipped=shipped)
    source = resolve_source(None, remote, NAME)
    assert (source.path, source.sha256, source.sha256_pinned) == (shipped, sha(ROWS), True)
    shipped.write_bytes(FLIPPED)
    with pytest.raises(DataError) as error:
        resolve_source(None, remote, NAME)
    assert str(error.value) == (
        f"the packaged {shipped} has sha256 {sha(FLIPPED)[:12]}…, not the pinned "
        f"{sha(ROWS)[:12]}…: reinstall inspect-market, or pass -T data_path=/path/to/{NAME}"
    )
    assert upstream.calls == 0
