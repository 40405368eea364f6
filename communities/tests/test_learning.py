"""Learning from each other, without leaking (communities/learning.py), through its three pages: the members'
ratings side by side (named with consent, else an anonymous distribution of published ratings from five
cities), who is strong where a member city is weak, and the community's summary; who may see them, and their
query budget."""

import html
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from actionplans import actions as plan_actions
from actionplans.models import Action
from assessments import actions as assessment_actions
from assessments.models import Assessment
from benchmarks.models import BenchmarkVersion, Topic
from cities.models import Role, Workspace
from communities import actions
from communities.learning import Distribution, RatingRow, ThemeRatings
from communities.models import CityMember, Community
from mentoring import actions as mentoring_actions
from practices.models import Practice
from tests.support.cast import SITE, Cast, client_for, join, make_user
from tests.support.results import LMP, city_workspace, library_city_workspace, published, rate, version_of

pytestmark = pytest.mark.django_db

# Four key factors of the labour market benchmark (standard: 3 – Established).
AF, COORD, PATH, SPEC = (
    "appropriate-framework",
    "coordination-of-service-providers",
    "pathways-to-employment",
    "specialist-provision",
)
OURS: dict[str, int | None] = {AF: 0, COORD: 1, PATH: 1, SPEC: 2, "baseline-information": 3}


def text(response: Any) -> str:
    """The page's text as read: entities decoded, names out of their <bdi> isolation."""
    page = html.unescape(response.content.decode())
    return re.sub(r"</?bdi[^>]*>", "", page)


def url(name: str, community: Community) -> str:
    return reverse(f"communities:{name}", args=[community.slug])


def a_community(cast: Cast, *, slug: str = "labour-market", visibility: str = "public") -> Community:
    return actions.do_save_community(
        None,
        by=cast.admin,
        name="Labour market partnerships network",
        slug=slug,
        benchmark=version_of(LMP).benchmark,
        topic=None,
        description="Cities learning from each other on labour market partnerships.",
        visibility=visibility,
        coordinators=[cast.admin],
    )


def joined(community: Community, workspace: Workspace, coordinator: User, *, shares: bool = False) -> CityMember:
    """Invited by the network, accepted by the city's coordinator, and (with `shares`) consenting."""
    member = actions.do_invite_city(community, workspace, by=community.coordinators.get(), site_url=SITE)
    member = actions.do_answer_invitation(member, by=coordinator, accept=True, site_url=SITE)
    if shares:
        member = actions.do_set_consent(member, by=coordinator, shares=True)
    return member


def private_submitted(
    workspace: Workspace, by: User, version: BenchmarkVersion, round: str, ratings: dict[str, int | None]
) -> Assessment:
    return published(workspace, by, version, round, ratings, visibility="private")


def publishing_cities(
    cast: Cast, community: Community, count: int, *, start: int = 0, ratings: dict[str, int | None] | None = None
) -> list[Workspace]:
    """`count` member cities that do not consent, each with a published assessment (AF rated 1 by default)."""
    version = version_of(LMP)
    found = []
    for n in range(start, start + count):
        workspace, coordinator = city_workspace(cast.admin, f"Pubville {n}")
        joined(community, workspace, coordinator)
        published(workspace, coordinator, version, "2025", ratings or {AF: 1, COORD: 2})
        found.append(workspace)
    return found


@dataclass
class World:
    community: Community
    version: BenchmarkVersion
    bville: Workspace
    secret: Workspace  # does not consent; its only assessment is submitted but private
    ours: Assessment  # Aville's draft


def build_world(cast: Cast) -> World:
    """Aville (the viewer's city, not consenting, a draft with four gaps); Bville consenting, its latest
    submitted assessment private (all four gaps at the standard or better); Secretville not consenting, its
    submitted assessment private (rated 4 throughout: it must count nowhere)."""
    version = version_of(LMP)
    community = a_community(cast)
    joined(community, cast.workspace, cast.coordinator)
    joined(community, cast.other_workspace, cast.other, shares=True)
    private_submitted(cast.other_workspace, cast.other, version, "2025", {AF: 3, COORD: 3, PATH: 4, SPEC: 3})
    secret, secret_coordinator = city_workspace(cast.admin, "Secretville")
    joined(community, secret, secret_coordinator)
    private_submitted(secret, secret_coordinator, version, "2025", {AF: 4, COORD: 4, PATH: 4, SPEC: 4})
    ours = assessment_actions.do_start_assessment(cast.workspace, version, "2026", by=cast.coordinator)
    rate(ours, cast.coordinator, OURS)
    return World(community, version, cast.other_workspace, secret, ours)


