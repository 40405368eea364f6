"""The role table of docs/roles.md, cell by cell, through HTTP.

A forbidden object answers 404 (the same as a missing one); only the login wall redirects.
"""

import re
from collections.abc import Callable
from uuid import uuid4

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cities import actions
from cities.models import City, Invitation, Membership, Role, Workspace, WorkspaceRequest
from tests.support.cast import Cast, client_for, join, make_user
from tests.support.roles import LOGIN, ROLES, N, Y, user_for

pytestmark = pytest.mark.django_db


# Each row: action -> the outcome for each role, in the order of ROLES (as in docs/roles.md).
TABLE: dict[str, list[str]] = {
    "list_workspaces": [LOGIN, Y, Y, Y, Y, Y, Y],
    "view_workspace": [LOGIN, Y, Y, Y, Y, N, Y],
    "see_members": [LOGIN, Y, Y, Y, Y, N, Y],
    "invite": [LOGIN, N, N, N, Y, N, Y],
    "change_role": [LOGIN, N, N, N, Y, N, Y],
    "remove_member": [LOGIN, N, N, N, Y, N, Y],
    "revoke_invitation": [LOGIN, N, N, N, Y, N, Y],
    "request_workspace": [LOGIN, Y, Y, Y, Y, Y, Y],
    "approve_request": [LOGIN, N, N, N, N, N, Y],
    "decline_request": [LOGIN, N, N, N, N, N, Y],
    "create_workspace": [LOGIN, N, N, N, N, N, Y],
}


def without_csrf(html: str, address_id: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html).replace(address_id, "ID")


def ws(cast: Cast) -> str:
    return f"/workspaces/{cast.workspace.public_id}"


# Each attempt makes the request and returns (response, whether the effect is visible afterwards).
def list_workspaces(client: Client, cast: Cast):
    response = client.get("/workspaces/")
    return response, response.status_code == 200 and "Request a workspace for your city" in response.text


def view_workspace(client: Client, cast: Cast):
    response = client.get(f"{ws(cast)}/")
    return response, response.status_code == 200 and "Aville workspace" in response.text


def see_members(client: Client, cast: Cast):
    response = client.get(f"{ws(cast)}/")
    text = response.text
    return response, all(s in text for s in ("Aville Refugee Council", cast.viewer.email, "Partner organisation"))


def invite(client: Client, cast: Cast):
    response = client.post(f"{ws(cast)}/invite/", {"email": "new@aville.example", "role": "viewer"})
    return response, Invitation.objects.filter(email="new@aville.example").exists()


def change_role(client: Client, cast: Cast):
    member = cast.member(cast.viewer)
    prefix = f"m-{member.public_id}"
    response = client.post(
        f"{ws(cast)}/members/{member.public_id}/role/", {f"{prefix}-role": "contributor", f"{prefix}-organisation": ""}
    )
    return response, cast.member(cast.viewer).role == Role.CONTRIBUTOR


def remove_member(client: Client, cast: Cast):
    member = cast.member(cast.viewer)
    response = client.post(f"{ws(cast)}/members/{member.public_id}/remove/")
    return response, not Membership.objects.filter(pk=member.pk).exists()


def revoke_invitation(client: Client, cast: Cast):
    invitation, _ = actions.do_invite(
        cast.workspace,
        by=cast.coordinator,
        email="pending@aville.example",
        role="viewer",
        organisation="",
        site_url="/",
    )
    response = client.post(f"{ws(cast)}/invitations/{invitation.public_id}/revoke/")
    invitation.refresh_from_db()
    return response, invitation.revoked_at is not None


def request_workspace(client: Client, cast: Cast):
    response = client.post("/workspaces/request/", {"city_name": "Ctown", "country": "Testland", "message": ""})
    return response, WorkspaceRequest.objects.filter(city_name="Ctown").exists()


def _pending(cast: Cast) -> WorkspaceRequest:
    requester = make_user("requester@ctown.example")
    return actions.do_request_workspace(
        by=requester, city_name="Ctown", country="Testland", message="", site_url="http://testserver/"
    )


def approve_request(client: Client, cast: Cast):
    pending = _pending(cast)
    response = client.post(f"/workspaces/requests/{pending.public_id}/approve/")
    return response, Workspace.objects.filter(city__name="Ctown").exists()


def decline_request(client: Client, cast: Cast):
    pending = _pending(cast)
    response = client.post(f"/workspaces/requests/{pending.public_id}/decline/")
    pending.refresh_from_db()
    return response, pending.status == WorkspaceRequest.Status.DECLINED


def create_workspace(client: Client, cast: Cast):
    response = client.post("/workspaces/create/", {"city": "munich"})
    return response, Workspace.objects.filter(city__slug="munich").exists()


ATTEMPTS: dict[str, Callable] = {
    "list_workspaces": list_workspaces,
    "view_workspace": view_workspace,
    "see_members": see_members,
    "invite": invite,
    "change_role": change_role,
    "remove_member": remove_member,
    "revoke_invitation": revoke_invitation,
    "request_workspace": request_workspace,
    "approve_request": approve_request,
    "decline_request": decline_request,
    "create_workspace": create_workspace,
}

