import json
from typing import Any

from django.core.management.base import BaseCommand

from practices.export import library_as_dict


class Command(BaseCommand):
    help = "Print the whole benchmark library as JSON (contact persons are personal data and left out)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(library_as_dict(), ensure_ascii=False, indent=2))
