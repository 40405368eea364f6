"""Who may do what with mentoring (docs/roles.md, "Mentoring").

The implementing city's coordinators request, withdraw, choose what the mentors read and end; the mentor
city's coordinators accept or decline, name the mentors and end; the named mentors read what the consent
shares, only while the mentorship is active; the implementing city's other members read the mentorship's
page; network staff read everything, set up schemes and pair cities by hand. Every helper answers 404 both
for a missing object and for one the user may not reach.
"""

from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from actionplans.models import ActionPlan
from assessments.models import Assessment
from cities.access import role_in
from cities.models import EDITORS, Membership, Role, Workspace
from mentoring.models import Activity, ActivityAttachment, Mentorship


def must_use_second_factor(user: User) -> bool:
    """Who must use a second factor besides staff (docs/quality.md S2), in one query, since the middleware asks
    on every request of someone without one: coordinators of any workspace, and the named mentors of an active
    mentorship, who read another city's unpublished work. settings.MFA_REQUIRED_FOR names this function, so
    that accounts, below both apps, applies the rule."""
    return (
        User.objects.filter(pk=user.pk)
        .filter(Q(memberships__role=Role.COORDINATOR) | Q(mentorships_as_mentor__status=Mentorship.Status.ACTIVE))
        .exists()
    )


def coordinates(user: User, workspace: Workspace) -> bool:
    return user.is_authenticated and role_in(user, workspace) == Role.COORDINATOR


def is_mentor(user: User, mentorship: Mentorship) -> bool:
    """A named mentor of this mentorship while it is active: the only people who read what it shares."""
    return mentorship.is_active and mentorship.mentors.filter(pk=user.pk).exists()


def can_see(user: User, mentorship: Mentorship) -> bool:
    """Its page: every member of the implementing city, the mentor city's coordinators, its named mentors
    (also after it ended: what they wrote stays attributed), and network staff."""
    if not user.is_authenticated:
        return False
    if user.is_staff or role_in(user, mentorship.mentee) is not None:
        return True
    return coordinates(user, mentorship.mentor) or mentorship.mentors.filter(pk=user.pk).exists()


def can_request(user: User, workspace: Workspace) -> bool:
    return coordinates(user, workspace)


def can_withdraw(user: User, mentorship: Mentorship) -> bool:
    return mentorship.status == Mentorship.Status.REQUESTED and coordinates(user, mentorship.mentee)


def can_decide(user: User, mentorship: Mentorship) -> bool:
    """Accept or decline a request: the mentor city's coordinators."""
    return mentorship.status == Mentorship.Status.REQUESTED and coordinates(user, mentorship.mentor)


def can_name_mentors(user: User, mentorship: Mentorship) -> bool:
    return mentorship.is_active and (coordinates(user, mentorship.mentor) or user.is_staff)


def can_set_consent(user: User, mentorship: Mentorship) -> bool:
    """What the mentors read is the implementing city's to give: its coordinators, while it is open."""
    return mentorship.status in Mentorship.OPEN and coordinates(user, mentorship.mentee)


def can_end(user: User, mentorship: Mentorship) -> bool:
    """Either side's coordinators, or network staff (a re-pairing)."""
    if not mentorship.is_active or not user.is_authenticated:
        return False
    return user.is_staff or coordinates(user, mentorship.mentee) or coordinates(user, mentorship.mentor)


def mentorships_visible_to(user: User) -> QuerySet[Mentorship]:
    found = Mentorship.objects.select_related("mentee__city", "mentor__city", "benchmark")
    if not user.is_authenticated:
        return found.none()
    if user.is_staff:
        return found
    member_of = Membership.objects.filter(user=user).values("workspace")
    coordinator_of = Membership.objects.filter(user=user, role=Role.COORDINATOR).values("workspace")
    return found.filter(Q(mentee__in=member_of) | Q(mentor__in=coordinator_of) | Q(mentors=user)).distinct()


def get_mentorship_for_user(user: User, public_id: UUID) -> Mentorship:
    mentorship = (
        Mentorship.objects.select_related("mentee__city", "mentor__city", "benchmark", "scheme")
        .filter(public_id=public_id)
        .first()
    )
    if mentorship is None or not can_see(user, mentorship):
        raise Http404
    return mentorship


