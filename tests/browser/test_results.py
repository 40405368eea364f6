"""The results page in headless Chromium: axe scans of every state (nothing rated; filled, with the previous
round and the peer distribution, for the team and for the public; with recommended practices and a
context likeness), and a keyboard journey from the assessment overview to the results and on to a
recommended practice. Last, the whole diagnosis journey of issue 4: the coordinator submits the draft, reads its
results, opens a recommended practice, drafts the action plan from the gaps and downloads the PDF report.

Served, like test_assessments.py, from its own database filled by `load_demo` (Demoville's draft of the
labour market benchmark, half rated, so it has priority gaps) plus what the setup below adds with the
real actions: an unrated assessment, a filled and published one with an earlier round, five other
cities' published assessments of its benchmark, and Munich's published context.
"""

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import DEMO_SETUP, axe_violations, prepare_server, running_server, signed_in_page, tab_until

pytestmark = pytest.mark.browser


SETUP = (
    DEMO_SETUP
    + """
from assessments import actions
from tests.support.results import city_workspace, library_city_workspace, published, rate, set_context
from benchmarks.models import Benchmark
from tests.support.cast import make_user

admin = make_user("admin-for-results@network.example", staff=True)
workspace = assessment.workspace
lmp = assessment.benchmark_version
titles = [c.title for c in lmp.context_factors.all()]
set_context(assessment, coordinator, dict.fromkeys(titles, "constraint"),
            bears_on={titles[0]: [assessment.factors.select_related("key_factor").first().key_factor.slug]})
munich, munich_coordinator = library_city_workspace(admin, "Munich")
published(munich, munich_coordinator, lmp, "2025", [], dict.fromkeys(titles[:6], "constraint"))

empty_version = Benchmark.objects.get(slug="political-participation").current_version
empty = actions.do_start_assessment(workspace, empty_version, "2026", by=coordinator)

filled_version = Benchmark.objects.get(slug="public-perception").current_version
count = filled_version.factors.count()
published(workspace, coordinator, filled_version, "2024", [n % 5 for n in range(count)], visibility="private")
filled = published(workspace, coordinator, filled_version, "2026", [3 + n % 2 for n in range(count)],
                   {c.title: "enabler" for c in filled_version.context_factors.all()})
for n in range(5):
    peer, peer_coordinator = city_workspace(admin, f"Peer city {n}", "Peerland")
    published(peer, peer_coordinator, filled_version, "2025", [(n + k) % 5 for k in range(count)])

print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "coordinator": session(coordinator),
    "viewer": session(User.objects.get(email="viewer@demoville.example")),
    "assessment": str(assessment.public_id),
    "empty": str(empty.public_id),
    "filled": str(filled.public_id),
}))
"""
)


@pytest.fixture(scope="module")
def results_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict]]:
    tmp = tmp_path_factory.mktemp("results-server")
    env, people = prepare_server(tmp, f"{worker_id}_results", demo=True, setup=SETUP)
    with running_server(tmp, env) as url:
        yield url, people


def results(people: dict, which: str) -> str:
    return f"/assessments/{people[which]}/results/"


def test_results_in_every_state_have_no_axe_violations(browser, results_server) -> None:
    url, people = results_server
    context, page = signed_in_page(browser, results_server, "viewer")
    try:
        page.goto(results(people, "empty"))
        assert "No key factor is rated yet." in page.locator("main").inner_text()
        assert axe_violations(page) == []

        page.goto(results(people, "filled"))
        main = page.locator("main").inner_text()
        assert "are at the standard" in main
        assert "Round 2024" in main  # the previous round
        assert "How many of the 5 other cities" in main  # the peers
        assert "Peer city" not in main
        assert page.locator("svg.chart[role=img]").count() == 1
        page.locator(".chart-table summary").click()  # the chart's table, unfolded
        assert axe_violations(page) == []

        page.goto(results(people, "assessment"))
        main = page.locator("main").inner_text()
        assert "An example of the same key factor" in main
        assert "Munich's context resembles yours: 6 of 6 conditions alike" in main
        assert "Demoville Welcome Volunteers" in main  # the partner's divergence, for the team
        page.locator(".gap details summary").first.click()  # the guide questions answered no or partly
        assert axe_violations(page) == []
        assert page.console_errors == []
    finally:
        context.close()

    visitor = browser.new_context(base_url=url)
    try:
        public = visitor.new_page()
        public.goto(results(people, "filled"))
        assert "How many of the 5 other cities" in public.locator("main").inner_text()
        assert "No previous round of this benchmark is published." in public.locator("main").inner_text()
        assert axe_violations(public) == []
        public.set_viewport_size({"width": 320, "height": 800})  # A4: no horizontal scroll at 320 px
        assert public.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        visitor.close()


