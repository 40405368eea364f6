"""The admin has no door of its own (docs/quality.md S8): /admin/ opens only after the site's login, with its
second factor, lockout and security log; a password sent to /admin/login/ never authenticates anyone."""

import json
import logging
from collections.abc import Callable
from urllib.parse import quote

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.models import User
from tests.support.accounts import PASSWORD, CommitClient, code_now, log_in, set_up_mfa

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/accounts/login/?next=" + quote("/admin/", safe="")


@pytest.fixture
def staff(amira: User, make_client: Callable[..., CommitClient]) -> tuple[User, str]:
    """Amira as network staff, with an authenticator (staff must have one); returns her and its secret."""
    User.objects.filter(pk=amira.pk).update(is_staff=True)
    helper = make_client()
    log_in(helper, amira.email)
    secret, _codes = set_up_mfa(helper)
    return User.objects.get(pk=amira.pk), secret


def security_events(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [json.loads(record.getMessage()) for record in caplog.records if record.name == "icb.security"]


def test_a_password_posted_to_the_admin_login_never_opens_the_admin(client, staff) -> None:
    user, _secret = staff
    for _attempt in range(2):
        response = client.post("/admin/login/", {"username": user.email, "password": PASSWORD, "next": "/admin/"})
        assert response.status_code == 302
        assert response["Location"] == ADMIN_LOGIN
        assert SESSION_KEY not in client.session, "the admin's login form checked the password"
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/cities/city/").status_code == 302


@pytest.mark.parametrize(
    ("path", "expected_next"),
    [
        ("/admin/login/", "/admin/"),
        ("/admin/login/?next=/admin/cities/workspace/%3Fq%3Dx", "/admin/cities/workspace/?q=x"),
        ("/admin/login/?next=https://evil.example/admin/", "/admin/"),
        ("/admin/login/?next=//evil.example/admin/", "/admin/"),
        ("/admin/login/?next=/accounts/", "/admin/"),
    ],
)
def test_every_admin_login_door_leads_to_the_site_login_and_back_to_the_admin(client, path, expected_next) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=" + quote(expected_next, safe="")


def test_the_site_login_with_password_and_code_opens_the_admin(client, staff) -> None:
    user, secret = staff
    wall = client.get("/admin/cities/city/", follow=True)
    assert wall.redirect_chain[-1][0] == "/accounts/login/?next=" + quote("/admin/cities/city/", safe="")
    response = log_in(client, user.email, next="/admin/cities/city/")
    assert response["Location"] == "/accounts/login/code/", "staff must give the second factor"
    assert client.get("/admin/").status_code == 302, "a right password alone does not open the admin"
    response = client.post("/accounts/login/code/", {"code": code_now(secret, 1)})
    assert response["Location"] == "/admin/cities/city/"
    page = client.get("/admin/cities/city/")
    assert page.status_code == 200
    assert "Network administration" in page.text
    # Signed in, the admin's login page only sends back into the admin.
    assert client.get("/admin/login/?next=/admin/cities/city/")["Location"] == "/admin/cities/city/"
    assert client.get("/admin/").status_code == 200


def test_five_wrong_passwords_on_the_way_to_the_admin_lock_the_login(client, staff, caplog) -> None:
    user, _secret = staff
    caplog.set_level(logging.INFO, logger="icb.security")
    for _attempt in range(4):
        assert log_in(client, user.email, "wrong password!", next="/admin/").status_code == 400
    assert log_in(client, user.email, "wrong password!", next="/admin/").status_code == 429
    locked = log_in(client, user.email, next="/admin/")
    assert locked.status_code == 429, "even the right password waits for the lockout to end"
    assert SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302
    events = [event["event"] for event in security_events(caplog)]
    assert events.count("login.failure") == 5
    assert "login.lockout" in events


def test_the_security_log_records_the_admin_sign_in_with_its_second_factor(client, staff, caplog) -> None:
    user, secret = staff
    caplog.set_level(logging.INFO, logger="icb.security")
    log_in(client, user.email, next="/admin/")
    client.post("/accounts/login/code/", {"code": code_now(secret, 1)})
    assert client.get("/admin/").status_code == 200
    logins = [event for event in security_events(caplog) if event["event"] == "login"]
    assert logins == [{"event": "login", "ip": "127.0.0.1", "method": "totp", "user": user.pk}]
    assert secret not in caplog.text
    assert PASSWORD not in caplog.text


def test_a_staff_session_that_never_gave_the_second_factor_does_not_open_the_admin(client, staff) -> None:
    user, _secret = staff
    client.force_login(user)  # a session made some other way than the site's login
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"] == ADMIN_LOGIN
    assert SESSION_KEY not in client.session, "signed out, to sign in again with the second factor"


def test_staff_who_just_set_up_their_authenticator_reach_the_admin(client, amira) -> None:
    User.objects.filter(pk=amira.pk).update(is_staff=True)
    assert log_in(client, amira.email, next="/admin/")["Location"] == "/accounts/mfa/"
    assert client.get("/admin/")["Location"] == "/accounts/mfa/"
    set_up_mfa(client)
    assert client.get("/admin/").status_code == 200


def test_a_user_who_is_not_staff_gets_no_admin(client, amira) -> None:
    assert log_in(client, amira.email)["Location"] == "/workspaces/"
    response = client.get("/admin/", follow=True)
    assert response.status_code == 404
    assert client.get("/admin/cities/city/", follow=True).status_code == 404
    response = client.post("/admin/login/", {"username": amira.email, "password": PASSWORD})
    assert response.status_code == 404


def test_the_admin_logout_is_the_site_logout(client, staff, caplog) -> None:
    user, secret = staff
    log_in(client, user.email, next="/admin/")
    client.post("/accounts/login/code/", {"code": code_now(secret, 1)})
    caplog.set_level(logging.INFO, logger="icb.security")
    caplog.clear()
    assert client.get("/admin/logout/").status_code == 405, "a GET never signs out"
    response = client.post("/admin/logout/")
    assert response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session
    assert [event["event"] for event in security_events(caplog)] == ["logout"]
