"""Model parts that several apps share."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

# Autosaves of one thing by one person within this time make one history event (merge_autosave).
AUTOSAVE_MERGE = timedelta(minutes=15)


class HistoryEvent(models.Model):
    """One entry of an object's change history (docs/quality.md R6): who did what, when, and what changed.

    Subclasses add the object it belongs to and an `action` field with their own choices."""

    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    changes: "models.JSONField[Any]" = models.JSONField(default=dict, blank=True)

    action: "models.CharField[str, str]"

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


def merge_autosave(
    events: "models.QuerySet[Any]", *, by: Any, action: str, subject: dict[str, Any], changes: dict[str, Any]
) -> bool:
    """History is not one event per pause in typing (docs/quality.md R5, R6): folds an autosave's `changes`
    ({field: {"from", "to"}}) into the newest of `events` when that is an autosave with the same `action`
    by the same person, less than AUTOSAVE_MERGE old, about the same subject (its first key, e.g. the key
    factor). The merged event keeps each field's first "from", takes the latest "to", drops a field typed
    back to where it was, takes the subject's other keys as they are now and moves to the time of this
    save. False when there is no such event: the caller records a new one."""
    key = next(iter(subject))
    last = events.filter(by=by, action=action, at__gte=timezone.now() - AUTOSAVE_MERGE).order_by("-pk").first()
    if last is None or last.changes.get(key) != subject[key] or not last.changes.get("autosave"):
        return False
    merged = {k: v for k, v in last.changes.items() if k not in subject and k != "autosave"}
    for name, change in changes.items():
        merged[name] = {"from": merged.get(name, change)["from"], "to": change["to"]}
    merged = {name: change for name, change in merged.items() if change["from"] != change["to"]}
    last.changes = {**subject, "autosave": True, **merged}
    last.at = timezone.now()
    last.save(update_fields=["changes", "at"])
    return True
