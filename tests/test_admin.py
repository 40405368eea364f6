"""The admin screens for network staff: every screen and its search and filters load for staff with a
query count that does not grow with the data; read-only screens refuse changes; changes with rules go
through the apps' actions; every admin change reaches the security log; evidence files stay out."""

import json
import logging
import re
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from cities import actions
from cities.models import City, Membership, Role, Workspace, WorkspaceRequest
from evidence.models import Evidence
from lib.admin import ReadOnlyAdmin
from practices.models import ContactPerson
from tests.support.cast import Cast, join, make_user, signed_in_admin

pytestmark = pytest.mark.django_db

# Django's own group screen needs Django's permissions (superusers); every other screen is for network staff.
STAFF_SCREENS = [model for model in admin.site._registry if model._meta.label != "auth.Group"]
READ_ONLY = [model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, ReadOnlyAdmin)]


@pytest.fixture
def staff_client(cast: Cast) -> Client:
    return signed_in_admin(cast.admin)


def url(model: Any, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def security_events(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(record.getMessage()) for record in caplog.records if record.name == "icb.security"]


def run_action(client: Client, model: Any, action: str, objects: list[Any]) -> str:
    response = client.post(
        url(model, "changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects], "index": "0"},
        follow=True,
    )
    assert response.status_code == 200
    return response.text


def grow(cast: Cast) -> None:
    """More of everything the workspace screens list: a city with a workspace, a coordinator, members and
    an invitation, and a pending request."""
    newcomer = make_user("coordinator@cville.example")
    workspace = actions.do_approve_workspace_request(
        actions.do_request_workspace(
            by=newcomer, city_name="Cville", country="Otherland", message="", site_url="http://testserver/"
        ),
        by=cast.admin,
        site_url="http://testserver/",
    )
    for n in range(3):
        join(workspace, make_user(f"member{n}@cville.example"), Role.CONTRIBUTOR, by=newcomer)
    actions.do_invite(
        workspace, by=newcomer, email="new@cville.example", role=Role.VIEWER, organisation="", site_url="http://x/"
    )
    actions.do_request_workspace(
        by=newcomer, city_name="Dville", country="Otherland", message="please", site_url="http://testserver/"
    )


def test_the_screens_network_staff_need_are_there() -> None:
    labels = {model._meta.label for model in admin.site._registry}
    assert {
        "accounts.User",
        "cities.City",
        "cities.Workspace",
        "cities.Membership",
        "cities.WorkspaceRequest",
        "cities.Invitation",
        "practices.Practice",
        "practices.ContactPerson",
        "benchmarks.Benchmark",
        "benchmarks.BenchmarkVersion",
        "assessments.AssessmentEvent",
        "evidence.EvidenceEvent",
        "actionplans.ActionPlanEvent",
    } <= labels
    assert Evidence not in admin.site._registry, "evidence files are served only by the permission-checked views"


def test_the_admin_index_lists_the_screens_for_staff(staff_client: Client) -> None:
    page = staff_client.get("/admin/")
    assert page.status_code == 200
    for model in STAFF_SCREENS:
        assert url(model, "changelist") in page.text


@pytest.mark.parametrize("model", STAFF_SCREENS, ids=lambda model: model._meta.label)
def test_each_screen_its_search_and_its_filters_load_for_staff(staff_client: Client, model: Any) -> None:
    changelist = url(model, "changelist")
    page = staff_client.get(changelist)
    assert page.status_code == 200
    model_admin = admin.site._registry[model]
    if model_admin.search_fields:
        assert staff_client.get(changelist + "?q=aville").status_code == 200
    sidebar = page.text.split('id="changelist-filter"', 1)
    assert bool(model_admin.list_filter) == (len(sidebar) == 2)
    if len(sidebar) == 2:
        links = re.findall(r'href="(\?[^"]+)"', sidebar[1])
        assert links, "the filters offer choices"
        for link in links[:8]:
            assert staff_client.get(changelist + link.replace("&amp;", "&")).status_code == 200, link
    first = model_admin.get_queryset(None).first()  # type: ignore[arg-type]
    if first is not None:
        assert staff_client.get(url(model, "change", first.pk)).status_code == 200


def test_every_screen_costs_the_same_queries_with_more_data(staff_client: Client, cast: Cast) -> None:
    changelists = [url(model, "changelist") for model in STAFF_SCREENS]
    for changelist in changelists:
        staff_client.get(changelist)  # content types and the like are loaded once per process
    before = {changelist: queries(staff_client, changelist) for changelist in changelists}
    grow(cast)
    after = {changelist: queries(staff_client, changelist) for changelist in changelists}
    assert after == before
    assert max(after.values()) <= 12, sorted(after.items(), key=lambda item: -item[1])[:3]


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda model: model._meta.label)
def test_read_only_screens_refuse_adding_changing_and_deleting(staff_client: Client, model: Any) -> None:
    assert staff_client.post(url(model, "add"), {}).status_code == 403
    first = model._default_manager.first()
    if first is None:
        return
    before = model._default_manager.filter(pk=first.pk).values().get()
    assert staff_client.post(url(model, "change", first.pk), {"name": "Changed", "title": "Changed"}).status_code == 403
    assert staff_client.post(url(model, "delete", first.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=first.pk).values().get() == before


def test_a_change_of_role_goes_through_the_action_and_keeps_a_coordinator(
    staff_client: Client, cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="icb.security")
    coordinator = cast.member(cast.coordinator)
    page = run_action(staff_client, Membership, "make_viewer", [coordinator])
    assert "is the last coordinator" in page
    assert Membership.objects.get(pk=coordinator.pk).role == Role.COORDINATOR
    assert not [event for event in security_events(caplog) if event["event"].startswith("admin.")]

    contributor = cast.member(cast.contributor)
    run_action(staff_client, Membership, "make_coordinator", [contributor])
    assert Membership.objects.get(pk=contributor.pk).role == Role.COORDINATOR
    run_action(staff_client, Membership, "make_viewer", [coordinator])
    assert Membership.objects.get(pk=coordinator.pk).role == Role.VIEWER
    changes = [event for event in security_events(caplog) if event["event"] == "admin.change"]
    assert [(event["model"], event["object_id"], event["user"]) for event in changes] == [
        ("cities.Membership", str(contributor.pk), cast.admin.pk),
        ("cities.Membership", str(coordinator.pk), cast.admin.pk),
    ]


def test_removing_a_member_goes_through_the_action(staff_client: Client, cast: Cast) -> None:
    viewer = cast.member(cast.viewer)
    run_action(staff_client, Membership, "remove_member", [viewer])
    assert not Membership.objects.filter(pk=viewer.pk).exists()
    coordinator = cast.member(cast.coordinator)
    assert "cannot be removed" in run_action(staff_client, Membership, "remove_member", [coordinator])
    assert Membership.objects.filter(pk=coordinator.pk).exists()


def test_approving_a_request_opens_the_workspace_with_the_requester_as_coordinator(
    staff_client: Client, cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="icb.security")
    requester = make_user("mayor@cville.example")
    request = actions.do_request_workspace(
        by=requester, city_name="Cville", country="Testland", message="", site_url="http://testserver/"
    )
    run_action(staff_client, WorkspaceRequest, "approve", [request])
    workspace = Workspace.objects.get(city__name="Cville")
    assert Membership.objects.get(workspace=workspace, user=requester).role == Role.COORDINATOR
    assert WorkspaceRequest.objects.get(pk=request.pk).decided_by == cast.admin
    assert "already been decided" in run_action(staff_client, WorkspaceRequest, "decline", [request])
    assert WorkspaceRequest.objects.get(pk=request.pk).status == WorkspaceRequest.Status.APPROVED
    assert any(
        event["event"] == "admin.change" and event["model"] == "cities.WorkspaceRequest"
        for event in security_events(caplog)
    )


def test_a_workspace_opens_for_a_library_city_through_the_action(staff_client: Client) -> None:
    city = City.objects.filter(workspace__isnull=True).first()
    assert city is not None
    run_action(staff_client, City, "open_workspace", [city])
    assert Workspace.objects.filter(city=city).exists()
    assert "already has a workspace" in run_action(staff_client, City, "open_workspace", [city])


def test_recording_a_contacts_consent_shows_them_publicly_and_reaches_the_security_log(
    staff_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    contact = ContactPerson.objects.exclude(email="").select_related("practice").first()
    assert contact is not None and contact.consent_to_publish is None
    public = Client(HTTP_HOST="127.0.0.1")
    assert contact.email not in public.get(contact.practice.get_absolute_url()).text, "no consent, not public"
    caplog.set_level(logging.INFO, logger="icb.security")
    response = staff_client.post(
        url(ContactPerson, "change", contact.pk),
        {"consent_to_publish_0": "2026-11-30", "consent_to_publish_1": "10:00:00", "name": "Someone else"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.consent_to_publish is not None
    assert contact.name != "Someone else", "who the person is comes from the library"
    assert contact.email in public.get(contact.practice.get_absolute_url()).text
    (event,) = [event for event in security_events(caplog) if event["event"] == "admin.change"]
    assert event["model"] == "practices.ContactPerson"
    assert event["user"] > 0
    assert contact.email not in caplog.text, "the log names the change, not the person"

    run_action(staff_client, ContactPerson, "withdraw_consent", [contact])
    contact.refresh_from_db()
    assert contact.consent_to_publish is None


def test_staff_read_accounts_but_only_superusers_change_them(cast: Cast, staff_client: Client) -> None:
    assert "coordinator@aville.example" in staff_client.get(url(User, "changelist") + "?q=aville").text
    page = staff_client.get(url(User, "change", cast.viewer.pk))
    assert page.status_code == 200
    assert "viewer@aville.example" in page.text
    assert "algorithm" not in page.text, "not even the masked password hash"
    response = staff_client.post(url(User, "change", cast.viewer.pk), {"is_staff": "on", "is_active": "on"})
    assert response.status_code == 403
    assert not User.objects.get(pk=cast.viewer.pk).is_staff
    assert staff_client.post(url(User, "delete", cast.viewer.pk), {"post": "yes"}).status_code == 403


def test_a_superusers_account_change_reaches_the_security_log(cast: Cast, caplog: pytest.LogCaptureFixture) -> None:
    User.objects.filter(pk=cast.admin.pk).update(is_superuser=True)
    client = signed_in_admin(cast.admin)
    caplog.set_level(logging.INFO, logger="icb.security")
    viewer = cast.viewer
    form = {
        "first_name": "Vera",
        "last_name": "",
        "is_active": "on",
        "is_staff": "on",
        "last_login_0": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(url(User, "change", viewer.pk), form)
    assert response.status_code == 302, response.content[:2000]
    assert User.objects.get(pk=viewer.pk).is_staff
    (event,) = [event for event in security_events(caplog) if event["event"] == "admin.change"]
    assert event["model"] == "accounts.User"
    assert event["object_id"] == str(viewer.pk)
    assert "Staff status" in event["changes"]


def test_a_superusers_additions_and_deletions_reach_the_security_log(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    User.objects.filter(pk=cast.admin.pk).update(is_superuser=True)
    client = signed_in_admin(cast.admin)
    caplog.set_level(logging.INFO, logger="icb.security")
    assert client.post(url(Group, "add"), {"name": "Helpdesk"}).status_code == 302
    group = Group.objects.get(name="Helpdesk")
    assert client.post(url(Group, "delete", group.pk), {"post": "yes"}).status_code == 302
    assert not Group.objects.filter(pk=group.pk).exists()
    events = [(e["event"], e["model"], e["object_id"], e["user"]) for e in security_events(caplog) if "model" in e]
    assert events == [
        ("admin.addition", "auth.Group", str(group.pk), cast.admin.pk),
        ("admin.deletion", "auth.Group", str(group.pk), cast.admin.pk),
    ]
