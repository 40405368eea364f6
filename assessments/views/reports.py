"""Downloads of a self-assessment (the XLSX workbook, the CSV of the ratings, the PDF report) and the
import of a filled workbook (docs/roles.md, "Reports and workbooks")."""

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import AuthenticatedRequest
from assessments import access, actions
from assessments.access import sign_in_unless_public
from assessments.downloads import download
from assessments.models import Assessment
from assessments.workbook import (
    XLSX_TYPE,
    RowError,
    WorkbookInvalid,
    WorkbookRefused,
    build_workbook,
    factor_label,
    ratings_csv,
    read_workbook,
)
from lib.forms import AccessibleFormMixin
from lib.securitylog import log_event
from lib.uploads import (
    UploadFormMixin,
    display_name,
    max_upload_bytes,
    upload_refused,
)


@require_safe
@login_required
def workbook(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    """The workbook to fill offline: for the team (members and network admins), not for outside readers."""
    assessment, role = access.get_assessment_for_user(request.user, assessment_id)
    if not access.is_team(request.user, role):
        raise Http404
    return download(request, assessment, build_workbook(assessment), XLSX_TYPE, "xlsx")


@require_safe
@sign_in_unless_public
def ratings(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """The ratings as CSV: only what a published assessment shows anyone (no partner, evidence or person)."""
    assessment, _role = access.get_assessment_for_user(request.user, assessment_id)
    body = ratings_csv(assessment).encode("utf-8")
    return download(request, assessment, body, "text/csv; charset=utf-8", "csv")


ROW_ERRORS_SHOWN = 50


class ImportForm(AccessibleFormMixin, UploadFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled workbook (XLSX)"),
        help_text=gettext_lazy("The workbook downloaded from this assessment, filled in. At most 20 MB."),
    )
    confirm = forms.CharField(widget=forms.HiddenInput, required=False)
    replace = forms.BooleanField(
        label=gettext_lazy("Replace what they saved with the workbook's version of these key factors"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx," + XLSX_TYPE
        self.fields["file"].help_text = _(
            "The workbook downloaded from this assessment, filled in. At most %(mb)d MB."
        ) % {"mb": max_upload_bytes() // (1024 * 1024)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if self.checked_file(upload).extension != "xlsx":
            raise forms.ValidationError(_("Choose the XLSX workbook exported from this assessment."))
        return upload


def _render(
    request: HttpRequest,
    assessment: Assessment,
    form: ImportForm,
    *,
    row_errors: list[RowError] | None = None,
    file_name: str = "",
    conflict: actions.WorkbookConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    row_errors = row_errors or []
    context = {
        "assessment": assessment,
        "form": form,
        "row_errors": row_errors,
        # A long list helps nobody and makes a heavy page: the first ones, and how many more.
        "row_errors_shown": row_errors[:ROW_ERRORS_SHOWN],
        "row_errors_more": max(len(row_errors) - ROW_ERRORS_SHOWN, 0),
        "file_name": file_name,
        "conflict": conflict,
        "conflict_rows": [(factor_label(f.key_factor), f) for f in conflict.factors] if conflict else [],
        "editable": assessment.is_editable,
    }
    return render(request, "assessments/import.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_workbook(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    """Coordinators and contributors import a filled workbook into a draft or reopened assessment."""
    user = request.user
    assessment, _role = access.get_assessment_for_user(user, assessment_id, write=True)
    if request.method != "POST":
        return _render(request, assessment, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if upload_refused(request):
        form.refuse_skipped_file(request)
        return _render(request, assessment, form, status=400)
    if not form.is_valid():
        return _render(request, assessment, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        changes = read_workbook(upload, assessment)
    except WorkbookRefused as refused:
        form.add_error("file", refused.message)
        return _render(request, assessment, form, status=400)
    except WorkbookInvalid as invalid:
        name = display_name(upload.name or "")
        return _render(request, assessment, form, row_errors=invalid.errors, file_name=name, status=400)
    confirm = form.cleaned_data["confirm"] if form.cleaned_data["replace"] else ""
    name = display_name(upload.name or "")
    try:
        result = actions.do_import_workbook(assessment, changes, by=user, file_name=name, confirm=confirm)
    except actions.WorkbookConflict as conflict:
        kept = ImportForm(initial={"confirm": conflict.confirm})
        return _render(request, assessment, kept, conflict=conflict, status=409)
    except actions.AssessmentError as error:
        form.add_error(None, error.message)
        return _render(request, assessment, form, status=400)
    log_event("assessment.imported", request, assessment=str(assessment.public_id), user=user.pk)
    if not result.factors and not result.context:
        messages.info(request, _("The workbook says what the assessment already holds: nothing changed."))
    else:
        parts = [
            ngettext("%(n)d key factor changed", "%(n)d key factors changed", len(result.factors))
            % {"n": len(result.factors)}
        ]
        if result.context:
            parts.append(_("the context factors changed"))
        messages.success(request, _("The workbook is imported: %(what)s.") % {"what": ", ".join(parts)})
    return redirect(assessment)
