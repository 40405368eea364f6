import logging
import socket
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from config import urls


def broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internal detail")


def missing_view(request: HttpRequest) -> HttpResponse:
    raise Http404


def refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once the socket is closed


# Databases that cannot be reached, each through Django's own backend: a PostgreSQL server that refuses the
# connection, and a SQLite file that cannot be opened (its folder does not exist; a file without read
# permission fails the same way, but not for root, who reads every file).
UNREACHABLE = {
    "postgres": lambda tmp: {
        "ENGINE": "lib.postgres",
        "NAME": "icb",
        "HOST": "127.0.0.1",
        "PORT": str(refused_port()),
        "USER": "postgres",
    },
    "sqlite": lambda tmp: {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp / "missing" / "db.sqlite3")},
}


def unreachable_view(request: HttpRequest, kind: str) -> HttpResponse:
    databases = ConnectionHandler({"default": UNREACHABLE[kind](Path(request.GET["tmp"]))})
    try:
        databases["default"].cursor()
    finally:
        databases.close_all()
    return HttpResponse("reached")


def wrong_query_view(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM icb_no_such_table")
    return HttpResponse("reached")


urlpatterns = [
    path("broken/", broken_view),
    path("missing/", missing_view),
    path("unreachable/<str:kind>/", unreachable_view),
    path("wrong-query/", wrong_query_view),
    *urls.urlpatterns,
]
handler500 = urls.handler500  # the project's own handler, with a URL that fails


def test_the_project_uses_the_error_id_handler() -> None:
    assert urls.handler500 == "lib.errors.server_error"


@pytest.mark.urls("lib.tests.test_errors")
def test_a_server_error_shows_an_id_that_is_also_logged_and_no_detail(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="icb.errors"):
        response = client.get("/broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "secret internal detail" not in page
    assert "Traceback" not in page
    logged = [r for r in caplog.records if r.name == "icb.errors"]
    assert len(logged) == 1
    error_id = logged[0].getMessage().split("error_id=")[1].split()[0]
    assert len(error_id) == 12
    assert error_id in page
    assert logged[0].exc_info is not None


@pytest.mark.urls("lib.tests.test_errors")
def test_a_missing_page_is_not_logged_as_a_server_error(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="icb.errors"):
        assert client.get("/missing/").status_code == 404
    assert [r for r in caplog.records if r.name == "icb.errors"] == []


@pytest.mark.django_db  # pytest-django allows connections, even those made here, only then
@pytest.mark.urls("lib.tests.test_errors")
@pytest.mark.parametrize("kind", ["postgres", "sqlite"])
def test_an_unreachable_database_answers_503_with_retry_after_and_one_warning_line(
    kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        response = client.get(f"/unreachable/{kind}/", {"tmp": str(tmp_path)})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "<title>Temporarily unavailable – Integrating Cities Benchmark</title>" in page
    assert "<h1>The service is temporarily unavailable</h1>" in page
    assert "Please try again in a minute" in page
    assert "Traceback" not in page and "connection" not in page.lower()
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(logged) == 1, [r.getMessage() for r in logged]  # not Django's own "Service Unavailable" too
    assert logged[0].name == "icb.errors" and logged[0].levelno == logging.WARNING
    assert logged[0].exc_info is None  # one line, not a traceback per request while the database is down
    error_id = logged[0].getMessage().split("error_id=")[1].split()[0]
    assert error_id in page
    assert f"path=/unreachable/{kind}/" in logged[0].getMessage()


@pytest.mark.django_db  # pytest-django allows connections, even those made here, only then
@pytest.mark.urls("lib.tests.test_errors")
@pytest.mark.parametrize("kind", ["postgres", "sqlite"])
def test_an_unreachable_database_answers_json_to_scripts(kind: str, tmp_path: Path) -> None:
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    response = client.get(f"/unreachable/{kind}/", {"tmp": str(tmp_path)}, headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "reason": "unavailable",
        "message": "The service is unavailable for a moment. Please try again shortly.",
    }


@pytest.mark.django_db
@pytest.mark.urls("lib.tests.test_errors")
def test_a_wrong_query_stays_a_server_error_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="icb.errors"):
        response = client.get("/wrong-query/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    logged = [r for r in caplog.records if r.name == "icb.errors"]
    assert len(logged) == 1
    assert logged[0].exc_info is not None
