"""Rounds in headless Chromium: from the demo's submitted assessment the coordinator starts the next round
with the keyboard alone, meets the start form's error (a round already open), sees the "to review" marks,
keeps a key factor as it is, and opens the progress over rounds; axe scans every state.

The module serves the app from its own database filled by `load_demo`; its draft is submitted first, and a
draft of round 2028 is opened so that the start form has a round that is already open to refuse.
"""

import re
from collections.abc import Iterator

import pytest

from tests.support.browser import DEMO_SETUP, axe_violations, prepare_server, running_server, signed_in_page, tab_until

pytestmark = pytest.mark.browser


SETUP = (
    DEMO_SETUP
    + """
from assessments import actions
actions.do_submit(assessment, by=coordinator)
actions.do_start_assessment(assessment.workspace, assessment.benchmark_version, "2028", by=coordinator)

print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "coordinator": session(coordinator),
    "viewer": session(User.objects.get(email="viewer@demoville.example")),
    "workspace": str(assessment.workspace.public_id),
    "assessment": str(assessment.public_id),
    "round": assessment.round,
    "benchmark": assessment.benchmark_version.benchmark.slug,
    "factors": assessment.factors.count(),
    "first_factor": assessment.factors.select_related("key_factor").first().key_factor.slug,
}))
"""
)


@pytest.fixture(scope="module")
def rounds_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict]]:
    tmp = tmp_path_factory.mktemp("rounds-server")
    env, people = prepare_server(tmp, f"{worker_id}_rounds", demo=True, setup=SETUP)
    with running_server(tmp, env) as url:
        yield url, people


def test_coordinator_starts_the_next_round_with_the_keyboard_alone(browser, rounds_server) -> None:
    _url, people = rounds_server
    previous = f"/assessments/{people['assessment']}/"
    context, page = signed_in_page(browser, rounds_server, "coordinator")
    try:
        page.goto(previous)
        assert "Status: Submitted" in page.locator("main").inner_text()
        assert axe_violations(page) == []
        tab_until(page, "el => el.tagName === 'A' && el.textContent.trim() === 'Start the next round'")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/next-round/$"))
        assert page.locator("h1").inner_text() == "Start the next round"
        assert page.locator("#id_round").input_value() == str(int(people["round"]) + 1)
        assert axe_violations(page) == []

        # A round that is already open: refused, with the error summary, and the typed name kept.
        tab_until(page, "el => el.id === 'id_round'")
        page.keyboard.press("Control+A")
        page.keyboard.type("2028")
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Start the next round'")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-error-summary]")
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
        assert "for round 2028 is already open" in page.locator(".error-summary").inner_text()
        assert page.locator("#id_round").input_value() == "2028"
        assert axe_violations(page) == []

        tab_until(page, "el => el.id === 'id_round'")
        page.keyboard.press("Control+A")
        page.keyboard.type("2027")
        page.keyboard.press("Enter")  # submits the form from its field
        page.wait_for_url(re.compile(r".*/assessments/[0-9a-f-]+/$"))
        assert page.url.rstrip("/").split("/")[-1] != people["assessment"]
        main = page.locator("main").inner_text()
        assert "Round 2027" in main
        assert f"Round 2027 has started from round {people['round']}" in page.locator(".messages").inner_text()
        assert f"{people['factors']} key factors to review." in main
        marks = page.locator("[data-to-review]")
        assert marks.count() == people["factors"]
        assert marks.first.inner_text() == f"Carried over from round {people['round']} – to review"
        assert axe_violations(page) == []
        new_overview = page.url

        # A key factor page shows the mark; keeping it as it is clears it.
        tab_until(
            page, f"el => el.tagName === 'A' && el.getAttribute('href').endsWith('/factors/{people['first_factor']}/')"
        )
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*/factors/{people['first_factor']}/$"))
        assert "to review" in page.locator("[data-to-review]").inner_text()
        assert axe_violations(page) == []
        tab_until(page, "el => el.tagName === 'BUTTON' && el.textContent.trim() === 'Keep as it is'")
        page.keyboard.press("Enter")
        page.wait_for_url(new_overview)
        assert "kept as it is" in page.locator(".messages").inner_text()
        assert f"{people['factors'] - 1} key factors to review." in page.locator("main").inner_text()
        assert page.locator("[data-to-review]").count() == people["factors"] - 1
        assert axe_violations(page) == []

        # Typing in another carried key factor saves it automatically, which reviews it: its mark goes at once.
        page.locator("tr:has([data-to-review]) th a").first.click()
        page.wait_for_url(re.compile(r".*/factors/[^/]+/$"))
        assert page.locator("[data-to-review]").count() == 1
        page.locator("textarea[name=justification]").press_sequentially(" Reviewed in the workshop.")
        page.wait_for_selector("[data-autosave-status]:has-text('Saved')")
        assert page.locator("[data-to-review]").count() == 0
        page.reload()
        assert page.locator("[data-to-review]").count() == 0  # cleared on the server too
        page.goto(new_overview)
        assert page.locator("[data-to-review]").count() == people["factors"] - 2

        # The progress over rounds: the submitted round, the new one and the open 2028 draft.
        tab_until(page, "el => el.tagName === 'A' && el.textContent.trim() === 'Progress over rounds'")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*/benchmarks/{people['benchmark']}/progress/$"))
        assert page.locator("h1").inner_text().startswith("Progress over rounds")
        overall = page.locator("[data-progress-overall] tbody tr")
        assert overall.count() == 3
        assert [overall.nth(n).locator("th").inner_text() for n in range(3)] == [people["round"], "2027", "2028"]
        assert page.locator("[data-progress-factors] tbody tr").count() == people["factors"]
        assert page.locator("svg[role='img']").count() == 3
        assert axe_violations(page) == []
        # Chromium notes the refused start's status 400, sent on purpose.
        assert [e for e in page.console_errors if "status of 400" not in e] == []
    finally:
        context.close()


def test_the_progress_page_reads_alike_for_a_viewer(browser, rounds_server) -> None:
    _url, people = rounds_server
    context, page = signed_in_page(browser, rounds_server, "viewer")
    try:
        page.goto(f"/workspaces/{people['workspace']}/")
        tab_until(page, "el => el.tagName === 'A' && el.getAttribute('href').endsWith('/progress/')")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/progress/$"))
        assert page.locator("[data-progress-overall]").count() == 1
        assert axe_violations(page) == []
        page.goto(f"/assessments/{people['assessment']}/")
        assert "Start the next round" not in page.locator("main").inner_text()
        assert page.console_errors == []
    finally:
        context.close()