CELLS = [(action, role, TABLE[action][i]) for action in TABLE for i, role in enumerate(ROLES)]


@pytest.mark.parametrize(("action", "role", "expected"), CELLS, ids=[f"{a}-{r}" for a, r, _ in CELLS])
def test_role_table_cell(cast: Cast, login_url: str, action: str, role: str, expected: str) -> None:
    client = client_for(user_for(cast, role))
    response, happened = ATTEMPTS[action](client, cast)
    if expected == Y:
        assert response.status_code in (200, 302), response.status_code
        assert happened
    elif expected == N:
        assert response.status_code == 404
        assert not happened
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(login_url)
        assert not happened


def test_the_table_covers_every_action_and_role() -> None:
    assert set(TABLE) == set(ATTEMPTS)
    assert all(len(row) == len(ROLES) for row in TABLE.values())


def test_missing_and_not_yours_answer_the_same_404(cast: Cast) -> None:
    client = client_for(cast.other)
    missing_id, existing_id = str(uuid4()), str(cast.workspace.public_id)
    missing = client.get(f"/workspaces/{missing_id}/")
    not_yours = client.get(f"/workspaces/{existing_id}/")
    assert missing.status_code == not_yours.status_code == 404
    # Equal but for the address itself and the per-response masking of the CSRF token in the header.
    assert without_csrf(missing.text, missing_id) == without_csrf(not_yours.text, existing_id)


def test_a_coordinator_cannot_reach_members_or_invitations_of_another_workspace(cast: Cast) -> None:
    """Object ids from workspace B sent under workspace A's address (or the reverse) are not found."""
    other_member = Membership.objects.get(workspace=cast.other_workspace, user=cast.other)
    invitation, _ = actions.do_invite(
        cast.other_workspace, by=cast.other, email="b@bville.example", role="viewer", organisation="", site_url="/"
    )
    client = client_for(cast.coordinator)
    assert client.post(f"{ws(cast)}/members/{other_member.public_id}/remove/").status_code == 404
    assert client.post(f"{ws(cast)}/members/{other_member.public_id}/role/", {}).status_code == 404
    assert client.post(f"{ws(cast)}/invitations/{invitation.public_id}/revoke/").status_code == 404
    assert Membership.objects.filter(pk=other_member.pk).exists()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_the_workspace_list_shows_only_your_workspaces_unless_you_are_an_admin(cast: Cast) -> None:
    page = client_for(cast.viewer).get("/workspaces/").text
    assert "Aville" in page
    assert "Bville" not in page
    admin_page = client_for(cast.admin).get("/workspaces/").text
    assert "Aville" in admin_page
    assert "Bville" in admin_page


def test_the_role_comes_from_the_invitation_never_from_the_request_body(cast: Cast) -> None:
    """Accepting posts nothing but the token; a forged role or workspace in the body is ignored."""
    _invitation, token = actions.do_invite(
        cast.workspace, by=cast.coordinator, email="v@aville.example", role="viewer", organisation="", site_url="/"
    )
    client = client_for(make_user("v@aville.example"))
    client.post(f"/workspaces/invitations/{token}/", {"role": "coordinator", "workspace": cast.other_workspace.pk})
    assert Membership.objects.get(user__email="v@aville.example").role == Role.VIEWER
    assert not Membership.objects.filter(workspace=cast.other_workspace, user__email="v@aville.example").exists()


POSTS = [
    "invite",
    "change_role",
    "remove_member",
    "revoke_invitation",
    "request_workspace",
    "approve_request",
    "decline_request",
    "create_workspace",
]


@pytest.mark.parametrize("action", POSTS)
def test_every_state_change_needs_a_csrf_token(cast: Cast, action: str) -> None:
    client = client_for(cast.admin, enforce_csrf_checks=True)
    response, happened = ATTEMPTS[action](client, cast)
    assert response.status_code == 403
    assert not happened


def test_accepting_an_invitation_needs_a_csrf_token(cast: Cast) -> None:
    _, token = actions.do_invite(
        cast.workspace, by=cast.coordinator, email="c@aville.example", role="viewer", organisation="", site_url="/"
    )
    client = client_for(make_user("c@aville.example"), enforce_csrf_checks=True)
    assert client.post(f"/workspaces/invitations/{token}/").status_code == 403
    assert not Membership.objects.filter(user__email="c@aville.example").exists()


@pytest.mark.parametrize("path", ["/workspaces/request/", "/workspaces/create/"])
def test_get_never_writes(cast: Cast, path: str) -> None:
    assert client_for(cast.admin).get(path).status_code == 405


def test_workspace_page_query_count_does_not_grow_with_members_and_invitations(cast: Cast) -> None:
    client = client_for(cast.coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{ws(cast)}/").status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        join(cast.workspace, make_user(f"extra{n}@aville.example"), Role.CONTRIBUTOR, by=cast.coordinator)
        actions.do_invite(
            cast.workspace,
            by=cast.coordinator,
            email=f"p{n}@aville.example",
            role="viewer",
            organisation="",
            site_url="/",
        )
    assert queries() == before
    assert City.objects.filter(name="Aville").exists()
