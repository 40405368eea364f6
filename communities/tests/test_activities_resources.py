"""A community's activities and resources through HTTP and the real actions: who records, reads, shares,
downloads and removes; participants limited to the active members; the edit conflict that keeps the typed
text; the mail to the members' speakers when an activity is planned; query budgets that do not grow."""

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from communities import actions
from communities.actions import CommunityError
from communities.activities import do_save_community_activity, live_activities
from communities.models import (
    CityMember,
    Community,
    CommunityActivity,
    CommunityEvent,
    OrganisationMember,
    Resource,
)
from mentoring.activities import ActivityFields
from mentoring.models import Activity
from outbox.models import Mail
from tests.support.assessments import a_version
from tests.support.cast import SITE, Cast, client_for, make_user, open_workspace, set_up_mfa
from tests.support.evidence import PDF, upload

pytestmark = pytest.mark.django_db

LISBON = "Europe/Lisbon"
MAIL_KIND = "mentoring/email/community_activity"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def s(cast: Cast) -> dict[str, Any]:
    """A community on a benchmark with Aville and Bville as member cities, the Welcome Network (fictional) as
    member organisation, and Cville, a city with a workspace that is not a member."""
    community = actions.do_save_community(
        None,
        by=cast.admin,
        name="Welcoming newcomers",
        slug="welcoming-newcomers",
        benchmark=a_version().benchmark,
        topic=None,
        description="Cities learning from each other how to welcome newcomers.",
        visibility=Community.Visibility.MEMBERS,
        coordinators=[cast.admin],
    )
    for workspace, coordinator in ((cast.workspace, cast.coordinator), (cast.other_workspace, cast.other)):
        member = actions.do_invite_city(community, workspace, by=cast.admin, site_url=SITE)
        actions.do_answer_invitation(member, by=coordinator, accept=True, site_url=SITE)
    organisation = actions.do_invite_organisation(
        community,
        by=cast.admin,
        name="Welcome Network",
        kind=OrganisationMember.Kind.VOLUNTEER,
        city=None,
        website="",
        email="speaker@welcome.example",
        site_url=SITE,
    )
    speaker = make_user("speaker@welcome.example")
    actions.do_accept_organisation(organisation, by=speaker, site_url=SITE)
    outsider = make_user("coordinator@cville.example")
    cville = open_workspace("Cville", by=outsider, admin=cast.admin)
    set_up_mfa(outsider)
    Mail.objects.all().delete()
    return {
        "community": community,
        "organisation": organisation,
        "speaker": speaker,
        "cville": cville,
        "outsider": outsider,
        "aville": CityMember.objects.get(community=community, workspace=cast.workspace),
    }


def url(s: dict[str, Any], name: str = "activities", *extra: object) -> str:
    from django.urls import reverse

    return reverse(f"communities:{name}", args=[s["community"].slug, *extra])


def form_data(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "workshop",
        "status": "planned",
        "title": "Workshop on one-stop shops",
        "time_zone": LISBON,
        "starts_at": "2027-01-14T10:00",
        "ends_at": "2027-01-14T12:00",
        "place": "City hall, Lisbon",
        "lock_version": "0",
    }
    data.update(extra)
    return data


def fields(title: str = "Study visit", **extra: Any) -> ActivityFields:
    zone = ZoneInfo(LISBON)
    values: dict[str, Any] = {
        "kind": Activity.Kind.SITE_VISIT,
        "status": Activity.Status.PLANNED,
        "title": title,
        "starts_at": datetime(2027, 1, 14, 10, 0, tzinfo=zone),
        "ends_at": datetime(2027, 1, 14, 12, 0, tzinfo=zone),
        "time_zone": LISBON,
        "place": "Rua do Acolhimento 1, Lisbon",
    }
    values.update(extra)
    return ActivityFields(**values)


def saved(s: dict[str, Any], by: User, title: str = "Study visit", organisations: Any = (), **extra: Any) -> Activity:
    return do_save_community_activity(s["community"], None, fields(title, **extra), organisations, by=by, site_url=SITE)


