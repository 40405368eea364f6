"""Managing MFA from the account page: new recovery codes, turning MFA off, both guarded (docs/quality.md S2, S8)."""

import logging
import re

import pytest

from accounts.models import MFADevice, RecoveryCode, User
from tests.support.accounts import PASSWORD, code_now, log_in, make_coordinator, set_up_mfa

pytestmark = pytest.mark.django_db

CODES_URL = "/accounts/mfa/recovery-codes/"
OFF_URL = "/accounts/mfa/off/"


def shown_codes(text: str) -> list[str]:
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", text)


def stored_hashes(user: User) -> set[str]:
    return set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))


def second_factor_login(make_client, code: str):
    """A fresh client that passes the password step and sends `code`; the response of the code step."""
    client = make_client()
    log_in(client, "amira@example.org")
    response = client.post("/accounts/login/code/", {"code": code})
    return client, response


@pytest.fixture
def amira_with_mfa(client, amira, clock) -> tuple[str, list[str]]:
    """Amira signed in on `client`, with an authenticator and her first recovery codes; the clock moved past
    the step used at setup, so `code_now(secret)` is a fresh code."""
    log_in(client, "amira@example.org")
    secret, codes = set_up_mfa(client)
    clock.advance(30)
    return secret, codes


def test_the_account_page_offers_both_forms_to_a_user_with_mfa(client, amira_with_mfa) -> None:
    page = client.get("/accounts/").text
    assert f'action="{CODES_URL}"' in page
    assert f'action="{OFF_URL}"' in page
    assert 'name="recovery-code"' in page
    assert 'name="off-password"' in page
    assert "csrfmiddlewaretoken" in page


def test_new_recovery_codes_are_shown_once_and_the_old_ones_stop_working(
    client, make_client, amira, amira_with_mfa
) -> None:
    secret, old_codes = amira_with_mfa
    response = client.post(CODES_URL, {"recovery-code": code_now(secret)})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    new_codes = shown_codes(response.text)
    assert len(set(new_codes)) == 10
    assert not set(new_codes) & set(old_codes)
    assert "The old ones no longer work" in response.text
    # Stored hashed only, and shown nowhere else afterwards.
    assert RecoveryCode.objects.filter(user=amira, used_at__isnull=True).count() == 10
    assert not any(code.replace("-", "") in h for code in new_codes for h in stored_hashes(amira))
    assert shown_codes(client.get("/accounts/").text) == []

    for old in old_codes[:3]:
        refused, answer = second_factor_login(make_client, old)
        assert answer.status_code == 400
        assert "not right" in answer.text
        assert "_auth_user_id" not in refused.session
    signed_in, answer = second_factor_login(make_client, new_codes[0])
    assert answer.status_code == 302
    assert int(signed_in.session["_auth_user_id"]) == amira.pk
    again, answer = second_factor_login(make_client, new_codes[0])
    assert answer.status_code == 400, "a new code works once"
    assert "_auth_user_id" not in again.session


def test_a_wrong_or_replayed_code_makes_no_new_recovery_codes(client, make_client, amira, amira_with_mfa) -> None:
    secret, old_codes = amira_with_mfa
    before = stored_hashes(amira)
    for wrong in ("000000", "", old_codes[0]):  # a recovery code does not confirm new ones either
        response = client.post(CODES_URL, {"recovery-code": wrong})
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.text
        assert 'class="error-summary"' in response.text
        assert shown_codes(response.text) == []
    assert stored_hashes(amira) == before

    code = code_now(secret)
    assert client.post(CODES_URL, {"recovery-code": code}).status_code == 200
    replaced = stored_hashes(amira)
    replay = client.post(CODES_URL, {"recovery-code": code})
    assert replay.status_code == 400
    assert "has been used already" in replay.text
    assert stored_hashes(amira) == replaced, "the same authenticator code cannot be used twice"


def test_guessing_codes_is_paused_after_five_wrong_ones(client, amira, amira_with_mfa, clock) -> None:
    secret, _codes = amira_with_mfa
    before = stored_hashes(amira)
    for _ in range(4):
        assert client.post(CODES_URL, {"recovery-code": "123456"}).status_code == 400
    fifth = client.post(CODES_URL, {"recovery-code": "123456"})
    assert fifth.status_code == 429, "the fifth wrong code starts the pause, as at login"
    assert "not right" in fifth.text
    paused = client.post(CODES_URL, {"recovery-code": code_now(secret)})
    assert paused.status_code == 429
    assert 800 < int(paused["Retry-After"]) <= 15 * 60 + 1
    assert "Too many wrong codes" in paused.text
    # Turning MFA off shares the count: guesses cannot move to the other form.
    off = client.post(OFF_URL, {"off-password": PASSWORD, "off-code": code_now(secret)})
    assert off.status_code == 429
    assert stored_hashes(amira) == before
    assert MFADevice.objects.filter(user=amira).exists()

    clock.advance(15 * 60 + 1)
    assert len(shown_codes(client.post(CODES_URL, {"recovery-code": code_now(secret)}).text)) == 10


