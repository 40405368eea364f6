"""The benchmark library for network staff, read-only: it changes only through `data/` and
`./manage.py load_library`, reviewed in version control, which makes a changed benchmark a new version."""

from django.contrib import admin

from benchmarks.models import Benchmark, BenchmarkVersion, GuideQuestion, KeyFactor, Programme
from lib.admin import ReadOnlyAdmin, ReadOnlyInline


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("name", "full_name", "start_year", "end_year")
    search_fields = ("name", "full_name", "slug")


@admin.register(Benchmark)
class BenchmarkAdmin(ReadOnlyAdmin):
    list_display = ("slug", "current_version", "programme")
    list_filter = ("programme",)
    search_fields = ("slug", "current_version__title")
    list_select_related = ("programme", "current_version")


@admin.register(BenchmarkVersion)
class BenchmarkVersionAdmin(ReadOnlyAdmin):
    list_display = ("title", "number", "language", "year", "benchmark", "created_at")
    list_filter = ("language", "benchmark__programme", "year")
    search_fields = ("title", "theme", "benchmark__slug")
    list_select_related = ("benchmark__current_version",)
    exclude = ("content_hash",)


class GuideQuestionInline(ReadOnlyInline):
    model = GuideQuestion
    fields = ("number", "text")
    readonly_fields = fields
    show_change_link = False


@admin.register(KeyFactor)
class KeyFactorAdmin(ReadOnlyAdmin):
    list_display = ("title", "number", "kind", "version")
    list_filter = ("kind", "version__benchmark__programme", "version__language")
    search_fields = ("title", "description", "slug", "version__title")
    list_select_related = ("version",)
    inlines = (GuideQuestionInline,)
