"""Mentor matching: the cities that offer to mentor on an assessment's benchmark, ranked for this city, each
with its reasons in numbers and words, and the offers left out with why.

A candidate's ratings and context count only from what it made public or chose to share for matching: its
latest assessment of the benchmark that is published (submitted or finalised, not deleted), else the latest
one its coordinator shares for matching on its mentor offer (`MentorOffer.shared_for_matching`). Each reason
says which of the two it comes from. Its private work never counts, and so never shows.

The reasons, which are also the ranking, in order:

1. how many of this city's priority gaps the candidate has at its own benchmark version's standard or better
   (key factors compared by slug, since versions differ);
2. how many of its practices the library holds on those key factors;
3. how far its context resembles this city's (`assessments.recommend.likeness`);
4. whether it works in one of the languages asked for (by default the benchmark version's);
5. how many mentorships it has completed before.

`match` reads everything in a fixed number of queries, whatever the number of cities (docs/quality.md F1).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet, Subquery
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext as _

from assessments.models import Assessment, ContextNote, FactorAssessment
from assessments.recommend import PROFILE_STATUSES, Likeness, Profile, likeness, profile_of
from assessments.results import FactorResult, Results, build_results, standard_level, standing
from benchmarks.models import ContextFactor, KeyFactor, RatingLevel
from mentoring.models import MentorOffer, Mentorship
from practices.models import Practice


@dataclass(slots=True)
class Offer:
    """What matching reads of another city's mentor offer (one row of a query, no model instance)."""

    workspace_id: int
    workspace_public_id: UUID
    city_id: int
    city_name: str
    city_slug: str
    languages: tuple[str, ...]
    capacity: int
    open: bool
    on_benchmark: bool  # whether it offers this assessment's benchmark
    active: int  # its active mentorships as a mentor city
    completed: int  # its mentorships as a mentor city that ended as agreed
    already: bool  # whether this city has a requested or active mentorship with it on the benchmark


@dataclass(slots=True)
class Source:
    """The assessment a candidate's numbers come from: published, or shared for matching."""

    assessment_id: int
    round: str
    shared: bool  # True: shared for matching on the offer; False: published
    scale_id: int
    standard_value: int | None

    def words(self) -> str:
        if self.shared:
            return _("from the assessment it shares for matching")
        return _("from its published %(round)s assessment") % {"round": self.round}


@dataclass
class Candidate:
    offer: Offer
    source: Source
    gaps_total: int
    covered: list[FactorResult]  # this city's gaps the candidate has at its standard or better
    practices: list[tuple[str, str]]  # (title, slug) of its practices on the gaps' key factors
    likeness: Likeness | None
    languages: tuple[str, ...]  # the working languages it shares with those asked for
    asked: list[str]  # the working languages asked for
    standard: RatingLevel | None  # the standard of its source's scale

    @property
    def city_name(self) -> str:
        return self.offer.city_name

    @property
    def completed(self) -> int:
        return self.offer.completed

    def rank(self) -> tuple[Any, ...]:
        found = self.likeness
        share = found.alike / found.compared if found is not None else -1.0  # a float sorts faster than a Fraction
        return (-len(self.covered), -len(self.practices), -share, not self.languages, -self.completed, self.city_name)

    @cached_property
    def reasons(self) -> list[str]:
        """Why it ranks where it does, each a number and words (built only for the candidates shown)."""
        return _reasons(self, self.asked, self.standard.label if self.standard else "")


@dataclass
class Excluded:
    offer: Offer
    reason: str

    @property
    def city_name(self) -> str:
        return self.offer.city_name


@dataclass
class Matching:
    assessment: Assessment
    gaps: list[FactorResult]
    languages: list[str]
    candidates: list[Candidate] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)


