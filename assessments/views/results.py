"""The results of a self-assessment (docs/roles.md, "Results"): the scorecard, the chart with its table,
the distance to the standard, strengths, priority gaps with recommended practices, the comparison with
the city's previous round of the same benchmark and the anonymous distribution of other cities' ratings.

Everyone who may read the assessment reads its results; readers outside the team (of a published
assessment) see neither the partner organisations nor their divergence, and compare with the latest
earlier round that is published. The page costs a fixed number of queries (docs/quality.md F1).
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from assessments import access
from assessments.access import sign_in_unless_public
from assessments.models import Assessment, FactorAssessment
from assessments.recommend import recommend
from assessments.results import FactorResult, Results, build_results, ratings_chart
from benchmarks.models import RatingLevel

# The peer distribution is shown only from this many other cities with a published assessment of the
# benchmark (PRODUCT.md journey 3), so that no city's ratings can be read out of it.
PEER_MINIMUM = 5


# ---- the previous round


def previous_round(assessment: Assessment, *, published_only: bool = False) -> Assessment | None:
    """The round this one was started from; else the latest other alive assessment of the same workspace
    and benchmark (any version) whose round sorts before this one's. `published_only`: the same among the
    published ones (for readers outside the team)."""
    candidates = Assessment.objects.alive().select_related("benchmark_version").exclude(pk=assessment.pk)
    if published_only:
        candidates = candidates.filter(visibility=Assessment.Visibility.PUBLISHED)
    if assessment.previous_round_id is not None:
        started_from = candidates.filter(pk=assessment.previous_round_id).first()
        if started_from is not None:
            return started_from
    return (
        candidates.filter(
            workspace_id=assessment.workspace_id,
            benchmark_version__benchmark_id=assessment.benchmark_version.benchmark_id,
            round__lt=assessment.round,
        )
        .order_by("-round", "-created_at", "-pk")
        .first()
    )


@dataclass
class RoundChange:
    result: FactorResult
    before: RatingLevel | None  # on the previous round's scale; None: not rated then, or not in it
    in_previous: bool  # whether the previous round had this key factor at all

    @property
    def change(self) -> int | None:
        if self.before is None or self.result.level is None:
            return None
        return self.result.level.value - self.before.value

    @property
    def size(self) -> int:
        return abs(self.change or 0)


@dataclass
class Comparison:
    previous: Assessment
    rows: list[RoundChange]
    previous_mean: Decimal | None

    @property
    def improved(self) -> int:
        return sum((row.change or 0) > 0 for row in self.rows)

    @property
    def declined(self) -> int:
        return sum((row.change or 0) < 0 for row in self.rows)


def compare_with_previous(results: Results, previous: Assessment) -> Comparison:
    """This round's rating beside the previous round's, per key factor matched by its slug."""
    if previous.benchmark_version.rating_scale_id == results.assessment.benchmark_version.rating_scale_id:
        levels = {level.value: level for level in results.levels}
    else:
        levels = {
            level.value: level
            for level in RatingLevel.objects.filter(scale_id=previous.benchmark_version.rating_scale_id)
        }
    before = dict(FactorAssessment.objects.filter(assessment=previous).values_list("key_factor__slug", "rating"))
    rows = []
    for result in results.factors:
        slug = result.factor.key_factor.slug
        rating = before.get(slug)
        rows.append(RoundChange(result, levels.get(rating) if rating is not None else None, slug in before))
    rated = [v for v in before.values() if v is not None and v in levels]
    mean = None
    if rated:
        mean = (Decimal(sum(rated)) / len(rated)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Comparison(previous, rows, mean)


# ---- other cities, anonymously


@dataclass
class PeerRow:
    result: FactorResult
    counts: list[tuple[RatingLevel, int]]  # the number of cities at each level of this scale
    not_rated: int


@dataclass
class Peers:
    cities: int  # other cities with a published assessment of this benchmark
    rows: list[PeerRow] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.cities >= PEER_MINIMUM

    @property
    def needed(self) -> int:
        return PEER_MINIMUM


def peer_distribution(results: Results) -> Peers:
    """How many other cities rate each key factor at each level, from each city's latest published
    assessment of the benchmark (any version; key factors matched by slug). A city counts once, so the
    minimum of PEER_MINIMUM is a minimum of cities. Ratings off this assessment's scale are not counted."""
    assessment = results.assessment
    published = (
        Assessment.objects.published()
        .filter(benchmark_version__benchmark_id=assessment.benchmark_version.benchmark_id)
        .exclude(workspace_id=assessment.workspace_id)
        .values_list("workspace_id", "round", "created_at", "pk")
    )
    latest: dict[int, tuple[Any, ...]] = {}
    for workspace_id, round_, created_at, pk in published:
        if workspace_id not in latest or (round_, created_at, pk) > latest[workspace_id]:
            latest[workspace_id] = (round_, created_at, pk)
    peers = Peers(cities=len(latest))
    if not peers.shown:
        return peers
    chosen = [key[2] for key in latest.values()]
    ratings: dict[str, Counter[int | None]] = {}
    for slug, rating in FactorAssessment.objects.filter(assessment_id__in=chosen).values_list(
        "key_factor__slug", "rating"
    ):
        ratings.setdefault(slug, Counter())[rating] += 1
    for result in results.factors:
        counted = ratings.get(result.factor.key_factor.slug, Counter())
        peers.rows.append(PeerRow(result, [(level, counted[level.value]) for level in results.levels], counted[None]))
    return peers


