"""Self-assessments and their history for network staff (support), read-only: every change to an
assessment goes through assessments.actions, which keep its history, versions and rules."""

from django.contrib import admin

from assessments.models import Assessment, AssessmentEvent
from lib.admin import ReadOnlyAdmin


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("workspace", "benchmark_version", "round", "status", "visibility", "updated_at", "deleted_at")
    list_filter = ("status", "visibility", ("deleted_at", admin.EmptyFieldListFilter), "round")
    search_fields = ("workspace__city__name", "benchmark_version__title", "round")
    list_select_related = ("workspace__city", "benchmark_version")
    fields = (
        "workspace",
        "benchmark_version",
        "round",
        "status",
        "visibility",
        "previous_round",
        "created_by",
        "created_at",
        "updated_at",
        "deleted_at",
        "deleted_by",
    )


@admin.register(AssessmentEvent)
class AssessmentEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "by", "assessment")
    list_filter = ("action", "at")
    search_fields = ("assessment__workspace__city__name", "by__email")
    list_select_related = ("by", "assessment__workspace__city", "assessment__benchmark_version")
