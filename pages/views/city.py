"""A city's public page: its Charter status (cities), its published self-assessments (assessments), its
action plans made public (actionplans) and its practices in the library (practices)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from actionplans.panels import city_public_plans_panel
from assessments.panels import city_assessments_panel
from cities.models import City
from practices.panels import city_practices_panel


@require_safe
def city(request: HttpRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City, slug=slug)
    context = {
        "city": city,
        "assessments": city_assessments_panel(city),
        "plans": city_public_plans_panel(city),
        "practices": city_practices_panel(city),
    }
    return render(request, "pages/city.html", context)
