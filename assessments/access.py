"""Who may read and change a self-assessment (docs/roles.md, "Self-assessments").

Members of the workspace read; coordinators and contributors edit while it is a draft or reopened;
coordinators start, submit, reopen and finalise; network admins read. Every helper answers 404 both
for a missing assessment and for one the user may not reach.
"""

from uuid import UUID

from django.http import Http404

from accounts.models import User
from assessments.models import Assessment
from cities.access import role_in
from cities.models import Role, Workspace

EDITORS = (Role.COORDINATOR, Role.CONTRIBUTOR)


def can_start(user: User, workspace: Workspace) -> bool:
    return role_in(user, workspace) == Role.COORDINATOR


def can_edit(role: str | None) -> bool:
    return role in EDITORS


def can_manage(role: str | None) -> bool:
    return role == Role.COORDINATOR


def get_assessment_for_user(
    user: User, public_id: UUID, *, write: bool = False, manage: bool = False
) -> tuple[Assessment, str | None]:
    """The assessment and the user's role in its workspace (None for a network admin)."""
    assessment = (
        Assessment.objects.select_related("workspace__city", "benchmark_version__rating_scale")
        .filter(public_id=public_id)
        .first()
    )
    if assessment is None:
        raise Http404
    if not user.is_authenticated:
        raise Http404
    role = role_in(user, assessment.workspace)
    if role is None and not user.is_staff:
        raise Http404
    if write and not can_edit(role):
        raise Http404
    if manage and not can_manage(role):
        raise Http404
    return assessment, role
