"""Removes what the mail queue leaves behind: old outbox rows and the task queue's old results."""

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

from outbox.models import Mail


class Command(BaseCommand):
    help = (
        "Delete sent mails and finished task results older than --days, and failed mails older than "
        "--failed-days (kept longer, for the network team to follow up). Run it daily."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--days", type=int, default=14, help="age of sent mails and task results (default 14)")
        parser.add_argument("--failed-days", type=int, default=90, help="age of failed mails (default 90)")

    def handle(self, *args: Any, days: int, failed_days: int, **options: Any) -> None:
        now = timezone.now()
        sent, _ = Mail.objects.filter(status=Mail.Status.SENT).finished_before(now - timedelta(days=days)).delete()
        failed, _ = (
            Mail.objects.filter(status=Mail.Status.FAILED).finished_before(now - timedelta(days=failed_days)).delete()
        )
        self.stdout.write(f"{sent} sent and {failed} failed mails deleted")
        for alias in task_backends.settings:
            if isinstance(task_backends[alias], DatabaseBackend):
                # As command-line words: the command turns its --backend into a backend itself.
                call_command(
                    "prune_db_task_results",
                    f"--backend={alias}",
                    "--queue-name=*",
                    f"--min-age-days={days}",
                    verbosity=options["verbosity"],
                    stdout=self.stdout,
                )
