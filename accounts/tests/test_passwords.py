"""Password reset and change; both end the user's other sessions (QUALITY.md S2, S3)."""

import pytest
from django.core import mail

from accounts.tests.conftest import NEW_PASSWORD, PASSWORD, last_link, log_in

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
