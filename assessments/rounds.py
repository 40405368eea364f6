"""Rounds: a city's next self-assessment of a benchmark starts from its previous one (docs/roles.md, "Rounds").

`do_start_next_round` starts a draft against the benchmark's current version and carries over what the
team wrote in the previous round: answers with their comments, ratings with their justifications,
context notes (with the key factors they bear on), and whatever the apps above carry through `carry_also`
(evidence links: `evidence.rounds.carry_evidence`, the same items of the workspace's library, never
copies). Carried key factors are marked "to review" until someone saves them or keeps
them as they are (`do_keep_factor`).

The benchmark may have a newer version than the previous round's: key factors are matched by slug,
guide questions by number within their key factor, context factors by number. What has no match is not
carried; the new round's "started" event lists it, and the overview says so. A rating that is not a
level of the new version's scale is not carried either.

Partner ratings are not carried: they are each organisation's view of that round, given again in the
next. Nor is the team's discussion (comments on key factors): it belongs to the round it was held in.

The previous round is never changed: it is submitted or finalised (so read-only already) and keeps its
status; it gains one history event, "Next round started from this one".

`progress_over_rounds` reads every round of a benchmark in a workspace in a fixed number of queries.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from assessments import access, actions
from assessments.models import Assessment, AssessmentEvent, ContextNote, FactorAssessment, QuestionAnswer
from assessments.results import FactorResult, Results, standard_level, standing
from benchmarks.models import Benchmark, KeyFactor, RatingLevel
from cities.access import role_in
from cities.models import Workspace

SEPARATOR = "; "


def suggested_round(previous: Assessment, today: date | None = None) -> str:
    """The next year after the previous round's (when it is a year), and never before this year."""
    year = (today or date.today()).year
    if previous.round.isdigit():
        return str(max(int(previous.round) + 1, year))
    return str(year)


@dataclass(frozen=True)
class NextRound:
    """A next round being started, for the apps above that carry rows of their own into it (`carry_also`)."""

    old: Assessment
    new: Assessment
    factors: dict[str, FactorAssessment]  # the new round's key factors, by slug
    answers: dict[int, QuestionAnswer]  # the primary key of an old round's answer -> the new round's answer
    by: User


Carrier = Callable[[NextRound], dict[str, Any]]
"""Brings an app's own rows into the new round, in its transaction; returns what it carried, for the history."""


def do_start_next_round(
    previous: Assessment, round: str, *, by: User, carry_also: Sequence[Carrier] = ()
) -> Assessment:
    """A draft of round `round` of the benchmark's current version, carried over from `previous`, with what
    the callers' `carry_also` bring (the next-round page passes the evidence's).

    Everything happens in one transaction: a refusal (AssessmentError) leaves nothing behind."""
    round = round.strip()
    with transaction.atomic():
        old = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("benchmark_version__benchmark", "workspace")
            .get(pk=previous.pk)
        )
        if old.deleted_at is not None:
            raise actions.AssessmentError(_("This assessment is deleted."))
        role = role_in(by, old.workspace)
        if not access.can_manage_assessment(role):
            raise actions.AssessmentError(_("Only the workspace's coordinators start a new round."))
        if not access.can_start_next_round(old, role):
            raise actions.AssessmentError(
                _(
                    "Submit the assessment before starting the next round from it: "
                    "a %(status)s one is still being written."
                )
                % {"status": old.get_status_display().lower()}
            )
        benchmark = Benchmark.objects.select_related("current_version").get(pk=old.benchmark_version.benchmark_id)
        version = benchmark.current_version
        if version is None:
            raise actions.AssessmentError(_("This benchmark is no longer published."))
        if not round:
            raise actions.AssessmentError(
                _("Name the new round, for example %(year)s.") % {"year": suggested_round(old)}
            )
        if round == old.round:
            raise actions.AssessmentError(
                _("The new round needs a name of its own: %(round)s is the round it starts from.") % {"round": round}
            )
        # As do_start_assessment does: with the workspace locked, two starts of one round are serialised.
        Workspace.objects.select_for_update().get(pk=old.workspace_id)
        same_round = Assessment.objects.alive().filter(
            workspace_id=old.workspace_id, benchmark_version__benchmark=benchmark, round=round
        )
        if same_round.exclude(status=Assessment.Status.FINALISED).exists():
            raise actions.AssessmentError(
                _("An assessment of this benchmark for round %(round)s is already open.") % {"round": round}
            )
        if same_round.exists():
            raise actions.AssessmentError(
                _("Round %(round)s of this benchmark is already finalised; choose another name for the new round.")
                % {"round": round}
            )
        new = actions.do_start_assessment(old.workspace, version, round, by=by)
        new.previous_round = old
        new.save(update_fields=["previous_round"])
        changes, carried = _carry_over(old, new, by=by)
        for carry in carry_also:
            changes |= carry(carried)
        AssessmentEvent.objects.filter(assessment=new, action=AssessmentEvent.Action.STARTED).update(
            changes={"round": round, "from_round": old.round, "from_assessment": str(old.public_id), **changes}
        )
        AssessmentEvent.objects.create(
            assessment=old,
            by=by,
            action=AssessmentEvent.Action.NEXT_ROUND_STARTED,
            changes={"round": round, "assessment": str(new.public_id), "version": version.number},
        )
        return new