def theme_of(response: Any, index: int = 0) -> ThemeRatings:
    found: ThemeRatings = response.context["themes"][index]
    return found


def row_of(block: ThemeRatings, slug: str) -> RatingRow:
    return next(row for row in block.rows if row.key_factor.slug == slug)


def counts(distribution: Distribution | None) -> dict[int, int]:
    assert distribution is not None
    return {level.value: n for level, n in distribution.counts}


# ---- who may see the pages


@pytest.mark.parametrize("name", ["ratings", "summary", "strengths"])
def test_the_pages_are_for_members_only(cast: Cast, login_url: str, name: str) -> None:
    community = a_community(cast)
    joined(community, cast.workspace, cast.coordinator)
    page = url(name, community)
    # A public community's members' pages are still missing to anyone else.
    assert client_for(cast.other).get(page).status_code == 404
    assert client_for(make_user("stranger@nowhere.example")).get(page).status_code == 404
    anonymous = client_for(None).get(page)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(login_url)
    assert client_for(cast.viewer).get(page).status_code == 200
    assert client_for(cast.coordinator).get(page).status_code == 200
    assert client_for(cast.admin).get(page).status_code == 200
    assert client_for(cast.admin).get(reverse(f"communities:{name}", args=["no-such-community"])).status_code == 404


@pytest.mark.parametrize("name", ["ratings", "summary", "strengths"])
def test_the_pages_only_read(cast: Cast, name: str) -> None:
    community = a_community(cast)
    joined(community, cast.workspace, cast.coordinator)
    assert client_for(cast.coordinator).post(url(name, community)).status_code == 405


def test_a_city_that_left_no_longer_sees_the_pages(cast: Cast) -> None:
    community = a_community(cast)
    member = joined(community, cast.workspace, cast.coordinator)
    actions.do_leave_city(member, by=cast.coordinator)
    assert client_for(cast.coordinator).get(url("ratings", community)).status_code == 404


# ---- 1. ratings side by side


def test_a_consenting_city_is_named_with_its_rating(cast: Cast) -> None:
    world = build_world(cast)
    response = client_for(cast.coordinator).get(url("ratings", world.community))
    assert response.status_code == 200
    block = theme_of(response)
    assert [t.city_name for t in block.theme.named_with_data] == ["Bville"]
    af = row_of(block, AF)
    assert [(c.track.city_name, c.level.number_and_words) for c in af.cells] == [("Bville", "3 – Established")]
    page = text(response)
    assert 'data-city="Bville"' in page
    assert "3 – Established" in page

    # Its newer draft and a newer deleted assessment do not count: the latest submitted one, not deleted, does.
    draft = assessment_actions.do_start_assessment(cast.other_workspace, world.version, "2027", by=cast.other)
    rate(draft, cast.other, {AF: 0})
    deleted = private_submitted(cast.other_workspace, cast.other, world.version, "2026", {AF: 1})
    assessment_actions.do_delete_assessment(deleted, by=cast.other)
    response = client_for(cast.coordinator).get(url("ratings", world.community))
    cells = row_of(theme_of(response), AF).cells
    assert [(c.track.latest.round if c.track.latest else None, c.level.value if c.level else None) for c in cells] == [
        ("2025", 3)
    ]


def test_an_unpublished_rating_of_a_city_that_does_not_consent_counts_nowhere(cast: Cast) -> None:
    world = build_world(cast)
    publishing_cities(cast, world.community, 5)
    response = client_for(cast.coordinator).get(url("ratings", world.community))
    block = theme_of(response)
    theme = block.theme
    assert "Secretville" not in {t.city_name for t in theme.named + theme.anonymous}
    assert len(theme.anonymous) == 5
    af = row_of(block, AF).distribution
    # The five published cities rate it 1; Secretville's private 4 is in no count.
    assert counts(af) == {0: 0, 1: 5, 2: 0, 3: 0, 4: 0}
    assert (af.below, af.at_or_above, af.not_rated) == (5, 0, 0)
    page = text(response)
    assert "Secretville" not in page
    # Secretville is one of the cities sharing nothing; Aville (a draft only) is the other.
    assert "2 member cities share no ratings here" in page
    # Nor on the summary.
    summary = client_for(cast.coordinator).get(url("summary", world.community))
    hard = {row.key_factor.slug: row for row in summary.context["summary"].themes[0].hard}
    assert (hard[AF].below, hard[AF].rated) == (5, 6)  # the five published and Bville, never Secretville
    assert "Secretville" not in text(summary)


