"""Who may see and manage a city workspace (docs/roles.md).

Every helper answers 404 both for a missing object and for one the user may not reach, so a
stranger cannot tell whether a workspace exists. Network admins (`is_staff`) reach every workspace.
"""

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from cities.models import Invitation, Membership, Role, Workspace, WorkspaceRequest


def role_in(user: User, workspace: Workspace) -> str | None:
    """The user's role in the workspace, or None for a non-member."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(workspace=workspace, user=user).values_list("role", flat=True).first()


def can_manage_workspace(user: User, workspace: Workspace) -> bool:
    """Coordinators manage their workspace; network admins manage every workspace (support, first coordinator)."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return role_in(user, workspace) == Role.COORDINATOR


def workspaces_visible_to(user: User) -> QuerySet[Workspace]:
    if not user.is_authenticated:
        return Workspace.objects.none()
    if user.is_staff:
        return Workspace.objects.all()
    return Workspace.objects.filter(memberships__user=user)


def get_workspace_for_user(user: User, public_id: UUID, *, manage: bool = False) -> Workspace:
    workspace = Workspace.objects.select_related("city").filter(public_id=public_id).first()
    if workspace is None:
        raise Http404
    if not user.is_authenticated:
        raise Http404
    if user.is_staff:
        return workspace
    role = role_in(user, workspace)
    if role is None:
        raise Http404
    if manage and role != Role.COORDINATOR:
        raise Http404
    return workspace


def get_member_for_user(user: User, workspace_id: UUID, member_id: UUID) -> Membership:
    """A membership the user may change (role, removal): the user must manage its workspace."""
    workspace = get_workspace_for_user(user, workspace_id, manage=True)
    membership = (
        Membership.objects.select_related("user", "workspace").filter(workspace=workspace, public_id=member_id).first()
    )
    if membership is None:
        raise Http404
    return membership


def get_invitation_for_user(user: User, workspace_id: UUID, invitation_id: UUID) -> Invitation:
    """An invitation the user may revoke: the user must manage its workspace."""
    workspace = get_workspace_for_user(user, workspace_id, manage=True)
    invitation = Invitation.objects.filter(workspace=workspace, public_id=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def get_workspace_request_for_admin(user: User, public_id: UUID) -> WorkspaceRequest:
    request = WorkspaceRequest.objects.filter(public_id=public_id).first()
    if request is None:
        raise Http404
    if not user.is_authenticated:
        raise Http404
    if not user.is_staff:
        raise Http404
    return request


def require_admin(user: User) -> None:
    if not user.is_authenticated:
        raise Http404
    if not user.is_staff:
        raise Http404
