"""Evidence journeys in headless Chromium: on a key factor's page a contributor adds a link and uploads a PDF
with the keyboard alone and sees both attached with their age; a .pdf that is really a PNG brings the error
summary back; a partner adds a link on a key factor the same way and may detach only that one; the library
and an item's page. axe scans every state.

Like test_assessments.py, this module serves the app from its own database filled by `load_demo` (which holds
a draft assessment and three evidence items) and signs people in through a `manage.py shell` subprocess.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.browser import axe_violations, prepare_server, running_server, signed_in_page, tab_until
from tests.support.evidence import PDF, PNG

pytestmark = pytest.mark.browser


SETUP = """
import json, os
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from accounts.models import User
from assessments.models import Assessment

assessment = Assessment.objects.get(workspace__city__slug="demoville")
factor = assessment.factors.select_related("key_factor").first()

def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value

print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "contributor": session(User.objects.get(email="contributor@demoville.example")),
    "viewer": session(User.objects.get(email="viewer@demoville.example")),
    "partner": session(User.objects.get(email="partner@demoville.example")),
    "workspace": str(assessment.workspace.public_id),
    "assessment": str(assessment.public_id),
    "factor": factor.key_factor.slug,
}))
"""


@pytest.fixture(scope="module")
def evidence_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict]]:
    tmp = tmp_path_factory.mktemp("evidence-server")
    env, people = prepare_server(
        tmp, f"{worker_id}_evidence", demo=True, setup=SETUP, extra_env={"MEDIA_ROOT": str(tmp / "media")}
    )
    with running_server(tmp, env) as url:
        yield url, people


def choose_file_with_the_keyboard(page, path: Path) -> None:
    """Reach the file control with the keyboard and choose the file. The dialog Space opens is the
    operating system's, outside the page, and headless Chromium under load does not always report it
    opening: after one try, the file is set on the focused control, as that dialog would."""
    tab_until(page, "el => el.id === 'id_evidence-file'")
    try:
        with page.expect_file_chooser(timeout=10_000) as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files(str(path))
    except PlaywrightTimeout:
        assert page.evaluate("document.activeElement.id") == "id_evidence-file"
        page.locator("#id_evidence-file").set_input_files(str(path))


def test_contributor_adds_evidence_on_a_key_factor_with_the_keyboard_alone(
    browser, evidence_server, tmp_path: Path
) -> None:
    _url, people = evidence_server
    factor = f"/assessments/{people['assessment']}/factors/{people['factor']}/"
    pdf = tmp_path / "survey 2025.pdf"
    pdf.write_bytes(PDF)
    fake = tmp_path / "chart.pdf"
    fake.write_bytes(PNG)
    context, page = signed_in_page(browser, evidence_server, "contributor")
    try:
        page.goto(factor)
        section = page.locator("section.evidence")
        assert "Welcome desk pilot: evaluation" in section.inner_text()  # attached by load_demo
        assert axe_violations(page) == []

        # A link, attached to the key factor as a whole.
        tab_until(page, "el => el.id === 'id_evidence-kind'")
        page.keyboard.type("Pol")
        assert page.evaluate("document.activeElement.value") == "policy"
        page.keyboard.press("Tab")
        page.keyboard.type("Demoville welcome guide")
        tab_until(page, "el => el.id === 'id_evidence-url'")
        page.keyboard.type("https://www.demoville.example/welcome-guide")
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Add and attach'")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*{factor}#evidence-heading$"))
        assert "is added to the library and attached" in page.locator(".messages").inner_text()
        item = section.locator("li", has_text="Demoville welcome guide")
        assert "Policy document · added today" in item.inner_text()
        assert axe_violations(page) == []

        # A PDF, uploaded and attached.
        tab_until(page, "el => el.id === 'id_evidence-kind'")
        page.keyboard.type("Oth")
        page.keyboard.press("Tab")
        page.keyboard.type("Residents' survey 2025")
        choose_file_with_the_keyboard(page, pdf)
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Add and attach'")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*{factor}#evidence-heading$"))
        item = section.locator("li", has_text="Residents' survey 2025")
        assert "(survey 2025.pdf, " in item.inner_text()
        assert "added today" in item.inner_text()
        assert axe_violations(page) == []

        # A .pdf that is really a PNG: the error summary, focused, and the typed title kept.
        tab_until(page, "el => el.id === 'id_evidence-kind'")
        page.keyboard.type("Oth")
        page.keyboard.press("Tab")
        page.keyboard.type("Chart of arrivals")
        choose_file_with_the_keyboard(page, fake)
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Add and attach'")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-error-summary]")
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
        assert "its name and content must agree" in page.locator(".error-summary").inner_text()
        assert page.locator("#id_evidence-file").get_attribute("aria-invalid") == "true"
        assert page.locator("#id_evidence-title").input_value() == "Chart of arrivals"
        assert "choose it again" in page.locator("main").inner_text()
        assert axe_violations(page) == []
        # The only console message is Chromium's note on the failed submit's status 400, sent on purpose.
        assert [e for e in page.console_errors if "status of 400" not in e] == []
    finally:
        context.close()


def test_partner_adds_a_link_on_a_key_factor_with_the_keyboard_alone(browser, evidence_server) -> None:
    _url, people = evidence_server
    factor = f"/assessments/{people['assessment']}/factors/{people['factor']}/"
    context, page = signed_in_page(browser, evidence_server, "partner")
    try:
        page.goto(factor)
        section = page.locator("section.evidence")
        assert "Welcome desk pilot: evaluation" in section.inner_text()  # attached by the demo's contributor
        assert section.get_by_role("button", name="Detach “Welcome desk pilot: evaluation”").count() == 0
        assert axe_violations(page) == []

        tab_until(page, "el => el.id === 'id_evidence-attach_to'")
        page.keyboard.type("Q")  # the first guide question rather than the key factor as a whole
        question = page.evaluate("document.activeElement.value")
        assert question != "factor"
        tab_until(page, "el => el.id === 'id_evidence-kind'")
        page.keyboard.type("Pro")
        assert page.evaluate("document.activeElement.value") == "project"
        page.keyboard.press("Tab")
        page.keyboard.type("Volunteers' buddy scheme")
        tab_until(page, "el => el.id === 'id_evidence-url'")
        page.keyboard.type("https://volunteers.demoville.example/buddies")
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Add and attach'")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*{factor}#evidence-heading$"))
        assert "is added to the library and attached" in page.locator(".messages").inner_text()
        item = section.locator("li", has_text="Volunteers' buddy scheme")
        assert "Project example · added today" in item.inner_text()
        assert f"For question {question}" in section.inner_text()
        # The partner detaches the link they made, and no other.
        assert item.get_by_role("button", name="Detach “Volunteers' buddy scheme”").count() == 1
        assert section.get_by_role("button", name="Detach “Welcome desk pilot: evaluation”").count() == 0
        assert axe_violations(page) == []

        # Their item's page offers the edit form; the library offers "Add evidence" and their deleted items.
        tab_until(page, "el => el.textContent.trim() === 'Details of “Volunteers\\' buddy scheme”'")
        page.keyboard.press("Enter")
        page.wait_for_selector("#edit-heading")
        assert "Petra Partner" in page.locator("dl.facts").inner_text()  # "Added … by", to the team only
        assert axe_violations(page) == []
        page.goto(f"/workspaces/{people['workspace']}/evidence/")
        assert "You can edit and delete the items you added" in page.locator("main").inner_text()
        assert "You deleted none of your evidence" in page.locator("main").inner_text()
        assert axe_violations(page) == []
        assert page.console_errors == []
    finally:
        context.close()


def test_library_and_item_pages_have_no_axe_violations(browser, evidence_server) -> None:
    _url, people = evidence_server
    context, page = signed_in_page(browser, evidence_server, "contributor")
    try:
        page.goto(f"/workspaces/{people['workspace']}/")
        page.get_by_role("link", name="Evidence library").click()
        page.wait_for_url(f"**/workspaces/{people['workspace']}/evidence/")
        table = page.locator("table").first.inner_text()
        assert "Residents born abroad" in table and "18.4 % of residents, 2024" in table
        assert "data for 2024" in table and "dated 1 March 2024" in table
        assert axe_violations(page) == []
        page.get_by_role("link", name="Demoville integration strategy 2024-2030").first.click()
        page.wait_for_selector("#history-heading")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Delete “Demoville integration strategy 2024-2030”").click()
        page.wait_for_selector("#deleted-heading")
        assert "Restore “Demoville integration strategy 2024-2030”" in page.locator("main").inner_text()
        assert axe_violations(page) == []
        page.get_by_role("button", name="Restore “Demoville integration strategy 2024-2030”").click()
        page.wait_for_selector(".message")
        assert "is restored" in page.locator(".messages").inner_text()
        assert page.console_errors == []
    finally:
        context.close()
    context, page = signed_in_page(browser, evidence_server, "viewer")
    try:
        page.goto(f"/workspaces/{people['workspace']}/evidence/")
        assert page.locator("form[enctype]").count() == 0
        assert axe_violations(page) == []
        page.goto(f"/assessments/{people['assessment']}/factors/{people['factor']}/evidence/")
        assert "Welcome desk pilot: evaluation" in page.locator("main").inner_text()
        assert axe_violations(page) == []
    finally:
        context.close()
