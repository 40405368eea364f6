"""Outgoing mail for the network team: what was sent, what is waiting for a retry, what failed for good.

Read-only: the queue alone writes these rows. The body is never shown, as it can hold a one-time link.
"""

from django.contrib import admin
from django.http import HttpRequest
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from outbox.models import Mail


@admin.register(Mail)
class MailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "subject", "to", "status", "attempts", "last_attempt_at", "next_attempt_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "public_id",
        "kind",
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
    ]
    fields = tuple(readonly_fields)

    # Network admins are the staff users (docs/roles.md): every one of them may read the mail log,
    # without a permission of its own to hand out.
    def has_view_permission(self, request: HttpRequest, obj: Mail | None = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Mail | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Mail | None = None) -> bool:
        return False


# The queue's own screen (django-tasks-db's, read-only already), opened to every network admin like the
# mail log: a mail's delivery task is where a failure's timing shows.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    def has_view_permission(self, request: HttpRequest, obj: DBTaskResult | None = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)
