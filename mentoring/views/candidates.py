"""Mentor matching for an implementing city's assessment: the candidates page and the request it sends."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedRequest
from accounts.models import User
from assessments.access import get_assessment_for_user, is_team
from assessments.models import Assessment
from cities.models import Workspace
from mentoring.access import can_request
from mentoring.actions import MentoringError, do_request
from mentoring.forms import LANGUAGE_CHOICES, MatchingLanguagesForm, RequestMentorshipForm
from mentoring.matching import language_name, match

# Candidates shown at a time, best first: each comes with its reasons and, for the coordinator, a request form.
PAGE_SIZE = 10


def _team_assessment(user: User, assessment_id: UUID) -> Assessment:
    """The assessment, for its team and network staff only: a published assessment's readers get 404 too."""
    assessment, role = get_assessment_for_user(user, assessment_id)
    if not is_team(user, role):
        raise Http404
    return assessment


def _page(
    request: AuthenticatedRequest,
    assessment: Assessment,
    *,
    languages: list[str],
    language_form: MatchingLanguagesForm,
    page: int = 1,
    failed: RequestMentorshipForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    matching = match(assessment, languages=languages)
    coordinator = can_request(user, assessment.workspace)
    failed_id: UUID | None = failed.cleaned_data.get("mentor") if failed is not None else None

    def request_form(public_id: UUID, auto_id: str) -> RequestMentorshipForm:
        if failed is None or public_id != failed_id:
            return RequestMentorshipForm(initial={"mentor": public_id}, auto_id=auto_id)
        # What was typed, shown again with why it was refused.
        bound = RequestMentorshipForm(failed.data, auto_id=auto_id)
        if bound.is_valid() and error:
            bound.add_error(None, error)
        return bound

    pages = max(1, -(-len(matching.candidates) // PAGE_SIZE))
    page = min(page, pages)
    first = (page - 1) * PAGE_SIZE
    rows: list[dict[str, Any]] = []
    for n, candidate in enumerate(matching.candidates[first : first + PAGE_SIZE], start=first + 1):
        form = request_form(candidate.offer.workspace_public_id, f"id_%s_{n}") if coordinator else None
        rows.append({"n": n, "candidate": candidate, "form": form})

    def page_url(number: int) -> str:
        query: list[tuple[str, str | int]] = [("languages", code) for code in languages]
        return "?" + urlencode([*query, ("page", number)])

    # A refused request to a city no longer among the candidates (already asked, say): its form on its own.
    refused = None
    if failed_id is not None and failed_id not in {row["candidate"].offer.workspace_public_id for row in rows}:
        mentor = Workspace.objects.select_related("city").filter(public_id=failed_id).first()
        if mentor is not None:
            refused = {"mentor": mentor, "form": request_form(mentor.public_id, "id_%s_refused")}
    # The offers left out, by reason: one line per reason naming its cities, so a thousand offers stay readable.
    left_out: dict[str, list[str]] = {}
    for item in matching.excluded:
        left_out.setdefault(item.reason, []).append(item.city_name)
    excluded = [
        {
            "reason": reason,
            "count": len(names),
            "cities": format_html_join(", ", "<bdi>{}</bdi>", ((n,) for n in names)),
        }
        for reason, names in sorted(left_out.items())
    ]
    context = {
        "assessment": assessment,
        "team": True,
        "matching": matching,
        "rows": rows,
        "language_form": language_form,
        "language_names": [language_name(code) for code in matching.languages],
        # The select's options written here, at once: a template loop over ninety lazy names costs more.
        "language_options": format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((code, " selected" if code in matching.languages else "", name) for code, name in LANGUAGE_CHOICES),
        ),
        "coordinator": coordinator,
        "error": error,
        "refused": refused,
        "excluded": excluded,
        "page": page,
        "pages": pages,
        "first": first + 1,
        "last": first + len(rows),
        "previous_url": page_url(page - 1) if page > 1 else "",
        "next_url": page_url(page + 1) if page < pages else "",
    }
    return render(request, "mentoring/candidates.html", context, status=status)


def _languages(request: HttpRequest) -> tuple[MatchingLanguagesForm, list[str]]:
    form = MatchingLanguagesForm(request.GET if "languages" in request.GET else None)
    chosen = form.cleaned_data["languages"] if form.is_bound and form.is_valid() else []
    return form, list(chosen)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@require_safe
@login_required
def candidates(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    user = request.user
    assessment = _team_assessment(user, assessment_id)
    language_form, languages = _languages(request)
    return _page(request, assessment, languages=languages, language_form=language_form, page=_page_number(request))


@require_POST
@login_required
def request_mentorship(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    user = request.user
    assessment = _team_assessment(user, assessment_id)
    if not can_request(user, assessment.workspace):
        raise Http404
    form = RequestMentorshipForm(request.POST)
    if not form.is_valid():
        # A tampered or stale form: the mentor is a hidden field, so there is nothing to show beside a field.
        mentor_id = form.cleaned_data.get("mentor")
        if mentor_id is None:
            raise Http404
        return _page(
            request,
            assessment,
            languages=[],
            language_form=MatchingLanguagesForm(),
            failed=form,
            error=_("Check your request below."),
            status=400,
        )
    mentor = Workspace.objects.select_related("city").filter(public_id=form.cleaned_data["mentor"]).first()
    if mentor is None:
        raise Http404
    try:
        mentorship = do_request(
            assessment.workspace,
            mentor,
            assessment.benchmark_version.benchmark,
            by=user,
            message=form.cleaned_data["message"],
            share=[assessment] if form.cleaned_data["share"] else [],
            site_url=request.build_absolute_uri("/"),
        )
    except MentoringError as refused:
        return _page(
            request,
            assessment,
            languages=[],
            language_form=MatchingLanguagesForm(),
            failed=form,
            error=str(refused),
            status=400,
        )
    messages.success(
        request, _("Your request has been sent to %(city)s. Its coordinators decide.") % {"city": mentor.city.name}
    )
    return HttpResponseRedirect(mentorship.get_absolute_url())
