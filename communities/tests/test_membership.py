"""A community's course through HTTP and the real actions: staff create it; a city asks to join and is
approved; a city is invited and accepts; an organisation is invited by e-mail and joins; consent and
leaving; the discussion with its mail and moderation; who sees what of a public and a members-only page."""

import re

import pytest

from benchmarks.models import Benchmark
from cities.models import Role, Workspace
from communities import actions
from communities.models import CityMember, Community, CommunityEvent, OrganisationMember, Post
from outbox.models import Mail
from tests.support.cast import SITE, Cast, client_for, make_user, open_workspace, set_up_mfa

pytestmark = pytest.mark.django_db


def text_of(page: str) -> str:
    """The page as read: tags (such as the <bdi> around names) dropped, spaces joined."""
    return " ".join(re.sub(r"<[^>]+>", "", page).split())


def a_benchmark() -> Benchmark:
    found = Benchmark.objects.published().with_current().order_by("slug").first()
    assert found is not None
    return found


def community_of(cast: Cast, *, visibility: str = Community.Visibility.PUBLIC) -> Community:
    return actions.do_save_community(
        None,
        by=cast.admin,
        name="Welcoming cities",
        slug="welcoming-cities",
        benchmark=a_benchmark(),
        topic=None,
        description="Cities learning to welcome newcomers together.",
        visibility=visibility,
        coordinators=[cast.admin],
    )


def member(community: Community, workspace: Workspace, cast: Cast) -> CityMember:
    invited = actions.do_invite_city(community, workspace, by=cast.admin, site_url=SITE)
    coordinator = workspace.memberships.get(role=Role.COORDINATOR).user
    return actions.do_answer_invitation(invited, by=coordinator, accept=True, site_url=SITE)


def test_staff_create_a_community_and_others_cannot(cast: Cast) -> None:
    data = {
        "name": "Labour market partners",
        "slug": "",
        "benchmark": a_benchmark().slug,
        "description": "Employers, cities and volunteers.",
        "visibility": "members",
        "coordinators": [cast.admin.email],
    }
    assert client_for(cast.coordinator).get("/communities/new/").status_code == 404
    assert client_for(cast.coordinator).post("/communities/new/", data).status_code == 404
    refused = client_for(cast.admin).post("/communities/new/", {**data, "description": ""})
    assert refused.status_code == 400
    assert "Labour market partners" in refused.content.decode()  # what was typed is kept
    response = client_for(cast.admin).post("/communities/new/", data)
    assert response.status_code == 302
    community = Community.objects.get(slug="labour-market-partners")
    assert response["Location"] == community.get_absolute_url()
    assert community.visibility == "members" and list(community.coordinators.all()) == [cast.admin]
    assert community.events.get().action == CommunityEvent.Action.CREATED


def test_a_theme_is_a_benchmark_or_a_topic_not_both(cast: Cast) -> None:
    with pytest.raises(actions.CommunityError):
        actions.do_save_community(
            None,
            by=cast.admin,
            name="Nothing",
            slug="nothing",
            benchmark=None,
            topic=None,
            description="x",
            visibility="public",
            coordinators=[],
        )


