"""The list of communities, a community's page, creating and editing one, and its history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import AuthenticatedRequest
from cities.models import Workspace
from communities import access
from communities.actions import CommunityError, do_save_community
from communities.feed import feed
from communities.forms import (
    AskForOrganisationForm,
    AskToJoinForm,
    CommunityForm,
    ConsentForm,
    InviteCityForm,
    InviteOrganisationForm,
    SpeakersForm,
)
from communities.models import CityMember, Community, OrganisationMember
from lib.text import sentence
from practices.models import Practice


@require_safe
def community_list(request: HttpRequest) -> HttpResponse:
    communities = access.visible_communities(request.user).annotate(  # type: ignore[arg-type]
        city_count=Count("cities", filter=Q(cities__status=CityMember.Status.ACTIVE), distinct=True),
        organisation_count=Count(
            "organisations", filter=Q(organisations__status=OrganisationMember.Status.ACTIVE), distinct=True
        ),
    )
    context = {"communities": communities, "can_create": access.can_create(request.user)}  # type: ignore[arg-type]
    return render(request, "communities/list.html", context)


def community_context(request: HttpRequest, community: Community, person: access.Standing) -> dict[str, object]:
    """What the community's page shows this person: the public part to everyone who sees it, the members'
    part (feed, links to its pages, consent) to members, and the decisions to its coordinators."""
    cities_found = community.cities.filter(status=CityMember.Status.ACTIVE).select_related("workspace__city")
    organisations_found = community.organisations.filter(status=OrganisationMember.Status.ACTIVE).select_related("city")
    if person.is_member:  # who speaks for each member: named to the members only, never on the public page
        cities_found = cities_found.prefetch_related("speakers")
        organisations_found = organisations_found.prefetch_related("speakers")
    cities = list(cities_found.order_by("workspace__city__name"))
    organisations = list(organisations_found)
    context: dict[str, object] = {
        "community": community,
        "person": person,
        "cities": cities,
        "organisations": organisations,
        "key_factors": list(community.key_factors()),
        "practices": list(
            Practice.objects.filter(city__workspace__in=[c.workspace_id for c in cities])
            .filter(
                Q(benchmark=community.benchmark_id)
                if community.benchmark_id
                else Q(key_factors__topics=community.topic_id)
            )
            .select_related("city")
            .distinct()
            .order_by("city__name", "title")[:30]
        ),
    }
    if person.is_member:
        context["feed"] = feed(community)
        context["consents"] = [
            (
                member,
                ConsentForm(initial={"shares_ratings": member.shares_ratings}, prefix=str(member.public_id)),
                speakers_form(member),
            )
            for member in person.cities
            if person.decides_for(member)
        ]

    if person.invited_cities:
        context["invitations"] = person.invited_cities
    if request.user.is_authenticated:
        joinable = access.workspaces_to_join(request.user, community)
        if joinable.exists():
            context["ask_form"] = AskToJoinForm(workspaces=joinable)
    if request.user.is_authenticated and not person.organisations:
        context["organisation_ask_form"] = AskForOrganisationForm()
    if person.coordinator:
        context["requests"] = list(
            community.cities.filter(status=CityMember.Status.REQUESTED).select_related("workspace__city")
        ) + list(community.organisations.filter(status=OrganisationMember.Status.REQUESTED).select_related("city"))
        context["pending"] = list(
            community.cities.filter(status=CityMember.Status.INVITED).select_related("workspace__city")
        ) + list(community.organisations.filter(status=OrganisationMember.Status.INVITED))
        context["invite_form"] = InviteCityForm(workspaces=invitable(community))
        context["organisation_form"] = InviteOrganisationForm()
    return context


def speakers_form(member: CityMember, data: object = None) -> SpeakersForm:
    memberships = list(member.workspace.memberships.select_related("user").order_by("user__last_name", "user__email"))
    chosen = {person.pk for person in member.speakers.all()}
    initial = {"speakers": [str(m.public_id) for m in memberships if m.user_id in chosen]}
    return SpeakersForm(data, memberships=memberships, initial=initial, prefix=f"speakers-{member.public_id}")


def invitable(community: Community) -> "object":
    return (
        Workspace.objects.exclude(
            pk__in=CityMember.objects.filter(community=community, status__in=CityMember.OPEN).values("workspace_id")
        )
        .select_related("city")
        .order_by("city__name")
    )


@require_safe
def community(request: HttpRequest, slug: str) -> HttpResponse:
    found, person = access.get_community_for_user(request.user, slug)  # type: ignore[arg-type]
    return render(request, "communities/community.html", community_context(request, found, person))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def community_edit(request: AuthenticatedRequest, slug: str | None = None) -> HttpResponse:
    existing: Community | None = None
    if slug is None:
        if not access.can_create(request.user):
            raise Http404
    else:
        existing, _person = access.get_community_for_coordinator(request.user, slug)
    status = 200
    if request.method == "POST":
        form = CommunityForm(request.POST, community=existing, staff=request.user.is_staff)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if "coordinators" not in form.fields and existing is not None:  # only staff name the coordinators
                data["coordinators"] = list(existing.coordinators.all())
            try:
                saved = do_save_community(existing, by=request.user, **data)
            except CommunityError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, sentence(_("The community %(name)s is saved."), name=saved.name))
                return redirect(saved.get_absolute_url())
        status = 400
    else:
        initial = CommunityForm.initial_for(existing) if existing else {"visibility": Community.Visibility.PUBLIC}
        if existing is None:
            initial["coordinators"] = [request.user]
        form = CommunityForm(initial=initial, community=existing, staff=request.user.is_staff)
    return render(request, "communities/edit.html", {"community": existing, "form": form}, status=status)


@require_safe
@login_required
def history(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    found, _person = access.get_community_for_coordinator(request.user, slug)
    events = found.events.select_related("by").order_by("-at", "-pk")[:200]
    return render(request, "communities/history.html", {"community": found, "events": events})
