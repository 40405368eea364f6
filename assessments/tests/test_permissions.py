"""The self-assessment rows of docs/roles.md, cell by cell, through HTTP; CSRF on every POST.

A forbidden assessment answers 404 (the same as a missing one); only the login wall redirects.
"""

import pytest
from django.test import Client

from assessments.models import Assessment, ContextNote, FactorAssessment
from tests.support.assessments import a_version
from tests.support.cast import Cast, client_for
from tests.support.roles import LOGIN, N, Y, assert_cell, cells, documented_table, user_for

pytestmark = pytest.mark.django_db

# Each row: action -> the outcome for each role, in the order of ROLES (as in docs/roles.md).
TABLE: dict[str, list[str]] = {
    "read_assessment": [LOGIN, Y, Y, Y, Y, N, Y],
    "read_key_factor": [LOGIN, Y, Y, Y, Y, N, Y],
    "read_context_factors": [LOGIN, Y, Y, Y, Y, N, Y],
    "start_assessment": [LOGIN, N, N, N, Y, N, N],
    "edit_key_factor": [LOGIN, N, N, Y, Y, N, N],
    "edit_context_factors": [LOGIN, N, N, Y, Y, N, N],
    "submit": [LOGIN, N, N, N, Y, N, N],
    "reopen": [LOGIN, N, N, N, Y, N, N],
    "finalise": [LOGIN, N, N, N, Y, N, N],
    "read_history": [LOGIN, Y, Y, Y, Y, N, Y],
    "read_published_assessment": [Y, Y, Y, Y, Y, Y, Y],
    "read_published_key_factor": [Y, Y, Y, Y, Y, Y, Y],
    "read_published_history": [LOGIN, Y, Y, Y, Y, N, Y],
    "set_visibility": [LOGIN, N, N, N, Y, N, N],
    "delete_assessment": [LOGIN, N, N, N, Y, N, N],
    "restore_assessment": [LOGIN, N, N, N, Y, N, N],
}
POSTS = [
    "start_assessment",
    "edit_key_factor",
    "edit_context_factors",
    "submit",
    "reopen",
    "finalise",
    "set_visibility",
    "delete_assessment",
    "restore_assessment",
]


def url(assessment: Assessment, rest: str = "") -> str:
    return f"/assessments/{assessment.public_id}/{rest}"


def a_factor(assessment: Assessment) -> FactorAssessment:
    factor = assessment.factors.filter(answers__isnull=False).select_related("key_factor").distinct().first()
    assert factor is not None
    return factor


# Each attempt makes the request and returns (response, whether the effect is visible afterwards).
def read_assessment(client: Client, cast: Cast, assessment: Assessment):
    response = client.get(url(assessment))
    return response, response.status_code == 200 and "Key factors, answers and ratings" in response.text


def read_key_factor(client: Client, cast: Cast, assessment: Assessment):
    factor = a_factor(assessment)
    response = client.get(url(assessment, f"factors/{factor.key_factor.slug}/"))
    return response, response.status_code == 200 and factor.key_factor.title in response.text


def read_context_factors(client: Client, cast: Cast, assessment: Assessment):
    response = client.get(url(assessment, "context/"))
    return response, response.status_code == 200 and "<h1>Context factors</h1>" in response.text


def start_assessment(client: Client, cast: Cast, assessment: Assessment):
    slug = assessment.benchmark_version.benchmark.slug
    response = client.post(
        f"/workspaces/{cast.workspace.public_id}/assessments/start/", {"benchmark": slug, "round": "2031"}
    )
    return response, Assessment.objects.filter(round="2031").exists()


def factor_post(factor: FactorAssessment) -> dict[str, str]:
    data = {"lock_version": str(factor.lock_version), "rating": "2", "justification": "Typed by the test."}
    for answer in factor.answers.select_related("question"):
        data[f"q{answer.question.number}-answer"] = "partly"
        data[f"q{answer.question.number}-comment"] = ""
    return data


