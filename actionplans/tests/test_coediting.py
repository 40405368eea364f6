"""Two people editing one plan at once (docs/quality.md R4, R5): an action's and an indicator's saves merge by
field, through the Save button and an action's autosave alike; the plan's own changes (adding, moving
actions) never stop an action's save. Every page here is loaded and sent back as a browser would: the
form's own fields, its hidden `loaded` fingerprints included, read from the page."""

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from actionplans import actions
from actionplans.actions import IndicatorFields
from actionplans.models import Action, ActionPlan, ActionPlanEvent, Indicator
from benchmarks.models import KeyFactor
from tests.support.cast import Cast, client_for
from tests.support.forms import FormReader

pytestmark = pytest.mark.django_db


def read_form(html: str, loaded: str = "loaded") -> dict[str, str]:
    reader = FormReader()
    reader.feed(html)
    forms = [values for values in reader.forms if loaded in values]
    assert len(forms) == 1, "the edit form carries the fingerprints it was loaded with"
    return forms[0]


def page_form(client: Client, url: str, loaded: str = "loaded") -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return read_form(response.content.decode(), loaded)


def first_action(plan: ActionPlan) -> Action:
    action = plan.actions.alive().order_by("position").first()
    assert action is not None
    return action


def autosave(client: Client, action: Action, data: dict[str, Any], **seq: Any) -> Any:
    body = {**data, "save_id": uuid.uuid4(), "page": seq.get("page", uuid.uuid4()), "seq": seq.get("seq", 1)}
    return client.post(f"{action.get_absolute_url()}autosave/", body, HTTP_ACCEPT="application/json")


def other_key_factor(action: Action) -> KeyFactor:
    """A key factor of the benchmark that the action does not address yet."""
    chosen = set(action.key_factors.values_list("pk", flat=True))
    found = KeyFactor.objects.filter(version_id=action.plan.assessment.benchmark_version_id).exclude(pk__in=chosen)
    key_factor = found.order_by("kind", "number").first()
    assert key_factor is not None
    return key_factor


def saves(plan: ActionPlan, action: str) -> list[ActionPlanEvent]:
    return list(ActionPlanEvent.objects.filter(plan=plan, action=action).order_by("pk"))


@pytest.fixture
def two(cast: Cast, plan: ActionPlan) -> tuple[Client, Client, Action]:
    return client_for(cast.coordinator), client_for(cast.contributor), first_action(plan)


# ---- an action, different fields: both apply


def test_save_button_different_fields_of_an_action_both_apply(two, plan, cast) -> None:
    first, second, action = two
    url = action.get_absolute_url()
    page_1, page_2 = page_form(first, url), page_form(second, url)
    page_1["owner"] = "Integration office"
    page_1["budget"] = "25000"
    assert first.post(url, page_1).status_code == 302
    page_2["partners"] = "Job centre, libraries"
    page_2["end"] = "2027-06-30"
    page_2[f"kf-{other_key_factor(action).pk}"] = "on"
    response = second.post(url, page_2)
    assert response.status_code == 302, "a save of other fields is not refused"
    action.refresh_from_db()
    assert (action.owner, action.budget) == ("Integration office", Decimal("25000.00"))
    assert (action.partners, action.end) == ("Job centre, libraries", date(2027, 6, 30))
    assert action.key_factors.count() == 2
    # The history shows both edits, each by its author, and no revert of the first one's fields.
    events = saves(plan, ActionPlanEvent.Action.ACTION_SAVED)
    assert [(e.by, sorted(k for k in e.changes if k not in ("action", "title"))) for e in events] == [
        (cast.coordinator, ["budget", "owner"]),
        (cast.contributor, ["end", "key_factors", "partners"]),
    ]
    history = first.get(f"/assessments/{plan.assessment.public_id}/plan/history/").content.decode()
    assert "Integration office" in history and "Job centre, libraries" in history


