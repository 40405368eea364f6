"""The diagnostic report of a self-assessment as a PDF download (pages.report puts it together)."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from assessments import access
from assessments.downloads import download
from pages.report import report_pdf


@require_safe
@access.sign_in_unless_public
def report(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """The diagnostic report as a tagged PDF; readers outside the team get it without the team's parts."""
    assessment, role = access.get_assessment_for_user(request.user, assessment_id)
    pdf = report_pdf(assessment, team=access.is_team(request.user, role))
    return download(request, assessment, pdf, "application/pdf", "pdf")
