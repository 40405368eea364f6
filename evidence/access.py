"""Who may read and change a city's evidence library (docs/roles.md, "Evidence").

Members of the workspace and network admins read items and download their files. Coordinators and
contributors add, edit, delete, restore, attach and detach anything. Partners add items and attach them
(their organisation's evidence: "nothing about us without us"), and change only what they added themselves:
they edit and delete their own items, restore those they deleted themselves, and detach the links they
made. Viewers read only. Every helper answers 404 both for a missing item and for one the user may not
reach or change, so nobody learns what another city holds.
"""

from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.models import User
from assessments import access as assessment_access
from assessments.models import Assessment
from cities.access import role_in
from cities.models import EDITORS, PARTICIPANTS, Role, Workspace
from evidence.models import Evidence, EvidenceLink


def can_add(role: str | None) -> bool:
    """Add items to the library and attach items to key factors (of an editable assessment)."""
    return role in PARTICIPANTS


def can_edit(role: str | None) -> bool:
    """Change any item and any link: the city's own staff."""
    return role in EDITORS


def can_change(user: User | AnonymousUser, role: str | None, evidence: Evidence) -> bool:
    """Edit or delete this item: the city's staff any item, a partner an item they added."""
    if can_edit(role):
        return True
    return role == Role.PARTNER and evidence.created_by_id is not None and evidence.created_by_id == user.pk


def can_restore(user: User | AnonymousUser, role: str | None, evidence: Evidence) -> bool:
    """Restore this deleted item: the city's staff any item; a partner an item they added and deleted
    themselves (a deletion decided by the city's staff stands)."""
    if can_edit(role):
        return True
    return can_change(user, role, evidence) and evidence.deleted_by_id == user.pk


def can_detach(user: User | AnonymousUser, role: str | None, link: EvidenceLink) -> bool:
    """Detach this link: the city's staff any link, a partner a link they made."""
    if can_edit(role):
        return True
    return role == Role.PARTNER and link.added_by_id is not None and link.added_by_id == user.pk


def get_library_for_user(user: User, workspace_id: UUID, *, write: bool = False) -> tuple[Workspace, str | None]:
    """The workspace and the user's role in it (None for a network admin); `write`: to add an item."""
    workspace = Workspace.objects.select_related("city").filter(public_id=workspace_id).first()
    if workspace is None:
        raise Http404
    if not user.is_authenticated:
        raise Http404
    role = role_in(user, workspace)
    if role is None and not user.is_staff:
        raise Http404
    if write and not can_add(role):
        raise Http404
    return workspace, role


def get_evidence_for_user(
    user: User, evidence_id: UUID, *, write: bool = False, deleted: bool = False
) -> tuple[Evidence, str | None]:
    """A live item (or, with deleted=True, a deleted one still restorable) and the user's role in its
    workspace; `write`: to edit or delete it (with deleted=True: to restore it)."""
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
    if write and deleted and not can_restore(user, role, evidence):
        raise Http404
    if write and not deleted and not can_change(user, role, evidence):
        raise Http404
    return evidence, role


def get_assessment_for_evidence(user: User, assessment_id: UUID) -> tuple[Assessment, str | None]:
    """An assessment whose key factors the user may attach evidence to (coordinators, contributors and
    partners; whether it is still editable is checked by the action, with the assessment locked)."""
    assessment, role = assessment_access.get_assessment_for_user(user, assessment_id)
    if not can_add(role):
        raise Http404
    return assessment, role
