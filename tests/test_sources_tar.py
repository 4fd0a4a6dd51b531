"""Remote files inside tar archives: the member is extracted into the cache, checked and reused."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from inspect_market.errors import DataError
from inspect_market.tasks.sources import CACHE_ENV, RemoteFile, resolve_source

CONTENT = b"label,scenario\n1,a fixture row\n"


def build_tar(path: Path, members: dict[str, bytes], mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def remote(
    archive: Path, member: str = "release/sub/file.csv", sha: str | None = None
) -> RemoteFile:
    return RemoteFile(archive.as_uri(), "file.csv", sha, member=member)


@pytest.mark.parametrize("mode", ["w:gz", "w"])
def test_member_is_extracted_into_the_cache_and_reused(
    tmp_path: Path, cache: Path, mode: str
) -> None:
    archive = build_tar(
        tmp_path / "release.tar",
        {"release/other.csv": b"x\n", "release/sub/file.csv": CONTENT},
        mode,
    )
    sha = hashlib.sha256(CONTENT).hexdigest()
    source = resolve_source(None, remote(archive, sha=sha), "file.csv")
    assert source.path == cache / "data" / "file.csv"
    assert source.path.read_bytes() == CONTENT
    assert source.log_metadata() == {
        "data_source": archive.as_uri(),
        "data_sha256": sha,
        "data_sha256_pinned": True,
    }
    archive.unlink()  # a second resolve must not download again
    assert resolve_source(None, remote(archive, sha=sha), "file.csv").path.read_bytes() == CONTENT


def test_member_with_unexpected_sha256_is_rejected(tmp_path: Path, cache: Path) -> None:
    archive = build_tar(tmp_path / "release.tar.gz", {"release/sub/file.csv": CONTENT})
    with pytest.raises(DataError, match=r"changed upstream.*-T data_path=/path/to/file\.csv"):
        resolve_source(None, remote(archive, sha="0" * 64), "file.csv")
    assert not (cache / "data" / "file.csv").exists()


def test_missing_member_or_non_archive_is_one_clear_error(tmp_path: Path) -> None:
    archive = build_tar(tmp_path / "release.tar.gz", {"release/sub/file.csv": CONTENT})
    with pytest.raises(DataError, match=r"not a tar archive holding release/nope\.csv; pass -T"):
        resolve_source(None, remote(archive, member="release/nope.csv"), "file.csv")
    not_tar = tmp_path / "plain.csv"
    not_tar.write_bytes(CONTENT)
    with pytest.raises(DataError, match="not a tar archive"):
        resolve_source(None, remote(not_tar), "file.csv")


def test_unreachable_archive_names_the_data_path_option(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"could not download .* -T data_path=/path/to/file\.csv"):
        resolve_source(None, remote(tmp_path / "absent.tar"), "file.csv")
