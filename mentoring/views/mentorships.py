"""The mentoring pages of a city: its mentorships, its mentor offer, and one mentorship with its course
(request, accept or decline, mentors, consent, end) and its history (docs/roles.md, "Mentoring")."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedRequest
from accounts.models import User
from actionplans.models import ActionPlan
from assessments.models import Assessment
from cities import access as city_access
from cities.models import Membership, Role, Workspace
from mentoring import access, actions
from mentoring.forms import AcceptForm, ConsentForm, DeclineForm, EndForm, OfferForm
from mentoring.models import MentorOffer, Mentorship


def _site(request: AuthenticatedRequest) -> str:
    return request.build_absolute_uri("/")


@require_safe
@login_required
def overview(request: AuthenticatedRequest) -> HttpResponse:
    """The user's cities' mentorships (received and given), those they mentor, where to find a mentor city,
    and each city's offer; network staff also see the latest mentorships of the network."""
    user = request.user
    roles = dict(Membership.objects.filter(user=user).values_list("workspace_id", "role"))
    workspaces = list(Workspace.objects.filter(pk__in=roles).select_related("city").order_by("city__name"))
    own = {w.pk for w in workspaces}
    mentorships = list(
        access.mentorships_visible_to(user).filter(Q(mentee__in=own) | Q(mentor__in=own) | Q(mentors=user)).distinct()
    )
    offers = {o.workspace_id: o for o in MentorOffer.objects.filter(workspace__in=own).prefetch_related("benchmarks")}
    rows = [(w, offers.get(w.pk), roles[w.pk] == Role.COORDINATOR or user.is_staff) for w in workspaces]
    assessments = list(
        Assessment.objects.alive()
        .filter(workspace__in=own)
        .select_related("workspace__city", "benchmark_version")
        .order_by("workspace__city__name", "-round")
    )
    context = {
        "received": [m for m in mentorships if m.mentee_id in own],
        "given": [m for m in mentorships if m.mentor_id in own and m.mentee_id not in own],
        "as_mentor": [m for m in mentorships if m.mentee_id not in own and m.mentor_id not in own],
        "rows": rows,
        "assessments": assessments,
        "network": list(access.mentorships_visible_to(user).order_by("-created_at")[:NETWORK_LATEST])
        if user.is_staff
        else [],
    }
    return render(request, "mentoring/overview.html", context)


# How many of the network's latest mentorships staff see on the overview.
NETWORK_LATEST = 50


