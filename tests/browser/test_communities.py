"""Communities of practice in headless Chromium, on the demo ("Demo: Welcoming cities", coordinated by Marta of
Mentorville): network staff create a members-only community (a failed submit first); a city asks to join and
the coordinator approves it; an organisation is invited by e-mail and joins through the mail's link; an
activity is recorded with two member cities; a post is addressed to another member and the coordinator hides
one with a reason; the ratings side by side name the consenting cities only, the others in an anonymous
distribution; a coordinator of another city sees only the public page. axe scans every page in every state,
and no page logs a console error."""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import DEMO_SETUP, axe_violations, new_page, prepare_server, running_server

pytestmark = pytest.mark.browser

DEMO = "/communities/demo-welcoming-cities/"

SETUP = (
    DEMO_SETUP
    + """
from communities import actions as communities
from communities.models import Community
from tests.support.cast import make_user, open_workspace
from tests.support.results import published

site = "http://testserver/"
community = Community.objects.get(slug="demo-welcoming-cities")
version = community.benchmark.current_version
admin = make_user("staff@network.example", staff=True)
set_up_mfa(admin)
marta = User.objects.get(email="coordinator@mentorville.example")
set_up_mfa(marta)

def city(name):
    person = make_user(f"coordinator@{name.lower()}.example")
    workspace = open_workspace(name, by=person, admin=admin, country="Fictional Republic")
    set_up_mfa(person)
    return workspace, person

# A fictional city that will ask to join, and one that stays outside.
joinville, joiner = city("Joinville")
elsewhere, stranger = city("Elsewhere")
# Three more member cities with a published round that do not consent: with Exampleburg and Testhaven, at
# least 5 cities make the anonymous distribution.
levels = sorted(version.rating_scale.levels.values_list("value", flat=True))
for n, name in enumerate(["Fivetown", "Sixbridge", "Sevenford"]):
    workspace, person = city(name)
    published(workspace, person, version, "2025", [levels[(n + i) % len(levels)] for i in range(40)])
    invited = communities.do_invite_city(community, workspace, by=marta, site_url=site)
    communities.do_answer_invitation(invited, by=person, accept=True, site_url=site)
# A members-only community, with Demoville in it, that a non-member must not find.
closed = communities.do_save_community(
    None,
    by=admin,
    name="Demo: Quiet circle",
    slug="demo-quiet-circle",
    benchmark=community.benchmark,
    topic=None,
    description="Demo: a members-only community.",
    visibility=Community.Visibility.MEMBERS,
    coordinators=[marta],
)
invited = communities.do_invite_city(closed, assessment.workspace, by=marta, site_url=site)
communities.do_answer_invitation(invited, by=coordinator, accept=True, site_url=site)
# The demo's viewer of Demoville: a member who reads the members' pages but does not take part.
viewer = User.objects.get(email="viewer@demoville.example")
# Someone who speaks for an organisation the coordinator will invite.
speaker = make_user("contact@harbour-volunteers.example")
factor = community.key_factors().first()
consenting = sorted(
    m.workspace.city.name for m in community.cities.filter(status="active", shares_ratings=True)
)
others = sorted(
    m.workspace.city.name for m in community.cities.filter(status="active", shares_ratings=False)
)

print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "staff": session(admin),
    "marta": session(marta),
    "dana": session(coordinator),
    "joiner": session(joiner),
    "stranger": session(stranger),
    "speaker": session(speaker),
    "viewer": session(viewer),
    "benchmark": community.benchmark.slug,
    "factor": factor.pk,
    "factor_title": factor.title,
    "consenting": consenting,
    "others": others,
}))
"""
)


@pytest.fixture(scope="module")
def communities_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[tuple[str, dict, Path]]:
    tmp = tmp_path_factory.mktemp("communities-server")
    mail = tmp / "mail"
    mail.mkdir()
    env, people = prepare_server(
        tmp, f"{worker_id}_communities", demo=True, setup=SETUP, extra_env={"EMAIL_FILE_PATH": str(mail)}
    )
    with running_server(tmp, env) as url:
        yield url, people, mail


@pytest.fixture
def page(browser, communities_server) -> Iterator[object]:
    """One context per test; `as_(page, who)` signs it in as someone else."""
    url, _people, _mail = communities_server
    context, page = new_page(browser, url)
    yield page
    context.close()  # type: ignore[attr-defined]


