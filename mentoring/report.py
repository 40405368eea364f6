"""The mentorship report (its page and a tagged PDF): the starting assessment's ratings, the activities held,
the mentors' reviews of ratings, the shared action plan with its progress and its sign-off, and, when a later
round of the same benchmark is shared, the change of each key factor's rating since the start.

It reads only what the mentorship's consent shares (the implementing city's own members read the rest on its
own pages), and the mentor city's side reads it only while the mentorship is active (mentoring.signoff
.can_read, checked on every request)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from accounts.models import User
from actionplans.report import PlanContents, plan_contents
from assessments.models import Assessment
from assessments.results import Comparison, Results, build_results, compare_with_previous
from benchmarks.models import RatingLevel
from mentoring.models import Activity, Mentorship, PlanSignOff, RatingReview


@dataclass
class ReviewRow:
    review: RatingReview
    reviewed: RatingLevel | None
    suggested: RatingLevel | None


@dataclass
class PlanPart:
    contents: PlanContents
    sign_off: PlanSignOff | None  # the latest complete sign-off, if any


@dataclass
class MentorshipReport:
    mentorship: Mentorship
    mentors: list[User]
    start: Assessment | None  # the first shared round of the mentorship's benchmark
    start_results: Results | None
    activities: list[Activity]  # held, in the order they were held
    reviews: list[ReviewRow]
    plans: list[PlanPart] = field(default_factory=list)
    later: Assessment | None = None  # the latest shared round after the start, when there is one
    comparison: Comparison | None = None  # the later round's ratings against the start's


def mentorship_report(mentorship: Mentorship) -> MentorshipReport:
    shared = list(
        mentorship.shared_assessments.alive()
        .filter(benchmark_version__benchmark=mentorship.benchmark)
        .select_related("workspace__city", "benchmark_version__rating_scale", "benchmark_version__benchmark")
        .order_by("round", "created_at", "pk")
    )
    start = shared[0] if shared else None
    start_results = build_results(start) if start else None
    later = shared[-1] if len(shared) > 1 and start and shared[-1].round > start.round else None
    comparison = compare_with_previous(build_results(later), start) if later and start else None
    activities = list(
        Activity.objects.filter(mentorship=mentorship, status=Activity.Status.HELD, deleted_at__isnull=True)
        .prefetch_related("participant_cities__city", "follow_ups")
        .order_by("starts_at", "pk")
    )
    levels: dict[int, dict[int, RatingLevel]] = {}
    reviews = []
    for review in RatingReview.objects.filter(mentorship=mentorship).select_related(
        "by", "answered_by", "factor__key_factor", "factor__assessment__benchmark_version"
    ):
        version = review.factor.assessment.benchmark_version
        if version.pk not in levels:
            levels[version.pk] = {level.value: level for level in version.rating_levels()}
        scale = levels[version.pk]
        reviewed = scale.get(review.reviewed_rating) if review.reviewed_rating is not None else None
        suggested = scale.get(review.suggested_rating) if review.suggested_rating is not None else None
        reviews.append(ReviewRow(review, reviewed, suggested))
    plans = []
    shared_plans = (
        mentorship.shared_plans.filter(deleted_at__isnull=True, assessment__in=[a.pk for a in shared])
        .select_related("assessment__workspace__city", "assessment__benchmark_version")
        .prefetch_related(
            Prefetch(
                "sign_offs",
                queryset=PlanSignOff.objects.filter(
                    mentorship=mentorship, coordinator_at__isnull=False, mentor_at__isnull=False
                )
                .select_related("coordinator", "mentor")
                .order_by("-created_at", "-pk"),
                to_attr="complete_sign_offs",
            )
        )
        .order_by("assessment__round")
    )
    for n, plan in enumerate(shared_plans, start=1):
        signed = plan.complete_sign_offs  # type: ignore[attr-defined]  # the Prefetch to_attr above
        plans.append(PlanPart(plan_contents(plan, chart_id=f"mentorship-plan-{n}"), signed[0] if signed else None))
    return MentorshipReport(
        mentorship=mentorship,
        mentors=list(mentorship.mentors.order_by("first_name", "last_name", "email")),
        start=start,
        start_results=start_results,
        activities=activities,
        reviews=reviews,
        plans=plans,
        later=later,
        comparison=comparison,
    )
