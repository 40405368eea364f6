"""Action-plan journeys in headless Chromium: from a submitted assessment the coordinator drafts the plan
from its gaps, edits an action with the keyboard (the autosave status is announced), adds an indicator
and reads the timeline; a save of a field someone else changed meanwhile gets the conflict screen; two
people on one action in two browsers both keep their work; the coordinator makes the plan public once the
assessment is published and anyone reads its public page; axe scans every state, errors included.

Served from its own database filled by `load_demo`, whose draft assessment the setup rates (two factors
below the standard) and submits; the demo itself is left as it is.
"""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    DEMO_SETUP,
    autosave_answered,
    axe_violations,
    prepare_server,
    running_server,
    signed_in_page,
    tab_until,
)

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^Saved \d{1,2}:\d{2}")

SETUP = (
    DEMO_SETUP
    + """
from assessments import actions
from tests.support.assessments import rate
from assessments.results import build_results

factors = [f for f in assessment.factors.select_related("key_factor").order_by("pk") if f.answers.exists()]
for factor in factors[:2]:
    rate(factor, 1, by=coordinator)
actions.do_submit(assessment, by=coordinator)

print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "coordinator": session(coordinator),
    "contributor": session(User.objects.get(email="contributor@demoville.example")),
    "viewer": session(User.objects.get(email="viewer@demoville.example")),
    "assessment": str(assessment.public_id),
    "gaps": [g.factor.key_factor.title for g in build_results(assessment).priority_gaps()],
}))
"""
)


@pytest.fixture(scope="module")
def plan_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict]]:
    tmp = tmp_path_factory.mktemp("plan-server")
    env, people = prepare_server(tmp, f"{worker_id}_actionplans", demo=True, setup=SETUP)
    with running_server(tmp, env) as url:
        yield url, people


def test_coordinator_drafts_the_plan_and_edits_an_action_with_the_keyboard(browser, plan_server) -> None:
    _url, people = plan_server
    plan = f"/assessments/{people['assessment']}/plan/"
    context, page = signed_in_page(browser, plan_server, "coordinator")
    try:
        page.goto(plan)
        assert page.locator("h1").inner_text() == "Action plan"
        assert axe_violations(page) == []
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.includes('Draft the action plan')")
        page.keyboard.press("Enter")
        page.wait_for_selector(".plan-actions")
        assert "The action plan is drafted" in page.locator(".messages").inner_text()
        titles = page.locator(".plan-actions h3").all_inner_texts()
        assert [re.sub(r"^\d+\. ", "", t) for t in titles] == people["gaps"]
        assert axe_violations(page) == []

        # Reorder with the keyboard: the second action moves up.
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.startsWith('Move up')")
        page.keyboard.press("Enter")
        page.wait_for_selector(".messages")
        assert "moved up" in page.locator(".messages").inner_text()
        titles = page.locator(".plan-actions h3").all_inner_texts()
        gaps = people["gaps"]
        assert [re.sub(r"^\d+\. ", "", t) for t in titles] == [gaps[1], gaps[0], *gaps[2:]]
        assert axe_violations(page) == []

        tab_until(page, "el => el.tagName === 'A' && el.closest('.plan-actions h3') !== null")
        page.keyboard.press("Enter")
        page.wait_for_selector("form[data-autosave]")
        assert "Prompts from the benchmark" in page.locator("#id_description").input_value()
        assert axe_violations(page) == []

        # Type the owner; the autosave saves it and says so in the status region.
        tab_until(page, "el => el.id === 'id_owner'")
        page.keyboard.type("Integration office")
        status = page.locator("[data-autosave-status]")
        assert status.get_attribute("role") == "status"
        page.wait_for_function(
            "() => /^Saved \\d{1,2}:\\d{2}/.test(document.querySelector('[data-autosave-status]').textContent)"
        )
        page.reload()
        assert page.locator("#id_owner").input_value() == "Integration office"

        # A validation error: the end before the start.
        page.locator("#id_start").fill("2026-06-01")
        page.locator("#id_end").fill("2026-01-31")
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Save the action'")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-error-summary]")
        assert "The end cannot be before the start" in page.locator(".error-summary").inner_text()
        assert page.locator("#id_end").get_attribute("aria-invalid") == "true"
        assert axe_violations(page) == []
        page.locator("#id_start").fill("2026-01-01")
        page.locator("#id_end").fill("2026-03-31")
        page.get_by_role("button", name="Save the action").click()
        page.wait_for_url(f"**{plan}")
        assert "is saved" in page.locator(".messages").inner_text()
        assert "Overdue" in page.locator(".plan-actions").inner_text()  # ended 31 March 2026, still planned
        assert axe_violations(page) == []

        # An indicator, first with a missing name, then right.
        page.locator(".plan-actions h3 a").first.click()
        page.get_by_role("button", name="Add the indicator").click()
        page.wait_for_selector("[data-error-summary]")
        assert page.locator("#id_indicator-name").get_attribute("aria-invalid") == "true"
        assert axe_violations(page) == []
        page.locator("#id_indicator-name").fill("Migrants placed in jobs")
        page.locator("#id_indicator-baseline").fill("40")
        page.locator("#id_indicator-target").fill("120")
        page.locator("#id_indicator-unit").fill("people")
        page.get_by_role("button", name="Add the indicator").click()
        page.wait_for_selector("text=The indicator is added.")
        assert "Migrants placed in jobs" in page.locator("table").inner_text()
        assert axe_violations(page) == []
        page.locator("#id_progress-text").fill("Kick-off meeting with the job centre.")
        page.get_by_role("button", name="Add the update").click()
        page.wait_for_selector("text=The progress update is added.")
        assert "Kick-off meeting with the job centre." in page.locator("main").inner_text()
        assert axe_violations(page) == []

        page.goto(f"{plan}timeline/")
        svg = page.locator("svg.chart")
        assert svg.get_attribute("role") == "img"
        assert "Timeline of the action plan" in page.locator("svg.chart title").text_content()
        table = page.locator("table").inner_text()
        assert "Yes: ended 31 Mar 2026" in table
        assert axe_violations(page) == []
        assert [e for e in page.console_errors if "status of 400" not in e] == []
    finally:
        context.close()


