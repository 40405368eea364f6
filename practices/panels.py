"""Panels of practices that other pages show (pages/ puts them together)."""

from typing import Any

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
