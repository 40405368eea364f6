"""The members panel of the workspace page: who is in the workspace, the pending invitations, and the forms
that change them. The page is pages.views.workspace; the POSTs below re-show this panel when refused."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cities import access, actions
from cities.forms import ChangeRoleForm, InviteForm
from cities.models import Membership, Role, Workspace
from lib.panels import Redisplay
from lib.securitylog import log_event
from lib.text import sentence


def members_panel(
    user: User,
    workspace: Workspace,
    *,
    invite_form: InviteForm | None = None,
    bound_role_form: tuple[int, ChangeRoleForm] | None = None,
) -> dict[str, Any]:
    """The panel's context: members with a role form each for coordinators, and the invitations."""
    manage = access.can_manage_workspace(user, workspace)
    members = list(workspace.memberships.select_related("user").order_by("user__last_name", "user__email"))
    rows: list[tuple[Membership, ChangeRoleForm | None]] = []
    for member in members:
        form = None
        if manage:
            if bound_role_form and bound_role_form[0] == member.pk:
                form = bound_role_form[1]
            else:
                form = ChangeRoleForm(
                    prefix=f"m-{member.public_id}", initial={"role": member.role, "organisation": member.organisation}
                )
        rows.append((member, form))
    panel: dict[str, Any] = {
        "workspace": workspace,
        "rows": rows,
        "manage": manage,
        "own_role": access.role_in(user, workspace),
    }
    if manage:
        panel["invite_form"] = invite_form or InviteForm()
        panel["invitations"] = workspace.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).order_by("email")
    return panel


def invite(request: HttpRequest, user: User, workspace: Workspace) -> HttpResponse | Redisplay:
    """Invite someone (coordinators: the caller has checked `manage`); refused, the form keeps what was typed."""
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation, _token = actions.do_invite(
                workspace, by=user, site_url=request.build_absolute_uri("/"), **form.cleaned_data
            )
        except actions.InvitationLimitReached as limited:
            log_event("rate_limited", request, kind="invitation", user=user.pk)
            form.add_error(None, limited.message)
            # The form keeps what was typed, to send once the wait is over.
            panel = members_panel(user, workspace, invite_form=form)
            return Redisplay(panel, status=429, headers={"Retry-After": str(limited.retry_after)})
        except actions.WorkspaceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, sentence(_("Invitation sent to %(email)s."), email=invitation.email))
            return redirect("pages:workspace", workspace.public_id)
    # Invalid, or refused with the reason on the form (already a member, ...).
    return Redisplay(members_panel(user, workspace, invite_form=form), status=400)


def change_role(request: HttpRequest, user: User, member: Membership) -> HttpResponse | Redisplay:
    """Change a member's role or organisation (the caller got `member` through access.get_member_for_user)."""
    form = ChangeRoleForm(request.POST, prefix=f"m-{member.public_id}")
    if form.is_valid():
        try:
            actions.do_change_role(member, by=user, **form.cleaned_data)
        except actions.WorkspaceError as error:
            form.add_error(None, error.message)
        else:
            role = Role(form.cleaned_data["role"]).label
            message = sentence(_("%(member)s is now %(role)s."), member=member.user, plain={"role": role})
            messages.success(request, message)
            return redirect("pages:workspace", member.workspace.public_id)
    return Redisplay(members_panel(user, member.workspace, bound_role_form=(member.pk, form)), status=400)