def _workspace_assessments(workspace: Workspace) -> Any:
    return (
        Assessment.objects.alive()
        .filter(workspace=workspace)
        .select_related("benchmark_version", "workspace__city")
        .order_by("-round", "-created_at")
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def offer(request: AuthenticatedRequest, workspace_id: UUID) -> HttpResponse:
    """A city's offer to mentor, edited by its coordinators (and network staff)."""
    workspace = city_access.get_workspace_for_user(request.user, workspace_id, manage=True)
    existing = MentorOffer.objects.filter(workspace=workspace).first()
    assessments = _workspace_assessments(workspace).exclude(visibility=Assessment.Visibility.PUBLISHED)
    status = 200
    if request.method == "POST":
        form = OfferForm(request.POST, assessments=assessments)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_save_offer(
                    workspace,
                    by=request.user,
                    benchmarks=data["benchmarks"],
                    languages=data["languages"],
                    capacity=data["capacity"],
                    note=data["note"],
                    open=data["open"],
                    shared_for_matching=data["shared_for_matching"],
                )
            except actions.MentoringError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your city's mentor offer is saved."))
                return redirect("mentoring:overview")
        status = 400
    elif existing is not None:
        form = OfferForm(
            initial={
                "open": existing.open,
                "benchmarks": list(existing.benchmarks.all()),
                "languages": existing.languages,
                "capacity": existing.capacity,
                "note": existing.note,
                "shared_for_matching": list(existing.shared_for_matching.all()),
            },
            assessments=assessments,
        )
    else:
        form = OfferForm(assessments=assessments)
    return render(
        request, "mentoring/offer.html", {"workspace": workspace, "form": form, "existing": existing}, status=status
    )


# ---- One mentorship ----


def _mentor_members(mentorship: Mentorship) -> Any:
    ids = Membership.objects.filter(workspace=mentorship.mentor).values("user")
    return User.objects.filter(pk__in=ids).order_by("first_name", "last_name", "email")


def _consent_choices(mentorship: Mentorship) -> tuple[Any, Any]:
    assessments = _workspace_assessments(mentorship.mentee).filter(benchmark_version__benchmark=mentorship.benchmark)
    plans = ActionPlan.objects.filter(assessment__in=assessments, deleted_at__isnull=True).select_related("assessment")
    return assessments, plans


def _consent_form(mentorship: Mentorship, data: Any = None) -> ConsentForm:
    assessments, plans = _consent_choices(mentorship)
    initial = {
        "assessments": list(mentorship.shared_assessments.all()),
        "plans": list(mentorship.shared_plans.all()),
        "evidence_files": mentorship.shares_evidence_files,
        "partner_ratings": mentorship.shares_partner_ratings,
        "publish_reviews": mentorship.publishes_reviews,
    }
    return ConsentForm(data, initial=initial, assessments=assessments, plans=plans)


def _page(request: AuthenticatedRequest, mentorship: Mentorship, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    mentor_view = access.is_mentor(user, mentorship)
    context: dict[str, Any] = {
        "mentorship": mentorship,
        "mentors": list(mentorship.mentors.order_by("first_name", "last_name", "email")),
        "events": mentorship.events.select_related("by").order_by("-at", "-pk"),
        "can_withdraw": access.can_withdraw(user, mentorship),
        "can_decide": access.can_decide(user, mentorship),
        "can_name_mentors": access.can_name_mentors(user, mentorship),
        "can_set_consent": access.can_set_consent(user, mentorship),
        "can_end": access.can_end(user, mentorship),
        "is_mentor": mentor_view,
        # What the named mentors read now (the consent), listed for both sides.
        "shared": list(mentorship.shared_assessments.alive().select_related("benchmark_version").order_by("-round")),
        "shared_plans": list(mentorship.shared_plans.select_related("assessment")),
    }
    if context["can_decide"]:
        members = _mentor_members(mentorship)
        context["accept_form"] = forms.get("accept_form") or AcceptForm(members=members)
        context["decline_form"] = forms.get("decline_form") or DeclineForm()
    if context["can_name_mentors"]:
        context["mentors_form"] = forms.get("mentors_form") or AcceptForm(
            initial={"mentors": context["mentors"]}, members=_mentor_members(mentorship), auto_id="id_mentors_%s"
        )
    if context["can_set_consent"]:
        context["consent_form"] = forms.get("consent_form") or _consent_form(mentorship)
    if context["can_end"]:
        context["end_form"] = forms.get("end_form") or EndForm(auto_id="id_end_%s")
    if mentorship.replaces_id:
        context["replaces"] = Mentorship.objects.select_related("mentor__city").get(pk=mentorship.replaces_id)
    context["replaced_by"] = Mentorship.objects.select_related("mentor__city").filter(replaces=mentorship).first()
    return render(request, "mentoring/mentorship.html", context, status=status)


@require_safe
@login_required
def mentorship(request: AuthenticatedRequest, mentorship_id: UUID) -> HttpResponse:
    return _page(request, access.get_mentorship_for_user(request.user, mentorship_id))


def _refused(
    request: AuthenticatedRequest, mentorship: Mentorship, error: actions.MentoringError, **forms: Any
) -> HttpResponse:
    messages.error(request, error.message)
    return _page(request, mentorship, status=400, **forms)


@require_POST
@login_required
def withdraw(request: AuthenticatedRequest, mentorship_id: UUID) -> HttpResponse:
    found = access.get_mentorship_for_user(request.user, mentorship_id)
    if not access.can_withdraw(request.user, found):
        raise Http404
    try:
        actions.do_withdraw(found, by=request.user, site_url=_site(request))
    except actions.MentoringError as error:
        return _refused(request, found, error)
    messages.success(request, _("Your request is withdrawn."))
    return redirect(found)


def _step(
    request: AuthenticatedRequest,
    mentorship_id: UUID,
    *,
    allowed: Callable[[User, Mentorship], bool],
    form: Callable[[Mentorship], forms.Form],
    key: str,
    act: Callable[[Mentorship, dict[str, Any]], None],
    done: str,
) -> HttpResponse:
    """One step of a mentorship's course taken with a form: 404 unless `allowed`; the form (`key` names it for
    the page) shown again with status 400 and what was typed when invalid or refused; else `act` and back."""
    found = access.get_mentorship_for_user(request.user, mentorship_id)
    if not allowed(request.user, found):
        raise Http404
    bound = form(found)
    if not bound.is_valid():
        return _page(request, found, status=400, **{key: bound})
    try:
        act(found, bound.cleaned_data)
    except actions.MentoringError as error:
        return _refused(request, found, error, **{key: bound})
    messages.success(request, done)
    return redirect(found)


@require_POST
@login_required
def accept(request: AuthenticatedRequest, mentorship_id: UUID) -> HttpResponse:
    return _step(
        request,
        mentorship_id,
        allowed=access.can_decide,
        form=lambda found: AcceptForm(request.POST, members=_mentor_members(found)),
        key="accept_form",
        act=lambda found, data: actions.do_accept(
            found, by=request.user, mentors=data["mentors"], site_url=_site(request)
        ),
        done=_("The mentorship is active. Your mentors can read what the city shares."),
    )


@require_POST
@login_required
def decline(request: AuthenticatedRequest, mentorship_id: UUID) -> HttpResponse:
    return _step(
        request,
        mentorship_id,
        allowed=access.can_decide,
        form=lambda _found: DeclineForm(request.POST),
        key="decline_form",
        act=lambda found, data: actions.do_decline(
            found, by=request.user, reason=data["reason"], site_url=_site(request)
        ),
        done=_("The request is declined; the city is told."),
    )


@require_POST
@login_required
def mentors(request: AuthenticatedRequest, mentorship_id: UUID) -> HttpResponse:
    return _step(
        request,
        mentorship_id,
        allowed=access.can_name_mentors,
        form=lambda found: AcceptForm(request.POST, members=_mentor_members(found), auto_id="id_mentors_%s"),
        key="mentors_form",
        act=lambda found, data: actions.do_set_mentors(found, by=request.user, mentors=data["mentors"]),
        done=_("The mentors are saved."),
    )


@require_POST
@login_required
def consent(request: AuthenticatedRequest, mentorship_id: UUID) -> HttpResponse:
    return _step(
        request,
        mentorship_id,
        allowed=access.can_set_consent,
        form=lambda found: _consent_form(found, request.POST),
        key="consent_form",
        act=lambda found, data: actions.do_set_consent(
            found,
            by=request.user,
            assessments=data["assessments"],
            plans=data["plans"],
            evidence_files=data["evidence_files"],
            partner_ratings=data["partner_ratings"],
            publish_reviews=data["publish_reviews"],
        ),
        done=_("What the mentors read is saved; it applies at once."),
    )


@require_POST
@login_required
def end(request: AuthenticatedRequest, mentorship_id: UUID) -> HttpResponse:
    return _step(
        request,
        mentorship_id,
        allowed=access.can_end,
        form=lambda _found: EndForm(request.POST, auto_id="id_end_%s"),
        key="end_form",
        act=lambda found, data: actions.do_end(
            found, by=request.user, outcome=data["outcome"], reason=data["reason"], site_url=_site(request)
        ),
        done=_("The mentorship has ended. The mentors no longer read what was shared."),
    )