def language_name(code: str) -> str:
    """A language's name in the reader's language ("German"), or its code when Django does not know it."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _names(codes: Iterable[str]) -> str:
    return ", ".join(language_name(code) for code in codes)


def assessment_profiles(assessments: "QuerySet[Assessment]", benchmark_id: int) -> dict[int, Profile]:
    """The context profile of each of these assessments (of the benchmark), in two queries: `recommend.profile_of`
    of its notes. Unlike `recommend.city_profiles` it reads the assessments given, whatever their visibility:
    the caller has chosen them (published, or shared for matching). Assessments without an assessed effect are
    absent.

    Each context factor's title goes through `profile_of` once (a thousand cities repeat the same few
    conditions, and normalising a title is most of the work), and the notes are read without their titles."""
    normalised = {
        pk: next(iter(profile_of([(title, "-")])))
        for pk, title in ContextFactor.objects.filter(version__benchmark_id=benchmark_id).values_list("pk", "title")
    }
    profiles: dict[int, Profile] = {}
    for assessment_id, context_factor_id, effect in (
        ContextNote.objects.filter(assessment__in=assessments)
        .exclude(effect="")
        .order_by()
        .values_list("assessment_id", "context_factor_id", "effect")
    ):
        profiles.setdefault(assessment_id, {})[normalised[context_factor_id]] = effect
    return profiles


def _offers(assessment: Assessment) -> list[Offer]:
    """Every other city's offer, with what decides whether it is a candidate, in four queries: the offers, those
    on the benchmark, the mentorships counted by mentor city, and this city's open ones."""
    benchmark_id = assessment.benchmark_version.benchmark_id
    counts: dict[int, tuple[int, int]] = {}
    for mentor_id, active, completed in (
        Mentorship.objects.filter(
            Q(status=Mentorship.Status.ACTIVE) | Q(status=Mentorship.Status.ENDED, outcome=Mentorship.Outcome.COMPLETED)
        )
        .order_by()
        .values("mentor_id")
        .annotate(
            active=Count("pk", filter=Q(status=Mentorship.Status.ACTIVE)),
            completed=Count("pk", filter=Q(status=Mentorship.Status.ENDED)),
        )
        .values_list("mentor_id", "active", "completed")
    ):
        counts[mentor_id] = (active, completed)
    already = set(
        Mentorship.objects.filter(
            mentee_id=assessment.workspace_id, benchmark_id=benchmark_id, status__in=Mentorship.OPEN
        ).values_list("mentor_id", flat=True)
    )
    on_benchmark = set(
        MentorOffer.benchmarks.through.objects.filter(benchmark_id=benchmark_id).values_list(
            "mentoroffer_id", flat=True
        )
    )
    rows = (
        MentorOffer.objects.exclude(workspace_id=assessment.workspace_id)
        .order_by()
        .values_list(
            "pk",
            "workspace_id",
            "workspace__public_id",
            "workspace__city_id",
            "workspace__city__name",
            "workspace__city__slug",
            "languages",
            "capacity",
            "open",
        )
    )
    return [
        Offer(
            w,
            pid,
            cid,
            name,
            slug,
            tuple(langs or ()),
            cap,
            op,
            pk in on_benchmark,
            *counts.get(w, (0, 0)),
            w in already,
        )
        for pk, w, pid, cid, name, slug, langs, cap, op in rows
    ]


def _pool(assessment: Assessment) -> "QuerySet[Assessment]":
    """The assessments whose numbers may count for the candidates: of the benchmark, of another city with an
    open offer on it, not deleted, and either published (submitted or finalised) or shared for matching on
    the offer. Used as a subquery, so no list of ids travels, however many cities offer."""
    benchmark_id = assessment.benchmark_version.benchmark_id
    shared = MentorOffer.shared_for_matching.through.objects.filter(
        mentoroffer__open=True, mentoroffer__benchmarks=benchmark_id
    ).values("assessment_id")
    return (
        Assessment.objects.alive()
        .filter(
            benchmark_version__benchmark_id=benchmark_id,
            workspace__mentor_offer__open=True,
            workspace__mentor_offer__benchmarks=benchmark_id,
        )
        .exclude(workspace_id=assessment.workspace_id)
        .filter(Q(visibility=Assessment.Visibility.PUBLISHED, status__in=PROFILE_STATUSES) | Q(pk__in=Subquery(shared)))
    )


def _sources(pool: "QuerySet[Assessment]") -> dict[int, Source]:
    """Workspace -> the assessment its numbers come from: its latest published one, else its latest shared
    for matching (see the module docstring). One query."""
    latest: dict[int, Source] = {}
    for workspace_id, pk, round_, visibility, status, scale_id, standard_value in pool.values_list(
        "workspace_id",
        "pk",
        "round",
        "visibility",
        "status",
        "benchmark_version__rating_scale_id",
        "benchmark_version__rating_scale__standard_level",
    ):
        shared = not (visibility == Assessment.Visibility.PUBLISHED and status in PROFILE_STATUSES)
        # Published first, then the latest round; within a round the later one (ids grow with time, and
        # reading no dates spares parsing a thousand of them).
        known = latest.get(workspace_id)
        if known is None or (not shared, round_, pk) > (not known.shared, known.round, known.assessment_id):
            latest[workspace_id] = Source(pk, round_, shared, scale_id, standard_value)
    return latest


