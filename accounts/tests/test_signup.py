"""Sign-up and e-mail verification (docs/quality.md S2, S8)."""

import json
import logging

import pytest
from django.core import mail

from accounts.models import User
from tests.support.accounts import PASSWORD, last_link, log_in, normalise, sign_up

pytestmark = pytest.mark.django_db


def test_sign_up_sends_a_verification_link_and_the_account_waits_for_it(client) -> None:
    response = sign_up(client, "Lea@Example.org")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/done/"
    user = User.objects.get(email="lea@example.org")
    assert user.email_verified is None
    assert user.first_name == "Amira Haddad"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lea@example.org"]
    assert "/accounts/verify/" in mail.outbox[0].body
    assert PASSWORD not in mail.outbox[0].body


def test_login_is_refused_until_the_address_is_verified_and_sends_a_fresh_link(client) -> None:
    sign_up(client, "lea@example.org")
    mail.outbox.clear()
    response = log_in(client, "lea@example.org")
    assert response.status_code == 400, "refused, like any failed login"
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1, "the right password on an unconfirmed address mails a fresh link"
    assert mail.outbox[0].to == ["lea@example.org"]

    link = last_link()
    assert client.get(link).status_code == 200
    assert User.objects.get(email="lea@example.org").email_verified is None, "a GET must not verify"
    response = client.post(link)
    assert response["Location"] == "/accounts/login/"
    assert User.objects.get(email="lea@example.org").email_verified is not None
    response = log_in(client, "lea@example.org")
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_the_right_password_of_an_unverified_address_answers_exactly_as_a_wrong_one(client, amira) -> None:
    """No password oracle: the same status and page for a wrong password and for the right password of an
    address not yet confirmed (only the typed address differs)."""
    sign_up(client, "lea@example.org")
    wrong = log_in(client, "amira@example.org", "not the right password")
    unverified = log_in(client, "lea@example.org")
    assert unverified.status_code == wrong.status_code == 400
    assert normalise(unverified.text, "lea@example.org") == normalise(wrong.text, "amira@example.org")
    assert "The e-mail address or the password is not right." in unverified.text


def test_unverified_logins_count_towards_the_lockout_and_mail_once_an_hour(client, clock) -> None:
    """A right password that never locks would tell an attacker it is right; and however often someone
    tries, the owner's mailbox gets one link an hour."""
    sign_up(client, "lea@example.org")
    mail.outbox.clear()
    for _ in range(4):
        assert log_in(client, "lea@example.org").status_code == 400
    assert log_in(client, "lea@example.org").status_code == 429
    assert len(mail.outbox) == 1
    clock.advance(61 * 60)
    assert log_in(client, "lea@example.org").status_code == 400
    assert len(mail.outbox) == 2


def test_an_unverified_login_reaches_the_security_log(client, caplog) -> None:
    sign_up(client, "lea@example.org")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="icb.security"):
        log_in(client, "lea@example.org")
    events = [json.loads(record.getMessage())["event"] for record in caplog.records if record.name == "icb.security"]
    assert events == ["login.unverified", "login.failure"]


def test_a_verification_link_older_than_three_days_is_refused(client, clock) -> None:
    sign_up(client, "lea@example.org")
    link = last_link()
    clock.advance(3 * 24 * 3600 + 60)
    response = client.post(link)
    assert response.status_code == 400
    assert "not valid" in response.text
    assert User.objects.get(email="lea@example.org").email_verified is None


def test_a_tampered_verification_link_is_refused(client) -> None:
    sign_up(client, "lea@example.org")
    response = client.post(last_link()[:-3] + "xyz/")
    assert response.status_code == 400


def test_short_common_or_similar_passwords_are_refused_and_the_form_keeps_the_rest(client) -> None:
    for password in ("short pass", "password1234", "lea@example.org1"):
        response = sign_up(client, "lea@example.org", name="Lea Dupont", password=password)
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.text
        assert 'value="lea@example.org"' in response.text
        assert 'value="Lea Dupont"' in response.text
        assert response.text.index("error-summary") < response.text.index('name="name"')
    assert not User.objects.filter(email="lea@example.org").exists()


def test_a_long_passphrase_without_symbols_or_digits_is_accepted(client) -> None:
    response = sign_up(client, "lea@example.org", password="just some lowercase words")
    assert response.status_code == 302


def test_signing_up_with_a_taken_address_answers_the_same_and_warns_its_owner(client, amira) -> None:
    response = sign_up(client, "amira@example.org", password="another long passphrase here")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/done/"
    assert User.objects.filter(email="amira@example.org").count() == 1
    assert "already has one" in mail.outbox[-1].body


def test_resending_to_an_unknown_address_answers_the_same_and_sends_nothing(client) -> None:
    response = client.post("/accounts/verify/resend/", {"email": "nobody@example.org"})
    assert response.status_code == 200
    assert "Check your e-mail" in response.text
    assert mail.outbox == []


def test_resending_to_a_malformed_address_answers_400_with_the_error_summary(client) -> None:
    response = client.post("/accounts/verify/resend/", {"email": "lea at example"})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.text
    assert 'value="lea at example"' in response.text
    assert mail.outbox == []


def test_sign_up_is_limited_to_five_per_address_per_hour(client, clock) -> None:
    for n in range(5):
        assert sign_up(client, f"user{n}@example.org").status_code == 302
    response = sign_up(client, "user5@example.org")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "Too many attempts" in response.text
    assert not User.objects.filter(email="user5@example.org").exists()
    clock.advance(3601)
    assert sign_up(client, "user5@example.org").status_code == 302


def test_resending_is_rate_limited(client) -> None:
    for _ in range(5):
        assert client.post("/accounts/verify/resend/", {"email": "x@example.org"}).status_code == 200
    response = client.post("/accounts/verify/resend/", {"email": "x@example.org"})
    assert response.status_code == 429
    assert response["Retry-After"]