def test_keyboard_from_the_overview_to_the_results_and_a_recommended_practice(browser, results_server) -> None:
    _url, people = results_server
    context, page = signed_in_page(browser, results_server, "coordinator")
    try:
        page.goto(f"/assessments/{people['assessment']}/")
        tab_until(page, "el => el.tagName === 'A' && el.getAttribute('href').endsWith('/results/')")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/results/$"))
        assert page.locator("h1").inner_text().startswith("Results: ")
        tab_until(page, "el => el.tagName === 'A' && !!el.closest('.recommendation')")
        title = page.evaluate("document.activeElement.textContent.trim()")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/practices/[^/]+/$"))
        assert page.locator("h1").inner_text() == title
        assert page.console_errors == []
    finally:
        context.close()


def test_context_factors_form_with_the_key_factors_they_bear_on(browser, results_server) -> None:
    """The context factors page's checkbox groups (folded in a disclosure) are scanned unfolded too."""
    _url, people = results_server
    context, page = signed_in_page(browser, results_server, "coordinator")
    try:
        page.goto(f"/assessments/{people['assessment']}/context/")
        bears_on = page.locator("details.bears-on").first
        assert bears_on.get_attribute("open") is not None  # one key factor chosen in the setup: unfolded
        second = page.locator("details.bears-on").nth(1)
        second.locator("summary").focus()
        page.keyboard.press("Enter")  # unfolded with the keyboard
        second.locator("input[type=checkbox]").first.focus()
        page.keyboard.press("Space")
        assert second.locator("input[type=checkbox]").first.is_checked()
        assert axe_violations(page) == []
        page.get_by_role("button", name="Save the context factors").click()
        page.wait_for_url(f"**/assessments/{people['assessment']}/")
        page.goto(results(people, "assessment"))
        first_row = page.locator("table.scorecard tbody tr").first.inner_text()
        assert "National legislation and policy" in first_row and "Data availability" in first_row
        assert page.console_errors == []
    finally:
        context.close()


def test_from_a_submitted_assessment_to_results_practice_action_plan_and_report(
    browser, results_server, tmp_path: Path
) -> None:
    """Runs last in this module: it submits the demo draft that the tests above read and edit."""
    _url, people = results_server
    overview = f"/assessments/{people['assessment']}/"
    context, page = signed_in_page(browser, results_server, "coordinator")
    try:
        page.goto(overview)
        page.get_by_role("button", name="Submit the assessment").click()
        page.wait_for_url(f"**{overview}")
        assert "Submitted" in page.locator("main").inner_text()
        assert axe_violations(page) == []

        tab_until(page, "el => el.tagName === 'A' && el.getAttribute('href').endsWith('/results/')")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/results/$"))
        gaps = page.locator(".gap h3").all_inner_texts()
        assert gaps, "the half-rated demo draft has priority gaps"
        assert axe_violations(page) == []

        tab_until(page, "el => el.tagName === 'A' && !!el.closest('.recommendation')")
        practice = page.evaluate("document.activeElement.textContent.trim()")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/practices/[^/]+/$"))
        assert page.locator("h1").inner_text() == practice
        page.go_back()
        page.wait_for_url(re.compile(r".*/results/$"))

        tab_until(page, "el => el.tagName === 'A' && el.getAttribute('href').endsWith('/plan/')")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/plan/$"))
        assert axe_violations(page) == []
        page.get_by_role("button", name="Draft the action plan from the priority gaps").click()
        page.wait_for_url(re.compile(r".*/plan/$"))
        plan = page.locator("main").inner_text()
        for gap in gaps:  # one action per gap, titled after its key factor
            title = re.sub(r"^\d+\.\s*", "", gap.strip())
            assert title in plan, title
        assert axe_violations(page) == []

        page.goto(overview)
        tab_until(page, "el => el.tagName === 'A' && el.getAttribute('href').endsWith('/report.pdf')")
        with page.expect_download() as report:
            page.keyboard.press("Enter")
        pdf = tmp_path / "report.pdf"
        report.value.save_as(pdf)
        text = " ".join(
            subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
        )
        assert "Demoville" in text
        assert "Ratings of the key factors:" in text  # the chart's caption
        page.goto(f"/assessments/{people['assessment']}/results/")
        for title in page.locator("table.scorecard tbody th").all_inner_texts():
            assert " ".join(title.split()) in text, title
        for gap in gaps:  # the action plan is in the report too
            assert " ".join(re.sub(r"^\d+\.\s*", "", gap.strip()).split()) in text
        assert page.console_errors == []
    finally:
        context.close()
