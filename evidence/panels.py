"""The evidence panel of the key factor page (pages.views.factor): what is attached to the key factor and to
each of its questions, with the forms to attach and to add. Refused, those forms come back on the key factor's
evidence page (evidence.views.factor_evidence), with what was typed."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from assessments import access as assessment_access
from assessments.models import Assessment, FactorAssessment, QuestionAnswer
from benchmarks.models import GuideQuestion
from cities.models import Workspace
from evidence import access
from evidence.forms import AttachForm, NewEvidenceForm
from evidence.models import Evidence, EvidenceLink


def library_url(workspace: Workspace) -> str:
    return reverse("evidence:library", args=[workspace.public_id])


def _factor_links(factor: FactorAssessment) -> list[EvidenceLink]:
    return list(
        EvidenceLink.objects.filter(factor=factor, evidence__deleted_at__isnull=True)
        .select_related("evidence", "question__question")
        .order_by("question__question__number", "added_at", "pk")
    )


def answers_of(factor: FactorAssessment) -> list[QuestionAnswer]:
    return list(QuestionAnswer.objects.filter(factor=factor).select_related("question"))


def factor_evidence_panel(
    request: HttpRequest,
    assessment: Assessment,
    factor: FactorAssessment,
    role: str | None,
    *,
    attach_form: AttachForm | None = None,
    new_form: NewEvidenceForm | None = None,
) -> dict[str, Any]:
    """The context of `evidence/_factor_evidence.html`: what is attached to the key factor and to each of its
    questions, and for editors of an editable assessment the forms to attach and to add. Evidence is the
    team's: readers of a published assessment who are not members (nor network admins) see none of it."""
    if not assessment_access.is_team(request.user, role):
        return {"factor_evidence": None}
    links = _factor_links(factor)
    whole = [link for link in links if link.question_id is None]
    by_question: dict[int, tuple[GuideQuestion, list[EvidenceLink]]] = {}
    for link in links:
        if link.question is not None:
            question = link.question.question
            by_question.setdefault(question.number, (question, []))[1].append(link)
    edit = access.can_add(role) and assessment.is_editable
    section: dict[str, Any] = {
        "whole": whole,
        # The links this person may detach: all for the city's staff, their own for a partner.
        "detachable": {link.pk for link in links if edit and access.can_detach(request.user, role, link)},
        "by_question": [(number, question, items) for number, (question, items) in sorted(by_question.items())],
        "edit": edit,
        "library_url": library_url(assessment.workspace),
        "base": reverse("evidence:factor_evidence", args=[assessment.public_id, factor.key_factor.slug]),
    }
    if edit:
        answers = answers_of(factor)
        items = list(Evidence.objects.of_workspace(assessment.workspace).alive().order_by("title", "pk"))
        section["attach_form"] = attach_form or AttachForm(prefix="attach", items=items, answers=answers)
        section["new_form"] = new_form or NewEvidenceForm(prefix="evidence", answers=answers)
        section["has_items"] = bool(items)
    return {"factor_evidence": section}
