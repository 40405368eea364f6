"""The mentor's work through HTTP and the real actions: reviews of the city's ratings (agree, or another level
of the scale with a reason), the team's answer and a changed rating, the key factor's thread with mail to
its addressees only, the reviews beside the ratings in the team's report (and not in the outside one), and
query budgets of both key factor pages that do not grow with the reviews and posts."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from assessments import actions as assessment_actions
from assessments.models import Assessment, FactorAssessment
from cities.models import Membership, Role, Workspace
from mentoring import actions, reviews
from mentoring.models import MentorComment, Mentorship, MentorshipEvent, RatingReview
from outbox.models import Mail
from tests.support.assessments import a_version, rate
from tests.support.cast import SITE, Cast, client_for, join, make_user, set_up_mfa
from tests.support.mentoring import mentor_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(cast: Cast) -> dict:
    """Aville's draft, its first key factor rated 1, shared with Mentorburg (a fictional mentor city) whose
    named mentor reads it; Mentorburg's coordinator is not a mentor."""
    draft = assessment_actions.do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)
    factor = draft.factors.select_related("key_factor").order_by("pk").first()
    assert factor is not None
    rate(factor, 1, by=cast.contributor)
    workspace, coordinator = mentor_city("Mentorburg", admin=cast.admin, benchmarks=[draft.benchmark_version.benchmark])
    mentor = make_user("mentor@mentorburg.example")
    join(workspace, mentor, Role.CONTRIBUTOR, by=coordinator)
    set_up_mfa(mentor)
    mentorship = actions.do_request(
        cast.workspace,
        workspace,
        draft.benchmark_version.benchmark,
        by=cast.coordinator,
        message="",
        share=[draft],
        site_url=SITE,
    )
    actions.do_accept(mentorship, by=coordinator, mentors=[mentor], site_url=SITE)
    mentorship.refresh_from_db()
    factor.refresh_from_db()
    return {
        "draft": draft,
        "factor": factor,
        "workspace": workspace,
        "coordinator": coordinator,
        "mentor": mentor,
        "mentorship": mentorship,
    }


def mentor_page(s: dict) -> str:
    shared = f"/mentoring/{s['mentorship'].public_id}/assessments/{s['draft'].public_id}/"
    return f"{shared}factors/{s['factor'].key_factor.slug}/"


def team_page(s: dict) -> str:
    return f"/assessments/{s['draft'].public_id}/factors/{s['factor'].key_factor.slug}/"


def review(client: Client, s: dict, verdict: str, suggested: object = "", reason: str = "") -> Any:
    return client.post(
        mentor_page(s) + "review/",
        {"review-verdict": verdict, "review-suggested_rating": suggested, "review-reason": reason},
    )


def membership(workspace: Workspace, user: User) -> str:
    return str(Membership.objects.get(workspace=workspace, user=user).public_id)


def level_words(s: dict, value: int) -> str:
    level = next(lv for lv in s["draft"].benchmark_version.rating_levels() if lv.value == value)
    return level.number_and_words


def test_a_mentor_reviews_a_rating_and_the_coordinators_are_told(cast: Cast, setting: dict) -> None:
    s = setting
    Mail.objects.all().delete()
    mentor = client_for(s["mentor"])
    response = review(mentor, s, "suggest", 3, "The desks reach only half the newcomers.")
    assert response.status_code == 302 and response.url.startswith(mentor_page(s))
    stored = RatingReview.objects.get()
    assert (stored.by, stored.verdict, stored.suggested_rating, stored.reviewed_rating) == (
        s["mentor"],
        "suggest",
        3,
        1,
    )
    mail = Mail.objects.get(kind="mentoring/email/reviewed")
    assert mail.to == cast.coordinator.email and "mentor@mentorburg.example reviewed your rating" in mail.subject
    assert level_words(s, 3) in mail.body and "The desks reach only half the newcomers." in mail.body
    assert team_page(s) in mail.body and mail.body.strip().splitlines()[-1].endswith("/mentoring/notifications/")
    page = mentor.get(mentor_page(s)).text
    assert "suggests another level:" in page and level_words(s, 3) in page
    assert "The desks reach only half the newcomers." in page

    # Saving again updates the one review and records the change.
    assert review(mentor, s, "agree").status_code == 302
    stored = RatingReview.objects.get()
    assert (stored.verdict, stored.suggested_rating) == ("agree", None)
    events = list(MentorshipEvent.objects.filter(action=MentorshipEvent.Action.REVIEWED).order_by("pk"))
    assert len(events) == 2 and events[1].changes["verdict"] == {"from": "suggest", "to": "agree"}
    # The team sees the review on its own key factor page, validated.
    team = client_for(cast.viewer).get(team_page(s)).text
    assert "Mentoring by" in team and "Validated by the mentor" in team


