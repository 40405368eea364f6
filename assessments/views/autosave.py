"""Autosave of a key factor's form (QUALITY.md R5), a JSON endpoint for static/js/autosave.js.

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

from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from uuid import UUID

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.actions import idle_seconds_left
from accounts.models import User
from assessments import access, actions
from assessments.forms import FactorForm
from assessments.models import Assessment, FactorAssessment, QuestionAnswer
from benchmarks.models import RatingLevel


class AutosaveForm(FactorForm):
    save_id = forms.UUIDField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        # FactorForm.clean adds the rating-needs-a-justification rule; skip it for drafts (see the module).
        return super(FactorForm, self).clean() or {}


def json_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like login_required, but a signed-out request gets 401 JSON, not a redirect the script cannot use."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"reason": "signed_out", "message": _("You are signed out.")}, status=401)
        return view(request, *args, **kwargs)

    return wrapper


def _editable_factor(user: User, assessment_id: UUID, slug: str) -> tuple[Assessment, FactorAssessment]:
    assessment, _role = access.get_assessment_for_user(user, assessment_id, write=True)
    factor = assessment.factors.filter(key_factor__slug=slug).first()
    if factor is None:
        raise Http404
    factor.assessment = assessment  # already loaded, with its benchmark version
    return assessment, factor


@require_http_methods(["GET", "POST"])
@json_login_required
def autosave(request: HttpRequest, assessment_id: UUID, slug: str) -> HttpResponse:
    user = cast(User, request.user)
    try:
        assessment, factor = _editable_factor(user, assessment_id, slug)
    except Http404:
        return JsonResponse({"reason": "not_found", "message": _("You cannot edit this key factor.")}, status=404)
    if request.method == "GET":
        return JsonResponse(
            {"lock_version": factor.lock_version, "editable": assessment.is_editable, "csrf_token": get_token(request)}
        )
    questions = [a.question for a in QuestionAnswer.objects.filter(factor=factor).select_related("question")]
    levels = list(RatingLevel.objects.filter(scale_id=assessment.benchmark_version.rating_scale_id))
    form = AutosaveForm(request.POST, questions=questions, levels=levels)
    if not form.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        return JsonResponse({"reason": "invalid", "errors": errors}, status=400)
    try:
        saved = actions.do_save_factor(
            factor,
            by=user,
            expected_version=form.cleaned_data["lock_version"],
            rating=form.cleaned_data["rating"],
            justification=form.cleaned_data["justification"],
            answers=form.answers(),
            comments=form.comments(),
            save_id=form.cleaned_data["save_id"],
        )
    except actions.Conflict as conflict:
        if conflict.stored == conflict.submitted:
            # Saved meanwhile exactly as sent (by this person's other tab, which restored the same unsaved
            # text from the browser's storage): nothing would be overwritten, so it is acknowledged.
            return JsonResponse({"lock_version": conflict.stored_version, "idle_seconds": idle_seconds_left(request)})
        return JsonResponse(
            {
                "reason": "conflict",
                "lock_version": conflict.stored_version,
                "message": _("Someone else saved this key factor meanwhile."),
            },
            status=409,
        )
    except actions.AssessmentError as error:
        return JsonResponse({"reason": "refused", "message": error.message}, status=409)
    return JsonResponse({"lock_version": saved.lock_version, "idle_seconds": idle_seconds_left(request)})
