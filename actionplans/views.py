"""The action-plan pages (docs/roles.md, "Action plans"): the plan, an action with its indicators and
progress updates, an indicator, the timeline, the history and the downloads; autosave of an action; the
plan's visibility and its public page."""

from collections.abc import Callable
from typing import Any, cast
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedRequest, signed_in_user
from actionplans import access, actions
from actionplans.forms import (
    ActionForm,
    AddActionForm,
    EditIndicatorForm,
    IndicatorForm,
    PlanVisibilityForm,
    ProgressForm,
    practice_choices,
)
from actionplans.models import Action, ActionPlan, key_factor_field
from actionplans.report import REPORT_CHART_ID, plan_contents, public_actions
from actionplans.workbook import plan_workbook
from assessments.access import sign_in_unless_public
from assessments.history import describe
from assessments.models import Assessment, ContextNote
from benchmarks.models import KeyFactor
from editing import answers
from editing.actions import PageSave, working_on
from lib.actions import FieldConflict
from lib.merge import conflict_form_data, conflict_rows, fingerprints, kept_values
from lib.pdf import html_to_pdf
from lib.securitylog import log_event
from lib.text import sentence
from practices.models import Practice

EVENTS_PER_PAGE = 50


def _key_factors(assessment: Assessment) -> list[KeyFactor]:
    return actions.benchmark_key_factors(assessment)


def _practices(assessment: Assessment) -> list[tuple[str, Any]]:
    """The choices of an action's "practice it adapts": this benchmark's practices first."""
    return practice_choices(assessment.benchmark_version.benchmark_id)


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
    visibility_form: PlanVisibilityForm | None = None,
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
    context["assessment_published"] = assessment.visibility == Assessment.Visibility.PUBLISHED
    if access.can_set_visibility(role):
        context["visibility_form"] = visibility_form or PlanVisibilityForm()
    return render(request, "actionplans/plan.html", context, status=status)