@dataclass
class Strength:
    covered: dict[int, list[FactorResult]]  # workspace -> this city's gaps its source has at its standard or better
    rated: set[int]  # workspaces whose source rates at least one of the gaps' key factors
    standards: dict[int, RatingLevel | None]  # workspace -> the standard of its source's scale


def strength_on_gaps(
    gaps: Sequence[FactorResult], sources: dict[int, Source], pool: "QuerySet[Assessment]", benchmark_id: int
) -> Strength:
    """Each candidate's standing on this city's gaps, on its own version's scale and standard. Three queries."""
    slugs = [gap.factor.key_factor.slug for gap in gaps]
    by_assessment = {source.assessment_id: workspace_id for workspace_id, source in sources.items()}
    levels: dict[int, list[RatingLevel]] = {}
    for level in RatingLevel.objects.filter(scale_id__in={s.scale_id for s in sources.values()}).order_by("value"):
        levels.setdefault(level.scale_id, []).append(level)
    # One standard and one `standing` per scale, not per city: a handful of scales, a thousand cities.
    scales = {(s.scale_id, s.standard_value) for s in sources.values()}
    standard_of = {key: standard_level(levels.get(key[0], []), key[1]) for key in scales}
    # The ratings of each scale at its standard or better, by `standing`, so each rating is one set lookup.
    at_standard: dict[tuple[int, int | None], frozenset[int]] = {}
    for key in scales:
        place = standing(levels.get(key[0], []), standard_of[key])
        at_standard[key] = frozenset(
            level.value
            for level in levels.get(key[0], [])
            if (below := place(level.value)[1]) is not None and below <= 0
        )
    standards = {workspace_id: standard_of[(s.scale_id, s.standard_value)] for workspace_id, s in sources.items()}
    good_ratings = {workspace_id: at_standard[(s.scale_id, s.standard_value)] for workspace_id, s in sources.items()}
    # Which gaps each source has at its standard or better, as bits (gap n: bit n): a thousand cities share a few
    # combinations, so each combination's list of gaps is made once.
    bit = {slug: 1 << n for n, slug in enumerate(slugs)}
    good: dict[int, int] = {}
    rated: set[int] = set()
    # The gaps' key factors in every version of the benchmark, by id: the ratings are then read by their index.
    slug_of = dict(
        KeyFactor.objects.filter(version__benchmark_id=benchmark_id, slug__in=slugs).values_list("pk", "slug")
    )
    for assessment_id, key_factor_id, rating in (
        FactorAssessment.objects.filter(key_factor_id__in=list(slug_of), assessment__in=pool, rating__isnull=False)
        .order_by()
        .values_list("assessment_id", "key_factor_id", "rating")
    ):
        workspace_id = by_assessment.get(assessment_id)
        if workspace_id is None:  # an older round, or the shared one of a city that published
            continue
        rated.add(workspace_id)
        if rating in good_ratings[workspace_id]:
            good[workspace_id] = good.get(workspace_id, 0) | bit[slug_of[key_factor_id]]
    lists = {mask: [gap for n, gap in enumerate(gaps) if mask >> n & 1] for mask in set(good.values())}
    covered = {workspace_id: lists[mask] for workspace_id, mask in good.items()}
    return Strength(covered, rated, standards)


def city_practices(benchmark_id: int, slugs: list[str]) -> dict[int, list[tuple[str, str]]]:
    """City -> (title, slug) of its practices on these key factors of the benchmark (any version), each once."""
    found: dict[int, dict[str, str]] = {}
    for city_id, title, slug in (
        Practice.key_factors.through.objects.filter(
            keyfactor__version__benchmark_id=benchmark_id, keyfactor__slug__in=slugs
        )
        .values_list("practice__city_id", "practice__title", "practice__slug")
        .order_by("practice__title")
    ):
        found.setdefault(city_id, {})[slug] = title
    return {city_id: [(title, slug) for slug, title in items.items()] for city_id, items in found.items()}


