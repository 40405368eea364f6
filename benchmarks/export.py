"""The benchmark content of the library as one JSON-ready dict; practices.export adds the practices."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch

from benchmarks.models import Benchmark, Charter, KeyFactor, Programme
from cities.models import City


def _factor(factor: KeyFactor, cities: Mapping[int, list[str]]) -> dict[str, Any]:
    return {
        "slug": factor.slug,
        "number": factor.number,
        "title": factor.title,
        "description": factor.description,
        "rationale": factor.rationale,
        "topics": [t.slug for t in factor.topics.all()],
        "guide_questions": [q.text for q in factor.guide_questions.all()],
        "example_cities": cities.get(factor.pk, []),
    }


def content_as_dict(factor_cities: Mapping[int, list[str]]) -> dict[str, Any]:
    """Programmes, benchmarks, the charter and cities; `factor_cities` names each factor's example cities by its id."""
    benchmarks = []
    for benchmark in (
        Benchmark.objects.published()
        .with_current()
        .prefetch_related(
            Prefetch(
                "current_version__factors",
                queryset=KeyFactor.objects.prefetch_related("guide_questions", "topics"),
            ),
            "current_version__context_factors",
            "current_version__rating_scale__levels",
        )
    ):
        version = benchmark.current_version
        if version is None:
            continue
        factors = list(version.factors.all())
        benchmarks.append(
            {
                "slug": benchmark.slug,
                "programme": benchmark.programme.slug,
                "version": version.number,
                "language": version.language,
                "year": version.year,
                "theme": version.theme,
                "title": version.title,
                "standard": version.standard,
                "introduction": version.introduction,
                "rating_scale": [{"value": lv.value, "label": lv.label} for lv in version.rating_scale.levels.all()],
                "key_factors": [_factor(f, factor_cities) for f in factors if f.kind == KeyFactor.Kind.KEY],
                "common_factors": [_factor(f, factor_cities) for f in factors if f.kind == KeyFactor.Kind.COMMON],
                "context_factors": [{"title": c.title, "examples": c.examples} for c in version.context_factors.all()],
                "source": {
                    "title": version.source_title,
                    "publisher": version.source_publisher,
                    "year": version.source_year,
                },
            }
        )

    charter = Charter.objects.prefetch_related("commitments").first()
    return {
        "programmes": [
            {"slug": p.slug, "name": p.name, "start_year": p.start_year, "end_year": p.end_year}
            for p in Programme.objects.all()
        ],
        "benchmarks": benchmarks,
        "charter": {
            "title": charter.title,
            "commitments": [{"role": c.role, "text": c.text} for c in charter.commitments.all()],
        }
        if charter
        else None,
        "cities": [
            {
                "slug": c.slug,
                "name": c.name,
                "country": c.country,
                "country_code": c.country_code,
                "charter_signed": c.charter_signed.strftime("%Y-%m") if c.charter_signed else None,
            }
            for c in City.objects.all()
        ],
    }