def get_shared_assessment(user: User, mentorship_id: UUID, assessment_id: UUID) -> tuple[Mentorship, Assessment]:
    """An assessment a named mentor reads: the mentorship active, the assessment in its consent and not deleted.
    Checked on every request, so access ends the moment the mentorship ends or the consent is narrowed."""
    mentorship = get_mentorship_for_user(user, mentorship_id)
    if not is_mentor(user, mentorship):
        raise Http404
    assessment = (
        mentorship.shared_assessments.alive()
        .select_related("workspace__city", "benchmark_version__rating_scale", "benchmark_version__benchmark")
        .filter(public_id=assessment_id)
        .first()
    )
    if assessment is None:
        raise Http404
    return mentorship, assessment


def _shared_plan(mentorship: Mentorship, assessment_id: UUID) -> ActionPlan:
    """The plan of that assessment, if the mentorship's consent shares it and neither is deleted; else 404."""
    plan = (
        mentorship.shared_plans.filter(
            deleted_at__isnull=True, assessment__public_id=assessment_id, assessment__deleted_at__isnull=True
        )
        .select_related("assessment__workspace__city", "assessment__benchmark_version")
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def get_shared_plan(user: User, mentorship_id: UUID, assessment_id: UUID) -> tuple[Mentorship, ActionPlan]:
    """An action plan a named mentor reads: shared with its assessment, under the same checks as above."""
    mentorship = get_mentorship_for_user(user, mentorship_id)
    if not is_mentor(user, mentorship):
        raise Http404
    return mentorship, _shared_plan(mentorship, assessment_id)


# ---- The mentorship's own records: activities, their files, sign-offs, the report ----


def can_record_activity(user: User, mentorship: Mentorship) -> bool:
    """While it is active: the implementing city's coordinators and contributors, the mentor city's
    coordinators and the named mentors."""
    if not mentorship.is_active or not user.is_authenticated:
        return False
    if role_in(user, mentorship.mentee) in EDITORS:  # viewers and partners read them
        return True
    return coordinates(user, mentorship.mentor) or mentorship.mentors.filter(pk=user.pk).exists()


def can_read_records(user: User, mentorship: Mentorship) -> bool:
    """Activities' files, the sign-off pages and the mentorship report: the implementing city's members and
    network staff always (they are its records); the mentor city's side (its coordinators and the named mentors)
    only while the mentorship is active. Checked on every request."""
    if not can_see(user, mentorship):
        return False
    if user.is_staff or role_in(user, mentorship.mentee) is not None:
        return True
    return mentorship.is_active


def get_mentorship_records(user: User, mentorship_id: UUID) -> Mentorship:
    """A mentorship whose records (the report) the user reads; 404 otherwise."""
    mentorship = get_mentorship_for_user(user, mentorship_id)
    if not can_read_records(user, mentorship):
        raise Http404
    return mentorship


def get_plan_for_sign_off(user: User, mentorship_id: UUID, assessment_id: UUID) -> tuple[Mentorship, ActionPlan]:
    """The mentorship and a plan its consent shares, for the sign-off page; 404 for anyone else."""
    mentorship = get_mentorship_records(user, mentorship_id)
    return mentorship, _shared_plan(mentorship, assessment_id)


def get_activity_for_user(user: User, public_id: UUID, *, write: bool = False) -> Activity:
    """An activity not deleted, of a mentorship the user sees (never a community's); with `write`, one the user
    may change. 404 otherwise, as for a missing one."""
    activity = (
        Activity.objects.select_related(
            "mentorship__mentee__city", "mentorship__mentor__city", "mentorship__benchmark", "mentorship__scheme"
        )
        .filter(public_id=public_id, deleted_at__isnull=True, mentorship__isnull=False)
        .first()
    )
    if activity is None or not can_see(user, mentorship_of(activity)):
        raise Http404
    if write and not can_record_activity(user, mentorship_of(activity)):
        raise Http404
    return activity


def mentorship_of(activity: Activity) -> Mentorship:
    """The mentorship of an activity read through this module (a community's activities, which have none, are
    communities' own and never reach mentoring's pages)."""
    if activity.mentorship is None:
        raise Http404
    return activity.mentorship


def get_attachment_for_user(user: User, public_id: UUID, *, write: bool = False) -> ActivityAttachment:
    """An attachment not removed, of an activity the user reads, and only for `can_read_records` (checked on
    every request, so an ended mentorship closes the mentor city's downloads at once)."""
    attachment = (
        ActivityAttachment.objects.select_related("activity")
        .filter(public_id=public_id, deleted_at__isnull=True)
        .first()
    )
    if attachment is None:
        raise Http404
    attachment.activity = get_activity_for_user(user, attachment.activity.public_id, write=write)
    if not can_read_records(user, mentorship_of(attachment.activity)):
        raise Http404
    return attachment
