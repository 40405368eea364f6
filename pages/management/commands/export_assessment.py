import json
from pathlib import Path
from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.export import assessment_as_dict
from assessments.models import Assessment
from assessments.workbook import build_workbook, ratings_csv
from evidence.export import with_evidence
from lib.securitylog import log_event
from pages.report import report_pdf


class Command(BaseCommand):
    help = (
        "Export a self-assessment: json (answers, ratings, partner ratings, evidence and context notes; people "
        "are left out), csv (the ratings), xlsx (the workbook to fill offline) or pdf (the diagnostic report, "
        "as the team reads it). The id is the one in the assessment's address (/assessments/<id>/). "
        "Binary formats (xlsx, pdf) need -o FILE unless the standard output is redirected."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", help="the assessment's id, as in its address")
        parser.add_argument("--format", choices=["json", "csv", "xlsx", "pdf"], default="json")
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
        output: Path | None = options["output"]
        kind = options["format"]
        if kind == "json":
            text = json.dumps(with_evidence(assessment_as_dict(assessment), assessment), ensure_ascii=False, indent=2)
            if output:
                output.write_text(text + "\n", encoding="utf-8")
            else:
                self.stdout.write(text)
        elif kind == "csv":
            text = ratings_csv(assessment)
            if output:
                output.write_bytes(text.encode("utf-8"))
            else:
                self.stdout.write(text, ending="")
        else:
            stream = getattr(self.stdout._out, "buffer", None)
            if output is None and (stream is None or self.stdout.isatty()):
                raise CommandError(f"A {kind} file is binary: write it with -o FILE (or redirect the output).")
            body = build_workbook(assessment) if kind == "xlsx" else report_pdf(assessment, team=True)
            if output:
                output.write_bytes(body)
            elif stream is not None:
                self.stdout.flush()
                stream.write(body)
                stream.flush()
        log_event("assessment.exported", assessment=str(public_id), format=kind, via="command")
