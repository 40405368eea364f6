"""The plan's state changes through actionplans/actions.py: drafting from the gaps with the benchmark's
prompts, editing with optimistic locking and idempotent autosave, reordering, soft delete and restore,
indicators and progress, and the history each leaves."""

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from actionplans import actions
from actionplans.actions import ActionFields, IndicatorFields
from actionplans.models import Action, ActionPlan, ActionPlanEvent
from assessments import actions as assessment_actions
from assessments.results import build_results
from tests.support.assessments import a_version

pytestmark = pytest.mark.django_db


def fields_of(action: Action, **changes) -> ActionFields:
    values = {
        "title": action.title,
        "description": action.description,
        "status": action.status,
        "key_factors": list(action.key_factors.values_list("pk", flat=True)),
    }
    return ActionFields(**(values | changes))


def test_the_draft_has_one_action_per_gap_with_the_no_and_partly_questions_as_prompts(cast, submitted) -> None:
    gaps = build_results(submitted).priority_gaps()
    assert len(gaps) == 2
    plan = actions.do_start_plan(submitted, by=cast.coordinator)
    drafted = list(plan.actions.order_by("position"))
    assert [a.title for a in drafted] == [g.factor.key_factor.title for g in gaps]
    for action, gap in zip(drafted, gaps, strict=True):
        assert list(action.key_factors.all()) == [gap.factor.key_factor]
        assert action.description.startswith("Prompts from the benchmark")
        prompts = gap.prompts()
        assert prompts, "the fixture answers some questions no or partly"
        for answer in prompts:
            assert answer.question.text in action.description  # verbatim
        for answer in gap.answers:
            if answer.answer in ("yes", "dont_know"):
                assert answer.question.text not in action.description
    event = plan.events.get()
    assert event.action == ActionPlanEvent.Action.STARTED
    assert event.changes["gaps"] == [g.factor.key_factor.slug for g in gaps]


