"""The history of action plans for network staff, read-only (plans change through actionplans.actions)."""

from django.contrib import admin

from actionplans.models import ActionPlanEvent
from lib.admin import ReadOnlyAdmin


@admin.register(ActionPlanEvent)
class ActionPlanEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "by", "plan")
    list_filter = ("action", "at")
    search_fields = ("plan__assessment__workspace__city__name", "by__email")
    list_select_related = ("by", "plan__assessment__workspace__city", "plan__assessment__benchmark_version")
