"""Idle and absolute session timeouts, the warning before them, keep-alive (docs/quality.md S3)."""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import actions
from tests.support.accounts import log_in

pytestmark = pytest.mark.django_db


def test_an_idle_session_ends_with_a_message_on_the_login_page(client, amira, clock) -> None:
    log_in(client, "amira@example.org")
    clock.advance(settings.SESSION_IDLE_SECONDS - 60)
    assert client.get("/accounts/").status_code == 200
    clock.advance(settings.SESSION_IDLE_SECONDS - 60)
    assert client.get("/accounts/").status_code == 200, "activity restarts the idle clock"
    clock.advance(settings.SESSION_IDLE_SECONDS + 1)
    response = client.get("/accounts/", follow=True)
    assert response.redirect_chain[0][0] == "/accounts/login/?next=%2Faccounts%2F"
    assert "without activity" in response.text
    assert "_auth_user_id" not in client.session


def test_a_session_ends_twelve_hours_after_login_even_when_active(client, amira, clock) -> None:
    log_in(client, "amira@example.org")
    for _ in range(settings.SESSION_ABSOLUTE_SECONDS // (20 * 60)):
        clock.advance(20 * 60)
        if client.get("/accounts/").status_code != 200:
            break
    clock.advance(20 * 60)
    response = client.get("/accounts/", follow=True)
    assert "Please log in again" in response.text
    assert "_auth_user_id" not in client.session


def test_keep_alive_restarts_the_idle_clock(client, amira, clock) -> None:
    log_in(client, "amira@example.org")
    clock.advance(settings.SESSION_IDLE_SECONDS - 100)
    response = client.post("/accounts/session/keep-alive/", headers={"accept": "application/json"})
    assert response.json() == {"signed_in": True, "idle_seconds": settings.SESSION_IDLE_SECONDS}
    clock.advance(settings.SESSION_IDLE_SECONDS - 100)
    assert client.get("/accounts/").status_code == 200


def test_keep_alive_after_expiry_does_not_revive_the_session(client, amira, clock) -> None:
    log_in(client, "amira@example.org")
    clock.advance(settings.SESSION_IDLE_SECONDS + 1)
    response = client.post("/accounts/session/keep-alive/", headers={"accept": "application/json"})
    # The script is told with a 401 (it cannot follow a redirect to the login page); it then reloads the page.
    assert response.status_code == 401
    assert response.json()["reason"] == "signed_out"
    assert "_auth_user_id" not in client.session
    # Without JavaScript the button is a plain form: the login page follows.
    log_in(client, "amira@example.org")
    clock.advance(settings.SESSION_IDLE_SECONDS + 1)
    assert client.post("/accounts/session/keep-alive/")["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_keep_alive_is_post_only(client, amira) -> None:
    log_in(client, "amira@example.org")
    assert client.get("/accounts/session/keep-alive/").status_code == 405


def test_signed_in_pages_carry_the_timeout_warning_and_its_script(client, amira) -> None:
    assert "session.js" not in client.get("/").text
    log_in(client, "amira@example.org")
    page = client.get("/").text
    assert idle_seconds_on(page) == settings.SESSION_IDLE_SECONDS
    assert '<script src="/static/js/session.js" defer></script>' in page
    assert 'action="/accounts/session/keep-alive/"' in page


def idle_seconds_on(page: str) -> int:
    return int(re.search(r'data-idle-seconds="(\d+)"', page).group(1))


def session_writes(client, path: str = "/accounts/") -> tuple[int, int]:
    """(status, number of UPDATEs or INSERTs of the session table) of one GET."""
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    table = Session._meta.db_table
    writes = [
        q["sql"] for q in queries.captured_queries if table in q["sql"] and q["sql"].startswith(("UPDATE", "INSERT"))
    ]
    return status, len(writes)


def stored_last_seen(client) -> float:
    return Session.objects.get(session_key=client.session.session_key).get_decoded()[actions.LAST_SEEN]


def test_last_seen_is_written_at_most_once_a_minute(client, amira, clock) -> None:
    log_in(client, "amira@example.org")
    written = stored_last_seen(client)
    clock.advance(5)
    assert session_writes(client) == (200, 0), "a request within the minute does not save the session"
    clock.advance(50)
    assert session_writes(client) == (200, 0)
    assert stored_last_seen(client) == written
    clock.advance(6)
    assert session_writes(client) == (200, 1), "a minute after the last write, the request is noted"
    assert stored_last_seen(client) > written + 60


def test_the_idle_timeout_still_ends_the_session_within_a_minute_of_thirty(client, amira, clock) -> None:
    log_in(client, "amira@example.org")
    clock.advance(59)
    assert client.get("/accounts/").status_code == 200  # not written: within the minute of the login
    # The idle clock runs from the last write, so the end comes up to a minute early, never late:
    # here 30 minutes after the login, 29 minutes after the last request.
    clock.advance(settings.SESSION_IDLE_SECONDS - 59 + 1)
    response = client.get("/accounts/", follow=True)
    assert "without activity" in response.text
    assert "_auth_user_id" not in client.session


def test_the_page_tells_the_warning_script_the_time_the_server_has_left(client, amira, clock) -> None:
    log_in(client, "amira@example.org")
    clock.advance(40)
    page = client.get("/accounts/").text  # not written: the server counts from the login
    assert idle_seconds_on(page) == settings.SESSION_IDLE_SECONDS - 40
    # Keep-alive always writes, and answers the full idle time the script then counts down from.
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/accounts/session/keep-alive/", headers={"accept": "application/json"})
    assert response.json() == {"signed_in": True, "idle_seconds": settings.SESSION_IDLE_SECONDS}
    assert any(q["sql"].startswith("UPDATE") and Session._meta.db_table in q["sql"] for q in queries.captured_queries)
    clock.advance(settings.SESSION_IDLE_SECONDS - 1)
    assert client.get("/accounts/").status_code == 200, "keep-alive restarted the idle clock a second ago"