def _carry_over(old: Assessment, new: Assessment, *, by: User) -> tuple[dict[str, Any], NextRound]:
    """Copies the team's work from `old` into the fresh rows of `new`; returns what was (not) carried."""
    levels = {level.value for level in new.benchmark_version.rating_levels()}
    old_factors = {f.key_factor.slug: f for f in old.factors.select_related("key_factor")}
    new_factors = {f.key_factor.slug: f for f in new.factors.select_related("key_factor")}
    old_answers: dict[int, dict[int, QuestionAnswer]] = defaultdict(dict)
    for answer in QuestionAnswer.objects.filter(factor__assessment=old).select_related("question"):
        old_answers[answer.factor_id][answer.question.number] = answer
    new_answers: dict[int, dict[int, QuestionAnswer]] = defaultdict(dict)
    for answer in QuestionAnswer.objects.filter(factor__assessment=new).select_related("question"):
        new_answers[answer.factor_id][answer.question.number] = answer

    not_carried: dict[str, list[str]] = {"key_factors": [], "questions": [], "ratings": [], "context_factors": []}
    carried_factors: list[FactorAssessment] = []
    carried_answers: list[QuestionAnswer] = []
    answer_map: dict[int, QuestionAnswer] = {}  # old QuestionAnswer pk -> the new one
    for slug, before in old_factors.items():
        after = new_factors.get(slug)
        if after is None:
            not_carried["key_factors"].append(before.key_factor.title)
            continue
        if before.rating is not None and before.rating not in levels:
            not_carried["ratings"].append(f"{before.key_factor.title} ({before.rating})")
        else:
            after.rating = before.rating
        after.justification = before.justification
        after.to_review = True
        carried_factors.append(after)
        targets = new_answers[after.pk]
        for number, answer in old_answers[before.pk].items():
            target = targets.get(number)
            if target is None:
                if answer.answer or answer.comment:
                    not_carried["questions"].append(f"{before.key_factor.number}.{number} ({before.key_factor.title})")
                continue
            target.answer = answer.answer
            target.comment = answer.comment
            carried_answers.append(target)
            answer_map[answer.pk] = target
    FactorAssessment.objects.bulk_update(carried_factors, ["rating", "justification", "to_review"])
    QuestionAnswer.objects.bulk_update(carried_answers, ["answer", "comment"])

    # Context notes, by context factor number; the key factors they bear on, by slug in the new version.
    new_key_factors = {kf.slug: kf for kf in KeyFactor.objects.filter(version_id=new.benchmark_version_id)}
    new_notes = {n.context_factor.number: n for n in new.context_notes.select_related("context_factor")}
    carried_notes: list[ContextNote] = []
    bears_on: list[Any] = []
    Through = ContextNote.key_factors.through
    for note in old.context_notes.select_related("context_factor").prefetch_related("key_factors"):
        into = new_notes.get(note.context_factor.number)
        assessed = bool(note.effect or note.competence or note.note)
        if into is None:
            if assessed:
                not_carried["context_factors"].append(note.context_factor.title)
            continue
        into.effect, into.competence, into.note = note.effect, note.competence, note.note
        carried_notes.append(into)
        for key_factor in note.key_factors.all():
            match = new_key_factors.get(key_factor.slug)
            if match is not None:
                bears_on.append(Through(contextnote_id=into.pk, keyfactor_id=match.pk))
    ContextNote.objects.bulk_update(carried_notes, ["effect", "competence", "note"])
    Through.objects.bulk_create(bears_on)

    changes = {
        "key_factors_to_review": len(carried_factors),
        "answers_carried": sum(bool(a.answer or a.comment) for a in carried_answers),
        "context_notes_carried": sum(bool(n.effect or n.competence or n.note) for n in carried_notes),
        **{f"not_carried_{key}": SEPARATOR.join(values) for key, values in not_carried.items() if values},
    }
    return changes, NextRound(old, new, new_factors, answer_map, by)


