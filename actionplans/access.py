"""Who may read and change an action plan (docs/roles.md, "Action plans").

The plan is the team's working document: members of the workspace and network admins read it (a
published assessment does not publish its plan: owners, partners and budgets stay with the team);
coordinators and contributors edit actions and indicators; partners also add dated progress updates
(they often carry the actions with the city); viewers and admins read only; coordinators draft the plan.
A separate, explicit choice of the coordinators makes a plan public (`get_public_plan`): anyone then reads
its actions' titles, key factors, status, dates, indicators and adapted practices, never who carries them,
with whom or with what money, and only while its assessment is published.
Every helper answers 404 both for something missing and for something the user may not reach; an
anonymous visitor is sent to sign in first, whatever the plan, so the answer tells nothing.
"""

from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.models import User
from actionplans.models import Action, ActionPlan, Indicator
from assessments.access import SignInRequired
from assessments.models import Assessment
from cities.access import role_in
from cities.models import EDITORS, PARTICIPANTS, Role

# A draft has no diagnosis yet: a plan starts from a submitted or finalised assessment (one reopened
# after its plan was drafted keeps its plan).
PLANNABLE = (Assessment.Status.SUBMITTED, Assessment.Status.FINALISED)


def can_start(role: str | None) -> bool:
    return role == Role.COORDINATOR


def can_set_visibility(role: str | None) -> bool:
    return role == Role.COORDINATOR


def can_edit(role: str | None) -> bool:
    return role in EDITORS


def can_report_progress(role: str | None) -> bool:
    return role in PARTICIPANTS


def get_assessment_for_user(
    user: User | AnonymousUser,
    assessment_id: UUID,
    *,
    write: bool = False,
    start: bool = False,
    report: bool = False,
    publish: bool = False,
) -> tuple[Assessment, str | None]:
    """The (alive) assessment and the user's role; members and network admins read, nobody else."""
    if not user.is_authenticated:
        raise SignInRequired
    assessment = (
        Assessment.objects.alive()
        .select_related("workspace__city", "benchmark_version__rating_scale")
        .filter(public_id=assessment_id)
        .first()
    )
    if assessment is None:
        raise Http404
    role = role_in(user, assessment.workspace)
    if role is None and not user.is_staff:
        raise Http404
    if write and not can_edit(role):
        raise Http404
    if start and not can_start(role):
        raise Http404
    if report and not can_report_progress(role):
        raise Http404
    if publish and not can_set_visibility(role):
        raise Http404
    return assessment, role


def get_plan_for_user(
    user: User | AnonymousUser,
    assessment_id: UUID,
    *,
    write: bool = False,
    report: bool = False,
    publish: bool = False,
) -> tuple[ActionPlan, str | None]:
    assessment, role = get_assessment_for_user(user, assessment_id, write=write, report=report, publish=publish)
    plan = ActionPlan.objects.filter(assessment=assessment, deleted_at__isnull=True).first()
    if plan is None:
        raise Http404
    plan.assessment = assessment  # already loaded, with its workspace and city
    return plan, role


def get_action_for_user(
    user: User | AnonymousUser,
    assessment_id: UUID,
    action_id: UUID,
    *,
    write: bool = False,
    report: bool = False,
    deleted: bool = False,
) -> tuple[Action, str | None]:
    """An action of the plan; `deleted=True` finds only removed ones (for their restore)."""
    plan, role = get_plan_for_user(user, assessment_id, write=write, report=report)
    found = Action.objects.deleted() if deleted else Action.objects.alive()
    action = found.filter(plan=plan, public_id=action_id).first()
    if action is None:
        raise Http404
    action.plan = plan
    return action, role


def get_indicator_for_user(
    user: User | AnonymousUser, assessment_id: UUID, indicator_id: UUID, *, write: bool = False
) -> tuple[Indicator, str | None]:
    plan, role = get_plan_for_user(user, assessment_id, write=write)
    indicator = (
        Indicator.objects.select_related("action")
        .filter(action__plan=plan, action__deleted_at__isnull=True, public_id=indicator_id)
        .first()
    )
    if indicator is None:
        raise Http404
    indicator.action.plan = plan
    return indicator, role


def get_public_plan(assessment_id: UUID) -> ActionPlan:
    """The plan anyone may read, whoever asks (signed in or not): 404 unless it is public and its assessment
    is published and not deleted, both checked now (ActionPlan.objects.public)."""
    plan = (
        ActionPlan.objects.public()
        .select_related("assessment__workspace__city", "assessment__benchmark_version")
        .filter(assessment__public_id=assessment_id)
        .first()
    )
    if plan is None:
        raise Http404
    return plan