def test_only_a_named_mentor_of_an_active_mentorship_with_consent_reviews(cast: Cast, setting: dict) -> None:
    s = setting
    url = mentor_page(s) + "review/"
    data = {"review-verdict": "agree"}
    for user in (cast.other, s["coordinator"], cast.coordinator, cast.contributor):
        assert client_for(user).post(url, data).status_code == 404, user
    assert client_for(None).post(url, data).status_code == 302  # to the login page
    mentor = client_for(s["mentor"])
    # The city narrows its consent: the mentor's forms close at once ...
    actions.do_set_consent(
        s["mentorship"], by=cast.coordinator, assessments=[], plans=[], evidence_files=False, partner_ratings=False
    )
    assert mentor.post(url, data).status_code == 404
    assert (
        mentor.post(mentor_page(s) + "comments/", {f"thread-{s['mentorship'].public_id}-body": "Hi"}).status_code == 404
    )
    # ... and so does the end of the mentorship, even with the consent given again.
    actions.do_set_consent(
        s["mentorship"],
        by=cast.coordinator,
        assessments=[s["draft"]],
        plans=[],
        evidence_files=False,
        partner_ratings=False,
    )
    assert mentor.post(url, data).status_code == 302
    actions.do_end(s["mentorship"], by=cast.coordinator, outcome=Mentorship.Outcome.COMPLETED, reason="", site_url=SITE)
    assert (
        mentor.post(url, {"review-verdict": "suggest", "review-suggested_rating": 2, "review-reason": "x"}).status_code
        == 404
    )
    assert RatingReview.objects.get().verdict == "agree"
    # What the mentor wrote stays on the team's page, without forms.
    team = client_for(cast.coordinator).get(team_page(s)).text
    assert "agrees with the rating" in team and "This mentorship has ended" in team


def test_the_suggested_level_is_on_the_scale_and_differs_from_the_rating(cast: Cast, setting: dict) -> None:
    s = setting
    mentor = client_for(s["mentor"])
    off_scale = review(mentor, s, "suggest", 99, "Far beyond the scale.")
    assert off_scale.status_code == 400
    assert "Choose a level of this benchmark&#x27;s rating scale." in off_scale.text
    assert "Far beyond the scale." in off_scale.text  # what was typed is kept
    same = review(mentor, s, "suggest", 1, "The same level.")
    assert (
        same.status_code == 400 and "This is the city&#x27;s own rating" in same.text and "The same level." in same.text
    )
    no_reason = review(mentor, s, "suggest", 2, "")
    assert no_reason.status_code == 400 and "Give the reason for the level you suggest." in no_reason.text
    assert not RatingReview.objects.exists()


def test_the_team_answers_and_changes_its_rating_and_the_review_is_no_longer_validated(
    cast: Cast, setting: dict
) -> None:
    s = setting
    assert review(client_for(s["mentor"]), s, "agree", "", "Well argued.").status_code == 302
    stored = RatingReview.objects.get()
    Mail.objects.all().delete()
    field = f"answer-{stored.public_id}-answer"
    data = {"mentoring_form": "answer", "review": str(stored.public_id), field: "Thank you, we raise it."}
    # Viewers and partner organisations read the review; they do not answer it.
    for user in (cast.viewer, cast.partner, cast.other, s["mentor"]):
        assert client_for(user).post(team_page(s), data).status_code == 404, user
    contributor = client_for(cast.contributor)
    empty = contributor.post(team_page(s), {**data, field: ""})
    assert empty.status_code == 400 and "Write the team&#x27;s answer." in empty.text
    response = contributor.post(team_page(s), data)
    assert response.status_code == 302
    stored.refresh_from_db()
    assert (stored.answer, stored.answered_by) == ("Thank you, we raise it.", cast.contributor)
    assert MentorshipEvent.objects.filter(action=MentorshipEvent.Action.ANSWERED, by=cast.contributor).exists()
    assert [m.to for m in Mail.objects.all()] == [s["mentor"].email]
    assert "Validated by the mentor" in contributor.get(team_page(s)).text
    with CaptureQueriesContext(connection) as captured:
        validated = reviews.validated_factors(s["draft"])
    assert len(captured) == 1 and [r.pk for r in validated[s["factor"].pk]] == [stored.pk]

    rate(FactorAssessment.objects.get(pk=s["factor"].pk), 2, by=cast.contributor)
    team = contributor.get(team_page(s)).text
    assert "Validated by the mentor" not in team and "The city has changed its rating since." in team
    assert reviews.validated_factors(s["draft"]) == {}
    mentor = client_for(s["mentor"]).get(mentor_page(s)).text
    assert "Thank you, we raise it." in mentor and "Validated by the mentor" not in mentor


