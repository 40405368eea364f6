"""Learning from each other, without leaking: the members' ratings side by side, who is strong where a member
city is weak, and the community's own summary.

What counts, and how it shows. For each of the community's benchmarks, each active member city contributes
through one of two doors, never both:

- **named**, while its coordinators consent (`CityMember.shares_ratings`): its latest assessment of the
  benchmark that is submitted or finalised and not deleted, whatever its visibility (the consent covers it),
  shown with the city's name and the level's label on that assessment's own scale;
- **anonymous** otherwise, from its latest *published* assessment (submitted or finalised) only, counted in a
  distribution (how many cities at each level, below the standard, at it or above) that is shown only when at
  least `MINIMUM` cities are in it. A city that consents is never in the distribution, so subtracting the named
  part from it reveals nothing; and below the minimum no count of the group is given, not even of the cities
  left out, which subtraction from the member list would turn into it.

A city that neither consents nor published is absent, and the pages say how many are not shown and why. Its
unpublished work never counts anywhere, not even in a count.

Key factors are compared across benchmark versions by their slug, each rating placed on its own version's
scale against that scale's standard. A topic community's key factors span several benchmarks: each page
groups them by benchmark, and the comparisons stay within one benchmark.

**Strengths** ("who is strong where I am weak") ranks the other member cities for one assessment of the
viewer's own member city with mentor matching's reasons (`mentoring.matching`): its priority gaps (among the
community's key factors) at the standard or better there, their practices in the library on those key factors,
how far their context resembles, and their completed mentorships. Their numbers come through the same two
doors, and each reason says which. Context is compared only from a *published* assessment: the consent covers a
city's ratings, not its context notes (and, as `assessments.recommend` explains, anyone could vary their own
draft's effects and read another city's unpublished effects off "k of n alike"). Strengths compare within one
benchmark: a topic community's page offers the choice among the topic's benchmarks (`?benchmark=slug`), the
first by default.

**The summary** counts, per key factor, the cities below the standard, and per key factor how many cities went
up, stayed or went down between their last two rounds. It counts the named cities always, and the anonymous ones
only where at least `MINIMUM` of them are counted (otherwise they are left out, and the page says so). The
practices members use are the library's practices of member cities on the community's key factors (public), and
the practices adapted by actions of the action plans of *consenting* member cities: a plan is never published
(actionplans/access.py), so only consenting cities' plans are read, and only the practice and how many member
cities adapt it, never the action's details.

Every function reads in a fixed number of queries, whatever the number of member cities (docs/quality.md F1).
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actionplans.models import Action
from assessments.models import Assessment, FactorAssessment
from assessments.recommend import PROFILE_STATUSES, Likeness, likeness, profile_of
from assessments.results import PEER_MINIMUM, FactorResult, Results, standard_level, standing
from benchmarks.models import Benchmark, BenchmarkVersion, KeyFactor, RatingLevel
from communities.models import CityMember, Community
from mentoring.matching import Source, assessment_profiles, city_practices, strength_on_gaps
from mentoring.models import MentorOffer, Mentorship
from practices.models import Practice

# The anonymous part of a page is shown only from this many cities (the same minimum as the results page's
# peer distribution, docs/roles.md "Results").
MINIMUM = PEER_MINIMUM

Place = Callable[[int | None], tuple[RatingLevel | None, int | None]]


# ---- what is read: each member city's assessments, through its door


@dataclass(frozen=True, slots=True)
class Rated:
    """One assessment a member city's numbers come from."""

    assessment_id: int
    public_id: UUID
    round: str
    published: bool
    scale_id: int
    standard_value: int | None


@dataclass
class Track:
    """A member city on one benchmark: named (it consents) or not, its latest assessment through its door and
    the one of the round before, through the same door."""

    member: CityMember
    named: bool
    latest: Rated | None = None
    previous: Rated | None = None

    @property
    def city_name(self) -> str:
        return self.member.workspace.city.name

    def words(self) -> str:
        """Where its numbers come from, in the words each reason ends with."""
        assert self.latest is not None  # noqa: S101 - only asked of a track with data
        if self.named:
            return _("from its %(round)s assessment, shared with this community") % {"round": self.latest.round}
        return _("from its published %(round)s assessment") % {"round": self.latest.round}


