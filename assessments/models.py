"""Self-assessments: a city rates itself against one benchmark version, key factor by key factor.

An assessment points at the BenchmarkVersion it was made against, so later versions of a benchmark
never change an assessment already made. Ratings are the city's own; the rating the answers suggest
is shown beside them and never replaces them.
"""

import math
import uuid
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from benchmarks.models import BenchmarkVersion, ContextFactor, GuideQuestion, KeyFactor
from cities.models import Workspace
from lib.models import HistoryEvent

MAX_RATING = 20


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def alive(self) -> "AssessmentQuerySet":
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> "AssessmentQuerySet":
        return self.filter(deleted_at__isnull=False)

    def published(self) -> "AssessmentQuerySet":
        return self.alive().filter(visibility="published")

    def previous_round_of(self, assessment: "Assessment", *, published_only: bool = False) -> "Assessment | None":
        """The round `assessment` was started from; else the latest other assessment here of the same workspace
        and benchmark (any version) whose round sorts before its round. `published_only`: the same among the
        published ones (for readers outside the team)."""
        candidates = self.select_related("benchmark_version").exclude(pk=assessment.pk)
        if published_only:
            candidates = candidates.filter(visibility=Assessment.Visibility.PUBLISHED)
        if assessment.previous_round_id is not None:
            started_from = candidates.filter(pk=assessment.previous_round_id).first()
            if started_from is not None:
                return started_from
        return (
            candidates.filter(
                workspace_id=assessment.workspace_id,
                benchmark_version__benchmark_id=assessment.benchmark_version.benchmark_id,
                round__lt=assessment.round,
            )
            .order_by("-round", "-created_at", "-pk")
            .first()
        )


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REOPENED = "reopened", _("Reopened")
        FINALISED = "finalised", _("Finalised")

    class Visibility(models.TextChoices):
        # Mentors read what a mentorship's consent shares (mentoring), whatever the visibility: it is not one.
        PRIVATE = "private", _("Private to the workspace")
        PUBLISHED = "published", _("Published")

    EDITABLE = (Status.DRAFT, Status.REOPENED)
    # The workflow: each step (an AssessmentEvent.Action value), the statuses it starts from, the status it
    # leads to. Who may take which step now: access.allowed_transitions.
    TRANSITIONS: ClassVar[dict[str, tuple[tuple[str, ...], str]]] = {
        "submitted": ((Status.DRAFT, Status.REOPENED), Status.SUBMITTED),
        "reopened": ((Status.SUBMITTED,), Status.REOPENED),
        "finalised": ((Status.SUBMITTED,), Status.FINALISED),
    }
    # A next round starts from an assessment the coordinators have submitted or finalised.
    NEXT_ROUND_FROM = (Status.SUBMITTED, Status.FINALISED)
    # A deleted assessment can be restored for this many days (R6); later it may be purged.
    RESTORE_DAYS = 30

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="assessments")
    benchmark_version = models.ForeignKey(BenchmarkVersion, on_delete=models.PROTECT, related_name="assessments")
    round = models.CharField(_("round"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default="private")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    lock_version = models.PositiveIntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The round this one was started from (answers, ratings and evidence links carried over); the old
    # round stays as it was, read-only.
    previous_round = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_rounds", editable=False
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        constraints = [
            # At most one open (not finalised, not deleted) assessment per workspace, benchmark version
            # and round.
            models.UniqueConstraint(
                fields=["workspace", "benchmark_version", "round"],
                condition=~models.Q(status="finalised") & models.Q(deleted_at__isnull=True),
                name="one_open_assessment_per_round",
            )
        ]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")

    def __str__(self) -> str:
        return f"{self.benchmark_version.title} {self.round} ({self.workspace})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment", args=[self.public_id])

    @property
    def is_deletable(self) -> bool:
        """Not finalised: a finalised assessment is the city's record of its round and stays."""
        return self.status != self.Status.FINALISED

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


def answer_field(question: GuideQuestion) -> str:
    """The name of a guide question's answer in the key factor's form, its workbook and its merges."""
    return f"q{question.number}-answer"


def comment_field(question: GuideQuestion) -> str:
    return f"q{question.number}-comment"


def factor_fields(factor: "FactorAssessment", answers: list["QuestionAnswer"]) -> dict[str, Any]:
    """A key factor by the names of its form's fields (assessments.forms.FactorForm): the unit that saves
    and workbook imports merge by (lib.merge). `answers` carry their question."""
    fields: dict[str, Any] = {"rating": factor.rating, "justification": factor.justification}
    for a in answers:
        fields[answer_field(a.question)] = a.answer
        fields[comment_field(a.question)] = a.comment
    return fields


def context_fields(notes: list["ContextNote"]) -> dict[str, Any]:
    """The context notes by the names of their form's fields (assessments.forms.ContextForm), the unit that
    saves merge by. `notes` carry their context factor and their key factors (prefetched)."""
    fields: dict[str, Any] = {}
    for note in notes:
        n = note.context_factor.number
        fields |= {f"c{n}-effect": note.effect, f"c{n}-competence": note.competence, f"c{n}-note": note.note}
        fields[f"c{n}-key_factors"] = sorted(str(kf.pk) for kf in note.key_factors.all())
    return fields


