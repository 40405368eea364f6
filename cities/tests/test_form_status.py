"""A failed form on the workspace pages answers 400 with the page again: the error summary, the fields
marked invalid, what was typed kept, nothing written. Good submissions redirect (see test_permissions.py)."""

import pytest

from cities.models import Membership, Role, Workspace, WorkspaceRequest
from tests.support.cast import Cast, client_for

pytestmark = pytest.mark.django_db


def ws(cast: Cast) -> str:
    return f"/workspaces/{cast.workspace.public_id}"


def test_a_workspace_request_without_a_city_answers_400_and_keeps_the_rest(cast: Cast) -> None:
    before = WorkspaceRequest.objects.count()
    response = client_for(cast.viewer).post(
        "/workspaces/request/", {"city_name": "", "country": "Testland", "message": "For our integration team."}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'class="error-summary"' in text
    assert 'aria-invalid="true"' in text
    assert 'value="Testland"' in text
    assert "For our integration team." in text
    assert WorkspaceRequest.objects.count() == before


@pytest.mark.parametrize("city", ["", "no-such-city"])
def test_opening_a_workspace_without_a_library_city_answers_400(cast: Cast, city: str) -> None:
    before = Workspace.objects.count()
    response = client_for(cast.admin).post("/workspaces/create/", {"city": city})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert Workspace.objects.count() == before


def test_a_partner_role_without_an_organisation_answers_400(cast: Cast) -> None:
    member = cast.member(cast.viewer)
    prefix = f"m-{member.public_id}"
    response = client_for(cast.coordinator).post(
        f"{ws(cast)}/members/{member.public_id}/role/", {f"{prefix}-role": "partner", f"{prefix}-organisation": ""}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Name the organisation a partner speaks for." in text
    assert 'aria-invalid="true"' in text
    assert cast.member(cast.viewer).role == Role.VIEWER


def test_demoting_the_last_coordinator_is_refused_on_the_form_with_a_400(cast: Cast) -> None:
    member = cast.member(cast.coordinator)
    prefix = f"m-{member.public_id}"
    response = client_for(cast.coordinator).post(
        f"{ws(cast)}/members/{member.public_id}/role/", {f"{prefix}-role": "viewer", f"{prefix}-organisation": ""}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'class="error-summary"' in text
    assert "is the last coordinator" in text
    assert cast.member(cast.coordinator).role == Role.COORDINATOR


def test_removing_the_last_coordinator_is_refused_with_a_message_after_the_redirect(cast: Cast) -> None:
    """A button without fields, as in the assessments app: the refusal is a message on the page it returns to."""
    member = cast.member(cast.coordinator)
    client = client_for(cast.coordinator)
    response = client.post(f"{ws(cast)}/members/{member.public_id}/remove/")
    assert response.status_code == 302
    assert response["Location"] == f"{ws(cast)}/"
    assert "cannot be removed" in client.get(response["Location"]).content.decode()
    assert Membership.objects.filter(pk=member.pk).exists()
