"""The diagnostic report of a self-assessment as a tagged PDF (PDF/UA-1, with the document language): the
assessment's part (assessments.report), the evidence of each key factor (evidence.report) and, when there is
one, the action plan (actionplans.report) and the mentors' reviews of the ratings (mentoring.reviews), for the
team; a published assessment's readers outside the team get the assessment's part only (docs/roles.md,
"Self-assessments")."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from actionplans.report import plan_for_report
from assessments import report
from assessments.models import Assessment
from assessments.results import Results
from evidence.report import evidence_by_factor
from lib.pdf import html_to_pdf
from mentoring.reviews import factor_reviews


def report_context(assessment: Assessment, *, team: bool, results: Results | None = None) -> dict[str, Any]:
    context = report.report_context(assessment, team=team, results=results)
    evidence = evidence_by_factor(assessment) if team else {}
    for row in context["rows"]:
        row["evidence"] = evidence.get(row["result"].factor.pk, [])
    context["action_plan"] = plan_for_report(assessment) if team else None
    # The mentors' reviews beside the ratings: for the team; for readers of a published assessment only those
    # its city chose to publish (mentoring.reviews.factor_reviews).
    reviews = factor_reviews(assessment, context["results"].levels, team=team)
    for row in context["rows"]:
        row["mentor_reviews"] = reviews.get(row["result"].factor.pk, [])
    context["mentor_reviews"] = reviews
    return context


def report_html(assessment: Assessment, *, team: bool, results: Results | None = None) -> str:
    # In the benchmark's language, so `<html lang>` and the PDF's language say what the text is in.
    with translation.override(assessment.benchmark_version.language or settings.LANGUAGE_CODE):
        return render_to_string("pages/report.html", report_context(assessment, team=team, results=results))


def report_pdf(assessment: Assessment, *, team: bool, results: Results | None = None) -> bytes:
    html = report_html(assessment, team=team, results=results)
    return html_to_pdf(html, base_url=str(settings.BASE_DIR), stylesheets=("print.css", "report.css"))
