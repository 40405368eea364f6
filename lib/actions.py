"""What the `actions.py` modules of every app raise when a change is refused or would overwrite another."""

from dataclasses import dataclass
from typing import Any


class Refused(Exception):
    """A refused change, with a message for the person who asked for it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Conflict(Exception):
    """Someone saved the row since the editor loaded it (optimistic locking, QUALITY.md R4): both versions,
    so that nothing typed is lost, and the version a deliberate second save replaces."""

    stored: dict[str, Any]
    submitted: dict[str, Any]
    stored_version: int
