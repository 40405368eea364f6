"""Recommended practices for the priority gaps of a self-assessment, each with the reasons it is shown.

For each gap (a rated key factor below the standard), in this order:

1. practices of the same key factor (`Practice.key_factors`, matched by the benchmark and the key
   factor's slug, so an assessment of an older version finds the practices of the current one);
2. practices of similar key factors of other benchmarks: the crosswalk (`KeyFactor.topics`), the more
   topics shared the more relevant, the shared topics named in the reason ("Also about Monitoring and
   evaluation in …").

Within the same relevance, practices of cities whose context resembles this city's come first. A
city's context profile is the effect (constraint, enabler, neutral) its workspace recorded for each
context factor in its latest submitted or finalised assessment that is published. (Not a private one,
even one a mentorship shares: anyone can vary their own draft's effects and read "k of n alike" off the
page, which would reveal the other city's unpublished effects one by one.) Profiles are compared by the context
factor's title, because the toolkits repeat the same conditions ("Data availability", "City
resources") under their own numbers; the likeness is the share of equal effects among the titles both
profiles assess. Cities without a profile, or without a title
in common, rank after those with one, and their reason says nothing about context: the page claims a
resemblance only when it is known. Practices of the assessed city itself are left out.

`recommend` reads everything in a fixed number of queries, whatever the number of gaps, practices and
cities (docs/quality.md F1).
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.models import Assessment, ContextNote
from assessments.results import FactorResult, Results
from benchmarks.models import Benchmark, KeyFactor
from practices.models import Practice

SAME_FACTOR_LIMIT = 3
SIMILAR_FACTOR_LIMIT = 3
# Whose recorded context counts as a profile: assessments the team has submitted and published (see above).
PROFILE_STATUSES = (Assessment.Status.SUBMITTED, Assessment.Status.FINALISED)
PROFILE_VISIBILITIES = (Assessment.Visibility.PUBLISHED,)

Profile = dict[str, str]  # normalised context factor title -> effect


def normalise_title(title: str) -> str:
    """The same condition under slightly different spellings ("presence & influence", "presence and
    influence", "institutional / corporate", "institutional/ corporate") compares equal."""
    text = title.casefold().replace("&", " and ")
    text = re.sub(r"\s*/\s*", "/", text)
    return re.sub(r"\s+", " ", text).strip()


def profile_of(notes: Iterable[tuple[str, str]]) -> Profile:
    """A profile from (context factor title, effect) pairs; conditions without an effect are left out."""
    return {normalise_title(title): effect for title, effect in notes if effect}


@dataclass(frozen=True)
class Likeness:
    """How far another city's context resembles this one's: `alike` of `compared` conditions."""

    city: str
    alike: int
    compared: int

    @property
    def share(self) -> Fraction:
        return Fraction(self.alike, self.compared)

    @property
    def resembles(self) -> bool:
        return 2 * self.alike >= self.compared

    def reason(self) -> str:
        values = {"city": self.city, "alike": self.alike, "compared": self.compared}
        if self.resembles:
            return (
                ngettext(
                    "%(city)s's context resembles yours: %(alike)s of %(compared)s condition alike",
                    "%(city)s's context resembles yours: %(alike)s of %(compared)s conditions alike",
                    self.compared,
                )
                % values
            )
        return (
            ngettext(
                "%(city)s's context differs from yours: %(alike)s of %(compared)s condition alike",
                "%(city)s's context differs from yours: %(alike)s of %(compared)s conditions alike",
                self.compared,
            )
            % values
        )


def likeness(city: str, ours: Profile, theirs: Profile | None) -> Likeness | None:
    """None when either profile is unknown or they assess no condition in common."""
    if not ours or not theirs:
        return None
    common = ours.keys() & theirs.keys()
    if not common:
        return None
    return Likeness(city, sum(ours[title] == theirs[title] for title in common), len(common))


def context_rank(found: Likeness | None) -> tuple[int, Fraction, int]:
    """Sorts known likenesses first, most alike first (then the more conditions compared), unknown last."""
    if found is None:
        return (1, Fraction(0), 0)
    return (0, -found.share, -found.compared)


@dataclass
class Recommendation:
    practice: Practice  # with city loaded
    same_factor: bool
    reason: str  # why it is shown: the same key factor, or the topics it shares with the gap
    likeness: Likeness | None = None
    relevance: int = 0  # topics shared with the gap (similar factors only)

    @property
    def reasons(self) -> list[str]:
        return [self.reason] + ([self.likeness.reason()] if self.likeness else [])


@dataclass
class GapPractices:
    gap: FactorResult
    same: list[Recommendation] = field(default_factory=list)
    similar: list[Recommendation] = field(default_factory=list)
    same_total: int = 0
    similar_total: int = 0
    search_url: str = ""  # the practice library filtered by this key factor

    @property
    def more_same(self) -> int:
        return self.same_total - len(self.same)


def city_profiles(city_ids: Iterable[int]) -> dict[int, Profile]:
    """Each city's context profile (see the module docstring), in one query; cities without one are absent."""
    ids = set(city_ids)
    if not ids:
        return {}
    rows = ContextNote.objects.filter(
        assessment__workspace__city_id__in=ids,
        assessment__deleted_at__isnull=True,
        assessment__status__in=PROFILE_STATUSES,
        assessment__visibility__in=PROFILE_VISIBILITIES,
    ).values_list(
        "assessment__workspace__city_id",
        "assessment_id",
        "assessment__round",
        "assessment__created_at",
        "context_factor__title",
        "effect",
    )
    latest: dict[int, tuple[Any, ...]] = {}
    notes: dict[int, list[tuple[str, str]]] = {}
    for city_id, assessment_id, round_, created_at, title, effect in rows:
        key = (round_, created_at, assessment_id)
        if city_id not in latest or key > latest[city_id]:
            latest[city_id] = key
        notes.setdefault(assessment_id, []).append((title, effect))
    profiles = {city_id: profile_of(notes[key[2]]) for city_id, key in latest.items()}
    return {city_id: profile for city_id, profile in profiles.items() if profile}


def _topics(names: Sequence[str]) -> str:
    quoted = [f"“{name}”" for name in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return _("%(first)s and %(last)s") % {"first": ", ".join(quoted[:-1]), "last": quoted[-1]}


@dataclass
class _Crosswalk:
    """The gaps' topics and the key factors of other benchmarks that share one, with their practices."""

    gap_topics: dict[int, set[int]]  # gap key factor -> its topics
    topic_names: dict[int, str]
    # other key factor -> (title, benchmark title, its topics among the gaps', its practices)
    others: dict[int, tuple[str, str, set[int], set[int]]]


def _crosswalk(gap_factor_ids: Iterable[int], benchmark_id: int) -> _Crosswalk:
    gap_topics: dict[int, set[int]] = {}
    topic_names: dict[int, str] = {}
    for factor_id, topic_id, name in KeyFactor.topics.through.objects.filter(
        keyfactor_id__in=list(gap_factor_ids)
    ).values_list("keyfactor_id", "topic_id", "topic__name"):
        gap_topics.setdefault(factor_id, set()).add(topic_id)
        topic_names[topic_id] = name
    similar_rows = (
        KeyFactor.topics.through.objects.filter(topic_id__in=topic_names)
        .exclude(keyfactor__version__benchmark_id=benchmark_id)
        .values_list(
            "topic_id", "keyfactor_id", "keyfactor__title", "keyfactor__version__title", "keyfactor__practices"
        )
    )
    others: dict[int, tuple[str, str, set[int], set[int]]] = {}
    for topic_id, factor_id, title, benchmark_title, practice_id in similar_rows:
        entry = others.setdefault(factor_id, (title, benchmark_title, set(), set()))
        entry[2].add(topic_id)
        if practice_id is not None:
            entry[3].add(practice_id)
    return _Crosswalk(gap_topics, topic_names, others)


def _same_factor_practices(benchmark_id: int, slugs: Iterable[str]) -> dict[str, set[int]]:
    """Key factor slug -> the practices of that key factor in any version of the benchmark."""
    rows = Practice.key_factors.through.objects.filter(
        keyfactor__version__benchmark_id=benchmark_id, keyfactor__slug__in=list(slugs)
    ).values_list("practice_id", "keyfactor__slug")
    found: dict[str, set[int]] = {}
    for practice_id, slug in rows:
        found.setdefault(slug, set()).add(practice_id)
    return found


def _similar(
    key_factor: KeyFactor,
    crosswalk: _Crosswalk,
    practices: dict[int, Practice],
    likenesses: dict[int, Likeness | None],
    seen: set[int],
) -> list[Recommendation]:
    """The practices of key factors sharing a topic with this gap, each once, for its most relevant one."""
    best: dict[int, Recommendation] = {}
    for title, benchmark_title, topics, practice_ids in crosswalk.others.values():
        shared = topics & crosswalk.gap_topics.get(key_factor.pk, set())
        if not shared:
            continue
        names = [crosswalk.topic_names[t] for t in sorted(shared, key=lambda t: crosswalk.topic_names[t])]
        reason = _("Also about %(topics)s in %(benchmark)s, key factor “%(factor)s”") % {
            "topics": _topics(names),
            "benchmark": benchmark_title,
            "factor": title,
        }
        for pk in practice_ids:
            if pk not in practices or pk in seen:
                continue
            practice = practices[pk]
            candidate = Recommendation(practice, False, reason, likenesses[practice.city_id], len(shared))
            known = best.get(pk)
            # The most relevant similar key factor gives the reason; ties go by the reason's text.
            if known is None or (-candidate.relevance, candidate.reason) < (-known.relevance, known.reason):
                best[pk] = candidate
    return sorted(
        best.values(),
        key=lambda r: (-r.relevance, context_rank(r.likeness), r.practice.city.name, r.practice.title),
    )


def recommend(
    results: Results, *, same_limit: int = SAME_FACTOR_LIMIT, similar_limit: int = SIMILAR_FACTOR_LIMIT
) -> list[GapPractices]:
    """Practices for each priority gap, in the gaps' order (see the module docstring)."""
    gaps = results.priority_gaps()
    if not gaps:
        return []
    assessment = results.assessment
    benchmark_id = assessment.benchmark_version.benchmark_id
    benchmark_slug = Benchmark.objects.values_list("slug", flat=True).get(pk=benchmark_id)
    gap_factors = {gap.factor.key_factor_id: gap.factor.key_factor for gap in gaps}
    crosswalk = _crosswalk(gap_factors, benchmark_id)
    same_by_slug = _same_factor_practices(benchmark_id, (kf.slug for kf in gap_factors.values()))

    wanted = set().union(*same_by_slug.values(), *(entry[3] for entry in crosswalk.others.values()))
    practices = {
        p.pk: p
        for p in Practice.objects.filter(pk__in=wanted)
        .exclude(city_id=assessment.workspace.city_id)
        .select_related("city")
        .only("slug", "title", "summary", "kind", "city__name", "city__slug", "city__country")
    }
    profiles = city_profiles({p.city_id for p in practices.values()})
    ours = profile_of((n.context_factor.title, n.effect) for n in results.context_notes)
    likenesses = {
        city_id: likeness(city_name, ours, profiles.get(city_id))
        for city_id, city_name in {(p.city_id, p.city.name) for p in practices.values()}
    }

    found = []
    for gap in gaps:
        key_factor = gap.factor.key_factor
        same_reason = _("An example of the same key factor, “%(factor)s”") % {"factor": key_factor.title}
        same = [
            Recommendation(practices[pk], True, same_reason, likenesses[practices[pk].city_id])
            for pk in same_by_slug.get(key_factor.slug, set())
            if pk in practices
        ]
        same.sort(key=lambda r: (context_rank(r.likeness), r.practice.city.name, r.practice.title))
        similar = _similar(key_factor, crosswalk, practices, likenesses, {r.practice.pk for r in same})
        search = urlencode({"factor": f"{benchmark_slug}.{key_factor.slug}"})
        found.append(
            GapPractices(
                gap=gap,
                same=same[:same_limit],
                same_total=len(same),
                similar=similar[:similar_limit],
                similar_total=len(similar),
                search_url=reverse("practices:library") + "?" + search,
            )
        )
    return found
