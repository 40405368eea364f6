"""Mentoring in headless Chromium, on the demo (Mentorville mentors Demoville on its draft): the coordinator
finds mentor candidates and requests one more mentor city; its coordinator accepts, naming a mentor; the
mentor reads the shared draft; the city narrows what it shares, and the mentor's pages close; a mentorship
ends early only with a reason; a member of another city sees none of it; network staff set up a scheme and
pair two cities. axe scans every page in every state."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.support.browser import DEMO_SETUP, axe_violations, prepare_server, running_server, signed_in_page

pytestmark = pytest.mark.browser


SETUP = (
    DEMO_SETUP
    + """
from cities.models import Membership, Role, Workspace
from mentoring import actions as mentoring
from mentoring.models import Mentorship
from tests.support.cast import make_user, open_workspace
from tests.support.results import published, version_of

site = "http://testserver/"
version = assessment.benchmark_version
benchmark = version.benchmark
admin = make_user("admin@network.example", staff=True)
set_up_mfa(admin)
# A second fictional mentor city with a published round rated high, offering to mentor on this benchmark.
guide_coordinator = make_user("coordinator@guideton.example")
guideton = open_workspace("Guideton", by=guide_coordinator, admin=admin, country="Fictional Republic")
set_up_mfa(guide_coordinator)
guide_mentor = make_user("mentor@guideton.example")
Membership.objects.create(workspace=guideton, user=guide_mentor, role=Role.CONTRIBUTOR)
levels = sorted(version.rating_scale.levels.values_list("value", flat=True))
published(guideton, guide_coordinator, version, "2025", [levels[-1]] * assessment.factors.count())
mentoring.do_save_offer(
    guideton, by=guide_coordinator, benchmarks=[benchmark], languages=["en"], capacity=1, note="", open=True
)
# A member of another city, who must see none of it.
stranger = make_user("coordinator@elsewhere.example")
open_workspace("Elsewhere", by=stranger, admin=admin, country="Fictional Republic")
set_up_mfa(stranger)
milo = User.objects.get(email="mentor@mentorville.example")
set_up_mfa(milo)
marta = User.objects.get(email="coordinator@mentorville.example")
set_up_mfa(marta)
demo = Mentorship.objects.get(mentor__city__slug="mentorville")
# Demoville also shares a submitted earlier round with its action plan.
from actionplans.actions import do_start_plan
from assessments import actions as assessment_actions
from tests.support.assessments import rate
earlier = assessment_actions.do_start_assessment(assessment.workspace, version, "2025", by=coordinator)
for gap in earlier.factors.filter(answers__isnull=False).distinct().order_by("pk")[:2]:
    rate(gap, 0, by=coordinator)
plan = do_start_plan(assessment_actions.do_submit(earlier, by=coordinator), by=coordinator)
mentoring.do_set_consent(
    demo, by=coordinator, assessments=[assessment, earlier], plans=[plan], evidence_files=False, partner_ratings=False
)
factor = assessment.factors.select_related("key_factor").filter(rating__isnull=False).first()
# Key factors the demo's mentor has not reviewed yet, for the reviews journey.
unreviewed = list(
    assessment.factors.select_related("key_factor").filter(rating__isnull=False, mentor_reviews__isnull=True)
    .order_by("pk")[:2]
)

