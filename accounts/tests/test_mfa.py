"""TOTP MFA: setup, second login step, replay, recovery codes, the requirement for coordinators and staff (S2)."""

import pytest

from accounts import actions
from accounts.models import MFADevice, RecoveryCode, User
from tests.support.accounts import PASSWORD, code_now, log_in, make_coordinator, set_up_mfa

pytestmark = pytest.mark.django_db


def test_setup_shows_the_key_and_uri_then_ten_recovery_codes_stored_hashed(client, amira) -> None:
    log_in(client, "amira@example.org")
    page = client.get("/accounts/mfa/")
    assert "otpauth://totp/" in page.text
    secret, codes = set_up_mfa(client)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert MFADevice.objects.get(user=amira).secret == secret
    stored = list(RecoveryCode.objects.filter(user=amira).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not any(code in h or code.replace("-", "") in h for code in codes for h in stored)
    # Codes are shown once: the setup page does not show them again.
    assert "recovery-codes" not in client.get("/accounts/mfa/").text


def test_setup_refuses_a_wrong_code(client, amira) -> None:
    log_in(client, "amira@example.org")
    client.get("/accounts/mfa/")
    response = client.post("/accounts/mfa/", {"code": "000000"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert not MFADevice.objects.filter(user=amira).exists()


def test_login_with_mfa_needs_a_code_before_the_session_is_authenticated(client, make_client, amira) -> None:
    setup = make_client()
    log_in(setup, "amira@example.org")
    secret, _codes = set_up_mfa(setup)

    response = log_in(client, "amira@example.org", next="/practices/")
    assert response["Location"] == "/accounts/login/code/"
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/")["Location"].startswith("/accounts/login/")
    wrong = client.post("/accounts/login/code/", {"code": "123456"})
    assert wrong.status_code == 400
    assert "not right" in wrong.text
    response = client.post("/accounts/login/code/", {"code": code_now(secret, 1)})
    assert response["Location"] == "/practices/"
    assert int(client.session["_auth_user_id"]) == amira.pk


def test_a_totp_code_cannot_be_used_twice(client, make_client, amira) -> None:
    setup = make_client()
    log_in(setup, "amira@example.org")
    secret, _codes = set_up_mfa(setup)
    code = code_now(secret, 1)
    log_in(client, "amira@example.org")
    assert client.post("/accounts/login/code/", {"code": code}).status_code == 302
    again = make_client()
    log_in(again, "amira@example.org")
    response = again.post("/accounts/login/code/", {"code": code})
    assert response.status_code == 400
    assert "_auth_user_id" not in again.session


def test_a_recovery_code_works_once(client, make_client, amira) -> None:
    setup = make_client()
    log_in(setup, "amira@example.org")
    _secret, codes = set_up_mfa(setup)
    log_in(client, "amira@example.org")
    response = client.post("/accounts/login/code/", {"code": codes[0].upper()}, follow=True)
    assert "9 are left" in response.text
    assert RecoveryCode.objects.filter(user=amira, used_at__isnull=False).count() == 1
    again = make_client()
    log_in(again, "amira@example.org")
    assert again.post("/accounts/login/code/", {"code": codes[0]}).status_code == 400
    assert "_auth_user_id" not in again.session


def test_wrong_codes_count_towards_the_lockout(client, make_client, amira) -> None:
    setup = make_client()
    log_in(setup, "amira@example.org")
    secret, _codes = set_up_mfa(setup)
    log_in(client, "amira@example.org")
    for _ in range(4):
        client.post("/accounts/login/code/", {"code": "000000"})
    assert client.post("/accounts/login/code/", {"code": "000000"}).status_code == 429
    assert client.post("/accounts/login/code/", {"code": code_now(secret, 1)}).status_code == 429


def test_the_second_step_expires(client, make_client, amira, clock) -> None:
    setup = make_client()
    log_in(setup, "amira@example.org")
    set_up_mfa(setup)
    log_in(client, "amira@example.org")
    clock.advance(actions.MFA_PENDING_SECONDS + 1)
    assert client.get("/accounts/login/code/")["Location"] == "/accounts/login/"


def test_a_coordinator_without_mfa_is_sent_to_setup_and_can_reach_only_setup_and_logout(client, amira) -> None:
    make_coordinator(amira)
    response = log_in(client, "amira@example.org")
    assert response["Location"] == "/accounts/mfa/"
    for path in ("/accounts/", "/", "/accounts/password/", "/practices/"):
        assert client.get(path)["Location"] == "/accounts/mfa/", path
    assert client.get("/accounts/mfa/").status_code == 200
    set_up_mfa(client)
    assert client.get("/accounts/").status_code == 200
    assert client.get("/").status_code == 200


def test_a_coordinator_can_log_out_before_setting_up_mfa(client, amira) -> None:
    make_coordinator(amira)
    log_in(client, "amira@example.org")
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_staff_must_set_up_mfa_too(client, amira) -> None:
    User.objects.filter(pk=amira.pk).update(is_staff=True)
    assert log_in(client, "amira@example.org")["Location"] == "/accounts/mfa/"
    assert client.get("/admin/")["Location"] == "/accounts/mfa/"


def test_mfa_is_offered_but_not_forced_on_other_users(client, amira) -> None:
    assert log_in(client, "amira@example.org")["Location"] == "/workspaces/"
    page = client.get("/accounts/")
    assert page.status_code == 200
    assert "Set up two-step verification" in page.text


def test_the_security_log_records_mfa_without_codes(client, make_client, amira, caplog) -> None:
    import logging

    caplog.set_level(logging.INFO, logger="icb.security")
    setup = make_client()
    log_in(setup, "amira@example.org")
    secret, codes = set_up_mfa(setup)
    log_in(client, "amira@example.org")
    client.post("/accounts/login/code/", {"code": codes[1]})
    assert "mfa.enabled" in caplog.text
    assert "mfa.recovery_used" in caplog.text
    assert secret not in caplog.text
    assert codes[1] not in caplog.text
    assert PASSWORD not in caplog.text
