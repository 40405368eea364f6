"""The city's evidence library: statistics, policy documents, project examples and other sources, each a link
or an uploaded file, attached to key factors or single guide questions of its self-assessments.

An item belongs to a workspace, not to an assessment, so it is reused in later rounds. Every item shows its
age (from its date, else its statistic's reference year, else when it was added): evidence gets stale.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessments.models import FactorAssessment, QuestionAnswer
from cities.models import Workspace
from lib.models import HistoryEvent


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def alive(self) -> "EvidenceQuerySet":
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> "EvidenceQuerySet":
        return self.filter(deleted_at__isnull=False)

    def of_workspace(self, workspace: Workspace) -> "EvidenceQuerySet":
        return self.filter(workspace=workspace)

    def restorable(self, now: Any = None) -> "EvidenceQuerySet":
        now = now or timezone.now()
        return self.filter(deleted_at__gte=now - timedelta(days=Evidence.RESTORE_DAYS))

    def purgeable(self, now: Any = None) -> "EvidenceQuerySet":
        now = now or timezone.now()
        return self.filter(deleted_at__lt=now - timedelta(days=Evidence.RESTORE_DAYS))


@dataclass(frozen=True)
class Age:
    basis: str  # "dated", "reference_year" or "added"
    since: date
    days: int
    words: str  # "3 years old"
    label: str  # "dated 14 March 2023 · 3 years old"


def age_in_words(since: date, today: date, *, added: bool = False) -> str:
    days = (today - since).days
    if days <= 0:
        return str(_("added today")) if added else str(_("from today"))
    months = (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)
    if months < 1:
        return ngettext("%(n)d day old", "%(n)d days old", days) % {"n": days}
    if months < 12:
        return ngettext("%(n)d month old", "%(n)d months old", months) % {"n": months}
    years = months // 12
    return ngettext("%(n)d year old", "%(n)d years old", years) % {"n": years}


class Evidence(models.Model):
    class Kind(models.TextChoices):
        STATISTIC = "statistic", _("Statistic")
        POLICY = "policy", _("Policy document")
        PROJECT = "project", _("Project example")
        OTHER = "other", _("Other")

    # A deleted item can be restored for this many days (R6); then purge_deleted_evidence removes it and its file.
    RESTORE_DAYS = 30

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    # Stored under a random name (lib.uploads.stored_name); file_name is the user's name, for display only.
    file = models.FileField(_("file"), max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)
    file_type = models.CharField(_("file type"), max_length=100, blank=True)  # decided by lib.uploads, not the browser
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    reference_year = models.PositiveSmallIntegerField(_("reference year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    dated = models.DateField(_("date of the document or data"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    lock_version = models.PositiveIntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        constraints = [
            # A statistic carries its value, unit, reference year and source (the source may be a citation
            # alone: a statistic needs no link or file).
            models.CheckConstraint(
                condition=~models.Q(kind="statistic")
                | (
                    models.Q(value__isnull=False, reference_year__isnull=False)
                    & ~models.Q(unit="")
                    & ~models.Q(source="")
                ),
                name="statistic_has_value_unit_year_source",
            ),
            models.CheckConstraint(condition=models.Q(url="") | models.Q(file=""), name="evidence_link_or_file"),
            models.CheckConstraint(
                condition=models.Q(kind="statistic") | ~models.Q(url="") | ~models.Q(file=""),
                name="evidence_needs_link_or_file",
            ),
            models.CheckConstraint(
                condition=models.Q(file="")
                | (~models.Q(file_name="") & ~models.Q(file_type="") & models.Q(file_size__isnull=False)),
                name="evidence_file_described",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def value_display(self) -> str:
        """The statistic's value without trailing zeros (18.4, not 18.4000)."""
        if self.value is None:
            return ""
        text = format(self.value.normalize(), "f")
        return text

    def restore_until(self) -> Any:
        return self.deleted_at + timedelta(days=self.RESTORE_DAYS) if self.deleted_at else None

    def age(self, today: date | None = None) -> Age:
        """How old the evidence is: from its date, else the middle of its reference year, else when it was added."""
        today = today or timezone.localdate()
        if self.dated:
            since = self.dated
            words = age_in_words(since, today)
            basis, lead = "dated", _("dated %(date)s") % {"date": formats.date_format(since, "j F Y")}
        elif self.reference_year:
            since = date(self.reference_year, 7, 1)
            words = age_in_words(since, today)
            basis, lead = "reference_year", _("data for %(year)s") % {"year": self.reference_year}
        else:
            since = timezone.localtime(self.created_at).date() if self.created_at else today
            words = age_in_words(since, today, added=True)
            basis = "added"
            lead = "" if since >= today else _("added %(date)s") % {"date": formats.date_format(since, "j F Y")}
        label = f"{lead} · {words}" if lead else words
        return Age(basis=basis, since=since, days=max((today - since).days, 0), words=words, label=label)


class EvidenceLink(models.Model):
    """An item attached to a key factor of an assessment, as a whole (question is None) or to one guide question."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="links")
    factor = models.ForeignKey(FactorAssessment, on_delete=models.CASCADE, related_name="evidence_links")
    question = models.ForeignKey(
        QuestionAnswer, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence_links"
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            # NULLs are distinct in a unique index, so "the key factor as a whole" needs its own partial one.
            models.UniqueConstraint(
                fields=["evidence", "factor", "question"],
                condition=models.Q(question__isnull=False),
                name="evidence_once_per_question",
            ),
            models.UniqueConstraint(
                fields=["evidence", "factor"],
                condition=models.Q(question__isnull=True),
                name="evidence_once_per_key_factor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence} → {self.factor}"


class EvidenceEvent(HistoryEvent):
    """The history of an evidence item: who did what, when, and what changed (R6)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Added")
        EDITED = "edited", _("Edited")
        DELETED = "deleted", _("Deleted")
        RESTORED = "restored", _("Restored")
        ATTACHED = "attached", _("Attached")
        DETACHED = "detached", _("Detached")

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)

    class Meta(HistoryEvent.Meta):
        pass
