"""Sending a queued mail, with retries: the task queue has none of its own.

A failed attempt is recorded on the mail and the task queues itself again, later each time
(RETRY_DELAYS); after the last one the mail is marked failed and logged. The task never raises for a
mail server's failure, so its result in the queue says only that the attempt ran.
"""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from lib.securitylog import email_ref
from outbox.models import Mail

logger = logging.getLogger("icb.mail")

# Waits before the 2nd, 3rd, ... attempt: a mail server back within minutes loses nobody a mail, and one
# down for hours is not hammered. Five attempts over about two and a half hours.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def _log(level: int, event: str, mail: Mail, **fields: str | int) -> None:
    # The address itself never goes to the log: email_ref lets a failure be matched to an account.
    record = {"event": event, "mail": str(mail.public_id), "kind": mail.kind, "to_ref": email_ref(mail.to)}
    logger.log(level, json.dumps({**record, "attempts": mail.attempts, **fields}, sort_keys=True))


@task()
def deliver(mail_id: int) -> str:
    """One attempt at sending the mail; returns what became of it (kept in the queue's result)."""
    mail = Mail.objects.filter(pk=mail_id).first()
    if mail is None or mail.status != Mail.Status.QUEUED:
        return "skipped"  # already sent, failed or pruned: a repeated task sends nothing twice
    try:
        send_mail(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to])
    except Exception as error:  # any failure of the mail server or the network is retried, never raised
        return _attempt_failed(mail, error)
    now = timezone.now()
    mail.attempts += 1
    mail.status = Mail.Status.SENT
    mail.sent_at = mail.last_attempt_at = now
    mail.next_attempt_at = None
    mail.body = ""
    mail.save(update_fields=["attempts", "status", "sent_at", "last_attempt_at", "next_attempt_at", "body"])
    _log(logging.INFO, "mail.sent", mail)
    return "sent"


def _attempt_failed(mail: Mail, error: Exception) -> str:
    now = timezone.now()
    mail.attempts += 1
    mail.last_attempt_at = now
    # The error's text stays on the row (admins read it there); the log gets its kind only, as an SMTP
    # refusal's text can quote the address.
    mail.last_error = f"{type(error).__name__}: {error}"[:1000]
    backend = deliver.get_backend()
    # A backend that runs tasks in place (the tests) cannot wait: there the first failure is final.
    if mail.attempts < MAX_ATTEMPTS and backend.supports_defer:
        mail.next_attempt_at = now + RETRY_DELAYS[mail.attempts - 1]
        with transaction.atomic():
            mail.task_id = deliver.using(run_after=mail.next_attempt_at).enqueue(mail.pk).id
            mail.save(update_fields=["attempts", "last_attempt_at", "last_error", "next_attempt_at", "task_id"])
        _log(
            logging.WARNING,
            "mail.retry",
            mail,
            error=type(error).__name__,
            next_attempt_at=mail.next_attempt_at.isoformat(),
        )
        return "retrying"
    mail.status = Mail.Status.FAILED
    mail.next_attempt_at = None
    mail.body = ""
    mail.save(update_fields=["attempts", "last_attempt_at", "last_error", "next_attempt_at", "status", "body"])
    _log(logging.ERROR, "mail.failed", mail, error=type(error).__name__)
    return "failed"
