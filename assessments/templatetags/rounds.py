"""Template helpers of the rounds (assessments/rounds.py): what an assessment carried over from its previous
round, how many key factors are still to review, and links to the progress over rounds."""

from collections.abc import Iterable
from typing import Any

from django import template

from assessments.models import Assessment, AssessmentEvent, FactorAssessment

register = template.Library()


@register.simple_tag
def to_review_count(rows: Iterable[Any]) -> int:
    """Key factors still marked "to review", from the overview's (factor, level) rows: no query."""
    return sum(
        1 for row in rows if isinstance(row, tuple) and isinstance(row[0], FactorAssessment) and row[0].to_review
    )


@register.simple_tag
def carried_over(assessment: Assessment) -> dict[str, Any]:
    """What the round's "started" event records: whether it was carried over from the previous round, and
    what could not be (one query)."""
    event = (
        AssessmentEvent.objects.filter(assessment=assessment, action=AssessmentEvent.Action.STARTED)
        .order_by("pk")
        .first()
    )
    changes = dict(event.changes) if event else {}
    missing = {
        key.removeprefix("not_carried_"): str(value).split("; ")
        for key, value in changes.items()
        if key.startswith("not_carried_") and value
    }
    # A round linked to its predecessor without starting from it (e.g. the demo's) carried nothing over.
    return {"carried": "from_round" in changes, "missing": missing}


@register.simple_tag
def benchmarks_of(assessments: Iterable[Assessment]) -> list[tuple[str, str]]:
    """(slug, title) of each benchmark among the workspace's assessments, once each, for the progress links.
    The assessments come with benchmark_version__benchmark loaded."""
    seen: dict[str, str] = {}
    for assessment in assessments:
        version = assessment.benchmark_version
        seen.setdefault(version.benchmark.slug, version.title)
    return sorted(seen.items(), key=lambda item: item[1])
