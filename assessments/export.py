"""A self-assessment as plain data: what `./manage.py export_assessment` prints.

Members are personal data and stay out: the export names organisations, never people, and no e-mail
address. A handful of queries whatever the number of key factors, answers and partners. The evidence is added by
evidence.export.with_evidence (the command is pages' export_assessment).
"""

from collections import defaultdict
from typing import Any

from assessments.models import Assessment, ContextNote, FactorAssessment, PartnerRating, QuestionAnswer


def assessment_as_dict(assessment: Assessment) -> dict[str, Any]:
    version = assessment.benchmark_version
    levels = {level.value: level.label for level in version.rating_levels()}
    scale_max = max(levels, default=0)
    answers: dict[int, list[QuestionAnswer]] = defaultdict(list)
    for answer in QuestionAnswer.objects.filter(factor__assessment=assessment).select_related("question"):
        answers[answer.factor_id].append(answer)
    partners: dict[int, list[PartnerRating]] = defaultdict(list)
    for rating in PartnerRating.objects.filter(factor__assessment=assessment).order_by("organisation"):
        partners[rating.factor_id].append(rating)

    def level(value: int | None) -> dict[str, Any] | None:
        return None if value is None else {"value": value, "label": levels.get(value, "")}

    factors = []
    for factor in FactorAssessment.objects.filter(assessment=assessment).select_related("key_factor"):
        rows = sorted(answers[factor.pk], key=lambda a: a.question.number)
        factors.append(
            {
                "key_factor": factor.key_factor.slug,
                "kind": factor.key_factor.kind,
                "number": factor.key_factor.number,
                "title": factor.key_factor.title,
                "rating": level(factor.rating),
                "justification": factor.justification,
                "suggested_rating": level(factor.suggested_rating(rows, scale_max)),
                "answers": [
                    {"question": a.question.number, "text": a.question.text, "answer": a.answer, "comment": a.comment}
                    for a in rows
                ],
                "partner_ratings": [
                    {
                        "organisation": p.organisation,
                        "rating": level(p.rating),
                        "comment": p.comment,
                        "updated_at": p.updated_at.isoformat(),
                    }
                    for p in partners[factor.pk]
                ],
            }
        )
    notes = ContextNote.objects.filter(assessment=assessment).select_related("context_factor")
    return {
        "id": str(assessment.public_id),
        "city": assessment.workspace.city.name,
        "country": assessment.workspace.city.country,
        "benchmark": version.benchmark.slug,
        "benchmark_title": version.title,
        "benchmark_version": version.number,
        "language": version.language,
        "round": assessment.round,
        "status": assessment.status,
        "visibility": assessment.visibility,
        "created_at": assessment.created_at.isoformat(),
        "updated_at": assessment.updated_at.isoformat(),
        "rating_scale": [{"value": value, "label": label} for value, label in sorted(levels.items())],
        "key_factors": factors,
        "context_notes": [
            {
                "number": note.context_factor.number,
                "title": note.context_factor.title,
                "effect": note.effect,
                "competence": note.competence,
                "note": note.note,
            }
            for note in notes
        ],
    }
