from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedRequest, signed_in_user
from assessments import access, actions
from assessments.forms import ContextForm
from assessments.models import (
    Assessment,
    ContextNote,
    context_fields,
)
from assessments.partners import divergence_context
from benchmarks.models import KeyFactor
from lib.actions import FieldConflict
from lib.merge import conflict_form_data, conflict_rows, fingerprints, kept_values


@require_safe
@access.sign_in_unless_public
def assessment_detail(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    assessment, role = access.get_assessment_for_user(request.user, assessment_id)
    team = access.is_team(request.user, role)
    factors = list(
        assessment.factors.select_related("key_factor").annotate(
            questions=Count("answers"), answered=Count("answers", filter=~Q(answers__answer=""))
        )
    )
    notes = assessment.context_notes.aggregate(
        total=Count("pk"), done=Count("pk", filter=~Q(effect="") & ~Q(competence=""))
    )
    levels = {level.value: level for level in assessment.benchmark_version.rating_levels()}
    rows = [(factor, levels.get(factor.rating) if factor.rating is not None else None) for factor in factors]
    context: dict[str, Any] = {
        "assessment": assessment,
        "rows": rows,
        "answered": sum(f.answered for f in factors),
        "questions": sum(f.questions for f in factors),
        "rated": sum(f.rating is not None for f in factors),
        "notes": notes,
        "edit": access.can_edit(role) and assessment.is_editable,
        "manage": access.can_manage_assessment(role),
        "transitions": access.allowed_transitions(assessment, role),
        "next_round": access.can_start_next_round(assessment, role),
        "deletable": access.can_delete_assessment(assessment, role),
        "team": team,
        "events": assessment.events.select_related("by").order_by("-at", "-pk")[:10] if team else [],
        "visibilities": Assessment.Visibility.choices,
        "publishable": assessment.status in actions.PUBLISHABLE,
    }
    context |= divergence_context(request, assessment, role, factors, levels)
    return render(request, "assessments/assessment_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@access.sign_in_unless_public
def context_factors(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    write = request.method == "POST"
    assessment, role = access.get_assessment_for_user(request.user, assessment_id, write=write)
    user = signed_in_user(request)
    notes = list(
        ContextNote.objects.filter(assessment=assessment)
        .select_related("context_factor")
        .prefetch_related("key_factors")
    )
    edit = access.can_edit(role) and assessment.is_editable
    key_factors = list(KeyFactor.objects.filter(version_id=assessment.benchmark_version_id).order_by("kind", "number"))
    form = None
    status = 200
    stored: dict[int, ContextNote] = {}
    field_conflicts: list[dict[str, Any]] = []
    if write:
        form = ContextForm(request.POST, notes=notes, key_factors=key_factors)
        loaded = form.cleaned_data.get("loaded") if form.is_valid() else None
        if loaded is not None:
            try:
                actions.do_merge_context(
                    assessment, by=user, values=kept_values(form.fields_sent(), request.POST), loaded=loaded
                )
            except FieldConflict as conflict:
                form = ContextForm(
                    conflict_form_data(request.POST, conflict, loaded), notes=notes, key_factors=key_factors
                )
                form.is_valid()
                field_conflicts = conflict_rows(conflict, form, _context_shown(key_factors))
                status = 409
            except actions.AssessmentError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("The context factors are saved."))
                return redirect(assessment)
        elif form.is_valid():
            try:
                actions.do_save_context(
                    assessment, by=user, expected_version=form.cleaned_data["lock_version"], notes=form.values()
                )
            except actions.ContextConflict as conflict:
                # Keep every typed value; a second save deliberately replaces what is stored now.
                data = request.POST.copy()
                data["lock_version"] = str(conflict.stored_version)
                form = ContextForm(data, notes=notes, key_factors=key_factors)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Someone else saved the context factors while you were editing. Your notes are kept "
                        "below, with the saved ones under each factor. Save again to replace the saved ones."
                    ),
                )
                stored = conflict.stored
                status = 409
            except actions.AssessmentError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("The context factors are saved."))
                return redirect(assessment)
        else:
            status = 400
    elif edit:
        initial: dict[str, Any] = {
            "lock_version": assessment.lock_version,
            "loaded": fingerprints(context_fields(notes)),
        }
        for note in notes:
            n = note.context_factor.number
            initial |= {f"c{n}-effect": note.effect, f"c{n}-competence": note.competence, f"c{n}-note": note.note}
            initial[f"c{n}-key_factors"] = [str(kf.pk) for kf in note.key_factors.all()]
        form = ContextForm(initial=initial, notes=notes, key_factors=key_factors)
    rows = form.rows(stored) if form else []
    context = {
        "assessment": assessment,
        "notes": notes,
        "form": form,
        "rows": rows,
        "field_conflict": bool(field_conflicts),
        "field_conflicts": field_conflicts,
        "team": access.is_team(request.user, role),
    }
    return render(request, "assessments/context.html", context, status=status)


def _context_shown(key_factors: list[KeyFactor]) -> Callable[[str, Any], Any]:
    """A context note's value in words on the conflict screen."""
    effects = dict(ContextNote.Effect.choices)
    competences = dict(ContextNote.Competence.choices)
    titles = {str(kf.pk): f"{kf.number}. {kf.title}" for kf in key_factors}

    def shown(name: str, value: Any) -> Any:
        if name.endswith("-effect"):
            return effects.get(value, _("Not assessed yet"))
        if name.endswith("-competence"):
            return competences.get(value, _("Not assessed yet"))
        if name.endswith("-key_factors"):
            return "; ".join(titles[pk] for pk in value if pk in titles) or _("no key factor")
        return value

    return shown


def _transition(request: AuthenticatedRequest, assessment_id: UUID, action: Any, done: str) -> HttpResponse:
    assessment, _role = access.get_assessment_for_user(request.user, assessment_id, manage=True)
    try:
        action(assessment, by=request.user)
    except actions.AssessmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(assessment)


@require_POST
@login_required
def submit(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    return _transition(request, assessment_id, actions.do_submit, _("The assessment is submitted."))


@require_POST
@login_required
def reopen(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    return _transition(request, assessment_id, actions.do_reopen, _("The assessment is reopened for changes."))


@require_POST
@login_required
def finalise(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    return _transition(request, assessment_id, actions.do_finalise, _("The assessment is finalised."))
