"""An assessment event in words: what changed, from what, to what."""

from typing import Any

from assessments.models import AssessmentEvent


def describe(event: AssessmentEvent) -> list[tuple[str, str, str]]:
    """What an event changed, as (what, from, to) rows a reader can follow."""
    rows = []
    for key, value in sorted(event.changes.items()):
        if key == "autosave":
            continue  # shown beside the event's name
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            rows.append((key.replace("_", " "), _shown(value["from"]), _shown(value["to"])))
        else:
            rows.append((key.replace("_", " "), "", _shown(value)))
    return rows


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in sorted(value.items()) if v not in ("", None)) or "–"
    return str(value)