# ---- the page


def distance_in_words(result: FactorResult) -> str:
    below = result.levels_below_standard
    if below is None:
        return _("Not rated yet")
    if below == 0:
        return _("At the standard")
    if below > 0:
        return ngettext("%(n)s level below the standard", "%(n)s levels below the standard", below) % {"n": below}
    return ngettext("%(n)s level above the standard", "%(n)s levels above the standard", -below) % {"n": -below}


def mean_in_words(results: Results) -> str:
    mean, distance, standard = results.mean_rating, results.mean_distance, results.standard
    if mean is None or distance is None or standard is None:
        return ""
    values = {"mean": mean, "distance": abs(distance), "standard": standard.number_and_words}
    if distance > 0:
        return _("The mean rating is %(mean)s, %(distance)s below the standard (%(standard)s).") % values
    if distance < 0:
        return _("The mean rating is %(mean)s, %(distance)s above the standard (%(standard)s).") % values
    return _("The mean rating is %(mean)s, at the standard (%(standard)s).") % values


@dataclass
class ScoreRow:
    result: FactorResult
    suggested: RatingLevel | None  # the rating the answers suggest, as a level
    distance: str


def scorecard(results: Results) -> list[ScoreRow]:
    return [ScoreRow(r, r.suggested_level, distance_in_words(r)) for r in results.factors]


def divergence_rows(results: Results) -> list[dict[str, Any]]:
    """The key factors where partners' ratings differ from the city's, each divergent view with its level."""
    values = [level.value for level in results.levels]
    return [
        {
            "result": result,
            "views": [
                {
                    "rating": rating,
                    "level": results.level(rating.rating),
                    "levels_apart": rating.levels_apart(result.factor.rating, values),
                    "divergent": True,
                }
                for rating in result.divergent
            ],
        }
        for result in results.divergent_factors
    ]


@require_safe
@sign_in_unless_public
def results_page(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    assessment, role = access.get_assessment_for_user(request.user, assessment_id)
    team = access.is_team(request.user, role)
    results = build_results(assessment)
    # The team's earlier rounds are theirs: other readers compare with the latest published one.
    previous = previous_round(assessment, published_only=not team)
    context = {
        "assessment": assessment,
        "team": team,
        "results": results,
        "scorecard": scorecard(results),
        "mean_in_words": mean_in_words(results),
        "chart": ratings_chart(results),
        "strengths": results.strengths(),
        "gaps": [(item, distance_in_words(item.gap)) for item in recommend(results)],
        "comparison": compare_with_previous(results, previous) if previous is not None else None,
        "peers": peer_distribution(results),
        "divergence": divergence_rows(results) if team else [],
    }
    return render(request, "assessments/results.html", context)
