from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from cities.models import City
from practices.models import Practice


@require_safe
def city_list(request: HttpRequest) -> HttpResponse:
    cities = City.objects.annotate(practice_count=Count("practices")).order_by("country", "name")
    return render(request, "cities/city_list.html", {"cities": cities})


@require_safe
def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City, slug=slug)
    practices = (
        Practice.objects.for_listing()
        .for_city(city)
        .prefetch_related("key_factors")
        .order_by("benchmark__programme__start_year", "title")
    )
    return render(request, "cities/city_detail.html", {"city": city, "practices": practices})
