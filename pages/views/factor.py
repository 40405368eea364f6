"""The key factor page of a self-assessment: the key factor's form (assessments), its evidence (evidence), the
partner organisations' views and the discussion (assessments.partners), the mentors' reviews and threads
(mentoring.reviews). Each form is handled by the app that
owns it; when one is refused, the page shows again with that panel as it came back."""

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from assessments import access, partners
from assessments import panels as assessment_panels
from evidence.panels import factor_evidence_panel
from lib.panels import Redisplay
from mentoring import reviews


def _page(
    request: HttpRequest,
    assessment_id: UUID,
    slug: str,
    *,
    own: dict[str, Any] | None = None,
    partner: dict[str, Any] | None = None,
    mentoring: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    # Read again after a refused save: the assessment may have been submitted meanwhile.
    assessment, role = access.get_assessment_for_user(request.user, assessment_id)
    factor = access.factor_of(assessment, slug)
    context = own if own is not None else assessment_panels.factor_panel(request, assessment, factor, role)
    levels = context["levels"]  # the version's rating scale, read once for the page
    context |= partner if partner is not None else partners.partner_context(request, assessment, factor, role, levels)
    context |= factor_evidence_panel(request, assessment, factor, role)
    if mentoring is not None:
        context |= mentoring
    elif request.user.is_authenticated:
        context |= reviews.reviews_panel(request, assessment, factor, request.user, role=role, levels=levels)
    return render(request, "assessments/factor.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@access.sign_in_unless_public
def factor(request: HttpRequest, assessment_id: UUID, slug: str) -> HttpResponse:
    """A key factor: read by every member; its form saved (POST) by coordinators and contributors."""
    if request.method != "POST":
        return _page(request, assessment_id, slug)
    if reviews.is_team_post(request):
        # The mentoring panel's forms (a post in a mentor's thread, the answer to a review).
        if not request.user.is_authenticated:
            raise access.SignInRequired  # the login wall, as for the key factor's own form
        answer = reviews.team_post(request, request.user, assessment_id, slug)
        if isinstance(answer, Redisplay):
            return _page(request, assessment_id, slug, mentoring=answer.panel, status=answer.status)
        return answer
    answer = assessment_panels.save_factor(request, assessment_id, slug)
    if isinstance(answer, Redisplay):
        return _page(request, assessment_id, slug, own=answer.panel, status=answer.status)
    return answer


@require_POST
@login_required
def partner_rating(request: AuthenticatedRequest, assessment_id: UUID, slug: str) -> HttpResponse:
    answer = partners.rate_as_partner(request, request.user, assessment_id, slug)
    if isinstance(answer, Redisplay):
        return _page(request, assessment_id, slug, partner=answer.panel, status=answer.status)
    return answer


@require_POST
@login_required
def comment(request: AuthenticatedRequest, assessment_id: UUID, slug: str) -> HttpResponse:
    answer = partners.add_comment(request, request.user, assessment_id, slug)
    if isinstance(answer, Redisplay):
        return _page(request, assessment_id, slug, partner=answer.panel, status=answer.status)
    return answer
