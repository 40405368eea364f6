"""A plan made public (docs/roles.md, "Action plans"): only by the coordinators, only while its assessment is
published; its public page shows what the city plans to do and never who carries it, with whom or with what
money; it answers 404 as soon as the assessment is private again or deleted; the change is in the history;
the city's page links to it; its query count does not grow with the actions."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import actions
from actionplans.actions import IndicatorFields
from actionplans.models import Action, ActionPlan, ActionPlanEvent
from assessments.actions import do_delete_assessment, do_set_visibility
from assessments.models import Assessment
from practices.models import Practice
from tests.support.assessments import submitted_assessment
from tests.support.cast import Cast, client_for

pytestmark = pytest.mark.django_db

PUBLIC = ActionPlan.Visibility.PUBLIC
PRIVATE = ActionPlan.Visibility.PRIVATE


def url(plan: ActionPlan, rest: str = "") -> str:
    return f"/assessments/{plan.assessment.public_id}/plan/{rest}"


def first(plan: ActionPlan) -> Action:
    action = plan.actions.alive().order_by("position").first()
    assert action is not None
    return action


def publish(cast: Cast, plan: ActionPlan) -> None:
    do_set_visibility(plan.assessment, Assessment.Visibility.PUBLISHED, by=cast.coordinator)


def unpublish(cast: Cast, plan: ActionPlan) -> None:
    do_set_visibility(plan.assessment, Assessment.Visibility.PRIVATE, by=cast.coordinator)


def fill_in(cast: Cast, plan: ActionPlan) -> Action:
    """The first action with everything the team keeps to itself, an indicator, a practice and an update."""
    action = first(plan)
    fields = actions.stored_fields(action)
    fields.owner = "Olga Owner of the welcome office"
    fields.partners = "Partnering Refugee Council"
    fields.description = "Internal note: ask the mayor first."
    fields.resources = "Two interns from the budget line"
    fields.budget = Decimal("98765.43")
    fields.funding_source = "Secret Foundation Grant"
    fields.start = date(2026, 2, 1)
    fields.end = date(2026, 11, 30)
    fields.status = Action.Status.IN_PROGRESS
    practice = Practice.objects.order_by("pk").first()
    assert practice is not None
    fields.adapts_practice = practice.slug
    saved = actions.do_save_action(action, fields, by=cast.coordinator, expected_version=action.lock_version)
    actions.do_add_indicator(
        saved,
        IndicatorFields(name="Newcomers placed in jobs", target=Decimal("120"), unit="people"),
        by=cast.coordinator,
    )
    actions.do_add_progress(saved, by=cast.partner, on=date(2026, 3, 1), text="Met the job centre on Tuesday.")
    return saved


def test_a_plan_is_private_until_the_coordinator_makes_it_public(cast: Cast, plan: ActionPlan) -> None:
    assert plan.visibility == PRIVATE
    publish(cast, plan)
    assert client_for(None).get(url(plan, "public/")).status_code == 404  # publishing the assessment is not enough
    page = client_for(cast.coordinator).get(url(plan))
    assert "The plan is private" in page.text and "Make the plan public" in page.text


def test_refused_while_the_assessment_is_private(cast: Cast, plan: ActionPlan) -> None:
    with pytest.raises(actions.PlanError, match="Publish the self-assessment first"):
        actions.do_set_plan_visibility(plan, PUBLIC, by=cast.coordinator)
    client = client_for(cast.coordinator)
    page = client.get(url(plan))
    assert 'disabled aria-describedby="plan-visibility-unpublished"' in page.text
    assert "Only the plan of a published self-assessment can be made public" in page.text
    response = client.post(url(plan, "visibility/"), {"plan-visibility": "public"})
    assert response.status_code == 400
    assert "There is a problem" in response.text and "Publish the self-assessment first" in response.text
    assert ActionPlan.objects.get(pk=plan.pk).visibility == PRIVATE
    assert not ActionPlanEvent.objects.filter(plan=plan, action=ActionPlanEvent.Action.VISIBILITY_CHANGED).exists()


def test_an_unknown_visibility_is_refused_with_a_message(cast: Cast, plan: ActionPlan) -> None:
    publish(cast, plan)
    response = client_for(cast.coordinator).post(url(plan, "visibility/"), {"plan-visibility": "everyone"})
    assert response.status_code == 400
    assert "Choose to make the plan public or private." in response.text
    assert ActionPlan.objects.get(pk=plan.pk).visibility == PRIVATE


def test_only_coordinators_may_change_it_even_through_the_action(cast: Cast, plan: ActionPlan) -> None:
    publish(cast, plan)
    for user in (cast.contributor, cast.viewer, cast.partner, cast.admin, cast.other):
        with pytest.raises(actions.PlanError, match="Only the workspace's coordinators"):
            actions.do_set_plan_visibility(plan, PUBLIC, by=user)
    assert ActionPlan.objects.get(pk=plan.pk).visibility == PRIVATE
    page = client_for(cast.contributor).get(url(plan))
    assert "The plan is private" in page.text and "Make the plan public" not in page.text


def test_the_public_page_shows_the_plan_and_nothing_the_team_keeps(cast: Cast, plan: ActionPlan) -> None:
    action = fill_in(cast, plan)
    publish(cast, plan)
    client = client_for(cast.coordinator)
    made = client.post(url(plan, "visibility/"), {"plan-visibility": "public"})
    assert made.status_code == 302
    team_page = client.get(url(plan))
    assert "The plan is public" in team_page.text
    assert f'href="{url(plan, "public/")}"' in team_page.text
    assert "Make the plan private again" in team_page.text

    for reader in (None, cast.other, cast.viewer):
        page = client_for(reader).get(url(plan, "public/"))
        assert page.status_code == 200
        text = page.text
        assert page.text.count("<h1") == 1
        assert "Aville" in text and plan.assessment.benchmark_version.title in text and "Round 2026" in text
        for kept in Action.objects.alive().filter(plan=plan):
            assert kept.title in text
        key_factor = action.key_factors.get()
        assert key_factor.title in text
        assert "In progress" in text and "1 Feb 2026" in text and "30 Nov 2026" in text
        assert "Newcomers placed in jobs" in text and "120" in text and "people" in text
        assert action.adapts_practice is not None and action.adapts_practice.title in text
        assert '<th scope="col">' in text and "<caption" in text
        for private in (
            "Olga Owner",
            "Partnering Refugee Council",
            "Internal note",
            "Two interns",
            "98765",
            "98,765",
            "Secret Foundation",
            "Met the job centre",
            "Owner",
            "Budget",
            "Partners",
        ):
            assert private not in text, private
        for person in (cast.coordinator, cast.contributor, cast.partner, cast.viewer, cast.admin):
            assert person.email not in text
            assert str(person) not in text


def test_the_public_page_is_404_when_the_assessment_is_private_again_or_deleted(cast: Cast, plan: ActionPlan) -> None:
    anonymous = client_for(None)
    assert anonymous.get(url(plan, "public/")).status_code == 404  # private, the default
    publish(cast, plan)
    actions.do_set_plan_visibility(plan, PUBLIC, by=cast.coordinator)
    assert anonymous.get(url(plan, "public/")).status_code == 200

    unpublish(cast, plan)
    assert anonymous.get(url(plan, "public/")).status_code == 404
    assert client_for(cast.coordinator).get(url(plan, "public/")).status_code == 404
    assert ActionPlan.objects.get(pk=plan.pk).visibility == PUBLIC  # nothing cascaded: checked on each request
    team_page = client_for(cast.coordinator).get(url(plan))
    assert "its self-assessment is not published" in team_page.text

    publish(cast, plan)
    assert anonymous.get(url(plan, "public/")).status_code == 200
    # Deleting needs a private assessment first; deleted, the plan stays hidden even if published again.
    unpublish(cast, plan)
    do_delete_assessment(plan.assessment, by=cast.coordinator)
    Assessment.objects.filter(pk=plan.assessment_id).update(visibility=Assessment.Visibility.PUBLISHED)
    assert anonymous.get(url(plan, "public/")).status_code == 404


def test_the_change_is_in_the_plan_s_history(cast: Cast, plan: ActionPlan) -> None:
    publish(cast, plan)
    actions.do_set_plan_visibility(plan, PUBLIC, by=cast.coordinator)
    actions.do_set_plan_visibility(plan, PUBLIC, by=cast.coordinator)  # no change, no event
    actions.do_set_plan_visibility(plan, PRIVATE, by=cast.coordinator)
    events = list(
        ActionPlanEvent.objects.filter(plan=plan, action=ActionPlanEvent.Action.VISIBILITY_CHANGED).order_by("pk")
    )
    assert [e.changes for e in events] == [
        {"visibility": {"from": "private", "to": "public"}},
        {"visibility": {"from": "public", "to": "private"}},
    ]
    assert all(e.by == cast.coordinator for e in events)
    assert ActionPlanEvent.Action.VISIBILITY_CHANGED == "visibility_changed"
    history = client_for(cast.viewer).get(url(plan, "history/"))
    assert "Visibility changed" in history.text


def test_the_city_page_links_to_its_public_plans(cast: Cast, plan: ActionPlan) -> None:
    city_page = f"/cities/{cast.workspace.city.slug}/"
    publish(cast, plan)
    assert url(plan, "public/") not in client_for(None).get(city_page).text
    actions.do_set_plan_visibility(plan, PUBLIC, by=cast.coordinator)
    page = client_for(None).get(city_page)
    assert f'href="{url(plan, "public/")}"' in page.text
    assert "Action plans made public" in page.text
    unpublish(cast, plan)
    assert url(plan, "public/") not in client_for(None).get(city_page).text


def queries(path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client_for(None).get(path).status_code == 200
    return len(captured)


def test_the_public_page_s_queries_do_not_grow_with_the_actions(cast: Cast) -> None:
    counts = []
    for round, size in (("2026", 2), ("2027", 6)):
        plan = actions.do_start_plan(submitted_assessment(cast, round=round), by=cast.coordinator)
        for n in range(size - plan.actions.count()):
            action = actions.do_add_action(plan, by=cast.coordinator, title=f"Action {n}")
            actions.do_add_indicator(
                action, IndicatorFields(name=f"Indicator {n}", target=Decimal(n)), by=cast.coordinator
            )
            actions.do_add_progress(action, by=cast.partner, on=date(2026, 1, 1), text=f"Update {n}")
            action.key_factors.set(list(plan.assessment.benchmark_version.factors.all()[:3]))
        assert plan.actions.alive().count() == size
        publish(cast, plan)
        actions.do_set_plan_visibility(plan, PUBLIC, by=cast.coordinator)
        counts.append(queries(url(plan, "public/")))
    assert counts[0] == counts[1]
    assert counts[1] <= 6
