"""State changes of mentoring: offers, schemes, requests, decisions, consent, mentors, ends.

Each action runs in one transaction with the mentorship row locked where its status decides, records the
history (`MentorshipEvent`: who, when, what) and queues the e-mail of the other side, which leaves after
the commit (outbox)."""

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from actionplans.models import ActionPlan
from assessments.models import Assessment
from benchmarks.models import Benchmark
from cities.models import Membership, Role, Workspace
from lib.actions import Refused
from mentoring.models import MentoringScheme, MentorOffer, Mentorship, MentorshipEvent
from mentoring.notify import notify


class MentoringError(Refused):
    """A refused change to mentoring."""


def coordinators_of(workspace: Workspace) -> list[User]:
    return [
        m.user for m in Membership.objects.select_related("user").filter(workspace=workspace, role=Role.COORDINATOR)
    ]


def _tell(people: Iterable[User], template: str, mentorship: Mentorship, site_url: str, **extra: object) -> None:
    link = site_url.rstrip("/") + mentorship.get_absolute_url()
    notify(people, template, {"mentorship": mentorship, "link": link, **extra}, site_url=site_url)


def record(mentorship: Mentorship, action: str, by: User, **changes: object) -> None:
    MentorshipEvent.objects.create(mentorship=mentorship, action=action, by=by, changes=changes)


def locked_mentorship(mentorship: Mentorship) -> Mentorship:
    return (
        Mentorship.objects.select_for_update()
        .select_related("mentee__city", "mentor__city", "benchmark")
        .get(pk=mentorship.pk)
    )


# ---- Offers and schemes ----


def do_save_offer(
    workspace: Workspace,
    *,
    by: User,
    benchmarks: Iterable[Benchmark],
    languages: list[str],
    capacity: int,
    note: str,
    open: bool,
    shared_for_matching: Iterable[Assessment] = (),
) -> MentorOffer:
    shared = list(shared_for_matching)
    if any(a.workspace_id != workspace.pk for a in shared):
        raise MentoringError(_("Only this city's own assessments can be shared for matching."))
    with transaction.atomic():
        offer, _created = MentorOffer.objects.select_for_update().get_or_create(workspace=workspace)
        offer.languages = sorted(set(languages))
        offer.capacity = capacity
        offer.note = note
        offer.open = open
        offer.updated_by = by
        offer.save()
        offer.benchmarks.set(list(benchmarks))
        offer.shared_for_matching.set(shared)
    return offer


def do_save_scheme(
    scheme: MentoringScheme | None,
    *,
    by: User,
    name: str,
    benchmark: Benchmark,
    starts_on: date,
    ends_on: date,
    description: str,
    mentors: Iterable[Workspace],
    implementing: Iterable[Workspace],
) -> MentoringScheme:
    mentor_set, implementing_set = set(mentors), set(implementing)
    if mentor_set & implementing_set:
        raise MentoringError(_("A city is either a mentor or an implementing city in a scheme, not both."))
    if ends_on < starts_on:
        raise MentoringError(_("A scheme cannot end before it starts."))
    with transaction.atomic():
        scheme = scheme or MentoringScheme(created_by=by)
        scheme.name, scheme.benchmark, scheme.description = name, benchmark, description
        scheme.starts_on, scheme.ends_on = starts_on, ends_on
        scheme.save()
        scheme.mentors.set(mentor_set)
        scheme.implementing.set(implementing_set)
    return scheme


# ---- A mentorship's course ----


def _open(
    *,
    mentee: Workspace,
    mentor: Workspace,
    benchmark: Benchmark,
    by: User,
    status: str,
    message: str = "",
    scheme: MentoringScheme | None = None,
    replaces: Mentorship | None = None,
) -> Mentorship:
    if mentee.pk == mentor.pk:
        raise MentoringError(_("A city cannot mentor itself."))
    if Mentorship.objects.filter(
        mentee=mentee, mentor=mentor, benchmark=benchmark, status__in=Mentorship.OPEN
    ).exists():
        raise MentoringError(
            _("%(mentor)s and %(mentee)s already have a mentorship on this benchmark, requested or active.")
            % {"mentor": mentor.city.name, "mentee": mentee.city.name}
        )
    try:
        with transaction.atomic():
            return Mentorship.objects.create(
                mentee=mentee,
                mentor=mentor,
                benchmark=benchmark,
                status=status,
                message=message,
                scheme=scheme,
                replaces=replaces,
                created_by=by,
                started_at=timezone.now() if status == Mentorship.Status.ACTIVE else None,
            )
    except IntegrityError:  # the same request made at the same moment by someone else
        raise MentoringError(_("This mentorship has just been requested by someone else.")) from None