def do_keep_factor(factor: FactorAssessment, *, by: User) -> FactorAssessment:
    """The team reviewed a carried key factor and keeps it unchanged: it is no longer "to review".

    Its lock_version stays as it is: nothing the team wrote changed, so an open form is not made stale."""
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=factor.assessment_id)
        if not assessment.is_editable:
            raise actions.AssessmentError(
                _("This assessment is %(status)s and cannot be changed.")
                % {"status": assessment.get_status_display().lower()}
            )
        locked = FactorAssessment.objects.select_for_update(of=("self",)).select_related("key_factor").get(pk=factor.pk)
        if not locked.to_review:
            return locked
        locked.to_review = False
        locked.updated_by = by
        locked.save(update_fields=["to_review", "updated_by", "updated_at"])
        AssessmentEvent.objects.create(
            assessment=assessment,
            by=by,
            action=AssessmentEvent.Action.FACTOR_SAVED,
            changes={
                "key_factor": locked.key_factor.slug,
                "to_review": {"from": True, "to": False},
                "kept_as_it_is": True,
            },
        )
        return locked


# ---- Progress over rounds ----


@dataclass
class RoundColumn:
    assessment: Assessment
    results: Results  # built from rows already read (no query of its own)
    colour: str

    @property
    def label(self) -> str:
        return self.assessment.round


@dataclass
class FactorProgress:
    slug: str
    number: int
    title: str
    cells: list[RatingLevel | bool | None]  # per round: the level, None unrated, False not in that round's version
    change: int | None = None  # latest rated round minus the one before it (in levels of value)
    change_from: str = ""
    change_to: str = ""


@dataclass
class Progress:
    benchmark: Benchmark
    rounds: list[RoundColumn]
    factors: list[FactorProgress] = field(default_factory=list)
    levels: list[RatingLevel] = field(default_factory=list)  # the current version's scale
    standard: RatingLevel | None = None


# Colours for the rounds of the chart, oldest first; dark enough for a 3:1 contrast with white and
# told apart by the legend and the text at each bar's end, never by colour alone.
ROUND_COLOURS = ["#6b6b6b", "#1f5f99", "#2e7d32", "#8a4b00", "#6a1b9a", "#00695c"]


def rounds_of(workspace: Workspace, benchmark: Benchmark) -> list[Assessment]:
    return list(
        Assessment.objects.alive()
        .filter(workspace=workspace, benchmark_version__benchmark=benchmark)
        .select_related("benchmark_version__rating_scale")
        .order_by("round", "created_at", "pk")
    )