def edit_key_factor(client: Client, cast: Cast, assessment: Assessment):
    factor = a_factor(assessment)
    response = client.post(url(assessment, f"factors/{factor.key_factor.slug}/"), factor_post(factor))
    factor.refresh_from_db()
    return response, factor.justification == "Typed by the test."


def edit_context_factors(client: Client, cast: Cast, assessment: Assessment):
    note = assessment.context_notes.select_related("context_factor").first()
    n = note.context_factor.number
    data = {"lock_version": "0", f"c{n}-effect": "enabler", f"c{n}-competence": "eu", f"c{n}-note": "Funding."}
    response = client.post(url(assessment, "context/"), data)
    return response, ContextNote.objects.get(pk=note.pk).note == "Funding."


def submit(client: Client, cast: Cast, assessment: Assessment):
    response = client.post(url(assessment, "submit/"))
    return response, Assessment.objects.get(pk=assessment.pk).status == "submitted"


def reopen(client: Client, cast: Cast, assessment: Assessment):
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    response = client.post(url(assessment, "reopen/"))
    return response, Assessment.objects.get(pk=assessment.pk).status == "reopened"


def finalise(client: Client, cast: Cast, assessment: Assessment):
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    response = client.post(url(assessment, "finalise/"))
    return response, Assessment.objects.get(pk=assessment.pk).status == "finalised"


def read_history(client: Client, cast: Cast, assessment: Assessment):
    response = client.get(url(assessment, "history/"))
    return response, response.status_code == 200 and "Change history" in response.text


def published(assessment: Assessment) -> Assessment:
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted", visibility="published")
    return assessment


def read_published_assessment(client: Client, cast: Cast, assessment: Assessment):
    return read_assessment(client, cast, published(assessment))


def read_published_key_factor(client: Client, cast: Cast, assessment: Assessment):
    return read_key_factor(client, cast, published(assessment))


def read_published_history(client: Client, cast: Cast, assessment: Assessment):
    return read_history(client, cast, published(assessment))


def set_visibility(client: Client, cast: Cast, assessment: Assessment):
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    response = client.post(url(assessment, "visibility/"), {"visibility": "published"})
    return response, Assessment.objects.get(pk=assessment.pk).visibility == "published"


def delete_assessment(client: Client, cast: Cast, assessment: Assessment):
    response = client.post(url(assessment, "delete/"))
    return response, Assessment.objects.get(pk=assessment.pk).deleted_at is not None


def restore_assessment(client: Client, cast: Cast, assessment: Assessment):
    from assessments import actions

    actions.do_delete_assessment(assessment, by=cast.coordinator)
    response = client.post(url(assessment, "restore/"))
    return response, Assessment.objects.get(pk=assessment.pk).deleted_at is None


CELLS = cells(TABLE)


@pytest.mark.parametrize(("action", "role", "expected"), CELLS, ids=[f"{a}-{r}" for a, r, _ in CELLS])
def test_role_table_cell(cast: Cast, assessment: Assessment, action: str, role: str, expected: str) -> None:
    response, happened = globals()[action](client_for(user_for(cast, role)), cast, assessment)
    assert_cell(response, happened, expected, refusal_may_show=action.startswith("read"))


@pytest.mark.parametrize("action", POSTS)
def test_every_post_needs_a_csrf_token(cast: Cast, assessment: Assessment, action: str) -> None:
    client = client_for(cast.coordinator, enforce_csrf_checks=True)
    response, happened = globals()[action](client, cast, assessment)
    assert response.status_code == 403
    assert not happened


def test_the_table_is_the_one_in_docs_roles_md() -> None:
    assert documented_table("Self-assessments") == TABLE


def test_other_city_assessment_is_404_for_members_of_city_a(cast: Cast) -> None:
    from assessments import actions

    theirs = actions.do_start_assessment(cast.other_workspace, a_version(), "2026", by=cast.other)
    for user in (cast.coordinator, cast.contributor):
        assert client_for(user).get(url(theirs)).status_code == 404
    assert client_for(cast.other).get(url(theirs)).status_code == 200