def test_published_ratings_of_cities_that_do_not_consent_show_only_as_a_distribution_from_five(cast: Cast) -> None:
    world = build_world(cast)
    publishing_cities(cast, world.community, 4)
    client = client_for(cast.coordinator)
    response = client.get(url("ratings", world.community))
    block = theme_of(response)
    assert not block.theme.shown
    assert all(row.distribution is None for row in block.rows)
    page = text(response)
    assert "Pubville" not in page
    # No count of the four (nor of the cities sharing nothing, which would give it away by subtraction).
    assert "6 member cities are not shown" in page
    assert "fewer than 5 are" in page
    assert "share no ratings here" not in page
    assert "data-distribution" not in page

    publishing_cities(cast, world.community, 1, start=4)
    response = client.get(url("ratings", world.community))
    block = theme_of(response)
    assert block.theme.shown
    page = text(response)
    assert "Pubville" not in page
    assert "How many of the 5 member cities that do not share their ratings" in page
    coord = row_of(block, COORD).distribution
    assert counts(coord)[2] == 5


def test_the_anonymous_part_never_includes_a_consenting_city(cast: Cast) -> None:
    world = build_world(cast)
    publishing_cities(cast, world.community, 5)
    # Bville consents and also publishes: it is named, and only named.
    published(cast.other_workspace, cast.other, world.version, "2026", {AF: 4, COORD: 4})
    response = client_for(cast.coordinator).get(url("ratings", world.community))
    block = theme_of(response)
    theme = block.theme
    assert [t.city_name for t in theme.anonymous].count("Bville") == 0
    assert len(theme.anonymous) == 5
    af = row_of(block, AF)
    assert [c.level.value for c in af.cells] == [4]  # its latest, 2026
    assert counts(af.distribution)[4] == 0
    assert af.distribution.below + af.distribution.at_or_above + af.distribution.not_rated == 5

    # Withdrawn consent: its published ratings join the anonymous part, and its private ones leave the page.
    member = CityMember.objects.get(community=world.community, workspace=cast.other_workspace)
    actions.do_set_consent(member, by=cast.other, shares=False)
    response = client_for(cast.coordinator).get(url("ratings", world.community))
    theme = theme_of(response).theme
    assert theme.named_with_data == []
    assert len(theme.anonymous) == 6
    assert 'data-city="Bville"' not in text(response)


@pytest.mark.parametrize("name", ["ratings", "summary", "strengths"])
def test_the_queries_do_not_grow_with_the_member_cities(cast: Cast, name: str) -> None:
    world = build_world(cast)
    client = client_for(cast.coordinator)
    page = url(name, world.community)
    version = world.version

    def consenting(start: int, stop: int) -> None:
        for n in range(start, stop):
            workspace, coordinator = city_workspace(cast.admin, f"Shareville {n}")
            joined(world.community, workspace, coordinator, shares=True)
            private_submitted(workspace, coordinator, version, "2024", {AF: n % 5, COORD: 3})
            private_submitted(workspace, coordinator, version, "2025", {AF: n % 4, PATH: 3})

    def counted() -> int:
        client.get(page)  # warm: sessions, caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert response.status_code == 200
        return len(queries)

    publishing_cities(cast, world.community, 1)
    consenting(0, 1)
    few = counted()  # 5 member cities
    publishing_cities(cast, world.community, 5, start=1)
    consenting(1, 6)
    many = counted()  # 15 member cities
    assert CityMember.objects.filter(community=world.community, status="active").count() == 15
    assert many == few


# ---- 2. strong where we are weak


def strengths_world(cast: Cast) -> World:
    """The world, with Milan (a library city with practices on the gaps' key factors, publishing 3 of 4 at the
    standard, not consenting) and Bville offering to mentor on the benchmark."""
    world = build_world(cast)
    milan, milan_coordinator = library_city_workspace(cast.admin, "Milan")
    joined(world.community, milan, milan_coordinator)
    published(milan, milan_coordinator, world.version, "2025", {AF: 3, COORD: 3, PATH: 3, SPEC: 0})
    mentoring_actions.do_save_offer(
        cast.other_workspace,
        by=cast.other,
        benchmarks=[world.version.benchmark],
        languages=["en"],
        capacity=2,
        note="",
        open=True,
    )
    return world


def peer_blocks(page: str) -> dict[str, str]:
    page = page.split('id="left-heading"')[0]
    return {chunk.split('"', 1)[0]: chunk.split('"', 1)[1] for chunk in page.split('data-peer="')[1:]}


