"""Outgoing mail: each message is a row, written in the same transaction as the change it tells about.

A task (outbox/tasks.py) sends it once that transaction has committed, retries with back-off while the
mail server fails, and records the outcome here, where network admins see it (outbox/admin.py). The
recipient's address is personal data: it stays in this table and out of every log.
"""

import uuid
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MailQuerySet(models.QuerySet["Mail"]):
    def queued(self) -> "MailQuerySet":
        return self.filter(status=Mail.Status.QUEUED)

    def failed(self) -> "MailQuerySet":
        return self.filter(status=Mail.Status.FAILED)

    def finished_before(self, moment: datetime) -> "MailQuerySet":
        """Sent or failed mails whose last attempt is older than `moment` (what pruning removes)."""
        return self.exclude(status=Mail.Status.QUEUED).filter(last_attempt_at__lt=moment)


class Mail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What the mail is (its template, e.g. "accounts/email/verify"), so a failure can be understood
    # without reading the message.
    kind = models.CharField(_("kind"), max_length=100)
    to = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=255)
    # Emptied once the mail is sent or has failed for good: bodies carry one-time links (password reset,
    # e-mail verification, invitations) whose tokens are otherwise never stored.
    body = models.TextField(_("body"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The queued task that will make the next attempt, so `tidy_mail` can tell a mail whose task was lost
    # (a worker killed in the middle of it) from one that is only waiting.
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    objects = MailQuerySet.as_manager()

    class Meta:
        verbose_name = _("mail")
        verbose_name_plural = _("mails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_status_display()})"
