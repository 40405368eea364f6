import logging

import pytest
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from config import urls


def broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internal detail")


def missing_view(request: HttpRequest) -> HttpResponse:
    raise Http404


urlpatterns = [path("broken/", broken_view), path("missing/", missing_view), *urls.urlpatterns]
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