@dataclass
class Theme:
    """One benchmark of the community, its key factors (current version) and its member cities by door."""

    benchmark: Benchmark
    version: BenchmarkVersion
    key_factors: list[KeyFactor]
    named: list[Track] = field(default_factory=list)  # consenting cities, with data or not
    anonymous: list[Track] = field(default_factory=list)  # the others with a published assessment
    silent: list[CityMember] = field(default_factory=list)  # neither consent nor anything published

    @property
    def title(self) -> str:
        return self.version.title

    @property
    def shown(self) -> bool:
        """Whether the anonymous part is shown at all."""
        return len(self.anonymous) >= MINIMUM

    @property
    def named_with_data(self) -> list[Track]:
        return [t for t in self.named if t.latest is not None]

    @property
    def named_without_data(self) -> list[Track]:
        return [t for t in self.named if t.latest is None]

    @property
    def not_named(self) -> int:
        """The member cities not shown by name: the anonymous group and the silent ones, told apart only when the
        anonymous group is shown (else its size would be the member count minus the rest)."""
        return len(self.anonymous) + len(self.silent)


class Scales:
    """The rating levels of the scales in play, read once, and one `standing` per scale and standard."""

    def __init__(self, scale_ids: Iterable[int]) -> None:
        self.levels: dict[int, list[RatingLevel]] = {}
        for level in RatingLevel.objects.filter(scale_id__in=set(scale_ids)).order_by("value"):
            self.levels.setdefault(level.scale_id, []).append(level)
        self._places: dict[tuple[int, int | None], Place] = {}

    def standard(self, scale_id: int, standard_value: int | None) -> RatingLevel | None:
        return standard_level(self.levels.get(scale_id, []), standard_value)

    def place(self, scale_id: int, standard_value: int | None) -> Place:
        key = (scale_id, standard_value)
        if key not in self._places:
            self._places[key] = standing(self.levels.get(scale_id, []), self.standard(*key))
        return self._places[key]

    def of(self, rated: Rated, rating: int | None) -> tuple[RatingLevel | None, int | None]:
        """A rating's level on its assessment's own scale, and how many levels below that scale's standard."""
        return self.place(rated.scale_id, rated.standard_value)(rating)


@dataclass
class Gathered:
    community: Community
    members: list[CityMember]
    themes: list[Theme]
    scales: Scales
    ratings: dict[int, dict[str, int | None]]  # assessment -> key factor slug -> rating

    def rating(self, rated: Rated | None, slug: str) -> tuple[RatingLevel | None, int | None]:
        if rated is None:
            return None, None
        return self.scales.of(rated, self.ratings.get(rated.assessment_id, {}).get(slug))


def active_members(community: Community) -> list[CityMember]:
    return list(
        CityMember.objects.filter(community=community, status=CityMember.Status.ACTIVE).select_related(
            "workspace__city"
        )
    )


def themes_of(community: Community) -> list[Theme]:
    """The community's benchmarks with their key factors (current versions), in the key factors' order. One
    query."""
    themes: dict[int, Theme] = {}
    for key_factor in community.key_factors().select_related("version__rating_scale"):
        version = key_factor.version
        theme = themes.get(version.benchmark_id)
        if theme is None:
            theme = themes[version.benchmark_id] = Theme(version.benchmark, version, [])
        theme.key_factors.append(key_factor)
    return list(themes.values())


