"""Model parts that several apps share."""

from typing import Any

from django.conf import settings
from django.db import models


class HistoryEvent(models.Model):
    """One entry of an object's change history (QUALITY.md R6): who did what, when, and what changed.

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