class FactorAssessment(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="factors")
    key_factor = models.ForeignKey(KeyFactor, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    justification = models.TextField(_("justification"), blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # The client's id of the last autosave applied, so a replayed save is answered, not applied twice.
    last_save_id = models.UUIDField(null=True, blank=True, editable=False)
    # Carried over from the previous round and not saved since: the team still has to review it.
    to_review = models.BooleanField(_("to review"), default=False)

    class Meta:
        ordering = ["key_factor__kind", "key_factor__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key_factor"], name="one_row_per_key_factor"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=0, rating__lte=MAX_RATING),
                name="rating_within_bounds",
            ),
        ]

    def __str__(self) -> str:
        return str(self.key_factor)

    def suggested_rating(self, answers: list["QuestionAnswer"], scale_max: int) -> int | None:
        """The rating the answers suggest: the share of yes (1) and partly (0.5) among answered,
        applicable questions, mapped onto 0..scale_max. None while nothing applicable is answered."""
        weights = {QuestionAnswer.Answer.YES: Decimal(1), QuestionAnswer.Answer.PARTLY: Decimal("0.5")}
        counted = [a for a in answers if a.answer in (*weights, QuestionAnswer.Answer.NO)]
        if not counted:
            return None
        share = sum((weights.get(QuestionAnswer.Answer(a.answer), Decimal(0)) for a in counted), Decimal(0))
        value = share / len(counted) * scale_max
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class QuestionAnswer(models.Model):
    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")
        DONT_KNOW = "dont_know", _("Don't know")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    factor = models.ForeignKey(FactorAssessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(GuideQuestion, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["question__number"]
        constraints = [models.UniqueConstraint(fields=["factor", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.question}: {self.answer}"


class ContextNote(models.Model):
    class Effect(models.TextChoices):
        CONSTRAINT = "constraint", _("Constraint")
        ENABLER = "enabler", _("Enabler")
        NEUTRAL = "neutral", _("Neutral")

    class Competence(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipal")
        REGIONAL = "regional", _("Regional")
        NATIONAL = "national", _("National")
        EU = "eu", _("European Union")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="context_notes")
    context_factor = models.ForeignKey(ContextFactor, on_delete=models.PROTECT, related_name="+")
    effect = models.CharField(_("effect"), max_length=10, choices=Effect.choices, blank=True)
    competence = models.CharField(_("competence"), max_length=10, choices=Competence.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The key factors the team says this condition bears on; the results show the note beside them.
    key_factors = models.ManyToManyField(KeyFactor, blank=True, related_name="+", verbose_name=_("bears on"))

    class Meta:
        ordering = ["context_factor__number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "context_factor"], name="one_note_per_context")]

    def __str__(self) -> str:
        return str(self.context_factor)

    @property
    def is_done(self) -> bool:
        return bool(self.effect and self.competence)


class PartnerRating(models.Model):
    """A partner organisation's own rating of a key factor, shown beside the city's rating.

    One row per organisation (not per person): members who speak for the same organisation share it.
    """

    factor = models.ForeignKey(FactorAssessment, on_delete=models.CASCADE, related_name="partner_ratings")
    organisation = models.CharField(_("organisation"), max_length=200)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organisation"]
        constraints = [
            models.UniqueConstraint(fields=["factor", "organisation"], name="one_rating_per_partner"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=0, rating__lte=MAX_RATING),
                name="partner_rating_within_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.rating}"

    @staticmethod
    def divergence_threshold(scale: Sequence[int]) -> int:
        """How many levels apart a partner's rating and the city's must be to be highlighted (docs/roles.md):
        two levels; on a scale of four levels or fewer, where two levels are half the scale or more, one."""
        span = len(scale) - 1
        return max(1, min(2, math.ceil(span / 3)))

    def levels_apart(self, city_rating: int | None, scale: Sequence[int]) -> int | None:
        """How many steps of the scale lie between this rating and the city's; None unless both are rated.

        Counted in positions on the scale, not in values, so a scale whose values skip numbers counts right.
        """
        values = sorted(scale)
        if self.rating is None or city_rating is None or self.rating not in values or city_rating not in values:
            return None
        return abs(values.index(self.rating) - values.index(city_rating))

    def diverges_from(self, city_rating: int | None, scale: Sequence[int]) -> bool:
        """The divergence rule: at least `divergence_threshold` levels apart (never when either is unrated)."""
        apart = self.levels_apart(city_rating, scale)
        return apart is not None and apart >= self.divergence_threshold(scale)


class FactorComment(models.Model):
    """A remark on a key factor in the team's discussion, optionally addressed to some members."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    factor = models.ForeignKey(FactorAssessment, on_delete=models.CASCADE, related_name="discussion")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("comment"))
    addressed_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="addressed_comments", verbose_name=_("addressed to")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class AssessmentEvent(HistoryEvent):
    """The change history of an assessment: who did what, when, and what changed."""

    class Action(models.TextChoices):
        STARTED = "started", _("Started")
        FACTOR_SAVED = "factor_saved", _("Key factor saved")
        CONTEXT_SAVED = "context_saved", _("Context factors saved")
        SUBMITTED = "submitted", _("Submitted")
        REOPENED = "reopened", _("Reopened")
        FINALISED = "finalised", _("Finalised")
        VISIBILITY_CHANGED = "visibility_changed", _("Visibility changed")
        PARTNER_RATED = "partner_rated", _("Partner rating saved")
        COMMENTED = "commented", _("Comment added")
        COMMENT_DELETED = "comment_deleted", _("Comment deleted")
        EVIDENCE_ATTACHED = "evidence_attached", _("Evidence attached")
        EVIDENCE_DETACHED = "evidence_detached", _("Evidence detached")
        DELETED = "deleted", _("Deleted")
        RESTORED = "restored", _("Restored")
        NEXT_ROUND_STARTED = "next_round_started", _("Next round started from this one")
        IMPORTED = "imported", _("Workbook imported")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30, choices=Action.choices)

    class Meta(HistoryEvent.Meta):
        pass
