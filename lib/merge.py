"""Saves merged by field (QUALITY.md R4): two people editing one thing both keep their work.

An edit page is loaded with the stored values of its fields. It sends back, with what is typed, a
fingerprint of each value it was loaded with (`fingerprints`). At save time, for each field:

- not changed by this person (typed value's fingerprint == loaded one): left as stored, whatever
  anyone else did to it meanwhile; when someone else did change it, the answer says so, so that the
  page can take the new value in;
- changed by this person only (stored value still the loaded one): applied;
- changed by both, to different values: a conflict, named by field; nothing of the save is applied,
  so that the person decides with both texts in front of them;
- changed by both to the same value: nothing to decide.

Fingerprints, not versions per field: history folds autosaves, so the page's loaded values are the
one thing that says what "changed since the page was loaded" means. A fingerprint is short and says
nothing about the text it was made from to anyone who does not already have the text.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def fingerprint(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fingerprints(state: Mapping[str, Any]) -> dict[str, str]:
    return {name: fingerprint(value) for name, value in state.items()}


@dataclass
class Merge:
    """What a save does to a stored state, field by field."""

    apply: dict[str, Any] = field(default_factory=dict)  # fields this person changed and nobody else did
    conflicts: list[str] = field(default_factory=list)  # fields both changed, to different values
    theirs: dict[str, Any] = field(default_factory=dict)  # fields someone else changed and this person did not

    @property
    def clean(self) -> bool:
        return not self.conflicts


def merge(stored: Mapping[str, Any], loaded: Mapping[str, str], submitted: Mapping[str, Any]) -> Merge:
    """Merges `submitted` (the fields a page sent) into `stored`, given the fingerprints the page was
    loaded with. A submitted field without a loaded fingerprint counts as changed by this person and
    by someone else, unless its value is what is stored: it can be applied only knowingly."""
    result = Merge()
    for name, value in submitted.items():
        base = loaded.get(name)
        current = stored.get(name)
        mine = fingerprint(value) != base
        others = fingerprint(current) != base
        if value == current:
            continue
        if mine and not others:
            result.apply[name] = value
        elif mine:
            result.conflicts.append(name)
        else:
            result.theirs[name] = current
    return result