def test_a_city_asks_to_join_and_the_coordinators_approve(cast: Cast) -> None:
    community = community_of(cast)
    page = client_for(cast.coordinator).get(community.get_absolute_url()).content.decode()
    assert "Ask to join" in page
    response = client_for(cast.coordinator).post(
        f"/communities/{community.slug}/ask/", {"workspace": str(cast.workspace.public_id)}
    )
    assert response.status_code == 302
    asked = CityMember.objects.get(community=community, workspace=cast.workspace)
    assert asked.status == CityMember.Status.REQUESTED
    assert Mail.objects.filter(to=cast.admin.email, subject__contains="Aville asks to join").exists()
    # A contributor cannot answer for the city, nor can the city approve itself.
    assert (
        client_for(cast.contributor)
        .post(f"/communities/{community.slug}/ask/", {"workspace": str(cast.workspace.public_id)})
        .status_code
        == 404
    )
    denied = client_for(cast.coordinator).post(
        f"/communities/{community.slug}/cities/{asked.public_id}/decide/", {"decision": "approve"}
    )
    assert denied.status_code == 404
    approved = client_for(cast.admin).post(
        f"/communities/{community.slug}/cities/{asked.public_id}/decide/", {"decision": "approve"}
    )
    assert approved.status_code == 302
    asked.refresh_from_db()
    assert asked.status == CityMember.Status.ACTIVE and asked.joined_at is not None
    assert list(asked.speakers.all()) == [cast.coordinator]
    assert Mail.objects.filter(to=cast.coordinator.email, subject__contains="Aville joins").exists()
    assert [e.action for e in community.events.order_by("pk")][-2:] == ["requested", "approved"]


def test_an_invited_city_sees_a_members_only_community_and_accepts(cast: Cast) -> None:
    community = community_of(cast, visibility=Community.Visibility.MEMBERS)
    url = community.get_absolute_url()
    assert client_for(cast.other).get(url).status_code == 404
    invited = actions.do_invite_city(community, cast.other_workspace, by=cast.admin, site_url=SITE)
    assert Mail.objects.filter(to=cast.other.email, subject__contains="invited").exists()
    page = text_of(client_for(cast.other).get(url).content.decode())
    assert "Bville is invited to join" in page and "Accept for Bville" in page
    response = client_for(cast.other).post(
        f"/communities/{community.slug}/cities/{invited.public_id}/answer/", {"decision": "accept"}
    )
    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.status == CityMember.Status.ACTIVE
    # Now a member: the members' part of the page.
    assert "What members published" in client_for(cast.other).get(url).content.decode()


def test_who_sees_a_members_only_community(cast: Cast) -> None:
    community = community_of(cast, visibility=Community.Visibility.MEMBERS)
    member(community, cast.workspace, cast)
    url = community.get_absolute_url()
    assert client_for(None).get(url).status_code == 404
    assert client_for(cast.other).get(url).status_code == 404
    for person in (cast.coordinator, cast.contributor, cast.viewer, cast.partner, cast.admin):
        assert client_for(person).get(url).status_code == 200, person
    assert "Welcoming cities" not in client_for(None).get("/communities/").content.decode()
    assert "Welcoming cities" not in client_for(cast.other).get("/communities/").content.decode()
    assert "Welcoming cities" in client_for(cast.viewer).get("/communities/").content.decode()


def test_a_public_page_shows_its_members_but_not_the_members_part(cast: Cast) -> None:
    community = community_of(cast)
    member(community, cast.workspace, cast)
    page = client_for(None).get(community.get_absolute_url()).content.decode()
    assert "Welcoming cities" in page and "Aville" in page
    assert "What members published" not in page and "Ask to join" not in page
    assert client_for(None).get(f"/communities/{community.slug}/discussion/").status_code == 302  # sign in first
    assert client_for(cast.other).get(f"/communities/{community.slug}/discussion/").status_code == 404


def test_an_organisation_is_invited_by_mail_and_joins_with_that_address(cast: Cast) -> None:
    community = community_of(cast)
    response = client_for(cast.admin).post(
        f"/communities/{community.slug}/invite-organisation/",
        {"name": "Volunteers United", "kind": "volunteer", "website": "", "email": "Speaker@Volunteers.example"},
    )
    assert response.status_code == 302
    organisation = OrganisationMember.objects.get(community=community)
    assert organisation.status == OrganisationMember.Status.INVITED
    mail = Mail.objects.get(to__iexact="speaker@volunteers.example")
    link = re.search(r"/communities/organisations/join/[\w-]+/", mail.body)
    assert link is not None
    # The address is personal data: never on the page, not even for the coordinators.
    assert "speaker@volunteers.example" not in client_for(cast.admin).get(community.get_absolute_url()).content.decode()
    stranger = make_user("someone@else.example")
    assert "another address" in client_for(stranger).get(link.group()).content.decode()
    assert client_for(stranger).post(link.group()).status_code == 400
    speaker = make_user("speaker@volunteers.example")
    assert client_for(speaker).post(link.group()).status_code == 302
    organisation.refresh_from_db()
    assert organisation.status == OrganisationMember.Status.ACTIVE
    assert list(organisation.speakers.all()) == [speaker]
    assert client_for(speaker).get(link.group()).status_code == 404  # the link works once
    assert client_for(speaker).get(f"/communities/{community.slug}/discussion/").status_code == 200