def as_(page, server, who: str) -> None:
    url, people, _mail = server
    page.context.clear_cookies()
    page.context.add_cookies([{"name": people["cookie"], "value": people[who], "url": url}])


REFUSED = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
MISSING = "Failed to load resource: the server responded with a status of 404 (Not Found)"


def scanned(page, *, expected: str = "") -> None:
    """axe finds nothing, and the page logged no error (but the one expected: a refused form's 400, a 404)."""
    assert axe_violations(page) == []
    assert [e for e in page.console_errors if not (expected and e == expected)] == []
    page.console_errors.clear()


def mailed(mail: Path, to: str, marker: str) -> str:
    """The latest mail the server wrote (EMAIL_FILE_PATH) to that address with that text in it."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for path in sorted(mail.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
            text = path.read_text(encoding="utf-8")
            if f"To: {to}" in text and marker in text:
                return text
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} with {marker}")


def mailed_link(mail: Path, to: str, marker: str) -> str:
    return re.findall(r"https?://\S+" + re.escape(marker) + r"\S*", mailed(mail, to, marker))[-1]


def test_network_staff_create_a_members_only_community(page, communities_server) -> None:
    _url, people, _mail = communities_server
    as_(page, communities_server, "staff")
    page.goto("/communities/")
    expect(page.locator("h1")).to_have_text("Communities of practice")
    scanned(page)
    page.get_by_role("link", name="Create a community").click()
    expect(page.locator("h1")).to_have_text("Create a community of practice")
    scanned(page)
    description = "Demo: the cities whose welcome desks work with volunteers."
    page.get_by_label("Name", exact=True).fill("Demo: Welcome desks circle")
    page.get_by_label("Description", exact=True).fill(description)
    page.get_by_role("radio", name="Members only").check()
    page.get_by_role("button", name="Create the community").click()  # no theme chosen
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Choose a benchmark or a cross-cutting topic, not both.")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Demo: Welcome desks circle")
    expect(page.get_by_label("Description", exact=True)).to_have_value(description)
    expect(page.get_by_role("radio", name="Members only")).to_be_checked()
    scanned(page, expected=REFUSED)
    page.get_by_label("Benchmark").select_option(people["benchmark"])
    page.get_by_role("button", name="Create the community").click()
    expect(page.locator("h1")).to_have_text("Demo: Welcome desks circle")
    expect(page.locator(".messages")).to_contain_text("is saved")
    expect(page.get_by_role("navigation", name="The community")).to_be_visible()
    scanned(page)
    page.get_by_role("link", name="Edit the community").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Demo: Welcome desks circle")
    expect(page.get_by_role("radio", name="Members only")).to_be_checked()
    scanned(page)
    page.goto("/communities/")
    row = page.get_by_role("row", name=re.compile("Demo: Welcome desks circle"))
    expect(row).to_contain_text("Members only")
    scanned(page)

    # The new community is members-only: to a coordinator of a city outside it, it is missing.
    as_(page, communities_server, "stranger")
    assert page.goto("/communities/demo-welcome-desks-circle/").status == 404
    page.console_errors.clear()  # the browser logs the 404 it was meant to get
    page.goto("/communities/")
    assert "Demo: Welcome desks circle" not in page.locator("main").inner_text()


def test_a_city_asks_to_join_and_the_coordinator_approves_it(page, communities_server) -> None:
    _url, _people, mail = communities_server
    as_(page, communities_server, "joiner")
    page.goto(DEMO)
    expect(page.get_by_role("navigation", name="The community")).to_have_count(0)
    expect(page.get_by_role("heading", name="What members published")).to_have_count(0)
    scanned(page)
    page.get_by_label("For which city").select_option(label="Joinville")
    page.get_by_role("button", name="Ask to join", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Joinville asks to join; the community's coordinators decide.")
    expect(page.get_by_role("heading", name="Ask to join", exact=True)).to_have_count(0)
    scanned(page)
    mailed(mail, "coordinator@mentorville.example", "Joinville asks to join the community of practice")

    as_(page, communities_server, "marta")
    page.goto(DEMO)
    requests = page.locator("[data-requests]")
    expect(requests).to_contain_text("Joinville")
    scanned(page)
    page.get_by_role("button", name="Approve Joinville").click()
    expect(page.locator(".messages")).to_contain_text("Joinville is now a member.")
    expect(page.locator("[data-member-cities]")).to_contain_text("Joinville")
    expect(page.get_by_text("No request waiting.")).to_be_visible()
    scanned(page)
    mailed(mail, "coordinator@joinville.example", "Joinville is now a member of the community of practice")

    # Joinville now sees the members' part: the pages of the community, its feed, what it shares.
    as_(page, communities_server, "joiner")
    page.goto(DEMO)
    expect(page.get_by_role("navigation", name="The community")).to_be_visible()
    expect(page.get_by_role("heading", name="What members published")).to_be_visible()
    expect(page.get_by_role("heading", name="What your city shares")).to_be_visible()
    scanned(page)
    page.get_by_role("navigation", name="The community").get_by_role("link", name="Discussion").click()
    expect(page.locator("h1")).to_have_text("Discussion in Demo: Welcoming cities")
    scanned(page)


def test_an_organisation_is_invited_by_mail_and_joins(page, communities_server) -> None:
    _url, _people, mail = communities_server
    email = "contact@harbour-volunteers.example"
    as_(page, communities_server, "marta")
    page.goto(DEMO)
    form = page.locator("form", has=page.get_by_role("button", name="Send the invitation"))
    form.get_by_label("Organisation's name", exact=True).fill("Harbour Volunteers")
    form.get_by_role("button", name="Send the invitation").click()  # no address
    expect(page.locator(".error-summary")).to_contain_text("E-mail of someone who speaks for it")
    expect(page.get_by_label("Organisation's name", exact=True)).to_have_value("Harbour Volunteers")
    scanned(page, expected=REFUSED)
    page.get_by_label("Kind", exact=True).select_option(label="Volunteer organisation")
    page.get_by_label("E-mail of someone who speaks for it").fill(email)
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".messages")).to_contain_text("Harbour Volunteers is invited")
    expect(page.get_by_role("list", name="Invited, not answered yet")).to_contain_text("Harbour Volunteers")
    scanned(page)
    link = mailed_link(mail, email, "/communities/organisations/join/")

    # Signed in with another address, the link only says so.
    page.goto(link)
    expect(page.locator("main")).to_contain_text("You are signed in with another address")
    expect(page.get_by_role("button", name="Accept for Harbour Volunteers")).to_have_count(0)
    scanned(page)

    as_(page, communities_server, "speaker")
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Join a community of practice")
    scanned(page)
    page.get_by_role("button", name="Accept for Harbour Volunteers").click()
    expect(page.locator(".messages")).to_contain_text("Harbour Volunteers is now a member; you speak for it here.")
    expect(page.locator("[data-member-organisations]")).to_contain_text("Harbour Volunteers")
    expect(page.get_by_role("navigation", name="The community")).to_be_visible()
    scanned(page)
    page.goto(link)  # the link works once
    expect(page.locator("main")).to_contain_text("This invitation link is not valid")
    scanned(page, expected=MISSING)


def test_an_activity_is_recorded_with_two_cities_and_a_resource_shared(page, communities_server) -> None:
    as_(page, communities_server, "dana")
    page.goto(DEMO)
    page.get_by_role("navigation", name="The community").get_by_role("link", name="Activities").click()
    expect(page.locator("h1")).to_have_text("Activities of Demo: Welcoming cities")
    expect(page.locator("main")).to_contain_text("Demo: workshop on volunteers at the welcome desk")
    scanned(page)
    page.get_by_role("link", name="Record an activity").click()
    expect(page.locator("h1")).to_have_text("Record an activity")
    scanned(page)
    page.get_by_label("Title").fill("Demo: site visit to the Demoville welcome desk")
    page.get_by_role("button", name="Record the activity").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Demo: site visit to the Demoville welcome desk")
    scanned(page, expected=REFUSED)
    page.get_by_label("Kind of activity").select_option("site_visit")
    page.get_by_label("Status").select_option("held")
    page.get_by_label("Time zone").select_option("Europe/Brussels")
    page.get_by_label("Starts").fill("2026-10-05T09:30")
    page.get_by_label("Ends").fill("2026-10-05T13:00")
    page.get_by_label("Place", exact=False).first.fill("Demoville town hall")
    cities = page.get_by_role("group", name="Member cities taking part")
    cities.get_by_label("Demoville").check()
    cities.get_by_label("Mentorville").check()
    page.get_by_role("group", name=re.compile("Member organisations taking part")).get_by_label(
        "Demo Welcome Network"
    ).check()
    page.get_by_label("How many people took part").fill("9")
    page.get_by_role("button", name="Record the activity").click()
    expect(page.locator(".messages")).to_contain_text("is saved")
    row = page.get_by_role("row", name=re.compile("Demo: site visit to the Demoville welcome desk"))
    expect(row).to_contain_text("Demoville, Mentorville")
    expect(row).to_contain_text("Demo Welcome Network")
    expect(row).to_contain_text("9 people")
    scanned(page)
    row.get_by_role("link", name="Demo: site visit to the Demoville welcome desk").click()
    expect(page.get_by_label("Starts")).to_have_value("2026-10-05T09:30")
    expect(page.get_by_role("group", name="Member cities taking part").get_by_label("Mentorville")).to_be_checked()
    scanned(page)
    page.get_by_label("Outcomes").fill("Demo: Mentorville tries the volunteers' rota in November.")
    page.get_by_role("button", name="Save the activity").click()
    expect(page.locator(".messages")).to_contain_text("is saved")
    expect(page.locator("main")).to_contain_text("Demo: Mentorville tries the volunteers' rota in November.")
    scanned(page)

    page.get_by_role("navigation", name="The community").get_by_role("link", name="Resources").click()
    expect(page.locator("h1")).to_have_text("Resources of Demo: Welcoming cities")
    scanned(page)
    page.get_by_label("Link").fill("https://example.org/welcome-desk-guide")
    page.get_by_role("button", name="Share it").click()  # a link needs a title
    expect(page.locator(".error-summary")).to_contain_text("Give the link a title.")
    expect(page.get_by_label("Link")).to_have_value("https://example.org/welcome-desk-guide")
    scanned(page, expected=REFUSED)
    page.get_by_label("Title").fill("Demo: welcome desk guide")
    page.get_by_role("button", name="Share it").click()
    expect(page.locator(".messages")).to_contain_text("is shared with the community")
    expect(page.get_by_role("row", name=re.compile("Demo: welcome desk guide"))).to_contain_text("for Demoville")
    scanned(page)


def test_a_post_to_another_member_and_the_coordinator_hides_one_with_a_reason(page, communities_server) -> None:
    _url, people, mail = communities_server
    thread = f"{DEMO}discussion/{people['factor']}/"
    text = "Demo: Mentorville, how many volunteers does your desk need each week?"
    reason = "Demo: personal details of a volunteer; please write to them directly."
    as_(page, communities_server, "dana")
    page.goto(f"{DEMO}discussion/")
    scanned(page)
    page.get_by_role("link", name=re.compile(re.escape(people["factor_title"]))).first.click()
    expect(page.locator("h1")).to_contain_text(people["factor_title"])
    expect(page.locator("[data-posts]")).to_contain_text("Demo: Demoville would, from January.")
    scanned(page)
    page.get_by_role("button", name="Post", exact=True).click()  # nothing written
    expect(page.locator(".error-summary")).to_contain_text("Write the post before sending it.")
    scanned(page, expected=REFUSED)
    page.get_by_label("Your post").fill(text)
    page.get_by_role("group", name=re.compile("Address it to")).get_by_label("Mentorville").check()
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Your post is in the thread.")
    expect(page.locator("[data-post]", has_text=text)).to_contain_text("Demoville")
    scanned(page)
    # Mentorville's voice in the community, its coordinator, gets the post by e-mail with the thread's link.
    told = mailed(mail, "coordinator@mentorville.example", text)
    assert "Demoville addressed a post to you" in told and thread in told

    as_(page, communities_server, "marta")
    page.goto(thread)
    post = page.locator("[data-post]", has_text=text)
    scanned(page)
    post.get_by_role("button", name="Hide the post").click()  # no reason given
    expect(page.locator(".messages")).to_contain_text("Say why the post is hidden")
    expect(page.locator("[data-post]", has_text=text)).to_be_visible()
    scanned(page)
    post = page.locator("[data-post]", has_text=text)
    post.get_by_label("Why it is hidden").fill(reason)
    post.get_by_role("button", name="Hide the post").click()
    expect(page.locator(".messages")).to_contain_text("The post is hidden; the reason shows in its place.")
    hidden = page.locator("[data-hidden]", has_text=reason)
    expect(hidden).to_contain_text("Hidden by the coordinators on")
    assert text not in page.locator("main").inner_text()
    scanned(page)
    page.get_by_role("navigation", name="The community").get_by_role("link", name="History").click()
    expect(page.locator("h1")).to_have_text("History of Demo: Welcoming cities")
    expect(page.get_by_role("row", name=re.compile("Post hidden"))).to_contain_text(reason)
    scanned(page)

    as_(page, communities_server, "dana")
    page.goto(thread)
    expect(page.locator("[data-hidden]", has_text=reason)).to_be_visible()
    assert text not in page.locator("main").inner_text()
    scanned(page)


def test_ratings_side_by_side_name_only_the_consenting_cities(page, communities_server) -> None:
    _url, people, _mail = communities_server
    assert len(people["others"]) >= 5, people["others"]
    as_(page, communities_server, "dana")
    page.goto(DEMO)
    page.get_by_role("navigation", name="The community").get_by_role("link", name="Ratings side by side").click()
    expect(page.locator("h1")).to_have_text("Members' ratings, key factor by key factor")
    main = page.locator("main")
    named = page.locator("table[data-named] th[data-city]")
    expect(named.first).to_be_visible()
    assert "Samplestad" in " ".join(named.all_inner_texts())
    distribution = page.locator("table[data-distribution]")
    expect(distribution).to_be_visible()
    counted = re.search(r"of the (\d+) member cities that do not share", page.locator("p[data-anonymous]").inner_text())
    assert counted and int(counted.group(1)) >= 5, page.locator("p[data-anonymous]").inner_text()
    text = main.inner_text()
    for name in people["consenting"]:
        assert name in text, name  # named, in the table or among those without a submitted assessment
    for name in people["others"]:
        assert name not in text, name  # never named
    scanned(page)

    page.get_by_role("navigation", name="The community").get_by_role("link", name="Strong where we are weak").click()
    expect(page.locator("h1")).to_have_text("Who is strong where your city is weak")
    scanned(page)
    page.get_by_role("navigation", name="The community").get_by_role("link", name="Summary").click()
    expect(page.locator("h1")).to_have_text("What the members find hard, use and change")
    scanned(page)
    text = page.locator("main").inner_text()
    for name in people["others"]:
        assert name not in text, name


def test_a_non_member_sees_only_the_public_page(page, communities_server) -> None:
    _url, people, _mail = communities_server
    as_(page, communities_server, "stranger")
    page.goto("/communities/")
    expect(page.get_by_role("link", name="Demo: Welcoming cities")).to_be_visible()
    expect(page.get_by_role("link", name="Demo: Quiet circle")).to_have_count(0)
    scanned(page)
    page.get_by_role("link", name="Demo: Welcoming cities").click()
    cities = page.locator("[data-member-cities]")
    expect(cities).to_contain_text("Demoville")
    expect(cities).to_contain_text("Mentorville")
    expect(page.get_by_role("navigation", name="The community")).to_have_count(0)
    expect(page.get_by_role("heading", name="What members published")).to_have_count(0)
    expect(page.locator("[data-feed]")).to_have_count(0)
    expect(page.get_by_role("link", name="Discussion")).to_have_count(0)
    assert "Demo: our volunteers can help" not in page.locator("main").inner_text()
    scanned(page)
    for path in (
        "/communities/demo-quiet-circle/",
        f"{DEMO}discussion/",
        f"{DEMO}discussion/{people['factor']}/",
        f"{DEMO}ratings/",
    ):
        assert page.goto(path).status == 404, path
    page.console_errors.clear()  # the browser logs the 404s it was meant to get


def test_a_viewer_of_a_member_city_reads_the_members_pages_and_follows_the_feed(page, communities_server) -> None:
    as_(page, communities_server, "viewer")
    page.goto(DEMO)
    expect(page.get_by_role("navigation", name="The community")).to_be_visible()
    feed = page.locator("[data-feed]")
    expect(feed).to_contain_text("held an activity")
    scanned(page)
    page.goto(f"{DEMO}activities/")
    expect(page.get_by_role("link", name="Record an activity")).to_have_count(0)  # a viewer only reads
    scanned(page)
    # Every link of the feed leads to a page the member may read.
    page.goto(DEMO)
    for href in page.locator("[data-feed] a").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        # (A held activity's link is the list with the activity's anchor: its own page is the form, for those who
        # take part. The anchor is dropped, so that each link is a navigation of its own.)
        response = page.goto(href.split("#")[0])
        assert response is not None and response.status == 200, f"{href}: a feed link the member may not open"
    scanned(page)
