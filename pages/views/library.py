"""The library's pages that show benchmarks and their practices: the home page, a benchmark (on screen,
printable and as PDF) and a key factor. The benchmarks app builds the benchmark part of each, the
practices app the practice part."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from benchmarks.models import Topic
from benchmarks.panels import benchmark_context, key_factor_context, programmes_with_benchmarks
from lib.pdf import html_to_pdf
from practices.panels import key_factor_practices, library_summary, practices_by_factor


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/home.html",
        {
            "programmes": programmes_with_benchmarks(),
            "library_search": library_summary(),
            "topics": Topic.objects.all(),
        },
    )


def _benchmark_page(slug: str, number: int | None) -> dict[str, object]:
    """A benchmark's version with each factor's practices: `common_sections` and `key_sections` pair them."""
    context = benchmark_context(slug, number, get_language() or "en")
    examples = practices_by_factor(context["common_factors"] + context["key_factors"])
    return {
        **context,
        "common_sections": [(f, examples.get(f.pk, [])) for f in context["common_factors"]],
        "key_sections": [(f, examples.get(f.pk, [])) for f in context["key_factors"]],
    }


@require_safe
def benchmark_detail(request: HttpRequest, slug: str, number: int | None = None) -> HttpResponse:
    return render(request, "pages/benchmark_detail.html", _benchmark_page(slug, number))


@require_safe
def benchmark_print(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "pages/benchmark_print.html", _benchmark_page(slug, None))


@require_safe
def benchmark_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    context = _benchmark_page(slug, None)
    html = render_to_string("pages/benchmark_print.html", {**context, "for_pdf": True}, request=request)
    response = HttpResponse(html_to_pdf(html, base_url=request.build_absolute_uri("/")), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="integrating-cities-benchmark-{slug}.pdf"'
    return response


@require_safe
def key_factor_detail(request: HttpRequest, slug: str, factor: str, number: int | None = None) -> HttpResponse:
    context = benchmark_context(slug, number, get_language() or "en")
    factor_context = key_factor_context(context["version"], factor)
    panel = key_factor_practices(factor_context["factor"])
    return render(request, "pages/key_factor_detail.html", {**context, **factor_context, "factor_practices": panel})
