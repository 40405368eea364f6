"""Partner views and the discussion in headless Chromium: a partner rates a key factor with the keyboard
alone, the coordinator sees the divergence on the overview and the key factor page and addresses a
comment to the contributor (who is mailed and sees "Addressed to you"), error and conflict states;
axe scans every state.

Like test_assessments.py, the server has its own database filled by `load_demo` (whose draft holds
one partner rating that diverges from the city's and one comment addressed to the contributor).
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import axe_violations, prepare_server, running_server, signed_in_page, tab_until

pytestmark = pytest.mark.browser


SETUP = """
import json, os
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from accounts.models import User
from assessments.models import Assessment, PartnerRating
from cities.models import Membership
from tests.support.cast import set_up_mfa

assessment = Assessment.objects.get(workspace__city__slug="demoville")
coordinator = User.objects.get(email="coordinator@demoville.example")
set_up_mfa(coordinator)
# A second member of the demo partner organisation, to meet the conflict screen.
colleague = User.objects.create_user(email="colleague@demoville.example", password=None, first_name="Cleo")
Membership.objects.create(workspace=assessment.workspace, user=colleague, role="partner",
                          organisation="Demoville Welcome Volunteers")
demo = PartnerRating.objects.select_related("factor__key_factor").get(factor__assessment=assessment)
to_rate = assessment.factors.select_related("key_factor").filter(rating=2).first()

def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value