def do_request(
    mentee: Workspace,
    mentor: Workspace,
    benchmark: Benchmark,
    *,
    by: User,
    message: str,
    share: Iterable[Assessment] = (),
    site_url: str,
) -> Mentorship:
    """The implementing city asks a mentor city; `share` is the consent it gives from the start (its own
    assessments of the benchmark), which the mentors read only once they accept."""
    offer = MentorOffer.objects.filter(workspace=mentor, open=True, benchmarks=benchmark).first()
    if offer is None:
        raise MentoringError(_("%(city)s does not offer to mentor on this benchmark.") % {"city": mentor.city.name})
    with transaction.atomic():
        mentorship = _open(
            mentee=mentee,
            mentor=mentor,
            benchmark=benchmark,
            by=by,
            status=Mentorship.Status.REQUESTED,
            message=message,
        )
        shared = [a for a in share if a.workspace_id == mentee.pk]
        mentorship.shared_assessments.set(shared)
        record(mentorship, MentorshipEvent.Action.REQUESTED, by, shared=[str(a) for a in shared])
        _tell(coordinators_of(mentor), "requested", mentorship, site_url)
    return mentorship


def do_withdraw(mentorship: Mentorship, *, by: User, site_url: str) -> None:
    with transaction.atomic():
        locked = locked_mentorship(mentorship)
        if locked.status != Mentorship.Status.REQUESTED:
            raise MentoringError(_("Only a request not yet decided can be withdrawn."))
        locked.status = Mentorship.Status.WITHDRAWN
        locked.ended_at = timezone.now()
        locked.save(update_fields=["status", "ended_at"])
        record(locked, MentorshipEvent.Action.WITHDRAWN, by)
        _tell(coordinators_of(locked.mentor), "withdrawn", locked, site_url)


def _check_mentors(mentorship: Mentorship, mentors: Iterable[User]) -> list[User]:
    chosen = list(mentors)
    if not chosen:
        raise MentoringError(_("Name at least one mentor from your workspace."))
    members = set(Membership.objects.filter(workspace=mentorship.mentor).values_list("user_id", flat=True))
    if any(user.pk not in members for user in chosen):
        raise MentoringError(_("Mentors are members of the mentor city's workspace."))
    return chosen


def do_accept(mentorship: Mentorship, *, by: User, mentors: Iterable[User], site_url: str) -> None:
    """The mentor city accepts, naming its mentors: from now on they read what the consent shares."""
    with transaction.atomic():
        locked = locked_mentorship(mentorship)
        if locked.status != Mentorship.Status.REQUESTED:
            raise MentoringError(_("This request has already been decided."))
        chosen = _check_mentors(locked, mentors)
        locked.status = Mentorship.Status.ACTIVE
        locked.started_at = timezone.now()
        locked.save(update_fields=["status", "started_at"])
        locked.mentors.set(chosen)
        record(locked, MentorshipEvent.Action.ACCEPTED, by, mentors=sorted(str(u) for u in chosen))
        _tell(coordinators_of(locked.mentee), "accepted", locked, site_url)
        _tell([u for u in chosen if u != by], "named_mentor", locked, site_url)


def do_decline(mentorship: Mentorship, *, by: User, reason: str, site_url: str) -> None:
    with transaction.atomic():
        locked = locked_mentorship(mentorship)
        if locked.status != Mentorship.Status.REQUESTED:
            raise MentoringError(_("This request has already been decided."))
        locked.status = Mentorship.Status.DECLINED
        locked.end_reason = reason
        locked.ended_at = timezone.now()
        locked.save(update_fields=["status", "end_reason", "ended_at"])
        record(locked, MentorshipEvent.Action.DECLINED, by, reason=reason)
        _tell(coordinators_of(locked.mentee), "declined", locked, site_url, reason=reason)


def do_set_mentors(mentorship: Mentorship, *, by: User, mentors: Iterable[User]) -> None:
    with transaction.atomic():
        locked = locked_mentorship(mentorship)
        if not locked.is_active:
            raise MentoringError(_("Mentors are named for an active mentorship."))
        chosen = _check_mentors(locked, mentors)
        before = sorted(str(u) for u in locked.mentors.all())
        locked.mentors.set(chosen)
        after = sorted(str(u) for u in chosen)
        if before != after:
            record(locked, MentorshipEvent.Action.MENTORS, by, mentors={"from": before, "to": after})