def test_consent_is_the_city_coordinators_and_leaving_ends_it(cast: Cast) -> None:
    community = community_of(cast)
    joined = member(community, cast.workspace, cast)
    url = f"/communities/{community.slug}/cities/{joined.public_id}/consent/"
    field = f"{joined.public_id}-shares_ratings"
    assert client_for(cast.contributor).post(url, {field: "on"}).status_code == 404
    assert client_for(cast.coordinator).post(url, {field: "on"}).status_code == 302
    joined.refresh_from_db()
    assert joined.shares_ratings
    assert community.events.filter(action=CommunityEvent.Action.CONSENT).get().changes["shares"] is True
    assert client_for(cast.coordinator).post(url, {}).status_code == 302
    joined.refresh_from_db()
    assert not joined.shares_ratings
    actions.do_set_consent(joined, by=cast.coordinator, shares=True)
    left = client_for(cast.coordinator).post(f"/communities/{community.slug}/members/{joined.public_id}/leave/")
    assert left.status_code == 302
    joined.refresh_from_db()
    assert joined.status == CityMember.Status.LEFT and not joined.shares_ratings
    # Having left, it may ask again.
    assert actions.do_ask_to_join(community, cast.workspace, by=cast.coordinator, site_url=SITE).status == "requested"


def test_a_thread_per_key_factor_with_mail_and_moderation(cast: Cast) -> None:
    community = community_of(cast)
    ours = member(community, cast.workspace, cast)
    admin_of_c = make_user("coordinator@cville.example")
    set_up_mfa(admin_of_c)
    theirs = member(community, open_workspace("Cville", by=admin_of_c, admin=cast.admin), cast)
    factor = community.key_factors().first()
    assert factor is not None
    url = f"/communities/{community.slug}/discussion/{factor.pk}/"
    # A viewer reads but does not post.
    viewer_page = client_for(cast.viewer).get(url)
    assert viewer_page.status_code == 200 and "Write a post" not in viewer_page.content.decode()
    assert client_for(cast.viewer).post(url, {"text": "Hello"}).status_code == 404
    empty = client_for(cast.contributor).post(url, {"text": "", "voice": f"city:{ours.public_id}"})
    assert empty.status_code == 400 and "Write the post before sending it." in empty.content.decode()
    sent = client_for(cast.contributor).post(
        url,
        {
            "text": "Our one-stop shop halved waiting times.",
            "voice": f"city:{ours.public_id}",
            "addressed_to": [f"city:{theirs.public_id}"],
        },
    )
    assert sent.status_code == 302
    post = Post.objects.get(community=community)
    assert post.for_city == ours and list(post.addressees.all()) == [admin_of_c]
    assert Mail.objects.filter(to=admin_of_c.email, body__contains="one-stop shop").exists()
    # Moderation: only the coordinators; the reason shows in its place, the text stays in the history.
    moderate = f"/communities/{community.slug}/posts/{post.public_id}/moderate/"
    assert client_for(cast.coordinator).post(moderate, {"action": "hide", "reason": "x"}).status_code == 404
    client_for(cast.admin).post(moderate, {"action": "hide", "reason": ""})
    post.refresh_from_db()
    assert post.hidden_at is None  # a reason is needed
    client_for(cast.admin).post(moderate, {"action": "hide", "reason": "Names a person"})
    page = client_for(admin_of_c).get(url).content.decode()
    assert "Names a person" in page and "one-stop shop" not in page
    hidden = community.events.get(action=CommunityEvent.Action.POST_HIDDEN)
    assert hidden.changes["text"] == "Our one-stop shop halved waiting times." and hidden.by == cast.admin
    client_for(cast.admin).post(moderate, {"action": "show"})
    assert "one-stop shop" in client_for(admin_of_c).get(url).content.decode()


