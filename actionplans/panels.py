"""The action-plan parts of the pages that gather several apps (pages/): on a city's page, its plans made
public; with its template partial in templates/actionplans/."""

from typing import Any

from actionplans.models import ActionPlan
from cities.models import City


def city_public_plans_panel(city: City) -> dict[str, Any]:
    """A city page's public action plans (of its published assessments), newest round first."""
    plans = (
        ActionPlan.objects.public()
        .filter(assessment__workspace__city=city)
        .select_related("assessment__benchmark_version")
        .order_by("-assessment__round", "assessment__benchmark_version__title")
    )
    return {"plans": plans}
