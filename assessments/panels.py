"""The self-assessments panel of the workspace page: the workspace's assessments, the recently deleted ones
for coordinators to restore, and the form that starts one. The page is pages.views.workspace."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments import access, actions
from assessments.forms import StartAssessmentForm
from assessments.models import Assessment
from cities.access import role_in
from cities.models import City, Workspace
from lib.panels import Redisplay


def city_assessments_panel(city: City) -> dict[str, Any]:
    """A city page's published self-assessments, newest round first."""
    published = (
        Assessment.objects.published()
        .filter(workspace__city=city)
        .select_related("benchmark_version")
        .order_by("-round", "benchmark_version__title")
    )
    return {"published": published}


def workspace_assessments_panel(
    user: User, workspace: Workspace, *, start_form: StartAssessmentForm | None = None
) -> dict[str, Any]:
    panel: dict[str, Any] = {
        "workspace": workspace,
        "assessments": Assessment.objects.alive()
        .filter(workspace=workspace)
        .select_related("benchmark_version__benchmark")
        .order_by("-created_at"),
    }
    if access.can_manage(role_in(user, workspace)):
        restorable_since = timezone.now() - timedelta(days=Assessment.RESTORE_DAYS)
        panel["deleted_assessments"] = (
            Assessment.objects.deleted()
            .filter(workspace=workspace, deleted_at__gte=restorable_since)
            .select_related("benchmark_version")
            .order_by("-deleted_at")
        )
    if access.can_start(user, workspace):
        panel["start_form"] = start_form or StartAssessmentForm()
    return panel


def start_assessment(request: HttpRequest, user: User, workspace: Workspace) -> HttpResponse | Redisplay:
    """Start a self-assessment (coordinators); refused, the form keeps the benchmark and round chosen."""
    if not access.can_start(user, workspace):
        raise Http404
    form = StartAssessmentForm(request.POST)
    if form.is_valid():
        version = form.cleaned_data["benchmark"].current_version
        try:
            assessment = actions.do_start_assessment(workspace, version, form.cleaned_data["round"], by=user)
        except actions.AssessmentError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The self-assessment has started."))
            return redirect(assessment)
    return Redisplay(workspace_assessments_panel(user, workspace, start_form=form), status=400)
