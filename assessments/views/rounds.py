"""Rounds (docs/roles.md, "Rounds"): start the next round from a submitted or finalised assessment, keep a
carried-over key factor as it is, and the progress of a benchmark over the workspace's rounds."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedRequest
from assessments import access, actions, rounds
from benchmarks.models import Benchmark
from cities import access as city_access
from lib.charts import Bar, ChartRow, bar_chart


@require_POST
@login_required
def keep_factor(request: AuthenticatedRequest, assessment_id: UUID, slug: str) -> HttpResponse:
    """Editors: a carried-over key factor the team agrees with, unchanged, is no longer "to review"."""
    user = request.user
    assessment, _role = access.get_assessment_for_user(user, assessment_id, write=True)
    factor = access.factor_of(assessment, slug)
    try:
        rounds.do_keep_factor(factor, by=user)
    except actions.AssessmentError as error:
        messages.error(request, error.message)
        return redirect("pages:factor", assessment.public_id, slug)
    messages.success(request, _("“%(factor)s” is kept as it is: reviewed.") % {"factor": factor.key_factor.title})
    return redirect(assessment)


def _chart_rows(progress: rounds.Progress) -> list[ChartRow]:
    rows = []
    for item in progress.factors:
        bars = []
        for column, cell in zip(progress.rounds, item.cells, strict=True):
            if isinstance(cell, bool):
                bars.append(Bar(None, column.colour, _("%(round)s: not in this round") % {"round": column.label}))
            elif cell is None:
                bars.append(Bar(None, column.colour, _("%(round)s: not rated") % {"round": column.label}))
            else:
                bars.append(Bar(cell.value, column.colour, f"{column.label}: {cell.number_and_words}"))
        rows.append(ChartRow(f"{item.number}. {item.title}", bars))
    return rows


@require_safe
@login_required
def progress(request: AuthenticatedRequest, workspace_id: UUID, benchmark_slug: str) -> HttpResponse:
    """Every round of a benchmark in the workspace: each key factor's rating per round, the change, and
    the share at the standard and the mean rating per round, in charts and tables (members and admins)."""
    workspace = city_access.get_workspace_for_user(request.user, workspace_id)
    benchmark = Benchmark.objects.select_related("current_version__rating_scale").filter(slug=benchmark_slug).first()
    if benchmark is None:
        raise Http404
    found = rounds.progress_over_rounds(workspace, benchmark)
    levels = found.levels
    ticks = [(level.value, str(level.value)) for level in levels]
    marker = (
        (found.standard.value, _("Standard: %(label)s") % {"label": found.standard.label}) if found.standard else None
    )
    series = [(column.label, column.colour) for column in found.rounds]
    title = benchmark.current_version.title if benchmark.current_version else benchmark.slug
    charts = {}
    if found.rounds:
        charts["factors"] = bar_chart(
            title=_("Ratings of the key factors per round: %(title)s") % {"title": title},
            description=_(
                "For each key factor one bar per round, oldest first, as long as its rating on the scale from "
                "%(low)s to %(high)s; the table below gives the same numbers."
            )
            % {"low": ticks[0][1] if ticks else 0, "high": ticks[-1][1] if ticks else 0},
            rows=_chart_rows(found),
            ticks=ticks,
            marker=marker,
            series=series,
            chart_id="progress-factors-chart",
        )
        charts["share"] = bar_chart(
            title=_("Share of key factors at the standard or better, per round (per cent)"),
            description=_(
                "One bar per round, oldest first, from 0 to 100 per cent; the table below gives the same numbers."
            ),
            rows=[
                ChartRow(
                    _("Round %(round)s") % {"round": column.label},
                    [
                        Bar(
                            float(column.results.share_at_standard or 0),
                            column.colour,
                            f"{column.results.share_at_standard or 0} %",
                        )
                    ],
                )
                for column in found.rounds
            ],
            ticks=[(value, str(value)) for value in (0, 25, 50, 75, 100)],
            chart_id="progress-share-chart",
        )
        charts["mean"] = bar_chart(
            title=_("Mean rating per round"),
            description=_(
                "One bar per round, oldest first, as long as the mean of the ratings given; the table below gives "
                "the same numbers."
            ),
            rows=[
                ChartRow(
                    _("Round %(round)s") % {"round": column.label},
                    [
                        Bar(float(column.results.mean_rating), column.colour, str(column.results.mean_rating))
                        if column.results.mean_rating is not None
                        else Bar(None, column.colour, _("Nothing rated"))
                    ],
                )
                for column in found.rounds
            ],
            ticks=ticks,
            marker=marker,
            chart_id="progress-mean-chart",
        )
    context = {
        "workspace": workspace,
        "benchmark": benchmark,
        "title": title,
        "progress": found,
        "charts": charts,
        "rows": [(item, list(zip(found.rounds, item.cells, strict=True))) for item in found.factors],
        "versions": len({column.assessment.benchmark_version_id for column in found.rounds}),
    }
    return render(request, "assessments/progress.html", context)
