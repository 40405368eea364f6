"""Who may read and change a self-assessment (docs/roles.md, "Self-assessments").

Members of the workspace read; coordinators and contributors edit while it is a draft or reopened;
coordinators start, submit, reopen, finalise, share, publish, delete and restore; network admins read.
A published assessment is read by anyone, signed in or not, without the team's internal parts.
Every helper answers 404 both for a missing assessment and for one the user may not reach; a deleted
assessment is missing everywhere except for its restore.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from accounts.models import User
from assessments.models import Assessment, FactorAssessment, FactorComment
from cities.access import role_in
from cities.models import EDITORS, PARTICIPANTS, Role, Workspace


def can_start(user: User, workspace: Workspace) -> bool:
    return role_in(user, workspace) == Role.COORDINATOR


def can_edit(role: str | None) -> bool:
    return role in EDITORS


def can_manage_assessment(role: str | None) -> bool:
    """Coordinators decide an assessment's course: submit, reopen, finalise, visibility, delete, restore."""
    return role == Role.COORDINATOR


def can_delete_assessment(assessment: Assessment, role: str | None) -> bool:
    return can_manage_assessment(role) and assessment.is_deletable


def allowed_transitions(assessment: Assessment, role: str | None) -> list[str]:
    """The workflow steps (AssessmentEvent.Action values) this role may take from the assessment's status now:
    the buttons the overview shows, and what actions._transition accepts."""
    if not can_manage_assessment(role):
        return []
    return [action for action, (start, _to) in Assessment.TRANSITIONS.items() if assessment.status in start]


def can_start_next_round(assessment: Assessment, role: str | None) -> bool:
    """Coordinators start the next round from a submitted or finalised assessment: a draft or a reopened one
    is still being written, and carrying it over would fork the team's work."""
    return can_manage_assessment(role) and assessment.status in Assessment.NEXT_ROUND_FROM


class SignInRequired(Exception):
    """An anonymous visitor asked for something that is not public: the view sends them to sign in,
    whether or not the assessment exists, so the answer tells nothing."""


def sign_in_unless_public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For pages a published assessment shows to everyone: anonymous visitors of any other assessment
    (or of one that does not exist) are sent to sign in, exactly as login_required would."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except SignInRequired:
            return redirect_to_login(request.get_full_path())

    return wrapper


def is_team(user: User | AnonymousUser, role: str | None) -> bool:
    """Members and network admins see the team's internal parts: history, discussion, evidence files."""
    return role is not None or user.is_staff


def get_assessment_for_user(
    user: User | AnonymousUser,
    public_id: UUID,
    *,
    write: bool = False,
    manage: bool = False,
    deleted: bool = False,
) -> tuple[Assessment, str | None]:
    """The assessment and the user's role in its workspace (None for a network admin or a reader of a
    published assessment). `deleted=True` finds only deleted assessments (for their restore)."""
    found = Assessment.objects.deleted() if deleted else Assessment.objects.alive()
    assessment = (
        found.select_related("workspace__city", "benchmark_version__rating_scale", "benchmark_version__benchmark")
        .filter(public_id=public_id)
        .first()
    )
    published = assessment is not None and assessment.visibility == Assessment.Visibility.PUBLISHED and not deleted
    reading = not write and not manage
    if not user.is_authenticated:
        if assessment is not None and published and reading:
            return assessment, None
        raise SignInRequired
    if assessment is None:
        raise Http404
    role = role_in(user, assessment.workspace)
    if role is None and not user.is_staff and not (published and reading):
        raise Http404
    if write and not can_edit(role):
        raise Http404
    if manage and not can_manage_assessment(role):
        raise Http404
    return assessment, role


# ---- Partner ratings and comments (docs/roles.md, "Partner ratings and comments") ----


def factor_of(assessment: Assessment, slug: str) -> FactorAssessment:
    """The assessment's key factor of that slug (404 if it has none), once the assessment is reached."""
    factor = assessment.factors.select_related("key_factor").filter(key_factor__slug=slug).first()
    if factor is None:
        raise Http404
    return factor


def can_rate_as_partner(role: str | None) -> bool:
    """Partners rate for their organisation; the city's own staff rate as the city, never as a partner."""
    return role == Role.PARTNER


def can_comment(role: str | None) -> bool:
    """Every member but viewers, who read only; network admins are not members of the team's discussion."""
    return role in PARTICIPANTS


def can_delete_comment(user: User, role: str | None, comment: FactorComment) -> bool:
    """Its author (while still allowed to comment) or a coordinator."""
    if role == Role.COORDINATOR:
        return True
    return can_comment(role) and comment.author_id == user.pk


def get_comment_for_user(user: User, assessment_id: UUID, comment_id: UUID) -> tuple[FactorComment, str | None]:
    """A comment the user may delete, with the user's role; 404 for anyone else, as for a missing comment."""
    assessment, role = get_assessment_for_user(user, assessment_id)
    comment = (
        FactorComment.objects.select_related("factor__key_factor", "factor__assessment")
        .filter(factor__assessment=assessment, public_id=comment_id, deleted_at__isnull=True)
        .first()
    )
    if comment is None:
        raise Http404
    if not can_delete_comment(user, role, comment):
        raise Http404
    return comment, role
