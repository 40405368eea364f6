"""The plan's pages through HTTP: the start, editing with validation errors, the conflict screen that keeps
both texts, autosave answers, reordering without JavaScript, removal and restore, the history; query
budgets that do not grow with the number of actions, indicators and updates (docs/quality.md F1)."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import actions
from actionplans.actions import IndicatorFields
from actionplans.models import Action, ActionPlan, ActionPlanEvent
from tests.support.assessments import submitted_assessment
from tests.support.cast import client_for

pytestmark = pytest.mark.django_db


def url(plan: ActionPlan, rest: str = "") -> str:
    return f"/assessments/{plan.assessment.public_id}/plan/{rest}"


def first(plan: ActionPlan) -> Action:
    action = plan.actions.alive().order_by("position").first()
    assert action is not None
    return action


def post_data(action: Action, **changes: str) -> dict[str, str]:
    data = {"lock_version": str(action.lock_version), "title": action.title, "status": action.status}
    data |= {f"kf-{pk}": "on" for pk in action.key_factors.values_list("pk", flat=True)}
    return data | changes


def test_the_coordinator_drafts_the_plan_from_the_assessment_page(cast, submitted) -> None:
    client = client_for(cast.coordinator)
    overview = client.get(f"/assessments/{submitted.public_id}/")
    assert f"/assessments/{submitted.public_id}/plan/" in overview.text
    page = client.get(f"/assessments/{submitted.public_id}/plan/")
    assert page.status_code == 200
    assert "Draft the action plan from the priority gaps" in page.text
    contributor_page = client_for(cast.contributor).get(f"/assessments/{submitted.public_id}/plan/")
    assert "Draft the action plan" not in contributor_page.text
    response = client.post(f"/assessments/{submitted.public_id}/plan/start/", follow=True)
    assert "The action plan is drafted: one action for each of the 2 priority gaps" in response.text
    plan = ActionPlan.objects.get(assessment=submitted)
    for action in plan.actions.all():
        assert action.title in response.text
    again = client.post(f"/assessments/{submitted.public_id}/plan/start/", follow=True)
    assert "already" in again.text
    assert ActionPlan.objects.count() == 1


def test_a_draft_assessment_explains_that_it_must_be_submitted_first(cast) -> None:
    from assessments.actions import do_start_assessment
    from tests.support.assessments import a_version

    draft = do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)
    client = client_for(cast.coordinator)
    page = client.get(f"/assessments/{draft.public_id}/plan/")
    assert page.status_code == 200
    assert "Submit the assessment first" in page.text
    assert "<button" not in page.text.split("<main", 1)[1].split("Submit the assessment first")[1].split("</main>")[0]
    response = client.post(f"/assessments/{draft.public_id}/plan/start/", follow=True)
    assert "Submit the assessment first" in response.text
    assert not ActionPlan.objects.exists()


def test_saving_an_action_and_its_validation_errors(cast, plan) -> None:
    action = first(plan)
    client = client_for(cast.contributor)
    bad = client.post(
        action.get_absolute_url(), post_data(action, title="", start="2026-06-01", end="2026-01-01", budget="-5")
    )
    assert bad.status_code == 400
    assert "There is a problem" in bad.text
    assert bad.text.count('aria-invalid="true"') == 3  # title, end, budget
    assert "The end cannot be before the start." in bad.text
    assert Action.objects.get(pk=action.pk).lock_version == 0
    good = client.post(
        action.get_absolute_url(),
        post_data(
            action, owner="Job centre", start="2026-01-01", end="2026-06-30", budget="12000.50", status="in_progress"
        ),
    )
    assert good.status_code == 302
    saved = Action.objects.get(pk=action.pk)
    assert (saved.owner, saved.start, saved.end, saved.budget, saved.status) == (
        "Job centre",
        date(2026, 1, 1),
        date(2026, 6, 30),
        Decimal("12000.50"),
        "in_progress",
    )
    page = client.get(url(plan))
    assert "Job centre" in page.text
    assert "In progress" in page.text


def test_a_stale_save_shows_both_versions_and_a_second_save_replaces_the_stored_one(cast, plan) -> None:
    action = first(plan)
    client_for(cast.coordinator).post(action.get_absolute_url(), post_data(action, partners="Stored partners"))
    contributor = client_for(cast.contributor)
    response = contributor.post(action.get_absolute_url(), post_data(action, partners="My typed partners"))
    assert response.status_code == 409
    assert "Someone else saved this action meanwhile" in response.text
    stored = response.text.split('class="conflict-stored stored-version"')[1].split("</dl>")[0]
    assert "Stored partners" in stored
    assert "My typed partners" in response.text.split("</dl>", 1)[1]  # kept in the form
    assert 'value="1"' in response.text  # the form now carries the stored version
    assert "data-autosave=" not in response.text  # autosave stays off on the conflict screen
    assert Action.objects.get(pk=action.pk).partners == "Stored partners"
    again = contributor.post(
        action.get_absolute_url(), post_data(action, lock_version="1", partners="My typed partners")
    )
    assert again.status_code == 302
    assert Action.objects.get(pk=action.pk).partners == "My typed partners"


def test_autosave_answers_json_replays_and_conflicts(cast, plan) -> None:
    action = first(plan)
    path = f"{action.get_absolute_url()}autosave/"
    client = client_for(cast.contributor)
    state = client.get(path).json()
    assert state["lock_version"] == 0 and state["csrf_token"]
    save_id = str(uuid4())
    data = post_data(action, owner="Typed", save_id=save_id)
    assert client.post(path, data).json()["lock_version"] == 1
    assert client.post(path, data).json()["lock_version"] == 1  # the replay is acknowledged, not applied again
    assert ActionPlanEvent.objects.filter(action="action_saved").count() == 1
    late = client.post(path, post_data(action, owner="Older", save_id=str(uuid4())))
    assert late.status_code == 409 and late.json()["reason"] == "conflict"
    invalid = client.post(path, post_data(action, lock_version="1", title="", save_id=str(uuid4())))
    assert invalid.status_code == 400 and "title" in invalid.json()["errors"]
    assert Action.objects.get(pk=action.pk).owner == "Typed"
    page = client.get(action.get_absolute_url())
    assert f'data-autosave="{path}"' in page.text
    assert 'role="status" data-autosave-status' in page.text


def test_move_buttons_reorder_without_javascript_and_remove_and_restore(cast, plan) -> None:
    client = client_for(cast.contributor)
    titles = list(plan.actions.order_by("position").values_list("title", flat=True))
    last = plan.actions.order_by("position").last()
    page = client.get(url(plan))
    assert page.text.count('name="direction" value="up"') == len(titles) - 1
    response = client.post(f"{last.get_absolute_url()}move/", {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#action-{last.public_id}")
    assert list(plan.actions.order_by("position").values_list("title", flat=True)) == titles[::-1]
    client.post(f"{last.get_absolute_url()}delete/")
    page = client.get(url(plan))
    assert "Removed actions" in page.text
    assert f'href="{last.get_absolute_url()}"' not in page.text
    assert client.get(last.get_absolute_url()).status_code == 404
    client.post(f"{last.get_absolute_url()}restore/")
    assert Action.objects.get(pk=last.pk).deleted_at is None
    history = client.get(url(plan, "history/"))
    for words in ("Plan drafted", "Action moved", "Action removed", "Action restored"):
        assert words in history.text


def test_indicators_and_progress_updates_through_their_forms(cast, plan) -> None:
    action = first(plan)
    client = client_for(cast.contributor)
    bad = client.post(f"{action.get_absolute_url()}indicators/add/", {"indicator-name": "", "indicator-target": "x"})
    assert bad.status_code == 400
    assert bad.text.count('aria-invalid="true"') == 2
    client.post(
        f"{action.get_absolute_url()}indicators/add/",
        {
            "indicator-name": "People placed",
            "indicator-baseline": "40",
            "indicator-target": "120",
            "indicator-due": "2020-01-31",
        },
    )
    indicator = action.indicators.get()
    page = client.get(action.get_absolute_url())
    assert "People placed" in page.text and "120" in page.text
    assert "Overdue" in page.text  # its due date is past
    stale = {"indicator-lock_version": "0", "indicator-name": "Placed"}
    assert client.post(url(plan, f"indicators/{indicator.public_id}/"), stale).status_code == 302
    conflict = client.post(url(plan, f"indicators/{indicator.public_id}/"), stale | {"indicator-name": "Other"})
    assert conflict.status_code == 409 and "Someone else saved this indicator meanwhile" in conflict.text
    partner = client_for(cast.partner)
    done = partner.post(
        f"{action.get_absolute_url()}progress/add/",
        {"progress-on": "2026-02-01", "progress-text": "Met the job centre."},
    )
    assert done.status_code == 302
    page = partner.get(action.get_absolute_url())
    assert "Met the job centre." in page.text and "partner@aville.example" in page.text
    assert "Add the indicator" not in page.text  # partners report progress, they do not edit


def grow(cast, plan: ActionPlan, count: int) -> None:
    for n in range(count):
        action = actions.do_add_action(plan, by=cast.coordinator, title=f"Action {n}")
        for m in range(2):
            actions.do_add_indicator(
                action,
                IndicatorFields(name=f"Indicator {m}", target=Decimal(m), due=date(2020, 1, 1)),
                by=cast.coordinator,
            )
            actions.do_add_progress(action, by=cast.coordinator, on=date(2026, 1, m + 1), text=f"Update {m}")
        all_factors = list(plan.assessment.benchmark_version.factors.all()[:3])
        action.key_factors.set(all_factors)


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["contributor", "viewer"])
def test_query_budgets_do_not_grow_with_actions_indicators_and_updates(cast, who) -> None:
    client = client_for(getattr(cast, who))
    counts = []
    for round, size in (("2026", 1), ("2027", 12)):
        plan = actions.do_start_plan(submitted_assessment(cast, round=round), by=cast.coordinator)
        grow(cast, plan, size)
        action = first(plan)
        counts.append(
            (
                queries(client, url(plan)),
                queries(client, url(plan, "timeline/")),
                queries(client, url(plan, "history/")),
                queries(client, action.get_absolute_url()),
            )
        )
    assert counts[0] == counts[1]
    assert max(counts[1]) <= 16
