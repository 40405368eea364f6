from datetime import date

from django import template

from actionplans.models import ActionPlan
from actionplans.report import PlanContents, plan_contents

register = template.Library()


@register.simple_tag
def plan_report(plan: ActionPlan, today: date | None = None) -> PlanContents:
    """`{% plan_report plan as report %}`: the plan's actions, timeline rows and chart, in a fixed number
    of queries (templates/actionplans/_plan_report.html uses it, so it needs only `plan`)."""
    return plan_contents(plan, today=today, chart_id="plan-timeline")
