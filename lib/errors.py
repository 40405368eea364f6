"""Server errors carry an id that is both on the error page and in the log (QUALITY.md S1).

The page shows no traceback or detail; the person who saw it can quote the id, and operators find
the matching log line with the full traceback.
"""

import logging
import secrets
from collections.abc import Callable

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger("icb.errors")
EXPECTED = (Http404, PermissionDenied, SuspiciousOperation, BadRequest)


class ErrorIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, EXPECTED):
            return  # answered as 400, 403 or 404 by Django; not a server error
        error_id = secrets.token_hex(6)
        request.error_id = error_id  # type: ignore[attr-defined]
        logger.error("error_id=%s method=%s path=%s", error_id, request.method, request.path, exc_info=exception)


def server_error(request: HttpRequest) -> HttpResponse:
    error_id = getattr(request, "error_id", "")
    html = loader.get_template("500.html").render({"error_id": error_id})
    return HttpResponseServerError(html)