def _tracks(members: Sequence[CityMember], themes: Sequence[Theme]) -> None:
    """Fills each theme's named, anonymous and silent cities. One query: every submitted or finalised, not
    deleted assessment of the member cities on the themes' benchmarks; which of them may count is decided here,
    per city (its door), so the query stays one whatever the number of cities."""
    rows: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
    for workspace_id, benchmark_id, *row in (
        Assessment.objects.alive()
        .filter(
            workspace_id__in=[m.workspace_id for m in members],
            benchmark_version__benchmark_id__in=[t.benchmark.pk for t in themes],
            status__in=PROFILE_STATUSES,
        )
        .order_by()
        .values_list(
            "workspace_id",
            "benchmark_version__benchmark_id",
            "round",
            "created_at",
            "pk",
            "public_id",
            "visibility",
            "benchmark_version__rating_scale_id",
            "benchmark_version__rating_scale__standard_level",
        )
    ):
        rows.setdefault((workspace_id, benchmark_id), []).append(tuple(row))
    for theme in themes:
        for member in members:
            named = member.shares_ratings
            found = sorted(rows.get((member.workspace_id, theme.benchmark.pk), []), reverse=True)
            if not named:
                found = [r for r in found if r[4] == Assessment.Visibility.PUBLISHED]
            track = Track(member, named)
            if found:
                track.latest = _rated(found[0])
                before = next((r for r in found if r[0] < found[0][0]), None)
                track.previous = _rated(before) if before is not None else None
            if named:
                theme.named.append(track)
            elif track.latest is not None:
                theme.anonymous.append(track)
            else:
                theme.silent.append(member)


def _rated(row: tuple[Any, ...]) -> Rated:
    round_, _created_at, pk, public_id, visibility, scale_id, standard_value = row
    return Rated(pk, public_id, round_, visibility == Assessment.Visibility.PUBLISHED, scale_id, standard_value)


def gather(community: Community, *, previous: bool = False, themes: Sequence[Theme] | None = None) -> Gathered:
    """The member cities on each theme and their ratings of the community's key factors (latest assessments,
    and with `previous` the round before too). Five queries."""
    members = active_members(community)
    found = list(themes) if themes is not None else themes_of(community)
    _tracks(members, found)
    chosen: list[Rated] = []
    for theme in found:
        for track in [*theme.named, *theme.anonymous]:
            chosen += [r for r in (track.latest, track.previous if previous else None) if r is not None]
    slugs = {kf.slug for theme in found for kf in theme.key_factors}
    ratings: dict[int, dict[str, int | None]] = {}
    if chosen:
        for assessment_id, slug, rating in FactorAssessment.objects.filter(
            assessment_id__in=[r.assessment_id for r in chosen], key_factor__slug__in=slugs
        ).values_list("assessment_id", "key_factor__slug", "rating"):
            ratings.setdefault(assessment_id, {})[slug] = rating
    scale_ids = {r.scale_id for r in chosen} | {t.version.rating_scale_id for t in found}
    return Gathered(community, members, found, Scales(scale_ids), ratings)


# ---- 1. the members' ratings side by side


@dataclass
class Cell:
    track: Track
    level: RatingLevel | None
    below: int | None  # levels below its own scale's standard (0 at it, negative above); None unrated

    @property
    def meets_standard(self) -> bool:
        return self.below is not None and self.below <= 0


@dataclass
class Distribution:
    """How many of the anonymous cities rate a key factor at each level of the current version's scale."""

    counts: list[tuple[RatingLevel, int]]
    other_scale: int  # rated on another version's scale (counted below or at the standard, not by level)
    below: int
    at_or_above: int
    not_rated: int


@dataclass
class RatingRow:
    key_factor: KeyFactor
    cells: list[Cell]
    distribution: Distribution | None


@dataclass
class ThemeRatings:
    theme: Theme
    levels: list[RatingLevel]  # the current version's scale
    standard: RatingLevel | None
    rows: list[RatingRow]

    @property
    def other_scales(self) -> bool:
        return any(row.distribution and row.distribution.other_scale for row in self.rows)


def _distribution(gathered: Gathered, theme: Theme, key_factor: KeyFactor, levels: list[RatingLevel]) -> Distribution:
    current = theme.version.rating_scale_id
    at_level: Counter[int] = Counter()
    other = below = above = not_rated = 0
    for track in theme.anonymous:
        assert track.latest is not None  # noqa: S101 - the anonymous group has data by definition
        level, distance = gathered.rating(track.latest, key_factor.slug)
        if level is None or distance is None:
            not_rated += 1
            continue
        if track.latest.scale_id == current:
            at_level[level.value] += 1
        else:
            other += 1
        if distance > 0:
            below += 1
        else:
            above += 1
    return Distribution([(level, at_level[level.value]) for level in levels], other, below, above, not_rated)