print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "dana": session(coordinator),
    "marta": session(marta),
    "milo": session(milo),
    "guide": session(guide_coordinator),
    "stranger": session(stranger),
    "admin": session(admin),
    "assessment": str(assessment.public_id),
    "mentorship": str(demo.public_id),
    "mentorville": str(demo.mentor.public_id),
    "factor": factor.key_factor.slug,
    "factor_title": factor.key_factor.title,
    "guide_mentor": guide_mentor.pk,
    "unreviewed": [f.key_factor.slug for f in unreviewed],
}))
"""
)


@pytest.fixture(scope="module")
def mentoring_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict]]:
    tmp = tmp_path_factory.mktemp("mentoring-server")
    env, people = prepare_server(tmp, f"{worker_id}_mentoring", demo=True, setup=SETUP)
    with running_server(tmp, env) as url:
        yield url, people


def scanned(page, *, refused: bool = False) -> None:
    """axe finds nothing, and the page logged no error (but the 400 of a refused form, when it was one)."""
    assert axe_violations(page) == []
    expected = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    assert [e for e in page.console_errors if not (refused and e == expected)] == []
    page.console_errors.clear()


def test_the_coordinator_finds_candidates_requests_one_and_its_coordinator_accepts(browser, mentoring_server) -> None:
    context, dana = signed_in_page(browser, mentoring_server, "dana")
    guide_context, guide = signed_in_page(browser, mentoring_server, "guide")
    try:
        dana.goto("/mentoring/")
        scanned(dana)
        dana.get_by_role("link", name=re.compile(r"^Mentor candidates for Demoville: .*, round 2026$")).click()
        expect(dana.locator("h1")).to_contain_text("Mentor cities for")
        scanned(dana)
        candidates = dana.locator("[data-candidate]")
        expect(candidates.first).to_have_attribute("data-candidate", "Guideton")
        reasons = dana.get_by_role("list", name="Why Guideton").inner_text()
        assert re.search(r"\d+ of your \d+ priority gaps", reasons), reasons
        # Mentorville mentors Demoville already: left out, and the page says why.
        assert "Mentorville" in dana.locator("[data-excluded]").inner_text()
        dana.get_by_label("Message to the mentor city").first.fill(
            "We would like to learn from Guideton's welcome work."
        )
        dana.get_by_role("button", name="Request a mentorship of Guideton").click()
        expect(dana.locator("h1")).to_have_text("Guideton mentors Demoville")
        expect(dana.locator("main")).to_contain_text("Requested")
        scanned(dana)
        mentorship = dana.url

        guide.goto(mentorship)
        expect(guide.locator("main")).to_contain_text("We would like to learn from Guideton's welcome work.")
        scanned(guide)
        guide.get_by_role("button", name="Accept and name these mentors").click()
        expect(guide.locator(".error-summary")).to_contain_text("Your mentors")
        scanned(guide, refused=True)
        guide.get_by_role("group", name="Your mentors").get_by_label("mentor@guideton.example").check()
        guide.get_by_role("button", name="Accept and name these mentors").click()
        expect(guide.locator(".messages")).to_contain_text("The mentorship is active")
        expect(guide.locator("main")).to_contain_text("mentor@guideton.example")
        scanned(guide)
    finally:
        context.close()
        guide_context.close()


def test_the_mentor_reviews_two_ratings_and_writes_and_the_team_answers(browser, mentoring_server) -> None:
    _url, people = mentoring_server
    first, second = people["unreviewed"]
    shared = f"/mentoring/{people['mentorship']}/assessments/{people['assessment']}/factors/"
    milo_context, milo = signed_in_page(browser, mentoring_server, "milo")
    dana_context, dana = signed_in_page(browser, mentoring_server, "dana")
    try:
        milo.goto(shared + f"{first}/")
        scanned(milo)
        milo.get_by_role("radio", name="Suggests another level").check()
        milo.get_by_role("button", name="Save the review").click()
        expect(milo.locator(".error-summary").first).to_be_visible()
        scanned(milo, refused=True)
        milo.get_by_label("The level you suggest").select_option(index=1)
        milo.get_by_label("Your reason").fill("Demo: your volunteers see more than the figures say.")
        milo.get_by_role("button", name="Save the review").click()
        expect(milo.locator("main")).to_contain_text("suggests another level")
        scanned(milo)
        milo.get_by_label("Your comment").fill("Could we see the volunteers' figures at the workshop?")
        milo.get_by_role("group", name=re.compile("Address it to")).get_by_label(re.compile("Dana")).check()
        milo.get_by_role("button", name="Add to the thread").click()
        expect(milo.locator("main")).to_contain_text("Could we see the volunteers' figures at the workshop?")
        scanned(milo)
        milo.goto(shared + f"{second}/")
        milo.get_by_role("radio", name="Agrees with the rating").check()
        milo.get_by_role("button", name="Save the review").click()
        expect(milo.locator("main")).to_contain_text("Validated by the mentor")
        scanned(milo)

        # The team reads the review and the post on its own key factor page, and answers the review.
        dana.goto(f"/assessments/{people['assessment']}/factors/{first}/")
        panel = dana.get_by_role("region", name="Mentoring by Mentorville")
        expect(panel).to_contain_text("Demo: your volunteers see more than the figures say.")
        expect(panel).to_contain_text("Addressed to you")
        scanned(dana)
        panel.get_by_label("The team's answer").fill("Demo: we will bring them, and check our rating.")
        panel.get_by_role("button", name="Save the answer").click()
        expect(dana.locator(".messages")).to_contain_text("Your answer to the review is saved.")
        expect(dana.get_by_role("region", name="Mentoring by Mentorville")).to_contain_text(
            "Demo: we will bring them, and check our rating."
        )
        scanned(dana)
        dana.goto(f"/assessments/{people['assessment']}/results/")
        expect(dana.locator("#score-" + second)).to_contain_text("Validated by the mentor")
        scanned(dana)
    finally:
        milo_context.close()
        dana_context.close()


def test_the_mentor_reads_the_shared_draft_until_the_city_narrows_what_it_shares(browser, mentoring_server) -> None:
    _url, people = mentoring_server
    mentorship = f"/mentoring/{people['mentorship']}/"
    shared = f"{mentorship}assessments/{people['assessment']}/"
    context, milo = signed_in_page(browser, mentoring_server, "milo")
    dana_context, dana = signed_in_page(browser, mentoring_server, "dana")
    try:
        milo.goto("/mentoring/notifications/")
        expect(milo.locator("main")).to_contain_text("You are a mentor of Demoville")
        scanned(milo)
        milo.get_by_role("group", name="E-mails you get").get_by_label("An activity is planned", exact=True).uncheck()
        milo.get_by_role("button", name="Save my choice of e-mails").click()
        expect(milo.locator(".messages")).to_contain_text("Your choice of e-mails is saved.")
        expect(milo.get_by_label("An activity is planned", exact=True)).not_to_be_checked()
        scanned(milo)
        milo.goto("/mentoring/")
        expect(milo.locator("h1")).to_have_text("Mentoring")
        scanned(milo)
        milo.get_by_role("link", name="Mentorville mentors Demoville").click()
        expect(milo.locator("h1")).to_have_text("Mentorville mentors Demoville")
        scanned(milo)
        milo.get_by_role("link", name=re.compile(r", 2026$")).click()
        milo.wait_for_url(re.compile(r".*/assessments/[0-9a-f-]+/$"))
        scanned(milo)
        milo.get_by_role("link", name=re.compile(re.escape(people["factor_title"]))).first.click()
        expect(milo.locator("h1")).to_contain_text(people["factor_title"])
        assert "Demo: what Demoville does on" in milo.locator("main").inner_text()
        scanned(milo)
        milo.goto(mentorship)
        milo.get_by_role("link", name="with its action plan").click()
        expect(milo.locator("h1")).to_have_text("Action plan of Demoville, round 2025")
        scanned(milo)

        # Demoville's coordinator takes the draft out of what the mentors read: the mentor's pages close.
        dana.goto(mentorship)
        scanned(dana)
        box = dana.get_by_role("checkbox", name=re.compile(r", round 2026 \(Draft\)$"))
        expect(box).to_be_checked()
        box.uncheck()
        dana.get_by_role("button", name="Save what the mentors read").click()
        expect(dana.locator(".messages")).to_contain_text("What the mentors read is saved")
        scanned(dana)
        assert milo.goto(shared).status == 404
        milo.console_errors.clear()  # the browser logs the 404 it was meant to get
        milo.goto(mentorship)
        shared_now = milo.get_by_role("list", name="What the mentors read").inner_text()
        assert ", 2025" in shared_now and ", 2026" not in shared_now
        scanned(milo)
    finally:
        context.close()
        dana_context.close()


def test_offer_end_early_needs_a_reason_and_another_city_sees_nothing(browser, mentoring_server) -> None:
    _url, people = mentoring_server
    mentorship = f"/mentoring/{people['mentorship']}/"
    context, marta = signed_in_page(browser, mentoring_server, "marta")
    stranger_context, stranger = signed_in_page(browser, mentoring_server, "stranger")
    try:
        marta.goto(f"/mentoring/offers/{people['mentorville']}/")
        expect(marta.locator("h1")).to_have_text("Mentor offer of Mentorville")
        scanned(marta)
        marta.get_by_label("Cities you can mentor at once").fill("0")
        marta.get_by_role("button", name="Save the mentor offer").click()
        expect(marta.locator(".error-summary")).to_be_visible()
        scanned(marta, refused=True)
        marta.get_by_label("Cities you can mentor at once").fill("3")
        marta.get_by_role("button", name="Save the mentor offer").click()
        marta.wait_for_url(re.compile(r".*/mentoring/$"))
        assert "up to 3 cities at once" in marta.locator("main").inner_text()

        marta.goto(mentorship)
        scanned(marta)
        marta.get_by_role("radio", name="Ended early").check()
        marta.get_by_role("button", name="End the mentorship").click()
        expect(marta.locator(".error-summary")).to_contain_text("Say why the mentorship ends early.")
        expect(marta.get_by_role("radio", name="Ended early")).to_be_checked()
        scanned(marta, refused=True)
        marta.get_by_label("Why it ends early").fill("Our mentor moved to another department.")
        marta.get_by_role("button", name="End the mentorship").click()
        expect(marta.locator("main")).to_contain_text("Ended early")
        expect(marta.locator("main")).to_contain_text("Our mentor moved to another department.")
        scanned(marta)

        assert stranger.goto(mentorship).status == 404
        stranger.console_errors.clear()  # the browser logs the 404 it was meant to get
        stranger.goto("/mentoring/")
        text = stranger.locator("main").inner_text()
        assert "Mentorville" not in text and "Demoville" not in text
        scanned(stranger)
    finally:
        context.close()
        stranger_context.close()


def test_network_staff_set_up_a_scheme_and_pair_two_cities(browser, mentoring_server) -> None:
    context, admin = signed_in_page(browser, mentoring_server, "admin")
    try:
        admin.goto("/mentoring/schemes/")
        scanned(admin)
        admin.goto("/mentoring/schemes/new/")
        scanned(admin)
        admin.get_by_label("Name").fill("Demo welcoming scheme")
        admin.get_by_role("button", name="Create the scheme").click()
        expect(admin.locator(".error-summary")).to_be_visible()
        expect(admin.get_by_label("Name")).to_have_value("Demo welcoming scheme")
        scanned(admin, refused=True)
        admin.get_by_label("Benchmark").select_option(index=1)
        admin.get_by_label("Starts on").fill("2027-01-01")
        admin.get_by_label("Ends on").fill("2027-12-31")
        admin.get_by_role("group", name="Mentor cities").get_by_label("Guideton").check()
        admin.get_by_role("group", name="Implementing cities").get_by_label("Elsewhere").check()
        admin.get_by_role("button", name="Create the scheme").click()
        expect(admin.locator(".messages")).to_be_visible()
        scanned(admin)

        admin.goto("/mentoring/pair/")
        scanned(admin)
        admin.get_by_label("Implementing city").select_option(label="Elsewhere")
        admin.get_by_label("Mentor city").select_option(label="Guideton")
        admin.get_by_label("Benchmark").select_option(index=1)
        admin.get_by_role("button", name="Pair the cities").click()
        expect(admin.locator("h1")).to_have_text("Guideton mentors Elsewhere")
        expect(admin.locator("main")).to_contain_text("Active")
        scanned(admin)
    finally:
        context.close()
