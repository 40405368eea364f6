"""The joint sign-off and the mentorship report in headless Chromium, on the demo (Mentorville mentors
Demoville): Demoville shares a submitted round with its action plan; its coordinator signs, then the mentor;
the plan changes, and the sign-off page says what changed since (inserted and deleted words marked in words,
not by colour alone); then the report page. axe scans every state."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.support.browser import DEMO_SETUP, axe_violations, prepare_server, running_server, signed_in_page

pytestmark = pytest.mark.browser


SETUP = (
    DEMO_SETUP
    + """
from actionplans.actions import do_start_plan
from assessments import actions as assessment_actions
from mentoring import actions as mentoring
from mentoring.models import Mentorship
from tests.support.assessments import rate

version = assessment.benchmark_version
milo = User.objects.get(email="mentor@mentorville.example")
set_up_mfa(milo)
demo = Mentorship.objects.get(mentor__city__slug="mentorville")
earlier = assessment_actions.do_start_assessment(assessment.workspace, version, "2025", by=coordinator)
for gap in earlier.factors.filter(answers__isnull=False).distinct().order_by("pk")[:2]:
    rate(gap, 0, by=coordinator)
plan = do_start_plan(assessment_actions.do_submit(earlier, by=coordinator), by=coordinator)
mentoring.do_set_consent(
    demo, by=coordinator, assessments=[assessment, earlier], plans=[plan], evidence_files=False, partner_ratings=False
)
action = plan.actions.order_by("position").first()

print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "dana": session(coordinator),
    "milo": session(milo),
    "mentorship": str(demo.public_id),
    "earlier": str(earlier.public_id),
    "action": action.pk,
}))
"""
)


@pytest.fixture(scope="module")
def report_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict, dict]]:
    tmp = tmp_path_factory.mktemp("mentoring-report-server")
    env, people = prepare_server(tmp, f"{worker_id}_mentoring_report", demo=True, setup=SETUP)
    with running_server(tmp, env) as url:
        yield url, people, env


def scanned(page) -> None:
    assert axe_violations(page) == []
    assert page.console_errors == []


def test_sign_off_and_report_pages_have_no_axe_violations(browser, report_server) -> None:
    from tests.support.browser import server_shell

    url, people, env = report_server
    sign_off = f"/mentoring/{people['mentorship']}/plans/{people['earlier']}/sign-off/"
    dana_context, dana = signed_in_page(browser, (url, people), "dana")
    milo_context, milo = signed_in_page(browser, (url, people), "milo")
    try:
        dana.goto(sign_off)
        expect(dana.locator("h1")).to_have_text("Sign-off of the action plan of Demoville, round 2025")
        scanned(dana)
        dana.get_by_role("button", name="Sign the plan for the city").click()
        expect(dana.locator(".messages")).to_be_visible()
        scanned(dana)
        milo.goto(sign_off)
        scanned(milo)
        milo.get_by_role("button", name="Sign the plan as mentor").click()
        expect(milo.locator(".messages")).to_contain_text("signed off by both sides")
        scanned(milo)

        # The plan changes after both signed: the page says what changed since, in words.
        server_shell(
            env,
            "import json; from actionplans.models import Action; "
            f"Action.objects.filter(pk={people['action']}).update(title='Open a second welcome desk'); "
            "print(json.dumps(1))",
        )
        dana.goto(sign_off)
        main = dana.locator("main")
        expect(main).to_contain_text("welcome desk")
        assert dana.locator("main ins").count() > 0 and dana.locator("main del").count() > 0
        said = main.text_content() or ""  # the words a screen reader says, visually hidden ones included
        assert "[inserted: " in said and "[deleted: " in said
        scanned(dana)

        milo.goto(f"/mentoring/{people['mentorship']}/report/")
        expect(milo.locator("h1")).to_have_text("Mentorship report: Mentorville mentors Demoville")
        expect(milo.locator("main")).to_contain_text("Open a second welcome desk")
        scanned(milo)
    finally:
        dana_context.close()
        milo_context.close()
