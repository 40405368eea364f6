"""Two people editing one evidence item at once (docs/quality.md R4): the pages' forms, sent back as a browser
would (their `loaded` fingerprints included), merge by field."""

import re
from html import unescape

import pytest
from django.test import Client

from evidence import actions
from evidence.models import Evidence
from tests.support.cast import Cast, client_for

pytestmark = pytest.mark.django_db


def item_of(cast: Cast) -> Evidence:
    return actions.do_add_evidence(
        cast.workspace,
        actions.Fields(kind="project", title="Welcome desk", url="https://a.example/d", description="Opened 2024."),
        by=cast.contributor,
    )


def edit_form(client: Client, item: Evidence) -> dict[str, str]:
    """The edit form's values as the page gives them (inputs, the selected kind, the description)."""
    html = client.get(f"/evidence/{item.public_id}/").content.decode()
    form = html[html.index('aria-labelledby="edit-heading"') :]
    form = form[: form.index("</form>")]
    values = {
        name: unescape(value) for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)
    }
    values["kind"] = re.search(r'<option value="([^"]+)" selected', form).group(1)
    values["description"] = unescape(re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", form, re.S).group(1))
    assert "loaded" in values
    return values


def test_different_fields_of_one_item_both_apply(cast) -> None:
    item = item_of(cast)
    first, second = client_for(cast.coordinator), client_for(cast.contributor)
    page_1, page_2 = edit_form(first, item), edit_form(second, item)
    assert first.post(f"/evidence/{item.public_id}/", {**page_1, "title": "Welcome desk, city hall"}).status_code == 302
    response = second.post(f"/evidence/{item.public_id}/", {**page_2, "description": "Opened in March 2024."})
    assert response.status_code == 302, "a save of another field is not refused"
    item.refresh_from_db()
    assert (item.title, item.description) == ("Welcome desk, city hall", "Opened in March 2024.")
    edits = list(item.events.filter(action="edited").order_by("pk").values_list("by__email", "changes"))
    assert edits == [
        ("coordinator@aville.example", {"title": {"from": "Welcome desk", "to": "Welcome desk, city hall"}}),
        ("contributor@aville.example", {"description": {"from": "Opened 2024.", "to": "Opened in March 2024."}}),
    ]


def test_the_same_field_is_a_conflict_listing_it_alone_and_sending_it_as_is_keeps_the_rest(cast) -> None:
    item = item_of(cast)
    first, second = client_for(cast.coordinator), client_for(cast.contributor)
    page_1, page_2 = edit_form(first, item), edit_form(second, item)
    page_1.update({"title": "The coordinator's title", "description": "The coordinator's description."})
    assert first.post(f"/evidence/{item.public_id}/", page_1).status_code == 302
    response = second.post(f"/evidence/{item.public_id}/", {**page_2, "title": "The contributor's title"})
    assert response.status_code == 409
    html = response.content.decode()
    assert html.count('name="keep"') == 1 and 'value="title"' in html
    assert "Saved by <bdi>" in html
    # Sent as it is: the contributor's title, and the coordinator's description (never touched by the contributor).
    again = client_for(cast.contributor)
    values = {name: unescape(v) for name, v in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)}
    values["kind"] = "project"
    values["description"] = unescape(
        re.search(r'<textarea name="description"[^>]*>\n?(.*?)</textarea>', html, re.S).group(1)
    )
    assert values["description"] == "The coordinator's description."
    values.pop("keep", None)
    assert again.post(f"/evidence/{item.public_id}/", values).status_code == 302
    item.refresh_from_db()
    assert (item.title, item.description) == ("The contributor's title", "The coordinator's description.")
