"""Errors users see as one line (Inspect prints a PrerequisiteError's message, no traceback).

`PrerequisiteError` is the one private inspect_ai import in the package: Inspect's CLI prints
exactly that class as a plain line, and no public module exports it (checked in 0.3.285:
`inspect_ai.util`, `inspect_ai.log`, `inspect_ai` itself).
"""

from __future__ import annotations

from inspect_ai._util.error import PrerequisiteError
from rich.markup import escape


class InspectMarketError(PrerequisiteError, ValueError):
    """A bad task argument or input file; raised before any model call."""

    def __init__(self, message: str) -> None:
        super().__init__(escape(message))  # Inspect prints .message as rich markup
        ValueError.__init__(self, message)

    def __str__(self) -> str:
        return str(self.args[0])


class DataError(InspectMarketError):
    """A data file that is missing, unreachable or not in the expected format."""
