"""The history of evidence items for network staff, read-only. The items and their files are not here:
files are served only through the permission-checked views of the evidence app (docs/quality.md S6)."""

from django.contrib import admin

from evidence.models import EvidenceEvent
from lib.admin import ReadOnlyAdmin


@admin.register(EvidenceEvent)
class EvidenceEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "by", "evidence")
    list_filter = ("action", "at")
    search_fields = ("evidence__title", "evidence__workspace__city__name", "by__email")
    list_select_related = ("by", "evidence")