def ratings(community: Community) -> list[ThemeRatings]:
    """The ratings page: per benchmark, the named cities' ratings per key factor and, from MINIMUM cities, the
    anonymous distribution. Five queries."""
    gathered = gather(community)
    found = []
    for theme in gathered.themes:
        version = theme.version
        levels = gathered.scales.levels.get(version.rating_scale_id, [])
        standard = gathered.scales.standard(version.rating_scale_id, version.rating_scale.standard_level)
        rows = []
        for key_factor in theme.key_factors:
            cells = [Cell(t, *gathered.rating(t.latest, key_factor.slug)) for t in theme.named_with_data]
            distribution = _distribution(gathered, theme, key_factor, levels) if theme.shown else None
            rows.append(RatingRow(key_factor, cells, distribution))
        found.append(ThemeRatings(theme, levels, standard, rows))
    return found


# ---- 3. the community's summary


@dataclass
class HardRow:
    key_factor: KeyFactor
    below: int  # cities below the standard
    rated: int  # cities that rate it


@dataclass
class ChangeRow:
    key_factor: KeyFactor
    up: int
    same: int
    down: int

    @property
    def total(self) -> int:
        return self.up + self.same + self.down


@dataclass
class ThemeSummary:
    theme: Theme
    anonymous_counted: bool  # whether the anonymous cities count in `hard`
    hard: list[HardRow]  # most cities below the standard first
    cities_counted: int
    changes: list[ChangeRow]
    anonymous_in_changes: bool
    cities_with_two_rounds: int


@dataclass
class PracticeUse:
    title: str
    slug: str
    city_name: str
    cities: int  # consenting member cities whose plans adapt it


@dataclass
class Summary:
    themes: list[ThemeSummary]
    adapted: list[PracticeUse]  # from consenting cities' plans, most adapted first
    library: list[Practice]  # the library's practices of member cities on the community's key factors
    consenting: int


def _change(gathered: Gathered, track: Track, slug: str) -> int | None:
    """+1 up, 0 the same, -1 down between the track's two rounds (each on its own scale, against its
    standard); None when either round leaves the key factor unrated."""
    _level, now = gathered.rating(track.latest, slug)
    _level, before = gathered.rating(track.previous, slug)
    if now is None or before is None:
        return None
    return (before > now) - (before < now)


def _theme_summary(gathered: Gathered, theme: Theme) -> ThemeSummary:
    counted = theme.named_with_data + (theme.anonymous if theme.shown else [])
    hard = []
    for key_factor in theme.key_factors:
        distances = [gathered.rating(t.latest, key_factor.slug)[1] for t in counted]
        rated = [d for d in distances if d is not None]
        hard.append(HardRow(key_factor, sum(d > 0 for d in rated), len(rated)))
    order = {kf.pk: n for n, kf in enumerate(theme.key_factors)}
    hard.sort(key=lambda row: (-row.below, order[row.key_factor.pk]))
    # Between rounds: the anonymous cities count only when MINIMUM of them have two rounds.
    named_two = [t for t in theme.named if t.previous is not None]
    anonymous_two = [t for t in theme.anonymous if t.previous is not None]
    with_anonymous = len(anonymous_two) >= MINIMUM
    two = named_two + (anonymous_two if with_anonymous else [])
    changes = []
    for key_factor in theme.key_factors:
        moved = Counter(_change(gathered, t, key_factor.slug) for t in two)
        changes.append(ChangeRow(key_factor, moved[1], moved[0], moved[-1]))
    return ThemeSummary(theme, theme.shown, hard, len(counted), changes, with_anonymous, len(two))


