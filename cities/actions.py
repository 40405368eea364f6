"""State changes of city workspaces: requests, memberships and invitations.

Each action runs in one transaction. Invariants that span rows (a workspace keeps at least one
coordinator; an invitation is used once) are checked after locking the rows they depend on, and
e-mail leaves only after the transaction commits.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import ratelimit
from accounts.models import User
from cities.models import City, Invitation, Membership, Role, Workspace, WorkspaceRequest
from lib.actions import Refused
from outbox.actions import queue_mail, queue_template_mail

INVITATION_VALIDITY = timedelta(days=7)


class WorkspaceError(Refused):
    """A refused change to a workspace, its members or invitations."""


class InvitationLimitReached(WorkspaceError):
    """Too many invitations lately (docs/quality.md S8): invitations send mail to any address, so a hijacked
    or careless account must not turn the platform into a mail cannon."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _invitation_wait(workspace: Workspace, by: User) -> InvitationLimitReached | None:
    """Counts the invitation rows themselves (revoked ones too, so invite-and-withdraw does not get round it)."""
    return invitation_limit(
        Invitation.objects.filter(invited_by=by),
        Invitation.objects.filter(workspace=workspace),
        group_text=_(
            "This workspace has sent %(limit)d invitations in the last 24 hours, the most allowed. "
            "Please try again in %(minutes)d minutes."
        ),
    )


