"""Invitations: the e-mailed link works once, for the invited (verified) address, within 7 days."""

import os
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cities import actions
from cities.models import Invitation, Membership, Role
from tests.support.cast import Cast, client_for, make_user

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
    assert (
        "Invitation sent to <bdi>helper@welcome.example</bdi>" in coordinator.get(response["Location"]).content.decode()
    )
    [message] = mail.outbox
    link = re.search(r"http://127\.0\.0\.1(/workspaces/invitations/[\w-]+/)", str(message.body))
    assert link

    invitee = client_for(make_user("helper@welcome.example"))
    page = invitee.get(link.group(1)).content.decode()
    assert "join the <bdi>Aville</bdi> workspace as Partner organisation" in page
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
    assert page.status_code == 400
    text = page.content.decode()
    assert "There is a problem" in text
    assert "Name the organisation a partner speaks for." in text
    assert 'aria-invalid="true"' in text
    page = coordinator.post(url, {"email": cast.viewer.email, "role": "viewer"})
    assert page.status_code == 400, "refused by the action, with the reason on the form"
    assert f'value="{cast.viewer.email}"' in page.content.decode()
    assert "is already a member of this workspace" in page.content.decode()
    assert not Invitation.objects.filter(
        email__in=["ngo@welcome.example", cast.viewer.email], accepted_at=None
    ).exists()


# Rate limits (docs/quality.md S8): each invitation mails an address anyone can type, so they are limited per
# inviting user per hour and per workspace per 24 hours (settings INVITATIONS_PER_*).


def post_invite(client, cast: Cast, email: str, *, workspace=None):
    workspace = workspace or cast.workspace
    return client.post(
        f"/workspaces/{workspace.public_id}/invite/",
        {"email": email, "role": "partner", "organisation": "Aville Welcome Circle"},
    )


@pytest.mark.skipif(
    any(name in os.environ for name in ("INVITATIONS_PER_USER_PER_HOUR", "INVITATIONS_PER_WORKSPACE_PER_DAY")),
    reason="the limits are set in this environment",
)
def test_the_limits_are_the_documented_defaults() -> None:
    from django.conf import settings

    assert (settings.INVITATIONS_PER_USER_PER_HOUR, settings.INVITATIONS_PER_WORKSPACE_PER_DAY) == (20, 50)


def test_an_inviter_is_limited_per_hour_with_a_429_that_keeps_the_form(
    cast: Cast, settings, django_capture_on_commit_callbacks
) -> None:
    sent = Invitation.objects.filter(invited_by=cast.coordinator).count()  # the cast's own invitations
    settings.INVITATIONS_PER_USER_PER_HOUR = sent + 2
    coordinator = client_for(cast.coordinator)
    assert post_invite(coordinator, cast, "one@welcome.example").status_code == 302
    assert post_invite(coordinator, cast, "two@welcome.example").status_code == 302
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_invite(coordinator, cast, "three@welcome.example")
    assert response.status_code == 429
    # The wait ends an hour after the oldest invitation counted: the cast's, made when the test database was set
    # up (however long ago the session started), or this test's first.
    oldest = Invitation.objects.filter(invited_by=cast.coordinator).order_by("created_at").first()
    assert oldest is not None
    expected = 3600 - (timezone.now() - oldest.created_at).total_seconds()
    assert 0 < int(response["Retry-After"]) <= 3601
    assert expected - 5 <= int(response["Retry-After"]) <= expected + 2
    page = response.content.decode()
    assert f"You have sent {sent + 2} invitations in the last hour" in page
    assert 'class="error-summary"' in page
    assert 'value="three@welcome.example"' in page, "the typed address is kept"
    assert 'value="Aville Welcome Circle"' in page, "the typed organisation is kept"
    assert not Invitation.objects.filter(email="three@welcome.example").exists()
    assert mail.outbox == []
    # Another coordinator of the same workspace is not limited by this one's count.
    second = make_user("second@aville.example")
    Membership.objects.create(workspace=cast.workspace, user=second, role=Role.COORDINATOR)
    from tests.support.cast import set_up_mfa

    set_up_mfa(second)
    assert post_invite(client_for(second), cast, "three@welcome.example").status_code == 302

    # An hour later the inviter may invite again.
    Invitation.objects.filter(invited_by=cast.coordinator).update(created_at=timezone.now() - timedelta(minutes=61))
    assert post_invite(coordinator, cast, "four@welcome.example").status_code == 302


def test_withdrawn_invitations_still_count(cast: Cast, settings) -> None:
    sent = Invitation.objects.filter(invited_by=cast.coordinator).count()
    settings.INVITATIONS_PER_USER_PER_HOUR = sent + 1
    coordinator = client_for(cast.coordinator)
    assert post_invite(coordinator, cast, "one@welcome.example").status_code == 302
    invitation = Invitation.objects.get(email="one@welcome.example")
    actions.do_revoke_invitation(invitation, by=cast.coordinator)
    assert post_invite(coordinator, cast, "one@welcome.example").status_code == 429


def test_a_workspace_is_limited_per_day_whoever_invites(cast: Cast, settings) -> None:
    settings.INVITATIONS_PER_USER_PER_HOUR = 100
    sent = Invitation.objects.filter(workspace=cast.workspace).count()
    settings.INVITATIONS_PER_WORKSPACE_PER_DAY = sent + 2
    coordinator, admin = client_for(cast.coordinator), client_for(cast.admin)
    assert post_invite(coordinator, cast, "one@welcome.example").status_code == 302
    assert post_invite(admin, cast, "two@welcome.example").status_code == 302
    response = post_invite(admin, cast, "three@welcome.example")
    assert response.status_code == 429
    assert f"This workspace has sent {sent + 2} invitations in the last 24 hours" in response.content.decode()
    assert 23 * 3600 < int(response["Retry-After"]) <= 24 * 3600 + 1
    assert not Invitation.objects.filter(email="three@welcome.example").exists()
    # City B's workspace has its own count.
    assert (
        post_invite(client_for(cast.other), cast, "b@welcome.example", workspace=cast.other_workspace).status_code
        == 302
    )
    # After 24 hours the workspace may invite again.
    Invitation.objects.filter(workspace=cast.workspace).update(
        created_at=timezone.now() - timedelta(hours=24, seconds=1)
    )
    assert post_invite(admin, cast, "three@welcome.example").status_code == 302


def test_a_refused_invitation_is_in_the_security_log(cast: Cast, settings, caplog) -> None:
    import logging

    caplog.set_level(logging.INFO, logger="icb.security")
    settings.INVITATIONS_PER_USER_PER_HOUR = Invitation.objects.filter(invited_by=cast.coordinator).count()
    assert post_invite(client_for(cast.coordinator), cast, "late@welcome.example").status_code == 429
    assert '"kind": "invitation"' in caplog.text
    assert "late@welcome.example" not in caplog.text


def test_the_invitation_form_proposes_a_contributor_not_a_coordinator(cast: Cast) -> None:
    page = client_for(cast.coordinator).get(f"/workspaces/{cast.workspace.public_id}/").content.decode()
    invite = re.search(r'<select name="role"[^>]*id="id_role"[^>]*>(.*?)</select>', page, flags=re.S)
    assert invite is not None
    assert '<option value="contributor" selected>' in invite.group(1)
    assert "selected" not in invite.group(1).replace('<option value="contributor" selected>', "")
