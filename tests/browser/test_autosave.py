"""Autosave of a key factor in headless Chromium (docs/quality.md R5): the announced status with its time, the
database afterwards, going offline and back, unsaved text restored after a reload, and a session that
ends server side while the person types, then signs in again in another tab; axe scans every state.

The server has its own database (filled by `load_demo`, like test_assessments.py); the test reads what
the server stored through `manage.py shell` with the server's environment.
"""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    AUTOSAVE_SETUP,
    axe_violations,
    prepare_server,
    running_server,
    server_shell,
    signed_in_page,
    stored_comment,
)

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^Saved \d{1,2}:\d{2}")
DEMO_PASSWORD = "demoville-welcomes-you"


@pytest.fixture(scope="module")
def autosave_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict, dict]]:
    tmp = tmp_path_factory.mktemp("autosave-server")
    env, people = prepare_server(tmp, f"{worker_id}_autosave", demo=True, setup=AUTOSAVE_SETUP)
    with running_server(tmp, env) as url:
        yield url, people, env


# Every text the status region shows, in order (a status can be replaced before a test looks at it).
RECORD_STATUSES = """
window.__statuses = [];
new MutationObserver(() => {
  const box = document.querySelector("[data-autosave-status]");
  const said = box ? box.textContent : "";
  if (said && window.__statuses[window.__statuses.length - 1] !== said) window.__statuses.push(said);
}).observe(document, {childList: true, characterData: true, subtree: true});
"""


def announced(page) -> list[str]:
    return list(page.evaluate("window.__statuses"))


def test_autosave_survives_offline_reload_and_a_session_timeout(browser, autosave_server) -> None:
    url, people, env = autosave_server
    factor_page = f"/assessments/{people['assessment']}/factors/{people['factor']}/"
    comment = f"#id_q{people['question']}-comment"
    context, page = signed_in_page(browser, (url, people), "contributor")
    context.add_init_script(RECORD_STATUSES)
    status = page.locator("[data-autosave-status]")
    try:
        page.goto(factor_page)
        assert status.get_attribute("role") == "status"
        assert axe_violations(page) == []

        # Typing saves after a pause; the status says so, with the time.
        page.locator(comment).fill("Our welcome office covers every district.")
        expect(status).to_have_text(SAVED, timeout=10_000)
        assert stored_comment(env, people) == "Our welcome office covers every district."
        assert axe_violations(page) == []

        # Offline: the status says it retries; the text waits in this browser.
        context.set_offline(True)
        page.locator(comment).fill("Typed while offline.")
        expect(status).to_have_text(re.compile(r"^Not saved, retrying"), timeout=10_000)
        assert axe_violations(page) == []
        kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('icb-autosave:'))")
        assert len(kept) == 1
        assert stored_comment(env, people) == "Our welcome office covers every district."
        context.set_offline(False)
        expect(status).to_have_text(SAVED, timeout=15_000)
        assert stored_comment(env, people) == "Typed while offline."
        assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('icb-autosave:'))") == []

        page.reload()
        assert page.locator(comment).input_value() == "Typed while offline."

        # Reloaded before the pause ended: the text comes back from the browser, and is saved.
        page.locator(comment).fill("Typed just before a reload.")
        page.reload()
        expect(status).to_have_text(SAVED, timeout=10_000)
        assert any(re.match(r"Restored your unsaved changes from \d{1,2}:\d{2}", said) for said in announced(page))
        assert page.locator(comment).input_value() == "Typed just before a reload."
        assert stored_comment(env, people) == "Typed just before a reload."

        # The session ends on the server (a timeout, a sign-out elsewhere) while the person types.
        server_shell(
            env,
            "import json; from django.contrib.sessions.models import Session; "
            f"print(json.dumps(Session.objects.filter(session_key={people['contributor']!r}).delete()[0]))",
        )
        page.locator(comment).fill("Typed after the session ended.")
        expect(status).to_contain_text("Not saved: you are signed out.", timeout=10_000)
        expect(status).to_contain_text("Your changes are kept in this browser.")
        sign_in = status.get_by_role("link", name="Sign in (opens in a new tab)")
        assert sign_in.get_attribute("target") == "_blank"
        assert axe_violations(page) == []
        assert stored_comment(env, people) == "Typed just before a reload."

        # Signing in again in another tab of the same browser: the waiting change is saved.
        with context.expect_page() as opened:
            sign_in.click()
        login = opened.value
        login.wait_for_load_state()
        login.locator("#id_email").fill("contributor@demoville.example")
        login.locator("#id_password").fill(DEMO_PASSWORD)
        login.get_by_role("button", name="Log in").click()
        login.wait_for_url(re.compile(r".*/factors/.*"))
        page.bring_to_front()
        expect(status).to_have_text(SAVED, timeout=30_000)
        assert stored_comment(env, people) == "Typed after the session ended."
        assert axe_violations(page) == []

        # The Save button still works after all this (its lock version and CSRF token were kept current).
        page.locator("#id_justification").fill("Checked after signing in again.")
        page.get_by_role("button", name="Save the key factor").click()
        page.wait_for_url(f"**/assessments/{people['assessment']}/")
        assert "is saved" in page.locator(".messages").inner_text()
        # The only console messages are Chromium's notes on the requests that failed on purpose.
        expected = ("ERR_INTERNET_DISCONNECTED", "status of 401")
        assert [e for e in page.console_errors if not any(x in e for x in expected)] == []
    finally:
        context.close()


def test_an_autosave_counts_as_activity_for_the_idle_warning(browser, autosave_server) -> None:
    """Typing for a long spell without pressing Save must not bring the "you will be signed out" warning:
    each autosave is a request the server counted, and its answer restarts the page's idle clock."""
    url, people, env = autosave_server
    factor_page = f"/assessments/{people['assessment']}/factors/{people['factor']}/"
    fresh = server_shell(  # the test above ends the contributor's first session
        env,
        "import json; from django.conf import settings; from django.test import Client; "
        "from accounts.models import User; c = Client(); "
        "c.force_login(User.objects.get(email='contributor@demoville.example')); "
        "print(json.dumps(c.cookies[settings.SESSION_COOKIE_NAME].value))",
    )
    context, page = signed_in_page(browser, (url, {**people, "contributor": fresh}), "contributor")
    status = page.locator("[data-autosave-status]")
    stay = page.get_by_role("button", name="Stay signed in")
    try:
        page.clock.install()
        page.goto(factor_page)
        reloads: list[str] = []  # the page's idle end reloads it (to the login page, once the server agrees)
        page.on("framenavigated", lambda frame: reloads.append(frame.url) if frame == page.main_frame else None)
        idle = int(page.locator("[data-session-timeout]").get_attribute("data-idle-seconds"))
        page.clock.run_for((idle - 300) * 1000)  # five minutes before the warning would be due
        page.locator("#id_justification").fill("Typed over a long spell, never with the Save button.")
        page.clock.run_for(1500)  # the pause after typing: the autosave goes out
        expect(status).to_have_text(SAVED, timeout=10_000)
        page.clock.run_for(400 * 1000)  # past the first warning's time, and past the page's first idle end
        page.wait_for_timeout(1000)  # real time for a reload to start, had one been asked for
        assert reloads == []  # not reloaded at the page's first idle end
        assert stay.is_hidden()
        page.clock.run_for((idle - 400 - 60) * 1000)  # two minutes before the idle end counted from the save
        stay.wait_for(state="visible")
        assert axe_violations(page) == []
        assert page.console_errors == []
    finally:
        context.close()
