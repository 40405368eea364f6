"""Saves merged by field (docs/quality.md R4): two people editing one thing both keep their work.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict

from lib.actions import FieldConflict


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


def merged(
    stored: Mapping[str, Any],
    loaded: Mapping[str, str],
    submitted: Mapping[str, Any],
    *,
    version: int,
    saved_by: Callable[[list[str]], dict[str, tuple[Any, Any]]],
) -> Merge:
    """`merge`, for a save: raises FieldConflict (with who saved each conflicting field, from `saved_by`)
    when a field both changed; otherwise the merge, whose `apply` the caller stores."""
    result = merge(stored, loaded, submitted)
    if result.conflicts:
        raise FieldConflict(
            fields=result.conflicts,
            stored=dict(stored),
            submitted=dict(submitted),
            fingerprints=fingerprints(stored),
            stored_version=version,
            saved_by=saved_by(result.conflicts),
        )
    return result


def conflict_form_data(
    post: QueryDict, conflict: FieldConflict, loaded: Mapping[str, str], *, prefix: str | None = None
) -> QueryDict:
    """The conflict screen's form, from what was sent: the fields in conflict keep what was typed, now
    based on the stored value (so that sending it is this person's decision, and a newer save meets a new
    conflict); fields only this person changed keep what was typed and their old base; fields this person
    did not touch show what is stored now and rest on it, so that sending the form as it is leaves them
    alone. The "keep the saved text" boxes start unticked. `prefix`: the form's, which the names of its
    fields carry in `post` (forms.Form.prefix)."""

    def key(name: str) -> str:
        return f"{prefix}-{name}" if prefix else name

    data = post.copy()
    new_loaded = dict(loaded)
    for name, value in conflict.stored.items():
        if name in conflict.fields:
            new_loaded[name] = conflict.fingerprints[name]
        elif name not in conflict.submitted or fingerprint(conflict.submitted[name]) == loaded.get(name):
            if isinstance(value, list):
                data.setlist(key(name), [str(v) for v in value])
            else:
                data[key(name)] = "" if value is None else str(value)
            new_loaded[name] = conflict.fingerprints[name]
    data[key("loaded")] = json.dumps(new_loaded)
    data[key("lock_version")] = str(conflict.stored_version)
    data.pop("keep", None)
    return data


def kept_values(values: dict[str, Any], post: QueryDict) -> dict[str, Any]:
    """What a conflict screen's form sends, less the fields whose "keep the saved text" box was ticked."""
    keep = set(post.getlist("keep"))
    return {name: value for name, value in values.items() if name not in keep}


def conflict_rows(
    conflict: FieldConflict, form: forms.Form, shown: Callable[[str, Any], Any] = lambda _name, value: value
) -> list[dict[str, Any]]:
    """What `_field_conflicts.html` lists: one row per field in conflict, with its form field, the stored
    value (who saved it and when, where known) and the typed one, each in words by `shown`."""
    rows = []
    for name in conflict.fields:
        by, at = conflict.saved_by.get(name, (None, None))
        rows.append(
            {
                "field": form[name],
                "stored": shown(name, conflict.stored.get(name)),
                "typed": shown(name, conflict.submitted.get(name)),
                "by": by,
                "at": at,
            }
        )
    return rows