def test_a_thread_post_mails_its_addressees_only(cast: Cast, setting: dict) -> None:
    s = setting
    prefix = f"thread-{s['mentorship'].public_id}"
    Mail.objects.all().delete()
    mentor = client_for(s["mentor"])
    response = mentor.post(
        mentor_page(s) + "comments/",
        {
            f"{prefix}-body": "How do you count the newcomers?",
            f"{prefix}-addressed_to": [membership(cast.workspace, cast.contributor)],
        },
    )
    assert response.status_code == 302
    assert [(m.kind, m.to) for m in Mail.objects.all()] == [("mentoring/email/comment", cast.contributor.email)]
    Mail.objects.all().delete()
    # The team answers in the thread from its own page, addressing the mentor.
    team = client_for(cast.partner)
    data = {
        "mentoring_form": "comment",
        "mentorship": str(s["mentorship"].public_id),
        f"{prefix}-body": "By the registry.",
        f"{prefix}-addressed_to": [membership(s["workspace"], s["mentor"])],
    }
    assert team.post(team_page(s), data).status_code == 302
    assert [(m.kind, m.to) for m in Mail.objects.all()] == [("mentoring/email/comment", s["mentor"].email)]
    assert list(MentorComment.objects.values_list("body", flat=True)) == [
        "How do you count the newcomers?",
        "By the registry.",
    ]
    page = mentor.get(mentor_page(s)).text
    assert "By the registry." in page and "Addressed to you" in page
    # Viewers read the thread; they do not write in it.
    assert client_for(cast.viewer).post(team_page(s), data).status_code == 404


def test_nobody_addresses_someone_outside_the_mentorship(cast: Cast, setting: dict) -> None:
    s = setting
    prefix = f"thread-{s['mentorship'].public_id}"
    Mail.objects.all().delete()
    outsider = Membership.objects.get(user=cast.other).public_id
    response = client_for(s["mentor"]).post(
        mentor_page(s) + "comments/",
        {f"{prefix}-body": "Shall we ask Bville?", f"{prefix}-addressed_to": [str(outsider)]},
    )
    assert response.status_code == 400
    assert "Choose among the mentors and the city&#x27;s members only." in response.text
    assert "Shall we ask Bville?" in response.text
    # Not even Mentorburg's coordinator, who is not a mentor.
    response = client_for(cast.coordinator).post(
        team_page(s),
        {
            "mentoring_form": "comment",
            "mentorship": str(s["mentorship"].public_id),
            f"{prefix}-body": "Shall we ask your coordinator?",
            f"{prefix}-addressed_to": [membership(s["workspace"], s["coordinator"])],
        },
    )
    assert response.status_code == 400 and "Shall we ask your coordinator?" in response.text
    assert not MentorComment.objects.exists() and not Mail.objects.exists()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian's poppler-utils) is needed; `make test` installs it")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_the_team_report_shows_the_reviews_and_the_outside_report_does_not(
    cast: Cast, setting: dict, tmp_path: Path
) -> None:
    s = setting
    assert review(client_for(s["mentor"]), s, "suggest", 3, "Reaches half the newcomers.").status_code == 302
    assessment = Assessment.objects.get(pk=s["draft"].pk)
    assessment_actions.do_submit(assessment, by=cast.coordinator)
    assessment_actions.do_set_visibility(assessment, "published", by=cast.coordinator)
    url = f"/assessments/{assessment.public_id}/report.pdf"
    team = pdf_text(client_for(cast.viewer).get(url).content, tmp_path)
    assert "Mentors' reviews of the rating" in team and "Reaches half the newcomers." in team
    assert "Mentorburg" in team and level_words(s, 3) in team
    outside = pdf_text(client_for(None).get(url).content, tmp_path)
    assert "Aville" in outside and "Reaches half the newcomers." not in outside and "Mentorburg" not in outside


def add_mentors(s: dict, cast: Cast, count: int) -> list[User]:
    """`count` named mentors in all (the first is the setting's), each with a review and a post addressed to
    the city's contributor and to the first mentor."""
    mentors = [s["mentor"]]
    for n in range(1, count):
        user = make_user(f"mentor{n}@mentorburg.example")
        join(s["workspace"], user, Role.CONTRIBUTOR, by=s["coordinator"])
        mentors.append(user)
    actions.do_set_mentors(s["mentorship"], by=s["coordinator"], mentors=mentors)
    s["mentorship"].refresh_from_db()
    for n, user in enumerate(mentors):
        reviews.do_review(
            s["mentorship"],
            s["factor"],
            by=user,
            verdict="suggest",
            suggested_rating=2,
            reason=f"Reason {n}.",
            site_url=SITE,
        )
        reviews.do_comment(
            s["mentorship"],
            s["factor"],
            by=user,
            body=f"Post {n}.",
            addressees=[cast.contributor, s["mentor"]],
            site_url=SITE,
        )
    return mentors


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_query_budgets_of_both_key_factor_pages_do_not_grow_with_reviews_and_posts(cast: Cast, setting: dict) -> None:
    s = setting
    add_mentors(s, cast, 1)
    team, mentor = client_for(cast.contributor), client_for(s["mentor"])
    queries(team, team_page(s)), queries(mentor, mentor_page(s))  # warm the caches
    few = (queries(team, team_page(s)), queries(mentor, mentor_page(s)))
    RatingReview.objects.all().delete()
    MentorComment.objects.all().delete()
    add_mentors(s, cast, 6)
    assert RatingReview.objects.count() == 6 and MentorComment.objects.count() == 6
    page = team.get(team_page(s)).text
    assert "Reason 5." in page and "Post 5." in page
    many = (queries(team, team_page(s)), queries(mentor, mentor_page(s)))
    assert many == few
