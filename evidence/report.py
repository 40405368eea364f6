"""The evidence in an assessment's diagnostic report (pages.report): what is attached to each key factor."""

from typing import Any

from django.utils import timezone

from assessments.models import Assessment
from evidence.models import EvidenceLink


def evidence_by_factor(assessment: Assessment) -> dict[int, list[Any]]:
    """Live evidence attached to each key factor (as a whole or to one of its questions), in one query."""
    links = (
        EvidenceLink.objects.filter(factor__assessment=assessment, evidence__deleted_at__isnull=True)
        .select_related("evidence", "question__question")
        .order_by("pk")
    )
    found: dict[int, list[Any]] = {}
    today = timezone.localdate()
    for link in links:
        link.age = link.evidence.age(today)  # type: ignore[attr-defined]
        found.setdefault(link.factor_id, []).append(link)
    for items in found.values():
        items.sort(key=lambda link: (link.question.question.number if link.question else 0, link.evidence.title))
    return found
