"""What members publish, as the community's feed, newest first: self-assessments of member cities published
(still published, not deleted), resources shared with the community, activities it held. A fixed number of
queries, one per kind.

Two things the issue names have no date to show here: action plans are never published in this product (a
published assessment does not publish its plan, actionplans/access.py), and the library's practices come from
the toolkits with `load_library`, without a date of addition; the member cities' practices are listed on
the community's page and in its summary instead."""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from assessments.models import Assessment, AssessmentEvent
from communities.models import CityMember, Community, CommunityActivity
from mentoring.models import Activity


@dataclass(frozen=True)
class Item:
    at: datetime
    who: str
    what: str
    title: str
    link: str


def feed(community: Community, *, limit: int = 15) -> list[Item]:
    workspaces = CityMember.objects.filter(community=community, status=CityMember.Status.ACTIVE).values("workspace_id")
    items: list[Item] = []
    published = (
        AssessmentEvent.objects.filter(
            assessment__workspace_id__in=workspaces,
            action=AssessmentEvent.Action.VISIBILITY_CHANGED,
            changes__visibility__to=Assessment.Visibility.PUBLISHED,
            assessment__visibility=Assessment.Visibility.PUBLISHED,
            assessment__deleted_at__isnull=True,
        )
        .select_related("assessment__workspace__city", "assessment__benchmark_version")
        .order_by("-at")[:limit]
    )
    for event in published:
        assessment = event.assessment
        items.append(
            Item(
                event.at,
                assessment.workspace.city.name,
                _("published its self-assessment"),
                f"{assessment.benchmark_version.title} ({assessment.round})",
                reverse("pages:city", args=[assessment.workspace.city.slug]),
            )
        )
    for resource in (
        community.resources.filter(deleted_at__isnull=True)
        .select_related("for_city__workspace__city", "for_organisation")
        .order_by("-added_at")[:limit]
    ):
        who = resource.for_city or resource.for_organisation
        items.append(
            Item(
                resource.added_at,
                str(who) if who else "",
                _("shared a resource"),
                resource.title,
                reverse("communities:resources", args=[community.slug]),
            )
        )
    held = CommunityActivity.objects.filter(
        community=community, activity__status=Activity.Status.HELD, activity__deleted_at__isnull=True
    )
    for link in held.select_related("activity").order_by("-activity__ends_at")[:limit]:
        items.append(
            Item(
                link.activity.ends_at,
                community.name,
                _("held an activity"),
                link.activity.title,
                # The list, which every member reads (the activity's own page is its form, for those who take part).
                reverse("communities:activities", args=[community.slug]) + f"#activity-{link.activity.public_id}",
            )
        )
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
