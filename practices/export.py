"""The whole library as one JSON-ready dict, for `export_library` and open data: the benchmark content of
benchmarks.export, with each factor's example cities, and the practices."""

from collections import defaultdict
from typing import Any

from benchmarks.export import content_as_dict
from practices.models import Practice


def _factor_cities() -> dict[int, list[str]]:
    """The cities with a practice of each key factor, by factor id, in name order."""
    factor_cities: dict[int, list[str]] = defaultdict(list)
    for factor_id, city in (
        Practice.key_factors.through.objects.order_by("practice__city__name")
        .values_list("keyfactor_id", "practice__city__name")
        .distinct()
    ):
        if city not in factor_cities[factor_id]:
            factor_cities[factor_id].append(city)
    return factor_cities


def library_as_dict() -> dict[str, Any]:
    """The library; contact persons are personal data and left out."""
    library = content_as_dict(_factor_cities())
    library["practices"] = [
        {
            "slug": p.slug,
            "title": p.title,
            "kind": p.kind,
            "city": p.city.slug,
            "benchmark": p.benchmark.slug,
            "key_factors": [f.slug for f in p.key_factors.all()],
            "summary": p.summary,
            "organisations": [o.name for o in p.organisations.all()],
            "links": [link.url for link in p.links.all()],
        }
        for p in Practice.objects.select_related("city", "benchmark").prefetch_related(
            "key_factors", "organisations", "links"
        )
    ]
    return library