def test_plan_pages_in_every_state_have_no_axe_violations(browser, plan_server) -> None:
    _url, people = plan_server
    plan = f"/assessments/{people['assessment']}/plan/"
    contributor_context, contributor = signed_in_page(browser, plan_server, "contributor")
    coordinator_context, coordinator = signed_in_page(browser, plan_server, "coordinator")
    try:
        coordinator.goto(plan)
        if coordinator.locator(".plan-actions").count() == 0:  # run alone: draft it first
            coordinator.get_by_role("button", name=re.compile("Draft the action plan")).click()
            coordinator.wait_for_selector(".plan-actions")
        action_url = coordinator.locator(".plan-actions h3 a").last.get_attribute("href")
        contributor.goto(action_url)
        coordinator.goto(action_url)
        coordinator.locator("#id_partners").fill("Saved first by the coordinator.")
        coordinator.get_by_role("button", name="Save the action").click()
        coordinator.wait_for_url(f"**{plan}")

        # The same field typed by both: a conflict on it alone (saves merge by field).
        contributor.locator("#id_partners").fill("Typed by the contributor.")
        contributor.get_by_role("button", name="Save the action").click()
        contributor.wait_for_selector("#conflict-title")
        assert "Saved first by the coordinator." in contributor.locator(".conflict-field").inner_text()
        assert contributor.locator("input[name='keep']").count() == 1
        assert contributor.locator("#id_partners").input_value() == "Typed by the contributor."
        assert axe_violations(contributor) == []
        contributor.get_by_role("button", name="Save the action").click()
        contributor.wait_for_url(f"**{plan}")

        # The add-action form with an error, then a removed action waiting to be restored.
        coordinator.goto(plan)
        coordinator.get_by_role("button", name="Add the action").click()
        coordinator.wait_for_selector("[data-error-summary]")
        assert axe_violations(coordinator) == []
        coordinator.locator("#id_new-title").fill("Training for front-desk staff")
        coordinator.get_by_role("button", name="Add the action").click()
        coordinator.wait_for_selector("text=The action is added.")
        coordinator.locator("#id_indicator-name").fill("Staff trained")
        coordinator.get_by_role("button", name="Add the indicator").click()
        coordinator.wait_for_selector("text=The indicator is added.")
        coordinator.get_by_role("link", name=re.compile("^Edit")).first.click()
        coordinator.wait_for_selector("h1:has-text('Indicator:')")
        assert axe_violations(coordinator) == []
        coordinator.locator("#id_indicator-name").fill("")
        coordinator.get_by_role("button", name="Save the indicator").click()
        coordinator.wait_for_selector("[data-error-summary]")
        assert axe_violations(coordinator) == []
        coordinator.goto(plan)
        added = coordinator.locator(".plan-actions > li", has_text="Training for front-desk staff")
        added.get_by_role("button", name=re.compile("^Remove")).click()
        coordinator.wait_for_selector("#removed-heading")
        assert axe_violations(coordinator) == []
        coordinator.get_by_role("button", name=re.compile("^Restore")).click()
        coordinator.wait_for_selector("text=is restored")
        coordinator.goto(f"{plan}history/")
        assert "Action restored" in coordinator.locator("main").inner_text()
        assert axe_violations(coordinator) == []

        # Made public: not while the assessment is private (the button says why), then from the plan's page.
        coordinator.goto(plan)
        if coordinator.get_by_role("button", name="Make the plan private again").count():  # run twice: start over
            coordinator.get_by_role("button", name="Make the plan private again").click()
            coordinator.wait_for_selector("text=private again")
        assessment = f"/assessments/{people['assessment']}/"
        coordinator.goto(assessment)
        coordinator.get_by_label("Private to the workspace").check()
        coordinator.get_by_role("button", name="Save the visibility").click()
        coordinator.wait_for_url(f"**{assessment}")
        coordinator.goto(plan)
        expect(coordinator.get_by_role("button", name="Make the plan public")).to_be_disabled()
        assert "Only the plan of a published self-assessment" in coordinator.locator("main").inner_text()
        assert axe_violations(coordinator) == []
        coordinator.goto(assessment)
        coordinator.get_by_label("Published").check()
        coordinator.get_by_role("button", name="Save the visibility").click()
        coordinator.wait_for_url(f"**{assessment}")
        coordinator.goto(plan)
        tab_until(coordinator, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Make the plan public'")
        coordinator.keyboard.press("Enter")
        coordinator.wait_for_selector("text=The action plan is public")
        assert axe_violations(coordinator) == []
        coordinator.get_by_role("link", name="The public page of the plan").click()
        coordinator.wait_for_url(f"**{plan}public/")
        assert axe_violations(coordinator) == []
    finally:
        contributor_context.close()
        coordinator_context.close()

    # Anyone reads the public page, signed in or not: the actions, never who carries them or with what money.
    visitor = browser.new_context(base_url=plan_server[0])
    try:
        page = visitor.new_page()
        page.goto(f"{plan}public/")
        assert page.locator("h1").inner_text() == "Action plan"
        main = page.locator("main").inner_text()
        assert "Saved first by the coordinator." not in main and "Owner" not in main and "Budget" not in main
        assert page.locator(".public-action h3").count() >= 2
        assert axe_violations(page) == []
        page.set_viewport_size({"width": 320, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        visitor.close()

    context, page = signed_in_page(browser, plan_server, "viewer")
    try:
        page.goto(plan)
        assert page.locator("button", has_text="Remove").count() == 0
        assert axe_violations(page) == []
        page.locator(".plan-actions h3 a").first.click()
        page.wait_for_selector("#indicators-heading")
        assert page.locator("form[data-autosave]").count() == 0
        assert axe_violations(page) == []
        action_url = page.url
        for path in (f"{plan}timeline/", f"{plan}history/"):
            page.goto(path)
            assert axe_violations(page) == []
        page.set_viewport_size({"width": 320, "height": 800})  # A4: no horizontal scroll at 320 px
        for path in (plan, action_url, f"{plan}timeline/"):
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        assert page.console_errors == []
    finally:
        context.close()


def test_two_people_on_one_action_both_keep_their_work(browser, plan_server) -> None:
    """Autosaves of different fields both apply and each page takes in the other's text, and says who
    else is working here; the same field typed by both stops the second autosave, and the Save button's
    conflict screen lists only that field; the history shows both edits."""
    _url, people = plan_server
    plan = f"/assessments/{people['assessment']}/plan/"
    carl_context, carl = signed_in_page(browser, plan_server, "contributor")
    dana_context, dana = signed_in_page(browser, plan_server, "coordinator")
    try:
        dana.goto(plan)
        if dana.locator(".plan-actions").count() == 0:  # run alone: draft it first
            dana.get_by_role("button", name=re.compile("Draft the action plan")).click()
            dana.wait_for_selector(".plan-actions")
        action_url = dana.locator(".plan-actions h3 a").first.get_attribute("href")
        carl.goto(action_url)
        dana.goto(action_url)
        carl_status = carl.locator("[data-autosave-status]")
        dana_status = dana.locator("[data-autosave-status]")

        # Different fields, at the same time: both saved; a ticked key factor is taken in as a box.
        carl.locator("#id_owner").fill("Carl: the welcome office.")
        box = carl.locator("input[type='checkbox'][name^='kf-']:not(:checked)").first
        box_id = box.get_attribute("id")
        box.check()
        expect(carl_status).to_have_text(SAVED, timeout=10_000)
        dana.locator("#id_funding_source").fill("Dana: the city's own budget.")
        expect(dana_status).to_have_text(SAVED, timeout=10_000)
        expect(dana.locator("#id_owner")).to_have_value("Carl: the welcome office.")
        expect(dana.locator(f"#{box_id}")).to_be_checked()
        expect(dana.locator("[data-presence]")).to_contain_text("Also working on this action: Carl Contributor")
        assert axe_violations(dana) == []

        # Carl types on elsewhere: his page takes in Dana's funding source without touching his text.
        carl.locator("#id_resources").fill("Carl: two staff.")
        expect(carl.locator("#id_funding_source")).to_have_value("Dana: the city's own budget.", timeout=10_000)
        expect(carl.locator("#id_resources")).to_have_value("Carl: two staff.")

        # The same field, typed by both: the second autosave is stopped, nothing is overwritten.
        with autosave_answered(carl):
            carl.locator("#id_partners").fill("Carl's partners.")
        expect(carl_status).to_have_text(SAVED, timeout=10_000)
        dana.locator("#id_partners").fill("Dana's partners.")
        expect(dana_status).to_contain_text("Not saved", timeout=10_000)

        dana.get_by_role("button", name="Save the action").click()
        expect(dana.locator("[data-error-summary]")).to_contain_text("Someone else changed a field you changed")
        assert dana.locator("input[name='keep']").count() == 1
        expect(dana.locator(".conflict-field")).to_contain_text("Carl's partners.")
        expect(dana.locator(".conflict-field")).to_contain_text("Saved by Carl Contributor")
        expect(dana.locator("#id_partners")).to_have_value("Dana's partners.")
        assert axe_violations(dana) == []

        # She keeps her own text; everything else stays as both saved it.
        dana.get_by_role("button", name="Save the action").click()
        dana.wait_for_url(f"**{plan}")
        dana.goto(action_url)
        expect(dana.locator("#id_partners")).to_have_value("Dana's partners.")
        expect(dana.locator("#id_owner")).to_have_value("Carl: the welcome office.")
        expect(dana.locator("#id_resources")).to_have_value("Carl: two staff.")
        expect(dana.locator(f"#{box_id}")).to_be_checked()

        dana.goto(f"{plan}history/")
        history = dana.locator("main").inner_text()
        assert "Carl Contributor" in history and "Dana Coordinator" in history
        assert "Carl's partners." in history and "Dana's partners." in history
    finally:
        carl_context.close()
        dana_context.close()
