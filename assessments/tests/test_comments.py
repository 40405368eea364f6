"""Comments per key factor through HTTP: addressed to members of this workspace only, e-mailed once stored,
"Addressed to you", validation errors that keep the typed text, soft delete, and the statuses that allow
commenting. Who may do what is tested cell by cell in test_partners.py (docs/roles.md)."""

import pytest
from django.core import mail

from assessments import actions
from assessments.models import Assessment, AssessmentEvent, FactorAssessment, FactorComment
from cities.models import Membership
from tests.support.cast import Cast, client_for

pytestmark = pytest.mark.django_db


def a_factor(assessment: Assessment) -> FactorAssessment:
    factor = assessment.factors.filter(answers__isnull=False).select_related("key_factor").distinct().first()
    assert factor is not None
    return factor


def factor_url(assessment: Assessment, factor: FactorAssessment, rest: str = "") -> str:
    return f"/assessments/{assessment.public_id}/factors/{factor.key_factor.slug}/{rest}"


def member_id(cast: Cast, user) -> str:
    return str(Membership.objects.get(user=user).public_id)


def test_comment_addressed_to_members_mails_each_of_them_once_stored(
    cast, assessment, django_capture_on_commit_callbacks
) -> None:
    factor = a_factor(assessment)
    mail.outbox.clear()
    data = {
        "comment-body": "Could you check the 2025 figures? " + "More detail. " * 40,
        "comment-addressed_to": [member_id(cast, cast.partner), member_id(cast, cast.coordinator)],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.contributor).post(factor_url(assessment, factor, "comments/"), data)
    assert response.status_code == 302
    assert response["Location"].endswith(factor_url(assessment, factor) + "#discussion")
    comment = FactorComment.objects.get()
    assert comment.author == cast.contributor
    assert set(comment.addressed_to.all()) == {cast.partner, cast.coordinator}
    assert sorted(m.to for m in mail.outbox) == [["coordinator@aville.example"], ["partner@aville.example"]]
    message = mail.outbox[0]
    assert factor.key_factor.title in message.subject
    assert f"http://127.0.0.1{factor_url(assessment, factor)}" in message.body
    assert "Could you check the 2025 figures?" in message.body
    assert comment.body not in message.body  # a short excerpt, not the whole comment
    assert message.content_subtype == "plain"
    assert not getattr(message, "alternatives", [])  # no HTML part
    event = AssessmentEvent.objects.get(action=AssessmentEvent.Action.COMMENTED)
    assert event.by == cast.contributor
    assert event.changes["key_factor"] == factor.key_factor.slug
    assert event.changes["addressed_to"] == sorted([cast.partner.pk, cast.coordinator.pk])


def test_addressees_see_addressed_to_you(cast, assessment) -> None:
    factor = a_factor(assessment)
    actions.do_add_comment(factor, by=cast.contributor, body="Please look.", addressees=[cast.partner], site_url="/")
    partner_page = client_for(cast.partner).get(factor_url(assessment, factor)).text
    assert "Addressed to you" in partner_page
    assert "Please look." in partner_page
    coordinator_page = client_for(cast.coordinator).get(factor_url(assessment, factor)).text
    assert "Please look." in coordinator_page
    assert "Addressed to you" not in coordinator_page
    # The name (here the address) and the organisation are people's text, each isolated in a <bdi>.
    assert (
        "To: <bdi>partner@aville.example</bdi> – Partner organisation, <bdi>Aville Refugee Council</bdi>"
        in coordinator_page
    )


def test_addressee_choices_are_this_workspaces_members_but_the_author(cast, assessment) -> None:
    page = client_for(cast.contributor).get(factor_url(assessment, a_factor(assessment))).text
    form = page.split('id="comment-form-heading"', 1)[1]
    for user in (cast.coordinator, cast.partner, cast.viewer):
        assert f'value="{member_id(cast, user)}"' in form
        assert user.email in form
    assert f'value="{member_id(cast, cast.contributor)}"' not in form
    assert "bville" not in form


@pytest.mark.parametrize("forged", ["other-city-member", "user-pk", "random"])
def test_an_addressee_from_outside_the_workspace_is_refused_and_nothing_is_saved(
    cast, assessment, forged, django_capture_on_commit_callbacks
) -> None:
    value = {
        "other-city-member": member_id(cast, cast.other),
        "user-pk": str(cast.other.pk),
        "random": "0b7e5d0c-9a55-4c8e-8d1e-000000000000",
    }[forged]
    factor = a_factor(assessment)
    mail.outbox.clear()
    data = {"comment-body": "My typed comment", "comment-addressed_to": [member_id(cast, cast.partner), value]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.contributor).post(factor_url(assessment, factor, "comments/"), data)
    assert response.status_code == 400
    assert "Choose members of this workspace only." in response.text
    assert "There is a problem" in response.text
    assert 'href="#id_comment-addressed_to_0"' in response.text
    assert "My typed comment" in response.text
    assert not FactorComment.objects.exists()
    assert mail.outbox == []


def test_the_action_refuses_addressees_outside_the_workspace(cast, assessment) -> None:
    with pytest.raises(actions.AssessmentError):
        actions.do_add_comment(
            a_factor(assessment), by=cast.contributor, body="x", addressees=[cast.other], site_url="/"
        )
    assert not FactorComment.objects.exists()