def invitation_limit(
    by_person: QuerySet[Any], by_group: QuerySet[Any], *, group_text: str
) -> InvitationLimitReached | None:
    """The limits of anything that mails an invitation to an address (settings INVITATIONS_PER_*): the rows
    (with a `created_at`) one person made in the last hour, and those of one group (a workspace, a community)
    in the last 24 hours. `group_text` names the group in the refusal, with %(limit)d and %(minutes)d."""
    now = timezone.now()
    for limit, window, rows, text in (
        (
            settings.INVITATIONS_PER_USER_PER_HOUR,
            60 * 60,
            by_person,
            _(
                "You have sent %(limit)d invitations in the last hour, the most allowed. "
                "Please try again in %(minutes)d minutes."
            ),
        ),
        (settings.INVITATIONS_PER_WORKSPACE_PER_DAY, 24 * 60 * 60, by_group, group_text),
    ):
        times = list(
            rows.filter(created_at__gt=now - timedelta(seconds=window))
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:limit]
        )
        wait = ratelimit.wait_for(times, limit=limit, window=window, now=now)
        if wait is not None:
            minutes = max(1, (wait + 59) // 60)
            return InvitationLimitReached(text % {"limit": limit, "minutes": minutes}, retry_after=wait)
    return None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lock_workspace(workspace: Workspace) -> Workspace:
    # The workspace row is the lock for its memberships: every change of roles or members takes it
    # first, so two coordinators demoting each other at once are serialised and the second sees the
    # first's change when it counts the coordinators.
    return Workspace.objects.select_for_update().get(pk=workspace.pk)


def _keeps_a_coordinator(membership: Membership, *, new_role: str | None) -> bool:
    if membership.role != Role.COORDINATOR or new_role == Role.COORDINATOR:
        return True
    others = (
        Membership.objects.filter(workspace_id=membership.workspace_id, role=Role.COORDINATOR)
        .exclude(pk=membership.pk)
        .exists()
    )
    return others


def _locked_member(membership: Membership) -> Membership:
    locked = Membership.objects.select_related("user").filter(pk=membership.pk).first()
    if locked is None:
        raise WorkspaceError(_("This person is no longer a member of the workspace."))
    return locked


def unique_city_slug(name: str) -> str:
    base = slugify(name)[:40] or "city"
    slug = base
    n = 2
    while City.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def network_admins() -> QuerySet[User]:
    """Who decides workspace requests: the active staff users (docs/roles.md)."""
    return User.objects.filter(is_active=True, is_staff=True).order_by("pk")


def do_request_workspace(*, by: User, city_name: str, country: str, message: str, site_url: str) -> WorkspaceRequest:
    """Stores the request and tells every network admin, each in a mail of their own."""
    with transaction.atomic():
        request = WorkspaceRequest.objects.create(
            requested_by=by, city_name=city_name.strip(), country=country.strip(), message=message.strip()
        )
        context = {
            "workspace_request": request,
            "requester": by.get_full_name(),
            "requester_email": by.email,
            "link": site_url.rstrip("/") + reverse("cities:workspaces"),
        }
        for admin in network_admins():
            queue_template_mail("cities/email/workspace_requested", admin.email, context)
        return request


def do_create_workspace(city: City, *, by: User) -> Workspace:
    """A network admin opens a workspace for a city; its first coordinator is invited or added separately."""
    with transaction.atomic():
        locked = City.objects.select_for_update().get(pk=city.pk)
        if Workspace.objects.filter(city=locked).exists():
            raise WorkspaceError(_("%(city)s already has a workspace.") % {"city": locked.name})
        return Workspace.objects.create(city=locked)


def do_approve_workspace_request(request: WorkspaceRequest, *, by: User, site_url: str) -> Workspace:
    """Creates the city (when the library does not hold it), its workspace, and makes the requester coordinator."""
    with transaction.atomic():
        locked = WorkspaceRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != WorkspaceRequest.Status.PENDING:
            raise WorkspaceError(_("This request has already been decided."))
        city = City.objects.filter(name__iexact=locked.city_name, country__iexact=locked.country).first()
        if city is None:
            known = City.objects.filter(country__iexact=locked.country).exclude(country_code="").first()
            city = City.objects.create(
                slug=unique_city_slug(locked.city_name),
                name=locked.city_name,
                country=locked.country,
                country_code=known.country_code if known else "",
            )
        if Workspace.objects.filter(city=city).exists():
            raise WorkspaceError(
                _("%(city)s already has a workspace; its coordinators can invite the requester.") % {"city": city.name}
            )
        workspace = Workspace.objects.create(city=city)
        Membership.objects.create(workspace=workspace, user=locked.requested_by, role=Role.COORDINATOR)
        locked.status = WorkspaceRequest.Status.APPROVED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.workspace = workspace
        locked.save(update_fields=["status", "decided_by", "decided_at", "workspace"])
        link = site_url.rstrip("/") + reverse("pages:workspace", args=[workspace.public_id])
        queue_template_mail(
            "cities/email/workspace_approved", locked.requested_by.email, {"workspace_request": locked, "link": link}
        )
        return workspace


def do_decline_workspace_request(request: WorkspaceRequest, *, by: User, reason: str = "", site_url: str) -> None:
    """Declines the request; the requester is told by mail, with the reason when one is given."""
    with transaction.atomic():
        locked = WorkspaceRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != WorkspaceRequest.Status.PENDING:
            raise WorkspaceError(_("This request has already been decided."))
        locked.status = WorkspaceRequest.Status.DECLINED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decline_reason = reason.strip()
        locked.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
        link = site_url.rstrip("/") + reverse("cities:workspaces")
        queue_template_mail(
            "cities/email/workspace_declined", locked.requested_by.email, {"workspace_request": locked, "link": link}
        )


def do_invite(
    workspace: Workspace, *, by: User, email: str, role: str, organisation: str, site_url: str
) -> tuple[Invitation, str]:
    """Invites an e-mail address with a role; returns the invitation and its token (sent by mail, never stored).

    A newer invitation to the same address replaces a pending one.
    """
    email = email.strip().lower()
    organisation = organisation.strip()
    if role == Role.PARTNER and not organisation:
        raise WorkspaceError(_("Name the organisation a partner speaks for."))
    with transaction.atomic():
        locked = _lock_workspace(workspace)
        if Membership.objects.filter(workspace=locked, user__email__iexact=email).exists():
            raise WorkspaceError(_("%(email)s is already a member of this workspace.") % {"email": email})
        # Counted under the workspace lock, so two requests at once cannot both take the last place.
        limited = _invitation_wait(locked, by)
        if limited is not None:
            raise limited
        now = timezone.now()
        Invitation.objects.filter(
            workspace=locked, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            workspace=locked,
            email=email,
            role=role,
            organisation=organisation if role == Role.PARTNER else "",
            token_hash=hash_token(token),
            invited_by=by,
            expires_at=now + INVITATION_VALIDITY,
        )
        link = site_url.rstrip("/") + reverse("cities:invitation", args=[token])
        subject = _("Invitation to the %(city)s workspace") % {"city": locked.city.name}
        body = _(
            "%(inviter)s invites you to join the %(city)s workspace on the Integrating Cities Benchmark "
            "as %(role)s.\n\nAccept the invitation, signed in with this e-mail address, at:\n%(link)s\n\n"
            "The link works once and expires on %(expires)s."
        ) % {
            "inviter": str(by),
            "city": locked.city.name,
            "role": invitation.get_role_display(),
            "link": link,
            "expires": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M %Z"),
        }
        queue_mail(email, subject=subject, body=body, kind="cities/invitation")
        return invitation, token


def invitation_problem(invitation: Invitation, user: User) -> str | None:
    """Why the user cannot accept the invitation, or None when they can."""
    if invitation.accepted_at is not None:
        return _("This invitation has already been accepted.")
    if invitation.revoked_at is not None:
        return _("This invitation has been withdrawn. Ask the workspace's coordinator for a new one.")
    if invitation.expires_at <= timezone.now():
        return _("This invitation has expired. Ask the workspace's coordinator for a new one.")
    if user.email.lower() != invitation.email.lower():
        return _("This invitation was sent to a different e-mail address. Sign in with the address it was sent to.")
    if user.email_verified is None:
        return _("Verify your e-mail address first, then open the invitation link again.")
    if Membership.objects.filter(workspace_id=invitation.workspace_id, user=user).exists():
        return _("You are already a member of this workspace.")
    return None


def do_accept_invitation(invitation: Invitation, *, user: User) -> Membership:
    with transaction.atomic():
        _lock_workspace(invitation.workspace)
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        problem = invitation_problem(locked, user)
        if problem:
            raise WorkspaceError(problem)
        membership = Membership.objects.create(
            workspace_id=locked.workspace_id, user=user, role=locked.role, organisation=locked.organisation
        )
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        return membership


def do_revoke_invitation(invitation: Invitation, *, by: User) -> None:
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise WorkspaceError(_("This invitation has already been accepted; remove the member instead."))
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])


def do_change_role(membership: Membership, *, by: User, role: str, organisation: str = "") -> Membership:
    organisation = organisation.strip()
    with transaction.atomic():
        _lock_workspace(membership.workspace)
        locked = _locked_member(membership)
        if not _keeps_a_coordinator(locked, new_role=role):
            raise WorkspaceError(
                _("%(member)s is the last coordinator. Make someone else coordinator first.") % {"member": locked.user}
            )
        if role == Role.PARTNER:
            organisation = organisation or locked.organisation
            if not organisation:
                raise WorkspaceError(_("Name the organisation a partner speaks for."))
        locked.role = role
        locked.organisation = organisation if role == Role.PARTNER else ""
        locked.save(update_fields=["role", "organisation"])
        return locked


def do_remove_member(membership: Membership, *, by: User) -> None:
    with transaction.atomic():
        _lock_workspace(membership.workspace)
        locked = _locked_member(membership)
        if not _keeps_a_coordinator(locked, new_role=None):
            raise WorkspaceError(
                _("%(member)s is the last coordinator and cannot be removed. Make someone else coordinator first.")
                % {"member": locked.user}
            )
        locked.delete()
