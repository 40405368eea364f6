"""The self-assessment as a team, end to end in headless Chromium: a coordinator invites a partner
organisation; a contributor fills a key factor with the keyboard alone and attaches evidence; the
partner gives its organisation's view; the coordinator sees where the views diverge and submits.
axe scans every state."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import DEMO_SETUP, axe_violations, prepare_server, running_server, signed_in_page, tab_until

pytestmark = pytest.mark.browser

SETUP = (
    DEMO_SETUP
    + """
from django.utils import timezone
circle = User.objects.create_user(email="circle@demoville.example", password=None, email_verified=timezone.now())
unrated = [f for f in assessment.factors.select_related("key_factor").filter(rating__isnull=True)
           if f.answers.exists()]

print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "coordinator": session(coordinator),
    "contributor": session(User.objects.get(email="contributor@demoville.example")),
    "circle": session(circle),
    "workspace": str(assessment.workspace.public_id),
    "assessment": str(assessment.public_id),
    "factor": unrated[-1].key_factor.slug,
    "factor_title": unrated[-1].key_factor.title,
    "questions": [a.question.number for a in unrated[-1].answers.select_related("question")],
}))
"""
)


@pytest.fixture(scope="module")
def team_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict]]:
    tmp = tmp_path_factory.mktemp("team-server")
    mail = tmp / "mail"
    mail.mkdir()
    env, people = prepare_server(
        tmp, f"{worker_id}_team", demo=True, setup=SETUP, extra_env={"EMAIL_FILE_PATH": str(mail)}
    )
    people["mail"] = str(mail)
    with running_server(tmp, env) as url:
        yield url, people


def invitation_link(mail: Path, address: str) -> str:
    for message in sorted(mail.iterdir(), key=lambda path: path.stat().st_mtime, reverse=True):
        text = message.read_text()
        if f"To: {address}" in text:
            found = re.search(r"/workspaces/invitations/[^/\s]+/", text)
            assert found, text
            return found.group(0)
    raise AssertionError(f"no invitation was mailed to {address}")


def test_invite_a_partner_fill_a_key_factor_with_evidence_partner_rates_coordinator_submits(
    browser, team_server
) -> None:
    _url, people = team_server
    overview = f"/assessments/{people['assessment']}/"
    factor = f"{overview}factors/{people['factor']}/"

    # 1. The coordinator invites a partner organisation.
    context, page = signed_in_page(browser, team_server, "coordinator")
    try:
        page.goto(f"/workspaces/{people['workspace']}/")
        page.locator("#id_email").fill("circle@demoville.example")
        page.locator("#id_role").select_option("partner")
        page.locator("#id_organisation").fill("Demoville Welcome Circle")
        page.get_by_role("button", name="Send invitation").click()
        page.wait_for_selector(".message")
        assert "Invitation sent to circle@demoville.example" in page.locator(".messages").inner_text()
        assert axe_violations(page) == []
    finally:
        context.close()

    # 2. The partner accepts the invitation mailed to them.
    link = invitation_link(Path(people["mail"]), "circle@demoville.example")
    context, page = signed_in_page(browser, team_server, "circle")
    try:
        page.goto(link)
        assert axe_violations(page) == []
        page.get_by_role("button", name="Accept the invitation").click()
        page.wait_for_url(f"**/workspaces/{people['workspace']}/")
        assert "Welcome to the Demoville workspace" in page.locator(".messages").inner_text()
    finally:
        context.close()

    # 3. A contributor fills the key factor with the keyboard alone, then attaches a policy document.
    context, page = signed_in_page(browser, team_server, "contributor")
    try:
        page.goto(factor)
        assert axe_violations(page) == []
        for number in people["questions"]:
            tab_until(page, f"el => el.id === 'id_q{number}-answer'")
            page.keyboard.type("Yes")
            assert page.evaluate("document.activeElement.value") == "yes"
        tab_until(page, "el => el.id === 'id_rating'")
        page.keyboard.type("3")
        tab_until(page, "el => el.id === 'id_justification'")
        page.keyboard.type("The welcome desk serves every newcomer; see the 2025 policy.")
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Save the key factor'")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{overview}")
        assert "is saved" in page.locator(".messages").inner_text()

        page.goto(factor)
        new_evidence = page.locator('form[aria-labelledby="new-evidence-heading"]')
        new_evidence.locator("select").first.focus()  # "Attach to": the key factor as a whole
        tab_until(page, "el => el.tagName === 'SELECT' && el.name.endsWith('kind')")
        page.keyboard.type("Policy")
        assert page.evaluate("document.activeElement.value") == "policy"
        tab_until(page, "el => el.name.endsWith('title')")
        page.keyboard.type("Demoville welcome policy 2025")
        tab_until(page, "el => el.name.endsWith('url')")
        page.keyboard.type("https://demoville.example/welcome-policy-2025.pdf")
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Add and attach'")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("[data-error-summary]").count() == 0, page.locator("main").inner_text()[:1500]
        page.goto(factor)
        evidence = page.locator("#evidence-heading").locator("xpath=..").inner_text()
        assert "Demoville welcome policy 2025" in evidence
        assert axe_violations(page) == []
        assert page.console_errors == []
    finally:
        context.close()

    # 4. The partner gives its organisation's view, far from the city's.
    context, page = signed_in_page(browser, team_server, "circle")
    try:
        page.goto(factor)
        assert "Save the key factor" not in page.locator("main").inner_text()
        page.get_by_label("Your organisation's rating").select_option("1")
        page.get_by_label("Your organisation's comment").fill("Newcomers we meet rarely find the desk.")
        with page.expect_navigation():
            page.get_by_role("button", name="Save your organisation's view").click()
        page.goto(factor)
        views = page.locator("#partner-views").inner_text()
        assert "Demoville Welcome Circle" in views
        assert "Newcomers we meet rarely find the desk." in views
        assert "Differs by 2 levels" in views
        assert axe_violations(page) == []
    finally:
        context.close()

    # 5. The coordinator sees the divergence and submits.
    context, page = signed_in_page(browser, team_server, "coordinator")
    try:
        page.goto(overview)
        assert "Demoville Welcome Circle" in page.locator("main").inner_text()
        assert "Differs by 2 levels" in page.locator("main").inner_text()
        assert axe_violations(page) == []
        page.get_by_role("button", name="Submit the assessment").click()
        page.wait_for_url(f"**{overview}")
        assert "The assessment is submitted." in page.locator(".messages").inner_text()
        assert "Status: Submitted" in page.locator("main").inner_text()
        assert axe_violations(page) == []
        assert page.console_errors == []
    finally:
        context.close()
