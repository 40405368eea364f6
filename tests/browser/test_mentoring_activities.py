"""Mentoring activities in headless Chromium, on the demo (Mentorville mentors Demoville): Demoville's
coordinator opens the activities from the mentorship page, records a workshop in Lisbon's time (a failed
submit first), adds a file, reads it in the list and the month calendar; the mentor changes it; the
coordinator makes a calendar address and ends it. axe scans every page in every state."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import DEMO_SETUP, axe_violations, prepare_server, running_server, signed_in_page
from tests.support.evidence import PDF

pytestmark = pytest.mark.browser


SETUP = (
    DEMO_SETUP
    + """
from mentoring.models import Mentorship

milo = User.objects.get(email="mentor@mentorville.example")
set_up_mfa(milo)
demo = Mentorship.objects.get(mentor__city__slug="mentorville")

print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "dana": session(coordinator),
    "milo": session(milo),
    "mentorship": str(demo.public_id),
}))
"""
)


@pytest.fixture(scope="module")
def activities_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict]]:
    tmp = tmp_path_factory.mktemp("activities-server")
    env, people = prepare_server(
        tmp, f"{worker_id}_activities", demo=True, setup=SETUP, extra_env={"MEDIA_ROOT": str(tmp / "media")}
    )
    with running_server(tmp, env) as url:
        yield url, people


def scanned(page, *, refused: bool = False) -> None:
    """axe finds nothing, and the page logged no error (but the 400 of a refused form, when it was one)."""
    assert axe_violations(page) == []
    expected = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    assert [e for e in page.console_errors if not (refused and e == expected)] == []
    page.console_errors.clear()


def test_activities_list_calendar_form_detail_and_feed_have_no_axe_violations(
    browser, activities_server, tmp_path: Path
) -> None:
    _url, people = activities_server
    context, dana = signed_in_page(browser, activities_server, "dana")
    milo_context, milo = signed_in_page(browser, activities_server, "milo")
    try:
        dana.goto(f"/mentoring/{people['mentorship']}/")
        dana.get_by_role("link", name=re.compile(r"^Site visits, workshops")).click()
        expect(dana.locator("h1")).to_have_text("Activities")
        scanned(dana)

        dana.get_by_role("link", name="Record an activity").click()
        expect(dana.locator("h1")).to_have_text("Record an activity")
        scanned(dana)
        dana.get_by_label("Title").fill("Workshop on the welcome desk")
        dana.get_by_role("button", name="Record the activity").click()
        expect(dana.locator(".error-summary")).to_be_visible()
        expect(dana.get_by_label("Title")).to_have_value("Workshop on the welcome desk")
        scanned(dana, refused=True)
        dana.get_by_label("Kind of activity").select_option("workshop")
        dana.get_by_label("Time zone").select_option("Europe/Lisbon")
        dana.get_by_label("Starts").fill("2027-01-14T10:00")
        dana.get_by_label("Ends").fill("2027-01-14T12:00")
        dana.get_by_label("Place", exact=False).first.fill("City hall, Lisbon")
        dana.get_by_label("Agenda").fill("1. Welcome\n2. Visit of the desk")
        dana.get_by_role("button", name="Record the activity").click()
        expect(dana.locator("h1")).to_have_text("Workshop on the welcome desk")
        main = dana.locator("main")
        expect(main).to_contain_text("10:00–12:00 (Europe/Lisbon)")
        expect(main).to_contain_text("11:00–13:00 in your time zone (Europe/Brussels)")
        scanned(dana)

        # A file with the detail page's form: a fake PDF first, then a real one.
        fake = tmp_path / "fake.pdf"
        fake.write_bytes(b"%PDF-1.7\n<html><script>alert(1)</script></html>\n")
        dana.get_by_label("File", exact=True).set_input_files(str(fake))
        dana.get_by_role("button", name="Add the file").click()
        expect(dana.locator(".error-summary")).to_contain_text("not a valid PDF")
        scanned(dana, refused=True)
        real = tmp_path / "programme.pdf"
        real.write_bytes(PDF)
        dana.get_by_label("Title of the file").fill("Programme")
        dana.get_by_label("File", exact=True).set_input_files(str(real))
        dana.get_by_role("button", name="Add the file").click()
        expect(dana.get_by_role("link", name="Programme")).to_be_visible()
        scanned(dana)
        detail = dana.url

        dana.goto(f"/mentoring/{people['mentorship']}/activities/")
        expect(dana.get_by_role("link", name="Workshop on the welcome desk")).to_be_visible()
        scanned(dana)
        dana.goto(f"/mentoring/{people['mentorship']}/activities/calendar/?month=2027-01")
        expect(dana.locator("caption")).to_have_text("January 2027")
        expect(dana.get_by_role("table").get_by_role("link", name="Workshop on the welcome desk")).to_be_visible()
        scanned(dana)
        dana.get_by_role("link", name="Next month: February 2027").click()
        expect(dana.locator("caption")).to_have_text("February 2027")
        scanned(dana)

        milo.goto(detail)
        milo.get_by_role("link", name="Change “Workshop on the welcome desk”").click()
        expect(milo.get_by_label("Starts")).to_have_value("2027-01-14T10:00")
        scanned(milo)
        milo.get_by_label("Outcomes").fill("The desk's opening hours change in March.")
        milo.get_by_role("button", name="Save the activity").click()
        expect(milo.locator("main")).to_contain_text("The desk's opening hours change in March.")
        scanned(milo)

        dana.goto("/mentoring/calendar/")
        expect(dana.locator("h1")).to_have_text("Your calendar feed")
        scanned(dana)
        dana.get_by_role("button", name="Make a secret address").click()
        address = dana.get_by_label("Secret calendar address").input_value()
        assert re.search(r"/mentoring/calendar/[\w-]{40,}\.ics$", address), address
        scanned(dana)
        ics = dana.request.get(address)
        assert ics.status == 200 and "SUMMARY:Workshop on the welcome desk" in ics.text()
        dana.get_by_role("button", name="End the address").click()
        expect(dana.locator("main")).to_contain_text("You have no calendar address now.")
        scanned(dana)
        assert dana.request.get(address).status == 404
    finally:
        context.close()
        milo_context.close()
