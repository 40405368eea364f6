"""What the results page of a self-assessment shows (docs/roles.md, "Results"; the page is pages.views.results,
which adds the mentors' reviews): the scorecard, the chart with its table,
the distance to the standard, strengths, priority gaps with recommended practices, the comparison with
the city's previous round of the same benchmark and the anonymous distribution of other cities' ratings.

The comparison and the peer distribution are computed in assessments.results. Everyone who may read the
assessment reads its results; readers outside the team (of a published
assessment) see neither the partner organisations nor their divergence, and compare with the latest
earlier round that is published. The page costs a fixed number of queries (docs/quality.md F1).
"""

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments import access
from assessments.models import Assessment
from assessments.recommend import recommend
from assessments.results import (
    FactorResult,
    Results,
    build_results,
    compare_with_previous,
    peer_distribution,
    ratings_chart,
)
from benchmarks.models import RatingLevel

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
    # The mentors' reviews of this rating (mentoring.reviews.ReportReview), filled by the page that shows them.
    mentor_reviews: list[Any] = field(default_factory=list)


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


def results_context(request: HttpRequest, assessment: Assessment, role: str | None) -> dict[str, Any]:
    """The results page's context for one reader (its `role` in the workspace, None outside it)."""
    team = access.is_team(request.user, role)
    results = build_results(assessment)
    # The team's earlier rounds are theirs: other readers compare with the latest published one.
    previous = Assessment.objects.alive().previous_round_of(assessment, published_only=not team)
    return {
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
