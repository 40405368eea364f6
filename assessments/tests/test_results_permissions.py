"""The results rows of docs/roles.md, cell by cell, through HTTP; and who sees the team's parts of them.

A forbidden assessment's results answer 404 (the same as a missing one); only the login wall redirects.
"""

import pytest
from django.test import Client

from assessments import actions
from assessments.models import Assessment
from tests.support.cast import Cast, client_for
from tests.support.results import rate, results_url
from tests.support.roles import LOGIN, ROLES, N, Y, cells, documented_table, user_for

pytestmark = pytest.mark.django_db

TABLE: dict[str, list[str]] = {
    "read_results": [LOGIN, Y, Y, Y, Y, N, Y],
    "read_published_results": [Y, Y, Y, Y, Y, Y, Y],
}
PARTNER = "Aville Refugee Council"  # the cast partner's organisation


def rated(cast: Cast, assessment: Assessment) -> Assessment:
    """Two key factors rated by the city, the first one rated three levels lower by the partner."""
    rate(assessment, cast.coordinator, [4, 1])
    first = assessment.factors.all()[0]
    actions.do_rate_as_partner(first, by=cast.partner, expected_version=0, rating=1, comment="")
    return assessment


def read(client: Client, assessment: Assessment):
    response = client.get(results_url(assessment))
    happened = response.status_code == 200 and '<h2 id="scorecard-heading">Scorecard</h2>' in response.text
    return response, happened and "4 – Leading" in response.text


def read_results(client: Client, cast: Cast, assessment: Assessment):
    return read(client, rated(cast, assessment))


def publish(cast: Cast, assessment: Assessment) -> Assessment:
    rated(cast, assessment)
    actions.do_submit(assessment, by=cast.coordinator)
    actions.do_set_visibility(assessment, "published", by=cast.coordinator)
    return assessment


def read_published_results(client: Client, cast: Cast, assessment: Assessment):
    return read(client, publish(cast, assessment))


CELLS = cells(TABLE)


@pytest.mark.parametrize(("action", "role", "expected"), CELLS, ids=[f"{a}-{r}" for a, r, _ in CELLS])
def test_role_table_cell(cast: Cast, assessment: Assessment, action: str, role: str, expected: str) -> None:
    response, happened = globals()[action](client_for(user_for(cast, role)), cast, assessment)
    if expected == LOGIN:
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    elif expected == N:
        assert response.status_code == 404
        assert PARTNER not in response.text
    else:
        assert response.status_code == 200, response.content[:500]
        assert happened


def test_the_table_is_the_one_in_docs_roles_md() -> None:
    assert documented_table("Results") == TABLE


# The team's parts of published results: partner organisations and their divergence.
TEAM = {"viewer", "partner", "contributor", "coordinator", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_partner_divergence_of_published_results_is_the_teams(cast: Cast, assessment: Assessment, role: str) -> None:
    publish(cast, assessment)
    response = client_for(user_for(cast, role)).get(results_url(assessment))
    assert response.status_code == 200
    if role in TEAM:
        assert PARTNER in response.text
        assert "Differs by 3 levels" in response.text
    else:
        assert PARTNER not in response.text
        assert "Differs by" not in response.text
        assert "Where partner organisations see it differently" not in response.text


def test_results_answer_get_and_head_only(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.coordinator)
    assert client.head(results_url(assessment)).status_code == 200
    assert client.post(results_url(assessment)).status_code == 405


def test_a_deleted_assessment_has_no_results(cast: Cast, assessment: Assessment) -> None:
    actions.do_delete_assessment(assessment, by=cast.coordinator)
    assert client_for(cast.coordinator).get(results_url(assessment)).status_code == 404
