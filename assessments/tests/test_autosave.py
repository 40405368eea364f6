"""Autosave of a key factor (docs/quality.md R5, R4) through HTTP: what it stores, replays and late requests that
change nothing, who may use it, JSON answers for signed-out requests, and one history event per editing spell."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts import actions as account_actions
from assessments import actions
from assessments.models import Assessment, AssessmentEvent, FactorAssessment, QuestionAnswer
from tests.support.cast import Cast, client_for
from tests.support.roles import ROLES, user_for

pytestmark = pytest.mark.django_db


def a_factor(assessment: Assessment) -> FactorAssessment:
    factor = assessment.factors.filter(answers__isnull=False).select_related("key_factor").distinct().first()
    assert factor is not None
    return factor


def autosave_url(assessment: Assessment, factor: FactorAssessment) -> str:
    return f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/autosave/"


def form_data(factor: FactorAssessment, *, version: int, save_id: Any = None, **values: Any) -> dict:
    """Every field of the key-factor form, as the page sends it, with `values` changed."""
    data: dict[str, Any] = {
        "lock_version": version,
        "rating": "",
        "justification": "",
        "save_id": save_id or uuid.uuid4(),
    }
    for answer in factor.answers.select_related("question"):
        data[f"q{answer.question.number}-answer"] = answer.answer
        data[f"q{answer.question.number}-comment"] = answer.comment
    data.update(values)
    return data


def first_question(factor: FactorAssessment) -> int:
    return factor.answers.select_related("question").order_by("question__number").first().question.number


def comment_of(factor: FactorAssessment, number: int) -> str:
    return QuestionAnswer.objects.get(factor=factor, question__number=number).comment


def post(client: Client, assessment: Assessment, factor: FactorAssessment, data: dict) -> Any:
    return client.post(autosave_url(assessment, factor), data, HTTP_ACCEPT="application/json")


def factor_events(assessment: Assessment) -> list[AssessmentEvent]:
    return list(assessment.events.filter(action=AssessmentEvent.Action.FACTOR_SAVED).order_by("pk"))


def test_autosave_stores_the_fields_and_answers_the_new_lock_version(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    n = first_question(factor)
    client = client_for(cast.contributor)
    # A rating without its justification yet: the person is still typing, the draft is saved anyway.
    data = form_data(
        factor, version=0, **{f"q{n}-answer": "partly", f"q{n}-comment": "Half the districts.", "rating": "2"}
    )
    response = post(client, assessment, factor, data)
    assert response.status_code == 200
    assert response.json()["lock_version"] == 1
    # A save is activity: the answer says how long the session has left, for static/js/session.js.
    assert settings.SESSION_IDLE_SECONDS - 60 <= response.json()["idle_seconds"] <= settings.SESSION_IDLE_SECONDS
    factor.refresh_from_db()
    assert (factor.lock_version, factor.rating, factor.updated_by) == (1, 2, cast.contributor)
    answer = QuestionAnswer.objects.get(factor=factor, question__number=n)
    assert (answer.answer, answer.comment) == ("partly", "Half the districts.")
    # The next save chains the version it was given.
    response = post(client, assessment, factor, form_data(factor, version=1, justification="Because."))
    assert response.json()["lock_version"] == 2
    factor.refresh_from_db()
    assert factor.justification == "Because."


def test_a_replayed_save_is_acknowledged_and_changes_nothing(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    n = first_question(factor)
    client = client_for(cast.contributor)
    data = form_data(factor, version=0, **{f"q{n}-comment": "First words."})
    assert post(client, assessment, factor, data).json()["lock_version"] == 1
    events = [(e.pk, e.changes, e.at) for e in factor_events(assessment)]

    # The answer was lost on the way back; the browser sends the same request again.
    replay = post(client, assessment, factor, data)
    assert replay.status_code == 200
    assert replay.json()["lock_version"] == 1
    factor.refresh_from_db()
    assert factor.lock_version == 1
    assert comment_of(factor, n) == "First words."
    assert [(e.pk, e.changes, e.at) for e in factor_events(assessment)] == events


def test_a_late_older_request_never_overwrites_a_newer_save(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    n = first_question(factor)
    client = client_for(cast.contributor)
    older = form_data(factor, version=0, **{f"q{n}-comment": "Older words."})
    newer = form_data(factor, version=0, **{f"q{n}-comment": "Newer words."})
    assert post(client, assessment, factor, newer).status_code == 200
    response = post(client, assessment, factor, older)  # arrives second, based on the same version
    assert response.status_code == 409
    assert response.json()["reason"] == "conflict"
    assert response.json()["lock_version"] == 1
    factor.refresh_from_db()
    assert factor.lock_version == 1
    assert comment_of(factor, n) == "Newer words."

    # Nor does an older save replayed after a newer one was applied.
    first = form_data(factor, version=1, **{f"q{n}-comment": "Third words."})
    assert post(client, assessment, factor, first).json()["lock_version"] == 2
    assert (
        post(client, assessment, factor, form_data(factor, version=2, **{f"q{n}-comment": "Fourth."})).status_code
        == 200
    )
    assert post(client, assessment, factor, first).status_code == 409
    assert comment_of(factor, n) == "Fourth."


def test_a_late_request_with_exactly_the_stored_content_is_acknowledged(cast: Cast, assessment: Assessment) -> None:
    # Two tabs of the same person: the second restored the first's unsaved text and saved it first.
    factor = a_factor(assessment)
    n = first_question(factor)
    client = client_for(cast.contributor)
    values = {f"q{n}-comment": "The same words.", "justification": "Same."}
    assert post(client, assessment, factor, form_data(factor, version=0, **values)).status_code == 200
    late = post(client, assessment, factor, form_data(factor, version=0, **values))
    assert late.status_code == 200
    assert late.json()["lock_version"] == 1
    factor.refresh_from_db()
    assert factor.lock_version == 1
    assert len(factor_events(assessment)) == 1


def test_someone_elses_save_meanwhile_is_a_conflict(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    actions.do_save_factor(
        factor,
        by=cast.coordinator,
        expected_version=0,
        rating=None,
        justification="Coordinator's.",
        answers={},
        comments={},
    )
    response = post(
        client_for(cast.contributor), assessment, factor, form_data(factor, version=0, justification="Mine.")
    )
    assert response.status_code == 409
    factor.refresh_from_db()
    assert factor.justification == "Coordinator's."


AUTOSAVE_ROW = ["401", "404", "404", "200", "200", "404", "404"]


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, AUTOSAVE_ROW, strict=True)))
def test_only_editors_of_the_city_may_autosave(cast: Cast, assessment: Assessment, role: str, expected: str) -> None:
    factor = a_factor(assessment)
    user = user_for(cast, role)
    client = client_for(user)
    response = post(client, assessment, factor, form_data(factor, version=0, justification="Written by someone."))
    assert str(response.status_code) == expected
    assert response["Content-Type"] == "application/json"
    factor.refresh_from_db()
    assert (factor.justification == "Written by someone.") == (expected == "200")
    # The state and a fresh token: the same people only.
    assert str(client.get(autosave_url(assessment, factor)).status_code) == expected


def test_another_citys_coordinator_cannot_reach_a_factor_even_by_its_slug(cast: Cast, assessment: Assessment) -> None:
    theirs = actions.do_start_assessment(cast.other_workspace, assessment.benchmark_version, "2026", by=cast.other)
    factor = a_factor(theirs)
    response = post(client_for(cast.coordinator), theirs, factor, form_data(factor, version=0, justification="No."))
    assert response.status_code == 404
    factor.refresh_from_db()
    assert factor.justification == ""


def test_missing_csrf_token_is_refused(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    client = client_for(cast.contributor, enforce_csrf_checks=True)
    response = post(client, assessment, factor, form_data(factor, version=0, justification="Forged."))
    assert response.status_code == 403
    factor.refresh_from_db()
    assert factor.justification == ""


def test_the_token_from_get_is_accepted_in_the_header(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    client = client_for(cast.contributor, enforce_csrf_checks=True)
    state = client.get(autosave_url(assessment, factor), HTTP_ACCEPT="application/json").json()
    assert state["lock_version"] == 0 and state["editable"] is True
    response = client.post(
        autosave_url(assessment, factor),
        form_data(factor, version=0, justification="With the header."),
        HTTP_ACCEPT="application/json",
        HTTP_X_CSRFTOKEN=state["csrf_token"],
    )
    assert response.status_code == 200
    factor.refresh_from_db()
    assert factor.justification == "With the header."


def test_a_timed_out_session_answers_json_401_and_saves_nothing(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    client = client_for(cast.contributor)
    session = client.session
    long_ago = timezone.now().timestamp() - settings.SESSION_IDLE_SECONDS - 60
    session[account_actions.AUTH_STARTED] = long_ago
    session[account_actions.LAST_SEEN] = long_ago
    session.save()
    response = post(client, assessment, factor, form_data(factor, version=0, justification="After the timeout."))
    assert response.status_code == 401
    assert response.json()["reason"] == "signed_out"
    factor.refresh_from_db()
    assert factor.justification == ""
    # The session really ended: the next request is anonymous.
    assert post(client, assessment, factor, form_data(factor, version=0)).status_code == 401
    # A page request still goes to the login page, as before.
    assert client.get(f"/assessments/{assessment.public_id}/").status_code == 302


def test_a_submitted_assessment_is_refused_and_unchanged(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    actions.do_submit(assessment, by=cast.coordinator)
    response = post(
        client_for(cast.contributor), assessment, factor, form_data(factor, version=0, justification="Late.")
    )
    assert response.status_code == 409
    assert response.json()["reason"] == "refused"
    assert "submitted" in response.json()["message"]
    factor.refresh_from_db()
    assert (factor.justification, factor.lock_version) == ("", 0)


def test_invalid_input_answers_400_with_field_messages_and_saves_nothing(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    n = first_question(factor)
    data = form_data(
        factor,
        version=0,
        justification="Valid words that must not be saved alone.",
        **{f"q{n}-answer": "perhaps", f"q{n}-comment": "x" * 5001, "rating": "99"},
    )
    response = post(client_for(cast.contributor), assessment, factor, data)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {f"q{n}-answer", f"q{n}-comment", "rating"}
    assert "valid choice" in errors[f"q{n}-answer"][0]
    assert "5000" in errors[f"q{n}-comment"][0]
    factor.refresh_from_db()
    assert (factor.justification, factor.lock_version) == ("", 0)
    no_id = form_data(factor, version=0, save_id=None, justification="No id.")
    del no_id["save_id"]
    assert "save_id" in post(client_for(cast.contributor), assessment, factor, no_id).json()["errors"]


def test_autosaves_of_one_editing_spell_make_one_history_event(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    n = first_question(factor)
    contributor = client_for(cast.contributor)
    for version, words in enumerate(["Our", "Our office", "Our office runs it."]):
        assert (
            post(
                contributor, assessment, factor, form_data(factor, version=version, **{f"q{n}-comment": words})
            ).status_code
            == 200
        )
    post(
        contributor,
        assessment,
        factor,
        form_data(factor, version=3, justification="Because.", **{f"q{n}-comment": "Our office runs it."}),
    )
    events = factor_events(assessment)
    assert len(events) == 1
    comments = events[0].changes["comments"]
    question_id = str(QuestionAnswer.objects.get(factor=factor, question__number=n).question_id)
    assert comments["from"][question_id] == ""  # the first "from" is kept
    assert comments["to"][question_id] == "Our office runs it."  # the latest "to"
    assert events[0].changes["justification"] == {"from": "", "to": "Because."}
    assert events[0].by == cast.contributor

    # Someone else's save starts a new event, and so does the contributor's next autosave after it.
    contributor_version = 4
    coordinator = client_for(cast.coordinator)
    assert (
        post(
            coordinator, assessment, factor, form_data(factor, version=contributor_version, justification="Shorter.")
        ).status_code
        == 200
    )
    assert (
        post(contributor, assessment, factor, form_data(factor, version=5, justification="Longer again.")).status_code
        == 200
    )
    assert [e.by for e in factor_events(assessment)] == [cast.contributor, cast.coordinator, cast.contributor]

    # An explicit save is an event of its own; so is an autosave 15 minutes after the last one.
    actions.do_save_factor(
        factor,
        by=cast.contributor,
        expected_version=6,
        rating=None,
        justification="Saved on purpose.",
        answers={},
        comments={},
    )
    assert len(factor_events(assessment)) == 4
    post(contributor, assessment, factor, form_data(factor, version=7, justification="Typed after."))
    assert len(factor_events(assessment)) == 5
    AssessmentEvent.objects.filter(pk=factor_events(assessment)[-1].pk).update(
        at=timezone.now() - timedelta(minutes=16)
    )
    post(contributor, assessment, factor, form_data(factor, version=8, justification="Much later."))
    events = factor_events(assessment)
    assert len(events) == 6
    assert events[-1].changes["justification"] == {"from": "Typed after.", "to": "Much later."}


def test_typing_back_to_the_start_leaves_no_change_in_the_merged_event(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    client = client_for(cast.contributor)
    post(client, assessment, factor, form_data(factor, version=0, justification="Typo"))
    post(client, assessment, factor, form_data(factor, version=1, justification=""))
    (event,) = factor_events(assessment)
    assert event.changes == {"key_factor": factor.key_factor.slug, "autosave": True}


def test_the_factor_page_carries_the_autosave_form_and_status(cast: Cast, assessment: Assessment) -> None:
    factor = a_factor(assessment)
    page = client_for(cast.contributor).get(f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/")
    assert f'data-autosave="{autosave_url(assessment, factor)}"' in page.text
    assert 'role="status" data-autosave-status' in page.text
    assert "js/autosave.js" in page.text
    # A viewer reads the page without a form, so without autosave.
    page = client_for(cast.viewer).get(f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/")
    assert "data-autosave" not in page.text and "autosave.js" not in page.text