def do_set_consent(
    mentorship: Mentorship,
    *,
    by: User,
    assessments: Iterable[Assessment],
    plans: Iterable[ActionPlan],
    evidence_files: bool,
    partner_ratings: bool,
    publish_reviews: bool = False,
) -> None:
    """What the mentors read, chosen by the implementing city: its assessments and action plans, with or
    without evidence files and partner ratings. Narrowing it ends the mentors' access at once."""
    with transaction.atomic():
        locked = locked_mentorship(mentorship)
        if locked.status not in Mentorship.OPEN:
            raise MentoringError(_("The consent of an ended mentorship cannot change: the mentors read nothing now."))
        chosen = [a for a in assessments if a.workspace_id == locked.mentee_id and a.deleted_at is None]
        chosen_plans = [p for p in plans if p.assessment_id in {a.pk for a in chosen}]
        before = _consent(locked)
        locked.shared_assessments.set(chosen)
        locked.shared_plans.set(chosen_plans)
        locked.shares_evidence_files = evidence_files
        locked.shares_partner_ratings = partner_ratings
        locked.publishes_reviews = publish_reviews
        locked.save(update_fields=["shares_evidence_files", "shares_partner_ratings", "publishes_reviews"])
        after = _consent(locked)
        changed = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
        if changed:
            record(locked, MentorshipEvent.Action.CONSENT, by, **changed)


def _consent(mentorship: Mentorship) -> dict[str, object]:
    return {
        "assessments": sorted(str(a) for a in mentorship.shared_assessments.all()),
        "plans": sorted(str(p.assessment) for p in mentorship.shared_plans.select_related("assessment")),
        "evidence_files": mentorship.shares_evidence_files,
        "partner_ratings": mentorship.shares_partner_ratings,
        "publish_reviews": mentorship.publishes_reviews,
    }


def do_end(mentorship: Mentorship, *, by: User, outcome: str, reason: str, site_url: str) -> None:
    """Either side ends it: completed as agreed, or ended early with why (not recorded as anyone's failure).
    The mentors' reading ends at once; what they wrote stays with the implementing city, attributed."""
    if outcome not in Mentorship.Outcome.values:
        raise MentoringError(_("Say how the mentorship ended."))
    if outcome == Mentorship.Outcome.ENDED_EARLY and not reason.strip():
        raise MentoringError(_("Say why the mentorship ends early."))
    with transaction.atomic():
        locked = locked_mentorship(mentorship)
        if not locked.is_active:
            raise MentoringError(_("Only an active mentorship can end."))
        locked.status = Mentorship.Status.ENDED
        locked.outcome = outcome
        locked.end_reason = reason.strip() if outcome == Mentorship.Outcome.ENDED_EARLY else ""
        locked.ended_at = timezone.now()
        locked.save(update_fields=["status", "outcome", "end_reason", "ended_at"])
        record(locked, MentorshipEvent.Action.ENDED, by, outcome=outcome, reason=locked.end_reason)
        others = [u for u in coordinators_of(locked.mentee) + coordinators_of(locked.mentor) if u != by]
        _tell(others, "ended", locked, site_url)


def do_pair(
    mentee: Workspace,
    mentor: Workspace,
    benchmark: Benchmark,
    *,
    by: User,
    scheme: MentoringScheme | None = None,
    replaces: Mentorship | None = None,
    site_url: str,
) -> Mentorship:
    """Network staff pair two cities by hand: the mentorship is active at once, its mentors named by the mentor
    city's coordinators and its consent given by the implementing city's, as for any other. Re-pairing ends the
    mentorship it replaces (ended early, "re-paired by the network team"), which stays in the history."""
    with transaction.atomic():
        if replaces is not None:
            old = locked_mentorship(replaces)
            if old.mentee_id != mentee.pk:
                raise MentoringError(_("A re-pairing replaces a mentorship of the same implementing city."))
            if old.is_active:
                do_end(
                    old,
                    by=by,
                    outcome=Mentorship.Outcome.ENDED_EARLY,
                    reason=_("Re-paired by the network team."),
                    site_url=site_url,
                )
        mentorship = _open(
            mentee=mentee,
            mentor=mentor,
            benchmark=benchmark,
            by=by,
            status=Mentorship.Status.ACTIVE,
            scheme=scheme,
            replaces=replaces,
        )
        record(mentorship, MentorshipEvent.Action.PAIRED, by, replaces=str(replaces) if replaces else "")
        _tell(coordinators_of(mentee) + coordinators_of(mentor), "paired", mentorship, site_url)
    return mentorship