def test_autosave_different_fields_of_an_action_both_apply_and_the_answer_brings_the_other_change(two, cast) -> None:
    first, second, action = two
    url = action.get_absolute_url()
    page_1, page_2 = page_form(first, url), page_form(second, url)
    added = other_key_factor(action)
    assert (
        autosave(first, action, {**page_1, "description": "Typed by the first.", f"kf-{added.pk}": "on"}).status_code
        == 200
    )
    response = autosave(second, action, {**page_2, "start": "2026-09-01", "budget": "1200.50"})
    assert response.status_code == 200, response.content
    answer = response.json()
    # The page is told what the other person changed, to take it in, and what it is now based on.
    assert answer["theirs"] == {"description": "Typed by the first.", f"kf-{added.pk}": True}
    assert set(answer["loaded"]) >= {"description", "start", "budget", f"kf-{added.pk}"}
    assert [other["name"] for other in answer["others"]] == [str(cast.coordinator)]
    action.refresh_from_db()
    assert action.description == "Typed by the first."
    assert (action.start, action.budget) == (date(2026, 9, 1), Decimal("1200.50"))
    assert added in action.key_factors.all()
    # The page says who else is working on this action.
    html = second.get(url).content.decode()
    assert "Also working on this action:" in html


# ---- an action, the same field: a named conflict, and the conflict screen


def test_save_button_same_field_of_an_action_is_a_conflict_listing_only_that_field(two, plan, cast) -> None:
    first, second, action = two
    url = action.get_absolute_url()
    page_1, page_2 = page_form(first, url), page_form(second, url)
    page_1.update({"owner": "The first person's owner.", "status": "in_progress"})
    assert first.post(url, page_1).status_code == 302
    page_2.update({"owner": "The second person's owner.", "resources": "Two staff."})
    response = second.post(url, page_2)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed a field you changed" in html
    assert f"Saved by <bdi>{cast.coordinator}</bdi>" in html
    assert "The first person&#x27;s owner." in html and "The second person&#x27;s owner." in html
    assert html.count('name="keep"') == 1, "only the field in conflict is listed"
    assert "data-autosave=" not in html, "autosave stays off on the conflict screen"
    action.refresh_from_db()
    assert action.owner == "The first person's owner.", "nothing is applied"
    assert action.resources == ""
    # Sent as it is, the conflict form applies the second person's decisions and leaves the status,
    # which they never touched and the first person changed, as the first person saved it.
    again = read_form(html)
    assert again["status"] == "in_progress", "a field this person did not change shows what is stored now"
    assert second.post(url, again).status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.resources, action.status) == (
        "The second person's owner.",
        "Two staff.",
        "in_progress",
    )
    events = saves(plan, ActionPlanEvent.Action.ACTION_SAVED)
    assert [(e.by, e.changes.get("owner", {}).get("to")) for e in events] == [
        (cast.coordinator, "The first person's owner."),
        (cast.contributor, "The second person's owner."),
    ]


def test_the_conflict_screen_of_an_action_leaves_untouched_key_factors_and_dates_alone(two) -> None:
    first, second, action = two
    url = action.get_absolute_url()
    addressed = action.key_factors.get()
    page_1, page_2 = page_form(first, url), page_form(second, url)
    added = other_key_factor(action)
    # The first person unticks one key factor, ticks another and sets the dates.
    del page_1[f"kf-{addressed.pk}"]
    page_1.update({f"kf-{added.pk}": "on", "start": "2026-03-01", "end": "2026-12-31", "title": "Renamed"})
    assert first.post(url, page_1).status_code == 302
    response = second.post(url, {**page_2, "title": "Renamed otherwise"})
    assert response.status_code == 409
    again = read_form(response.content.decode())
    assert again.get(f"kf-{added.pk}") == "on" and f"kf-{addressed.pk}" not in again
    assert (again["start"], again["end"]) == ("2026-03-01", "2026-12-31")
    assert second.post(url, again).status_code == 302
    action.refresh_from_db()
    assert action.title == "Renamed otherwise"
    assert list(action.key_factors.all()) == [added]
    assert (action.start, action.end) == (date(2026, 3, 1), date(2026, 12, 31))


def test_the_conflict_screen_of_an_action_can_keep_the_saved_text(two) -> None:
    first, second, action = two
    url = action.get_absolute_url()
    page_1, page_2 = page_form(first, url), page_form(second, url)
    assert first.post(url, {**page_1, "description": "Kept."}).status_code == 302
    response = second.post(url, {**page_2, "description": "Dropped.", "funding_source": "Kept too."})
    assert response.status_code == 409
    again = read_form(response.content.decode())
    again["keep"] = "description"
    assert second.post(url, again).status_code == 302
    action.refresh_from_db()
    assert (action.description, action.funding_source) == ("Kept.", "Kept too.")


