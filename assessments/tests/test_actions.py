"""Self-assessment actions: the rows they create, the one-open-assessment rule, transitions, conflicts, history."""

import pytest
from django.db import IntegrityError, transaction

from assessments import actions
from assessments.models import Assessment, AssessmentEvent, ContextNote, FactorAssessment, QuestionAnswer
from benchmarks.models import GuideQuestion, KeyFactor
from tests.support.assessments import a_version

pytestmark = pytest.mark.django_db


def first_factor(assessment: Assessment) -> FactorAssessment:
    factor = assessment.factors.filter(answers__isnull=False).select_related("key_factor").distinct().first()
    assert factor is not None
    return factor


def test_start_creates_a_row_for_every_factor_question_and_context_factor(cast, assessment) -> None:
    version = assessment.benchmark_version
    assert assessment.status == Assessment.Status.DRAFT
    assert assessment.visibility == Assessment.Visibility.PRIVATE
    assert assessment.factors.count() == KeyFactor.objects.filter(version=version).count()
    assert QuestionAnswer.objects.filter(factor__assessment=assessment).count() == (
        GuideQuestion.objects.filter(key_factor__version=version).count()
    )
    assert ContextNote.objects.filter(assessment=assessment).count() == version.context_factors.count()
    assert list(assessment.events.values_list("action", flat=True)) == ["started"]


def test_start_includes_common_factors(cast) -> None:
    version = KeyFactor.objects.filter(kind=KeyFactor.Kind.COMMON).first().version
    assessment = actions.do_start_assessment(cast.workspace, version, "2026", by=cast.coordinator)
    kinds = set(assessment.factors.values_list("key_factor__kind", flat=True))
    assert kinds == {"key", "common"}


def test_only_one_open_assessment_per_version_and_round(cast, assessment) -> None:
    with pytest.raises(actions.AssessmentError, match="already open"):
        actions.do_start_assessment(cast.workspace, assessment.benchmark_version, "2026", by=cast.coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            workspace=cast.workspace, benchmark_version=assessment.benchmark_version, round="2026"
        )
    # Another round, and another city, may start; so may the same round once the first is finalised.
    actions.do_start_assessment(cast.workspace, assessment.benchmark_version, "2027", by=cast.coordinator)
    actions.do_start_assessment(cast.other_workspace, assessment.benchmark_version, "2026", by=cast.other)
    actions.do_submit(assessment, by=cast.coordinator)
    actions.do_finalise(assessment, by=cast.coordinator)
    actions.do_start_assessment(cast.workspace, assessment.benchmark_version, "2026", by=cast.coordinator)


def test_rating_outside_bounds_is_refused_by_the_database(assessment) -> None:
    factor = assessment.factors.first()
    factor.rating = 21
    with pytest.raises(IntegrityError), transaction.atomic():
        factor.save()


def save(factor, by, *, version=0, rating=3, justification="Because.", answers=None, comments=None):
    return actions.do_save_factor(
        factor,
        by=by,
        expected_version=version,
        rating=rating,
        justification=justification,
        answers=answers or {},
        comments=comments or {},
    )


def test_save_stores_answers_rating_and_history(cast, assessment) -> None:
    factor = first_factor(assessment)
    question = factor.answers.first().question
    saved = save(factor, cast.contributor, answers={question.pk: "yes"}, comments={question.pk: " Done. "})
    assert saved.lock_version == 1
    assert saved.rating == 3
    answer = QuestionAnswer.objects.get(factor=factor, question=question)
    assert (answer.answer, answer.comment) == ("yes", "Done.")
    event = assessment.events.get(action=AssessmentEvent.Action.FACTOR_SAVED)
    assert event.by == cast.contributor
    assert event.changes["rating"] == {"from": None, "to": 3}
    assert event.changes["key_factor"] == factor.key_factor.slug


def test_rating_off_the_scale_is_refused(cast, assessment) -> None:
    with pytest.raises(actions.AssessmentError, match="scale"):
        save(first_factor(assessment), cast.contributor, rating=9)


def test_stale_save_raises_a_conflict_with_both_texts(cast, assessment) -> None:
    factor = first_factor(assessment)
    save(factor, cast.coordinator, justification="Stored text")
    with pytest.raises(actions.Conflict) as caught:
        save(factor, cast.contributor, version=0, justification="Typed text")
    assert caught.value.stored["justification"] == "Stored text"
    assert caught.value.submitted["justification"] == "Typed text"
    assert caught.value.stored_version == 1
    factor.refresh_from_db()
    assert factor.justification == "Stored text"


def test_transitions_and_read_only_states(cast, assessment) -> None:
    factor = first_factor(assessment)
    with pytest.raises(actions.AssessmentError):
        actions.do_reopen(assessment, by=cast.coordinator)
    with pytest.raises(actions.AssessmentError):
        actions.do_finalise(assessment, by=cast.coordinator)
    actions.do_submit(assessment, by=cast.coordinator)
    with pytest.raises(actions.AssessmentError, match="cannot be changed"):
        save(factor, cast.contributor)
    actions.do_reopen(assessment, by=cast.coordinator)
    save(factor, cast.contributor)
    actions.do_submit(assessment, by=cast.coordinator)
    actions.do_finalise(assessment, by=cast.coordinator)
    for action in (actions.do_submit, actions.do_reopen, actions.do_finalise):
        with pytest.raises(actions.AssessmentError):
            action(assessment, by=cast.coordinator)
    with pytest.raises(actions.AssessmentError, match="cannot be changed"):
        save(factor, cast.contributor, version=1)
    history = list(assessment.events.values_list("action", flat=True))
    assert history == ["started", "submitted", "reopened", "factor_saved", "submitted", "finalised"]


def test_suggested_rating_maps_the_share_of_yes_and_partly_onto_the_scale(assessment) -> None:
    factor = first_factor(assessment)
    a = QuestionAnswer.Answer
    rows = [QuestionAnswer(answer=x) for x in (a.YES, a.PARTLY, a.NO, a.NOT_APPLICABLE, a.DONT_KNOW, "")]
    assert factor.suggested_rating(rows, 4) == 2  # (1 + 0.5 + 0) / 3 * 4 = 2
    assert factor.suggested_rating([QuestionAnswer(answer=a.YES)], 4) == 4
    assert factor.suggested_rating([QuestionAnswer(answer=a.NOT_APPLICABLE)], 4) is None


def test_save_context_notes(cast, assessment) -> None:
    note = assessment.context_notes.first()
    actions.do_save_context(
        assessment,
        by=cast.contributor,
        expected_version=0,
        notes={note.context_factor_id: {"effect": "enabler", "competence": "national", "note": " Law. "}},
    )
    note.refresh_from_db()
    assert (note.effect, note.competence, note.note, note.is_done) == ("enabler", "national", "Law.", True)
    with pytest.raises(actions.ContextConflict) as conflict:
        actions.do_save_context(assessment, by=cast.contributor, expected_version=0, notes={})
    assert conflict.value.stored_version == 1
    assert conflict.value.stored[note.context_factor_id].note == "Law."


def test_a_version_is_used(assessment) -> None:
    assert assessment.benchmark_version == a_version()
