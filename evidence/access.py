"""Who may read and change a city's evidence library (docs/roles.md, "Evidence").

Members of the workspace and network admins read items and download their files; coordinators and
contributors add, edit, delete, restore, attach and detach. Every helper answers 404 both for a missing
item and for one the user may not reach, so nobody learns what another city holds.
"""

from uuid import UUID

from django.http import Http404

from accounts.models import User
from cities.access import role_in
from cities.models import Role, Workspace
from evidence.models import Evidence

EDITORS = (Role.COORDINATOR, Role.CONTRIBUTOR)


def can_edit(role: str | None) -> bool:
    return role in EDITORS


def get_library_for_user(user: User, workspace_id: UUID, *, write: bool = False) -> tuple[Workspace, str | None]:
    """The workspace and the user's role in it (None for a network admin)."""
    workspace = Workspace.objects.select_related("city").filter(public_id=workspace_id).first()
    if workspace is None:
        raise Http404
    if not user.is_authenticated:
        raise Http404
    role = role_in(user, workspace)
    if role is None and not user.is_staff:
        raise Http404
    if write and not can_edit(role):
        raise Http404
    return workspace, role


def get_evidence_for_user(
    user: User, evidence_id: UUID, *, write: bool = False, deleted: bool = False
) -> tuple[Evidence, str | None]:
    """A live item (or, with deleted=True, a deleted one still restorable) and the user's role in its workspace."""
    items = Evidence.objects.select_related("workspace__city", "created_by")
    items = items.deleted().restorable() if deleted else items.alive()
    evidence = items.filter(public_id=evidence_id).first()
    if evidence is None:
        raise Http404
    if not user.is_authenticated:
        raise Http404
    role = role_in(user, evidence.workspace)
    if role is None and not user.is_staff:
        raise Http404
    if write and not can_edit(role):
        raise Http404
    return evidence, role
