"""The action-plan rows of docs/roles.md, cell by cell, through HTTP; CSRF on every POST.

A forbidden plan answers 404 (the same as a missing one); only the login wall redirects.
"""

from datetime import date

import pytest
from django.test import Client

from actionplans import actions
from actionplans.actions import IndicatorFields
from actionplans.models import Action, ActionPlan, ActionPlanEvent, Indicator, ProgressUpdate
from assessments.models import Assessment
from tests.support.assessments import submitted_assessment
from tests.support.cast import Cast, client_for
from tests.support.roles import LOGIN, N, Y, assert_cell, cells, documented_table, user_for

pytestmark = pytest.mark.django_db

TABLE: dict[str, list[str]] = {
    "read_plan": [LOGIN, Y, Y, Y, Y, N, Y],
    "read_plan_history": [LOGIN, Y, Y, Y, Y, N, Y],
    "download_plan": [LOGIN, Y, Y, Y, Y, N, Y],
    "read_published_plan": [LOGIN, Y, Y, Y, Y, N, Y],
    "start_plan": [LOGIN, N, N, N, Y, N, N],
    "edit_action": [LOGIN, N, N, Y, Y, N, N],
    "add_action": [LOGIN, N, N, Y, Y, N, N],
    "move_action": [LOGIN, N, N, Y, Y, N, N],
    "remove_action": [LOGIN, N, N, Y, Y, N, N],
    "restore_action": [LOGIN, N, N, Y, Y, N, N],
    "add_indicator": [LOGIN, N, N, Y, Y, N, N],
    "edit_indicator": [LOGIN, N, N, Y, Y, N, N],
    "remove_indicator": [LOGIN, N, N, Y, Y, N, N],
    "add_progress_update": [LOGIN, N, Y, Y, Y, N, N],
    "make_plan_public": [LOGIN, N, N, N, Y, N, N],
    "read_public_plan": [Y, Y, Y, Y, Y, Y, Y],
}
POSTS = [
    "start_plan",
    "edit_action",
    "add_action",
    "move_action",
    "remove_action",
    "restore_action",
    "add_indicator",
    "edit_indicator",
    "remove_indicator",
    "add_progress_update",
    "make_plan_public",
]


def url(plan: ActionPlan, rest: str = "") -> str:
    return f"/assessments/{plan.assessment.public_id}/plan/{rest}"


def first(plan: ActionPlan) -> Action:
    action = plan.actions.alive().order_by("position").first()
    assert action is not None
    return action


def action_post(action: Action, **changes: str) -> dict[str, str]:
    data = {"lock_version": str(action.lock_version), "title": action.title, "status": action.status}
    data |= {f"kf-{pk}": "on" for pk in action.key_factors.values_list("pk", flat=True)}
    return data | changes


def read_plan(client: Client, cast: Cast, plan: ActionPlan):
    action = first(plan)
    pages = [client.get(url(plan)), client.get(action.get_absolute_url()), client.get(url(plan, "timeline/"))]
    statuses = {page.status_code for page in pages}
    response = pages[0] if len(statuses) == 1 else pages[1]
    happened = statuses == {200} and all(action.title in page.text for page in pages)
    return response, happened


def read_plan_history(client: Client, cast: Cast, plan: ActionPlan):
    response = client.get(url(plan, "history/"))
    return response, response.status_code == 200 and "Plan drafted" in response.text


def download_plan(client: Client, cast: Cast, plan: ActionPlan):
    pdf = client.get(url(plan, "download.pdf"))
    xlsx = client.get(url(plan, "download.xlsx"))
    happened = (
        pdf.status_code == xlsx.status_code == 200 and pdf.content.startswith(b"%PDF") and xlsx.content[:2] == b"PK"
    )
    return (pdf if pdf.status_code == xlsx.status_code else xlsx), happened


def read_published_plan(client: Client, cast: Cast, plan: ActionPlan):
    Assessment.objects.filter(pk=plan.assessment_id).update(visibility="published")
    return read_plan(client, cast, plan)


