"""Races on PostgreSQL, with real threads and commits (R1, R4): two editors saving one action at the same
moment, two coordinators drafting the plan at the same moment. SQLite serialises every write and has no
row locks, so these run where the locks are real."""

from collections.abc import Callable

import pytest
from django.db import connection

from accounts.models import User
from actionplans import actions
from actionplans.actions import ActionFields
from actionplans.models import Action, ActionPlan, ActionPlanEvent
from assessments import actions as assessment_actions
from assessments.models import Assessment
from lib.actions import FieldConflict
from lib.merge import fingerprints
from tests.support.cast import Cast
from tests.support.races import a_team, race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite has none"),
    pytest.mark.transactional,
    pytest.mark.django_db(transaction=True),
]


# One test for both races: each transactional test ends by emptying the database, and filling it again
# (the library and the cast) costs more than the races themselves.
def test_racing_planners_and_racing_editors_leave_one_winner_each(cast: Cast) -> None:
    first, second, assessment = a_team(cast)
    assessment_actions.do_submit(assessment, by=first)
    two_coordinators_drafting_at_once_draft_one_plan(first, second, assessment)
    plan = ActionPlan.objects.get(assessment=assessment)
    action = actions.do_add_action(plan, by=first, title="Raced over")
    two_editors_saving_one_action_at_once_one_wins_and_the_other_sees_a_conflict(first, second, action)
    two_editors_merging_one_action_at_once_keep_different_fields_and_conflict_on_the_same(first, second, action)


def two_coordinators_drafting_at_once_draft_one_plan(first: User, second: User, assessment: Assessment) -> None:
    def start(by: User) -> Callable[[], str]:
        def attempt() -> str:
            try:
                actions.do_start_plan(Assessment.objects.get(pk=assessment.pk), by=by)
            except actions.PlanError as error:
                return f"refused: {error.message}"
            return "drafted"

        return attempt

    outcomes = race(start(first), start(second))
    assert outcomes == ["drafted", "refused: This assessment has an action plan already."]
    assert ActionPlan.objects.filter(assessment=assessment).count() == 1
    assert ActionPlanEvent.objects.filter(action=ActionPlanEvent.Action.STARTED).count() == 1


def two_editors_saving_one_action_at_once_one_wins_and_the_other_sees_a_conflict(
    first: User, second: User, action: Action
) -> None:
    loaded = action.lock_version

    def save(by: User, text: str) -> Callable[[], str]:
        def attempt() -> str:
            try:
                actions.do_save_action(
                    Action.objects.select_related("plan__assessment").get(pk=action.pk),
                    ActionFields(title="Raced over", description=text),
                    by=by,
                    expected_version=loaded,
                )
            except actions.Conflict as conflict:
                return f"conflict, stored: {conflict.stored['description']}"
            return f"saved: {text}"

        return attempt

    outcomes = race(save(first, "First editor's text."), save(second, "Second editor's text."))

    action.refresh_from_db()
    assert action.lock_version == loaded + 1
    assert outcomes == sorted([f"saved: {action.description}", f"conflict, stored: {action.description}"])
    saves = ActionPlanEvent.objects.filter(plan=action.plan, action=ActionPlanEvent.Action.ACTION_SAVED)
    assert saves.count() == 1


def two_editors_merging_one_action_at_once_keep_different_fields_and_conflict_on_the_same(
    first: User, second: User, action: Action
) -> None:
    """Saves merged by field, from pages loaded with the same values: different fields both apply
    (neither save reverts the other's); the same field, one applies and the other is a named conflict."""
    action = Action.objects.select_related("plan__assessment").get(pk=action.pk)
    key_factors = actions.benchmark_key_factors(action.plan.assessment)

    def page() -> dict:
        return actions.action_values(actions.stored_fields(Action.objects.get(pk=action.pk)), key_factors)

    def save(by: User, loaded_page: dict, changes: dict) -> Callable[[], str]:
        def attempt() -> str:
            try:
                actions.do_merge_action(
                    Action.objects.select_related("plan__assessment").get(pk=action.pk),
                    by=by,
                    values=loaded_page | changes,
                    loaded=fingerprints(loaded_page),
                )
            except FieldConflict as conflict:
                return f"conflict on {conflict.fields}"
            return "saved"

        return attempt

    loaded = page()
    outcomes = race(save(first, loaded, {"owner": "First's owner."}), save(second, loaded, {"partners": "Second's."}))
    assert outcomes == ["saved", "saved"]
    action.refresh_from_db()
    assert (action.owner, action.partners) == ("First's owner.", "Second's.")

    loaded = page()
    outcomes = race(save(first, loaded, {"resources": "First's."}), save(second, loaded, {"resources": "Second's."}))
    assert outcomes == ["conflict on ['resources']", "saved"]
    action.refresh_from_db()
    assert action.resources in ("First's.", "Second's.")
