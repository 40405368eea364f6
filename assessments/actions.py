"""State changes of self-assessments. Each runs in one transaction with the rows it checks locked,
and leaves an AssessmentEvent (who, when, what changed)."""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.models import (
    Assessment,
    AssessmentEvent,
    ContextNote,
    FactorAssessment,
    QuestionAnswer,
)
from benchmarks.models import BenchmarkVersion, GuideQuestion
from cities.models import Workspace


class AssessmentError(Exception):
    """A refused change, with a message for the person who asked for it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Conflict(Exception):
    """Someone saved the key factor since the editor loaded it: both versions, so nothing typed is lost."""

    stored: dict[str, Any]
    submitted: dict[str, Any]
    stored_version: int


@dataclass
class ContextConflict(Exception):
    """Someone saved the context notes since the editor loaded them: what is stored now, to show beside
    the typed notes (which the form keeps), and the version a deliberate second save replaces."""

    stored: dict[int, ContextNote]
    stored_version: int


TRANSITIONS = {
    AssessmentEvent.Action.SUBMITTED: (
        (Assessment.Status.DRAFT, Assessment.Status.REOPENED),
        Assessment.Status.SUBMITTED,
    ),
    AssessmentEvent.Action.REOPENED: ((Assessment.Status.SUBMITTED,), Assessment.Status.REOPENED),
    AssessmentEvent.Action.FINALISED: ((Assessment.Status.SUBMITTED,), Assessment.Status.FINALISED),
}


def _lock(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("benchmark_version").get(pk=assessment.pk)


def do_start_assessment(workspace: Workspace, version: BenchmarkVersion, round: str, *, by: User) -> Assessment:
    """A draft with an empty row for every key and common factor, guide question and context factor."""
    round = round.strip()
    with transaction.atomic():
        locked = Workspace.objects.select_for_update().get(pk=workspace.pk)
        open_ones = Assessment.objects.filter(workspace=locked, benchmark_version=version, round=round)
        if open_ones.exclude(status=Assessment.Status.FINALISED).exists():
            raise AssessmentError(
                _("An assessment of this benchmark for round %(round)s is already open.") % {"round": round}
            )
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create(
                    workspace=locked, benchmark_version=version, round=round, created_by=by
                )
        except IntegrityError:
            raise AssessmentError(
                _("An assessment of this benchmark for round %(round)s is already open.") % {"round": round}
            ) from None
        factors = FactorAssessment.objects.bulk_create(
            FactorAssessment(assessment=assessment, key_factor=factor) for factor in version.factors.all()
        )
        by_factor = {fa.key_factor_id: fa for fa in factors}
        questions = GuideQuestion.objects.filter(key_factor__version=version)
        QuestionAnswer.objects.bulk_create(
            QuestionAnswer(factor=by_factor[q.key_factor_id], question=q) for q in questions
        )
        ContextNote.objects.bulk_create(
            ContextNote(assessment=assessment, context_factor=c) for c in version.context_factors.all()
        )
        AssessmentEvent.objects.create(
            assessment=assessment, by=by, action=AssessmentEvent.Action.STARTED, changes={"round": round}
        )
        return assessment


def _factor_state(factor: FactorAssessment, answers: list[QuestionAnswer]) -> dict[str, Any]:
    return {
        "rating": factor.rating,
        "justification": factor.justification,
        "answers": {str(a.question_id): a.answer for a in answers},
        "comments": {str(a.question_id): a.comment for a in answers},
    }


def do_save_factor(
    factor: FactorAssessment,
    *,
    by: User,
    expected_version: int,
    rating: int | None,
    justification: str,
    answers: dict[int, str],
    comments: dict[int, str],
) -> FactorAssessment:
    """Saves one key factor; answers and comments are keyed by GuideQuestion id.

    Raises Conflict when the row changed since `expected_version` was read (optimistic locking).
    """
    justification = justification.strip()
    with transaction.atomic():
        assessment = _lock(factor.assessment)
        if not assessment.is_editable:
            raise AssessmentError(
                _("This assessment is %(status)s and cannot be changed.")
                % {"status": assessment.get_status_display().lower()}
            )
        locked = FactorAssessment.objects.select_for_update().get(pk=factor.pk)
        rows = list(QuestionAnswer.objects.select_for_update().filter(factor=locked).order_by("question_id"))
        submitted = {
            "rating": rating,
            "justification": justification,
            "answers": {str(k): v for k, v in answers.items()},
            "comments": {str(k): v for k, v in comments.items()},
        }
        before = _factor_state(locked, rows)
        if locked.lock_version != expected_version:
            raise Conflict(stored=before, submitted=submitted, stored_version=locked.lock_version)
        scale = assessment.benchmark_version.rating_scale
        if rating is not None and not scale.levels.filter(value=rating).exists():
            raise AssessmentError(_("Choose a rating on the benchmark's scale."))
        for row in rows:
            answer = answers.get(row.question_id, row.answer)
            if answer and answer not in QuestionAnswer.Answer.values:
                raise AssessmentError(_("Choose one of the listed answers."))
            row.answer = answer
            row.comment = comments.get(row.question_id, row.comment).strip()
        QuestionAnswer.objects.bulk_update(rows, ["answer", "comment"])
        locked.rating = rating
        locked.justification = justification
        locked.lock_version += 1
        locked.updated_by = by
        locked.save(update_fields=["rating", "justification", "lock_version", "updated_by", "updated_at"])
        after = _factor_state(locked, rows)
        changes = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
        AssessmentEvent.objects.create(
            assessment=assessment,
            by=by,
            action=AssessmentEvent.Action.FACTOR_SAVED,
            changes={"key_factor": locked.key_factor.slug, **changes},
        )
        return locked


def do_save_context(
    assessment: Assessment, *, by: User, expected_version: int, notes: dict[int, dict[str, str]]
) -> Assessment:
    """Saves the context notes (keyed by ContextFactor id); the assessment's lock_version guards them."""
    with transaction.atomic():
        locked = _lock(assessment)
        if not locked.is_editable:
            raise AssessmentError(
                _("This assessment is %(status)s and cannot be changed.")
                % {"status": locked.get_status_display().lower()}
            )
        rows = list(ContextNote.objects.filter(assessment=locked))
        if locked.lock_version != expected_version:
            raise ContextConflict(
                stored={row.context_factor_id: row for row in rows}, stored_version=locked.lock_version
            )
        changed = {}
        for row in rows:
            new = notes.get(row.context_factor_id)
            if new is None:
                continue
            values = {"effect": new["effect"], "competence": new["competence"], "note": new["note"].strip()}
            if any(getattr(row, k) != v for k, v in values.items()):
                changed[str(row.context_factor_id)] = values
            for key, value in values.items():
                setattr(row, key, value)
        ContextNote.objects.bulk_update(rows, ["effect", "competence", "note"])
        locked.lock_version += 1
        locked.save(update_fields=["lock_version", "updated_at"])
        AssessmentEvent.objects.create(
            assessment=locked, by=by, action=AssessmentEvent.Action.CONTEXT_SAVED, changes=changed
        )
        return locked


def _transition(assessment: Assessment, action: AssessmentEvent.Action, *, by: User) -> Assessment:
    allowed_from, to = TRANSITIONS[action]
    with transaction.atomic():
        locked = _lock(assessment)
        if locked.status not in allowed_from:
            raise AssessmentError(
                _("A %(status)s assessment cannot be %(action)s.")
                % {"status": locked.get_status_display().lower(), "action": action.label.lower()}
            )
        before = locked.status
        locked.status = to
        locked.lock_version += 1
        locked.save(update_fields=["status", "lock_version", "updated_at"])
        AssessmentEvent.objects.create(
            assessment=locked, by=by, action=action, changes={"status": {"from": before, "to": to}}
        )
        return locked


def do_submit(assessment: Assessment, *, by: User) -> Assessment:
    return _transition(assessment, AssessmentEvent.Action.SUBMITTED, by=by)


def do_reopen(assessment: Assessment, *, by: User) -> Assessment:
    return _transition(assessment, AssessmentEvent.Action.REOPENED, by=by)


def do_finalise(assessment: Assessment, *, by: User) -> Assessment:
    return _transition(assessment, AssessmentEvent.Action.FINALISED, by=by)
