"""Who may read what in the library. Everything published is public; missing and unpublished look alike (404)."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from benchmarks.models import Benchmark, BenchmarkVersion, KeyFactor
from practices.models import Practice


def get_public_benchmark(slug: str) -> Benchmark:
    return get_object_or_404(Benchmark.objects.published().with_current(), slug=slug)


def get_public_version(benchmark: Benchmark, number: int | None) -> BenchmarkVersion:
    """The current version, or an older one by number, with everything a page shows prefetched."""
    versions = BenchmarkVersion.objects.filter(benchmark=benchmark, language="en").select_related(
        "rating_scale", "benchmark__programme"
    )
    factors = KeyFactor.objects.prefetch_related(
        "guide_questions",
        "topics",
        Prefetch("practices", queryset=Practice.objects.for_listing().order_by("city__name", "title")),  # type: ignore[arg-type]
    )
    versions = versions.prefetch_related(
        Prefetch("factors", queryset=factors), "context_factors", "rating_scale__levels"
    )
    if number is None:
        if benchmark.current_version is None:
            raise Http404
        number = benchmark.current_version.number
    version = versions.filter(number=number).first()
    if version is None:
        raise Http404
    return version


def get_public_factor(version: BenchmarkVersion, factor_slug: str) -> KeyFactor:
    for factor in version.factors.all():
        if factor.slug == factor_slug:
            return factor
    raise Http404
