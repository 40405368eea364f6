"""The mentor's forms on a shared key factor: the review of its rating and a post in its thread. Each request
checks the mentorship and the consent again (mentoring.access.get_shared_assessment: 404 for anyone else, an
ended mentorship or a narrowed consent); a refused form shows the mentor's page again with what was typed.
The team's forms on its own key factor page go through that page (pages.views.factor, mentoring.reviews)."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from assessments.access import factor_of
from lib.panels import Redisplay
from mentoring import access, reviews
from mentoring.views.reading import factor_page


@require_POST
@login_required
def review(request: AuthenticatedRequest, mentorship_id: UUID, assessment_id: UUID, slug: str) -> HttpResponse:
    mentorship, shared = access.get_shared_assessment(request.user, mentorship_id, assessment_id)
    factor = factor_of(shared, slug)
    answer = reviews.post_review(request, request.user, mentorship, shared, factor)
    if isinstance(answer, Redisplay):
        return factor_page(request, mentorship, shared, slug, panel=answer.panel, status=answer.status)
    return answer


@require_POST
@login_required
def comment(request: AuthenticatedRequest, mentorship_id: UUID, assessment_id: UUID, slug: str) -> HttpResponse:
    mentorship, shared = access.get_shared_assessment(request.user, mentorship_id, assessment_id)
    factor = factor_of(shared, slug)
    answer = reviews.post_comment(request, request.user, mentorship, shared, factor, as_mentor=True)
    if isinstance(answer, Redisplay):
        return factor_page(request, mentorship, shared, slug, panel=answer.panel, status=answer.status)
    return answer
