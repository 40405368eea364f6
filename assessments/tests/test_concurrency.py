"""Races on PostgreSQL, with real threads and commits (R4): two editors saving one key factor at the same
moment, two coordinators submitting at the same moment. SQLite serialises every write and has no row
locks, so these run where the locks are real."""

from collections.abc import Callable

import pytest
from django.db import connection

from accounts.models import User
from assessments import actions
from assessments.models import Assessment, AssessmentEvent, FactorAssessment
from tests.support.cast import Cast
from tests.support.races import a_team, race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite has none"),
    pytest.mark.transactional,
    pytest.mark.django_db(transaction=True),
]


# One test for both races: each transactional test ends by emptying the database, and filling it again
# (the library and the cast) costs more than the races themselves.
def test_racing_editors_and_racing_submitters_leave_one_winner_each(cast: Cast) -> None:
    first, second, assessment = a_team(cast)
    two_editors_saving_one_key_factor_at_once_one_wins_and_the_other_sees_a_conflict(first, second, assessment)
    two_coordinators_submitting_at_once_submit_once(first, second, assessment)


def two_editors_saving_one_key_factor_at_once_one_wins_and_the_other_sees_a_conflict(
    first: User, second: User, assessment: Assessment
) -> None:
    factor = FactorAssessment.objects.filter(assessment=assessment).first()
    assert factor is not None
    loaded = factor.lock_version

    def save(by: User, text: str) -> Callable[[], str]:
        def attempt() -> str:
            try:
                actions.do_save_factor(
                    FactorAssessment.objects.get(pk=factor.pk),
                    by=by,
                    expected_version=loaded,
                    rating=None,
                    justification=text,
                    answers={},
                    comments={},
                )
            except actions.Conflict as conflict:
                return f"conflict, stored: {conflict.stored['justification']}"
            return f"saved: {text}"

        return attempt

    outcomes = race(save(first, "First editor's text."), save(second, "Second editor's text."))

    factor.refresh_from_db()
    assert factor.lock_version == loaded + 1
    assert outcomes == sorted([f"saved: {factor.justification}", f"conflict, stored: {factor.justification}"])
    saves = AssessmentEvent.objects.filter(assessment=assessment, action=AssessmentEvent.Action.FACTOR_SAVED)
    assert saves.count() == 1


def two_coordinators_submitting_at_once_submit_once(first: User, second: User, assessment: Assessment) -> None:
    def submit(by: User) -> Callable[[], str]:
        def attempt() -> str:
            try:
                actions.do_submit(Assessment.objects.get(pk=assessment.pk), by=by)
            except actions.AssessmentError as error:
                return f"refused: {error.message}"
            return "submitted"

        return attempt

    outcomes = race(submit(first), submit(second))

    assert outcomes == ["refused: A submitted assessment cannot be submitted.", "submitted"]
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert AssessmentEvent.objects.filter(assessment=assessment, action=AssessmentEvent.Action.SUBMITTED).count() == 1