print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "coordinator": session(coordinator),
    "contributor": session(User.objects.get(email="contributor@demoville.example")),
    "partner": session(User.objects.get(email="partner@demoville.example")),
    "colleague": session(colleague),
    "viewer": session(User.objects.get(email="viewer@demoville.example")),
    "assessment": str(assessment.public_id),
    "demo_factor": demo.factor.key_factor.slug,
    "demo_apart": abs(demo.rating - demo.factor.rating),
    "factor": to_rate.key_factor.slug,
}))
"""


@pytest.fixture(scope="module")
def partners_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict, Path]]:
    tmp = tmp_path_factory.mktemp("partners-server")
    mail = tmp_path_factory.mktemp("partners-mail")
    env, people = prepare_server(
        tmp, f"{worker_id}_partners", demo=True, setup=SETUP, extra_env={"EMAIL_FILE_PATH": str(mail)}
    )
    with running_server(tmp, env) as url:
        yield url, people, mail


def server(partners_server: tuple[str, dict, Path]) -> tuple[str, dict]:
    url, people, _mail = partners_server
    return url, people


def test_partner_rates_a_key_factor_with_the_keyboard_alone(browser, partners_server) -> None:
    _url, people, _mail = partners_server
    overview = f"/assessments/{people['assessment']}/"
    context, page = signed_in_page(browser, server(partners_server), "partner")
    try:
        page.goto(overview)
        assert "Demoville Welcome Volunteers (partner): 1 of" in page.locator("main").inner_text()
        assert axe_violations(page) == []
        tab_until(page, f"el => el.tagName === 'A' && el.getAttribute('href').endsWith('/factors/{people['factor']}/')")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*/factors/{people['factor']}/$"))
        assert "Your organisation's view: Demoville Welcome Volunteers" in page.locator("main").inner_text()
        assert axe_violations(page) == []

        tab_until(page, "el => el.id === 'id_partner-rating'")
        page.keyboard.type("4")
        assert page.evaluate("document.activeElement.value") == "4"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "id_partner-comment"
        page.keyboard.type("Newcomers tell our volunteers this works well.")
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === \"Save your organisation's view\"")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*/factors/{people['factor']}/#partner-views$"))
        assert "is saved" in page.locator(".messages").inner_text()
        views = page.locator("#partner-views table").inner_text()
        assert "Differs by 2 levels" in views  # the city rated 2, the partner 4
        assert "Newcomers tell our volunteers this works well." in views
        assert page.locator("#id_partner-rating").input_value() == "4"
        assert axe_violations(page) == []

        # An empty comment: the error summary takes the focus and links to the field.
        tab_until(page, "el => el.id === 'id_comment-body'")
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Add the comment'")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-error-summary]")
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
        assert "Write your comment." in page.locator(".error-summary").inner_text()
        assert page.locator("#id_comment-body").get_attribute("aria-invalid") == "true"
        assert axe_violations(page) == []
        assert [e for e in page.console_errors if "status of 400" not in e] == []
    finally:
        context.close()


def test_coordinator_sees_the_divergence_and_addresses_a_comment_to_the_contributor(browser, partners_server) -> None:
    _url, people, mail = partners_server
    overview = f"/assessments/{people['assessment']}/"
    factor = f"{overview}factors/{people['demo_factor']}/"
    context, page = signed_in_page(browser, server(partners_server), "coordinator")
    try:
        page.goto(overview)
        section = page.locator("section#partner-views")
        assert f"Differs by {people['demo_apart']} levels" in section.inner_text()
        assert section.locator("td.divergent .divergence-marker").count() >= 1
        assert axe_violations(page) == []

        page.goto(factor)
        assert f"Differs by {people['demo_apart']} levels" in page.locator("#partner-views").inner_text()
        assert "Addressed to you" not in page.locator("#discussion").inner_text()
        assert axe_violations(page) == []

        page.locator("#id_comment-body").fill("Please add the volunteers' figures to the evidence.")
        page.locator("#discussion").get_by_label(re.compile(r"contributor@demoville\.example")).check()
        page.get_by_role("button", name="Add the comment").click()
        page.wait_for_url(re.compile(r".*#discussion$"))
        assert "Your comment is added" in page.locator(".messages").inner_text()
        discussion = page.locator("#discussion").inner_text()
        assert "Please add the volunteers' figures to the evidence." in discussion
        assert "To: Carl Contributor" in discussion
        assert axe_violations(page) == []

        # Delete the demo comment: a placeholder stays in its place.
        page.locator("#discussion form button").first.click()
        page.wait_for_url(re.compile(r".*#discussion$"))
        assert "Comment deleted" in page.locator("#discussion").inner_text()
        assert axe_violations(page) == []
        assert page.console_errors == []
    finally:
        context.close()

    [sent] = [m for m in (p.read_text() for p in mail.glob("*")) if "the volunteers' figures" in m]
    assert "To: contributor@demoville.example" in sent
    assert f"{factor}\n" in sent  # the link to the key factor

    context, page = signed_in_page(browser, server(partners_server), "contributor")
    try:
        page.goto(factor)
        assert "Addressed to you" in page.locator("#discussion").inner_text()
        assert axe_violations(page) == []
    finally:
        context.close()


def test_partner_conflict_screen_and_read_only_views_have_no_axe_violations(browser, partners_server) -> None:
    _url, people, _mail = partners_server
    factor = f"/assessments/{people['assessment']}/factors/{people['demo_factor']}/"
    partner_context, partner = signed_in_page(browser, server(partners_server), "partner")
    colleague_context, colleague = signed_in_page(browser, server(partners_server), "colleague")
    try:
        partner.goto(factor)
        colleague.goto(factor)
        partner.locator("#id_partner-comment").fill("Saved first by Petra.")
        partner.get_by_role("button", name="Save your organisation's view").click()
        partner.wait_for_url(re.compile(r".*#partner-views$"))

        colleague.locator("#id_partner-comment").fill("Typed by Cleo.")
        colleague.get_by_role("button", name="Save your organisation's view").click()
        colleague.wait_for_selector("#conflict-title")  # only the comment, which both changed
        assert colleague.locator("input[name='keep']").count() == 1
        assert "Saved first by Petra." in colleague.locator(".conflict-field").inner_text()
        assert colleague.locator("#id_partner-comment").input_value() == "Typed by Cleo."
        assert axe_violations(colleague) == []
    finally:
        partner_context.close()
        colleague_context.close()

    context, page = signed_in_page(browser, server(partners_server), "viewer")
    try:
        for path in (f"/assessments/{people['assessment']}/", factor):
            page.goto(path)
            assert page.locator("#partner-views").count() == 1
            assert page.locator("#id_comment-body").count() == 0
            assert axe_violations(page) == []
        assert page.console_errors == []
    finally:
        context.close()


ARABIC_COMMENT = "نرجو إضافة أرقام المتطوعين إلى الأدلة"
HEBREW_JUSTIFICATION = "המתנדבים מדווחים על שיפור ניכר בשכונות"
HEADINGS = "() => [...document.querySelectorAll('main h1, main h2, main h3')].map(h => h.textContent.trim())"
DIRECTION = "el => getComputedStyle(el).direction"


def test_right_to_left_text_keeps_its_direction_without_reordering_the_page(browser, partners_server) -> None:
    """Partner organisations write Arabic, Farsi and Hebrew: their text is typed and shown right to left,
    isolated (dir=auto), while the page around it stays as it was (lib/text.py)."""
    _url, people, _mail = partners_server
    factor = f"/assessments/{people['assessment']}/factors/{people['demo_factor']}/"
    context, page = signed_in_page(browser, server(partners_server), "contributor")
    try:
        page.goto(factor)
        headings = page.evaluate(HEADINGS)
        justification = page.locator("#id_justification")
        justification.fill(HEBREW_JUSTIFICATION)
        assert justification.get_attribute("dir") == "auto"
        assert justification.evaluate(DIRECTION) == "rtl"
        box = page.locator("#id_comment-body")
        box.fill(ARABIC_COMMENT)
        assert box.evaluate(DIRECTION) == "rtl"
        page.get_by_role("button", name="Add the comment").click()
        page.wait_for_url(re.compile(r".*#discussion$"))

        body = page.locator(".comment-body", has_text=ARABIC_COMMENT)
        assert body.get_attribute("dir") == "auto"
        assert body.evaluate(DIRECTION) == "rtl"
        assert body.inner_text().strip() == ARABIC_COMMENT  # in the order it was typed
        # The page around it is not turned: still left to right, the same headings in the same order.
        assert page.locator("main").evaluate(DIRECTION) == "ltr"
        assert page.locator("#discussion-heading").evaluate(DIRECTION) == "ltr"
        assert page.evaluate(HEADINGS) == headings
        assert axe_violations(page) == []
        assert page.console_errors == []
    finally:
        context.close()
