"""Panels of self-assessments that pages gather (pages/): on the workspace page, the workspace's assessments,
the recently deleted ones for coordinators to restore, and the form that starts one; on a city's page, its
published assessments; on the key factor page, the key factor's own form. Each form is handled here and,
refused, comes back as a Redisplay of its panel."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import signed_in_user
from accounts.models import User
from assessments import access, actions
from assessments.forms import FactorForm, StartAssessmentForm
from assessments.models import Assessment, FactorAssessment, QuestionAnswer, factor_fields
from benchmarks.models import RatingLevel
from cities.access import role_in
from cities.models import City, Workspace
from editing.actions import working_on
from lib.actions import FieldConflict
from lib.merge import conflict_form_data, conflict_rows, fingerprints, kept_values
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
    if access.can_manage_assessment(role_in(user, workspace)):
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


def factor_panel(
    request: HttpRequest,
    assessment: Assessment,
    factor: FactorAssessment,
    role: str | None,
    *,
    form: FactorForm | None = None,
    conflict: actions.Conflict | None = None,
    field_conflict: FieldConflict | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """The key factor's questions, rating and justification: the form for editors while editable, the saved
    values for everyone else; after a refused save, the bound form with the conflict or the reason."""
    answers = list(QuestionAnswer.objects.filter(factor=factor).select_related("question"))
    questions = [a.question for a in answers]
    levels = assessment.benchmark_version.rating_levels()
    edit = access.can_edit(role) and assessment.is_editable
    if edit and form is None:
        stored = factor_fields(factor, answers)
        initial: dict[str, Any] = {"lock_version": factor.lock_version, "loaded": fingerprints(stored), **stored}
        form = FactorForm(initial=initial, questions=questions, levels=levels)
    scale_max = max((level.value for level in levels), default=0)
    suggested = factor.suggested_rating(answers, scale_max)
    by_value = {level.value: level for level in levels}
    stored_answers = None
    if conflict is not None:
        labels = dict(QuestionAnswer.Answer.choices)
        stored_answers = [
            (
                q,
                labels.get(conflict.stored["answers"].get(str(q.pk), ""), ""),
                conflict.stored["comments"].get(str(q.pk), ""),
            )
            for q in questions
        ]
    context: dict[str, Any] = {
        "assessment": assessment,
        "factor": factor,
        "answers": answers,
        "levels": levels,
        "rating_level": by_value.get(factor.rating) if factor.rating is not None else None,
        "suggested": by_value.get(suggested) if suggested is not None else None,
        "form": form if edit else None,
        "conflict": conflict,
        "field_conflict": field_conflict,
        "field_conflicts": conflict_rows(field_conflict, form, _factor_shown(levels))
        if field_conflict and form
        else [],
        "working": working_on(actions.factor_subject(factor), besides=signed_in_user(request)) if edit else [],
        "error": error,
        "stored_answers": stored_answers,
        "stored_level": by_value.get(conflict.stored["rating"])
        if conflict and conflict.stored["rating"] is not None
        else None,
        "team": access.is_team(request.user, role),
    }
    return context


def _factor_shown(levels: list[RatingLevel]) -> Callable[[str, Any], Any]:
    """A key factor's value in words on the conflict screen: ratings and answers by their labels."""
    words = {level.value: level.number_and_words for level in levels}
    labels = dict(QuestionAnswer.Answer.choices)

    def shown(name: str, value: Any) -> Any:
        if name == "rating":
            return words.get(value, _("Not rated yet")) if value is not None else _("Not rated yet")
        if name.endswith("-answer"):
            return labels.get(value, _("Not answered yet")) if value else _("Not answered yet")
        return value

    return shown


def save_factor(request: HttpRequest, assessment_id: UUID, slug: str) -> HttpResponse | Redisplay:
    """Save the key factor's form (coordinators and contributors, while editable): merged by field, or whole
    for a page loaded before; refused, the panel comes back with what was typed and why."""
    assessment, role = access.get_assessment_for_user(request.user, assessment_id, write=True)
    user = signed_in_user(request)
    factor = access.factor_of(assessment, slug)
    questions = [a.question for a in QuestionAnswer.objects.filter(factor=factor).select_related("question")]
    levels = assessment.benchmark_version.rating_levels()
    form = FactorForm(request.POST, questions=questions, levels=levels)
    if not form.is_valid():
        return Redisplay(factor_panel(request, assessment, factor, role, form=form), status=400)
    loaded = form.cleaned_data["loaded"]
    try:
        if loaded is not None:
            actions.do_merge_factor(factor, by=user, values=kept_values(form.values(), request.POST), loaded=loaded)
        else:  # a page loaded before saves merged by field: the whole-factor check
            actions.do_save_factor(factor, by=user, **form.whole_factor())
    except FieldConflict as conflict:
        assert loaded is not None  # noqa: S101 - only a merged save raises it
        kept = FactorForm(conflict_form_data(request.POST, conflict, loaded), questions=questions, levels=levels)
        kept.is_valid()
        return Redisplay(
            factor_panel(request, assessment, factor, role, form=kept, field_conflict=conflict), status=409
        )
    except actions.Conflict as conflict:
        # Keep what was typed; the next save, made knowingly, replaces the stored version.
        data = request.POST.copy()
        data["lock_version"] = str(conflict.stored_version)
        kept = FactorForm(data, questions=questions, levels=levels)
        kept.is_valid()
        return Redisplay(factor_panel(request, assessment, factor, role, form=kept, conflict=conflict), status=409)
    except actions.AssessmentError as error:
        # Refreshed: a refusal because the assessment was submitted meanwhile shows the read-only page.
        assessment, role = access.get_assessment_for_user(user, assessment_id)
        form.add_error(None, error.message)
        return Redisplay(factor_panel(request, assessment, factor, role, form=form, error=error.message), status=400)
    messages.success(request, _("“%(factor)s” is saved.") % {"factor": factor.key_factor.title})
    return redirect(assessment)
