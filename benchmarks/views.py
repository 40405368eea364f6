"""The library's pages that show benchmarks only; those that show practices too are pages.views.library's."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from benchmarks.models import Benchmark, Charter, KeyFactor, Programme, Topic
from benchmarks.panels import programmes_with_benchmarks
from cities.models import City


@require_safe
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(request, "benchmarks/programme_list.html", {"programmes": programmes_with_benchmarks()})


@require_safe
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme, slug=slug)
    benchmarks = Benchmark.objects.published().with_current().filter(programme=programme)
    return render(request, "benchmarks/programme_detail.html", {"programme": programme, "benchmarks": benchmarks})


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    factors = (
        KeyFactor.objects.current()
        .filter(topics=topic)
        .select_related("version__benchmark")
        .order_by("version__title", "kind", "number")
    )
    return render(request, "benchmarks/topic_detail.html", {"topic": topic, "factors": factors})


@require_safe
def charter(request: HttpRequest) -> HttpResponse:
    charter = Charter.objects.prefetch_related("commitments").first()
    roles: dict[str, dict[str, object]] = {}
    for commitment in charter.commitments.all() if charter else []:
        role = roles.setdefault(
            commitment.role, {"label": commitment.get_role_display(), "heading": commitment.role_heading, "items": []}
        )
        role["items"].append(commitment.text)  # type: ignore[attr-defined]
    signatories = City.objects.signatories().order_by("charter_signed", "name")
    return render(
        request,
        "benchmarks/charter.html",
        {"charter": charter, "roles": list(roles.values()), "signatories": signatories},
    )


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")
