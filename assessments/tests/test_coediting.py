"""Two (or five) people editing one key factor at once (docs/quality.md R4, R5): saves merge by field, through
the Save button and autosave alike. Every page here is loaded and sent back as a browser would: the form's
own fields, its hidden `loaded` fingerprints included, read from the page."""

import json
import uuid
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client

from assessments.models import Assessment, AssessmentEvent, FactorAssessment, PartnerRating, QuestionAnswer
from cities.models import Role
from tests.support.cast import Cast, client_for, join, make_user
from tests.support.forms import FormReader

pytestmark = pytest.mark.django_db


def page_form(client: Client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return read_form(response.content.decode())


def read_form(html: str) -> dict[str, str]:
    reader = FormReader()
    reader.feed(html)
    forms = [values for values in reader.forms if "loaded" in values]
    assert len(forms) == 1, "the key factor's form carries the fingerprints it was loaded with"
    return forms[0]


def a_factor(assessment: Assessment) -> FactorAssessment:
    factor = assessment.factors.filter(answers__isnull=False).select_related("key_factor").distinct().first()
    assert factor is not None
    return factor


def numbers(factor: FactorAssessment) -> list[int]:
    return list(factor.answers.order_by("question__number").values_list("question__number", flat=True))


def url(assessment: Assessment, factor: FactorAssessment, autosave: bool = False) -> str:
    return f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/" + ("autosave/" if autosave else "")


def autosave(client: Client, assessment: Assessment, factor: FactorAssessment, data: dict[str, Any], **seq: Any) -> Any:
    body = {**data, "save_id": uuid.uuid4(), "page": seq.get("page", uuid.uuid4()), "seq": seq.get("seq", 1)}
    return client.post(url(assessment, factor, autosave=True), body, HTTP_ACCEPT="application/json")


def stored(factor: FactorAssessment) -> dict[str, Any]:
    factor.refresh_from_db()
    values: dict[str, Any] = {"rating": factor.rating, "justification": factor.justification}
    for a in QuestionAnswer.objects.filter(factor=factor).select_related("question"):
        values[f"q{a.question.number}-answer"] = a.answer
        values[f"q{a.question.number}-comment"] = a.comment
    return values


@pytest.fixture
def two(cast: Cast, assessment: Assessment) -> tuple[Client, Client, FactorAssessment]:
    return client_for(cast.coordinator), client_for(cast.contributor), a_factor(assessment)


# ---- different fields: both apply


def test_save_button_different_fields_both_apply_and_nothing_is_reverted(two, assessment, cast) -> None:
    first, second, factor = two
    n = numbers(factor)[0]
    page_1 = page_form(first, url(assessment, factor))
    page_2 = page_form(second, url(assessment, factor))
    page_1["justification"] = "Two language courses are funded by the city."
    assert first.post(url(assessment, factor), page_1).status_code == 302
    page_2[f"q{n}-comment"] = "Only in two districts so far."
    response = second.post(url(assessment, factor), page_2)
    assert response.status_code == 302, "a save of another field is not refused"
    now = stored(factor)
    assert now["justification"] == "Two language courses are funded by the city."
    assert now[f"q{n}-comment"] == "Only in two districts so far."
    # The history shows both edits, each by its author, and no revert of the first.
    events = list(assessment.events.filter(action=AssessmentEvent.Action.FACTOR_SAVED).order_by("pk"))
    assert [(e.by, sorted(k for k in e.changes if k != "key_factor")) for e in events] == [
        (cast.coordinator, ["justification"]),
        (cast.contributor, ["comments"]),
    ]


def test_autosave_different_fields_both_apply_and_the_answer_brings_the_other_change(two, assessment) -> None:
    first, second, factor = two
    n = numbers(factor)[0]
    page_1 = page_form(first, url(assessment, factor))
    page_2 = page_form(second, url(assessment, factor))
    assert autosave(first, assessment, factor, {**page_1, "justification": "Typed by the first."}).status_code == 200
    response = autosave(second, assessment, factor, {**page_2, f"q{n}-answer": "partly"})
    assert response.status_code == 200
    answer = response.json()
    # The page is told what the other person changed, to take it in, and what it is now based on.
    assert answer["theirs"] == {"justification": "Typed by the first."}
    assert set(answer["loaded"]) >= {"justification", f"q{n}-answer"}
    now = stored(factor)
    assert (now["justification"], now[f"q{n}-answer"]) == ("Typed by the first.", "partly")


def test_a_workshop_of_five_on_one_key_factor_keeps_everyone_s_text(cast, assessment) -> None:
    factor = assessment.factors.annotate(n=Count("answers")).filter(n__gte=4).select_related("key_factor").first()
    assert factor is not None
    people = [cast.coordinator, cast.contributor]
    for i in range(3):
        person = make_user(f"workshop{i}@aville.example")
        join(cast.workspace, person, Role.CONTRIBUTOR, by=cast.coordinator)
        people.append(person)
    clients = [client_for(person) for person in people]
    pages = [page_form(client, url(assessment, factor)) for client in clients]
    fields = ["justification"] + [f"q{n}-comment" for n in numbers(factor)]
    assert len(fields) >= 5
    for i, (client, page) in enumerate(zip(clients, pages, strict=True)):
        page_id = uuid.uuid4()
        for seq in (1, 2):  # each types, pauses, types on: two autosaves from one open page
            text = f"Point {i} from the workshop" + (", completed." if seq == 2 else ".")
            response = autosave(client, assessment, factor, {**page, fields[i]: text}, page=page_id, seq=seq)
            assert response.status_code == 200, response.content
            # As static/js/autosave.js does: take in what others changed, then rest on what is stored.
            page.update(
                {name: "" if value is None else str(value) for name, value in response.json()["theirs"].items()}
            )
            page["loaded"] = json.dumps(response.json()["loaded"])
            page[fields[i]] = text
    now = stored(factor)
    assert [now[fields[i]] for i in range(5)] == [f"Point {i} from the workshop, completed." for i in range(5)]
    # The last one's page says who else is working on this key factor.
    html = clients[4].get(url(assessment, factor)).content.decode()
    assert "Also working on this key factor:" in html
    for person in people[:4]:
        assert f"<bdi>{person}</bdi>" in html
    assert f"<bdi>{people[4]}</bdi>" not in html


# ---- the same field: a named conflict, and the conflict screen


def test_save_button_same_field_is_a_conflict_listing_only_that_field(two, assessment, cast) -> None:
    first, second, factor = two
    n = numbers(factor)[0]
    page_1 = page_form(first, url(assessment, factor))
    page_2 = page_form(second, url(assessment, factor))
    page_1.update({"justification": "The first person's text.", "rating": "2"})
    assert first.post(url(assessment, factor), page_1).status_code == 302
    page_2.update({"justification": "The second person's text.", f"q{n}-comment": "Second's comment."})
    response = second.post(url(assessment, factor), page_2)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed a field you changed" in html
    assert f"Saved by <bdi>{cast.coordinator}</bdi>" in html
    assert "The first person&#x27;s text." in html and "The second person&#x27;s text." in html
    assert html.count('name="keep"') == 1, "only the field in conflict is listed"
    assert stored(factor)["justification"] == "The first person's text.", "nothing is applied"
    # Sent as it is, the conflict form applies the second person's decisions and leaves the rating,
    # which they never touched and the first person changed, as the first person saved it.
    again = read_form(html)
    assert again["rating"] == "2", "a field this person did not change shows what is stored now"
    assert second.post(url(assessment, factor), again).status_code == 302
    now = stored(factor)
    assert now["rating"] == 2
    assert now["justification"] == "The second person's text."
    assert now[f"q{n}-comment"] == "Second's comment."


def test_conflict_screen_can_keep_the_saved_text(two, assessment) -> None:
    first, second, factor = two
    n = numbers(factor)[0]
    page_1 = page_form(first, url(assessment, factor))
    page_2 = page_form(second, url(assessment, factor))
    assert first.post(url(assessment, factor), {**page_1, "justification": "Kept."}).status_code == 302
    response = second.post(
        url(assessment, factor), {**page_2, "justification": "Dropped.", f"q{n}-comment": "Kept too."}
    )
    assert response.status_code == 409
    again = read_form(response.content.decode())
    again["keep"] = "justification"
    assert second.post(url(assessment, factor), again).status_code == 302
    now = stored(factor)
    assert (now["justification"], now[f"q{n}-comment"]) == ("Kept.", "Kept too.")


def test_autosave_same_field_is_a_conflict_that_names_it(two, assessment) -> None:
    first, second, factor = two
    page_1 = page_form(first, url(assessment, factor))
    page_2 = page_form(second, url(assessment, factor))
    assert autosave(first, assessment, factor, {**page_1, "justification": "First."}).status_code == 200
    response = autosave(second, assessment, factor, {**page_2, "justification": "Second."})
    assert response.status_code == 409
    assert response.json()["reason"] == "conflict"
    assert response.json()["fields"] == ["justification"]
    assert stored(factor)["justification"] == "First."


def test_both_typing_the_same_text_is_no_conflict(two, assessment) -> None:
    first, second, factor = two
    page_1 = page_form(first, url(assessment, factor))
    page_2 = page_form(second, url(assessment, factor))
    assert first.post(url(assessment, factor), {**page_1, "justification": "Agreed."}).status_code == 302
    assert second.post(url(assessment, factor), {**page_2, "justification": "Agreed."}).status_code == 302


# ---- one person's own saves, in the wrong order


def test_an_older_autosave_of_the_same_page_never_overwrites_newer_text(cast, assessment) -> None:
    factor = a_factor(assessment)
    client = client_for(cast.contributor)
    page = page_form(client, url(assessment, factor))
    page_id = uuid.uuid4()
    newer = autosave(client, assessment, factor, {**page, "justification": "Newer text."}, page=page_id, seq=2)
    assert newer.status_code == 200
    # Request 1 of the same page arrives late (a retry whose first answer was lost): acknowledged, not applied.
    late = autosave(client, assessment, factor, {**page, "justification": "Older text."}, page=page_id, seq=1)
    assert late.status_code == 200
    assert stored(factor)["justification"] == "Newer text."
    # The same number again (a replay) changes nothing either.
    replay = autosave(client, assessment, factor, {**page, "justification": "Older text."}, page=page_id, seq=2)
    assert replay.status_code == 200
    assert stored(factor)["justification"] == "Newer text."


def test_a_page_id_is_not_usable_by_someone_else(two, assessment) -> None:
    first, second, factor = two
    page_id = uuid.uuid4()
    page_1 = page_form(first, url(assessment, factor))
    assert (
        autosave(first, assessment, factor, {**page_1, "justification": "Mine."}, page=page_id, seq=1).status_code
        == 200
    )
    page_2 = page_form(second, url(assessment, factor))
    response = autosave(second, assessment, factor, {**page_2, "justification": "Theirs."}, page=page_id, seq=5)
    assert response.status_code == 200
    assert stored(factor)["justification"] == "Mine."


def test_a_page_loaded_before_merging_keeps_the_whole_factor_check(two, assessment) -> None:
    first, second, factor = two
    n = numbers(factor)[0]
    page_1 = page_form(first, url(assessment, factor))
    page_2 = page_form(second, url(assessment, factor))
    del page_2["loaded"]
    assert first.post(url(assessment, factor), {**page_1, "justification": "First."}).status_code == 302
    response = second.post(url(assessment, factor), {**page_2, f"q{n}-comment": "Other field."})
    assert response.status_code == 409, "without fingerprints, any save since is a conflict, never an overwrite"
    assert stored(factor)["justification"] == "First."


# ---- context notes: the same rules, on the context page


def context_url(assessment: Assessment) -> str:
    return f"/assessments/{assessment.public_id}/context/"


def test_context_notes_of_different_factors_both_apply(two, assessment, cast) -> None:
    first, second, _factor = two
    page_1 = page_form(first, context_url(assessment))
    page_2 = page_form(second, context_url(assessment))
    page_1.update({"c1-effect": "enabler", "c1-note": "A regional integration fund."})
    assert first.post(context_url(assessment), page_1).status_code == 302
    page_2.update({"c2-note": "National law sets the asylum reception."})
    assert second.post(context_url(assessment), page_2).status_code == 302
    notes = {n.context_factor.number: n for n in assessment.context_notes.select_related("context_factor")}
    assert (notes[1].effect, notes[1].note) == ("enabler", "A regional integration fund.")
    assert notes[2].note == "National law sets the asylum reception."
    events = assessment.events.filter(action=AssessmentEvent.Action.CONTEXT_SAVED).order_by("pk")
    assert [e.by for e in events] == [cast.coordinator, cast.contributor]


def test_the_same_context_note_changed_by_both_is_a_conflict_of_that_field_only(two, assessment, cast) -> None:
    first, second, _factor = two
    page_1 = page_form(first, context_url(assessment))
    page_2 = page_form(second, context_url(assessment))
    page_1.update({"c1-note": "First's note.", "c1-effect": "constraint"})
    assert first.post(context_url(assessment), page_1).status_code == 302
    page_2.update({"c1-note": "Second's note."})
    response = second.post(context_url(assessment), page_2)
    assert response.status_code == 409
    html = response.content.decode()
    assert html.count('name="keep"') == 1 and 'value="c1-note"' in html
    assert f"Saved by <bdi>{cast.coordinator}</bdi>" in html
    # As it is, the conflict form keeps the first person's effect (the second never touched it).
    again = read_form(html)
    assert again["c1-effect"] == "constraint"
    assert second.post(context_url(assessment), again).status_code == 302
    note = assessment.context_notes.get(context_factor__number=1)
    assert (note.effect, note.note) == ("constraint", "Second's note.")


# ---- a partner organisation's view: two of its people at once


def partner_form(client: Client, assessment: Assessment, factor: FactorAssessment) -> dict[str, str]:
    reader = FormReader()
    reader.feed(client.get(url(assessment, factor)).content.decode())
    forms = [values for values in reader.forms if "partner-loaded" in values]
    assert len(forms) == 1
    return forms[0]


@pytest.fixture
def two_partners(cast: Cast, assessment: Assessment) -> tuple[Client, Client, FactorAssessment]:
    colleague = make_user("colleague@aville.example")
    join(cast.workspace, colleague, Role.PARTNER, by=cast.coordinator, organisation="Aville Refugee Council")
    return client_for(cast.partner), client_for(colleague), a_factor(assessment)


def partner_url(assessment: Assessment, factor: FactorAssessment) -> str:
    return url(assessment, factor) + "partner-rating/"


def test_two_people_of_one_organisation_rating_and_commenting_both_apply(two_partners, assessment) -> None:
    first, second, factor = two_partners
    page_1 = partner_form(first, assessment, factor)
    page_2 = partner_form(second, assessment, factor)
    assert first.post(partner_url(assessment, factor), {**page_1, "partner-rating": "2"}).status_code == 302
    response = second.post(partner_url(assessment, factor), {**page_2, "partner-comment": "Seen from our advice desk."})
    assert response.status_code == 302
    view = PartnerRating.objects.get(factor=factor)
    assert (view.rating, view.comment) == (2, "Seen from our advice desk.")


def test_the_same_partner_comment_changed_by_both_is_a_conflict_that_can_keep_the_saved_one(
    two_partners, assessment
) -> None:
    first, second, factor = two_partners
    page_1 = partner_form(first, assessment, factor)
    page_2 = partner_form(second, assessment, factor)
    assert first.post(partner_url(assessment, factor), {**page_1, "partner-comment": "First."}).status_code == 302
    response = second.post(partner_url(assessment, factor), {**page_2, "partner-comment": "Second."})
    assert response.status_code == 409
    html = response.content.decode()
    assert html.count('name="keep"') == 1 and 'value="comment"' in html
    reader = FormReader()
    reader.feed(html)
    again = next(values for values in reader.forms if "partner-loaded" in values)
    assert second.post(partner_url(assessment, factor), {**again, "keep": "comment"}).status_code == 302
    assert PartnerRating.objects.get(factor=factor).comment == "First."
