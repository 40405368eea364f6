"""Joining and leaving a community: a city asks or is invited, the coordinators or the city's coordinators
decide, an organisation is invited by e-mail, consent to share ratings, leaving. Every answer is a POST; a
refused one re-renders the community's page with the reason (status 400), keeping what was typed."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedRequest
from cities.actions import hash_token
from communities import access, actions
from communities.actions import CommunityError
from communities.forms import (
    AskForOrganisationForm,
    AskToJoinForm,
    ConsentForm,
    InviteCityForm,
    InviteOrganisationForm,
)
from communities.models import CityMember, Community, OrganisationMember
from communities.views.communities import community_context, invitable, speakers_form
from lib.text import sentence


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _page(
    request: AuthenticatedRequest, community: Community, person: access.Standing, **forms: object
) -> HttpResponse:
    context = community_context(request, community, person)
    refused_speakers: Any = forms.pop("speakers_errors", {})
    if refused_speakers:  # the refused choice of who speaks for a city, shown with its error
        context["consents"] = [
            (member, consent, refused_speakers.get(member.pk, speakers))
            for member, consent, speakers in context["consents"]  # type: ignore[attr-defined]
        ]
    context.update(forms)
    return render(request, "communities/community.html", context, status=400)


def _refused(
    request: AuthenticatedRequest, community: Community, person: access.Standing, error: CommunityError
) -> HttpResponse:
    return _page(request, community, person, error=error.message)


@require_POST
@login_required
def ask_to_join(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, person = access.get_community_for_user(request.user, slug)
    joinable = access.workspaces_to_join(request.user, community)
    if not joinable.exists():  # no city this person may ask for: nothing to refuse but the page
        raise Http404
    form = AskToJoinForm(request.POST, workspaces=joinable)
    if not form.is_valid():
        return _page(request, community, person, ask_form=form)
    workspace = form.cleaned_data["workspace"]
    try:
        actions.do_ask_to_join(community, workspace, by=request.user, site_url=_site(request))
    except CommunityError as error:
        return _refused(request, community, person, error)
    messages.success(
        request,
        sentence(_("%(city)s asks to join; the community's coordinators decide."), city=workspace.city.name),
    )
    return redirect(community.get_absolute_url())


@require_POST
@login_required
def invite_city(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, person = access.get_community_for_coordinator(request.user, slug)
    form = InviteCityForm(request.POST, workspaces=invitable(community))
    if not form.is_valid():
        return _page(request, community, person, invite_form=form)
    workspace = form.cleaned_data["workspace"]
    try:
        actions.do_invite_city(community, workspace, by=request.user, site_url=_site(request))
    except CommunityError as error:
        return _refused(request, community, person, error)
    messages.success(request, sentence(_("%(city)s is invited; its coordinators are told."), city=workspace.city.name))
    return redirect(community.get_absolute_url())


@require_POST
@login_required
def invite_organisation(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, person = access.get_community_for_coordinator(request.user, slug)
    form = InviteOrganisationForm(request.POST)
    if not form.is_valid():
        return _page(request, community, person, organisation_form=form)
    try:
        organisation = actions.do_invite_organisation(
            community, by=request.user, site_url=_site(request), **form.cleaned_data
        )
    except CommunityError as error:
        form.add_error(None, error.message)
        return _page(request, community, person, organisation_form=form)
    messages.success(
        request, sentence(_("%(name)s is invited: the invitation is on its way by e-mail."), name=organisation.name)
    )
    return redirect(community.get_absolute_url())


def _city_member(community: Community, member_id: UUID, *statuses: str) -> CityMember:
    member = (
        CityMember.objects.select_related("workspace__city")
        .filter(community=community, public_id=member_id, status__in=statuses)
        .first()
    )
    if member is None:
        raise Http404
    return member


@require_POST
@login_required
def decide(request: AuthenticatedRequest, slug: str, member_id: UUID) -> HttpResponse:
    """The coordinators approve or decline a request to join."""
    community, person = access.get_community_for_coordinator(request.user, slug)
    approve = request.POST.get("decision") == "approve"
    organisation = OrganisationMember.objects.filter(
        community=community, public_id=member_id, status=OrganisationMember.Status.REQUESTED
    ).first()
    try:
        if organisation is not None:
            actions.do_decide_organisation(organisation, by=request.user, approve=approve, site_url=_site(request))
            name = organisation.name
        else:
            member = _city_member(community, member_id, CityMember.Status.REQUESTED)
            actions.do_decide(member, by=request.user, approve=approve, site_url=_site(request))
            name = member.workspace.city.name
    except CommunityError as error:
        return _refused(request, community, person, error)
    text = _("%(city)s is now a member.") if approve else _("The request of %(city)s is declined.")
    messages.success(request, sentence(text, city=name))
    return redirect(community.get_absolute_url())


@require_POST
@login_required
def ask_for_organisation(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """Someone asks for their organisation to join, to speak for it there; the coordinators decide."""
    community, person = access.get_community_for_user(request.user, slug)
    if person.organisations:  # one speaks here for one organisation at most
        raise Http404
    form = AskForOrganisationForm(request.POST)
    if not form.is_valid():
        return _page(request, community, person, organisation_ask_form=form)
    try:
        organisation = actions.do_ask_for_organisation(
            community, by=request.user, site_url=_site(request), **form.cleaned_data
        )
    except CommunityError as error:
        form.add_error(None, error.message)
        return _page(request, community, person, organisation_ask_form=form)
    messages.success(
        request,
        sentence(_("%(name)s asks to join; the community's coordinators decide."), name=organisation.name),
    )
    return redirect(community.get_absolute_url())


@require_POST
@login_required
def answer(request: AuthenticatedRequest, slug: str, member_id: UUID) -> HttpResponse:
    """The invited city's coordinators accept or decline."""
    community, person = access.get_community_for_user(request.user, slug)
    member = _city_member(community, member_id, CityMember.Status.INVITED)
    if not person.decides_for(member):
        raise Http404
    accept = request.POST.get("decision") == "accept"
    try:
        actions.do_answer_invitation(member, by=request.user, accept=accept, site_url=_site(request))
    except CommunityError as error:
        return _refused(request, community, person, error)
    text = _("%(city)s is now a member.") if accept else _("The invitation for %(city)s is declined.")
    messages.success(request, sentence(text, city=member.workspace.city.name))
    return redirect(community.get_absolute_url())