def test_the_history_is_the_coordinators(cast: Cast) -> None:
    community = community_of(cast)
    member(community, cast.workspace, cast)
    url = f"/communities/{community.slug}/history/"
    assert client_for(cast.coordinator).get(url).status_code == 404
    page = client_for(cast.admin).get(url).content.decode()
    assert "Community created" in page and "Invited" in page and "Joined" in page


def test_a_name_without_latin_letters_needs_an_address_and_breaks_nothing(cast: Cast) -> None:
    data = {"name": "Κοινότητα υποδοχής", "slug": "", "benchmark": a_benchmark().slug, "description": "Greek cities."}
    refused = client_for(cast.admin).post("/communities/new/", {**data, "visibility": "public"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Give the page an address" in page and "Κοινότητα υποδοχής" in page
    assert not Community.objects.exists()
    made = client_for(cast.admin).post("/communities/new/", {**data, "slug": "welcome-gr", "visibility": "public"})
    assert made.status_code == 302
    assert client_for(None).get("/communities/").status_code == 200


def test_the_list_shows_a_members_only_community_only_to_who_may_open_it(cast: Cast) -> None:
    community = community_of(cast, visibility=Community.Visibility.MEMBERS)
    actions.do_invite_city(community, cast.workspace, by=cast.admin, site_url=SITE)
    # Invited: the city's coordinator may read the page to decide; its viewer may not, and does not see it listed.
    assert "Welcoming cities" in client_for(cast.coordinator).get("/communities/").content.decode()
    assert client_for(cast.coordinator).get(community.get_absolute_url()).status_code == 200
    assert "Welcoming cities" not in client_for(cast.viewer).get("/communities/").content.decode()
    assert client_for(cast.viewer).get(community.get_absolute_url()).status_code == 404


def test_only_staff_name_coordinators_and_no_address_reaches_the_others(cast: Cast) -> None:
    community = community_of(cast)
    member(community, cast.workspace, cast)
    actions.do_save_community(
        community,
        by=cast.admin,
        name=community.name,
        slug=community.slug,
        benchmark=community.benchmark,
        topic=None,
        description=community.description,
        visibility=community.visibility,
        coordinators=[cast.admin, cast.coordinator],
    )
    edit = f"/communities/{community.slug}/edit/"
    page = client_for(cast.coordinator).get(edit).content.decode()
    assert cast.admin.email not in page and "Network staff name the community" in page
    assert cast.admin.email in client_for(cast.admin).get(edit).content.decode()
    saved = client_for(cast.coordinator).post(
        edit,
        {
            "name": "Welcoming cities",
            "slug": community.slug,
            "benchmark": community.benchmark.slug if community.benchmark else "",
            "description": "Changed by the city's coordinator.",
            "visibility": "public",
        },
    )
    assert saved.status_code == 302
    community.refresh_from_db()
    assert community.description == "Changed by the city's coordinator."
    assert set(community.coordinators.all()) == {cast.admin, cast.coordinator}  # kept as staff set them


def test_the_invited_address_is_never_stored_and_invitations_are_limited(cast: Cast, settings) -> None:
    community = community_of(cast)
    settings.INVITATIONS_PER_USER_PER_HOUR = 2
    url = f"/communities/{community.slug}/invite-organisation/"
    for n in range(2):
        sent = client_for(cast.admin).post(url, {"name": f"Org {n}", "kind": "volunteer", "email": f"o{n}@x.example"})
        assert sent.status_code == 302
    refused = client_for(cast.admin).post(url, {"name": "Org 2", "kind": "volunteer", "email": "o2@x.example"})
    assert refused.status_code == 400 and "Org 2" in refused.content.decode()
    assert "invitations in the last hour" in refused.content.decode()
    assert not Mail.objects.filter(to="o2@x.example").exists()
    organisation = OrganisationMember.objects.get(name="Org 0")
    stored = [str(getattr(organisation, f.attname)) for f in OrganisationMember._meta.concrete_fields]
    assert not any("o0@x.example" in value for value in stored)
    speaker = make_user("o0@x.example")
    token = re.search(r"/organisations/join/([\w-]+)/", Mail.objects.get(to="o0@x.example").body)
    assert token is not None
    actions.do_accept_organisation(actions.organisation_invitation(token.group(1)), by=speaker, site_url=SITE)  # type: ignore[arg-type]
    organisation.refresh_from_db()
    assert organisation.email_hash == "" and organisation.token_hash == ""


def test_the_feed_links_a_held_activity_to_the_list_every_member_reads(cast: Cast) -> None:
    from datetime import UTC, datetime

    from communities.activities import do_save_community_activity
    from mentoring.activities import ActivityFields

    community = community_of(cast)
    member(community, cast.workspace, cast)
    start = datetime(2026, 5, 4, 8, tzinfo=UTC)
    activity = do_save_community_activity(
        community,
        None,
        ActivityFields(
            kind="workshop",
            status="held",
            title="Workshop on welcome desks",
            starts_at=start,
            ends_at=start.replace(hour=10),
            time_zone="Europe/Brussels",
            online=True,
        ),
        [],
        by=cast.coordinator,
        site_url=SITE,
    )
    page = client_for(cast.viewer).get(community.get_absolute_url()).content.decode()
    link = re.search(r'href="([^"]+)">Workshop on welcome desks', page)
    assert link is not None and link.group(1).endswith(f"#activity-{activity.public_id}")
    assert client_for(cast.viewer).get(link.group(1).split("#")[0]).status_code == 200


def test_the_city_coordinators_choose_who_speaks_for_it_and_only_members_read_the_names(cast: Cast) -> None:
    community = community_of(cast)
    joined = member(community, cast.workspace, cast)
    cast.contributor.first_name, cast.contributor.last_name = "Carla", "Contreras"
    cast.contributor.save()
    url = f"/communities/{community.slug}/cities/{joined.public_id}/speakers/"
    field = f"speakers-{joined.public_id}-speakers"
    contributor = str(cast.member(cast.contributor).public_id)
    assert client_for(cast.contributor).post(url, {field: [contributor]}).status_code == 404
    empty = client_for(cast.coordinator).post(url, {})
    assert empty.status_code == 400 and "Choose at least one person to speak for the city." in empty.content.decode()
    other = client_for(cast.coordinator).post(url, {field: [str(cast.other_workspace.memberships.get().public_id)]})
    assert other.status_code == 400  # not a member of Aville's workspace
    assert client_for(cast.coordinator).post(url, {field: [contributor]}).status_code == 302
    assert list(joined.speakers.all()) == [cast.contributor]
    event = community.events.get(action=CommunityEvent.Action.SPEAKERS)
    assert event.changes["speakers"]["to"] == ["Carla Contreras"]
    assert cast.contributor.email not in str(event.changes)
    assert "Carla Contreras" in text_of(client_for(cast.viewer).get(community.get_absolute_url()).content.decode())
    public = client_for(None).get(community.get_absolute_url()).content.decode()
    assert "Carla" not in public and cast.coordinator.email not in public


def test_the_feed_shows_a_member_citys_practice_added_to_the_library(cast: Cast) -> None:
    from django.utils import timezone

    from practices.models import Practice

    community = community_of(cast)
    member(community, cast.workspace, cast)
    Practice.objects.create(
        slug="aville-welcome-desk",
        city=cast.workspace.city,
        benchmark=community.benchmark,
        title="Aville's welcome desk",
        summary="A desk.",
        added_at=timezone.now(),
    )
    Practice.objects.create(
        slug="bville-welcome-desk",
        city=cast.other_workspace.city,
        benchmark=community.benchmark,
        title="Bville's welcome desk",
        summary="A desk.",
        added_at=timezone.now(),
    )
    feed = client_for(cast.viewer).get(community.get_absolute_url()).content.decode()
    assert "has a new practice in the library" in feed and "Aville&#x27;s welcome desk" in feed
    assert "Bville&#x27;s welcome desk" not in feed  # not a member city


def test_the_feed_shows_a_member_citys_plan_made_public_while_it_stays_public(cast: Cast) -> None:
    from actionplans.actions import do_set_plan_visibility, do_start_plan
    from assessments.actions import do_set_visibility
    from assessments.models import Assessment
    from tests.support.assessments import submitted_assessment

    community = community_of(cast)
    member(community, cast.workspace, cast)
    assessment = submitted_assessment(cast)
    plan = do_start_plan(assessment, by=cast.coordinator)
    do_set_visibility(assessment, Assessment.Visibility.PUBLISHED, by=cast.coordinator)
    do_set_plan_visibility(plan, "public", by=cast.coordinator)
    page = client_for(cast.viewer).get(community.get_absolute_url()).content.decode()
    assert "made its action plan public" in page and plan.get_public_url() in page
    do_set_visibility(assessment, Assessment.Visibility.PRIVATE, by=cast.coordinator)  # the plan is no longer read
    page = client_for(cast.viewer).get(community.get_absolute_url()).content.decode()
    assert "made its action plan public" not in page


def test_an_organisation_asks_to_join_and_the_coordinators_approve(cast: Cast) -> None:
    community = community_of(cast)
    asker = make_user("asker@neighbours.example")
    page = client_for(asker).get(community.get_absolute_url()).content.decode()
    assert "Ask to join for an organisation" in page
    empty = client_for(asker).post(f"/communities/{community.slug}/ask-organisation/", {"join-kind": "volunteer"})
    assert empty.status_code == 400
    sent = client_for(asker).post(
        f"/communities/{community.slug}/ask-organisation/", {"join-name": "Neighbours United", "join-kind": "volunteer"}
    )
    assert sent.status_code == 302
    asked = OrganisationMember.objects.get(community=community)
    assert asked.status == OrganisationMember.Status.REQUESTED and list(asked.speakers.all()) == [asker]
    assert Mail.objects.filter(to=cast.admin.email, subject__contains="Neighbours United asks to join").exists()
    # Not yet a member: the members' pages stay closed.
    assert client_for(asker).get(f"/communities/{community.slug}/discussion/").status_code == 404
    coordinating = text_of(client_for(cast.admin).get(community.get_absolute_url()).content.decode())
    assert "Approve Neighbours United" in coordinating
    decided = client_for(cast.admin).post(
        f"/communities/{community.slug}/cities/{asked.public_id}/decide/", {"decision": "approve"}
    )
    assert decided.status_code == 302
    asked.refresh_from_db()
    assert asked.status == OrganisationMember.Status.ACTIVE
    assert Mail.objects.filter(to=asker.email, subject__contains="Neighbours United joins").exists()
    assert client_for(asker).get(f"/communities/{community.slug}/discussion/").status_code == 200
    # Speaking for one organisation here, the person may not ask for another.
    again = client_for(asker).post(
        f"/communities/{community.slug}/ask-organisation/", {"join-name": "Another", "join-kind": "other"}
    )
    assert again.status_code == 404
