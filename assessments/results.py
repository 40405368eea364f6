"""What a self-assessment says: each key factor's rating against the benchmark's standard, the
distance to the standard, strengths, priority gaps, partner divergence and the context notes that
bear on each factor.

`build_results` reads everything in a fixed number of queries, whatever the number of factors, answers
and partner ratings (docs/quality.md F1); the results page, the PDF report, the workbook and the action
plan's draft all start from it, so they never disagree.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from assessments.models import Assessment, ContextNote, FactorAssessment, PartnerRating, QuestionAnswer
from benchmarks.models import RatingLevel
from lib.charts import Bar, ChartRow, bar_chart


@dataclass
class FactorResult:
    factor: FactorAssessment  # with key_factor loaded
    level: RatingLevel | None  # the city's rating as a level of the scale (number, words, colour)
    answers: list[QuestionAnswer] = field(default_factory=list)  # with question loaded, in question order
    suggested: int | None = None  # the rating the answers suggest
    suggested_level: RatingLevel | None = None  # the same as a level of the scale (None when off it or unset)
    partner_ratings: list[PartnerRating] = field(default_factory=list)
    # Partner ratings that differ from the city's by the divergence rule.
    divergent: list[PartnerRating] = field(default_factory=list)
    context_notes: list[ContextNote] = field(default_factory=list)  # the notes said to bear on this factor
    # Levels below the standard (positive), at it (0) or above it (negative); None while unrated.
    levels_below_standard: int | None = None

    @property
    def is_rated(self) -> bool:
        return self.level is not None

    @property
    def meets_standard(self) -> bool:
        return self.levels_below_standard is not None and self.levels_below_standard <= 0

    @property
    def is_gap(self) -> bool:
        return self.levels_below_standard is not None and self.levels_below_standard > 0

    def prompts(self) -> list[QuestionAnswer]:
        """The guide questions answered "no" or "partly": where an action could start."""
        return [a for a in self.answers if a.answer in (QuestionAnswer.Answer.NO, QuestionAnswer.Answer.PARTLY)]


@dataclass
class Results:
    assessment: Assessment
    levels: list[RatingLevel]  # the benchmark version's scale, lowest first
    standard: RatingLevel | None  # the level that meets the standard ("Established" on the default scale)
    factors: list[FactorResult]
    context_notes: list[ContextNote]  # every note of the assessment, with its key factors

    @property
    def rated(self) -> list[FactorResult]:
        return [f for f in self.factors if f.is_rated]

    @property
    def unrated(self) -> list[FactorResult]:
        return [f for f in self.factors if not f.is_rated]

    @property
    def at_standard(self) -> int:
        return sum(f.meets_standard for f in self.factors)

    @property
    def share_at_standard(self) -> Decimal | None:
        """The share of all key factors (rated or not) at the standard or better, in per cent."""
        if not self.factors:
            return None
        return (Decimal(100) * self.at_standard / len(self.factors)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def mean_rating(self) -> Decimal | None:
        """The mean of the ratings given; None while nothing is rated."""
        rated = self.rated
        if not rated:
            return None
        total = sum((Decimal(f.level.value) for f in rated if f.level is not None), Decimal(0))
        return (total / len(rated)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def mean_distance(self) -> Decimal | None:
        """How far the mean rating lies below the standard's value (negative: above it)."""
        mean = self.mean_rating
        if mean is None or self.standard is None:
            return None
        return Decimal(self.standard.value) - mean

    def level(self, value: int | None) -> RatingLevel | None:
        """The level of the scale with this value (a partner's rating, say); None when unset or off it."""
        return next((level for level in self.levels if level.value == value), None) if value is not None else None

    def strengths(self) -> list[FactorResult]:
        """Factors at the standard or above it, best first (then in the benchmark's order)."""
        found = [f for f in self.factors if f.meets_standard]
        return sorted(found, key=lambda f: f.levels_below_standard or 0)

    def priority_gaps(self) -> list[FactorResult]:
        """Rated factors below the standard, furthest from it first; ties keep the benchmark's order."""
        found = [f for f in self.factors if f.is_gap]
        return sorted(found, key=lambda f: -(f.levels_below_standard or 0))

    @property
    def divergent_factors(self) -> list[FactorResult]:
        return [f for f in self.factors if f.divergent]

    @property
    def general_context_notes(self) -> list[ContextNote]:
        """Assessed notes not tied to any key factor: they bear on the benchmark as a whole."""
        return [n for n in self.context_notes if (n.effect or n.note) and not n.key_factors.all()]


