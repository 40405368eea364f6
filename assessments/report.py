"""The diagnostic report of a self-assessment as a tagged PDF (PDF/UA-1, with the document language).

It starts from `assessments.results.build_results`, like the results page, and shows the same chart
(`ratings_chart`) beside a table of its numbers, then every key factor with every answer and comment,
the rating, its justification and the suggested rating, the evidence, the context notes and, when
there is one, the action plan. A fixed number of queries whatever the size of the assessment.

`team=False` is the report of a published assessment for readers outside the team (docs/roles.md,
"Self-assessments"): without partner views, evidence or the action plan.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.models import Assessment
from assessments.results import Results, build_results, ratings_chart
from assessments.workbook import factor_label

PLAN_TEMPLATE = "actionplans/_plan_report.html"


def _evidence_by_factor(assessment: Assessment) -> dict[int, list[Any]]:
    """Live evidence attached to each key factor (as a whole or to one of its questions), in one query."""
    from evidence.models import EvidenceLink

    links = (
        EvidenceLink.objects.filter(factor__assessment=assessment, evidence__deleted_at__isnull=True)
        .select_related("evidence", "question__question")
        .order_by("pk")
    )
    found: dict[int, list[Any]] = {}
    today = timezone.localdate()
    for link in links:
        link.age = link.evidence.age(today)  # type: ignore[attr-defined]
        found.setdefault(link.factor_id, []).append(link)
    for items in found.values():
        items.sort(key=lambda link: (link.question.question.number if link.question else 0, link.evidence.title))
    return found


def _action_plan(assessment: Assessment) -> Any:
    """The assessment's plan when the action-plan app provides its report part and the assessment has one."""
    try:
        get_template(PLAN_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    try:
        plan = assessment.action_plan
    except (AttributeError, ObjectDoesNotExist):
        return None
    return None if getattr(plan, "deleted_at", None) else plan


def report_context(assessment: Assessment, *, team: bool, results: Results | None = None) -> dict[str, Any]:
    results = results or build_results(assessment)
    evidence = _evidence_by_factor(assessment) if team else {}
    rows = [
        {
            "result": result,
            "label": factor_label(result.factor.key_factor),
            "suggested": result.suggested_level,
            "evidence": evidence.get(result.factor.pk, []),
        }
        for result in results.factors
    ]
    return {
        "assessment": assessment,
        "version": assessment.benchmark_version,
        "results": results,
        "rows": rows,
        "chart": ratings_chart(results, chart_id="report-chart"),
        # The chart's own title (in its SVG <title>, which a PDF does not print), shown as its caption.
        "chart_title": _("Ratings of the key factors: %(title)s, round %(round)s")
        % {"title": assessment.benchmark_version.title, "round": assessment.round},
        "team": team,
        "plan": _action_plan(assessment) if team else None,
        "plan_template": PLAN_TEMPLATE,
        "made_at": timezone.localtime(),
    }


def report_html(assessment: Assessment, *, team: bool, results: Results | None = None) -> str:
    # In the benchmark's language, so `<html lang>` and the PDF's language say what the text is in.
    with translation.override(assessment.benchmark_version.language or settings.LANGUAGE_CODE):
        return render_to_string("assessments/report.html", report_context(assessment, team=team, results=results))


def report_pdf(assessment: Assessment, *, team: bool, results: Results | None = None) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only PDF requests need.
    from weasyprint import CSS, HTML

    html = report_html(assessment, team=team, results=results)
    css = settings.BASE_DIR / "static" / "css"
    stylesheets = [CSS(filename=str(css / "print.css")), CSS(filename=str(css / "report.css"))]
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    pdf: bytes = document.write_pdf(stylesheets=stylesheets, pdf_variant="pdf/ua-1", pdf_tags=True)
    return pdf
