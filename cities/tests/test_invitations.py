"""Invitations: the e-mailed link works once, for the invited (verified) address, within 7 days."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cities import actions
from cities.models import Invitation, Membership, Role
from cities.tests.conftest import Cast, client_for, make_user

pytestmark = pytest.mark.django_db


def invite(cast: Cast, email: str, role: str = Role.PARTNER, organisation: str = "Aville Welcome Circle") -> str:
    _invitation, token = actions.do_invite(
        cast.workspace, by=cast.coordinator, email=email, role=role, organisation=organisation, site_url="/"
    )
    return f"/workspaces/invitations/{token}/"


def test_coordinator_invites_by_mail_and_the_invitee_accepts_through_the_link(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    mail.outbox.clear()
    coordinator = client_for(cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(
            f"/workspaces/{cast.workspace.public_id}/invite/",
            {"email": "helper@welcome.example", "role": "partner", "organisation": "Aville Welcome Circle"},
        )
    assert response.status_code == 302
    assert "Invitation sent to helper@welcome.example" in coordinator.get(response["Location"]).content.decode()
    [message] = mail.outbox
    link = re.search(r"http://127\.0\.0\.1(/workspaces/invitations/[\w-]+/)", str(message.body))
    assert link

    invitee = client_for(make_user("helper@welcome.example"))
    page = invitee.get(link.group(1)).content.decode()
    assert "join the Aville workspace as Partner organisation" in page
    assert "Aville Welcome Circle" in page
    response = invitee.post(link.group(1))
    assert response.status_code == 302
    assert response["Location"] == f"/workspaces/{cast.workspace.public_id}/"
    membership = Membership.objects.get(workspace=cast.workspace, user__email="helper@welcome.example")
    assert (membership.role, membership.organisation) == (Role.PARTNER, "Aville Welcome Circle")

    again = invitee.post(link.group(1))
    assert again.status_code == 400
    assert "already been accepted" in again.content.decode()
    assert Membership.objects.filter(workspace=cast.workspace).count() == 5


def test_an_expired_invitation_fails_clearly(cast: Cast) -> None:
    link = invite(cast, "late@welcome.example")
    Invitation.objects.filter(email="late@welcome.example").update(expires_at=timezone.now() - timedelta(seconds=1))
    client = client_for(make_user("late@welcome.example"))
    assert "has expired" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 400
    assert "has expired" in response.content.decode()
    assert not Membership.objects.filter(user__email="late@welcome.example").exists()


def test_a_withdrawn_invitation_fails_clearly(cast: Cast) -> None:
    link = invite(cast, "gone@welcome.example")
    coordinator = client_for(cast.coordinator)
    invitation = Invitation.objects.get(email="gone@welcome.example")
    coordinator.post(f"/workspaces/{cast.workspace.public_id}/invitations/{invitation.public_id}/revoke/")
    response = client_for(make_user("gone@welcome.example")).post(link)
    assert response.status_code == 400
    assert "has been withdrawn" in response.content.decode()
    assert not Membership.objects.filter(user__email="gone@welcome.example").exists()


def test_only_the_invited_address_can_accept(cast: Cast) -> None:
    link = invite(cast, "invited@welcome.example")
    intruder = client_for(make_user("intruder@elsewhere.example"))
    page = intruder.get(link).content.decode()
    assert "sent to a different e-mail address" in page
    assert "Aville Welcome Circle" not in page  # the holder of a forwarded link learns nothing
    response = intruder.post(link)
    assert response.status_code == 400
    assert not Membership.objects.filter(workspace=cast.workspace, user__email="intruder@elsewhere.example").exists()
    # The invitation stays usable by the right person.
    assert client_for(make_user("invited@welcome.example")).post(link).status_code == 302


def test_an_unverified_address_cannot_accept(cast: Cast) -> None:
    link = invite(cast, "unverified@welcome.example")
    user = make_user("unverified@welcome.example")
    user.email_verified = None
    user.save()
    response = client_for(user).post(link)
    assert response.status_code == 400
    assert "Verify your e-mail address" in response.content.decode()


def test_an_unknown_token_is_not_found_and_anonymous_visitors_must_sign_in(cast: Cast, login_url: str) -> None:
    assert client_for(cast.viewer).get("/workspaces/invitations/not-a-real-token/").status_code == 404
    link = invite(cast, "someone@welcome.example")
    response = client_for(None).get(link)
    assert response.status_code == 302
    assert response["Location"].startswith(login_url)


def test_the_invite_form_reports_missing_organisation_and_existing_members(cast: Cast) -> None:
    coordinator = client_for(cast.coordinator)
    url = f"/workspaces/{cast.workspace.public_id}/invite/"
    page = coordinator.post(url, {"email": "ngo@welcome.example", "role": "partner", "organisation": ""})
    assert page.status_code == 200
    text = page.content.decode()
    assert "There is a problem" in text
    assert "Name the organisation a partner speaks for." in text
    assert 'aria-invalid="true"' in text
    page = coordinator.post(url, {"email": cast.viewer.email, "role": "viewer"})
    assert "is already a member of this workspace" in page.content.decode()
    assert not Invitation.objects.filter(
        email__in=["ngo@welcome.example", cast.viewer.email], accepted_at=None
    ).exists()
