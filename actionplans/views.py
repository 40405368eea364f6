"""The action-plan pages (docs/roles.md, "Action plans"): the plan, an action with its indicators and
progress updates, an indicator, the timeline, the history and the downloads; autosave of an action."""

from typing import Any, cast
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from actionplans import access, actions
from actionplans.forms import ActionForm, AddActionForm, EditIndicatorForm, IndicatorForm, ProgressForm
from actionplans.models import Action, ActionPlan
from actionplans.report import plan_contents
from actionplans.workbook import plan_workbook
from assessments.models import Assessment
from assessments.views.assessment import sign_in_unless_public
from assessments.views.history import describe
from benchmarks.models import KeyFactor
from benchmarks.pdf import html_to_pdf
from lib import autosave as answers
from lib.securitylog import log_event
from lib.text import sentence

EVENTS_PER_PAGE = 50


def _user(request: HttpRequest) -> User:
    # Only called behind login_required or sign_in_unless_public (access refuses anonymous visitors).
    return cast(User, request.user)


def _key_factors(assessment: Assessment) -> list[KeyFactor]:
    return list(KeyFactor.objects.filter(version_id=assessment.benchmark_version_id).order_by("kind", "number"))


def _context(plan: ActionPlan, role: str | None) -> dict[str, Any]:
    return {
        "plan": plan,
        "assessment": plan.assessment,
        "edit": access.can_edit(role),
        "report_progress": access.can_report_progress(role),
    }


# ---- the plan