def test_a_contributor_can_turn_mfa_off_with_password_and_code(client, make_client, amira, amira_with_mfa) -> None:
    secret, _codes = amira_with_mfa
    response = client.post(OFF_URL, {"off-password": PASSWORD, "off-code": code_now(secret)}, follow=True)
    assert response.redirect_chain == [("/accounts/", 302)]
    assert "Two-step verification is off" in response.text
    assert "Set up two-step verification" in response.text
    assert not MFADevice.objects.filter(user=amira).exists()
    assert not RecoveryCode.objects.filter(user=amira).exists()
    # This session goes on; the next login needs the password only.
    assert client.get("/accounts/").status_code == 200
    assert log_in(make_client(), "amira@example.org")["Location"] == "/workspaces/"


def test_an_unused_recovery_code_can_stand_in_for_a_lost_phone(client, amira, amira_with_mfa) -> None:
    _secret, codes = amira_with_mfa
    response = client.post(OFF_URL, {"off-password": PASSWORD, "off-code": codes[4]})
    assert response.status_code == 302
    assert not MFADevice.objects.filter(user=amira).exists()


@pytest.mark.parametrize("which", ["password", "code", "both", "empty"])
def test_turning_mfa_off_with_a_wrong_password_or_code_changes_nothing(client, amira, amira_with_mfa, which) -> None:
    secret, _codes = amira_with_mfa
    data = {
        "password": {"off-password": "not my password at all", "off-code": code_now(secret)},
        "code": {"off-password": PASSWORD, "off-code": "654321"},
        "both": {"off-password": "not my password at all", "off-code": "654321"},
        "empty": {},
    }[which]
    before = stored_hashes(amira)
    response = client.post(OFF_URL, data)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.text
    assert MFADevice.objects.filter(user=amira).exists()
    assert stored_hashes(amira) == before
    assert PASSWORD not in response.text


def test_a_coordinator_cannot_turn_mfa_off(client, amira, amira_with_mfa, caplog) -> None:
    secret, _codes = amira_with_mfa
    make_coordinator(amira)
    page = client.get("/accounts/").text
    assert f'action="{OFF_URL}"' not in page
    assert "so it cannot be turned off" in page
    caplog.set_level(logging.INFO, logger="icb.security")
    response = client.post(OFF_URL, {"off-password": PASSWORD, "off-code": code_now(secret)})
    assert response.status_code == 403
    assert "Your role needs two-step verification" in response.text
    assert MFADevice.objects.filter(user=amira).exists()
    assert RecoveryCode.objects.filter(user=amira).count() == 10
    assert "mfa.disable_refused" in caplog.text
    # A coordinator can still replace recovery codes.
    assert len(shown_codes(client.post(CODES_URL, {"recovery-code": code_now(secret)}).text)) == 10


def test_staff_cannot_turn_mfa_off(client, amira, amira_with_mfa) -> None:
    secret, _codes = amira_with_mfa
    User.objects.filter(pk=amira.pk).update(is_staff=True)
    response = client.post(OFF_URL, {"off-password": PASSWORD, "off-code": code_now(secret)})
    assert response.status_code == 403
    assert MFADevice.objects.filter(user=amira).exists()


def test_both_are_post_only_and_need_the_csrf_token(make_client, amira, amira_with_mfa) -> None:
    secret, _codes = amira_with_mfa
    strict = make_client(enforce_csrf_checks=True)
    strict.force_login(amira)
    assert strict.get(CODES_URL).status_code == 405
    assert strict.get(OFF_URL).status_code == 405
    assert strict.post(CODES_URL, {"recovery-code": code_now(secret)}).status_code == 403
    assert strict.post(OFF_URL, {"off-password": PASSWORD, "off-code": code_now(secret)}).status_code == 403
    assert MFADevice.objects.filter(user=amira).exists()


def test_anonymous_visitors_are_sent_to_login(make_client, db) -> None:
    anonymous = make_client()
    assert anonymous.post(CODES_URL, {"recovery-code": "123456"})["Location"].startswith("/accounts/login/")
    assert anonymous.post(OFF_URL, {})["Location"].startswith("/accounts/login/")


def test_the_security_log_records_both_without_secrets(client, amira, amira_with_mfa, caplog, clock) -> None:
    secret, old_codes = amira_with_mfa
    caplog.set_level(logging.INFO, logger="icb.security")
    client.post(CODES_URL, {"recovery-code": "111111"})
    new_code = code_now(secret)
    new_codes = shown_codes(client.post(CODES_URL, {"recovery-code": new_code}).text)
    client.post(OFF_URL, {"off-password": "a wrong password here", "off-code": "222222"})
    clock.advance(30)
    off_code = code_now(secret)
    client.post(OFF_URL, {"off-password": PASSWORD, "off-code": off_code})
    log = caplog.text
    for event in ("mfa.confirm_failure", "mfa.recovery_codes_replaced", "mfa.disabled"):
        assert event in log
    assert f'"user": {amira.pk}' in log
    for secret_text in [secret, new_code, off_code, "111111", "222222", PASSWORD, "a wrong password here"]:
        assert secret_text not in log
    for code in old_codes + new_codes:
        assert code not in log
        assert code.replace("-", "") not in log
