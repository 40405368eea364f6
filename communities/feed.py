"""What members publish, as the community's feed, newest first: self-assessments of member cities published
(still published, not deleted), action plans made public (still public: `ActionPlan.objects.public()`),
practices of member cities added to the library (those a later load of the library added:
`Practice.added_at`), resources shared with the community, activities it held. A fixed number of queries, one
per kind."""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from actionplans.models import ActionPlan, ActionPlanEvent
from assessments.models import Assessment, AssessmentEvent
from communities.models import CityMember, Community, CommunityActivity
from mentoring.models import Activity
from practices.models import Practice


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
    for plan_event in (
        ActionPlanEvent.objects.filter(
            plan__in=ActionPlan.objects.public().filter(assessment__workspace_id__in=workspaces),
            action=ActionPlanEvent.Action.VISIBILITY_CHANGED,
            changes__visibility__to=ActionPlan.Visibility.PUBLIC,
        )
        .select_related("plan__assessment__workspace__city", "plan__assessment__benchmark_version")
        .order_by("-at")[:limit]
    ):
        plan = plan_event.plan
        items.append(
            Item(
                plan_event.at,
                plan.assessment.workspace.city.name,
                _("made its action plan public"),
                f"{plan.assessment.benchmark_version.title} ({plan.assessment.round})",
                plan.get_public_url(),
            )
        )
    for practice in (
        Practice.objects.filter(city__workspace__in=workspaces, added_at__isnull=False)
        .select_related("city")
        .order_by("-added_at")[:limit]
    ):
        assert practice.added_at is not None  # noqa: S101 - filtered
        items.append(
            Item(
                practice.added_at,
                practice.city.name,
                _("has a new practice in the library"),
                practice.title,
                practice.get_absolute_url(),
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