def test_strengths_rank_a_consenting_strong_city_first_with_reasons_in_numbers(cast: Cast) -> None:
    world = strengths_world(cast)
    response = client_for(cast.coordinator).get(url("strengths", world.community))
    assert response.status_code == 200
    found = response.context["strengths"]
    assert found.results.assessment == world.ours
    assert [gap.factor.key_factor.slug for gap in found.gaps] == [AF, COORD, PATH, SPEC]
    assert [p.city_name for p in found.peers] == ["Bville", "Milan"]
    assert [len(p.covered) for p in found.peers] == [4, 3]
    blocks = peer_blocks(text(response))
    assert (
        "4 of your 4 priority gaps are at “Established” or better there, from its 2025 assessment, shared with this "
        "community" in blocks["Bville"]
    )
    assert (
        "3 of your 4 priority gaps are at “Established” or better there, from its published 2025 assessment"
        in blocks["Milan"]
    )
    assert "practices of theirs in the library on these key factors" in blocks["Milan"]
    assert "0 practices of theirs in the library on these key factors" in blocks["Bville"]
    assert "Context not compared: it shares its ratings with this community, not its context notes" in blocks["Bville"]
    assert "0 mentorships completed before as a mentor city" in blocks["Bville"]
    # Bville offers to mentor: Aville's coordinator is led to the mentor candidates of this assessment.
    candidates = reverse("mentoring:candidates", args=[world.ours.public_id])
    assert candidates in blocks["Bville"]
    assert "Milan has not offered to mentor on this benchmark." in blocks["Milan"]
    # Secretville's private 4s count nowhere: it is left out, with why.
    left = {item.member.workspace.city.name: item.reason for item in found.left}
    assert left["Secretville"] == "shares no ratings with this community and has published no assessment here"
    assert "Secretville" not in blocks


def test_only_the_coordinators_are_led_to_request_a_mentorship(cast: Cast) -> None:
    world = strengths_world(cast)
    response = client_for(cast.viewer).get(url("strengths", world.community))
    assert response.status_code == 200
    page = text(response)
    assert reverse("mentoring:candidates", args=[world.ours.public_id]) not in page
    assert "Bville offers to mentor on this benchmark; your city's coordinators can ask it" in page


def test_strengths_for_another_assessment_or_city_of_ones_own_only(cast: Cast) -> None:
    world = strengths_world(cast)
    client = client_for(cast.coordinator)
    page = url("strengths", world.community)
    older = assessment_actions.do_start_assessment(cast.workspace, world.version, "2024", by=cast.coordinator)
    rate(older, cast.coordinator, {AF: 1})
    response = client.get(page, {"assessment": str(older.public_id)})
    assert response.status_code == 200
    assert [gap.factor.key_factor.slug for gap in response.context["strengths"].gaps] == [AF]
    # Someone else's assessment, another city, or nonsense: missing.
    bville = Assessment.objects.filter(workspace=cast.other_workspace).first()
    assert bville is not None
    assert client.get(page, {"assessment": str(bville.public_id)}).status_code == 404
    assert client.get(page, {"city": str(cast.other_workspace.public_id)}).status_code == 404
    assert client.get(page, {"city": "not-a-uuid"}).status_code == 404
    # A person of two member cities chooses between them.
    join(cast.other_workspace, cast.contributor, Role.VIEWER, by=cast.other)
    both = client_for(cast.contributor).get(page, {"city": str(cast.other_workspace.public_id)})
    assert both.status_code == 200
    assert both.context["member"].workspace == cast.other_workspace
    assert both.context["strengths"].results.assessment.workspace == cast.other_workspace


def test_staff_without_a_member_city_are_told_what_strengths_compare(cast: Cast) -> None:
    world = build_world(cast)
    response = client_for(cast.admin).get(url("strengths", world.community))
    assert response.status_code == 200
    assert response.context["strengths"] is None
    assert "You do not belong to a member city of this community" in text(response)


def test_a_topic_community_compares_strengths_within_a_chosen_benchmark(cast: Cast) -> None:
    topic = next(
        t for t in Topic.objects.order_by("slug") if t.key_factors.values("version__benchmark").distinct().count() > 1
    )
    community = actions.do_save_community(
        None,
        by=cast.admin,
        name="A topic network",
        slug="a-topic",
        benchmark=None,
        topic=topic,
        description="Across benchmarks.",
        visibility="members",
        coordinators=[cast.admin],
    )
    joined(community, cast.workspace, cast.coordinator)
    client = client_for(cast.coordinator)
    response = client.get(url("strengths", community))
    assert response.status_code == 200
    themes = response.context["themes"]
    assert len(themes) > 1
    assert "strengths are compared within one benchmark at a time" in text(response)
    second = themes[1].benchmark.slug
    chosen = client.get(url("strengths", community), {"benchmark": second})
    assert chosen.context["theme"].benchmark.slug == second
    assert client.get(url("strengths", community), {"benchmark": "no-such-benchmark"}).status_code == 404
    # The ratings page groups the key factors by benchmark.
    ratings = client.get(url("ratings", community))
    assert [b.theme.benchmark.slug for b in ratings.context["themes"]] == [t.benchmark.slug for t in themes]


