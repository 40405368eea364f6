"""Visibility, soft delete with restore, and the change history page (R6) through HTTP."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import actions
from assessments.models import Assessment, AssessmentEvent, FactorAssessment
from tests.support.assessments import a_version
from tests.support.cast import Cast, client_for

pytestmark = pytest.mark.django_db


def page(assessment: Assessment, rest: str = "") -> str:
    return f"/assessments/{assessment.public_id}/{rest}"


def save_justification(assessment: Assessment, cast: Cast, text: str) -> FactorAssessment:
    factor = assessment.factors.select_related("key_factor").first()
    assert factor is not None
    return actions.do_save_factor(
        factor,
        by=cast.contributor,
        expected_version=factor.lock_version,
        rating=None,
        justification=text,
        answers={},
        comments={},
    )


def test_a_draft_cannot_be_published(cast: Cast, assessment: Assessment) -> None:
    response = client_for(cast.coordinator).post(
        page(assessment, "visibility/"), {"visibility": "published"}, follow=True
    )
    assert "Submit the assessment before publishing it." in response.text
    assert Assessment.objects.get(pk=assessment.pk).visibility == "private"


def test_a_published_assessment_is_public_without_the_teams_internal_parts(cast: Cast, assessment: Assessment) -> None:
    factor = save_justification(assessment, cast, "Funded by the city council since 2023.")
    actions.do_submit(assessment, by=cast.coordinator)
    coordinator = client_for(cast.coordinator)
    coordinator.post(page(assessment, "visibility/"), {"visibility": "published"})
    assert Assessment.objects.get(pk=assessment.pk).visibility == "published"
    assert AssessmentEvent.objects.filter(assessment=assessment, action="visibility_changed").count() == 1

    visitor = client_for(None)
    overview = visitor.get(page(assessment))
    assert overview.status_code == 200
    assert factor.key_factor.title in overview.text
    assert "History" not in overview.text
    assert "@aville.example" not in overview.text
    factor_page = visitor.get(page(assessment, f"factors/{factor.key_factor.slug}/"))
    assert "Funded by the city council since 2023." in factor_page.text
    assert "@aville.example" not in factor_page.text
    assert visitor.get(page(assessment, "history/")).status_code == 302
    city_page = visitor.get(assessment.workspace.city.get_absolute_url())
    assert "Published self-assessments" in city_page.text
    assert page(assessment) in city_page.text

    coordinator.post(page(assessment, "visibility/"), {"visibility": "private"})
    assert visitor.get(page(assessment)).status_code == 302
    assert page(assessment) not in visitor.get(assessment.workspace.city.get_absolute_url()).text


def test_a_deleted_assessment_disappears_and_is_restored_from_the_workspace_page(
    cast: Cast, assessment: Assessment
) -> None:
    coordinator = client_for(cast.coordinator)
    response = coordinator.post(page(assessment, "delete/"), follow=True)
    assert "can be restored from this page for 30 days" in response.text
    assert "Recently deleted self-assessments" in response.text
    assert client_for(cast.contributor).get(page(assessment)).status_code == 404
    assert coordinator.get(page(assessment)).status_code == 404
    workspace = client_for(cast.contributor).get(f"/workspaces/{cast.workspace.public_id}/")
    assert page(assessment) not in workspace.text

    response = coordinator.post(page(assessment, "restore/"), follow=True)
    assert "The assessment is restored." in response.text
    assert client_for(cast.contributor).get(page(assessment)).status_code == 200
    actions_seen = list(assessment.events.values_list("action", flat=True))
    assert actions_seen[-2:] == ["deleted", "restored"]


def test_restore_is_refused_after_30_days(cast: Cast, assessment: Assessment) -> None:
    actions.do_delete_assessment(assessment, by=cast.coordinator)
    Assessment.objects.filter(pk=assessment.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    client_for(cast.coordinator).post(page(assessment, "restore/"))
    assert Assessment.objects.get(pk=assessment.pk).deleted_at is not None


def test_restore_is_refused_while_another_assessment_of_the_round_is_open(cast: Cast, assessment: Assessment) -> None:
    actions.do_delete_assessment(assessment, by=cast.coordinator)
    actions.do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)
    response = client_for(cast.coordinator).post(page(assessment, "restore/"), follow=True)
    assert "Another assessment of this benchmark for round 2026 is open" in response.text
    assert Assessment.objects.get(pk=assessment.pk).deleted_at is not None


@pytest.mark.parametrize("state", ["finalised", "published"])
def test_finalised_and_published_assessments_are_not_deleted(cast: Cast, assessment: Assessment, state: str) -> None:
    actions.do_submit(assessment, by=cast.coordinator)
    if state == "finalised":
        actions.do_finalise(assessment, by=cast.coordinator)
    else:
        actions.do_set_visibility(assessment, "published", by=cast.coordinator)
    response = client_for(cast.coordinator).post(page(assessment, "delete/"), follow=True)
    assert response.status_code == 200
    assert Assessment.objects.get(pk=assessment.pk).deleted_at is None


def test_the_history_shows_who_when_and_what_changed(cast: Cast, assessment: Assessment) -> None:
    save_justification(assessment, cast, "First text.")
    save_justification(assessment, cast, "Second text.")
    response = client_for(cast.viewer).get(page(assessment, "history/"))
    assert response.status_code == 200
    text = response.text
    # Newest first, each with the value before and after.
    newer = '<td dir="auto">First text.</td><td dir="auto">Second text.</td>'
    assert text.index(newer) < text.index('<td dir="auto">–</td><td dir="auto">First text.</td>')
    assert "contributor@aville.example" in text
    assert "Key factor saved" in text and "Started" in text


def test_the_history_page_query_count_does_not_grow_with_the_history(cast: Cast, assessment: Assessment) -> None:
    client = client_for(cast.viewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(page(assessment, "history/")).status_code == 200
        return len(context)

    client.get(page(assessment, "history/"))
    save_justification(assessment, cast, "One.")
    few = queries()
    for n in range(60):
        save_justification(assessment, cast, f"Change {n}.")
    assert queries() == few