def progress_over_rounds(workspace: Workspace, benchmark: Benchmark) -> Progress:
    """Every alive round of `benchmark` in `workspace`, oldest first, and each key factor across them,
    matched by slug. Four queries, whatever the number of rounds, factors and versions."""
    assessments = rounds_of(workspace, benchmark)
    scale_ids = {a.benchmark_version.rating_scale_id for a in assessments}
    if benchmark.current_version is not None:
        scale_ids.add(benchmark.current_version.rating_scale_id)
    levels_by_scale: dict[int, list[RatingLevel]] = defaultdict(list)
    for level in RatingLevel.objects.filter(scale_id__in=scale_ids).order_by("value"):
        levels_by_scale[level.scale_id].append(level)
    factors_by_assessment: dict[int, list[FactorAssessment]] = defaultdict(list)
    rows = (
        FactorAssessment.objects.filter(assessment__in=[a.pk for a in assessments])
        .select_related("key_factor")
        .order_by("key_factor__kind", "key_factor__number")
    )
    for row in rows:
        factors_by_assessment[row.assessment_id].append(row)
    columns = []
    for n, assessment in enumerate(assessments):
        version = assessment.benchmark_version
        levels = levels_by_scale[version.rating_scale_id]
        results = _results(assessment, levels, factors_by_assessment[assessment.pk])
        columns.append(RoundColumn(assessment, results, ROUND_COLOURS[n % len(ROUND_COLOURS)]))
    current_levels = (
        levels_by_scale.get(benchmark.current_version.rating_scale_id, []) if benchmark.current_version else []
    )
    current_standard = (
        standard_level(current_levels, benchmark.current_version.rating_scale.standard_level)
        if benchmark.current_version
        else None
    )
    progress = Progress(benchmark=benchmark, rounds=columns, levels=current_levels, standard=current_standard)
    # Key factors in the latest round's order, then any only older rounds had.
    order: dict[str, tuple[int, str]] = {}
    for column in reversed(columns):
        for result in column.results.factors:
            key_factor = result.factor.key_factor
            order.setdefault(key_factor.slug, (key_factor.number, key_factor.title))
    by_round = [{r.factor.key_factor.slug: r for r in column.results.factors} for column in columns]
    for slug, (number, title) in order.items():
        cells: list[RatingLevel | bool | None] = []
        for found in by_round:
            in_round = found.get(slug)
            cells.append(False if in_round is None else in_round.level)
        item = FactorProgress(slug=slug, number=number, title=title, cells=cells)
        rated = [
            (column.label, cell) for column, cell in zip(columns, cells, strict=True) if isinstance(cell, RatingLevel)
        ]
        if len(rated) >= 2:
            (before_round, before), (after_round, after) = rated[-2], rated[-1]
            item.change, item.change_from, item.change_to = after.value - before.value, before_round, after_round
        progress.factors.append(item)
    return progress


def _results(assessment: Assessment, levels: list[RatingLevel], factors: list[FactorAssessment]) -> Results:
    """The round's Results (share at the standard, mean rating) as the results page computes them, from
    rows already read: answers, partner ratings and notes are not needed for these numbers."""
    standard = standard_level(levels, assessment.benchmark_version.rating_scale.standard_level)
    place = standing(levels, standard)
    found = []
    for factor in factors:
        level, below = place(factor.rating)
        found.append(FactorResult(factor=factor, level=level, levels_below_standard=below))
    return Results(assessment=assessment, levels=levels, standard=standard, factors=found, context_notes=[])


def not_in_new_version(assessment: Assessment, benchmark: Benchmark) -> list[KeyFactor]:
    """Key factors of the assessment's version that the benchmark's current version lacks (matched by slug)."""
    current = benchmark.current_version
    if current is None or current.pk == assessment.benchmark_version_id:
        return []
    slugs = set(KeyFactor.objects.filter(version=current).values_list("slug", flat=True))
    return [kf for kf in KeyFactor.objects.filter(version_id=assessment.benchmark_version_id) if kf.slug not in slugs]
