"""The evidence of an assessment as plain data, for `./manage.py export_assessment`."""

from collections import defaultdict
from typing import Any

from django.utils import timezone

from assessments.models import Assessment
from evidence.models import EvidenceLink


def evidence_for_assessment(assessment: Assessment) -> list[dict[str, Any]]:
    """One row per attachment of a live item: what it is, its age in days (and from what), and where it is
    attached (the key factor's slug and the guide question's number, None for the key factor as a whole).
    Ordered by key factor, then question, then title. Two queries whatever the number of items."""
    today = timezone.localdate()
    links = (
        EvidenceLink.objects.filter(factor__assessment=assessment, evidence__deleted_at__isnull=True)
        .select_related("evidence", "factor__key_factor", "question__question")
        .order_by("factor__key_factor__kind", "factor__key_factor__number", "pk")
    )
    rows: list[tuple[tuple[str, int, int, str], dict[str, Any]]] = []
    for link in links:
        item = link.evidence
        age = item.age(today)
        number = link.question.question.number if link.question is not None else None
        order = (link.factor.key_factor.kind, link.factor.key_factor.number, number or 0, item.title)
        rows.append(
            (
                order,
                {
                    "title": item.title,
                    "kind": item.kind,
                    "url": item.url,
                    "file_name": item.file_name,
                    "file_size": item.file_size,
                    "file_type": item.file_type,
                    "value": item.value_display or None,
                    "unit": item.unit,
                    "reference_year": item.reference_year,
                    "source": item.source,
                    "dated": item.dated.isoformat() if item.dated else None,
                    "age_days": age.days,
                    "age_basis": age.basis,
                    "key_factor": link.factor.key_factor.slug,
                    "question": number,
                },
            )
        )
    rows.sort(key=lambda row: row[0])
    return [row for _order, row in rows]


def with_evidence(exported: dict[str, Any], assessment: Assessment) -> dict[str, Any]:
    """assessments.export's plain data with each key factor's evidence added, as its last entry."""
    by_factor: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in evidence_for_assessment(assessment):
        by_factor[item.pop("key_factor")].append(item)
    for factor in exported["key_factors"]:
        factor["evidence"] = by_factor[factor["key_factor"]]
    return exported