def _reasons(candidate: Candidate, asked: Sequence[str], standard_words: str) -> list[str]:
    source = candidate.source.words()
    values: dict[str, object] = {
        "covered": len(candidate.covered),
        "total": candidate.gaps_total,
        "standard": standard_words,
        "source": source,
    }
    reasons = [
        ngettext(
            "%(covered)s of your %(total)s priority gap is at “%(standard)s” or better there, %(source)s",
            "%(covered)s of your %(total)s priority gaps are at “%(standard)s” or better there, %(source)s",
            candidate.gaps_total,
        )
        % values
    ]
    n = len(candidate.practices)
    reasons.append(
        ngettext(
            "%(n)s practice of theirs in the library on these key factors",
            "%(n)s practices of theirs in the library on these key factors",
            n,
        )
        % {"n": n}
    )
    if candidate.likeness is not None:
        reasons.append(_("%(likeness)s, %(source)s") % {"likeness": candidate.likeness.reason(), "source": source})
    else:
        reasons.append(
            _("Context not compared: 0 context conditions assessed by both cities, %(source)s") % {"source": source}
        )
    shared, offered = candidate.languages, candidate.offer.languages
    if shared:
        reasons.append(
            ngettext(
                "%(n)s working language in common: %(languages)s",
                "%(n)s working languages in common: %(languages)s",
                len(shared),
            )
            % {"n": len(shared), "languages": _names(shared)}
        )
    elif offered:
        reasons.append(
            _("0 working languages in common with %(asked)s (it works in %(languages)s)")
            % {"asked": _names(asked), "languages": _names(offered)}
        )
    else:
        reasons.append(_("0 working languages in common (its offer names none)"))
    reasons.append(
        ngettext(
            "%(n)s mentorship completed before as a mentor city",
            "%(n)s mentorships completed before as a mentor city",
            candidate.completed,
        )
        % {"n": candidate.completed}
    )
    return reasons


def match(
    assessment: Assessment, *, languages: Sequence[str] | None = None, results: Results | None = None
) -> Matching:
    """The candidates for this assessment, ranked, and the offers left out with why (see the module
    docstring). `languages`: the working languages asked for (default: the benchmark version's); `results`:
    the assessment's `build_results`, when the caller has it already. A candidate's `reasons` are worded when
    first read, so a page that shows ten of a thousand words ten."""
    version = assessment.benchmark_version
    benchmark_id = version.benchmark_id
    asked = sorted(set(languages)) if languages else [version.language]
    results = results if results is not None else build_results(assessment)
    gaps = results.priority_gaps()
    matching = Matching(assessment, gaps, asked)
    if not gaps:
        return matching
    slugs = [gap.factor.key_factor.slug for gap in gaps]

    eligible: list[Offer] = []
    for offer in _offers(assessment):
        reason = None
        if not offer.on_benchmark:
            reason = _("offers mentoring on other benchmarks")
        elif offer.already:
            reason = _("already your mentor city (requested or active)")
        elif not offer.open:
            reason = _("closed to new mentorships")
        elif offer.active >= offer.capacity:
            reason = _("capacity full (%(active)s of %(capacity)s)") % {
                "active": offer.active,
                "capacity": offer.capacity,
            }
        if reason is None:
            eligible.append(offer)
        else:
            matching.excluded.append(Excluded(offer, reason))
    if not eligible:
        return matching

    pool = _pool(assessment)
    sources = _sources(pool)
    strength = strength_on_gaps(gaps, sources, pool, benchmark_id)
    practices = city_practices(benchmark_id, slugs)
    profiles = assessment_profiles(pool, benchmark_id)
    ours = profile_of((n.context_factor.title, n.effect) for n in results.context_notes)

    no_data = _("no published or shared ratings on these key factors")
    for offer in eligible:
        source = sources.get(offer.workspace_id)
        if source is None or offer.workspace_id not in strength.rated:
            matching.excluded.append(Excluded(offer, no_data))
            continue
        matching.candidates.append(
            Candidate(
                offer=offer,
                source=source,
                gaps_total=len(gaps),
                covered=strength.covered.get(offer.workspace_id, []),
                practices=practices.get(offer.city_id, []),
                likeness=likeness(offer.city_name, ours, profiles.get(source.assessment_id)),
                languages=tuple(code for code in asked if code in offer.languages),
                asked=asked,
                standard=strength.standards.get(offer.workspace_id),
            )
        )
    matching.candidates.sort(key=Candidate.rank)
    matching.excluded.sort(key=lambda e: (e.city_name, e.reason))
    return matching
