"""The practice parts of the pages that show practices beside other apps' content (pages/): a benchmark, a
key factor, a city; each with its template partial in templates/practices/."""

from collections.abc import Iterable
from typing import Any

from django.db.models import F

from benchmarks.models import KeyFactor
from cities.models import City
from practices.models import Practice


def city_practices_panel(city: City) -> dict[str, Any]:
    """A city page's practices in the library, by programme, then title."""
    practices = (
        Practice.objects.for_listing()
        .for_city(city)
        .prefetch_related("key_factors")
        .order_by("benchmark__programme__start_year", "title")
    )
    return {"practices": practices}


def library_summary() -> dict[str, object]:
    """The context of practices/_library_search.html: the search form and how many practices there are."""
    return {"practice_count": Practice.objects.count(), "city_count": City.objects.count()}


def practices_by_factor(factors: Iterable[KeyFactor]) -> dict[int, list[Practice]]:
    """Each factor's practices by factor id, in one query, for practices/_factor_examples.html and
    practices/_factor_examples_print.html under each factor of a benchmark's page."""
    found: dict[int, list[Practice]] = {}
    practices = (
        Practice.objects.for_listing()
        .filter(key_factors__in=[f.pk for f in factors])
        .annotate(factor_id=F("key_factors"))
        .order_by("city__name", "title")
    )
    for practice in practices:
        found.setdefault(practice.factor_id, []).append(practice)  # type: ignore[attr-defined]
    return found


def key_factor_practices(key_factor: KeyFactor) -> dict[str, object]:
    """The context of practices/_key_factor_practices.html: the factor's practices, or where to look instead."""
    practices = Practice.objects.for_listing().filter(key_factors=key_factor).order_by("city__name", "title")
    return {"practices": list(practices), "benchmark": key_factor.version.benchmark}
