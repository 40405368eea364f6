"""The benchmark parts of the library's pages: what the benchmarks app shows on a page of its own and on
the pages of the pages app that show practices too."""

from typing import TypedDict

from django.db.models import Count, Prefetch, QuerySet

from benchmarks.access import get_public_benchmark, get_public_factor, get_public_version
from benchmarks.models import Benchmark, BenchmarkVersion, KeyFactor, Programme, Topic


class BenchmarkContext(TypedDict):
    benchmark: Benchmark
    version: BenchmarkVersion
    is_current: bool
    common_factors: list[KeyFactor]
    key_factors: list[KeyFactor]
    versions: QuerySet[BenchmarkVersion]


class KeyFactorContext(TypedDict):
    factor: KeyFactor
    topics: list[Topic]
    related: QuerySet[KeyFactor]


def programmes_with_benchmarks() -> list[Programme]:
    return list(
        Programme.objects.prefetch_related(
            Prefetch("benchmarks", queryset=Benchmark.objects.published().with_current())
        )
    )


def benchmark_context(slug: str, number: int | None, language: str) -> BenchmarkContext:
    """A published benchmark's version (the current one when `number` is None) and its factors; 404 if none."""
    benchmark = get_public_benchmark(slug)
    version = get_public_version(benchmark, number, language)
    factors = list(version.factors.all())
    return {
        "benchmark": benchmark,
        "version": version,
        "is_current": benchmark.current_version_id in (version.pk, version.translation_of_id),
        "common_factors": [f for f in factors if f.kind == KeyFactor.Kind.COMMON],
        "key_factors": [f for f in factors if f.kind == KeyFactor.Kind.KEY],
        "versions": benchmark.versions.filter(language="en").order_by("-number").only("number", "created_at"),
    }


def key_factor_context(version: BenchmarkVersion, factor_slug: str) -> KeyFactorContext:
    """A factor of the version, its topics and the factors of other benchmarks sharing them; 404 if none."""
    key_factor = get_public_factor(version, factor_slug)
    topics = list(key_factor.topics.all())
    related = (
        KeyFactor.objects.current()
        .exclude(version__benchmark__slug=version.benchmark.slug)
        .filter(topics__in=topics)
        .annotate(shared=Count("topics"))
        .select_related("version__benchmark")
        .prefetch_related("topics")
        .order_by("-shared", "version__title", "kind", "number")
    )
    return {"factor": key_factor, "topics": topics, "related": related}
