"""What the `actions.py` modules of every app raise when a change is refused or would overwrite another."""

from dataclasses import dataclass, field
from typing import Any


class Refused(Exception):
    """A refused change, with a message for the person who asked for it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Conflict(Exception):
    """Someone saved the row since the editor loaded it (optimistic locking, docs/quality.md R4): both versions,
    so that nothing typed is lost, and the version a deliberate second save replaces."""

    stored: dict[str, Any]
    submitted: dict[str, Any]
    stored_version: int


@dataclass
class FieldConflict(Exception):
    """Fields that this person and someone else both changed, to different values, since this person's
    page was loaded (a save merged by field, lib.merge; docs/quality.md R4). Nothing of the save was applied.
    Values are by form field name."""

    fields: list[str]
    stored: dict[str, Any]
    submitted: dict[str, Any]
    fingerprints: dict[str, str]  # of the stored values
    stored_version: int
    # Who saved each conflicting field's stored value, and when, where the history says.
    saved_by: dict[str, tuple[Any, Any]] = field(default_factory=dict)
