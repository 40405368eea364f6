"""Action plans: the actions a city takes to close the gaps its self-assessment found.

One plan per assessment (drafted from its priority gaps, `actions.do_start_plan`); each action says which
key factors it addresses, who carries it, when, with what money, at which level of government, how far
it has come (status, indicators, dated progress updates). Every change is an ActionPlanEvent.
"""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment, ContextNote
from benchmarks.models import KeyFactor
from lib.models import HistoryEvent
from practices.models import Practice


class ActionPlanQuerySet(models.QuerySet["ActionPlan"]):
    def public(self) -> "ActionPlanQuerySet":
        """Plans anyone may read now: made public by the city's coordinators, of a published assessment.

        Both are checked on every read: a plan stays public when its assessment goes back to private (or is
        deleted), and is hidden as long as the assessment is not published."""
        return self.filter(
            visibility=ActionPlan.Visibility.PUBLIC,
            deleted_at__isnull=True,
            assessment__visibility=Assessment.Visibility.PUBLISHED,
            assessment__deleted_at__isnull=True,
        )


class ActionPlan(models.Model):
    class Visibility(models.TextChoices):
        # Private: the team's working document (actionplans/access.py). Public: a read-only page of what the
        # city plans to do, without owners, partners, budgets or anyone's name (views.public_plan).
        PRIVATE = "private", _("Private to the workspace")
        PUBLIC = "public", _("Public")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One plan per assessment: the OneToOneField is the database's unique constraint.
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="action_plan")
    lock_version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Plans are not deleted from the pages (the assessment's deletion hides its plan); kept for R6.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # A choice of its own: publishing the assessment does not publish its plan (docs/roles.md, "Action plans").
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return f"{_('Action plan')}: {self.assessment}"

    def get_absolute_url(self) -> str:
        return reverse("actionplans:plan", args=[self.assessment.public_id])

    def get_public_url(self) -> str:
        return reverse("actionplans:public_plan", args=[self.assessment.public_id])

    @property
    def is_public(self) -> bool:
        """Whether anyone may read it now (ActionPlanQuerySet.public), with its assessment as loaded."""
        assessment = self.assessment
        return (
            self.visibility == self.Visibility.PUBLIC
            and self.deleted_at is None
            and assessment.visibility == Assessment.Visibility.PUBLISHED
            and assessment.deleted_at is None
        )


def key_factor_field(key_factor: KeyFactor) -> str:
    """The name of a key factor's checkbox in an action's form, and of that choice in its merges."""
    return f"kf-{key_factor.pk}"


class ActionQuerySet(models.QuerySet["Action"]):
    def alive(self) -> "ActionQuerySet":
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> "ActionQuerySet":
        return self.filter(deleted_at__isnull=False)


class Action(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    CLOSED = (Status.DONE, Status.DROPPED)
    # A removed action can be restored for this many days (R6).
    RESTORE_DAYS = 30

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    key_factors = models.ManyToManyField(
        KeyFactor, blank=True, related_name="+", verbose_name=_("key factors it addresses")
    )
    owner = models.CharField(_("owner"), max_length=300, blank=True)
    partners = models.TextField(_("partners"), blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    resources = models.TextField(_("resources"), blank=True)
    budget = models.DecimalField(_("budget (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True)
    funding_source = models.CharField(_("funding source"), max_length=300, blank=True)
    competence = models.CharField(
        _("competence level"), max_length=10, choices=ContextNote.Competence.choices, blank=True
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    # Learning from a practice (URBACT's "understand, adapt, re-use"): the practice of the library this action
    # adapts, of the mentor city or any other, with what is kept, what is changed and why.
    adapts_practice = models.ForeignKey(
        Practice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("practice it adapts"),
    )
    adaptation_kept = models.TextField(_("what is kept of the practice"), blank=True)
    adaptation_changed = models.TextField(_("what is changed"), blank=True)
    adaptation_why = models.TextField(_("why it is changed"), blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    # The client's id of the last autosave applied, so a replayed save is answered, not applied twice.
    last_save_id = models.UUIDField(null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__isnull=True)
                | models.Q(end__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="action_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0), name="action_budget_not_negative"
            ),
        ]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("actionplans:action", args=[self.plan.assessment.public_id, self.public_id])

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    def overdue_indicators(self, today: date) -> list["Indicator"]:
        """Indicators whose due date is past (uses the prefetched indicators when there are)."""
        if self.is_closed:
            return []
        return [i for i in self.indicators.all() if i.due is not None and i.due < today]

    def is_overdue(self, today: date) -> bool:
        """Its end (or an indicator's due date) is past while it is neither done nor dropped."""
        if self.is_closed:
            return False
        return (self.end is not None and self.end < today) or bool(self.overdue_indicators(today))


class Indicator(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=300)
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4, null=True, blank=True)
    current = models.DecimalField(_("current value"), max_digits=16, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    due = models.DateField(_("due date"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class ProgressUpdate(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(_("date"))
    text = models.TextField(_("what happened"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self) -> str:
        return f"{self.on}: {self.text[:40]}"


class ActionPlanEvent(HistoryEvent):
    """The change history of a plan: who did what, when, and what changed."""

    class Action(models.TextChoices):
        STARTED = "started", _("Plan drafted")
        ACTION_ADDED = "action_added", _("Action added")
        ACTION_SAVED = "action_saved", _("Action saved")
        ACTION_MOVED = "action_moved", _("Action moved")
        ACTION_DELETED = "action_deleted", _("Action removed")
        ACTION_RESTORED = "action_restored", _("Action restored")
        INDICATOR_ADDED = "indicator_added", _("Indicator added")
        INDICATOR_SAVED = "indicator_saved", _("Indicator saved")
        INDICATOR_DELETED = "indicator_deleted", _("Indicator removed")
        PROGRESS_ADDED = "progress_added", _("Progress update added")
        # changes: {"visibility": {"from": "private", "to": "public"}} (or back), for feeds of plans made public.
        VISIBILITY_CHANGED = "visibility_changed", _("Visibility changed")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30, choices=Action.choices)

    class Meta(HistoryEvent.Meta):
        pass
