"""Everything a reader of the plan sees, read in a fixed number of queries (docs/quality.md F1): the plan
page, the timeline, the PDF, the workbook and the assessment's report all start from `plan_contents`."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from actionplans.models import Action, ActionPlan, ProgressUpdate
from actionplans.timeline import TimelineRow, timeline_rows, timeline_svg
from assessments.models import Assessment


@dataclass
class PlanContents:
    plan: ActionPlan
    today: date
    actions: list[Action]  # alive, in order, with key factors, indicators and updates (with their authors)
    rows: list[TimelineRow]
    chart: SafeString
    chart_title: str  # also in the SVG's <title>, which a PDF does not print: shown as the figure's caption

    @property
    def dated(self) -> bool:
        """Whether any action has a start or an end: without one the chart would be empty rows."""
        return any(row.action.start is not None or row.action.end is not None for row in self.rows)

    @property
    def overdue(self) -> list[TimelineRow]:
        return [row for row in self.rows if row.overdue]

    @property
    def by_status(self) -> list[tuple[str, int]]:
        return [(str(label), sum(a.status == value for a in self.actions)) for value, label in Action.Status.choices]


def alive_actions(plan: ActionPlan) -> list[Action]:
    found = list(
        Action.objects.alive()
        .filter(plan=plan)
        .order_by("position", "pk")
        .select_related("adapts_practice__city")
        .prefetch_related(
            "key_factors",
            "indicators",
            Prefetch("updates", queryset=ProgressUpdate.objects.select_related("by").order_by("-on", "-pk")),
        )
    )
    for action in found:
        action.plan = plan  # its links need the plan's assessment, loaded once
    return found


def public_actions(plan: ActionPlan) -> list[Action]:
    """The alive actions of a public plan, in order, with what its public page shows (key factors, indicators,
    the practice adapted): its progress updates and their authors are not even read."""
    found = list(
        Action.objects.alive()
        .filter(plan=plan)
        .order_by("position", "pk")
        .select_related("adapts_practice__city")
        .prefetch_related("key_factors", "indicators")
    )
    for action in found:
        action.plan = plan
    return found


def plan_contents(plan: ActionPlan, *, today: date | None = None, chart_id: str = "timeline") -> PlanContents:
    today = today or timezone.localdate()
    actions = alive_actions(plan)
    rows = timeline_rows(actions, today)
    assessment = plan.assessment
    title = _("Timeline of the action plan: %(city)s, %(title)s, round %(round)s") % {
        "city": assessment.workspace.city.name,
        "title": assessment.benchmark_version.title,
        "round": assessment.round,
    }
    chart = timeline_svg(rows, today, title=str(title), chart_id=chart_id)
    return PlanContents(plan, today, actions, rows, chart, str(title))


REPORT_CHART_ID = "plan-timeline"


def plan_for_report(assessment: Assessment) -> PlanContents | None:
    """The action plan's part of the assessment's diagnostic report (pages.report), unless it has none or it
    is deleted: what templates/actionplans/_plan_report.html shows."""
    try:
        plan = assessment.action_plan
    except ObjectDoesNotExist:
        return None
    return None if plan.deleted_at else plan_contents(plan, chart_id=REPORT_CHART_ID)