def start_plan(client: Client, cast: Cast, plan: ActionPlan):
    plan.delete()
    response = client.post(url(plan, "start/"))
    return response, ActionPlan.objects.filter(assessment=plan.assessment).exists()


def edit_action(client: Client, cast: Cast, plan: ActionPlan):
    action = first(plan)
    response = client.post(action.get_absolute_url(), action_post(action, owner="Typed by the test."))
    return response, Action.objects.get(pk=action.pk).owner == "Typed by the test."


def add_action(client: Client, cast: Cast, plan: ActionPlan):
    response = client.post(url(plan, "actions/add/"), {"new-title": "Added by the test"})
    return response, plan.actions.filter(title="Added by the test").exists()


def move_action(client: Client, cast: Cast, plan: ActionPlan):
    action = plan.actions.alive().order_by("position").last()
    response = client.post(f"{action.get_absolute_url()}move/", {"direction": "up"})
    return response, first(plan) == action


def remove_action(client: Client, cast: Cast, plan: ActionPlan):
    action = first(plan)
    response = client.post(f"{action.get_absolute_url()}delete/")
    return response, Action.objects.get(pk=action.pk).deleted_at is not None


def restore_action(client: Client, cast: Cast, plan: ActionPlan):
    action = first(plan)
    actions.do_delete_action(action, by=cast.coordinator)
    response = client.post(f"{action.get_absolute_url()}restore/")
    return response, Action.objects.get(pk=action.pk).deleted_at is None


def add_indicator(client: Client, cast: Cast, plan: ActionPlan):
    action = first(plan)
    response = client.post(f"{action.get_absolute_url()}indicators/add/", {"indicator-name": "Added by the test"})
    return response, action.indicators.filter(name="Added by the test").exists()


def _indicator(cast: Cast, plan: ActionPlan) -> Indicator:
    return actions.do_add_indicator(first(plan), IndicatorFields(name="Placements"), by=cast.coordinator)


def edit_indicator(client: Client, cast: Cast, plan: ActionPlan):
    indicator = _indicator(cast, plan)
    data = {"indicator-lock_version": "0", "indicator-name": "Renamed by the test", "indicator-target": "5"}
    response = client.post(url(plan, f"indicators/{indicator.public_id}/"), data)
    return response, Indicator.objects.get(pk=indicator.pk).name == "Renamed by the test"


def remove_indicator(client: Client, cast: Cast, plan: ActionPlan):
    indicator = _indicator(cast, plan)
    response = client.post(url(plan, f"indicators/{indicator.public_id}/delete/"))
    return response, not Indicator.objects.filter(pk=indicator.pk).exists()


def add_progress_update(client: Client, cast: Cast, plan: ActionPlan):
    action = first(plan)
    data = {"progress-on": "2026-03-01", "progress-text": "Written by the test."}
    response = client.post(f"{action.get_absolute_url()}progress/add/", data)
    return response, ProgressUpdate.objects.filter(action=action, text="Written by the test.").exists()


def _publish_assessment(cast: Cast, plan: ActionPlan) -> None:
    from assessments.actions import do_set_visibility

    do_set_visibility(plan.assessment, Assessment.Visibility.PUBLISHED, by=cast.coordinator)


def make_plan_public(client: Client, cast: Cast, plan: ActionPlan):
    _publish_assessment(cast, plan)
    response = client.post(url(plan, "visibility/"), {"plan-visibility": "public"})
    return response, ActionPlan.objects.get(pk=plan.pk).visibility == ActionPlan.Visibility.PUBLIC


def read_public_plan(client: Client, cast: Cast, plan: ActionPlan):
    _publish_assessment(cast, plan)
    actions.do_set_plan_visibility(plan, ActionPlan.Visibility.PUBLIC, by=cast.coordinator)
    response = client.get(url(plan, "public/"))
    return response, response.status_code == 200 and first(plan).title in response.text


CELLS = cells(TABLE)


