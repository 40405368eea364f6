"""The mentors' reviews beside the city's ratings on the results page: for the team; for readers of a
published assessment only when the city chose to publish them with it (the consent's last box)."""

import pytest

from assessments import actions as assessment_actions
from assessments.models import Assessment
from cities.models import Role
from mentoring import actions, reviews
from tests.support.assessments import submitted_assessment
from tests.support.cast import SITE, Cast, client_for, join, make_user, set_up_mfa
from tests.support.mentoring import mentor_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(cast: Cast) -> dict:
    """Aville's submitted round shared with Mentorburg's named mentor, who agrees with its first gap's rating."""
    assessment = submitted_assessment(cast)
    factor = assessment.factors.filter(rating__isnull=False).order_by("pk").first()
    assert factor is not None
    workspace, coordinator = mentor_city(
        "Mentorburg", admin=cast.admin, benchmarks=[assessment.benchmark_version.benchmark]
    )
    mentor = make_user("mentor@mentorburg.example")
    join(workspace, mentor, Role.CONTRIBUTOR, by=coordinator)
    set_up_mfa(mentor)
    mentorship = actions.do_request(
        cast.workspace,
        workspace,
        assessment.benchmark_version.benchmark,
        by=cast.coordinator,
        message="",
        share=[assessment],
        site_url=SITE,
    )
    actions.do_accept(mentorship, by=coordinator, mentors=[mentor], site_url=SITE)
    reviews.do_review(
        mentorship,
        factor,
        by=mentor,
        verdict="agree",
        suggested_rating=None,
        reason="Seen on the visit.",
        site_url=SITE,
    )
    return {"assessment": assessment, "mentorship": mentorship}


def results_page(client, assessment: Assessment) -> str:
    response = client.get(f"/assessments/{assessment.public_id}/results/")
    assert response.status_code == 200
    return response.text


def test_the_team_sees_the_validated_rating_beside_it(cast: Cast, reviewed: dict) -> None:
    page = results_page(client_for(cast.viewer), reviewed["assessment"])
    assert "Validated by the mentor" in page and "<bdi>mentor@mentorburg.example</bdi> (<bdi>Mentorburg</bdi>)" in page


def test_a_published_assessment_shows_the_reviews_only_when_the_city_publishes_them(cast: Cast, reviewed: dict) -> None:
    assessment = assessment_actions.do_set_visibility(reviewed["assessment"], "published", by=cast.coordinator)
    for reader in (None, cast.other):  # anyone, signed in or not
        page = results_page(client_for(reader), assessment)
        assert "Validated by the mentor" not in page and "Mentorburg" not in page
    response = client_for(cast.coordinator).post(
        f"/mentoring/{reviewed['mentorship'].public_id}/consent/",
        {"assessments": [assessment.pk], "publish_reviews": "on"},
    )
    assert response.status_code == 302
    for reader in (None, cast.other):
        page = results_page(client_for(reader), assessment)
        assert "Validated by the mentor" in page and "Mentorburg" in page
    # Private again: nothing outside the team, whatever the choice.
    assessment_actions.do_set_visibility(assessment, "private", by=cast.coordinator)
    assert client_for(cast.other).get(f"/assessments/{assessment.public_id}/results/").status_code == 404