@require_POST
@login_required
def consent(request: AuthenticatedRequest, slug: str, member_id: UUID) -> HttpResponse:
    community, person = access.get_community_for_member(request.user, slug)
    member = _city_member(community, member_id, CityMember.Status.ACTIVE)
    if not person.decides_for(member):
        raise Http404
    form = ConsentForm(request.POST, prefix=str(member.public_id))
    form.is_valid()  # a single checkbox: always valid
    shares = bool(form.cleaned_data.get("shares_ratings"))
    try:
        actions.do_set_consent(member, by=request.user, shares=shares)
    except CommunityError as error:
        return _refused(request, community, person, error)
    text = (
        _("The other members now see the ratings of %(city)s, named.")
        if shares
        else _("The ratings of %(city)s are no longer shown named; only a published assessment counts, anonymously.")
    )
    messages.success(request, sentence(text, city=member.workspace.city.name))
    return redirect(community.get_absolute_url())


@require_POST
@login_required
def speakers(request: AuthenticatedRequest, slug: str, member_id: UUID) -> HttpResponse:
    community, person = access.get_community_for_member(request.user, slug)
    member = _city_member(community, member_id, CityMember.Status.ACTIVE)
    if not person.decides_for(member):
        raise Http404
    form = speakers_form(member, request.POST)
    if not form.is_valid():
        return _page(request, community, person, speakers_errors={member.pk: form})
    try:
        actions.do_set_speakers(member, by=request.user, people=form.people())
    except CommunityError as error:
        return _refused(request, community, person, error)
    messages.success(request, sentence(_("Who speaks for %(city)s is saved."), city=member.workspace.city.name))
    return redirect(community.get_absolute_url())


@require_POST
@login_required
def leave(request: AuthenticatedRequest, slug: str, member_id: UUID) -> HttpResponse:
    """A city (its coordinators) or an organisation (who speaks for it) leaves, or withdraws its request or
    invitation; the coordinators may end any membership."""
    community, person = access.get_community_for_user(request.user, slug)
    city = (
        CityMember.objects.select_related("workspace__city")
        .filter(community=community, public_id=member_id, status__in=CityMember.OPEN)
        .first()
    )
    try:
        if city is not None:
            if not (person.coordinator or person.decides_for(city)):
                raise Http404
            actions.do_leave_city(city, by=request.user)
            name = city.workspace.city.name
        else:
            organisation = OrganisationMember.objects.filter(
                community=community, public_id=member_id, status__in=OrganisationMember.OPEN
            ).first()
            if organisation is None or not (person.coordinator or person.speaks_for(organisation)):
                raise Http404
            actions.do_leave_organisation(organisation, by=request.user)
            name = organisation.name
    except CommunityError as error:
        return _refused(request, community, person, error)
    messages.success(request, sentence(_("%(name)s is no longer in the community."), name=name))
    if access.can_see(request.user, community):
        return redirect(community.get_absolute_url())
    return redirect("communities:list")


@require_http_methods(["GET", "HEAD", "POST"])
def organisation_join(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation's link: signed in with the address it went to, the person accepts for the organisation."""
    organisation = actions.organisation_invitation(token)
    if organisation is None:
        return render(request, "communities/organisation_join.html", {"organisation": None}, status=404)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    context: dict[str, object] = {"organisation": organisation, "community": organisation.community}
    if request.method == "POST":
        try:
            actions.do_accept_organisation(organisation, by=user, site_url=_site(request))
        except CommunityError as error:
            context["error"] = error.message
            return render(request, "communities/organisation_join.html", context, status=400)
        messages.success(
            request,
            sentence(_("%(name)s is now a member; you speak for it here."), name=organisation.name),
        )
        return redirect(organisation.community.get_absolute_url())
    context["wrong_address"] = hash_token(user.email.strip().lower()) != organisation.email_hash
    return render(request, "communities/organisation_join.html", context)