def standard_level(levels: Sequence[RatingLevel], standard_value: int | None) -> RatingLevel | None:
    """The level that meets the standard: the scale's own, or its middle when the scale names none."""
    if not levels:
        return None
    for level in levels:
        if level.value == standard_value:
            return level
    return levels[len(levels) // 2]


def standing(
    levels: Sequence[RatingLevel], standard: RatingLevel | None
) -> Callable[[int | None], tuple[RatingLevel | None, int | None]]:
    """For a scale (lowest level first) and its standard: a rating's level, and how many levels below the
    standard it lies (0 at it, negative above it); (None, None) while unrated or off the scale. Counted in
    positions on the scale, not in values, so a scale whose values skip numbers counts right."""
    by_value = {level.value: level for level in levels}
    positions = {level.value: n for n, level in enumerate(levels)}

    def place(rating: int | None) -> tuple[RatingLevel | None, int | None]:
        level = by_value.get(rating) if rating is not None else None
        if level is None or standard is None:
            return level, None
        return level, positions[standard.value] - positions[level.value]

    return place


def build_results(assessment: Assessment) -> Results:
    """Everything the results need, in a fixed number of queries (see the module docstring)."""
    version = assessment.benchmark_version
    levels = version.rating_levels()
    standard = standard_level(levels, version.rating_scale.standard_level)
    place = standing(levels, standard)
    values = [level.value for level in levels]
    scale_max = max(values, default=0)
    factors = list(
        assessment.factors.select_related("key_factor").prefetch_related(
            Prefetch(
                "answers", queryset=QuestionAnswer.objects.select_related("question").order_by("question__number")
            ),
            Prefetch("partner_ratings", queryset=PartnerRating.objects.order_by("organisation")),
        )
    )
    notes = list(
        ContextNote.objects.filter(assessment=assessment)
        .select_related("context_factor")
        .prefetch_related("key_factors")
        .order_by("context_factor__number")
    )
    notes_by_factor: dict[int, list[ContextNote]] = {}
    for note in notes:
        for key_factor in note.key_factors.all():
            notes_by_factor.setdefault(key_factor.pk, []).append(note)
    results = []
    for factor in factors:
        factor_answers = list(factor.answers.all())
        partner_ratings = list(factor.partner_ratings.all())
        level, below = place(factor.rating)
        suggested = factor.suggested_rating(factor_answers, scale_max)
        results.append(
            FactorResult(
                factor=factor,
                level=level,
                answers=factor_answers,
                suggested=suggested,
                suggested_level=place(suggested)[0],
                partner_ratings=partner_ratings,
                divergent=[p for p in partner_ratings if p.diverges_from(factor.rating, values)],
                context_notes=notes_by_factor.get(factor.key_factor_id, []),
                levels_below_standard=below,
            )
        )
    return Results(assessment=assessment, levels=levels, standard=standard, factors=results, context_notes=notes)


def ratings_chart(results: Results, *, chart_id: str = "ratings-chart") -> SafeString:
    """The key factors' ratings as a bar chart, with the standard marked: the same in the page and the PDF.
    Show it beside `results.factors` as a table (number, words), as the templates do."""
    levels = results.levels
    rows = []
    for result in results.factors:
        key_factor = result.factor.key_factor
        level = result.level
        bar = (
            Bar(level.value, level.colour, level.number_and_words)
            if level is not None
            else Bar(None, "#ffffff", str(_("Not rated")))
        )
        rows.append(ChartRow(f"{key_factor.number}. {key_factor.title}", [bar]))
    standard = results.standard
    title = _("Ratings of the key factors: %(title)s, round %(round)s") % {
        "title": results.assessment.benchmark_version.title,
        "round": results.assessment.round,
    }
    description = _(
        "One bar per key factor, as long as its rating on the scale from %(low)s to %(high)s. "
        "%(at)s of %(total)s key factors meet the standard or better."
    ) % {
        "low": levels[0].value if levels else 0,
        "high": levels[-1].value if levels else 0,
        "at": results.at_standard,
        "total": len(results.factors),
    }
    return bar_chart(
        title=str(title),
        description=str(description),
        rows=rows,
        ticks=[(level.value, str(level.value)) for level in levels],
        marker=(standard.value, str(_("Standard: %(label)s") % {"label": standard.label})) if standard else None,
        chart_id=chart_id,
    )


# ---- the previous round, and other cities anonymously (the results page)

# The peer distribution is shown only from this many other cities with a published assessment of the
# benchmark, so that no city's ratings can be read out of it (docs/roles.md, "Results").
PEER_MINIMUM = 5


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
        levels = {level.value: level for level in previous.benchmark_version.rating_levels()}
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
