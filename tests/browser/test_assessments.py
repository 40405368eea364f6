"""Self-assessment journeys in headless Chromium: a contributor fills a key factor with the keyboard alone,
meets a validation error and, when a coordinator saved first, the conflict screen; axe scans every state.

Like test_workspaces.py, this module serves the app from its own database filled by `load_demo` (which
holds a half-finished draft assessment) and signs people in through a `manage.py shell` subprocess.
"""

import re
from collections.abc import Iterator

import pytest

from tests.support.browser import DEMO_SETUP, axe_violations, prepare_server, running_server, signed_in_page, tab_until

pytestmark = pytest.mark.browser


SETUP = (
    DEMO_SETUP
    + """
unrated = [f for f in assessment.factors.select_related("key_factor").filter(rating__isnull=True)
           if f.answers.exists()]

print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "coordinator": session(coordinator),
    "contributor": session(User.objects.get(email="contributor@demoville.example")),
    "viewer": session(User.objects.get(email="viewer@demoville.example")),
    "workspace": str(assessment.workspace.public_id),
    "assessment": str(assessment.public_id),
    "factor": unrated[0].key_factor.slug,
    "questions": [a.question.number for a in unrated[0].answers.select_related("question")],
    "other_factor": unrated[1].key_factor.slug,
}))
"""
)


@pytest.fixture(scope="module")
def assessment_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict]]:
    tmp = tmp_path_factory.mktemp("assessment-server")
    env, people = prepare_server(tmp, f"{worker_id}_assessments", demo=True, setup=SETUP)
    with running_server(tmp, env) as url:
        yield url, people


def test_contributor_fills_a_key_factor_with_the_keyboard_alone(browser, assessment_server) -> None:
    _url, people = assessment_server
    overview = f"/assessments/{people['assessment']}/"
    context, page = signed_in_page(browser, assessment_server, "contributor")
    try:
        page.goto(overview)
        assert "Self-assessment" in page.locator("h1").inner_text()
        assert axe_violations(page) == []
        tab_until(page, f"el => el.tagName === 'A' && el.getAttribute('href').endsWith('/factors/{people['factor']}/')")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*/factors/{people['factor']}/$"))
        assert axe_violations(page) == []

        for number in people["questions"]:
            tab_until(page, f"el => el.id === 'id_q{number}-answer'")
            page.keyboard.type("Yes")
            assert page.evaluate("document.activeElement.value") == "yes"
        page.keyboard.press("Tab")
        page.keyboard.type("Our integration office does this.")
        tab_until(page, "el => el.id === 'id_rating'")
        page.keyboard.type("3")
        assert page.evaluate("document.activeElement.value") == "3"
        # First attempt: a rating without a justification.
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Save the key factor'")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-error-summary]")
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
        assert "a rating needs a justification" in page.locator(".error-summary").inner_text()
        assert page.locator("#id_justification").get_attribute("aria-invalid") == "true"
        assert page.locator("#id_rating").input_value() == "3"
        assert axe_violations(page) == []

        tab_until(page, "el => el.getAttribute('href') === '#id_justification'")
        page.keyboard.press("Enter")
        if page.evaluate("document.activeElement.id") != "id_justification":
            tab_until(page, "el => el.id === 'id_justification'", limit=5)
        page.keyboard.type("The office runs it citywide; see the 2025 report.")
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Save the key factor'")
        page.keyboard.press("Enter")
        # The redirect keeps the fragment of the error summary's link.
        page.wait_for_url(re.compile(rf".*{overview}(#id_justification)?$"))
        assert "is saved" in page.locator(".messages").inner_text()
        assert axe_violations(page) == []
        page.goto(f"{overview}factors/{people['factor']}/")
        assert page.locator("#id_justification").input_value() == "The office runs it citywide; see the 2025 report."
        assert "4 – Leading" in page.locator("[data-suggested]").inner_text()
        # The only console message is Chromium's note on the failed submit's status 400, sent on purpose.
        assert [e for e in page.console_errors if "status of 400" not in e] == []
    finally:
        context.close()


