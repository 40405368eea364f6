"""The evidence library pages, the file download, and the evidence section of a key factor's page."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedRequest
from assessments import access as assessment_access
from assessments.models import Assessment, FactorAssessment
from cities.models import Role, Workspace
from evidence import access, actions
from evidence.forms import AttachForm, EditEvidenceForm, EvidenceForm, NewEvidenceForm, target_of
from evidence.models import Evidence, EvidenceLink
from evidence.panels import answers_of, factor_evidence_panel, library_url
from lib.actions import FieldConflict
from lib.merge import conflict_form_data, conflict_rows, fingerprints
from lib.text import sentence
from lib.uploads import stored_file_response, upload_refused


def _usage() -> "Prefetch[Any]":
    """Where each item is used: assessment (benchmark, round) and key factor, in one query for all items."""
    return Prefetch(
        "links",
        queryset=EvidenceLink.objects.select_related(
            "factor__assessment__benchmark_version", "factor__key_factor", "question__question"
        ).order_by("factor__assessment__round", "factor__key_factor__number", "pk"),
    )


def _render_library(
    request: HttpRequest, workspace: Workspace, role: str | None, *, form: EvidenceForm | None = None, status: int = 200
) -> HttpResponse:
    add = access.can_add(role)
    items = list(Evidence.objects.of_workspace(workspace).alive().prefetch_related(_usage()))
    deleted = Evidence.objects.of_workspace(workspace).deleted().restorable().select_related("deleted_by")
    # What this person may restore (docs/roles.md, "Evidence"): a partner only what they added and deleted.
    restorable = [item for item in deleted if access.can_restore(request.user, role, item)]
    context = {
        "workspace": workspace,
        "items": items,
        "deleted": restorable if add else [],
        "edit": add,
        "partner": role == Role.PARTNER,
        "form": form if form is not None else (EvidenceForm(prefix="evidence") if add else None),
        "restore_days": Evidence.RESTORE_DAYS,
    }
    return render(request, "evidence/library.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def library(request: AuthenticatedRequest, workspace_id: UUID) -> HttpResponse:
    """The workspace's evidence library: read by every member; coordinators, contributors and partners add (POST)."""
    user = request.user
    write = request.method == "POST"
    workspace, role = access.get_library_for_user(user, workspace_id, write=write)
    if not write:
        return _render_library(request, workspace, role)
    form = EvidenceForm(request.POST, request.FILES, prefix="evidence")
    if upload_refused(request):
        form.refuse_skipped_file(request)
    if not form.is_valid():
        return _render_library(request, workspace, role, form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        evidence = actions.do_add_evidence(
            workspace,
            form.fields_value(),
            by=user,
            file=upload[0] if upload else None,
            checked=upload[1] if upload else None,
        )
    except actions.EvidenceError as error:
        form.add_error(None, error.message)
        return _render_library(request, workspace, role, form=form, status=400)
    messages.success(request, sentence(_("“%(title)s” is added to the evidence library."), title=evidence.title))
    return redirect(library_url(workspace))


def _initial(evidence: Evidence) -> dict[str, Any]:
    return {
        "lock_version": evidence.lock_version,
        "loaded": fingerprints(actions.state(evidence)),
        **{name: getattr(evidence, name) for name in actions.Fields.__dataclass_fields__},
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def item(request: AuthenticatedRequest, evidence_id: UUID) -> HttpResponse:
    """One item: its details, where it is used and its history; coordinators and contributors edit it (POST),
    and so does the partner who added it."""
    user = request.user
    write = request.method == "POST"
    evidence, role = access.get_evidence_for_user(user, evidence_id, write=write)
    edit = access.can_change(user, role, evidence)
    status = 200
    stored: dict[str, Any] | None = None
    field_conflicts: list[dict[str, Any]] = []
    form: EditEvidenceForm | None = None
    if write:
        form = EditEvidenceForm(request.POST, has_file=bool(evidence.file))
        if form.is_valid():
            try:
                actions.do_edit_evidence(
                    evidence,
                    form.fields_value(),
                    by=user,
                    expected_version=form.cleaned_data["lock_version"],
                    loaded=form.cleaned_data["loaded"],
                    keep=request.POST.getlist("keep"),
                )
            except FieldConflict as conflict:
                data = conflict_form_data(request.POST, conflict, form.cleaned_data["loaded"])
                form = EditEvidenceForm(data, has_file=bool(evidence.file))
                form.is_valid()
                kinds = dict(Evidence.Kind.choices)
                field_conflicts = conflict_rows(
                    conflict, form, lambda name, value: kinds.get(value, value) if name == "kind" else value
                )
                status = 409
            except actions.EvidenceConflict as conflict:
                # Keep what was typed; the next save, made knowingly, replaces the stored version.
                data = request.POST.copy()
                data["lock_version"] = str(conflict.stored_version)
                form = EditEvidenceForm(data, has_file=bool(evidence.file))
                form.is_valid()
                stored = conflict.stored
                status = 409
            except actions.EvidenceError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, sentence(_("“%(title)s” is saved."), title=form.cleaned_data["title"]))
                return redirect("evidence:item", evidence.public_id)
        else:
            status = 400
    elif edit:
        form = EditEvidenceForm(initial=_initial(evidence), has_file=bool(evidence.file))
    links = list(
        EvidenceLink.objects.filter(evidence=evidence).select_related(
            "factor__assessment__benchmark_version", "factor__key_factor", "question__question"
        )
    )
    kinds = dict(Evidence.Kind.choices)
    context = {
        "evidence": evidence,
        "workspace": evidence.workspace,
        "links": links,
        "events": evidence.events.select_related("by").order_by("-at", "-pk"),
        "form": form,
        "edit": edit,
        "stored": stored,
        "field_conflict": bool(field_conflicts),
        "field_conflicts": field_conflicts,
        "stored_kind": kinds.get(stored["kind"], "") if stored else "",
    }
    return render(request, "evidence/item.html", context, status=status)


@require_safe
@login_required
def download(request: AuthenticatedRequest, evidence_id: UUID) -> FileResponse:
    """The item's file, as an attachment that the browser neither renders nor sniffs (docs/quality.md S6)."""
    evidence, _role = access.get_evidence_for_user(request.user, evidence_id)
    if not evidence.file:
        raise Http404
    return stored_file_response(
        evidence.file.name,
        file_name=evidence.file_name,
        file_type=evidence.file_type,
        file_size=evidence.file_size or 0,
    )


@require_POST
@login_required
def delete(request: AuthenticatedRequest, evidence_id: UUID) -> HttpResponse:
    evidence, _role = access.get_evidence_for_user(request.user, evidence_id, write=True)
    try:
        actions.do_delete_evidence(evidence, by=request.user)
    except actions.EvidenceError as error:
        messages.error(
            request,
            sentence(
                _("“%(title)s” is not deleted: %(reason)s"), title=evidence.title, plain={"reason": error.message}
            ),
        )
        return redirect("evidence:item", evidence.public_id)
    messages.success(
        request,
        sentence(
            _("“%(title)s” is deleted. It can be restored from “Recently deleted” for %(days)d days."),
            title=evidence.title,
            plain={"days": Evidence.RESTORE_DAYS},
        ),
    )
    return redirect(library_url(evidence.workspace))


@require_POST
@login_required
def restore(request: AuthenticatedRequest, evidence_id: UUID) -> HttpResponse:
    evidence, _role = access.get_evidence_for_user(request.user, evidence_id, write=True, deleted=True)
    try:
        actions.do_restore_evidence(evidence, by=request.user)
    except actions.EvidenceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, sentence(_("“%(title)s” is restored."), title=evidence.title))
    return redirect(library_url(evidence.workspace))