def _adapted(community: Community, themes: Sequence[Theme], members: Sequence[CityMember]) -> list[PracticeUse]:
    """The practices adapted by the live actions (not dropped) of the plans of consenting member cities'
    assessments on the community's benchmarks, with how many of those cities adapt each. One query."""
    consenting = [m.workspace_id for m in members if m.shares_ratings]
    if not consenting:
        return []
    found: dict[int, PracticeUse] = {}
    rows = (
        Action.objects.alive()
        .exclude(status=Action.Status.DROPPED)
        .filter(
            adapts_practice__isnull=False,
            plan__deleted_at__isnull=True,
            plan__assessment__deleted_at__isnull=True,
            plan__assessment__workspace_id__in=consenting,
            plan__assessment__benchmark_version__benchmark_id__in=[t.benchmark.pk for t in themes],
        )
        .order_by()
        .values("adapts_practice_id", "adapts_practice__title", "adapts_practice__slug", "adapts_practice__city__name")
        .annotate(cities=Count("plan__assessment__workspace_id", distinct=True))
    )
    for row in rows:
        found[row["adapts_practice_id"]] = PracticeUse(
            row["adapts_practice__title"],
            row["adapts_practice__slug"],
            row["adapts_practice__city__name"],
            row["cities"],
        )
    return sorted(found.values(), key=lambda p: (-p.cities, p.title))


def _library(community: Community, themes: Sequence[Theme], members: Sequence[CityMember]) -> list[Practice]:
    """The library's practices of member cities on the community's key factors (by slug, any version). One
    query."""
    wanted = Q()
    for theme in themes:
        wanted |= Q(
            key_factors__version__benchmark_id=theme.benchmark.pk,
            key_factors__slug__in=[kf.slug for kf in theme.key_factors],
        )
    return list(
        Practice.objects.filter(wanted, city_id__in=[m.workspace.city_id for m in members])
        .select_related("city")
        .only("slug", "title", "city__name", "city__slug")
        .distinct()
        .order_by("city__name", "title")
    )


def summary(community: Community) -> Summary:
    """The summary page (see the module docstring). Seven queries."""
    gathered = gather(community, previous=True)
    themes = gathered.themes
    return Summary(
        themes=[_theme_summary(gathered, theme) for theme in themes],
        adapted=_adapted(community, themes, gathered.members) if themes else [],
        library=_library(community, themes, gathered.members) if themes and gathered.members else [],
        consenting=sum(m.shares_ratings for m in gathered.members),
    )


# ---- 2. who is strong where I am weak


@dataclass
class Peer:
    track: Track
    gaps_total: int
    covered: list[FactorResult]  # the viewer's gaps this city has at its standard or better
    practices: list[tuple[str, str]]  # (title, slug) of its practices in the library on the gaps' key factors
    likeness: Likeness | None
    completed: int  # mentorships it completed as a mentor city
    offers: bool  # whether it has an open mentor offer on the benchmark
    standard: RatingLevel | None

    @property
    def city_name(self) -> str:
        return self.track.city_name

    def rank(self) -> tuple[Any, ...]:
        share = self.likeness.alike / self.likeness.compared if self.likeness is not None else -1.0
        return (-len(self.covered), -len(self.practices), -share, -self.completed, self.city_name)

    @property
    def reasons(self) -> list[str]:
        """Mentor matching's reasons, each ending with where its numbers come from (context: published only)."""
        source = self.track.words()
        values: dict[str, object] = {
            "covered": len(self.covered),
            "total": self.gaps_total,
            "standard": self.standard.label if self.standard else "",
            "source": source,
        }
        found = [
            ngettext(
                "%(covered)s of your %(total)s priority gap is at “%(standard)s” or better there, %(source)s",
                "%(covered)s of your %(total)s priority gaps are at “%(standard)s” or better there, %(source)s",
                self.gaps_total,
            )
            % values
        ]
        n = len(self.practices)
        found.append(
            ngettext(
                "%(n)s practice of theirs in the library on these key factors",
                "%(n)s practices of theirs in the library on these key factors",
                n,
            )
            % {"n": n}
        )
        latest = self.track.latest
        if latest is not None and not latest.published:
            found.append(_("Context not compared: it shares its ratings with this community, not its context notes"))
        elif self.likeness is not None:
            found.append(_("%(likeness)s, %(source)s") % {"likeness": self.likeness.reason(), "source": source})
        else:
            found.append(
                _("Context not compared: 0 context conditions assessed by both cities, %(source)s") % {"source": source}
            )
        found.append(
            ngettext(
                "%(n)s mentorship completed before as a mentor city",
                "%(n)s mentorships completed before as a mentor city",
                self.completed,
            )
            % {"n": self.completed}
        )
        return found