def test_a_draft_assessment_has_no_plan_and_a_plan_is_drafted_once(cast) -> None:
    draft = assessment_actions.do_start_assessment(cast.workspace, a_version(), "2027", by=cast.coordinator)
    with pytest.raises(actions.PlanError, match="Submit the assessment first"):
        actions.do_start_plan(draft, by=cast.coordinator)
    assert not ActionPlan.objects.filter(assessment=draft).exists()
    assessment_actions.do_submit(draft, by=cast.coordinator)
    plan = actions.do_start_plan(draft, by=cast.coordinator)
    assert plan.actions.count() == 0  # nothing rated, no gaps: an empty plan to fill in
    with pytest.raises(actions.PlanError, match="already"):
        actions.do_start_plan(draft, by=cast.coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.create(assessment=draft)  # the database's one-plan rule


def test_the_database_refuses_an_end_before_the_start_and_a_negative_budget(plan) -> None:
    action = plan.actions.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(start=date(2026, 5, 1), end=date(2026, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(budget=Decimal("-1"))


def test_saving_an_action_records_what_changed_and_a_stale_save_is_a_conflict(cast, plan) -> None:
    action = plan.actions.order_by("position").first()
    other_factor = plan.assessment.benchmark_version.factors.exclude(pk__in=action.key_factors.all()).first()
    saved = actions.do_save_action(
        action,
        fields_of(action, owner="Integration office", budget=Decimal("25000"), key_factors=[other_factor.pk]),
        by=cast.contributor,
        expected_version=0,
    )
    assert (saved.owner, saved.budget, saved.lock_version) == ("Integration office", Decimal("25000.00"), 1)
    assert list(saved.key_factors.all()) == [other_factor]
    event = plan.events.filter(action=ActionPlanEvent.Action.ACTION_SAVED).get()
    assert event.by == cast.contributor
    assert event.changes["owner"] == {"from": "", "to": "Integration office"}
    assert event.changes["budget"] == {"from": None, "to": "25000"}
    assert event.changes["key_factors"]["to"] == [other_factor.slug]

    with pytest.raises(actions.Conflict) as found:
        actions.do_save_action(action, fields_of(action, owner="Typed later"), by=cast.coordinator, expected_version=0)
    assert found.value.stored["owner"] == "Integration office"
    assert found.value.submitted["owner"] == "Typed later"
    assert found.value.stored_version == 1
    assert Action.objects.get(pk=action.pk).owner == "Integration office"


def test_an_action_of_another_benchmark_s_key_factor_or_with_bad_dates_is_refused(cast, plan) -> None:
    action = plan.actions.first()
    foreign = a_version().benchmark.versions.model.objects.exclude(pk=plan.assessment.benchmark_version_id).first()
    foreign_factor = foreign.factors.first()
    with pytest.raises(actions.PlanError, match="key factors of this benchmark"):
        actions.do_save_action(
            action, fields_of(action, key_factors=[foreign_factor.pk]), by=cast.coordinator, expected_version=0
        )
    with pytest.raises(actions.PlanError, match="end cannot be before"):
        actions.do_save_action(
            action,
            fields_of(action, start=date(2026, 5, 1), end=date(2026, 4, 1)),
            by=cast.coordinator,
            expected_version=0,
        )
    assert Action.objects.get(pk=action.pk).lock_version == 0


def test_autosave_is_idempotent_and_merges_into_one_history_event(cast, plan) -> None:
    action = plan.actions.first()
    save_id = uuid4()
    first = actions.do_save_action(
        action, fields_of(action, owner="A"), by=cast.contributor, expected_version=0, save_id=save_id
    )
    replay = actions.do_save_action(
        action, fields_of(action, owner="A"), by=cast.contributor, expected_version=0, save_id=save_id
    )
    assert first.lock_version == replay.lock_version == 1
    second = actions.do_save_action(
        action, fields_of(action, owner="AB"), by=cast.contributor, expected_version=1, save_id=uuid4()
    )
    assert second.lock_version == 2
    # An older request arriving late fails the version check: it never overwrites the newer save.
    with pytest.raises(actions.Conflict):
        actions.do_save_action(
            action, fields_of(action, owner="A"), by=cast.contributor, expected_version=1, save_id=uuid4()
        )
    events = list(plan.events.filter(action=ActionPlanEvent.Action.ACTION_SAVED))
    assert len(events) == 1
    assert events[0].changes["autosave"] is True
    assert events[0].changes["owner"] == {"from": "", "to": "AB"}
    assert Action.objects.get(pk=action.pk).owner == "AB"


def test_reorder_moves_one_place_and_refuses_past_the_ends(cast, plan) -> None:
    added = actions.do_add_action(plan, by=cast.contributor, title="Third action")
    order = list(plan.actions.alive().order_by("position").values_list("title", flat=True))
    assert order[-1] == "Third action"
    actions.do_move_action(added, "up", by=cast.contributor)
    moved = list(plan.actions.alive().order_by("position").values_list("title", flat=True))
    assert moved == [order[0], "Third action", order[1]]
    first = plan.actions.alive().order_by("position").first()
    with pytest.raises(actions.PlanError, match="first already"):
        actions.do_move_action(first, "up", by=cast.contributor)
    event = plan.events.filter(action=ActionPlanEvent.Action.ACTION_MOVED).get()
    assert event.changes["position"] == {"from": 3, "to": 2}


def test_removed_actions_leave_the_plan_and_come_back_within_30_days(cast, plan) -> None:
    action = plan.actions.order_by("position").first()
    actions.do_add_indicator(action, IndicatorFields(name="People placed", target=Decimal(100)), by=cast.contributor)
    actions.do_delete_action(action, by=cast.contributor)
    assert action.pk not in plan.actions.alive().values_list("pk", flat=True)
    with pytest.raises(actions.PlanError, match="restore it first"):
        actions.do_add_progress(action, by=cast.partner, on=date(2026, 3, 1), text="Met.")
    restored = actions.do_restore_action(action, by=cast.coordinator)
    assert restored.deleted_at is None
    assert list(plan.actions.alive().order_by("position"))[-1] == restored  # at the end
    assert restored.indicators.get().name == "People placed"
    actions.do_delete_action(action, by=cast.contributor)
    Action.objects.filter(pk=action.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    with pytest.raises(actions.PlanError, match="30 days"):
        actions.do_restore_action(action, by=cast.coordinator)
    kinds = list(plan.events.values_list("action", flat=True))
    assert kinds.count(ActionPlanEvent.Action.ACTION_DELETED) == 2
    assert ActionPlanEvent.Action.ACTION_RESTORED in kinds


def test_indicators_and_progress_are_in_the_history_and_make_an_action_overdue(cast, plan) -> None:
    action = plan.actions.first()
    today = date(2026, 6, 1)
    indicator = actions.do_add_indicator(
        action,
        IndicatorFields(name="Placements", baseline=Decimal(10), target=Decimal(50), due=date(2026, 5, 1)),
        by=cast.contributor,
    )
    assert action.is_overdue(today)  # an indicator's due date is past
    saved = actions.do_save_indicator(
        indicator,
        IndicatorFields(name="Placements", current=Decimal(30), target=Decimal(50), baseline=Decimal(10)),
        by=cast.contributor,
        expected_version=0,
    )
    assert not Action.objects.get(pk=action.pk).is_overdue(today)
    with pytest.raises(actions.Conflict):
        actions.do_save_indicator(indicator, IndicatorFields(name="Stale"), by=cast.coordinator, expected_version=0)
    assert saved.lock_version == 1
    actions.do_add_progress(action, by=cast.partner, on=date(2026, 5, 20), text="First placements.")
    actions.do_delete_indicator(saved, by=cast.coordinator)
    assert not action.indicators.exists()
    events = {e.action: e.changes for e in plan.events.all()}
    assert events[ActionPlanEvent.Action.INDICATOR_SAVED]["current"] == {"from": None, "to": "30"}
    assert events[ActionPlanEvent.Action.INDICATOR_DELETED]["indicator"]["name"] == "Placements"
    assert events[ActionPlanEvent.Action.PROGRESS_ADDED]["text"] == "First placements."
    Action.objects.filter(pk=action.pk).update(end=date(2026, 5, 31), status="done")
    assert not Action.objects.get(pk=action.pk).is_overdue(today)  # done: never overdue