def _render_plan(
    request: HttpRequest,
    assessment: Assessment,
    role: str | None,
    *,
    add_form: AddActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = ActionPlan.objects.filter(assessment=assessment, deleted_at__isnull=True).first()
    if plan is None:
        context: dict[str, Any] = {
            "assessment": assessment,
            "start": access.can_start(role),
            "plannable": assessment.status in access.PLANNABLE,
        }
        return render(request, "actionplans/no_plan.html", context, status=status)
    plan.assessment = assessment
    contents = plan_contents(plan)
    context = _context(plan, role) | {"contents": contents}
    if context["edit"]:
        context["add_form"] = add_form or AddActionForm()
        context["removed"] = list(Action.objects.deleted().filter(plan=plan).order_by("-deleted_at"))
        context["restore_days"] = Action.RESTORE_DAYS
    return render(request, "actionplans/plan.html", context, status=status)


@require_safe
@sign_in_unless_public
def plan_detail(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    assessment, role = access.get_assessment_for_user(request.user, assessment_id)
    return _render_plan(request, assessment, role)


@require_POST
@login_required
def start_plan(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    assessment, _role = access.get_assessment_for_user(_user(request), assessment_id, start=True)
    try:
        plan = actions.do_start_plan(assessment, by=_user(request))
    except actions.PlanError as error:
        messages.error(request, error.message)
        return redirect("actionplans:plan", assessment.public_id)
    count = plan.actions.count()
    messages.success(
        request,
        _("The action plan is drafted: one action for each of the %(count)s priority gaps. Edit them as you see fit.")
        % {"count": count},
    )
    return redirect("actionplans:plan", assessment.public_id)


@require_POST
@login_required
def add_action(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    plan, role = access.get_plan_for_user(_user(request), assessment_id, write=True)
    form = AddActionForm(request.POST)
    if form.is_valid():
        try:
            action = actions.do_add_action(plan, by=_user(request), title=form.cleaned_data["title"])
        except actions.PlanError as error:
            form.add_error("title", error.message)
        else:
            messages.success(request, _("The action is added. Fill it in here."))
            return redirect(action.get_absolute_url())
    return _render_plan(request, plan.assessment, role, add_form=form, status=400)


# ---- one action


def _render_action(
    request: HttpRequest,
    action: Action,
    role: str | None,
    *,
    form: ActionForm | None = None,
    conflict: actions.Conflict | None = None,
    indicator_form: IndicatorForm | None = None,
    progress_form: ProgressForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = action.plan
    context = _context(plan, role)
    key_factors = _key_factors(plan.assessment)
    chosen = set(action.key_factors.values_list("pk", flat=True))
    if context["edit"] and form is None:
        form = ActionForm(initial=ActionForm.initial_for(action, chosen), key_factors=key_factors)
    today = timezone.localdate()
    indicators = list(action.indicators.all())
    action._prefetched_objects_cache = {"indicators": indicators}  # type: ignore[attr-defined]
    stored_factors = None
    if conflict is not None:
        by_slug = {kf.slug: kf for kf in key_factors}
        stored_factors = [by_slug[slug] for slug in conflict.stored["key_factors"] if slug in by_slug]
    context |= {
        "action": action,
        "form": form if context["edit"] else None,
        "conflict": conflict,
        "stored_factors": stored_factors,
        "stored_status": dict(Action.Status.choices).get(conflict.stored["status"]) if conflict else None,
        "addressed": [kf for kf in key_factors if kf.pk in chosen],
        "indicators": indicators,
        "overdue_indicators": {i.pk for i in action.overdue_indicators(today)},
        "overdue": action.is_overdue(today),
        "updates": list(action.updates.select_related("by")),
        "indicator_form": (indicator_form or IndicatorForm()) if context["edit"] else None,
        "progress_form": (progress_form or ProgressForm()) if context["report_progress"] else None,
    }
    return render(request, "actionplans/action.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@sign_in_unless_public
def action_detail(request: HttpRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    """An action: read by every member; edited (POST) by coordinators and contributors."""
    write = request.method == "POST"
    action, role = access.get_action_for_user(request.user, assessment_id, action_id, write=write)
    if not write:
        return _render_action(request, action, role)
    key_factors = _key_factors(action.plan.assessment)
    form = ActionForm(request.POST, key_factors=key_factors)
    if not form.is_valid():
        return _render_action(request, action, role, form=form, status=400)
    try:
        actions.do_save_action(
            action, form.values(), by=_user(request), expected_version=form.cleaned_data["lock_version"]
        )
    except actions.Conflict as conflict:
        # Keep what was typed; the next save, made knowingly, replaces the stored version.
        data = request.POST.copy()
        data["lock_version"] = str(conflict.stored_version)
        kept = ActionForm(data, key_factors=key_factors)
        kept.is_valid()
        action.refresh_from_db()
        return _render_action(request, action, role, form=kept, conflict=conflict, status=409)
    except actions.PlanError as error:
        form.add_error(None, error.message)
        return _render_action(request, action, role, form=form, status=400)
    messages.success(request, sentence(_("“%(title)s” is saved."), title=form.cleaned_data["title"]))
    return redirect("actionplans:plan", assessment_id)


class AutosaveForm(ActionForm):
    save_id = forms.UUIDField(widget=forms.HiddenInput)


@require_http_methods(["GET", "POST"])
@answers.json_login_required
def action_autosave(request: HttpRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    """Autosave of an action's form for static/js/autosave.js, answering as assessments/views/autosave.py
    does: 200 `{"lock_version"}` (saved, or a replay), 409 `{"reason": "conflict"}` (nothing applied),
    400 `{"errors"}`, 401 signed out, 404 for someone who may not edit it; GET the state and a fresh
    CSRF token."""
    try:
        action, _role = access.get_action_for_user(_user(request), assessment_id, action_id, write=True)
    except Http404:
        return answers.not_found(_("You cannot edit this action."))
    if request.method == "GET":
        return JsonResponse({"lock_version": action.lock_version, "editable": True, "csrf_token": get_token(request)})
    form = AutosaveForm(request.POST, key_factors=_key_factors(action.plan.assessment))
    if not form.is_valid():
        return answers.invalid(form)
    try:
        saved = actions.do_save_action(
            action,
            form.values(),
            by=_user(request),
            expected_version=form.cleaned_data["lock_version"],
            save_id=form.cleaned_data["save_id"],
        )
    except actions.Conflict as conflict:
        return answers.conflicted(request, conflict, _("Someone else saved this action meanwhile."))
    except actions.PlanError as error:
        return answers.refused(error.message)
    return answers.saved(request, saved.lock_version)


@require_POST
@login_required
def move_action(request: HttpRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    action, _role = access.get_action_for_user(_user(request), assessment_id, action_id, write=True)
    direction = request.POST.get("direction", "")
    try:
        actions.do_move_action(action, direction, by=_user(request))
    except actions.PlanError as error:
        messages.error(request, error.message)
    else:
        words = _("“%(title)s” moved up.") if direction == "up" else _("“%(title)s” moved down.")
        messages.success(request, sentence(words, title=action.title))
    # Back to the moved action's row, whose buttons keep the keyboard where it was.
    return redirect(f"{action.plan.get_absolute_url()}#action-{action.public_id}")


@require_POST
@login_required
def delete_action(request: HttpRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    action, _role = access.get_action_for_user(_user(request), assessment_id, action_id, write=True)
    try:
        actions.do_delete_action(action, by=_user(request))
    except actions.PlanError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            sentence(
                _("“%(title)s” is removed. It can be restored from the plan for %(days)s days."),
                title=action.title,
                plain={"days": Action.RESTORE_DAYS},
            ),
        )
    return redirect("actionplans:plan", assessment_id)


@require_POST
@login_required
def restore_action(request: HttpRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    action, _role = access.get_action_for_user(_user(request), assessment_id, action_id, write=True, deleted=True)
    try:
        actions.do_restore_action(action, by=_user(request))
    except actions.PlanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, sentence(_("“%(title)s” is restored, at the end of the plan."), title=action.title))
    return redirect("actionplans:plan", assessment_id)


# ---- indicators and progress updates


@require_POST
@login_required
def add_indicator(request: HttpRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    action, role = access.get_action_for_user(_user(request), assessment_id, action_id, write=True)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_indicator(action, form.values(), by=_user(request))
        except actions.PlanError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The indicator is added."))
            return redirect(f"{action.get_absolute_url()}#indicators-heading")
    return _render_action(request, action, role, indicator_form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def indicator_detail(request: HttpRequest, assessment_id: UUID, indicator_id: UUID) -> HttpResponse:
    """The form of one indicator (coordinators and contributors); readers see indicators on the action."""
    indicator, role = access.get_indicator_for_user(_user(request), assessment_id, indicator_id, write=True)
    action = indicator.action
    conflict = None
    status = 200
    if request.method == "POST":
        form = EditIndicatorForm(request.POST)
        if form.is_valid():
            try:
                actions.do_save_indicator(
                    indicator, form.values(), by=_user(request), expected_version=form.cleaned_data["lock_version"]
                )
            except actions.Conflict as found:
                conflict = found
                data = request.POST.copy()
                data["indicator-lock_version"] = str(found.stored_version)
                form = EditIndicatorForm(data)
                form.is_valid()
                status = 409
            except actions.PlanError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("The indicator is saved."))
                return redirect(f"{action.get_absolute_url()}#indicators-heading")
        else:
            status = 400
    else:
        initial = {name: getattr(indicator, name) for name in EditIndicatorForm.base_fields}
        form = EditIndicatorForm(initial=initial)
    context = _context(action.plan, role) | {
        "action": action,
        "indicator": indicator,
        "form": form,
        "conflict": conflict,
    }
    return render(request, "actionplans/indicator.html", context, status=status)


@require_POST
@login_required
def delete_indicator(request: HttpRequest, assessment_id: UUID, indicator_id: UUID) -> HttpResponse:
    indicator, _role = access.get_indicator_for_user(_user(request), assessment_id, indicator_id, write=True)
    try:
        actions.do_delete_indicator(indicator, by=_user(request))
    except actions.PlanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, sentence(_("The indicator “%(name)s” is removed."), name=indicator.name))
    return redirect(f"{indicator.action.get_absolute_url()}#indicators-heading")


@require_POST
@login_required
def add_progress(request: HttpRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    action, role = access.get_action_for_user(_user(request), assessment_id, action_id, report=True)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_progress(
                action, by=_user(request), on=form.cleaned_data["on"], text=form.cleaned_data["text"]
            )
        except actions.PlanError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The progress update is added."))
            return redirect(f"{action.get_absolute_url()}#updates-heading")
    return _render_action(request, action, role, progress_form=form, status=400)


# ---- timeline, history, downloads


@require_safe
@sign_in_unless_public
def timeline(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    plan, role = access.get_plan_for_user(request.user, assessment_id)
    context = _context(plan, role) | {"contents": plan_contents(plan)}
    return render(request, "actionplans/timeline.html", context)


@require_safe
@sign_in_unless_public
def history(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """Every change to the plan, newest first: who, when, what (R6)."""
    plan, role = access.get_plan_for_user(request.user, assessment_id)
    events = plan.events.select_related("by").order_by("-at", "-pk")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(event, [row for row in describe(event) if row[0] not in ("action", "title")]) for event in page]  # type: ignore[arg-type]
    context = _context(plan, role) | {"page": page, "rows": rows}
    return render(request, "actionplans/history.html", context)


def _exported(request: HttpRequest, plan: ActionPlan, extension: str) -> None:
    log_event(
        "action_plan.exported",
        request,
        assessment=str(plan.assessment.public_id),
        format=extension,
        user=request.user.pk if request.user.is_authenticated else None,
    )


def _filename(plan: ActionPlan, extension: str) -> str:
    assessment = plan.assessment
    return f"action-plan-{assessment.workspace.city.slug}-{assessment.round}.{extension}"


@require_safe
@sign_in_unless_public
def plan_pdf(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    plan, _role = access.get_plan_for_user(request.user, assessment_id)
    html = render_to_string(
        "actionplans/plan_print.html", {"plan": plan, "assessment": plan.assessment, "for_pdf": True}, request=request
    )
    response = HttpResponse(html_to_pdf(html, request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(plan, "pdf")}"'
    _exported(request, plan, "pdf")
    return response


@require_safe
@sign_in_unless_public
def plan_xlsx(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    plan, _role = access.get_plan_for_user(request.user, assessment_id)
    response = HttpResponse(
        plan_workbook(plan_contents(plan)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(plan, "xlsx")}"'
    _exported(request, plan, "xlsx")
    return response