# ---- Activities ----


def test_a_member_citys_contributor_records_an_activity_with_two_cities_and_an_organisation(
    cast: Cast, s: dict
) -> None:
    client = client_for(cast.contributor)
    assert client.get(url(s, "activity_new")).status_code == 200
    data = form_data(
        participant_cities=[str(cast.workspace.public_id), str(cast.other_workspace.public_id)],
        member_organisations=[str(s["organisation"].public_id)],
        organisations="Lisbon Migrant Forum",
        participant_count="14",
    )
    response = client.post(url(s, "activity_new"), data)
    assert response.status_code == 302 and response["Location"] == url(s)
    activity = Activity.objects.get(title="Workshop on one-stop shops")
    assert activity.mentorship is None and activity.created_by == cast.contributor
    assert activity.starts_at == datetime(2027, 1, 14, 10, tzinfo=ZoneInfo("UTC"))
    assert {w.pk for w in activity.participant_cities.all()} == {cast.workspace.pk, cast.other_workspace.pk}
    link = CommunityActivity.objects.get(activity=activity)
    assert link.community == s["community"] and list(link.organisations.all()) == [s["organisation"]]
    event = CommunityEvent.objects.filter(community=s["community"], action=CommunityEvent.Action.ACTIVITY).last()
    assert event is not None and event.by == cast.contributor
    assert event.changes["activity"] == "Workshop on one-stop shops"
    assert event.changes["created"]["participant_cities"] == ["Aville", "Bville"]
    assert event.changes["created"]["member_organisations"] == ["Welcome Network"]
    assert list(live_activities(s["community"])) == [activity]

    page = client_for(cast.viewer).get(url(s))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Workshop on one-stop shops" in html and "Planned" in html
    # In the activity's own zone, and in the reader's (the site's default zone here) as its clock differs.
    assert "14 January 2027, 10:00–12:00 (Europe/Lisbon)" in html
    assert "14 January 2027, 11:00–13:00 in your time zone (Europe/Brussels)" in html
    assert "<bdi>Aville</bdi>, <bdi>Bville</bdi>" in html
    assert "<bdi>Welcome Network</bdi>" in html and "Lisbon Migrant Forum" in html
    assert "14 people" in html

    # Edited: marked as held; the form shows what is stored.
    edit = client.get(url(s, "activity", activity.public_id)).content.decode()
    assert 'value="2027-01-14T10:00"' in edit
    assert f'<a href="{s["community"].get_absolute_url()}"><bdi>Welcoming newcomers</bdi></a>' in edit
    assert '<li aria-current="page">Change “Workshop on one-stop shops”</li>' in edit
    assert f'value="{s["organisation"].public_id}" id="id_member_organisations_0" checked' in edit
    response = client.post(url(s, "activity", activity.public_id), data | {"status": "held", "participant_count": "16"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Activity.Status.HELD and activity.lock_version == 1
    event = CommunityEvent.objects.filter(community=s["community"], action=CommunityEvent.Action.ACTIVITY).last()
    assert event is not None
    assert event.changes["edited"] == {
        "status": {"from": "planned", "to": "held"},
        "participant_count": {"from": 14, "to": 16},
    }
    assert "Held" in client.get(url(s)).content.decode()


def test_a_city_that_is_not_a_member_cannot_be_named(cast: Cast, s: dict) -> None:
    response = client_for(cast.coordinator).post(
        url(s, "activity_new"), form_data(participant_cities=[str(s["cville"].public_id)], agenda="1. Welcome")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "There is a problem" in html and "Member cities taking part: Choose among the community&#x27;s member" in html
    )
    assert 'value="Workshop on one-stop shops"' in html and "1. Welcome" in html  # what was typed, kept
    assert not Activity.objects.exists() and not CommunityActivity.objects.exists()
    # The action refuses it too, and an organisation that is not (or no longer) a member.
    with pytest.raises(CommunityError, match="member cities"):
        saved(s, cast.coordinator, participant_cities=[s["cville"]])
    actions.do_leave_organisation(s["organisation"], by=s["speaker"])
    with pytest.raises(CommunityError, match="member organisations"):
        saved(s, cast.coordinator, organisations=[s["organisation"]])
    with pytest.raises(CommunityError, match="end before it starts"):
        saved(s, cast.coordinator, ends_at=datetime(2027, 1, 13, tzinfo=ZoneInfo(LISBON)))
    assert not Activity.objects.exists()


def test_a_viewer_reads_the_activities_and_resources_but_cannot_add(cast: Cast, s: dict) -> None:
    activity = saved(s, cast.coordinator)
    client = client_for(cast.viewer)
    page = client.get(url(s)).content.decode()
    assert "Study visit" in page and url(s, "activity_new") not in page
    assert url(s, "activity", activity.public_id) not in page
    assert client.get(url(s, "activity_new")).status_code == 404
    assert client.post(url(s, "activity_new"), form_data()).status_code == 404
    assert client.get(url(s, "activity", activity.public_id)).status_code == 404
    resources = client.get(url(s, "resources"))
    assert resources.status_code == 200 and "Share a resource" not in resources.content.decode()
    link = {"title": "Guide", "url": "https://example.org/guide"}
    assert client.post(url(s, "resources"), link).status_code == 404
    assert Activity.objects.count() == 1 and not Resource.objects.exists()
    with pytest.raises(CommunityError):
        saved(s, cast.viewer, "By a viewer")


def test_a_non_member_gets_404_on_every_page_and_download(cast: Cast, s: dict) -> None:
    activity = saved(s, cast.coordinator)
    resource = actions.do_add_resource(
        s["community"],
        by=cast.coordinator,
        voice=s["aville"],
        title="Agenda",
        description="",
        file=upload("agenda.pdf", PDF),
        checked=_checked("agenda.pdf"),
    )
    reads = [
        url(s),
        url(s, "activity_new"),
        url(s, "activity", activity.public_id),
        url(s, "resources"),
        url(s, "resource_download", resource.public_id),
    ]
    posts = [url(s, "activity_new"), url(s, "resources"), url(s, "resource_remove", resource.public_id)]
    for user in (s["outsider"], make_user("nobody@example.org")):
        client = client_for(user)
        for address in reads:
            assert client.get(address).status_code == 404, (user, address)
        for address in posts:
            assert client.post(address, form_data()).status_code == 404, (user, address)
    anonymous = client_for(None)
    for address in reads:
        response = anonymous.get(address)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), address
    assert Activity.objects.count() == 1
    assert Resource.objects.get().deleted_at is None


def test_a_conflicting_edit_keeps_the_typed_text_beside_the_saved_version(cast: Cast, s: dict) -> None:
    activity = saved(s, cast.coordinator)
    address = url(s, "activity", activity.public_id)
    assert client_for(cast.other).post(address, form_data(title="Bville's title")).status_code == 302
    typed = form_data(title="Aville's title", agenda="1. Welcome\n2. The desk")
    response = client_for(cast.contributor).post(address, typed)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this activity meanwhile" in html
    assert "Bville&#x27;s title" in html  # the saved version
    assert 'value="Aville&#x27;s title"' in html and "2. The desk" in html  # what was typed
    assert 'name="lock_version" value="1"' in html
    activity.refresh_from_db()
    assert activity.title == "Bville's title"
    assert client_for(cast.contributor).post(address, typed | {"lock_version": "1"}).status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Aville's title" and activity.lock_version == 2


def test_an_activity_of_another_community_or_a_mentorship_is_not_found(cast: Cast, s: dict) -> None:
    other = actions.do_save_community(
        None,
        by=cast.admin,
        name="Housing",
        slug="housing",
        benchmark=a_version().benchmark,
        topic=None,
        description="Housing.",
        visibility=Community.Visibility.PUBLIC,
        coordinators=[cast.admin],
    )
    member = actions.do_invite_city(other, cast.workspace, by=cast.admin, site_url=SITE)
    actions.do_answer_invitation(member, by=cast.coordinator, accept=True, site_url=SITE)
    elsewhere = do_save_community_activity(other, None, fields("Elsewhere"), [], by=cast.coordinator, site_url=SITE)
    assert client_for(cast.coordinator).get(url(s, "activity", elsewhere.public_id)).status_code == 404
    with pytest.raises(CommunityError, match="not one of the community"):
        do_save_community_activity(
            s["community"], elsewhere, fields("Moved"), [], by=cast.coordinator, expected_version=0, site_url=SITE
        )


# ---- Mail ----


def test_planning_tells_the_other_members_speakers(cast: Cast, s: dict) -> None:
    activity = saved(s, cast.contributor)
    told = sorted(Mail.objects.filter(kind=MAIL_KIND).values_list("to", flat=True))
    # Aville's and Bville's coordinators speak for their cities (the first coordinator, on joining).
    assert told == ["coordinator@aville.example", "coordinator@bville.example", "speaker@welcome.example"]
    mail = Mail.objects.filter(kind=MAIL_KIND).first()
    assert mail is not None
    assert "Study visit" in mail.body and "Welcoming newcomers" in mail.body
    assert "2027-01-14, 10:00–12:00 (Europe/Lisbon)" in mail.body
    assert f"{url(s)}#activity-{activity.public_id}" in mail.body  # the list, which every member reads
    assert mail.body.strip().splitlines()[-1].endswith("/mentoring/notifications/")
    Mail.objects.all().delete()
    held = saved(s, s["speaker"], "Held already", status=Activity.Status.HELD)
    assert not Mail.objects.exists()
    do_save_community_activity(
        s["community"],
        held,
        fields("Held already", status=Activity.Status.PLANNED),
        [],
        by=s["speaker"],
        expected_version=0,
        site_url=SITE,
    )
    assert sorted(Mail.objects.values_list("to", flat=True)) == [
        "coordinator@aville.example",
        "coordinator@bville.example",
    ]  # the author aside
    Mail.objects.all().delete()
    actions.do_leave_city(
        CityMember.objects.get(community=s["community"], workspace=cast.other_workspace), by=cast.other
    )
    saved(s, cast.coordinator, "After Bville left")
    assert sorted(Mail.objects.values_list("to", flat=True)) == ["speaker@welcome.example"]


# ---- Resources ----


def test_a_file_resource_uploads_lists_downloads_and_after_removal_404s(cast: Cast, s: dict) -> None:
    client = client_for(cast.contributor)
    form = client.get(url(s, "resources")).content.decode()
    assert "Share a resource" in form and f'value="city:{s["aville"].public_id}"' in form
    response = client.post(
        url(s, "resources"),
        {
            "title": "",
            "description": "",
            "url": "",
            "voice": f"city:{s['aville'].public_id}",
            "file": upload("Guide, 2026.pdf", PDF),
        },
    )
    assert response.status_code == 302 and response["Location"] == url(s, "resources")
    resource = Resource.objects.get()
    assert resource.title == "Guide, 2026.pdf" and resource.file_type == "application/pdf"
    assert resource.for_city == s["aville"] and resource.added_by == cast.contributor
    assert resource.file.name.startswith("communities/") and "Guide" not in resource.file.name
    download = url(s, "resource_download", resource.public_id)

    page = client_for(s["speaker"]).get(url(s, "resources")).content.decode()
    assert download in page and "<bdi>Guide, 2026.pdf</bdi>" in page
    assert f"({len(PDF)}\xa0bytes)" in page or "KB" in page
    assert "for <bdi>Aville</bdi>" in page and "a member without a name on their account" in page
    assert cast.contributor.email not in page  # an address is personal data: never shown to other cities
    assert url(s, "resource_remove", resource.public_id) not in page  # not the speaker's to remove

    for user in (s["speaker"], cast.viewer, cast.other):
        got = client_for(user).get(download)
        assert got.status_code == 200
        assert b"".join(got.streaming_content) == PDF  # type: ignore[attr-defined]
        assert got["Content-Disposition"].startswith("attachment;")
        assert got["Content-Security-Policy"].startswith("sandbox")
    # Someone else who takes part cannot remove it; its author can.
    assert client_for(s["speaker"]).post(url(s, "resource_remove", resource.public_id)).status_code == 404
    assert client.post(url(s, "resource_remove", resource.public_id)).status_code == 302
    resource.refresh_from_db()
    assert resource.deleted_at is not None
    assert client_for(cast.viewer).get(download).status_code == 404
    assert download not in client.get(url(s, "resources")).content.decode()
    event = CommunityEvent.objects.filter(community=s["community"], action=CommunityEvent.Action.RESOURCE_REMOVED)
    assert event.get().by == cast.contributor


def test_a_coordinator_removes_any_resource(cast: Cast, s: dict) -> None:
    actions.do_add_resource(
        s["community"],
        by=s["speaker"],
        voice=s["organisation"],
        title="Toolkit",
        description="",
        url="https://example.org/t",
    )
    resource = Resource.objects.get()
    s["community"].coordinators.add(cast.other)
    page = client_for(cast.other).get(url(s, "resources")).content.decode()
    assert url(s, "resource_remove", resource.public_id) in page and "for <bdi>Welcome Network</bdi>" in page
    assert client_for(cast.other).post(url(s, "resource_remove", resource.public_id)).status_code == 302
    assert Resource.objects.get().deleted_at is not None


def test_a_link_needs_a_title_and_a_fake_file_is_refused(cast: Cast, s: dict) -> None:
    client = client_for(s["speaker"])
    response = client.post(
        url(s, "resources"), {"title": "", "description": "Read it", "url": "https://example.org/guide"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Give the link a title." in html
    assert 'value="https://example.org/guide"' in html and "Read it" in html
    assert not Resource.objects.exists()
    response = client.post(
        url(s, "resources"), {"title": "Report", "file": upload("report.pdf", b"%PDF-1.7\n<html></html>\n")}
    )
    assert response.status_code == 400 and "not a valid PDF" in response.content.decode()
    both = {"title": "Both", "url": "https://example.org", "file": upload("agenda.pdf", PDF)}
    assert client.post(url(s, "resources"), both).status_code == 400
    assert not Resource.objects.exists()
    voice = f"org:{s['organisation'].public_id}"  # the form's hidden field: the one member the speaker speaks for
    response = client.post(url(s, "resources"), {"title": "Guide", "url": "https://example.org/guide", "voice": voice})
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.for_organisation == s["organisation"] and resource.title == "Guide"
    page = client.get(url(s, "resources")).content.decode()
    assert 'href="https://example.org/guide"' in page and "for <bdi>Welcome Network</bdi>" in page


# ---- Query budgets ----


def _count(client: Any, address: str) -> int:
    client.get(address)  # the session's first request
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_query_budgets_of_the_lists_do_not_grow_from_2_to_6(cast: Cast, s: dict) -> None:
    def add(n: int) -> None:
        start = datetime(2027, 2, 1 + n, 10, tzinfo=ZoneInfo(LISBON))
        saved(
            s,
            cast.coordinator,
            f"Session {n}",
            organisations=[s["organisation"]],
            participant_cities=[cast.workspace, cast.other_workspace],
            starts_at=start,
            ends_at=start.replace(hour=11),
        )
        actions.do_add_resource(
            s["community"],
            by=cast.coordinator,
            voice=s["aville"],
            title=f"Link {n}",
            description="",
            url="https://example.org",
        )

    client = client_for(cast.viewer)
    for n in range(2):
        add(n)
    two = {page: _count(client, url(s, page)) for page in ("activities", "resources")}
    for n in range(2, 6):
        add(n)
    six = {page: _count(client, url(s, page)) for page in ("activities", "resources")}
    assert two == six
    assert all(count <= 20 for count in two.values()), two


def _checked(name: str) -> Any:
    from lib.uploads import check_upload

    return check_upload(upload(name, PDF), name, len(PDF))
