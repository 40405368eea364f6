"""Practices and their contact persons for network staff.

Practices are library data: they change in `data/` and `load_library`, which also keeps the search index
(practices.search) up to date, so here they are read-only. What the network records here is a contact
person's consent to be shown to the public (docs/quality.md P1), which the library keeps across loads.
Contact persons are personal data: they appear on these staff-only screens, never on a public one
without that consent.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from benchmarks.models import Benchmark
from lib.admin import NetworkAdmin, ReadOnlyAdmin, ReadOnlyInline
from practices.models import ContactPerson, Organisation, Practice, PracticeLink


class BenchmarkFilter(admin.SimpleListFilter):
    """By benchmark, named by its current version in one query (the plain related filter asks once per benchmark)."""

    title = gettext_lazy("benchmark")
    parameter_name = "benchmark"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [(benchmark.slug, str(benchmark)) for benchmark in Benchmark.objects.with_current()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Practice]) -> QuerySet[Practice]:
        value = self.value()
        return queryset.filter(benchmark__slug=value) if value else queryset


class ContactInline(ReadOnlyInline):
    model = ContactPerson
    fields = ("name", "email", "role", "consent_to_publish")
    readonly_fields = fields


class LinkInline(ReadOnlyInline):
    model = PracticeLink
    fields = ("url", "title")
    readonly_fields = fields
    show_change_link = False


@admin.register(Practice)
class PracticeAdmin(ReadOnlyAdmin):
    list_display = ("title", "city", "benchmark", "kind")
    list_filter = ("kind", BenchmarkFilter, "city__country")
    search_fields = ("title", "summary", "city__name", "slug")
    list_select_related = ("city", "benchmark__current_version")
    exclude = ("search_vector",)
    inlines = (ContactInline, LinkInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Practice]:
        return super().get_queryset(request).defer("search_vector")


@admin.register(ContactPerson)
class ContactPersonAdmin(NetworkAdmin):
    """Only the consent is recorded here; who the person is comes from the library."""

    list_display = ("name", "email", "role", "practice", "consent_to_publish")
    list_filter = (("consent_to_publish", admin.EmptyFieldListFilter),)
    search_fields = ("name", "email", "role", "practice__title", "practice__city__name")
    list_select_related = ("practice",)
    fields = ("practice", "name", "email", "role", "consent_to_publish")
    readonly_fields = ("practice", "name", "email", "role")
    actions = ("record_consent", "withdraw_consent")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Record consent to publish (now)"))
    def record_consent(self, request: HttpRequest, queryset: QuerySet[ContactPerson]) -> None:
        self.set_consent(request, queryset, timezone.now(), _("consent to publish recorded"))

    @admin.action(description=gettext_lazy("Withdraw consent to publish"))
    def withdraw_consent(self, request: HttpRequest, queryset: QuerySet[ContactPerson]) -> None:
        self.set_consent(request, queryset, None, _("consent to publish withdrawn"))

    def set_consent(self, request: HttpRequest, queryset: QuerySet[ContactPerson], when: object, done: str) -> None:
        for contact in queryset:
            contact.consent_to_publish = when  # type: ignore[assignment]
            contact.save(update_fields=["consent_to_publish"])
            self.log_change(request, contact, done)
        self.message_user(request, _("%(count)d contact persons: %(done)s.") % {"count": len(queryset), "done": done})


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name",)
    search_fields = ("name",)
