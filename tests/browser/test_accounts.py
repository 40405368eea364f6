"""Account journeys in headless Chromium, by keyboard, with an axe scan of every page state (A1-A3)."""

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Response

from accounts import totp
from tests.support.browser import axe_violations, tab_until

pytestmark = pytest.mark.browser

PASSWORD = "lanterns over the harbour"


ANONYMOUS_PAGES = [
    "/accounts/signup/",
    "/accounts/signup/done/",
    "/accounts/login/",
    "/accounts/verify/resend/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/complete/",
]


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_account_page_has_no_axe_violations(public_page, path: str) -> None:
    page = public_page
    assert page.goto(path).status == 200
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_an_invalid_verification_link_explains_itself_accessibly(page) -> None:
    assert page.goto("/accounts/verify/not-a-token/").status == 400
    assert "not valid" in page.locator("main").inner_text()
    assert axe_violations(page) == []


def last_link(mail_dir: Path, to: str, marker: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
            text = path.read_text(encoding="utf-8")
            if f"To: {to}" in text and marker in text:
                return re.findall(r"https?://\S+" + re.escape(marker) + r"\S*", text)[-1]
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} with {marker}")


def type_into(page, field_id: str, text: str) -> None:
    tab_until(page, f"el => el.id === '{field_id}'")
    page.keyboard.type(text)


def submit(page, label: str) -> None:
    tab_until(page, f"el => el.tagName === 'BUTTON' && el.textContent.trim() === '{label}'")
    enter(page)


def enter(page) -> Response:
    """Press Enter on a form control and wait for the page its submission loads; its response."""
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    return navigation.value


def current_code(page) -> str:
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    return totp.totp(totp.secret_bytes(secret), time.time())


def test_sign_up_verify_log_in_and_turn_on_mfa_by_keyboard(page, mail_dir: Path) -> None:
    email = "leila@example.org"
    page.goto("/accounts/signup/")
    assert axe_violations(page) == []
    submit(page, "Create account")
    page.wait_for_selector("[data-error-summary]")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []

    type_into(page, "id_name", "Leila Haddad")
    type_into(page, "id_email", email)
    type_into(page, "id_password", "short")
    tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Create account'")
    assert enter(page).status == 400
    assert page.locator("#id_password").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_email").input_value() == email
    assert axe_violations(page) == []
    page.locator("#id_password").focus()
    page.keyboard.type(PASSWORD)
    enter(page)
    page.wait_for_url("**/accounts/signup/done/")
    assert axe_violations(page) == []

    # Before verifying, login is refused as a wrong password would be (no password oracle); a new link is mailed.
    page.goto("/accounts/login/")
    type_into(page, "id_email", email)
    type_into(page, "id_password", PASSWORD)
    assert enter(page).status == 400
    assert "not right" in page.locator("[data-error-summary]").inner_text()
    assert "we send you a new one" in page.locator("main").inner_text()
    assert axe_violations(page) == []

    link = last_link(mail_dir, email, "/accounts/verify/")
    page.goto(link)
    assert axe_violations(page) == []
    submit(page, "Confirm my address")
    page.wait_for_url("**/accounts/login/")
    assert "Your e-mail address is confirmed" in page.locator("main").inner_text()
    assert axe_violations(page) == []

    # A wrong password first: the error summary, then the right one.
    type_into(page, "id_email", email)
    type_into(page, "id_password", "not my password at all")
    assert enter(page).status == 400
    page.wait_for_selector("[data-error-summary]")
    assert "not right" in page.locator("[data-error-summary]").inner_text()
    assert axe_violations(page) == []
    page.locator("#id_password").focus()
    page.keyboard.type(PASSWORD)
    enter(page)
    page.wait_for_url("**/workspaces/")
    assert page.locator("h1").inner_text() == "Your workspaces"  # a sign-in lands on the workspaces
    assert page.locator("[data-session-keepalive]").is_hidden()
    assert axe_violations(page) == []

    page.goto("/accounts/password/")
    assert axe_violations(page) == []
    submit(page, "Change password")
    page.wait_for_selector("[data-error-summary]")
    assert axe_violations(page) == []

    page.goto("/accounts/")
    tab_until(page, "el => el.textContent.trim() === 'Set up two-step verification'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/mfa/")
    assert "otpauth://totp/" in page.locator("#mfa-uri").text_content()
    assert axe_violations(page) == []
    type_into(page, "id_code", "000000")
    assert enter(page).status == 400
    page.wait_for_selector("[data-error-summary]")
    assert axe_violations(page) == []
    page.locator("#id_code").fill(current_code(page))
    page.locator("#id_code").focus()
    enter(page)
    page.wait_for_selector("#recovery-codes")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert axe_violations(page) == []

    # Log out with the header's button, then log in with a recovery code as the second step.
    tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Log out'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/login/")
    assert "You have logged out" in page.locator("main").inner_text()
    type_into(page, "id_email", email)
    type_into(page, "id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/login/code/")
    assert axe_violations(page) == []
    type_into(page, "id_code", "111111")
    assert enter(page).status == 400
    page.wait_for_selector("[data-error-summary]")
    assert axe_violations(page) == []
    page.locator("#id_code").fill(codes[0])
    page.locator("#id_code").focus()
    enter(page)
    page.wait_for_url("**/workspaces/")
    assert "You used a recovery code" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    # The only console messages are Chromium's notes on the failed submits' status 400, sent on purpose.
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def wait_for_message(page, words: str) -> None:
    """Poll the live region, moving the page's fake clock on (the CSP forbids wait_for_function's eval)."""
    for _ in range(100):
        if words in (page.locator("[data-session-message]").text_content() or ""):
            return
        page.clock.run_for(100)
        time.sleep(0.02)
    raise AssertionError(f"the session notice never said {words!r}")