def test_a_conflict_on_a_choice_shows_both_choices_in_words(two) -> None:
    first, second, action = two
    url = action.get_absolute_url()
    page_1, page_2 = page_form(first, url), page_form(second, url)
    assert first.post(url, {**page_1, "status": "done", "competence": "national"}).status_code == 302
    response = second.post(url, {**page_2, "status": "dropped", "competence": "national"})
    assert response.status_code == 409
    stored = response.content.decode().split('class="conflict-stored"')[1].split("</dl>")[0]
    assert "Done" in stored and "Dropped" in stored
    assert response.content.decode().count('name="keep"') == 1, "the same competence chosen by both is no conflict"


def test_autosave_same_field_of_an_action_is_a_conflict_that_names_it(two) -> None:
    first, second, action = two
    url = action.get_absolute_url()
    page_1, page_2 = page_form(first, url), page_form(second, url)
    assert autosave(first, action, {**page_1, "partners": "First."}).status_code == 200
    response = autosave(second, action, {**page_2, "partners": "Second.", "owner": "Second's owner."})
    assert response.status_code == 409
    assert response.json()["reason"] == "conflict"
    assert response.json()["fields"] == ["partners"]
    action.refresh_from_db()
    assert (action.partners, action.owner) == ("First.", "")


def test_an_older_autosave_of_the_same_action_page_never_overwrites_newer_text(cast, plan) -> None:
    action = first_action(plan)
    client = client_for(cast.contributor)
    page = page_form(client, action.get_absolute_url())
    page_id = uuid.uuid4()
    newer = autosave(client, action, {**page, "description": "Newer text."}, page=page_id, seq=2)
    assert newer.status_code == 200
    # Request 1 of the same page arrives late (a retry whose first answer was lost): acknowledged, not applied.
    late = autosave(client, action, {**page, "description": "Older text."}, page=page_id, seq=1)
    assert late.status_code == 200
    action.refresh_from_db()
    assert action.description == "Newer text."
    replay = autosave(client, action, {**page, "description": "Older text."}, page=page_id, seq=2)
    assert replay.status_code == 200
    action.refresh_from_db()
    assert action.description == "Newer text."


def test_an_action_page_loaded_before_merging_keeps_the_whole_action_check(two) -> None:
    first, second, action = two
    url = action.get_absolute_url()
    page_1, page_2 = page_form(first, url), page_form(second, url)
    del page_2["loaded"]
    assert first.post(url, {**page_1, "owner": "First."}).status_code == 302
    response = second.post(url, {**page_2, "partners": "Other field."})
    assert response.status_code == 409, "without fingerprints, any save since is a conflict, never an overwrite"
    assert "Someone else saved this action meanwhile" in response.content.decode()
    action.refresh_from_db()
    assert (action.owner, action.partners) == ("First.", "")


def test_merged_values_are_checked_together(two) -> None:
    first, second, action = two
    url = action.get_absolute_url()
    page_1, page_2 = page_form(first, url), page_form(second, url)
    assert first.post(url, {**page_1, "start": "2026-06-01"}).status_code == 302
    # Each page alone is valid; merged, the end would be before the start: refused, nothing applied.
    response = second.post(url, {**page_2, "end": "2026-01-31"})
    assert response.status_code == 400
    assert "The end cannot be before the start." in response.content.decode()
    action.refresh_from_db()
    assert (action.start, action.end) == (date(2026, 6, 1), None)


# ---- the plan: its own changes never stop an action's save


def test_adding_and_moving_actions_meanwhile_does_not_stop_an_action_s_save(two, plan) -> None:
    first, second, action = two
    url = action.get_absolute_url()
    page_2 = page_form(second, url)
    plan_url = f"/assessments/{plan.assessment.public_id}/plan/"
    assert first.post(f"{plan_url}actions/add/", {"new-title": "Added meanwhile"}).status_code == 302
    assert first.post(f"{url}move/", {"direction": "down"}).status_code == 302
    assert second.post(url, {**page_2, "owner": "Saved after the plan changed."}).status_code == 302
    action.refresh_from_db()
    assert action.owner == "Saved after the plan changed."
    assert plan.actions.alive().filter(title="Added meanwhile").exists()


# ---- indicators, Save button