@dataclass
class Left:
    """A member city not ranked, and why."""

    member: CityMember
    reason: str


@dataclass
class Strengths:
    theme: Theme
    results: Results
    gaps: list[FactorResult]  # the assessment's priority gaps among the community's key factors
    peers: list[Peer]
    left: list[Left]


def _completed(workspace_ids: list[int]) -> dict[int, int]:
    return dict(
        Mentorship.objects.filter(
            mentor_id__in=workspace_ids, status=Mentorship.Status.ENDED, outcome=Mentorship.Outcome.COMPLETED
        )
        .order_by()
        .values("mentor_id")
        .annotate(n=Count("pk"))
        .values_list("mentor_id", "n")
    )


def _offering(workspace_ids: list[int], benchmark_id: int) -> set[int]:
    return set(
        MentorOffer.objects.filter(workspace_id__in=workspace_ids, open=True, benchmarks=benchmark_id).values_list(
            "workspace_id", flat=True
        )
    )


def strengths(community: Community, theme: Theme, member: CityMember, results: Results) -> Strengths:
    """The other member cities ranked for this assessment's gaps on the theme's benchmark (see the module
    docstring). A fixed number of queries beside `build_results`: about a dozen."""
    gathered = gather(community, themes=[theme])
    theme = gathered.themes[0]
    slugs = {kf.slug for kf in theme.key_factors}
    gaps = [gap for gap in results.priority_gaps() if gap.factor.key_factor.slug in slugs]
    found = Strengths(theme, results, gaps, [], [])
    tracks = [t for t in (*theme.named, *theme.anonymous) if t.member.workspace_id != member.workspace_id]
    for silent in theme.silent:
        if silent.workspace_id != member.workspace_id:
            found.left.append(
                Left(silent, _("shares no ratings with this community and has published no assessment here"))
            )
    with_data = [t for t in tracks if t.latest is not None]
    for track in tracks:
        if track.latest is None:
            found.left.append(Left(track.member, _("consents to share its ratings, but has submitted none here")))
    if not gaps or not with_data:
        found.left.sort(key=lambda item: item.member.workspace.city.name)
        return found

    benchmark_id = theme.benchmark.pk
    sources: dict[int, Source] = {}
    for track in with_data:
        rated = track.latest
        assert rated is not None  # noqa: S101 - with_data
        sources[track.member.workspace_id] = Source(
            rated.assessment_id, rated.round, track.named, rated.scale_id, rated.standard_value
        )
    pool = Assessment.objects.filter(pk__in=[s.assessment_id for s in sources.values()])
    strength = strength_on_gaps(gaps, sources, pool, benchmark_id)
    practices = city_practices(benchmark_id, [gap.factor.key_factor.slug for gap in gaps])
    published = [t.latest.assessment_id for t in with_data if t.latest is not None and t.latest.published]
    profiles = assessment_profiles(Assessment.objects.filter(pk__in=published), benchmark_id) if published else {}
    ours = profile_of((n.context_factor.title, n.effect) for n in results.context_notes)
    workspace_ids = list(sources)
    completed = _completed(workspace_ids)
    offering = _offering(workspace_ids, benchmark_id)

    for track in with_data:
        workspace_id = track.member.workspace_id
        rated = track.latest
        assert rated is not None  # noqa: S101 - with_data
        if workspace_id not in strength.rated:
            found.left.append(Left(track.member, _("rates none of your priority gaps in what it shares or published")))
            continue
        found.peers.append(
            Peer(
                track=track,
                gaps_total=len(gaps),
                covered=strength.covered.get(workspace_id, []),
                practices=practices.get(track.member.workspace.city_id, []),
                likeness=likeness(track.city_name, ours, profiles.get(rated.assessment_id))
                if rated.published
                else None,
                completed=completed.get(workspace_id, 0),
                offers=workspace_id in offering,
                standard=strength.standards.get(workspace_id),
            )
        )
    found.peers.sort(key=Peer.rank)
    found.left.sort(key=lambda item: (item.member.workspace.city.name, item.reason))
    return found
