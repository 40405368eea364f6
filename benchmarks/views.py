from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from benchmarks.access import get_public_benchmark, get_public_factor, get_public_version
from benchmarks.models import Benchmark, Charter, KeyFactor, Programme, Topic
from benchmarks.pdf import html_to_pdf
from cities.models import City
from practices.models import Practice


def _programmes_with_benchmarks() -> list[Programme]:
    return list(
        Programme.objects.prefetch_related(
            Prefetch("benchmarks", queryset=Benchmark.objects.published().with_current())
        )
    )


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "benchmarks/home.html",
        {
            "programmes": _programmes_with_benchmarks(),
            "practice_count": Practice.objects.count(),
            "city_count": City.objects.count(),
            "topics": Topic.objects.all(),
        },
    )


@require_safe
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(request, "benchmarks/programme_list.html", {"programmes": _programmes_with_benchmarks()})


@require_safe
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme, slug=slug)
    benchmarks = Benchmark.objects.published().with_current().filter(programme=programme)
    return render(request, "benchmarks/programme_detail.html", {"programme": programme, "benchmarks": benchmarks})


def _benchmark_context(request: HttpRequest, slug: str, number: int | None) -> dict[str, object]:
    benchmark = get_public_benchmark(slug)
    version = get_public_version(benchmark, number, get_language() or "en")
    factors = list(version.factors.all())
    return {
        "benchmark": benchmark,
        "version": version,
        "is_current": benchmark.current_version_id in (version.pk, version.translation_of_id),
        "common_factors": [f for f in factors if f.kind == KeyFactor.Kind.COMMON],
        "key_factors": [f for f in factors if f.kind == KeyFactor.Kind.KEY],
        "versions": benchmark.versions.filter(language="en").order_by("-number").only("number", "created_at"),
    }


@require_safe
def benchmark_detail(request: HttpRequest, slug: str, number: int | None = None) -> HttpResponse:
    return render(request, "benchmarks/benchmark_detail.html", _benchmark_context(request, slug, number))


@require_safe
def benchmark_print(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "benchmarks/benchmark_print.html", _benchmark_context(request, slug, None))


@require_safe
def benchmark_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    context = _benchmark_context(request, slug, None)
    html = render_to_string("benchmarks/benchmark_print.html", {**context, "for_pdf": True}, request=request)
    response = HttpResponse(html_to_pdf(html, request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="integrating-cities-benchmark-{slug}.pdf"'
    return response


@require_safe
def key_factor_detail(request: HttpRequest, slug: str, factor: str, number: int | None = None) -> HttpResponse:
    context = _benchmark_context(request, slug, number)
    key_factor = get_public_factor(context["version"], factor)  # type: ignore[arg-type]
    topics = list(key_factor.topics.all())
    related = (
        KeyFactor.objects.current()
        .exclude(version__benchmark__slug=slug)
        .filter(topics__in=topics)
        .annotate(shared=Count("topics"))
        .select_related("version__benchmark")
        .prefetch_related("topics")
        .order_by("-shared", "version__title", "kind", "number")
    )
    return render(
        request,
        "benchmarks/key_factor_detail.html",
        {**context, "factor": key_factor, "topics": topics, "related": related},
    )


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