@pytest.fixture(autouse=True)
def stub_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF itself is checked in test_downloads; here only who gets it."""
    import actionplans.views

    monkeypatch.setattr(actionplans.views, "html_to_pdf", lambda html, **options: b"%PDF-1.7\n%stub\n")


@pytest.mark.parametrize(("action", "role", "expected"), CELLS, ids=[f"{a}-{r}" for a, r, _ in CELLS])
def test_role_table_cell(cast: Cast, plan: ActionPlan, action: str, role: str, expected: str) -> None:
    user = user_for(cast, role)
    response, happened = globals()[action](client_for(user), cast, plan)
    assert_cell(response, happened, expected)
    if expected != Y and action in POSTS and action != "start_plan":
        # A refused write leaves no trace in the history (each attempt's own setup is the coordinator's).
        assert not ActionPlanEvent.objects.filter(by=user).exists()


@pytest.mark.parametrize("action", POSTS)
def test_every_post_needs_a_csrf_token(cast: Cast, plan: ActionPlan, action: str) -> None:
    client = client_for(cast.coordinator, enforce_csrf_checks=True)
    response, happened = globals()[action](client, cast, plan)
    assert response.status_code == 403
    assert not happened


def test_the_table_is_the_one_in_docs_roles_md() -> None:
    assert documented_table("Action plans") == TABLE


def test_autosave_follows_edit_action(cast: Cast, plan: ActionPlan) -> None:
    action = first(plan)
    path = f"{action.get_absolute_url()}autosave/"
    data = action_post(action, owner="Autosaved", save_id="1b4e28ba-2fa1-11d2-883f-0016d3cca427")
    assert client_for(None).post(path, data).status_code == 401
    for user in (cast.viewer, cast.partner, cast.other, cast.admin):
        assert client_for(user).post(path, data).status_code == 404
    assert Action.objects.get(pk=action.pk).owner == ""
    response = client_for(cast.contributor).post(path, data)
    assert response.status_code == 200
    assert response.json()["lock_version"] == 1
    assert Action.objects.get(pk=action.pk).owner == "Autosaved"


def test_another_city_s_plan_is_404_for_members_of_city_a(cast: Cast) -> None:
    from assessments.actions import do_start_assessment, do_submit
    from tests.support.assessments import a_version

    theirs = do_submit(do_start_assessment(cast.other_workspace, a_version(), "2026", by=cast.other), by=cast.other)
    plan = actions.do_start_plan(theirs, by=cast.other)
    action = actions.do_add_action(plan, by=cast.other, title="Bville's own")
    for user in (cast.coordinator, cast.contributor):
        client = client_for(user)
        assert client.get(url(plan)).status_code == 404
        assert client.get(action.get_absolute_url()).status_code == 404
        assert client.post(f"{action.get_absolute_url()}delete/").status_code == 404
    assert client_for(cast.other).get(action.get_absolute_url()).status_code == 200
    # An action of B's plan is not reachable through A's assessment either.
    mine = submitted_assessment(cast, round="2027")
    actions.do_start_plan(mine, by=cast.coordinator)
    crossed = f"/assessments/{mine.public_id}/plan/actions/{action.public_id}/"
    assert client_for(cast.coordinator).get(crossed).status_code == 404
    assert ActionPlanEvent.objects.filter(plan=plan, action="action_deleted").count() == 0


def test_a_deleted_assessment_s_plan_is_missing(cast: Cast, plan: ActionPlan) -> None:
    from assessments.actions import do_delete_assessment

    do_delete_assessment(plan.assessment, by=cast.coordinator)
    assert client_for(cast.coordinator).get(url(plan)).status_code == 404
    assert client_for(cast.coordinator).get(first(plan).get_absolute_url()).status_code == 404


def test_progress_dates_are_required(cast: Cast, plan: ActionPlan) -> None:
    action = first(plan)
    response = client_for(cast.partner).post(f"{action.get_absolute_url()}progress/add/", {"progress-text": "x"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert not action.updates.exists()
    assert date.today()  # the form's default date is today's (see ProgressForm)