def test_the_session_warning_offers_to_stay_signed_in(page, mail_dir: Path) -> None:
    email = "tomas@example.org"
    page.goto("/accounts/signup/")
    page.locator("#id_name").fill("Tomas Novak")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/accounts/signup/done/")
    page.goto(last_link(mail_dir, email, "/accounts/verify/"))
    page.get_by_role("button", name="Confirm my address").click()
    page.wait_for_url("**/accounts/login/")

    page.clock.install()
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/workspaces/")
    idle = int(page.locator("[data-session-timeout]").get_attribute("data-idle-seconds"))
    page.clock.run_for((idle - 119) * 1000)
    button = page.get_by_role("button", name="Stay signed in")
    button.wait_for(state="visible")
    wait_for_message(page, "2 minutes")
    assert axe_violations(page) == []
    tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Stay signed in'")
    page.keyboard.press("Enter")
    wait_for_message(page, "still signed in")
    assert button.is_hidden()
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_reset_a_forgotten_password_by_keyboard(page, mail_dir: Path) -> None:
    email = "ines@example.org"
    page.goto("/accounts/signup/")
    page.locator("#id_name").fill("Ines Costa")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/accounts/signup/done/")

    page.goto("/accounts/password/reset/")
    submit(page, "Send link")
    page.wait_for_selector("[data-error-summary]")
    assert axe_violations(page) == []
    page.locator("#id_email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/password/reset/done/")

    page.goto(last_link(mail_dir, email, "/accounts/password/reset/"))
    page.wait_for_url("**/set-password/")
    assert axe_violations(page) == []
    type_into(page, "id_new_password1", "tiny")
    type_into(page, "id_new_password2", "tiny")
    assert enter(page).status == 400
    page.wait_for_selector("[data-error-summary]")
    assert axe_violations(page) == []
    page.locator("#id_new_password1").fill("a brand new harbour phrase")
    page.locator("#id_new_password2").fill("a brand new harbour phrase")
    page.locator("#id_new_password2").press("Enter")
    page.wait_for_url("**/accounts/password/reset/complete/")
    assert axe_violations(page) == []
    # The reset link proved the address, so this login needs no separate verification.
    page.goto("/accounts/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill("a brand new harbour phrase")
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/workspaces/")
    # The only console messages are Chromium's notes on the failed submits' status 400, sent on purpose.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
