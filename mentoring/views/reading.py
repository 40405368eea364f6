"""What a named mentor reads of the implementing city's work: the self-assessments its consent shares, read
only, with the evidence and the partner organisations' ratings only when the consent includes them. Each
request checks the consent again (mentoring.access.get_shared_assessment), so narrowing it or ending the
mentorship closes these pages at once."""

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.http import AuthenticatedRequest
from actionplans.report import plan_contents
from assessments.models import Assessment, ContextNote
from assessments.results import build_results
from evidence.report import evidence_by_factor
from mentoring import access
from mentoring.models import Mentorship
from mentoring.reviews import reviews_panel


@require_safe
@login_required
def assessment(request: AuthenticatedRequest, mentorship_id: UUID, assessment_id: UUID) -> HttpResponse:
    mentorship, shared = access.get_shared_assessment(request.user, mentorship_id, assessment_id)
    results = build_results(shared)
    notes = (
        ContextNote.objects.filter(assessment=shared)
        .select_related("context_factor")
        .order_by("context_factor__number")
    )
    return render(
        request,
        "mentoring/shared_assessment.html",
        {"mentorship": mentorship, "assessment": shared, "results": results, "notes": notes},
    )


@require_safe
@login_required
def factor(request: AuthenticatedRequest, mentorship_id: UUID, assessment_id: UUID, slug: str) -> HttpResponse:
    mentorship, shared = access.get_shared_assessment(request.user, mentorship_id, assessment_id)
    return factor_page(request, mentorship, shared, slug)


def factor_page(
    request: AuthenticatedRequest,
    mentorship: Mentorship,
    shared: Assessment,
    slug: str,
    *,
    panel: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The mentor's key factor page; after a refused review or post (mentoring.views.reviews), with the
    reviews panel as it came back, so what was typed is kept."""
    results = build_results(shared)
    found = next((f for f in results.factors if f.factor.key_factor.slug == slug), None)
    if found is None:
        raise Http404
    evidence = evidence_by_factor(shared).get(found.factor.pk, []) if mentorship.shares_evidence_files else []
    if panel is None:
        panel = reviews_panel(request, shared, found.factor, request.user, mentorship=mentorship, levels=results.levels)
    return render(
        request,
        "mentoring/shared_factor.html",
        {
            "mentorship": mentorship,
            "assessment": shared,
            "results": results,
            "result": found,
            "factor": found.factor,
            "evidence": evidence,
            "partner_ratings": [(p, results.level(p.rating)) for p in found.partner_ratings]
            if mentorship.shares_partner_ratings
            else [],
            **panel,
        },
        status=status,
    )


@require_safe
@login_required
def plan(request: AuthenticatedRequest, mentorship_id: UUID, assessment_id: UUID) -> HttpResponse:
    mentorship, shared = access.get_shared_plan(request.user, mentorship_id, assessment_id)
    report = plan_contents(shared, chart_id="shared-plan-timeline")
    return render(
        request,
        "mentoring/shared_plan.html",
        {"mentorship": mentorship, "plan": shared, "report": report, "assessment": shared.assessment},
    )