def test_assessment_pages_in_every_state_have_no_axe_violations(browser, assessment_server) -> None:
    _url, people = assessment_server
    overview = f"/assessments/{people['assessment']}/"
    factor = f"{overview}factors/{people['other_factor']}/"

    # The conflict screen: the contributor's page is stale once the coordinator saves.
    contributor_context, contributor = signed_in_page(browser, assessment_server, "contributor")
    coordinator_context, coordinator = signed_in_page(browser, assessment_server, "coordinator")
    try:
        contributor.goto(factor)
        coordinator.goto(factor)
        coordinator.locator("#id_justification").fill("Saved first by the coordinator.")
        coordinator.get_by_role("button", name="Save the key factor").click()
        coordinator.wait_for_url(f"**{overview}")
        assert "Submit the assessment" in coordinator.locator("main").inner_text()
        assert axe_violations(coordinator) == []

        contributor.locator("#id_justification").fill("Typed by the contributor.")
        contributor.get_by_role("button", name="Save the key factor").click()
        contributor.wait_for_selector("#conflict-title")
        assert "Saved first by the coordinator." in contributor.locator("main").inner_text()
        assert contributor.locator("#id_justification").input_value() == "Typed by the contributor."
        assert axe_violations(contributor) == []

        contributor.goto(f"{overview}context/")  # the context factors form
        assert axe_violations(contributor) == []
        coordinator.goto(f"{overview}context/")
        coordinator.locator("textarea").first.fill("Saved first by the coordinator.")
        coordinator.get_by_role("button", name="Save the context factors").click()
        coordinator.wait_for_url(f"**{overview}")
        contributor.locator("textarea").first.fill("Typed by the contributor.")
        contributor.get_by_role("button", name="Save the context factors").click()
        contributor.wait_for_selector(".conflict-field")  # the context conflict screen: that note alone
        assert contributor.locator("input[name='keep']").count() == 1
        assert "Saved first by the coordinator." in contributor.locator(".conflict-field").inner_text()
        assert contributor.locator("textarea").first.input_value() == "Typed by the contributor."
        assert axe_violations(contributor) == []
        contributor.get_by_role("button", name="Save the context factors").click()
        contributor.wait_for_url(f"**{overview}")

        coordinator.goto(f"/workspaces/{people['workspace']}/")  # start form with an error
        coordinator.locator("#id_round").fill("not a round!")
        coordinator.get_by_role("button", name="Start the self-assessment").click()
        coordinator.wait_for_selector("[data-error-summary]")
        assert axe_violations(coordinator) == []
    finally:
        contributor_context.close()
        coordinator_context.close()

    context, page = signed_in_page(browser, assessment_server, "viewer")
    try:
        for path in (overview, factor, f"{overview}context/"):  # read-only views
            page.goto(path)
            assert page.locator("button", has_text="Save").count() == 0
            assert axe_violations(page) == []
        assert page.console_errors == []
    finally:
        context.close()


def test_history_publishing_deleting_and_restoring(browser, assessment_server) -> None:
    url, people = assessment_server
    overview = f"/assessments/{people['assessment']}/"
    context, page = signed_in_page(browser, assessment_server, "coordinator")
    try:
        page.goto(f"{overview}history/")
        assert page.locator("h1").inner_text() == "Change history"
        assert axe_violations(page) == []

        page.goto(overview)
        assert page.locator("#visibility-published").is_disabled()  # a draft cannot be published
        page.get_by_role("button", name="Submit the assessment").click()
        page.wait_for_url(f"**{overview}")
        page.get_by_label("Published").check()
        page.get_by_role("button", name="Save the visibility").click()
        page.wait_for_url(f"**{overview}")
        assert "The visibility is saved." in page.locator(".messages").inner_text()
        assert axe_violations(page) == []

        visitor = browser.new_context(base_url=url)
        try:
            public = visitor.new_page()
            public.goto(overview)
            assert "Self-assessment" in public.locator("h1").inner_text()
            assert "History" not in public.locator("main").inner_text()
            assert axe_violations(public) == []
            public.goto(f"{overview}factors/{people['factor']}/")
            assert axe_violations(public) == []
        finally:
            visitor.close()

        page.get_by_label("Private to the workspace").check()
        page.get_by_role("button", name="Save the visibility").click()
        page.wait_for_url(f"**{overview}")
        page.get_by_role("button", name="Reopen for changes").click()
        page.wait_for_url(f"**{overview}")
        page.get_by_role("button", name="Delete the assessment").click()
        page.wait_for_url(f"**/workspaces/{people['workspace']}/")
        assert "Recently deleted self-assessments" in page.locator("main").inner_text()
        assert axe_violations(page) == []
        page.get_by_role("button", name=re.compile("^Restore")).click()
        page.wait_for_url(f"**{overview}")
        assert "The assessment is restored." in page.locator(".messages").inner_text()
        assert page.console_errors == []
    finally:
        context.close()
