"""The self-assessment pages through HTTP: saving, validation errors, the conflict screen, read-only states,
and query budgets that do not grow with the number of key factors and answers (docs/quality.md F1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import actions
from assessments.models import Assessment, FactorAssessment, QuestionAnswer
from benchmarks.models import KeyFactor
from tests.support.assessments import biggest_and_smallest_versions
from tests.support.cast import client_for

pytestmark = pytest.mark.django_db


def a_factor(assessment: Assessment) -> FactorAssessment:
    factor = assessment.factors.filter(answers__isnull=False).select_related("key_factor").distinct().first()
    assert factor is not None
    return factor


def factor_url(assessment: Assessment, factor: FactorAssessment) -> str:
    return f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/"


def post_data(factor: FactorAssessment, **changes: str) -> dict[str, str]:
    data = {"lock_version": str(factor.lock_version), "rating": "3", "justification": "We meet it."}
    for answer in factor.answers.select_related("question"):
        data[f"q{answer.question.number}-answer"] = "yes"
        data[f"q{answer.question.number}-comment"] = ""
    return data | changes


def test_workspace_page_offers_coordinators_to_start(cast) -> None:
    page = client_for(cast.coordinator).get(f"/workspaces/{cast.workspace.public_id}/")
    assert "Start a self-assessment" in page.text
    page = client_for(cast.contributor).get(f"/workspaces/{cast.workspace.public_id}/")
    assert "Start a self-assessment" not in page.text


def test_start_form_errors_rerender_the_workspace_page(cast) -> None:
    response = client_for(cast.coordinator).post(
        f"/workspaces/{cast.workspace.public_id}/assessments/start/", {"benchmark": "", "round": "20 26"}
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert "There is a problem" in response.text


def test_contributor_saves_a_key_factor_and_sees_the_suggestion(cast, assessment) -> None:
    factor = a_factor(assessment)
    client = client_for(cast.contributor)
    response = client.post(factor_url(assessment, factor), post_data(factor, rating="2"))
    assert response.status_code == 302
    factor.refresh_from_db()
    assert (factor.rating, factor.justification, factor.lock_version) == (2, "We meet it.", 1)
    assert set(QuestionAnswer.objects.filter(factor=factor).values_list("answer", flat=True)) == {"yes"}
    page = client.get(factor_url(assessment, factor))
    assert "4 – Leading" in page.text  # all yes suggests the top of the scale
    assert 'value="1"' in page.text  # the new lock_version
    overview = client.get(f"/assessments/{assessment.public_id}/")
    assert "2 – Developing" in overview.text


def test_rating_without_justification_is_a_validation_error(cast, assessment) -> None:
    factor = a_factor(assessment)
    response = client_for(cast.contributor).post(factor_url(assessment, factor), post_data(factor, justification=""))
    assert response.status_code == 400
    assert "a rating needs a justification" in response.text
    assert 'aria-invalid="true"' in response.text
    factor.refresh_from_db()
    assert factor.rating is None


def test_stale_save_gets_the_conflict_screen_and_keeps_the_typed_text(cast, assessment) -> None:
    factor = a_factor(assessment)
    client_for(cast.coordinator).post(factor_url(assessment, factor), post_data(factor, justification="Stored words"))
    response = client_for(cast.contributor).post(
        factor_url(assessment, factor), post_data(factor, justification="My typed words")
    )
    assert response.status_code == 409
    assert "Someone else saved this key factor meanwhile" in response.text
    assert "Stored words" in response.text
    assert "My typed words" in response.text
    assert 'name="lock_version" value="1"' in response.text
    factor.refresh_from_db()
    assert factor.justification == "Stored words"


def test_submitted_assessment_is_read_only(cast, assessment) -> None:
    actions.do_submit(assessment, by=cast.coordinator)
    factor = a_factor(assessment)
    page = client_for(cast.contributor).get(factor_url(assessment, factor))
    assert "Save the key factor" not in page.text
    response = client_for(cast.contributor).post(factor_url(assessment, factor), post_data(factor))
    assert response.status_code == 400
    assert "cannot be changed" in response.text


def test_workflow_buttons_follow_the_status(cast, assessment) -> None:
    client = client_for(cast.coordinator)
    assert "Submit the assessment" in client.get(f"/assessments/{assessment.public_id}/").text
    client.post(f"/assessments/{assessment.public_id}/submit/")
    page = client.get(f"/assessments/{assessment.public_id}/").text
    assert "Reopen for changes" in page
    assert "Finalise the assessment" in page
    assert "Submit the assessment" not in client_for(cast.contributor).get(f"/assessments/{assessment.public_id}/").text


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["contributor", "viewer"])
def test_query_budgets_do_not_grow_with_factors_and_answers(cast, who) -> None:
    small, big = biggest_and_smallest_versions()
    assert KeyFactor.objects.filter(version=small).count() < KeyFactor.objects.filter(version=big).count()
    client = client_for(getattr(cast, who))
    counts = []
    for version in (small, big):
        assessment = actions.do_start_assessment(cast.workspace, version, "2026", by=cast.coordinator)
        factor = a_factor(assessment)
        actions.do_save_factor(
            factor,
            by=cast.coordinator,
            expected_version=0,
            rating=1,
            justification="x",
            answers={a.question_id: "partly" for a in factor.answers.all()},
            comments={},
        )
        base = f"/assessments/{assessment.public_id}/"
        counts.append(
            (queries(client, base), queries(client, factor_url(assessment, factor)), queries(client, base + "context/"))
        )
    assert counts[0] == counts[1]
    # The key factor page: 15, one for who else is working on it (editing), one for the mentorships that share
    # the assessment (mentoring's panel).
    assert max(counts[1]) <= 17
    workspace_queries = queries(client, f"/workspaces/{cast.workspace.public_id}/")
    assert workspace_queries <= 14


def context_post(assessment, note_text: str, lock_version: int) -> dict[str, str]:
    first = assessment.benchmark_version.context_factors.order_by("number").first()
    n = first.number
    return {
        "lock_version": str(lock_version),
        f"c{n}-effect": "constraint",
        f"c{n}-competence": "national",
        f"c{n}-note": note_text,
    }


def test_stale_context_save_shows_both_notes_and_a_second_save_replaces_the_stored_ones(cast, assessment) -> None:
    url = f"/assessments/{assessment.public_id}/context/"
    start = assessment.lock_version
    saved = client_for(cast.coordinator).post(url, context_post(assessment, "Stored context note", start))
    assert saved.status_code == 302
    contributor = client_for(cast.contributor)
    response = contributor.post(url, context_post(assessment, "My typed context note", start))
    assert response.status_code == 409
    assert "Someone else saved the context factors while you were editing" in response.text
    assert "Stored context note" in response.text  # theirs, shown
    assert "My typed context note" in response.text  # mine, kept in the form
    assert f'name="lock_version" value="{start + 1}"' in response.text
    first = assessment.benchmark_version.context_factors.order_by("number").first()
    assert assessment.context_notes.get(context_factor=first).note == "Stored context note"
    again = contributor.post(url, context_post(assessment, "My typed context note", start + 1))
    assert again.status_code == 302
    assert assessment.context_notes.get(context_factor=first).note == "My typed context note"
