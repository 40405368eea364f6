"""Idle and absolute session timeouts, the warning before them, keep-alive (QUALITY.md S3)."""

import pytest
from django.conf import settings

from accounts.tests.conftest import log_in

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
    assert response.json() == {"signed_in": True}
    clock.advance(settings.SESSION_IDLE_SECONDS - 100)
    assert client.get("/accounts/").status_code == 200


def test_keep_alive_after_expiry_does_not_revive_the_session(client, amira, clock) -> None:
    log_in(client, "amira@example.org")
    clock.advance(settings.SESSION_IDLE_SECONDS + 1)
    response = client.post("/accounts/session/keep-alive/", headers={"accept": "application/json"})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_keep_alive_is_post_only(client, amira) -> None:
    log_in(client, "amira@example.org")
    assert client.get("/accounts/session/keep-alive/").status_code == 405


def test_signed_in_pages_carry_the_timeout_warning_and_its_script(client, amira) -> None:
    assert "session.js" not in client.get("/").text
    log_in(client, "amira@example.org")
    page = client.get("/").text
    assert f'data-idle-seconds="{settings.SESSION_IDLE_SECONDS}"' in page
    assert '<script src="/static/js/session.js" defer></script>' in page
    assert 'action="/accounts/session/keep-alive/"' in page
