"""Workspace actions: requests, roles, and the rule that a workspace always keeps a coordinator."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections

from cities import actions
from cities.models import City, Invitation, Membership, Role, Workspace, WorkspaceRequest
from tests.support.cast import Cast, join, make_user

pytestmark = pytest.mark.django_db


def test_approving_a_request_creates_city_workspace_and_coordinator(cast: Cast) -> None:
    requester = make_user("mayor@newtown.example")
    request = actions.do_request_workspace(
        by=requester, city_name="Newtown", country="Germany", message="Hi", site_url="http://testserver/"
    )
    workspace = actions.do_approve_workspace_request(request, by=cast.admin, site_url="http://testserver/")
    assert workspace.city.name == "Newtown"
    assert workspace.city.slug == "newtown"
    assert workspace.city.country_code == "DE"  # taken from the library's other German cities
    assert Membership.objects.get(workspace=workspace, user=requester).role == Role.COORDINATOR
    request.refresh_from_db()
    assert request.status == WorkspaceRequest.Status.APPROVED
    assert request.decided_by == cast.admin
    assert request.workspace == workspace


def test_approving_a_request_for_a_library_city_reuses_it(cast: Cast) -> None:
    requester = make_user("officer@munich.example")
    cities_before = City.objects.count()
    request = actions.do_request_workspace(
        by=requester, city_name="munich", country="germany", message="", site_url="http://testserver/"
    )
    workspace = actions.do_approve_workspace_request(request, by=cast.admin, site_url="http://testserver/")
    assert workspace.city.slug == "munich"
    assert City.objects.count() == cities_before


def test_a_new_city_gets_a_unique_slug(cast: Cast) -> None:
    requester = make_user("someone@aville.example")
    request = actions.do_request_workspace(
        by=requester, city_name="Aville", country="Elsewhere", message="", site_url="http://testserver/"
    )
    workspace = actions.do_approve_workspace_request(request, by=cast.admin, site_url="http://testserver/")
    assert workspace.city.slug == "aville-2"


def test_a_request_is_decided_once(cast: Cast) -> None:
    request = actions.do_request_workspace(
        by=cast.viewer, city_name="Ctown", country="Testland", message="", site_url="http://testserver/"
    )
    actions.do_decline_workspace_request(request, by=cast.admin, site_url="http://testserver/")
    with pytest.raises(actions.WorkspaceError, match="already been decided"):
        actions.do_approve_workspace_request(request, by=cast.admin, site_url="http://testserver/")
    assert not City.objects.filter(name="Ctown").exists()


def test_a_city_gets_one_workspace(cast: Cast) -> None:
    request = actions.do_request_workspace(
        by=cast.viewer, city_name="Aville", country="Testland", message="", site_url="http://testserver/"
    )
    with pytest.raises(actions.WorkspaceError, match="already has a workspace"):
        actions.do_approve_workspace_request(request, by=cast.admin, site_url="http://testserver/")
    with pytest.raises(actions.WorkspaceError, match="already has a workspace"):
        actions.do_create_workspace(cast.workspace.city, by=cast.admin)
    request.refresh_from_db()
    assert request.status == WorkspaceRequest.Status.PENDING


def test_admin_opens_a_workspace_for_a_library_city(cast: Cast) -> None:
    workspace = actions.do_create_workspace(City.objects.get(slug="munich"), by=cast.admin)
    assert workspace.memberships.count() == 0


def test_the_last_coordinator_cannot_be_demoted_or_removed(cast: Cast) -> None:
    only = cast.member(cast.coordinator)
    with pytest.raises(actions.WorkspaceError, match="last coordinator"):
        actions.do_change_role(only, by=cast.coordinator, role=Role.VIEWER)
    with pytest.raises(actions.WorkspaceError, match="last coordinator"):
        actions.do_remove_member(only, by=cast.coordinator)
    only.refresh_from_db()
    assert only.role == Role.COORDINATOR


def test_with_two_coordinators_one_may_step_down(cast: Cast) -> None:
    actions.do_change_role(cast.member(cast.contributor), by=cast.coordinator, role=Role.COORDINATOR)
    actions.do_change_role(cast.member(cast.coordinator), by=cast.coordinator, role=Role.CONTRIBUTOR)
    assert cast.member(cast.coordinator).role == Role.CONTRIBUTOR
    with pytest.raises(actions.WorkspaceError, match="last coordinator"):
        actions.do_remove_member(cast.member(cast.contributor), by=cast.contributor)


def test_a_partner_names_an_organisation_and_others_do_not_keep_one(cast: Cast) -> None:
    with pytest.raises(actions.WorkspaceError, match="organisation"):
        actions.do_change_role(cast.member(cast.viewer), by=cast.coordinator, role=Role.PARTNER)
    member = actions.do_change_role(
        cast.member(cast.viewer), by=cast.coordinator, role=Role.PARTNER, organisation="Aville Migrant Forum"
    )
    assert member.organisation == "Aville Migrant Forum"
    member = actions.do_change_role(member, by=cast.coordinator, role=Role.CONTRIBUTOR)
    assert member.organisation == ""
    with pytest.raises(actions.WorkspaceError, match="organisation"):
        actions.do_invite(
            cast.workspace, by=cast.coordinator, email="x@y.example", role=Role.PARTNER, organisation=" ", site_url="/"
        )


def test_invitation_mail_carries_a_token_of_which_only_the_hash_is_stored(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = actions.do_invite(
            cast.workspace,
            by=cast.coordinator,
            email="New.Person@Example.org",
            role=Role.CONTRIBUTOR,
            organisation="",
            site_url="https://bench.example/",
        )
    assert len(token) >= 40
    assert invitation.email == "new.person@example.org"
    assert token not in invitation.token_hash
    assert invitation.token_hash == actions.hash_token(token)
    assert abs(invitation.expires_at - invitation.created_at - timedelta(days=7)) < timedelta(seconds=5)
    [message] = mail.outbox
    assert message.to == ["new.person@example.org"]
    assert f"https://bench.example/workspaces/invitations/{token}/" in message.body
    assert "Aville" in message.subject


def test_no_mail_leaves_when_the_transaction_rolls_back(cast: Cast, django_capture_on_commit_callbacks) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(actions.WorkspaceError):
        actions.do_invite(
            cast.workspace,
            by=cast.coordinator,
            email=cast.viewer.email,
            role=Role.VIEWER,
            organisation="",
            site_url="/",
        )
    assert mail.outbox == []


def test_a_new_invitation_replaces_the_pending_one(cast: Cast) -> None:
    first, _ = actions.do_invite(
        cast.workspace, by=cast.coordinator, email="a@b.example", role=Role.VIEWER, organisation="", site_url="/"
    )
    second, _ = actions.do_invite(
        cast.workspace, by=cast.coordinator, email="A@B.example", role=Role.CONTRIBUTOR, organisation="", site_url="/"
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert Invitation.objects.filter(workspace=cast.workspace, email="a@b.example", revoked_at=None).get() == second


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite has none")
@pytest.mark.transactional
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_demoting_each_other_at_once_leave_one_coordinator(cast: Cast) -> None:
    first, workspace = cast.coordinator, cast.workspace
    second = make_user("second@aville.example")
    workspaces = Workspace.objects.count()
    join(workspace, second, Role.COORDINATOR, by=first)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(by_email: str, target_email: str) -> None:
        try:
            target = Membership.objects.get(workspace=workspace, user__email=target_email)
            by = target.user.__class__.objects.get(email=by_email)
            barrier.wait(timeout=10)
            actions.do_change_role(target, by=by, role=Role.VIEWER)
            outcomes.append("demoted")
        except actions.WorkspaceError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=demote, args=(first.email, second.email)),
        threading.Thread(target=demote, args=(second.email, first.email)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["demoted", "refused"]
    assert Membership.objects.filter(workspace=workspace, role=Role.COORDINATOR).count() == 1
    assert Workspace.objects.count() == workspaces
