"""The mail queue's upkeep, run periodically (docs/deploy.md): re-queues mails whose task was lost, and
removes old outbox rows and the task queue's old results."""

from argparse import ArgumentParser
from datetime import datetime, timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from outbox.models import Mail
from outbox.tasks import deliver

# Far longer than one attempt can take (EMAIL_TIMEOUT is 10 s): a mail this long past its time whose task
# is not waiting in the queue has lost it.
LOST_AFTER = timedelta(minutes=15)


def requeue_lost(now: datetime) -> int:
    """Queues again each mail whose task is gone, finished or stuck running: a worker killed by SIGKILL (or
    a machine that died) in the middle of an attempt leaves its task marked running for ever."""
    count = 0
    for mail in Mail.objects.queued().filter(created_at__lt=now - LOST_AFTER):
        if mail.next_attempt_at is not None and mail.next_attempt_at > now - LOST_AFTER:
            continue
        task = DBTaskResult.objects.filter(id=mail.task_id).first() if mail.task_id else None
        if task is not None and task.status == TaskResultStatus.READY:
            continue
        with transaction.atomic():
            if task is not None and task.status == TaskResultStatus.RUNNING:
                DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.FAILED, finished_at=now)
            mail.task_id = deliver.enqueue(mail.pk).id
            mail.save(update_fields=["task_id"])
        count += 1
    return count


class Command(BaseCommand):
    help = (
        "Re-queue mails whose task was lost; delete sent mails and finished task results older than --days, "
        "and failed mails older than --failed-days (kept longer, for the network team to follow up). "
        "Run it hourly."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--days", type=int, default=14, help="age of sent mails and task results (default 14)")
        parser.add_argument("--failed-days", type=int, default=90, help="age of failed mails (default 90)")

    def handle(self, *args: Any, days: int, failed_days: int, **options: Any) -> None:
        now = timezone.now()
        databases = [alias for alias in task_backends.settings if isinstance(task_backends[alias], DatabaseBackend)]
        if isinstance(deliver.get_backend(), DatabaseBackend):
            self.stdout.write(f"{requeue_lost(now)} mails queued again")
        sent, _ = Mail.objects.filter(status=Mail.Status.SENT).finished_before(now - timedelta(days=days)).delete()
        failed, _ = (
            Mail.objects.filter(status=Mail.Status.FAILED).finished_before(now - timedelta(days=failed_days)).delete()
        )
        self.stdout.write(f"{sent} sent and {failed} failed mails deleted")
        for alias in databases:
            # As command-line words: the command turns its --backend into a backend itself.
            call_command(
                "prune_db_task_results",
                f"--backend={alias}",
                "--queue-name=*",
                f"--min-age-days={days}",
                verbosity=options["verbosity"],
                stdout=self.stdout,
            )