def test_an_empty_comment_shows_the_error_summary_and_keeps_the_choices(cast, assessment) -> None:
    factor = a_factor(assessment)
    data = {"comment-body": "   ", "comment-addressed_to": [member_id(cast, cast.partner)]}
    response = client_for(cast.coordinator).post(factor_url(assessment, factor, "comments/"), data)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert '<a href="#id_comment-body">Your comment: Write your comment.</a>' in response.text
    assert 'aria-invalid="true"' in response.text
    assert f'value="{member_id(cast, cast.partner)}"' in response.text
    checked = response.text.split(f'value="{member_id(cast, cast.partner)}"', 1)[1].split(">", 1)[0]
    assert "checked" in checked
    assert not FactorComment.objects.exists()


def test_a_comment_longer_than_5000_characters_is_refused_with_the_text_kept(cast, assessment) -> None:
    factor = a_factor(assessment)
    body = "word " * 1001  # 5,005 characters
    response = client_for(cast.partner).post(factor_url(assessment, factor, "comments/"), {"comment-body": body})
    assert response.status_code == 400
    assert "at most 5000 characters" in response.text
    assert body.strip() in response.text
    assert not FactorComment.objects.exists()


def test_comments_are_open_on_a_submitted_assessment_and_closed_on_a_finalised_one(cast, assessment) -> None:
    factor = a_factor(assessment)
    client = client_for(cast.partner)
    actions.do_submit(assessment, by=cast.coordinator)
    assert "Add the comment" in client.get(factor_url(assessment, factor)).text
    response = client.post(factor_url(assessment, factor, "comments/"), {"comment-body": "During review."})
    assert response.status_code == 302
    actions.do_finalise(assessment, by=cast.coordinator)
    page = client.get(factor_url(assessment, factor)).text
    assert "Add the comment" not in page
    assert "its discussion is closed" in page
    assert "During review." in page
    response = client.post(factor_url(assessment, factor, "comments/"), {"comment-body": "Too late."})
    assert response.status_code == 400
    assert "comments are closed" in response.text
    assert list(FactorComment.objects.values_list("body", flat=True)) == ["During review."]
    own = FactorComment.objects.get()
    response = client.post(f"/assessments/{assessment.public_id}/comments/{own.public_id}/delete/")
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.deleted_at is None


def test_viewers_read_the_discussion_without_a_form(cast, assessment) -> None:
    factor = a_factor(assessment)
    actions.do_add_comment(factor, by=cast.partner, body="For everyone.", addressees=[], site_url="/")
    page = client_for(cast.viewer).get(factor_url(assessment, factor)).text
    assert "For everyone." in page
    assert "Add the comment" not in page
    assert "Delete" not in page.split('id="discussion"', 1)[1]


def test_author_deletes_a_comment_and_a_placeholder_stays(cast, assessment) -> None:
    factor = a_factor(assessment)
    comment = actions.do_add_comment(factor, by=cast.partner, body="Regretted words.", addressees=[], site_url="/")
    client = client_for(cast.partner)
    page = client.get(factor_url(assessment, factor)).text
    assert 'Delete<span class="visually-hidden"> the comment by' in page
    response = client.post(f"/assessments/{assessment.public_id}/comments/{comment.public_id}/delete/")
    assert response.status_code == 302
    assert response["Location"].endswith("#discussion")
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    assert comment.body == "Regretted words."  # soft delete: the text stays stored
    page = client_for(cast.coordinator).get(factor_url(assessment, factor)).text
    assert "Comment deleted" in page
    assert "Regretted words." not in page
    event = AssessmentEvent.objects.get(action=AssessmentEvent.Action.COMMENT_DELETED)
    assert (event.by, event.changes["comment"]) == (cast.partner, str(comment.public_id))
    again = client.post(f"/assessments/{assessment.public_id}/comments/{comment.public_id}/delete/")
    assert again.status_code == 404  # gone, as if missing


def test_a_coordinator_deletes_anyones_comment_others_do_not(cast, assessment) -> None:
    factor = a_factor(assessment)
    comment = actions.do_add_comment(factor, by=cast.partner, body="Off topic.", addressees=[], site_url="/")
    url = f"/assessments/{assessment.public_id}/comments/{comment.public_id}/delete/"
    assert "the comment by" not in client_for(cast.contributor).get(factor_url(assessment, factor)).text
    assert client_for(cast.contributor).post(url).status_code == 404
    assert client_for(cast.coordinator).post(url).status_code == 302
    comment.refresh_from_db()
    assert comment.deleted_at is not None


def test_a_comment_of_another_assessment_is_not_found(cast, assessment) -> None:
    factor = a_factor(assessment)
    comment = actions.do_add_comment(factor, by=cast.coordinator, body="Mine.", addressees=[], site_url="/")
    theirs = actions.do_start_assessment(cast.other_workspace, assessment.benchmark_version, "2026", by=cast.other)
    response = client_for(cast.other).post(f"/assessments/{theirs.public_id}/comments/{comment.public_id}/delete/")
    assert response.status_code == 404
    comment.refresh_from_db()
    assert comment.deleted_at is None
