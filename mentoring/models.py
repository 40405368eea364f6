"""Mentoring, as ImpleMentoring and VALUES ran it: a city "is mentored through the process of change by a
mentor city" (seeds 000, 002, 003).

A city offers itself as a mentor (`MentorOffer`); network staff may group mentor and implementing cities in
a scheme (`MentoringScheme`); an implementing city requests a mentorship of a mentor city for one benchmark
(`Mentorship`), which the mentor city accepts, naming its mentors (members of its workspace, not its whole
team), or declines; either side may end it, with an outcome. What the mentors read is the implementing
city's consent, kept on the mentorship and changed by its coordinators at any time: the one gate.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from actionplans.models import Action, ActionPlan
from assessments.models import Assessment, FactorAssessment
from benchmarks.models import Benchmark
from cities.models import Workspace
from lib.models import HistoryEvent

NOTE_MAX = 1000


class MentorOffer(models.Model):
    """A city's offer to mentor: on which benchmarks, in which languages, how many cities at once."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="mentor_offer")
    benchmarks = models.ManyToManyField(Benchmark, related_name="mentor_offers", verbose_name=_("benchmarks"))
    # ISO 639-1 codes of the languages the city's staff work in (settings.MENTORING_LANGUAGES).
    languages = models.JSONField(_("working languages"), default=list)
    capacity = models.PositiveSmallIntegerField(_("cities mentored at once"), default=1)
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    # Unpublished assessments the coordinator lets matching read (ratings and context); published ones count anyway.
    shared_for_matching = models.ManyToManyField(
        Assessment, blank=True, related_name="+", verbose_name=_("assessments shared for matching")
    )
    open = models.BooleanField(_("open to new mentorships"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mentor offer")
        verbose_name_plural = _("mentor offers")

    def __str__(self) -> str:
        return str(self.workspace)


class MentoringScheme(models.Model):
    """Network staff's grouping of mentor and implementing cities on a benchmark for a period."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    benchmark = models.ForeignKey(
        Benchmark, on_delete=models.PROTECT, related_name="mentoring_schemes", verbose_name=_("benchmark")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), max_length=NOTE_MAX, blank=True)
    mentors = models.ManyToManyField(Workspace, related_name="schemes_as_mentor", verbose_name=_("mentor cities"))
    implementing = models.ManyToManyField(
        Workspace, related_name="schemes_as_implementing", verbose_name=_("implementing cities")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="scheme_period")
        ]
        verbose_name = _("mentoring scheme")
        verbose_name_plural = _("mentoring schemes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mentoring:scheme", args=[self.public_id])


class MentorshipQuerySet(models.QuerySet["Mentorship"]):
    def active(self) -> "MentorshipQuerySet":
        return self.filter(status=Mentorship.Status.ACTIVE)

    def of_workspace(self, workspace: Workspace) -> "MentorshipQuerySet":
        return self.filter(models.Q(mentee=workspace) | models.Q(mentor=workspace))


class Mentorship(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        WITHDRAWN = "withdrawn", _("Request withdrawn")
        DECLINED = "declined", _("Declined")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("Completed as agreed")
        ENDED_EARLY = "ended_early", _("Ended early")

    # Statuses in which a pair of cities has a mentorship under way, so that no second one is opened.
    OPEN = (Status.REQUESTED, Status.ACTIVE)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mentee = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="mentorships_received", verbose_name=_("implementing city")
    )
    mentor = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="mentorships_given", verbose_name=_("mentor city")
    )
    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="+", verbose_name=_("benchmark"))
    scheme = models.ForeignKey(
        MentoringScheme, on_delete=models.SET_NULL, null=True, blank=True, related_name="mentorships"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    message = models.TextField(_("message"), max_length=NOTE_MAX, blank=True)
    # The named members of the mentor city's workspace who mentor (chosen when it is accepted).
    mentors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentorships_as_mentor")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    end_reason = models.TextField(_("why it ended early"), max_length=NOTE_MAX, blank=True)
    # The mentorship this one replaces when network staff re-pair a city (the old one stays, ended).
    replaces = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )
    # The implementing city's consent (changed by its coordinators at any time; read only while active).
    shared_assessments = models.ManyToManyField(Assessment, blank=True, related_name="mentorships")
    shared_plans = models.ManyToManyField(ActionPlan, blank=True, related_name="mentorships")
    shares_evidence_files = models.BooleanField(_("evidence files"), default=False)
    shares_partner_ratings = models.BooleanField(_("partner organisations' ratings and comments"), default=False)
    # The city's choice to show the mentors' reviews with its assessments once they are published.
    publishes_reviews = models.BooleanField(_("the mentors' reviews with a published assessment"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MentorshipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(mentee=models.F("mentor")), name="mentor_is_another_city"),
            # One requested or active mentorship per pair of cities and benchmark.
            models.UniqueConstraint(
                fields=["mentee", "mentor", "benchmark"],
                condition=models.Q(status__in=["requested", "active"]),
                name="one_open_mentorship_per_pair",
            ),
        ]
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")

    def __str__(self) -> str:
        return f"{self.mentor.city} → {self.mentee.city} ({self.benchmark})"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:mentorship", args=[self.public_id])

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class MentorshipEvent(HistoryEvent):
    """The history of a mentorship: who requested, accepted, declined, ended, changed the consent, when."""

    class Action(models.TextChoices):
        REQUESTED = "requested", _("requested the mentorship")
        WITHDRAWN = "withdrawn", _("withdrew the request")
        ACCEPTED = "accepted", _("accepted the mentorship")
        DECLINED = "declined", _("declined the request")
        PAIRED = "paired", _("paired the cities")
        MENTORS = "mentors", _("changed the mentors")
        CONSENT = "consent", _("changed what the mentors read")
        REVIEWED = "reviewed", _("reviewed a rating")
        ANSWERED = "answered", _("answered a review")
        ACTIVITY = "activity", _("recorded an activity")
        SIGNED = "signed", _("signed off the action plan")
        ENDED = "ended", _("ended the mentorship")

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("mentorship event")
        verbose_name_plural = _("mentorship events")


# ---- The mentor's work on the shared assessment ----


class RatingReview(models.Model):
    """A mentor's review of one key factor's rating: agreed, or another level suggested with a reason; the
    team answers and may change its rating. It stays with the implementing city's assessment, attributed."""

    class Verdict(models.TextChoices):
        AGREE = "agree", _("Agrees with the rating")
        SUGGEST = "suggest", _("Suggests another level")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="reviews")
    factor = models.ForeignKey(FactorAssessment, on_delete=models.CASCADE, related_name="mentor_reviews")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    verdict = models.CharField(_("review"), max_length=10, choices=Verdict.choices)
    # The city's rating the review was about, so a later change of it shows.
    reviewed_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    suggested_rating = models.PositiveSmallIntegerField(_("suggested level"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=NOTE_MAX, blank=True)
    answer = models.TextField(_("the team's answer"), max_length=NOTE_MAX, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["factor", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["mentorship", "factor", "by"], name="one_review_per_mentor_and_factor")
        ]
        verbose_name = _("rating review")
        verbose_name_plural = _("rating reviews")

    def __str__(self) -> str:
        return f"{self.factor}: {self.verdict}"


class MentorComment(models.Model):
    """A post in the thread of one key factor between the mentors and the city's team."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="comments")
    factor = models.ForeignKey(FactorAssessment, on_delete=models.CASCADE, related_name="mentor_comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("comment"), max_length=4000)
    addressees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("mentoring comment")
        verbose_name_plural = _("mentoring comments")

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


# ---- Activities ----


class Activity(models.Model):
    """A mentoring activity, planned or held, of a mentorship or of a community of practice. Times are stored in UTC
    and shown in the zone it is held in."""

    class Kind(models.TextChoices):
        SITE_VISIT = "site_visit", _("Site visit")
        STAFF_EXCHANGE = "staff_exchange", _("Staff exchange")
        WORKSHOP = "workshop", _("Workshop")
        ONLINE_MEETING = "online_meeting", _("Online meeting")
        TRAINING = "training", _("Training")
        ACTION_PLANNING = "action_planning", _("Action-planning session")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Empty for a community's activity (communities.CommunityActivity files it there): one log for both.
    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Brussels")  # an IANA name
    online = models.BooleanField(_("online"), default=False)
    place = models.CharField(_("place"), max_length=300, blank=True)
    participant_cities = models.ManyToManyField(Workspace, blank=True, related_name="+")
    organisations = models.TextField(_("organisations taking part"), max_length=NOTE_MAX, blank=True)
    participant_count = models.PositiveSmallIntegerField(_("how many took part"), null=True, blank=True)
    agenda = models.TextField(_("agenda"), max_length=4000, blank=True)
    notes = models.TextField(_("notes"), max_length=8000, blank=True)
    outcomes = models.TextField(_("outcomes"), max_length=4000, blank=True)
    follow_ups = models.ManyToManyField(Action, blank=True, related_name="mentoring_activities")
    lock_version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gte=models.F("starts_at")), name="activity_period")
        ]
        verbose_name = _("mentoring activity")
        verbose_name_plural = _("mentoring activities")

    def __str__(self) -> str:
        return self.title


class ActivityAttachment(models.Model):
    """A file of an activity, checked and stored as evidence files are (lib.uploads)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    file_size = models.PositiveBigIntegerField(_("file size"))
    file_type = models.CharField(_("file type"), max_length=100)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("activity attachment")
        verbose_name_plural = _("activity attachments")

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A person's secret iCalendar address of planned activities (a calendar app cannot sign in). Only a
    SHA-256 hash of its token is stored; revoking it, or making a new one, ends the old address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


# ---- The action plan signed off by both ----


class PlanSignOff(models.Model):
    """The joint sign-off of an action plan by the implementing city's coordinator and a mentor. What was
    signed (`snapshot`: the plan's actions as they were) is kept, so later changes show against it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="sign_offs")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="sign_offs")
    snapshot = models.JSONField(default=dict)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    coordinator_at = models.DateTimeField(null=True, blank=True)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mentor_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("plan sign-off")
        verbose_name_plural = _("plan sign-offs")

    def __str__(self) -> str:
        return f"{self.plan} ({self.created_at:%Y-%m-%d})"

    @property
    def is_complete(self) -> bool:
        return self.coordinator_at is not None and self.mentor_at is not None


# ---- What each person is told ----


class Notification(models.Model):
    """One thing a person was told about (the subject of the mail, and where to look), kept for their page of
    notifications whether or not they chose to get it by e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30)  # mentoring.notify.KINDS
    subject = models.CharField(max_length=255)
    link = models.CharField(max_length=500)
    mailed = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="notifications_of_user")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.subject


class MailChoice(models.Model):
    """A person's choice not to get one kind of mentoring e-mail (no row: they get it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_choices")
    kind = models.CharField(max_length=30)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_choice_per_kind")]
        verbose_name = _("mail choice")
        verbose_name_plural = _("mail choices")

    def __str__(self) -> str:
        return f"{self.user}: no {self.kind}"
