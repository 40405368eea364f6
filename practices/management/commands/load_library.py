from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.library import LibraryError
from practices.library import load_library


class Command(BaseCommand):
    help = "Load the benchmark library from data/*.yaml (atomic, idempotent, version-aware)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=settings.LIBRARY_DATA_DIR)

    def handle(self, *args: Any, data_dir: Path, **options: Any) -> None:
        try:
            report = load_library(data_dir.resolve())
        except LibraryError as exc:
            raise CommandError(f"Library not loaded, nothing was changed. {exc}") from None
        self.stdout.write(f"Library loaded: {report.summary()}")
