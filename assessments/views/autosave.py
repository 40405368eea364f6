"""Autosave of a key factor's form (docs/quality.md R5), a JSON endpoint for static/js/autosave.js.

POST takes the key-factor form's own fields (`lock_version`, `rating`, `justification`, `q<N>-answer`,
`q<N>-comment`) plus `save_id`, a UUID the browser makes for each request, and answers JSON:

- 200 `{"lock_version": n}`: saved, or a replay of the save last applied (nothing applied twice), or
  a late request whose content is exactly what is stored now (nothing to apply, nothing overwritten);
- 409 `{"reason": "conflict", ...}`: the factor changed since `lock_version` (someone else saved, or this
  is an older request arriving late): nothing applied; the page then asks for the Save button, whose
  conflict screen shows both texts. `{"reason": "refused"}`: the assessment cannot be changed now;
- 400 `{"errors": {field: [messages]}}`: invalid input, nothing saved;
- 401 signed out (also when the session timed out: accounts.middleware answers JSON to JSON requests),
  404 for an assessment or factor the user may not edit, 403 without a valid CSRF token.

GET answers the current `lock_version` and a fresh CSRF token: after signing in again in another tab
the page's token is stale (login rotates it), and the page fetches a new one here before it retries.

A draft being typed may carry a rating before its justification: the autosave does not apply the
"a rating needs a justification" rule, which the Save button still enforces; lengths and choices are
validated all the same.
"""

from typing import Any
from uuid import UUID

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.http import signed_in_user
from accounts.models import User
from assessments import access, actions
from assessments.forms import FactorForm
from assessments.models import Assessment, FactorAssessment, QuestionAnswer
from editing import answers
from editing.actions import PageSave, working_on
from lib.actions import FieldConflict


class AutosaveForm(FactorForm):
    save_id = forms.UUIDField(widget=forms.HiddenInput)
    # The open page's id and the number of this request (editing.actions.accept_autosave).
    page = forms.UUIDField(widget=forms.HiddenInput, required=False)
    seq = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        # FactorForm.clean adds the rating-needs-a-justification rule; skip it for drafts (see the module).
        return super(FactorForm, self).clean() or {}


def _editable_factor(user: User, assessment_id: UUID, slug: str) -> tuple[Assessment, FactorAssessment]:
    assessment, _role = access.get_assessment_for_user(user, assessment_id, write=True)
    factor = assessment.factors.filter(key_factor__slug=slug).first()
    if factor is None:
        raise Http404
    factor.assessment = assessment  # already loaded, with its benchmark version
    return assessment, factor


@require_http_methods(["GET", "POST"])
@answers.json_login_required
def autosave(request: HttpRequest, assessment_id: UUID, slug: str) -> HttpResponse:
    user = signed_in_user(request)
    try:
        assessment, factor = _editable_factor(user, assessment_id, slug)
    except Http404:
        return answers.not_found(_("You cannot edit this key factor."))
    if request.method == "GET":
        return answers.state(request, factor.lock_version, editable=assessment.is_editable)
    questions = [a.question for a in QuestionAnswer.objects.filter(factor=factor).select_related("question")]
    levels = assessment.benchmark_version.rating_levels()
    form = AutosaveForm(request.POST, questions=questions, levels=levels)
    if not form.is_valid():
        return answers.invalid(form)
    loaded = form.cleaned_data["loaded"]
    if loaded is not None:
        try:
            result = actions.do_merge_factor(
                factor,
                by=user,
                values=form.values(),
                loaded=loaded,
                save_id=form.cleaned_data["save_id"],
                page=PageSave.sent(form.cleaned_data),
            )
        except FieldConflict as conflict:
            return answers.fields_conflicted(
                conflict.fields, conflict.stored_version, _("Someone else changed the same fields meanwhile.")
            )
        except actions.AssessmentError as error:
            return answers.refused(error.message)
        others = working_on(actions.factor_subject(factor), besides=user)
        return answers.merged(request, result.factor.lock_version, result.fingerprints, result.theirs, others)
    try:
        factor = actions.do_save_factor(factor, by=user, save_id=form.cleaned_data["save_id"], **form.whole_factor())
    except actions.Conflict as conflict:
        return answers.conflicted(request, conflict, _("Someone else saved this key factor meanwhile."))
    except actions.AssessmentError as error:
        return answers.refused(error.message)
    return answers.saved(request, factor.lock_version)
