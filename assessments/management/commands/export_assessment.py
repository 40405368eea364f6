import json
from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.export import assessment_as_dict
from assessments.models import Assessment
from lib.securitylog import log_event


class Command(BaseCommand):
    help = (
        "Print a self-assessment with its answers, ratings, partner ratings, evidence and context notes. "
        "The id is the one in the assessment's address (/assessments/<id>/). People are left out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", help="the assessment's id, as in its address")
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("-o", "--output", type=Path, help="write to this file instead of the screen")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            public_id = UUID(options["id"])
        except ValueError:
            raise CommandError(
                f"{options['id']!r} is not an assessment id (a UUID, as in /assessments/<id>/)."
            ) from None
        assessment = (
            Assessment.objects.alive()
            .select_related("workspace__city", "benchmark_version__benchmark")
            .filter(public_id=public_id)
            .first()
        )
        if assessment is None:
            raise CommandError(f"No assessment has the id {public_id}.")
        text = json.dumps(assessment_as_dict(assessment), ensure_ascii=False, indent=2)
        if options["output"]:
            options["output"].write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)
        log_event("assessment.exported", assessment=str(public_id), format=options["format"], via="command")
