"""Login, lockout, logout, CSRF, redirects, no-store and the security log (docs/quality.md S2, S3, S5, S8)."""

import json
import logging

import pytest
from django.test import Client

from tests.support.accounts import PASSWORD, log_in, normalise

pytestmark = pytest.mark.django_db

SAME_MESSAGE = "The e-mail address or the password is not right."


def test_login_rotates_the_session_id(client, amira) -> None:
    client.get("/accounts/login/")
    client.session.save()
    client.cookies["sessionid"] = client.session.session_key
    before = client.cookies["sessionid"].value
    response = log_in(client, "amira@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/workspaces/"
    assert client.cookies["sessionid"].value != before
    assert int(client.session["_auth_user_id"]) == amira.pk


def test_unknown_address_and_wrong_password_get_the_same_answer(client, amira) -> None:
    unknown = log_in(client, "nobody@example.org")
    wrong = log_in(client, "amira@example.org", "not the right password")
    assert unknown.status_code == wrong.status_code == 400, "a failed login answers 400, the same for both"
    assert SAME_MESSAGE in unknown.text
    assert SAME_MESSAGE in wrong.text
    assert normalise(unknown.text, "nobody@example.org") == normalise(wrong.text, "amira@example.org")
    assert 'value="nobody@example.org"' in unknown.text, "the form keeps what was typed"


def test_an_incomplete_login_form_answers_400_with_the_error_summary(client, amira) -> None:
    response = log_in(client, "not an address", "")
    assert response.status_code == 400
    assert 'class="error-summary"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="not an address"' in response.text
    assert "_auth_user_id" not in client.session


def test_next_on_this_host_is_followed(client, amira) -> None:
    response = log_in(client, "amira@example.org", next="/practices/?q=x")
    assert response["Location"] == "/practices/?q=x"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "http:evil.example", "\\\\evil.example"]
)
def test_next_to_another_host_is_ignored(client, amira, target: str) -> None:
    response = log_in(client, "amira@example.org", next=target)
    assert response.status_code == 302
    assert response["Location"] == "/workspaces/"


def test_five_failures_lock_the_address_from_this_ip_for_fifteen_minutes(client, amira, clock) -> None:
    for _ in range(4):
        assert log_in(client, "amira@example.org", "wrong password!").status_code == 400
    locked = log_in(client, "amira@example.org", "wrong password!")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 800
    # Even the right password is refused while locked, with the same page.
    response = log_in(client, "amira@example.org")
    assert response.status_code == 429
    assert "logging in is paused" in response.text
    assert "_auth_user_id" not in client.session
    # Another IP is not locked out.
    other = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="192.0.2.7")
    assert log_in(other, "amira@example.org").status_code == 302

    clock.advance(14 * 60)
    assert log_in(client, "amira@example.org").status_code == 429
    clock.advance(61 + 1)
    assert log_in(client, "amira@example.org").status_code == 302


def test_a_lockout_is_never_permanent(client, amira, clock) -> None:
    for _round in range(3):
        for _ in range(5):
            log_in(client, "amira@example.org", "wrong password!")
        assert log_in(client, "amira@example.org").status_code == 429
        clock.advance(15 * 60 + 2)
    # One more failure after a lockout does not lock again at once.
    assert log_in(client, "amira@example.org", "wrong password!").status_code == 400
    assert log_in(client, "amira@example.org").status_code == 302


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(client, amira, clock) -> None:
    for _ in range(8):
        log_in(client, "amira@example.org", "wrong password!")
        clock.advance(4 * 60)
    assert log_in(client, "amira@example.org").status_code == 302


def test_logout_is_post_only_and_ends_the_session_server_side(client, amira) -> None:
    log_in(client, "amira@example.org")
    old_key = client.session.session_key
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/accounts/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    # Replaying the old cookie does not bring the session back.
    replay = Client(HTTP_HOST="127.0.0.1")
    replay.cookies["sessionid"] = old_key
    assert replay.get("/accounts/")["Location"].startswith("/accounts/login/")


def test_login_and_logout_need_the_csrf_token(amira) -> None:
    strict = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
    assert log_in(strict, "amira@example.org").status_code == 403
    page = strict.get("/accounts/login/")
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert log_in(strict, "amira@example.org", csrfmiddlewaretoken=token).status_code == 302
    assert strict.post("/accounts/logout/").status_code == 403
    assert "_auth_user_id" in strict.session
    page = strict.get("/accounts/")
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert strict.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert "_auth_user_id" not in strict.session


def test_signed_in_pages_are_not_stored_by_caches(client, amira) -> None:
    log_in(client, "amira@example.org")
    for path in ("/accounts/", "/", "/practices/"):
        assert "no-store" in client.get(path)["Cache-Control"]
    client.post("/accounts/logout/")
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_the_security_log_records_events_without_secrets(client, amira, caplog) -> None:
    caplog.set_level(logging.INFO, logger="icb.security")
    log_in(client, "amira@example.org", "a wrong secret phrase")
    for _ in range(4):
        log_in(client, "amira@example.org", "a wrong secret phrase")
    client.post("/accounts/logout/")
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "icb.security"]
    kinds = [e["event"] for e in events]
    assert kinds.count("login.failure") == 5
    assert "login.lockout" in kinds
    text = caplog.text
    assert "a wrong secret phrase" not in text
    assert PASSWORD not in text
    assert "amira@example.org" not in text
    assert all(e["ip"] == "127.0.0.1" for e in events)


def test_the_security_log_records_login_and_logout(client, amira, caplog) -> None:
    caplog.set_level(logging.INFO, logger="icb.security")
    log_in(client, "amira@example.org")
    client.post("/accounts/logout/")
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "icb.security"]
    assert [e["event"] for e in events] == ["login", "logout"]
    assert events[0]["user"] == amira.pk
    assert PASSWORD not in caplog.text


def test_the_security_log_refuses_fields_that_could_hold_secrets() -> None:
    from lib.securitylog import log_event

    with pytest.raises(ValueError):
        log_event("oops", password="x")
    with pytest.raises(ValueError):
        log_event("oops", reset_token="x")


def test_the_header_offers_an_account_and_a_sign_in_lands_on_the_workspaces(client, amira) -> None:
    page = client.get("/").content.decode()
    assert '<a href="/accounts/signup/">Create an account</a>' in page
    response = log_in(client, "amira@example.org")
    assert response["Location"] == "/workspaces/"
    assert client.get("/workspaces/").status_code == 200
    assert "Create an account" not in client.get("/").content.decode()
