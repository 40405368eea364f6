"""A community's activities: mentoring's log (`mentoring.Activity`, its mentorship empty), filed under the
community by `CommunityActivity` with the member organisations that took part.

The rules of every activity are mentoring's (`mentoring.activities.check_fields`); a community adds its own:
whoever records one takes part in the community (`access.Standing.takes_part`), and the cities and
organisations named as taking part are its active members. When an activity becomes planned, the people who
speak for the active members are told (notice kind "community_activity"), the author aside. The history is the
community's (`CommunityEvent`, action ACTIVITY with the activity's title and what was created or edited)."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cities.models import Workspace
from communities import access
from communities.actions import CommunityError, record
from communities.models import CityMember, Community, CommunityActivity, CommunityEvent, OrganisationMember
from lib.actions import Conflict
from mentoring.actions import MentoringError
from mentoring.activities import SCALARS, ActivityFields, check_fields, describe_time, state
from mentoring.models import Activity
from mentoring.notify import notify


def live_activities(community: Community) -> QuerySet[Activity]:
    """The community's activities not deleted, earliest first."""
    return Activity.objects.filter(
        community_link__community=community, mentorship__isnull=True, deleted_at__isnull=True
    ).order_by("starts_at", "pk")


def member_workspaces(community: Community) -> QuerySet[Workspace]:
    """The workspaces of its active member cities: the cities that can be named as taking part."""
    return (
        Workspace.objects.filter(communities__community=community, communities__status=CityMember.Status.ACTIVE)
        .select_related("city")
        .order_by("city__name")
    )


def member_organisations(community: Community) -> QuerySet[OrganisationMember]:
    """Its active member organisations: the organisations that can be named as taking part."""
    return OrganisationMember.objects.filter(community=community, status=OrganisationMember.Status.ACTIVE).order_by(
        "name"
    )


def community_state(activity: Activity, organisations: Iterable[OrganisationMember]) -> dict[str, Any]:
    """Mentoring's `state` of the activity, with the member organisations that took part."""
    values = state(activity)
    values.pop("follow_ups", None)  # a community's activity has none: they are a mentorship's plan
    values["member_organisations"] = sorted(str(o.name) for o in organisations)
    return values


def _check(community: Community, fields: ActivityFields, organisations: list[OrganisationMember]) -> None:
    try:
        check_fields(fields)
    except MentoringError as refused:
        raise CommunityError(refused.message) from None
    if fields.follow_ups:
        raise CommunityError(_("A community's activity has no follow-ups in an action plan."))
    allowed_cities = set(member_workspaces(community).values_list("pk", flat=True))
    if any(w.pk not in allowed_cities for w in fields.participant_cities):
        raise CommunityError(_("Only the community's member cities can be named as taking part."))
    allowed_organisations = set(member_organisations(community).values_list("pk", flat=True))
    if any(o.pk not in allowed_organisations for o in organisations):
        raise CommunityError(_("Only the community's member organisations can be named as taking part."))


def do_save_community_activity(
    community: Community,
    activity: Activity | None,
    fields: ActivityFields,
    organisations: Iterable[OrganisationMember],
    *,
    by: User,
    expected_version: int = 0,
    site_url: str,
) -> Activity:
    """Creates (`activity` None) or edits an activity of the community, with the member organisations that
    took part. An edit raises lib.actions.Conflict when someone saved the activity since `expected_version` was
    read, so the page keeps what this person typed. When it becomes planned, the members' speakers are told."""
    chosen = list(organisations)
    with transaction.atomic():
        # One save at a time per community: the members named are checked against its members as they stand.
        row = Community.objects.select_for_update().get(pk=community.pk)
        if not access.standing(by, row).takes_part:
            raise CommunityError(_("Activities are recorded by the people who take part in the community."))
        _check(row, fields, chosen)
        if activity is None:
            target = Activity(mentorship=None, created_by=by)
            link: CommunityActivity | None = None
            before: dict[str, Any] = {}
            was_planned = False
        else:
            link = (
                CommunityActivity.objects.select_related("activity")
                .filter(community=row, activity_id=activity.pk, activity__mentorship__isnull=True)
                .first()
            )
            if link is None:
                raise CommunityError(_("This activity is not one of the community's."))
            target = Activity.objects.select_for_update().get(pk=activity.pk)
            if target.deleted_at is not None:
                raise CommunityError(_("This activity was deleted meanwhile."))
            before = community_state(target, link.organisations.all())
            if target.lock_version != expected_version:
                submitted = {name: getattr(fields, name) for name in SCALARS}
                submitted["starts_at"] = fields.starts_at.isoformat()
                submitted["ends_at"] = fields.ends_at.isoformat()
                raise Conflict(stored=before, submitted=submitted, stored_version=target.lock_version)
            was_planned = target.status == Activity.Status.PLANNED
            target.lock_version += 1
        for name in SCALARS:
            value = getattr(fields, name)
            setattr(target, name, value.strip() if isinstance(value, str) else value)
        target.save()
        target.participant_cities.set(fields.participant_cities)
        if link is None:
            link = CommunityActivity.objects.create(community=row, activity=target)
        link.organisations.set(chosen)
        after = community_state(target, chosen)
        if before:
            changes = {key: {"from": before[key], "to": after[key]} for key in after if before.get(key) != after[key]}
            record(row, CommunityEvent.Action.ACTIVITY, by, activity=target.title, edited=changes)
        else:
            record(row, CommunityEvent.Action.ACTIVITY, by, activity=target.title, created=after)
        if target.status == Activity.Status.PLANNED and not was_planned:
            _tell_planned(row, target, by=by, site_url=site_url)
    return target


def do_delete_community_activity(community: Community, activity: Activity, *, by: User) -> None:
    """Soft, as mentoring's: the activity leaves the list and the feed; the history keeps that it was deleted,
    by whom."""
    with transaction.atomic():
        row = Community.objects.select_for_update().get(pk=community.pk)
        if not access.standing(by, row).takes_part:
            raise CommunityError(_("Activities are recorded by the people who take part in the community."))
        target = (
            Activity.objects.select_for_update()
            .filter(pk=activity.pk, community_link__community=row, mentorship__isnull=True)
            .first()
        )
        if target is None:
            raise CommunityError(_("This activity is not one of the community's."))
        if target.deleted_at is not None:
            return
        target.deleted_at = timezone.now()
        target.save(update_fields=["deleted_at", "updated_at"])
        record(row, CommunityEvent.Action.ACTIVITY, by, activity=target.title, deleted=True)


def speakers_of_members(community: Community) -> QuerySet[User]:
    """The people who speak for its active member cities and organisations."""
    cities = CityMember.objects.filter(community=community, status=CityMember.Status.ACTIVE, speakers__isnull=False)
    organisations = OrganisationMember.objects.filter(
        community=community, status=OrganisationMember.Status.ACTIVE, speakers__isnull=False
    )
    return User.objects.filter(
        Q(pk__in=cities.values("speakers")) | Q(pk__in=organisations.values("speakers")), is_active=True
    ).order_by("pk")


def _tell_planned(community: Community, activity: Activity, *, by: User, site_url: str) -> None:
    # The list, not the form: every member reads it, while a city's viewers may not change the activity.
    path = reverse("communities:activities", args=[community.slug])
    link = f"{site_url.rstrip('/')}{path}#activity-{activity.public_id}"
    context = {"community": community, "activity": activity, "link": link, "when": describe_time(activity)}
    notify(speakers_of_members(community).exclude(pk=by.pk), "community_activity", context, site_url=site_url)
