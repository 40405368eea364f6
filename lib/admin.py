"""What every app's admin screens share: network staff read them, and every change reaches the security log.

A network admin is a user with `is_staff` (docs/roles.md); the admin site lets a session in only when it
passed the second factor (accounts.adminsite). Screens whose edits would skip the product's rules (the
practice search index, history, "a workspace keeps a coordinator") are read-only, and their changes go
through admin actions that call the apps' `actions.py`.
"""

from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import HttpRequest

from lib.actions import Refused
from lib.securitylog import log_event


def is_network_staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff)


def change_summary(message: Any) -> str:
    """The field names of an admin change message (Django's list of {"changed": {"fields": [...]}}), never values."""
    if isinstance(message, str):
        return message
    names: list[str] = []
    for part in message or []:
        for kind, detail in part.items():
            fields = detail.get("fields", []) if isinstance(detail, dict) else []
            names.append(f"{kind}: {', '.join(fields)}" if fields else kind)
    return "; ".join(names)


class LoggedAdminMixin:
    """Every addition, change and deletion made in the admin also goes to the security log (docs/quality.md S8),
    where the admin's own history (LogEntry) is out of reach of whoever reads the logs."""

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> LogEntry:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        log_admin_event("admin.addition", request, obj)
        return entry

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> LogEntry:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        log_admin_event("admin.change", request, obj, changes=change_summary(message))
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        # Called before the rows go, so each still has its key.
        objects = list(queryset)
        entries = super().log_deletions(request, queryset)  # type: ignore[misc]
        for obj in objects:
            log_admin_event("admin.deletion", request, obj)
        return entries


def log_admin_event(event: str, request: HttpRequest, obj: models.Model, **fields: str) -> None:
    log_event(event, request, user=request.user.pk, model=obj._meta.label, object_id=str(obj.pk), **fields)


class NetworkAdmin(LoggedAdminMixin, admin.ModelAdmin):
    """An admin screen that every network admin reads and may change as Django's forms allow."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_network_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_network_staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_network_staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_network_staff(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_network_staff(request)

    def run_action(
        self, request: HttpRequest, objects: Iterable[models.Model], action: Any, *, done: str, **kwargs: Any
    ) -> None:
        """Call an `actions.py` function on each selected row, by the signed-in admin; each success is logged
        (admin history and security log), each refusal shown with its reason, as on the product's pages."""
        for obj in objects:
            try:
                action(obj, by=request.user, **kwargs)
            except Refused as refused:
                self.message_user(request, f"{obj}: {refused.message}", level=messages.ERROR)
                continue
            with suppress(ObjectDoesNotExist):  # a removed row keeps the name it had
                obj.refresh_from_db()  # named as it is now (e.g. "approved", not "pending")
            self.log_change(request, obj, done)
            self.message_user(request, f"{obj}: {done}", level=messages.SUCCESS)


class ReadOnlyAdmin(NetworkAdmin):
    """An admin screen that nobody changes through its forms: the rows are library data (changed through
    `data/` and `load_library`), history, or have rules that only the admin actions keep."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_network_staff(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
