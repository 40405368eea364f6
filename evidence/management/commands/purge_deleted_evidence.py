"""`./manage.py purge_deleted_evidence`: removes evidence deleted more than 30 days ago, with its files, and
files no row names (left by a process stopped mid-save). Run it daily (cron or the job queue)."""

from typing import Any

from django.core.management.base import BaseCommand

from evidence.actions import do_purge_deleted_evidence, sweep_orphan_files


class Command(BaseCommand):
    help = "Removes evidence deleted more than 30 days ago with its files, and stored files no item names."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = do_purge_deleted_evidence()
        orphans = sweep_orphan_files()
        self.stdout.write(f"Purged {purged} deleted item(s) and {len(orphans)} orphan file(s).")