@require_safe
@sign_in_unless_public
def plan_detail(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    assessment, role = access.get_assessment_for_user(request.user, assessment_id)
    return _render_plan(request, assessment, role)


@require_POST
@login_required
def start_plan(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    assessment, _role = access.get_assessment_for_user(request.user, assessment_id, start=True)
    try:
        plan = actions.do_start_plan(assessment, by=request.user)
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
def add_action(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    plan, role = access.get_plan_for_user(request.user, assessment_id, write=True)
    form = AddActionForm(request.POST)
    if form.is_valid():
        try:
            action = actions.do_add_action(plan, by=request.user, title=form.cleaned_data["title"])
        except actions.PlanError as error:
            form.add_error("title", error.message)
        else:
            messages.success(request, _("The action is added. Fill it in here."))
            return redirect(action.get_absolute_url())
    return _render_plan(request, plan.assessment, role, add_form=form, status=400)


@require_POST
@login_required
def set_plan_visibility(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    """Makes the plan public or private again (coordinators); a refusal shows the plan with the reason."""
    plan, role = access.get_plan_for_user(request.user, assessment_id, publish=True)
    form = PlanVisibilityForm(request.POST)
    if form.is_valid():
        try:
            changed = actions.do_set_plan_visibility(plan, form.cleaned_data["visibility"], by=request.user)
        except actions.PlanError as error:
            form.add_error(None, error.message)
        else:
            if changed.visibility == ActionPlan.Visibility.PUBLIC:
                messages.success(request, _("The action plan is public: anyone can read it on its public page."))
            else:
                messages.success(request, _("The action plan is private again: only the team reads it."))
            return redirect("actionplans:plan", plan.assessment.public_id)
    return _render_plan(request, plan.assessment, role, visibility_form=form, status=400)


@require_safe
def public_plan(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """The read-only page of a public plan, for anyone: what the city plans to do, never who carries it."""
    plan = access.get_public_plan(assessment_id)
    context = {"plan": plan, "assessment": plan.assessment, "actions": public_actions(plan)}
    return render(request, "actionplans/public_plan.html", context)


# ---- one action


def _render_action(
    request: HttpRequest,
    action: Action,
    role: str | None,
    *,
    form: ActionForm | None = None,
    conflict: actions.Conflict | None = None,
    field_conflict: FieldConflict | None = None,
    indicator_form: IndicatorForm | None = None,
    progress_form: ProgressForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = action.plan
    context = _context(plan, role)
    key_factors = _key_factors(plan.assessment)
    chosen = set(action.key_factors.values_list("pk", flat=True))
    if context["edit"] and form is None:
        loaded = fingerprints(actions.action_values(actions.stored_fields(action, chosen), key_factors))
        initial = ActionForm.initial_for(action, chosen) | {"loaded": loaded}
        form = ActionForm(initial=initial, key_factors=key_factors, practices=_practices(plan.assessment))
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
        "field_conflict": field_conflict,
        "field_conflicts": conflict_rows(field_conflict, form, _action_shown(key_factors))
        if field_conflict and form
        else [],
        "working": working_on(actions.action_subject(action), besides=signed_in_user(request))
        if context["edit"]
        else [],
        "stored_factors": stored_factors,
        "stored_status": dict(Action.Status.choices).get(conflict.stored["status"]) if conflict else None,
        "stored_practice": Practice.objects.filter(slug=conflict.stored.get(actions.PRACTICE)).first()
        if conflict and conflict.stored.get(actions.PRACTICE)
        else None,
        "addressed": [kf for kf in key_factors if kf.pk in chosen],
        "indicators": indicators,
        "overdue_indicators": {i.pk for i in action.overdue_indicators(today)},
        "overdue": action.is_overdue(today),
        "updates": list(action.updates.select_related("by")),
        "indicator_form": (indicator_form or IndicatorForm()) if context["edit"] else None,
        "progress_form": (progress_form or ProgressForm()) if context["report_progress"] else None,
    }
    return render(request, "actionplans/action.html", context, status=status)


def _action_shown(key_factors: list[KeyFactor]) -> Callable[[str, Any], Any]:
    """An action's value in words on the conflict screen: choices by their labels, a key factor's box as
    addressed or not."""
    labels = dict(Action.Status.choices) | dict(ContextNote.Competence.choices)
    boxes = {key_factor_field(kf) for kf in key_factors}
    practices = dict(Practice.objects.values_list("slug", "title"))

    def shown(name: str, value: Any) -> Any:
        if name in boxes:
            return _("Addressed") if value else _("Not addressed")
        if name in ("status", "competence"):
            return labels.get(value, _("Not set"))
        if name == actions.PRACTICE:
            return practices.get(value, _("None")) if value else _("None")
        return value

    return shown


@require_http_methods(["GET", "HEAD", "POST"])
@sign_in_unless_public
def action_detail(request: HttpRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    """An action: read by every member; edited (POST) by coordinators and contributors."""
    write = request.method == "POST"
    action, role = access.get_action_for_user(request.user, assessment_id, action_id, write=write)
    if not write:
        return _render_action(request, action, role)
    key_factors = _key_factors(action.plan.assessment)
    form = ActionForm(request.POST, key_factors=key_factors, practices=_practices(action.plan.assessment))
    if not form.is_valid():
        return _render_action(request, action, role, form=form, status=400)
    loaded = form.cleaned_data["loaded"]
    if loaded is not None:
        values = kept_values(actions.action_values(form.values(), key_factors), request.POST)
        try:
            saved = actions.do_merge_action(action, by=signed_in_user(request), values=values, loaded=loaded)
        except FieldConflict as found:
            kept = ActionForm(
                conflict_form_data(request.POST, found, loaded),
                key_factors=key_factors,
                practices=_practices(action.plan.assessment),
            )
            kept.is_valid()
            action.refresh_from_db()
            return _render_action(request, action, role, form=kept, field_conflict=found, status=409)
        except actions.PlanError as error:
            form.add_error(None, error.message)
            return _render_action(request, action, role, form=form, status=400)
        # The stored title: someone else's, when this person left theirs alone.
        messages.success(request, _("“%(title)s” is saved.") % {"title": cast(Action, saved.row).title})
        return redirect("actionplans:plan", assessment_id)
    try:
        actions.do_save_action(
            action, form.values(), by=signed_in_user(request), expected_version=form.cleaned_data["lock_version"]
        )
    except actions.Conflict as conflict:
        # Keep what was typed; the next save, made knowingly, replaces the stored version.
        data = request.POST.copy()
        data["lock_version"] = str(conflict.stored_version)
        kept = ActionForm(data, key_factors=key_factors, practices=_practices(action.plan.assessment))
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
    # The open page's id and the number of this request (editing.actions.accept_autosave).
    page = forms.UUIDField(widget=forms.HiddenInput, required=False)
    seq = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


@require_http_methods(["GET", "POST"])
@answers.json_login_required
def action_autosave(request: HttpRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    """Autosave of an action's form for static/js/autosave.js, with the answers of editing/answers.py;
    404 for someone who may not edit it."""
    try:
        action, _role = access.get_action_for_user(signed_in_user(request), assessment_id, action_id, write=True)
    except Http404:
        return answers.not_found(_("You cannot edit this action."))
    if request.method == "GET":
        return answers.state(request, action.lock_version, editable=True)
    key_factors = _key_factors(action.plan.assessment)
    form = AutosaveForm(request.POST, key_factors=key_factors, practices=_practices(action.plan.assessment))
    if not form.is_valid():
        return answers.invalid(form)
    loaded = form.cleaned_data["loaded"]
    if loaded is not None:
        try:
            result = actions.do_merge_action(
                action,
                by=signed_in_user(request),
                values=actions.action_values(form.values(), key_factors),
                loaded=loaded,
                save_id=form.cleaned_data["save_id"],
                page=PageSave.sent(form.cleaned_data),
            )
        except FieldConflict as conflict:
            return answers.fields_conflicted(
                conflict.fields, conflict.stored_version, _("Someone else changed the same fields meanwhile.")
            )
        except actions.PlanError as error:
            return answers.refused(error.message)
        others = working_on(actions.action_subject(action), besides=signed_in_user(request))
        return answers.merged(request, result.row.lock_version, result.fingerprints, result.theirs, others)
    try:
        saved = actions.do_save_action(
            action,
            form.values(),
            by=signed_in_user(request),
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
def move_action(request: AuthenticatedRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    action, _role = access.get_action_for_user(request.user, assessment_id, action_id, write=True)
    direction = request.POST.get("direction", "")
    try:
        actions.do_move_action(action, direction, by=request.user)
    except actions.PlanError as error:
        messages.error(request, error.message)
    else:
        words = _("“%(title)s” moved up.") if direction == "up" else _("“%(title)s” moved down.")
        messages.success(request, sentence(words, title=action.title))
    # Back to the moved action's row, whose buttons keep the keyboard where it was.
    return redirect(f"{action.plan.get_absolute_url()}#action-{action.public_id}")


@require_POST
@login_required
def delete_action(request: AuthenticatedRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    action, _role = access.get_action_for_user(request.user, assessment_id, action_id, write=True)
    try:
        actions.do_delete_action(action, by=request.user)
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
def restore_action(request: AuthenticatedRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    action, _role = access.get_action_for_user(request.user, assessment_id, action_id, write=True, deleted=True)
    try:
        actions.do_restore_action(action, by=request.user)
    except actions.PlanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, sentence(_("“%(title)s” is restored, at the end of the plan."), title=action.title))
    return redirect("actionplans:plan", assessment_id)


# ---- indicators and progress updates


@require_POST
@login_required
def add_indicator(request: AuthenticatedRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    action, role = access.get_action_for_user(request.user, assessment_id, action_id, write=True)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_indicator(action, form.values(), by=request.user)
        except actions.PlanError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The indicator is added."))
            return redirect(f"{action.get_absolute_url()}#indicators-heading")
    return _render_action(request, action, role, indicator_form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def indicator_detail(request: AuthenticatedRequest, assessment_id: UUID, indicator_id: UUID) -> HttpResponse:
    """The form of one indicator (coordinators and contributors); readers see indicators on the action."""
    indicator, role = access.get_indicator_for_user(request.user, assessment_id, indicator_id, write=True)
    action = indicator.action
    conflict = None
    field_conflict = None
    status = 200
    if request.method == "POST":
        form = EditIndicatorForm(request.POST)
        if form.is_valid():
            loaded = form.cleaned_data["loaded"]
            try:
                if loaded is not None:
                    values = kept_values(actions.indicator_values(form.values()), request.POST)
                    actions.do_merge_indicator(indicator, by=request.user, values=values, loaded=loaded)
                else:
                    actions.do_save_indicator(
                        indicator, form.values(), by=request.user, expected_version=form.cleaned_data["lock_version"]
                    )
            except FieldConflict as found:
                field_conflict = found
                form = EditIndicatorForm(conflict_form_data(request.POST, found, loaded or {}, prefix=form.prefix))
                form.is_valid()
                status = 409
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
        initial: dict[str, Any] = {name: getattr(indicator, name) for name in actions.INDICATOR_FIELDS}
        initial |= {"lock_version": indicator.lock_version, "loaded": fingerprints(actions.indicator_values(indicator))}
        form = EditIndicatorForm(initial=initial)
    context = _context(action.plan, role) | {
        "action": action,
        "indicator": indicator,
        "form": form,
        "conflict": conflict,
        "field_conflict": field_conflict,
        "field_conflicts": conflict_rows(field_conflict, form) if field_conflict else [],
    }
    return render(request, "actionplans/indicator.html", context, status=status)


@require_POST
@login_required
def delete_indicator(request: AuthenticatedRequest, assessment_id: UUID, indicator_id: UUID) -> HttpResponse:
    indicator, _role = access.get_indicator_for_user(request.user, assessment_id, indicator_id, write=True)
    try:
        actions.do_delete_indicator(indicator, by=request.user)
    except actions.PlanError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, sentence(_("The indicator “%(name)s” is removed."), name=indicator.name))
    return redirect(f"{indicator.action.get_absolute_url()}#indicators-heading")


@require_POST
@login_required
def add_progress(request: AuthenticatedRequest, assessment_id: UUID, action_id: UUID) -> HttpResponse:
    action, role = access.get_action_for_user(request.user, assessment_id, action_id, report=True)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_progress(action, by=request.user, on=form.cleaned_data["on"], text=form.cleaned_data["text"])
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
    hidden = ("action", "title", "indicator id")  # the page says which action; the id is for the merges
    rows = [(event, [row for row in describe(event) if row[0] not in hidden]) for event in page]  # type: ignore[arg-type]
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
    report = plan_contents(plan, chart_id=REPORT_CHART_ID)
    context = {"plan": plan, "report": report, "assessment": plan.assessment, "for_pdf": True}
    html = render_to_string("actionplans/plan_print.html", context, request=request)
    response = HttpResponse(html_to_pdf(html, base_url=request.build_absolute_uri("/")), content_type="application/pdf")
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
