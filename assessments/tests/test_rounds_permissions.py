"""The "Rounds" rows of docs/roles.md, cell by cell, through HTTP; CSRF on every POST.

A forbidden assessment or workspace answers 404 (the same as a missing one); only the login wall redirects.
"""

import pytest
from django.test import Client

from assessments import actions, rounds
from assessments.models import Assessment
from tests.support.cast import Cast, client_for
from tests.support.roles import LOGIN, N, Y, assert_cell, cells, documented_table, user_for

pytestmark = pytest.mark.django_db

# Each row: action -> the outcome for each role, in the order of ROLES (as in docs/roles.md).
TABLE: dict[str, list[str]] = {
    "start_next_round": [LOGIN, N, N, N, Y, N, N],
    "keep_as_is": [LOGIN, N, N, Y, Y, N, N],
    "read_progress": [LOGIN, Y, Y, Y, Y, N, Y],
}
POSTS = ["start_next_round", "keep_as_is"]


def submitted(assessment: Assessment) -> Assessment:
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    assessment.refresh_from_db()
    return assessment


# Each attempt makes the request and returns (response, whether the effect is visible afterwards).
def start_next_round(client: Client, cast: Cast, assessment: Assessment):
    """The form (GET) and the start (POST) answer alike: both 404 for those refused, the login wall for
    anonymous visitors."""
    url = f"/assessments/{submitted(assessment).public_id}/next-round/"
    form = client.get(url)
    response = client.post(url, {"round": "2031"})
    started = Assessment.objects.filter(round="2031", previous_round=assessment).exists()
    if response.status_code in (302, 404) and not started:
        assert form.status_code == response.status_code
    elif started:
        assert form.status_code == 200 and "Start the next round" in form.text
    return response, started


def keep_as_is(client: Client, cast: Cast, assessment: Assessment):
    new = rounds.do_start_next_round(submitted(assessment), "2031", by=cast.coordinator)
    factor = new.factors.select_related("key_factor").all()[0]
    response = client.post(f"/assessments/{new.public_id}/factors/{factor.key_factor.slug}/keep/")
    factor.refresh_from_db()
    return response, not factor.to_review


def read_progress(client: Client, cast: Cast, assessment: Assessment):
    slug = assessment.benchmark_version.benchmark.slug
    response = client.get(f"/workspaces/{cast.workspace.public_id}/benchmarks/{slug}/progress/")
    return response, response.status_code == 200 and "Progress over rounds" in response.text


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
    assert documented_table("Rounds") == TABLE


def test_another_citys_rounds_are_404_for_city_a(cast: Cast, assessment: Assessment) -> None:
    from tests.support.assessments import a_version

    theirs = actions.do_start_assessment(cast.other_workspace, a_version(), "2026", by=cast.other)
    actions.do_submit(theirs, by=cast.other)
    slug = theirs.benchmark_version.benchmark.slug
    progress = f"/workspaces/{cast.other_workspace.public_id}/benchmarks/{slug}/progress/"
    for user in (cast.coordinator, cast.contributor, cast.viewer):
        client = client_for(user)
        assert client.get(f"/assessments/{theirs.public_id}/next-round/").status_code == 404
        assert client.post(f"/assessments/{theirs.public_id}/next-round/", {"round": "2031"}).status_code == 404
        assert client.get(progress).status_code == 404
    assert not Assessment.objects.filter(round="2031").exists()
    # Their coordinator reaches both; a published assessment does not open the progress to outsiders.
    assert client_for(cast.other).get(progress).status_code == 200
    actions.do_set_visibility(theirs, "published", by=cast.other)
    assert client_for(cast.coordinator).get(progress).status_code == 404
    assert Client(HTTP_HOST="127.0.0.1").get(progress).status_code == 302


def test_the_action_itself_refuses_anyone_but_a_coordinator(cast: Cast, assessment: Assessment) -> None:
    submitted(assessment)
    for user in (cast.contributor, cast.viewer, cast.partner, cast.admin, cast.other):
        with pytest.raises(actions.AssessmentError):
            rounds.do_start_next_round(assessment, "2031", by=user)
    assert not Assessment.objects.filter(round="2031").exists()
