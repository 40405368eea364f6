"""A self-assessment's file as a download, named after the assessment and logged as an export."""

from django.http import HttpRequest, HttpResponse

from assessments.models import Assessment
from assessments.workbook import workbook_file_name
from lib.securitylog import log_event
from lib.uploads import content_disposition


def download(
    request: HttpRequest, assessment: Assessment, body: bytes, content_type: str, extension: str
) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition(workbook_file_name(assessment, extension))
    log_event(
        "assessment.exported",
        request,
        assessment=str(assessment.public_id),
        format=extension,
        via="web",
        user=request.user.pk if request.user.is_authenticated else None,
    )
    return response
