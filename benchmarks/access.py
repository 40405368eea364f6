"""Who may read what in the library. Everything published is public; missing and unpublished look alike (404)."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from benchmarks.models import Benchmark, BenchmarkVersion, KeyFactor


def get_public_benchmark(slug: str) -> Benchmark:
    return get_object_or_404(Benchmark.objects.published().with_current(), slug=slug)


def get_public_version(benchmark: Benchmark, number: int | None, language: str = "en") -> BenchmarkVersion:
    """The current version, or an older one by number, in the reader's language when translated.

    Everything a benchmark's page shows of it is prefetched (its practices come from the practices app).
    Versions are numbered on the English original; a translation is a version with `translation_of` set
    and the same structure.
    """
    original = BenchmarkVersion.objects.filter(benchmark=benchmark, language="en", translation_of=None)
    if number is None:
        if benchmark.current_version is None:
            raise Http404
        number = benchmark.current_version.number
    chosen = original.filter(number=number).first()
    if chosen is None:
        raise Http404
    chosen = chosen.in_language(language)
    versions = BenchmarkVersion.objects.filter(pk=chosen.pk).select_related("rating_scale", "benchmark__programme")
    factors = KeyFactor.objects.prefetch_related("guide_questions", "topics")
    versions = versions.prefetch_related(
        Prefetch("factors", queryset=factors), "context_factors", "rating_scale__levels"
    )
    version = versions.first()
    if version is None:
        raise Http404
    return version


def get_public_factor(version: BenchmarkVersion, factor_slug: str) -> KeyFactor:
    for factor in version.factors.all():
        if factor.slug == factor_slug:
            return factor
    raise Http404
