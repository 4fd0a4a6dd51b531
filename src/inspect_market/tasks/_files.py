"""Release files as Inspect datasets, every bad file one DataError naming the file and the line.

A task's `record_to_sample` is pure: it maps one record (a CSV row or a JSON object, with the
fields the reader checked) to one Sample, raising RecordError for a bad value. These readers
add the file and the line to that error.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from inspect_ai.dataset import Dataset, MemoryDataset, Sample, csv_dataset

from ..errors import DataError

RecordToSample = Callable[[dict[str, Any]], Sample]
ROW_ID = 0
"""The id a CSV record_to_sample gives its sample: csv_release numbers the rows (auto_id)."""
_RAGGED = re.compile(r" line (\d+) has \d+ fields?, the header has (\d+)\b")
_SNIFF = 8192
"""How many leading bytes of a CSV file are checked for NUL bytes (binary data)."""
_QUOTE_LIMIT = 100


class RecordError(ValueError):
    """What is wrong with one record (no location: the reader adds the file and the line)."""


def clipped(text: str, limit: int = _QUOTE_LIMIT) -> str:
    """`text` on one line (control characters escaped), cut to `limit` characters."""
    flat = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def shown(value: object) -> str:
    """How an error quotes a value from a data file: its repr, clipped."""
    return clipped(repr(value))


def text_field(record: dict[str, Any], key: str, kind: str = "field") -> str:
    """The stripped text of `record[key]`; null, a number, a list or blank text is an error."""
    value = record[key]
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{kind} {key} must be text, got {shown(value)}")
    return value.strip()


def csv_release(
    path: Path, record_to_sample: RecordToSample, columns: Sequence[str], hint: str, name: str
) -> Dataset:
    """csv_dataset of `path`, sample ids 1..N in row order, after checking the header.

    Inspect's reader reads every row before converting any, so the line of a row that
    `record_to_sample` rejects is found by reading the file again, on that error only. Its
    ragged-row error is restated as `file:line: malformed row`, like every other error here.
    A file with NUL bytes near its start is binary data, rejected before it is parsed.
    """
    rows = 0

    def convert(record: dict[str, Any]) -> Sample:
        nonlocal rows
        rows += 1
        return record_to_sample(record)

    with path.open("rb") as raw:
        if b"\0" in raw.read(_SNIFF):
            raise DataError(f"{path}: not a readable CSV file (binary data); expected {hint}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            header = next(csv.reader(f), [])
        missing = [c for c in columns if c not in header]
        if not missing:
            return csv_dataset(str(path), sample_fields=convert, auto_id=True, name=name)
    except RecordError as ex:
        raise DataError(f"{path}:{_csv_line(path, rows)}: {ex}") from None
    except (UnicodeDecodeError, csv.Error) as ex:
        raise DataError(f"{path}: not a readable CSV file ({ex}); expected {hint}") from None
    except ValueError as ex:
        ragged = _RAGGED.search(str(ex))
        if ragged is None:
            raise DataError(f"{path}: {ex}") from None
        line, fields = ragged.groups()
        raise DataError(f"{path}:{line}: malformed row (expected {fields} fields)") from None
    raise DataError(
        f"{path}: missing column(s) {', '.join(missing)} "
        f"(header: {clipped(', '.join(header))}); expected {hint}"
    )


def _csv_line(path: Path, row: int) -> int:
    """The line on which data row `row` (1-based, as csv_dataset counts them) ends."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f, dialect="unix")
        kept = 0
        for record in reader:
            kept += any(value.strip() for value in record.values())  # csv_dataset skips blank rows
            if kept == row:
                break
        return reader.line_num


def jsonl_release(
    path: Path, record_to_sample: RecordToSample, fields: Sequence[str], hint: str, name: str
) -> Dataset:
    """The samples of a JSON Lines file, gzipped or not (blank lines skipped).

    Not json_dataset: it reads JSON Lines only from a `.jsonl` name and parses anything else
    as one JSON document, and CSQA2_dev.json.gz is gzipped JSON Lines; nor does it name the
    line of a record that `record_to_sample` rejects.
    """
    with path.open("rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    samples = []
    try:
        with (gzip.open if gzipped else open)(path, "rt", encoding="utf-8") as f:
            for line, text in enumerate(f, start=1):
                if text.strip():
                    samples.append(_json_record(path, line, text, record_to_sample, fields, hint))
    except (UnicodeDecodeError, OSError, EOFError) as ex:
        raise DataError(f"{path}: not a readable JSON Lines file ({ex}); expected {hint}") from None
    return MemoryDataset(samples, name=name, location=str(path))


def _json_record(
    path: Path,
    line: int,
    text: str,
    record_to_sample: RecordToSample,
    fields: Sequence[str],
    hint: str,
) -> Sample:
    try:
        record = json.loads(text)
    except RecursionError:
        raise DataError(f"{path}:{line}: JSON nested too deeply; expected {hint}") from None
    except ValueError as ex:  # JSONDecodeError, or an integer too long for int()
        reason = "" if isinstance(ex, json.JSONDecodeError) else " (a number with too many digits)"
        raise DataError(f"{path}:{line}: not a JSON object{reason}; expected {hint}") from None
    if not isinstance(record, dict):
        raise DataError(f"{path}:{line}: not a JSON object; expected {hint}")
    missing = [k for k in fields if k not in record]
    if missing:
        raise DataError(f"{path}:{line}: missing field(s) {', '.join(missing)}; expected {hint}")
    try:
        return record_to_sample(record)
    except RecordError as ex:
        raise DataError(f"{path}:{line}: {ex}") from None
