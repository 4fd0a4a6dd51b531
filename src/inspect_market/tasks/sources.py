"""Where task data comes from: a local release file, a release file shipped in the package (checked
against its pinned sha256), or a remote file cached on disk and verified.

A remote file is downloaded once into `cache_dir()` and checked on every use:

- pinned (`RemoteFile.sha256` set): a cached copy with another sha256 is corrupt; it is logged
  and downloaded again, and if that download fails the error says the cached copy was corrupt.
- unpinned: the sha256 of the first download is recorded in a sidecar `<file>.sha256` beside it
  (`sha256sum` format, so `sha256sum -c` checks it too). A later mismatch is one error telling
  the user to delete the cached file (the next run downloads and records it anew) or to pass
  `-T data_path`. A cached file with no sidecar is downloaded again.

The sidecar guards against accidental changes (an edited or truncated file, a partial copy), not
against someone who can also rewrite the sidecar. Files and sidecars are written to a temporary
file and renamed into place, so a reader never sees half of either.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import logging
import os
import re
import secrets
import tarfile
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir

from ..errors import DataError

CACHE_ENV = "INSPECT_MARKET_CACHE_DIR"
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RemoteFile:
    """A release file at a pinned URL; sha256 None when upstream publishes no fixed bytes.

    With `member` set, the URL is a tar archive and the file is that member, extracted into the
    cache; sha256 is then the member's. With `shipped` set, the package holds the file (pinned,
    checked against sha256 at every use) and it is read instead of downloading.
    """

    url: str
    filename: str
    sha256: str | None
    member: str | None = None
    shipped: Path | None = None


@dataclass(frozen=True)
class SourceFile:
    """The file a task actually read, and where it came from (recorded in the eval log).

    `sha256_pinned` is True when the bytes read are those pinned in the code; False for an
    unpinned remote (its sha256 was recorded at first download) or a local file that differs.
    """

    path: Path
    origin: str
    sha256: str
    sha256_pinned: bool = False

    def log_metadata(self) -> dict[str, str | bool]:
        return {
            "data_source": self.origin,
            "data_sha256": self.sha256,
            "data_sha256_pinned": self.sha256_pinned,
        }


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or user_cache_dir("inspect_market")) / "data"


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename: all of it or nothing.

    The file gets the usual mode of a new file (0666 less the umask), so a shared cache stays
    readable by the group the umask allows.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("xb") as out:
            out.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def resolve_source(data_path: str | None, remote: RemoteFile, what: str) -> SourceFile:
    """The local file if given (it must exist), else the shipped copy, else the cached or freshly
    downloaded remote."""
    if data_path is not None:
        path = Path(data_path).expanduser()
        if not path.is_file():
            raise DataError(f"data_path {data_path!r} is not a file; pass the path of {what}")
        digest = sha256_of(path)
        return SourceFile(path.resolve(), str(path.resolve()), digest, digest == remote.sha256)
    if remote.shipped is not None:
        return _shipped(remote.shipped, remote, what)
    path, digest = _fetch(remote, what)
    return SourceFile(path, remote.url, digest, remote.sha256 is not None)


def _shipped(path: Path, remote: RemoteFile, what: str) -> SourceFile:
    """The file shipped in the package, if it still has the pinned bytes."""
    digest = sha256_of(path) if path.is_file() else None
    if digest is None or digest != remote.sha256:
        found = "is missing" if digest is None else f"has sha256 {digest[:12]}…"
        raise DataError(
            f"the packaged {path} {found}, not the pinned {str(remote.sha256)[:12]}…: reinstall "
            f"inspect-market, or pass -T data_path=/path/to/{what}"
        )
    return SourceFile(path, str(path), digest, sha256_pinned=True)


class _DownloadFailed(Exception):
    """Why a download gave no usable file; `_fetch` turns it into one DataError."""


def _fetch(remote: RemoteFile, what: str) -> tuple[Path, str]:
    """The verified cached file and its sha256, downloading it when there is no usable copy."""
    target = cache_dir() / remote.filename
    digest, unused = _check_cached(remote, target, what)
    if digest is not None:
        return target, digest
    try:
        data, digest = _download(remote)
    except _DownloadFailed as ex:
        note = f"; {unused}, so it was not used" if unused else ""
        raise DataError(f"{ex}{note}; pass -T data_path=/path/to/{what}") from None
    write_atomically(target, data)
    if remote.sha256 is None:
        write_atomically(_record_path(target), f"{digest}  {target.name}\n".encode())
    return target, digest


def _check_cached(remote: RemoteFile, target: Path, what: str) -> tuple[str | None, str]:
    """(sha256, "") of a usable cached copy, else (None, why a cached copy is not used or "").

    An unpinned copy that no longer matches its recorded sha256 is an error, not a download.
    """
    if not target.is_file():
        return None, ""
    digest = sha256_of(target)
    if remote.sha256 is not None:
        if digest == remote.sha256:
            return digest, ""
        unused = (
            f"the cached {target} is corrupt (sha256 {digest[:12]}…, pinned {remote.sha256[:12]}…)"
        )
        logger.warning("%s; downloading it again", unused)
        return None, unused
    record = _record_path(target)
    recorded = _recorded_sha256(record)
    if recorded is None:
        return None, f"the cached {target} has no recorded sha256"
    if recorded != digest:
        raise DataError(
            f"the cached {target} has sha256 {digest[:12]}…, but its first download recorded "
            f"{recorded[:12]}… in {record.name}: the file changed since. Delete {target} to "
            f"download it again, or pass -T data_path=/path/to/{what}"
        )
    return digest, ""


def _download(remote: RemoteFile) -> tuple[bytes, str]:
    """The bytes of the remote file (of the member, for an archive) and their checked sha256."""
    cache_dir().mkdir(parents=True, exist_ok=True)
    try:
        with urllib.request.urlopen(remote.url, timeout=60) as resp:
            data: bytes = resp.read()
    except (OSError, http.client.HTTPException) as ex:  # IncompleteRead is an HTTPException
        raise _DownloadFailed(f"could not download {remote.url} ({ex})") from None
    if remote.member is not None:
        data = _tar_member(data, remote)
    digest = hashlib.sha256(data).hexdigest()
    if remote.sha256 is not None and digest != remote.sha256:
        raise _DownloadFailed(
            f"{remote.url} changed upstream (sha256 {digest[:12]}…, expected {remote.sha256[:12]}…)"
        )
    return data, digest


def _tar_member(archive: bytes, remote: RemoteFile) -> bytes:
    """The bytes of `remote.member` inside a (possibly compressed) tar archive."""
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            member = tar.extractfile(str(remote.member))
            if member is None:
                raise KeyError(remote.member)
            return member.read()
    except (EOFError, zlib.error, gzip.BadGzipFile):
        raise _DownloadFailed(f"{remote.url} is truncated or damaged") from None
    except (tarfile.TarError, KeyError):
        raise _DownloadFailed(
            f"{remote.url} is not a tar archive holding {remote.member}"
        ) from None


def _record_path(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _recorded_sha256(record: Path) -> str | None:
    """The sha256 in a `sha256sum`-style sidecar, in lower case (as `sha256_of` gives it), or
    None when it is missing or unreadable."""
    try:
        fields = record.read_text().split()
    except (OSError, UnicodeDecodeError):
        return None
    return fields[0].lower() if fields and _SHA256.fullmatch(fields[0]) else None
