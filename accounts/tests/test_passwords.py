"""Password reset and change; both end the user's other sessions (docs/quality.md S2, S3)."""

import pytest
from django.core import mail

from accounts.models import User
from tests.support.accounts import NEW_PASSWORD, PASSWORD, last_link, log_in, sign_up, verify

pytestmark = pytest.mark.django_db


def reset_link(client) -> str:
    client.post("/accounts/password/reset/", {"email": "amira@example.org"})
    return last_link()


def test_reset_by_mail_sets_a_new_password_once(client, amira) -> None:
    response = client.post("/accounts/password/reset/", {"email": "Amira@example.org"})
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    link = last_link()
    page = client.get(link, follow=True)
    assert "Choose a new password" in page.text
    form_url = page.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/password/reset/complete/"
    assert log_in(client, "amira@example.org", NEW_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    # The same link does not work a second time.
    again = client.get(link, follow=True)
    assert "not valid" in again.text
    assert 'name="new_password1"' not in again.text


def test_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(client, amira) -> None:
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password/reset/done/"
    assert mail.outbox == []


def test_a_malformed_reset_address_answers_400_with_the_error_summary(client, amira) -> None:
    response = client.post("/accounts/password/reset/", {"email": "amira at example"})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'value="amira at example"' in response.text
    assert mail.outbox == []


def test_a_new_password_sent_to_a_link_no_longer_valid_is_refused(client, amira, clock) -> None:
    page = client.get(reset_link(client), follow=True)
    form_url = page.redirect_chain[-1][0]
    clock.advance(3601)
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 400
    assert "not valid" in response.text
    amira.refresh_from_db()
    assert amira.check_password(PASSWORD)


def test_a_reset_link_expires_after_one_hour(client, amira, clock) -> None:
    link = reset_link(client)
    clock.advance(3601)
    page = client.get(link, follow=True)
    assert "not valid" in page.text


def test_reset_refuses_a_weak_password_and_shows_the_error_summary(client, amira) -> None:
    page = client.get(reset_link(client), follow=True)
    response = client.post(page.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'aria-invalid="true"' in response.text


def test_reset_ends_every_other_session(client, make_client, amira) -> None:
    elsewhere = make_client()
    log_in(elsewhere, "amira@example.org")
    assert elsewhere.get("/accounts/").status_code == 200
    page = client.get(reset_link(client), follow=True)
    client.post(page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert elsewhere.get("/accounts/")["Location"].startswith("/accounts/login/")


def test_password_change_keeps_this_session_and_ends_the_others(client, make_client, amira) -> None:
    elsewhere = make_client()
    log_in(elsewhere, "amira@example.org")
    log_in(client, "amira@example.org")
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == "/accounts/"
    assert client.get("/accounts/").status_code == 200
    assert elsewhere.get("/accounts/")["Location"].startswith("/accounts/login/")
    amira.refresh_from_db()
    assert amira.check_password(NEW_PASSWORD)


def test_password_change_needs_the_current_password(client, amira) -> None:
    log_in(client, "amira@example.org")
    response = client.post(
        "/accounts/password/",
        {"old_password": "not it at all", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    amira.refresh_from_db()
    assert amira.check_password(PASSWORD)


def test_reset_requests_are_rate_limited(client, amira) -> None:
    for _ in range(5):
        assert client.post("/accounts/password/reset/", {"email": "amira@example.org"}).status_code == 302
    response = client.post("/accounts/password/reset/", {"email": "amira@example.org"})
    assert response.status_code == 429
    assert response["Retry-After"]
    assert len(mail.outbox) == 5


# Typed text loses the override characters U+202D and U+202E (lib/text.py); a password never does: its
# characters are the secret, and the one typed at login must match the one typed at sign-up.
WITH_OVERRIDE = "violet \u202ekettle\u202d under the bridge"


def test_sign_up_keeps_a_password_with_an_override_character_as_typed(client) -> None:
    response = sign_up(client, "rania@example.org", name="Rania \u202eHaddad", password=WITH_OVERRIDE)
    assert response.status_code == 302
    verify(client)
    user = User.objects.get(email="rania@example.org")
    assert user.first_name == "Rania Haddad"  # the name is typed text: cleaned
    assert user.check_password(WITH_OVERRIDE)
    assert log_in(client, "rania@example.org", "violet kettle under the bridge").status_code == 400
    response = log_in(client, "rania@example.org", WITH_OVERRIDE)
    assert response.status_code == 302 and response["Location"] == "/workspaces/"


def test_a_changed_password_with_an_override_character_logs_in_as_typed(client, make_client, amira) -> None:
    log_in(client, "amira@example.org")
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": WITH_OVERRIDE, "new_password2": WITH_OVERRIDE},
    )
    assert response["Location"] == "/accounts/"
    amira.refresh_from_db()
    assert amira.check_password(WITH_OVERRIDE)
    fresh = make_client()
    response = log_in(fresh, "amira@example.org", WITH_OVERRIDE)
    assert response.status_code == 302 and response["Location"] == "/workspaces/"
