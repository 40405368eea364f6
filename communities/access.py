"""Who may do what in a community of practice (docs/roles.md, "Communities of practice").

Network staff create communities and may do everything a coordinator does. A community's coordinators (named
people: staff, or people of a member city) edit it, invite and approve members and moderate its discussion.
Its members are the people of its member cities (anyone in an active member city's workspace; viewers read
only) and the people who speak for its member organisations: they read its members' pages, post, add
resources and record activities. A member city's coordinators decide for their city: ask to join, accept an
invitation, consent to share its ratings, leave. Anyone reads a public community's public page (name, theme,
description, member cities and organisations); a members-only community is, to anyone else, missing: 404, as
for a missing object.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from cities.models import PARTICIPANTS, Membership, Role, Workspace
from communities.models import CityMember, Community, OrganisationMember


@dataclass
class Standing:
    """What one person is in one community, read once per request (two queries) and asked by every check."""

    user: User
    coordinator: bool = False
    cities: list[CityMember] = field(default_factory=list)  # active member cities the person belongs to
    roles: dict[int, str] = field(default_factory=dict)  # workspace id -> the person's role there
    organisations: list[OrganisationMember] = field(default_factory=list)  # active ones the person speaks for
    invited_cities: list[CityMember] = field(default_factory=list)  # invitations their city may answer

    @property
    def is_member(self) -> bool:
        """Reads the members' pages: coordinators (and staff), people of member cities, speakers of member
        organisations."""
        return self.coordinator or bool(self.cities) or bool(self.organisations)

    @property
    def takes_part(self) -> bool:
        """Posts, adds resources and records activities: as `is_member`, but a city's viewers only read."""
        return (
            self.coordinator
            or bool(self.organisations)
            or any(self.roles.get(c.workspace_id) in PARTICIPANTS for c in self.cities)
        )

    def decides_for(self, member: CityMember) -> bool:
        """A member city's (or invited city's) own coordinators: consent and answers are the city's (network
        staff end a membership as the community's coordinators, never consent for a city)."""
        return self.roles.get(member.workspace_id) == Role.COORDINATOR

    def speaks_for(self, member: OrganisationMember) -> bool:
        return any(o.pk == member.pk for o in self.organisations)

    def voices(self) -> list[CityMember | OrganisationMember]:
        """The members the person may post for: their member cities (where they take part), then their
        organisations."""
        cities: list[CityMember | OrganisationMember] = [
            c for c in self.cities if self.roles.get(c.workspace_id) in PARTICIPANTS
        ]
        return cities + list(self.organisations)


def standing(user: User, community: Community) -> Standing:
    found = Standing(user)
    if not user.is_authenticated:
        return found
    found.coordinator = user.is_staff or community.coordinators.filter(pk=user.pk).exists()
    found.roles = dict(
        Membership.objects.filter(user=user, workspace__communities__community=community).values_list(
            "workspace_id", "role"
        )
    )
    if found.roles:
        for member in CityMember.objects.filter(community=community, workspace_id__in=found.roles).select_related(
            "workspace__city"
        ):
            if member.status == CityMember.Status.ACTIVE:
                found.cities.append(member)
            elif member.status == CityMember.Status.INVITED and found.roles[member.workspace_id] == Role.COORDINATOR:
                found.invited_cities.append(member)
    for organisation in OrganisationMember.objects.filter(community=community, speakers=user):
        if organisation.status == OrganisationMember.Status.ACTIVE:
            found.organisations.append(organisation)
    return found


def can_see(user: User, community: Community, person: Standing | None = None) -> bool:
    """Its public page: anyone when it is public; otherwise its members, the cities and organisations invited
    to it (they must read what they are asked to join), and staff."""
    if community.visibility == Community.Visibility.PUBLIC:
        return True
    person = person or standing(user, community)
    return person.is_member or bool(person.invited_cities)


def get_community_for_user(user: User, slug: str) -> tuple[Community, Standing]:
    """The community and what the user is in it; 404 when it is missing or not theirs to see."""
    community = Community.objects.select_related("benchmark", "topic").filter(slug=slug).first()
    if community is None:
        raise Http404
    person = standing(user, community)
    if not can_see(user, community, person):
        raise Http404
    return community, person


def get_community_for_member(user: User, slug: str, *, take_part: bool = False) -> tuple[Community, Standing]:
    """As `get_community_for_user`, for the members' pages: 404 for anyone else, whatever its visibility."""
    community, person = get_community_for_user(user, slug)
    if not (person.takes_part if take_part else person.is_member):
        raise Http404
    return community, person


def get_community_for_coordinator(user: User, slug: str) -> tuple[Community, Standing]:
    community, person = get_community_for_user(user, slug)
    if not person.coordinator:
        raise Http404
    return community, person


def can_create(user: User) -> bool:
    return user.is_authenticated and user.is_staff


def visible_communities(user: User) -> "QuerySet[Community]":
    """The communities listed to this user: the public ones, and the members-only ones they belong to or are
    invited to (every one, for staff)."""
    found = Community.objects.select_related("benchmark", "topic")
    if user.is_authenticated and user.is_staff:
        return found
    public = found.filter(visibility=Community.Visibility.PUBLIC)
    if not user.is_authenticated:
        return public
    # As `can_see`: everyone of an active member city, the coordinators of an invited one.
    mine = (
        found.filter(cities__workspace__memberships__user=user, cities__status=CityMember.Status.ACTIVE)
        | found.filter(
            cities__workspace__memberships__user=user,
            cities__workspace__memberships__role=Role.COORDINATOR,
            cities__status=CityMember.Status.INVITED,
        )
        | found.filter(organisations__speakers=user, organisations__status=OrganisationMember.Status.ACTIVE)
        | found.filter(coordinators=user)
    )
    return (public | mine).distinct()


def workspaces_to_join(user: User, community: Community) -> "QuerySet[Workspace]":
    """The workspaces whose coordinator this user is and which are not yet in (or invited to, or asking to join)
    the community: the cities they may ask to join for."""
    return (
        Workspace.objects.filter(memberships__user=user, memberships__role=Role.COORDINATOR)
        .exclude(
            pk__in=CityMember.objects.filter(community=community, status__in=CityMember.OPEN).values("workspace_id")
        )
        .select_related("city")
        .order_by("city__name")
    )
