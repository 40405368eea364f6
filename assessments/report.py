"""The self-assessment's part of the diagnostic report (the whole report is pages.report, which adds the
evidence and the action plan).

It starts from `assessments.results.build_results`, like the results page, and shows the same chart
(`ratings_chart`) beside a table of its numbers, then every key factor with every answer and comment,
the rating, its justification and the suggested rating, and the context notes. A fixed number of
queries whatever the size of the assessment.

`team=False` is the report of a published assessment for readers outside the team (docs/roles.md,
"Self-assessments"): without partner views.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Assessment
from assessments.results import Results, build_results, ratings_chart
from assessments.workbook import factor_label


def report_context(assessment: Assessment, *, team: bool, results: Results | None = None) -> dict[str, Any]:
    results = results or build_results(assessment)
    rows = [
        {
            "result": result,
            "label": factor_label(result.factor.key_factor),
            "suggested": result.suggested_level,
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
        "made_at": timezone.localtime(),
    }