# ---- 3. the summary


def test_the_summary_counts_hard_key_factors_practices_and_changes_between_rounds(cast: Cast) -> None:
    version = version_of(LMP)
    community = a_community(cast)
    joined(community, cast.workspace, cast.coordinator)
    # Bville consents: 1 then 3 on AF (up), 2 then 2 on COORD (the same).
    joined(community, cast.other_workspace, cast.other, shares=True)
    private_submitted(cast.other_workspace, cast.other, version, "2025", {AF: 1, COORD: 2})
    private_submitted(cast.other_workspace, cast.other, version, "2026", {AF: 3, COORD: 2})
    # Cville consents: 3 then 1 on AF (down); its plan adapts a practice of the library.
    cville, cville_coordinator = city_workspace(cast.admin, "Cville")
    joined(community, cville, cville_coordinator, shares=True)
    private_submitted(cville, cville_coordinator, version, "2025", {AF: 3, COORD: 3})
    latest = private_submitted(cville, cville_coordinator, version, "2026", {AF: 1, COORD: 3})
    practice = Practice.objects.filter(benchmark=version.benchmark).order_by("slug").first()
    assert practice is not None
    adapt(latest, cville_coordinator, practice)
    # Secretville does not consent: its private rounds and its plan count nowhere.
    secret, secret_coordinator = city_workspace(cast.admin, "Secretville")
    joined(community, secret, secret_coordinator)
    private_submitted(secret, secret_coordinator, version, "2025", {AF: 4})
    hidden = private_submitted(secret, secret_coordinator, version, "2026", {AF: 0})
    other_practice = (
        Practice.objects.filter(benchmark=version.benchmark)
        .exclude(pk=practice.pk)
        .exclude(city__name="Milan")
        .order_by("-slug")
        .first()
    )
    assert other_practice is not None and other_practice != practice
    adapt(hidden, secret_coordinator, other_practice)
    # Milan, a library city, does not consent: its practices are in the library anyway.
    milan, milan_coordinator = library_city_workspace(cast.admin, "Milan")
    joined(community, milan, milan_coordinator)
    # Four cities publish AF at 0: fewer than five, so not counted.
    publishing_cities(cast, community, 4, ratings={AF: 0})

    client = client_for(cast.coordinator)
    response = client.get(url("summary", community))
    assert response.status_code == 200
    found = response.context["summary"]
    block = found.themes[0]
    assert not block.anonymous_counted
    assert block.cities_counted == 2
    hard = {row.key_factor.slug: (row.below, row.rated) for row in block.hard}
    assert hard[AF] == (1, 2)  # Cville's 1; Bville's 3 meets the standard
    assert hard[COORD] == (1, 2)  # Bville's 2
    assert block.hard[0].below == 1
    changes = {row.key_factor.slug: (row.up, row.same, row.down) for row in block.changes}
    assert changes[AF] == (1, 0, 1)
    assert changes[COORD] == (0, 2, 0)
    assert block.cities_with_two_rounds == 2
    assert [(use.slug, use.cities) for use in found.adapted] == [(practice.slug, 1)]
    assert {p.city.name for p in found.library} == {"Milan"}
    page = text(response)
    assert "Secretville" not in page
    assert other_practice.title not in page

    # A fifth publishing city: the anonymous ones now count in the hard key factors.
    publishing_cities(cast, community, 1, start=4, ratings={AF: 0})
    block = client.get(url("summary", community)).context["summary"].themes[0]
    assert block.anonymous_counted
    hard = {row.key_factor.slug: (row.below, row.rated) for row in block.hard}
    assert hard[AF] == (6, 7)
    assert block.hard[0].key_factor.slug == AF
    # None of the published cities has two rounds: the changes stay the consenting cities'.
    assert not block.anonymous_in_changes
    assert block.cities_with_two_rounds == 2


def adapt(assessment: Assessment, by: User, practice: Practice) -> Action:
    """An action of the assessment's plan that adapts this practice."""
    plan = plan_actions.do_start_plan(assessment, by=by)
    action = plan_actions.do_add_action(plan, by=by, title="Adapting a practice")
    return plan_actions.do_save_action(
        action,
        plan_actions.ActionFields(title="Adapting a practice", adapts_practice=practice.slug),
        by=by,
        expected_version=action.lock_version,
    )
