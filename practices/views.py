from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from practices.models import Practice
from practices.search import Filters, search_practices


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


@require_safe
def library(request: HttpRequest) -> HttpResponse:
    """The practice library: full-text search with facets; the whole query lives in the URL."""
    query = request.GET.get("q", "").strip()[:200]
    filters = Filters(**{name: request.GET.get(name, "").strip()[:120] for name in Filters.__dataclass_fields__})
    result = search_practices(query, filters, _page_number(request.GET.get("page")))
    base = {"q": query, **filters.items()} if query else filters.items()

    def link(**changes: str | int) -> str:
        params = {k: str(v) for k, v in {**base, **changes}.items() if v}
        return "?" + urlencode(params) if params else "?"

    for facet in result.facets:
        for option in facet.options:
            option.url = link(**{facet.name: "" if option.selected else option.value, "page": ""})  # type: ignore[attr-defined]
    active = [
        {"facet": facet.label, "label": option.label, "url": option.url}  # type: ignore[attr-defined]
        for facet in result.facets
        for option in facet.options
        if option.selected
    ]
    return render(
        request,
        "practices/library.html",
        {
            "result": result,
            "active": active,
            "previous_url": link(page=result.page - 1) if result.page > 1 else "",
            "next_url": link(page=result.page + 1) if result.page < result.pages else "",
        },
    )


@require_safe
def practice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    practice = get_object_or_404(
        Practice.objects.for_listing().prefetch_related("organisations", "links", "key_factors__version__benchmark"),
        slug=slug,
    )
    # Contact persons are personal data: only those who consented are shown (docs/quality.md P1).
    public_contacts = practice.contacts.filter(consent_to_publish__isnull=False)
    return render(
        request,
        "practices/practice_detail.html",
        {"practice": practice, "public_contacts": public_contacts, "has_contacts": practice.contacts.exists()},
    )
