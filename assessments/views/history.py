"""The assessment's change history, its visibility, and its deletion and restore (R6)."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedRequest
from assessments import access, actions
from assessments.history import describe
from assessments.models import Assessment

EVENTS_PER_PAGE = 50


@require_safe
@login_required
def history(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    """Every change, newest first: who, when, what (R6). Readers of a published assessment do not see it."""
    assessment, role = access.get_assessment_for_user(request.user, assessment_id)
    if not access.is_team(request.user, role):
        raise Http404
    events = assessment.events.select_related("by").order_by("-at", "-pk")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(event, describe(event)) for event in page]
    return render(request, "assessments/history.html", {"assessment": assessment, "page": page, "rows": rows})


@require_POST
@login_required
def set_visibility(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    assessment, _role = access.get_assessment_for_user(request.user, assessment_id, manage=True)
    try:
        actions.do_set_visibility(assessment, request.POST.get("visibility", ""), by=request.user)
    except actions.AssessmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The visibility is saved."))
    return redirect(assessment)


@require_POST
@login_required
def delete(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    assessment, _role = access.get_assessment_for_user(request.user, assessment_id, manage=True)
    try:
        actions.do_delete_assessment(assessment, by=request.user)
    except actions.AssessmentError as error:
        messages.error(request, error.message)
        return redirect(assessment)
    messages.success(
        request,
        _("The assessment is deleted. It can be restored from this page for %(days)s days.")
        % {"days": Assessment.RESTORE_DAYS},
    )
    return redirect("pages:workspace", assessment.workspace.public_id)


@require_POST
@login_required
def restore(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    assessment, _role = access.get_assessment_for_user(request.user, assessment_id, manage=True, deleted=True)
    try:
        actions.do_restore_assessment(assessment, by=request.user)
    except actions.AssessmentError as error:
        messages.error(request, error.message)
        return redirect("pages:workspace", assessment.workspace.public_id)
    messages.success(request, _("The assessment is restored."))
    return redirect(assessment)
