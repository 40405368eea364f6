"""The communities rows of docs/roles.md, cell by cell, through HTTP; CSRF on every POST.

Each cell builds its world with the real actions: a public community (and, for one row, a members-only one)
coordinated by the coordinator of Coordville, a member city; city A (the cast's Aville) a member; an
organisation a member through its speaker; city B (the cast's Bville) not a member, asking to join or invited
where a row needs it. A forbidden object answers 404 (the same as a missing one); only the login wall
redirects."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from benchmarks.models import Benchmark, KeyFactor
from communities import actions
from communities.models import CityMember, Community, OrganisationMember, Post, Resource
from mentoring.models import Activity
from tests.support.cast import SITE, Cast, client_for, make_user, open_workspace, set_up_mfa
from tests.support.roles import LOGIN, N, Y, assert_cell, documented_table

pytestmark = pytest.mark.django_db

COLUMNS = [
    "anonymous",
    "coordinator",
    "member_coordinator",
    "member_contributor",
    "member_viewer",
    "organisation",
    "non_member",
    "admin",
]

TABLE: dict[str, list[str]] = {
    "read_public_page": [Y, Y, Y, Y, Y, Y, Y, Y],
    "read_members_only_page": [N, Y, Y, Y, Y, Y, N, Y],
    "create_community": [LOGIN, N, N, N, N, N, N, Y],
    "edit_community": [LOGIN, Y, N, N, N, N, N, Y],
    "read_history": [LOGIN, Y, N, N, N, N, N, Y],
    "invite_city": [LOGIN, Y, N, N, N, N, N, Y],
    "invite_organisation": [LOGIN, Y, N, N, N, N, N, Y],
    "decide_request": [LOGIN, Y, N, N, N, N, N, Y],
    "ask_to_join": [LOGIN, N, N, N, N, N, Y, N],
    "ask_for_organisation": [LOGIN, Y, Y, Y, Y, N, Y, Y],
    "decide_organisation_request": [LOGIN, Y, N, N, N, N, N, Y],
    "answer_invitation": [LOGIN, N, N, N, N, N, Y, N],
    "set_consent": [LOGIN, N, Y, N, N, N, N, N],
    "choose_speakers": [LOGIN, N, Y, N, N, N, N, N],
    "leave_community": [LOGIN, Y, Y, N, N, N, N, Y],
    "read_discussion": [LOGIN, Y, Y, Y, Y, Y, N, Y],
    "post_in_discussion": [LOGIN, Y, Y, Y, N, Y, N, N],
    "moderate_post": [LOGIN, Y, N, N, N, N, N, Y],
    "read_activities": [LOGIN, Y, Y, Y, Y, Y, N, Y],
    "record_activity": [LOGIN, Y, Y, Y, N, Y, N, Y],
    "delete_activity": [LOGIN, Y, Y, Y, N, Y, N, Y],
    "read_resources": [LOGIN, Y, Y, Y, Y, Y, N, Y],
    "add_resource": [LOGIN, Y, Y, Y, N, Y, N, Y],
    "download_resource": [LOGIN, Y, Y, Y, Y, Y, N, Y],
    "remove_others_resource": [LOGIN, Y, N, N, N, N, N, Y],
    "read_ratings": [LOGIN, Y, Y, Y, Y, Y, N, Y],
    "read_strengths": [LOGIN, Y, Y, Y, Y, Y, N, Y],
    "read_summary": [LOGIN, Y, Y, Y, Y, Y, N, Y],
}
FILE = b"topic,minutes\nwelcome,30\n"


@dataclass
class World:
    cast: Cast
    community: Community
    aville: CityMember
    coordinator: User
    speaker: User
    factor: KeyFactor
    post: Post
    resource: Resource


def world(cast: Cast, row: str) -> World:
    from lib.uploads import check_upload

    benchmark = Benchmark.objects.published().with_current().order_by("slug").first()
    assert benchmark is not None
    coordinator = make_user("coordinator@coordville.example")
    set_up_mfa(coordinator)
    coordville = open_workspace("Coordville", by=coordinator, admin=cast.admin)
    community = actions.do_save_community(
        None,
        by=cast.admin,
        name="Welcoming cities",
        slug="welcoming-cities",
        benchmark=benchmark,
        topic=None,
        description="Learning together.",
        visibility=Community.Visibility.MEMBERS if row == "read_members_only_page" else Community.Visibility.PUBLIC,
        coordinators=[coordinator],
    )
    members = []
    for workspace, by in ((coordville, coordinator), (cast.workspace, cast.coordinator)):
        invited = actions.do_invite_city(community, workspace, by=cast.admin, site_url=SITE)
        members.append(actions.do_answer_invitation(invited, by=by, accept=True, site_url=SITE))
    speaker = make_user("speaker@volunteers.example")
    organisation = actions.do_invite_organisation(
        community,
        by=cast.admin,
        name="Volunteers",
        kind=OrganisationMember.Kind.VOLUNTEER,
        city=None,
        website="",
        email=speaker.email,
        site_url=SITE,
    )
    actions.do_accept_organisation(organisation, by=speaker, site_url=SITE)
    if row == "decide_request":
        actions.do_ask_to_join(community, cast.other_workspace, by=cast.other, site_url=SITE)
    if row == "decide_organisation_request":
        asker = make_user("asker@migrant-voices.example")
        actions.do_ask_for_organisation(
            community, by=asker, name="Migrant Voices", kind="migrant", city=None, website="", site_url=SITE
        )
    if row == "answer_invitation":
        actions.do_invite_city(community, cast.other_workspace, by=cast.admin, site_url=SITE)
    factor = community.key_factors().first()
    assert factor is not None
    post = actions.do_post(
        community, factor, by=cast.contributor, voice=members[1], text="Our desk.", addressees=[], site_url=SITE
    )
    upload = SimpleUploadedFile("guide.csv", FILE, content_type="text/csv")
    checked = check_upload(upload, "guide.csv", len(FILE))
    upload.seek(0)
    resource = actions.do_add_resource(
        community, by=cast.partner, voice=members[1], title="Guide", description="", file=upload, checked=checked
    )
    return World(cast, community, members[1], coordinator, speaker, factor, post, resource)


def user_in(w: World, column: str) -> User | None:
    return {
        "anonymous": None,
        "coordinator": w.coordinator,
        "member_coordinator": w.cast.coordinator,
        "member_contributor": w.cast.contributor,
        "member_viewer": w.cast.viewer,
        "organisation": w.speaker,
        "non_member": w.cast.other,
        "admin": w.cast.admin,
    }[column]


def url(w: World, rest: str = "") -> str:
    return f"/communities/{w.community.slug}/{rest}"


def page(client: Client, path: str, text: str):
    response = client.get(path)
    return response, response.status_code == 200 and text in response.text


def read_public_page(client: Client, w: World):
    return page(client, url(w), "Welcoming cities")


def read_members_only_page(client: Client, w: World):
    return page(client, url(w), "Welcoming cities")


def create_community(client: Client, w: World):
    response = client.post(
        "/communities/new/",
        {
            "name": "Cities of arrival",
            "benchmark": w.community.benchmark.slug if w.community.benchmark else "",
            "description": "New.",
            "visibility": "public",
        },
    )
    return response, Community.objects.filter(name="Cities of arrival").exists()


def edit_community(client: Client, w: World):
    response = client.post(
        url(w, "edit/"),
        {
            "name": "Welcoming cities",
            "slug": w.community.slug,
            "benchmark": w.community.benchmark.slug if w.community.benchmark else "",
            "description": "Changed.",
            "visibility": "public",
            "coordinators": [w.coordinator.email],
        },
    )
    return response, Community.objects.filter(description="Changed.").exists()


def read_history(client: Client, w: World):
    return page(client, url(w, "history/"), "Community created")


def invite_city(client: Client, w: World):
    response = client.post(url(w, "invite/"), {"workspace": str(w.cast.other_workspace.public_id)})
    return response, CityMember.objects.filter(workspace=w.cast.other_workspace, status="invited").exists()


def invite_organisation(client: Client, w: World):
    response = client.post(
        url(w, "invite-organisation/"), {"name": "Migrants' voice", "kind": "migrant", "email": "mv@o.example"}
    )
    return response, OrganisationMember.objects.filter(name="Migrants' voice").exists()


def decide_request(client: Client, w: World):
    asked = CityMember.objects.get(workspace=w.cast.other_workspace, status="requested")
    response = client.post(url(w, f"cities/{asked.public_id}/decide/"), {"decision": "approve"})
    return response, CityMember.objects.filter(pk=asked.pk, status="active").exists()


def ask_to_join(client: Client, w: World):
    response = client.post(url(w, "ask/"), {"workspace": str(w.cast.other_workspace.public_id)})
    return response, CityMember.objects.filter(workspace=w.cast.other_workspace, status="requested").exists()


def ask_for_organisation(client: Client, w: World):
    response = client.post(url(w, "ask-organisation/"), {"join-name": "Neighbours United", "join-kind": "volunteer"})
    return response, OrganisationMember.objects.filter(name="Neighbours United", status="requested").exists()


def decide_organisation_request(client: Client, w: World):
    asked = OrganisationMember.objects.get(name="Migrant Voices", status="requested")
    response = client.post(url(w, f"cities/{asked.public_id}/decide/"), {"decision": "approve"})
    return response, OrganisationMember.objects.filter(pk=asked.pk, status="active").exists()


def answer_invitation(client: Client, w: World):
    invited = CityMember.objects.get(workspace=w.cast.other_workspace, status="invited")
    response = client.post(url(w, f"cities/{invited.public_id}/answer/"), {"decision": "accept"})
    return response, CityMember.objects.filter(pk=invited.pk, status="active").exists()


def set_consent(client: Client, w: World):
    field = f"{w.aville.public_id}-shares_ratings"
    response = client.post(url(w, f"cities/{w.aville.public_id}/consent/"), {field: "on"})
    return response, CityMember.objects.filter(pk=w.aville.pk, shares_ratings=True).exists()


def choose_speakers(client: Client, w: World):
    contributor = str(w.cast.member(w.cast.contributor).public_id)
    field = f"speakers-{w.aville.public_id}-speakers"
    response = client.post(url(w, f"cities/{w.aville.public_id}/speakers/"), {field: [contributor]})
    return response, list(w.aville.speakers.all()) == [w.cast.contributor]


def leave_community(client: Client, w: World):
    response = client.post(url(w, f"members/{w.aville.public_id}/leave/"))
    return response, CityMember.objects.filter(pk=w.aville.pk, status="left").exists()


def read_discussion(client: Client, w: World):
    return page(client, url(w, f"discussion/{w.factor.pk}/"), "Our desk.")


def post_in_discussion(client: Client, w: World):
    # Each of these people speaks for one member only, so the form needs no choice of whom they post for.
    response = client.post(url(w, f"discussion/{w.factor.pk}/"), {"text": "A new post."})
    return response, Post.objects.filter(text="A new post.").exists()


def moderate_post(client: Client, w: World):
    response = client.post(url(w, f"posts/{w.post.public_id}/moderate/"), {"action": "hide", "reason": "Off topic"})
    return response, Post.objects.filter(pk=w.post.pk, hidden_at__isnull=False).exists()


def read_activities(client: Client, w: World):
    return page(client, url(w, "activities/"), "<h1>")


def record_activity(client: Client, w: World):
    response = client.post(
        url(w, "activities/new/"),
        {
            "kind": "workshop",
            "status": "planned",
            "title": "Workshop on welcome desks",
            "time_zone": "Europe/Brussels",
            "starts_at": "2027-04-01T10:00",
            "ends_at": "2027-04-01T12:00",
            "online": "on",
        },
    )
    return response, Activity.objects.filter(title="Workshop on welcome desks").exists()


def delete_activity(client: Client, w: World):
    from datetime import UTC, datetime

    from communities.activities import do_save_community_activity
    from mentoring.activities import ActivityFields

    start = datetime(2026, 9, 1, 8, tzinfo=UTC)
    activity = do_save_community_activity(
        w.community,
        None,
        ActivityFields(
            kind="training",
            status="held",
            title="Training",
            starts_at=start,
            ends_at=start.replace(hour=10),
            time_zone="Europe/Brussels",
            online=True,
        ),
        [],
        by=w.cast.coordinator,
        site_url=SITE,
    )
    response = client.post(url(w, f"activities/{activity.public_id}/delete/"))
    return response, Activity.objects.filter(pk=activity.pk, deleted_at__isnull=False).exists()


def read_resources(client: Client, w: World):
    return page(client, url(w, "resources/"), "Guide")


def add_resource(client: Client, w: World):
    response = client.post(url(w, "resources/"), {"title": "A new guide", "url": "https://guides.example/new"})
    return response, Resource.objects.filter(title="A new guide").exists()


def download_resource(client: Client, w: World):
    response = client.get(url(w, f"resources/{w.resource.public_id}/download/"))
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return response, response.status_code == 200 and body == FILE


def remove_others_resource(client: Client, w: World):
    response = client.post(url(w, f"resources/{w.resource.public_id}/remove/"))
    return response, Resource.objects.filter(pk=w.resource.pk, deleted_at__isnull=False).exists()


def read_ratings(client: Client, w: World):
    return page(client, url(w, "ratings/"), "<h1>")


def read_strengths(client: Client, w: World):
    return page(client, url(w, "strengths/"), "<h1>")


def read_summary(client: Client, w: World):
    return page(client, url(w, "summary/"), "<h1>")


POSTS = {
    "create_community",
    "edit_community",
    "invite_city",
    "invite_organisation",
    "decide_request",
    "ask_to_join",
    "ask_for_organisation",
    "decide_organisation_request",
    "answer_invitation",
    "set_consent",
    "choose_speakers",
    "leave_community",
    "post_in_discussion",
    "moderate_post",
    "record_activity",
    "delete_activity",
    "add_resource",
    "remove_others_resource",
}


def test_the_table_here_is_the_table_in_docs() -> None:
    assert documented_table("Communities of practice") == TABLE


CELLS = [
    (row, column, expected)
    for row, outcomes in TABLE.items()
    for column, expected in zip(COLUMNS, outcomes, strict=True)
]


@pytest.mark.parametrize(("row", "column", "expected"), CELLS, ids=[f"{r}-{c}" for r, c, _ in CELLS])
def test_role_table_cell(cast: Cast, row: str, column: str, expected: str) -> None:
    w = world(cast, row)
    response, happened = globals()[row](client_for(user_in(w, column)), w)
    assert_cell(response, happened, expected, refusal_may_show=row.startswith("read") or row == "download_resource")


ALLOWED = {row: COLUMNS[TABLE[row].index(Y)] for row in POSTS}


@pytest.mark.parametrize("row", sorted(POSTS))
def test_every_post_needs_a_csrf_token(cast: Cast, row: str) -> None:
    w = world(cast, row)
    response, happened = globals()[row](client_for(user_in(w, ALLOWED[row]), enforce_csrf_checks=True), w)
    assert response.status_code == 403
    assert not happened
