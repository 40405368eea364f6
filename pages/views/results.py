"""The results page of a self-assessment: the scorecard, chart, strengths, gaps with recommended practices,
rounds and peers (assessments.scorecard), with the mentors' reviews beside the city's ratings (mentoring), for
the team and, from a published assessment, those its city chose to publish."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessments import access
from assessments.scorecard import results_context
from mentoring.reviews import factor_reviews


@require_safe
@access.sign_in_unless_public
def results(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    assessment, role = access.get_assessment_for_user(request.user, assessment_id)
    context = results_context(request, assessment, role)
    reviews = factor_reviews(assessment, context["results"].levels, team=context["team"])
    context["mentor_reviews"] = reviews
    for row in context["scorecard"]:
        row.mentor_reviews = reviews.get(row.result.factor.pk, [])
    return render(request, "assessments/results.html", context)