@pytest.fixture
def indicator(cast: Cast, plan: ActionPlan) -> Indicator:
    fields = IndicatorFields(name="People placed", baseline=Decimal("40"), target=Decimal("120"), unit="people")
    return actions.do_add_indicator(first_action(plan), fields, by=cast.coordinator)


def indicator_url(plan: ActionPlan, indicator: Indicator) -> str:
    return f"/assessments/{plan.assessment.public_id}/plan/indicators/{indicator.public_id}/"


def test_indicator_different_fields_both_apply(cast, plan, indicator) -> None:
    first, second = client_for(cast.coordinator), client_for(cast.contributor)
    url = indicator_url(plan, indicator)
    page_1, page_2 = page_form(first, url, "indicator-loaded"), page_form(second, url, "indicator-loaded")
    assert first.post(url, {**page_1, "indicator-current": "55.5"}).status_code == 302
    response = second.post(url, {**page_2, "indicator-target": "150", "indicator-due": "2027-01-31"})
    assert response.status_code == 302, "a save of other fields is not refused"
    indicator.refresh_from_db()
    assert (indicator.current, indicator.target, indicator.due) == (Decimal("55.5"), Decimal("150"), date(2027, 1, 31))
    events = saves(plan, ActionPlanEvent.Action.INDICATOR_SAVED)
    assert [(e.by, sorted(k for k in e.changes if k in actions.INDICATOR_FIELDS)) for e in events] == [
        (cast.coordinator, ["current"]),
        (cast.contributor, ["due", "target"]),
    ]
    history = first.get(f"/assessments/{plan.assessment.public_id}/plan/history/").content.decode()
    assert "55.5" in history and "2027-01-31" in history
    assert "indicator id" not in history


def test_indicator_same_field_is_a_conflict_listing_only_that_field(cast, plan, indicator) -> None:
    first, second = client_for(cast.coordinator), client_for(cast.contributor)
    url = indicator_url(plan, indicator)
    page_1, page_2 = page_form(first, url, "indicator-loaded"), page_form(second, url, "indicator-loaded")
    assert first.post(url, {**page_1, "indicator-target": "130", "indicator-unit": "persons"}).status_code == 302
    response = second.post(url, {**page_2, "indicator-target": "140", "indicator-current": "60"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed a field you changed" in html
    assert f"Saved by <bdi>{cast.coordinator}</bdi>" in html
    assert html.count('name="keep"') == 1 and 'value="target"' in html
    indicator.refresh_from_db()
    assert (indicator.target, indicator.current) == (Decimal("130"), None), "nothing is applied"
    again = read_form(html, "indicator-loaded")
    assert again["indicator-unit"] == "persons", "a field this person did not change shows what is stored now"
    assert second.post(url, again).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.target, indicator.current, indicator.unit) == (Decimal("140"), Decimal("60"), "persons")


def test_indicator_conflict_screen_can_keep_the_saved_value(cast, plan, indicator) -> None:
    first, second = client_for(cast.coordinator), client_for(cast.contributor)
    url = indicator_url(plan, indicator)
    page_1, page_2 = page_form(first, url, "indicator-loaded"), page_form(second, url, "indicator-loaded")
    assert first.post(url, {**page_1, "indicator-name": "Kept name"}).status_code == 302
    response = second.post(url, {**page_2, "indicator-name": "Dropped name", "indicator-current": "70"})
    assert response.status_code == 409
    again = read_form(response.content.decode(), "indicator-loaded")
    again["keep"] = "name"
    assert second.post(url, again).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.name, indicator.current) == ("Kept name", Decimal("70"))


def test_a_freshly_loaded_page_counts_no_field_as_changed(two) -> None:
    """The fingerprints a page is loaded with match what it sends back unchanged: no field of a
    freshly loaded page counts as changed (dates, decimals, boxes included)."""
    first, _second, action = two
    url = action.get_absolute_url()
    assert first.post(url, {**page_form(first, url), "budget": "99.90", "start": "2026-01-01"}).status_code == 302
    page = page_form(first, url)
    loaded = json.loads(page["loaded"])
    response = autosave(first, action, page)
    assert response.status_code == 200
    assert response.json()["loaded"] == loaded and response.json()["theirs"] == {}
    assert saves(action.plan, ActionPlanEvent.Action.ACTION_SAVED)[-1].changes.get("autosave") is None