# The evidence of a key factor ------------------------------------------------------------------------------


def _factor(assessment: Assessment, slug: str) -> FactorAssessment:
    factor = assessment.factors.select_related("key_factor").filter(key_factor__slug=slug).first()
    if factor is None:
        raise Http404
    return factor


def _render_factor_evidence(
    request: HttpRequest,
    assessment: Assessment,
    factor: FactorAssessment,
    role: str | None,
    *,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    context = {"assessment": assessment, "factor": factor} | factor_evidence_panel(
        request, assessment, factor, role, **forms
    )
    return render(request, "evidence/factor_evidence.html", context, status=status)


def _back_to_factor(assessment: Assessment, factor: FactorAssessment) -> HttpResponse:
    url = reverse("pages:factor", args=[assessment.public_id, factor.key_factor.slug])
    return redirect(f"{url}#evidence-heading")


def _refused_as_read_only(
    request: HttpRequest, assessment: Assessment, factor: FactorAssessment, error: actions.EvidenceError
) -> bool:
    """When the assessment was submitted meanwhile, its page has no forms left: say why on the read-only page."""
    if Assessment.objects.filter(pk=assessment.pk, status__in=Assessment.EDITABLE).exists():
        return False
    messages.error(request, error.message)
    return True


@require_safe
@login_required
def factor_evidence(request: AuthenticatedRequest, assessment_id: UUID, slug: str) -> HttpResponse:
    """The evidence of one key factor on a page of its own (where failed attach and add forms come back)."""
    assessment, role = assessment_access.get_assessment_for_user(request.user, assessment_id)
    if not assessment_access.is_team(request.user, role):
        raise Http404
    return _render_factor_evidence(request, assessment, _factor(assessment, slug), role)


@require_POST
@login_required
def attach(request: AuthenticatedRequest, assessment_id: UUID, slug: str) -> HttpResponse:
    user = request.user
    assessment, role = access.get_assessment_for_evidence(user, assessment_id)
    factor = _factor(assessment, slug)
    answers = answers_of(factor)
    items = list(Evidence.objects.of_workspace(assessment.workspace).alive().order_by("title", "pk"))
    form = AttachForm(request.POST, prefix="attach", items=items, answers=answers)
    if form.is_valid():
        evidence = next(i for i in items if str(i.public_id) == form.cleaned_data["evidence"])
        try:
            actions.do_attach_evidence(evidence, factor, target_of(form, answers), by=user)
        except actions.EvidenceError as error:
            if _refused_as_read_only(request, assessment, factor, error):
                return _back_to_factor(assessment, factor)
            form.add_error(None, error.message)
        else:
            messages.success(request, sentence(_("“%(title)s” is attached."), title=evidence.title))
            return _back_to_factor(assessment, factor)
    return _render_factor_evidence(request, assessment, factor, role, attach_form=form, status=400)


@require_POST
@login_required
def add_and_attach(request: AuthenticatedRequest, assessment_id: UUID, slug: str) -> HttpResponse:
    user = request.user
    assessment, role = access.get_assessment_for_evidence(user, assessment_id)
    factor = _factor(assessment, slug)
    answers = answers_of(factor)
    form = NewEvidenceForm(request.POST, request.FILES, prefix="evidence", answers=answers)
    if upload_refused(request):
        form.refuse_skipped_file(request)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            evidence = actions.do_add_evidence(
                assessment.workspace,
                form.fields_value(),
                by=user,
                file=upload[0] if upload else None,
                checked=upload[1] if upload else None,
                attach_to=factor,
                question=target_of(form, answers),
            )
        except actions.EvidenceError as error:
            if _refused_as_read_only(request, assessment, factor, error):
                return _back_to_factor(assessment, factor)
            form.add_error(None, error.message)
        else:
            messages.success(
                request, sentence(_("“%(title)s” is added to the library and attached."), title=evidence.title)
            )
            return _back_to_factor(assessment, factor)
    return _render_factor_evidence(request, assessment, factor, role, new_form=form, status=400)


@require_POST
@login_required
def detach(request: AuthenticatedRequest, assessment_id: UUID, slug: str, link_id: UUID) -> HttpResponse:
    user = request.user
    assessment, role = access.get_assessment_for_evidence(user, assessment_id)
    factor = _factor(assessment, slug)
    link = EvidenceLink.objects.select_related("evidence").filter(factor=factor, public_id=link_id).first()
    if link is None:
        raise Http404
    if not access.can_detach(user, role, link):
        raise Http404
    link.factor = factor
    try:
        actions.do_detach_evidence(link, by=user)
    except actions.EvidenceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, sentence(_("“%(title)s” is detached."), title=link.evidence.title))
    return _back_to_factor(assessment, factor)
