"""Server errors carry an id that is both on the error page and in the log (docs/quality.md S1); a database
that cannot be reached answers 503 with Retry-After instead (R3).

The page shows no traceback or detail; the person who saw it can quote the id, and operators find
the matching log line with the full traceback.

While the database is down (stopped, restarting, refusing connections, or not answering within the
connect timeout set in lib.env.database_from_url), every request fails the same way, in a middleware
that reads the session or in a view. Django turns the exception of any middleware layer or view into
the handler500 view below, inside its `except` block; the handler tells an unreachable database from a
fault and answers 503: an HTML page that needs no database, or JSON for the scripts (autosave,
keep-alive), which then keep the typed text and retry. Each such request is one warning line with an id,
not a traceback: the traceback would be the same for every request while the database is down.
"""

import logging
import secrets
import sqlite3
import sys
from collections.abc import Callable

import psycopg
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger("icb.errors")
EXPECTED = (Http404, PermissionDenied, SuspiciousOperation, BadRequest)

# How long clients are asked to wait: a database restart takes seconds. The autosave script retries on
# its own schedule (2 s, doubling); browsers and proxies may read the header.
RETRY_AFTER_SECONDS = 5
# PostgreSQL error classes that mean "no usable connection": 08 connection exception; 57P operator
# intervention (shut down, crashed, starting up, database dropped); 53300 too many connections. A psycopg
# error without a SQLSTATE failed on the client side: refused, timed out, connection closed.
POSTGRES_UNAVAILABLE = ("08", "57P", "53300")
# SQLite result codes for a file that cannot be opened or read, or that stays locked past `timeout`.
SQLITE_UNAVAILABLE = {
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_CANTOPEN,
}


def wants_json(request: HttpRequest) -> bool:
    """Whether the request comes from one of our scripts (autosave, keep-alive), which read JSON answers."""
    return "application/json" in request.headers.get("Accept", "")


def database_unavailable(exception: BaseException) -> bool:
    """Whether the exception says the database cannot be reached now, rather than that a query is wrong (a
    missing table, a bad column), which stays a 500 with its traceback."""
    if not isinstance(exception, OperationalError | InterfaceError | psycopg.OperationalError | psycopg.InterfaceError):
        return False
    # Django wraps the driver's exception and keeps it as the cause.
    cause = exception.__cause__ if isinstance(exception, OperationalError | InterfaceError) else exception
    if isinstance(exception, InterfaceError) or isinstance(cause, psycopg.InterfaceError):
        return True  # a connection already closed
    if isinstance(cause, psycopg.Error):
        return cause.sqlstate is None or cause.sqlstate.startswith(POSTGRES_UNAVAILABLE)
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)  # absent when Python's module raised it, not SQLite
        return code is not None and code & 0xFF in SQLITE_UNAVAILABLE  # the primary code, without extension
    return False


class ErrorIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, EXPECTED):
            return  # answered as 400, 403 or 404 by Django; not a server error
        if database_unavailable(exception):
            return  # server_error logs it, once, as for the same failure in a middleware
        error_id = secrets.token_hex(6)
        request.error_id = error_id  # type: ignore[attr-defined]
        logger.error("error_id=%s method=%s path=%s", error_id, request.method, request.path, exc_info=exception)


def server_error(request: HttpRequest) -> HttpResponse:
    exception = sys.exc_info()[1]  # Django calls the handler inside its `except` block
    if exception is not None and database_unavailable(exception):
        return service_unavailable(request, exception)
    error_id = getattr(request, "error_id", "")
    html = loader.get_template("500.html").render({"error_id": error_id})
    return HttpResponseServerError(html)


def service_unavailable(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """503 with Retry-After, made without the database: no request.user, no session, no context processors
    (the template is rendered without the request)."""
    error_id = secrets.token_hex(6)
    reason = str(exception).strip().splitlines()[0] if str(exception).strip() else type(exception).__name__
    logger.warning(
        "database unavailable error_id=%s method=%s path=%s error=%s", error_id, request.method, request.path, reason
    )
    response: HttpResponse
    if wants_json(request):
        message = _("The service is unavailable for a moment. Please try again shortly.")
        response = JsonResponse({"reason": "unavailable", "message": message}, status=503)
    else:
        context = {"error_id": error_id, "lang": get_language() or "en", "retry_url": request.get_full_path()}
        response = HttpResponse(loader.get_template("503.html").render(context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    # Logged above as one line; Django would log every such request again, with the full traceback.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
