"""The mentoring rows of docs/roles.md, cell by cell, through HTTP; CSRF on every POST.

Each cell builds its world with the real actions: city A (the cast's Aville) requests a mentorship of a
fictional mentor city, Mentorburg, whose coordinator accepts it naming one mentor, and A shares a draft.
A forbidden mentorship answers 404 (the same as a missing one); only the login wall redirects."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from actionplans.models import ActionPlan
from assessments import actions as assessment_actions
from assessments.models import Assessment, FactorAssessment
from cities.models import Role, Workspace
from mentoring import actions
from mentoring.models import (
    Activity,
    ActivityAttachment,
    MentorComment,
    MentoringScheme,
    MentorOffer,
    Mentorship,
    PlanSignOff,
    RatingReview,
)
from tests.support.assessments import a_version
from tests.support.cast import SITE, Cast, client_for, join, make_user, set_up_mfa
from tests.support.mentoring import mentor_city
from tests.support.roles import LOGIN, N, Y, assert_cell, documented_table

pytestmark = pytest.mark.django_db

COLUMNS = [
    "anonymous",
    "mentee_coordinator",
    "mentee_member",
    "mentor_coordinator",
    "mentor",
    "mentor_ended",
    "mentor_narrowed",
    "mentor_city_member",
    "other_city",
    "admin",
]

TABLE: dict[str, list[str]] = {
    "read_mentorship": [LOGIN, Y, Y, Y, Y, Y, Y, N, N, Y],
    "withdraw_request": [LOGIN, Y, N, N, N, N, N, N, N, N],
    "accept_request": [LOGIN, N, N, Y, N, N, N, N, N, N],
    "decline_request": [LOGIN, N, N, Y, N, N, N, N, N, N],
    "name_mentors": [LOGIN, N, N, Y, N, N, N, N, N, Y],
    "set_consent": [LOGIN, Y, N, N, N, N, N, N, N, N],
    "end_mentorship": [LOGIN, Y, N, Y, N, N, N, N, N, Y],
    "read_shared_assessment": [LOGIN, N, N, N, Y, N, N, N, N, N],
    "read_shared_key_factor": [LOGIN, N, N, N, Y, N, N, N, N, N],
    "edit_mentor_offer": [LOGIN, N, N, Y, N, N, N, N, N, Y],
    "review_rating": [LOGIN, N, N, N, Y, N, N, N, N, N],
    "answer_review": [LOGIN, Y, Y, N, N, N, N, N, N, N],
    "comment_as_mentor": [LOGIN, N, N, N, Y, N, N, N, N, N],
    "comment_as_team": [LOGIN, Y, Y, N, N, N, N, N, N, N],
    "read_activities": [LOGIN, Y, Y, Y, Y, Y, Y, N, N, Y],
    "record_activity": [LOGIN, Y, Y, Y, Y, N, Y, N, N, N],
    "download_activity_file": [LOGIN, Y, Y, Y, Y, N, Y, N, N, Y],
    "sign_plan": [LOGIN, Y, N, N, Y, N, N, N, N, N],
    "read_mentorship_report": [LOGIN, Y, Y, Y, Y, N, Y, N, N, Y],
    "read_candidates": [LOGIN, Y, Y, N, N, N, N, N, N, Y],
    "request_mentorship": [LOGIN, Y, N, N, N, N, N, N, N, N],
    "edit_scheme": [LOGIN, N, N, N, N, N, N, N, N, Y],
    "pair_cities": [LOGIN, N, N, N, N, N, N, N, N, Y],
}
# The rows whose mentorship is a request not yet decided; the others are active (or ended, or narrowed).
ON_A_REQUEST = {"withdraw_request", "accept_request", "decline_request"}


@dataclass
class World:
    cast: Cast
    mentorship: Mentorship
    assessment: Assessment
    mentor_workspace: Workspace
    mentor_coordinator: User
    mentor: User
    mentor_city_member: User
    # What the mentor's work adds (the rows that need it): a rated key factor, a submitted round with its plan,
    # a mentor's review, an activity with a file.
    factor: FactorAssessment | None = None
    plan: ActionPlan | None = None
    review: RatingReview | None = None
    activity: Activity | None = None
    attachment: ActivityAttachment | None = None


# The rows whose world holds the mentor's work (built before the mentorship ends or the consent narrows).
WITH_WORK = {
    "review_rating",
    "answer_review",
    "comment_as_mentor",
    "comment_as_team",
    "download_activity_file",
    "sign_plan",
}


def add_work(w: World) -> None:
    from datetime import UTC, datetime

    from actionplans.actions import do_start_plan
    from lib.uploads import check_upload
    from mentoring import activities, reviews
    from tests.support.assessments import rate, submitted_assessment

    w.factor = w.assessment.factors.select_related("key_factor").order_by("pk").first()
    assert w.factor is not None
    rate(w.factor, 1, by=w.cast.coordinator)
    w.factor.refresh_from_db()
    earlier = submitted_assessment(w.cast, round="2025")
    w.plan = do_start_plan(earlier, by=w.cast.coordinator)
    actions.do_set_consent(
        w.mentorship,
        by=w.cast.coordinator,
        assessments=[w.assessment, earlier],
        plans=[w.plan],
        evidence_files=False,
        partner_ratings=False,
    )
    w.review = reviews.do_review(
        w.mentorship,
        w.factor,
        by=w.mentor,
        verdict="suggest",
        suggested_rating=2,
        reason="Your desk is good.",
        site_url=SITE,
    )
    w.activity = activities.do_save_activity(
        w.mentorship,
        None,
        activities.ActivityFields(
            kind="workshop",
            status="planned",
            title="Kick-off workshop",
            time_zone="Europe/Brussels",
            online=True,
            starts_at=datetime(2027, 3, 1, 9, tzinfo=UTC),
            ends_at=datetime(2027, 3, 1, 11, tzinfo=UTC),
        ),
        by=w.mentor_coordinator,
        site_url=SITE,
    )
    content = b"day,people\n1,12\n"
    upload = SimpleUploadedFile("attendance.csv", content, content_type="text/csv")
    checked = check_upload(upload, "attendance.csv", len(content))
    upload.seek(0)
    w.attachment = activities.do_add_attachment(
        w.activity, by=w.mentor_coordinator, title="Attendance", file=upload, checked=checked
    )


def world(cast: Cast, row: str, column: str) -> World:
    assessment = assessment_actions.do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)
    benchmark = assessment.benchmark_version.benchmark
    workspace, coordinator = mentor_city("Mentorburg", admin=cast.admin, benchmarks=[benchmark])
    mentor = make_user("mentor@mentorburg.example")
    member = make_user("member@mentorburg.example")
    join(workspace, mentor, Role.CONTRIBUTOR, by=coordinator)
    join(workspace, member, Role.CONTRIBUTOR, by=coordinator)
    mentorship = actions.do_request(
        cast.workspace, workspace, benchmark, by=cast.coordinator, message="", share=[assessment], site_url=SITE
    )
    if row not in ON_A_REQUEST:
        actions.do_accept(mentorship, by=coordinator, mentors=[mentor], site_url=SITE)
        set_up_mfa(mentor)  # a named mentor must use a second factor
        built = World(cast, mentorship, assessment, workspace, coordinator, mentor, member)
        if row in WITH_WORK:
            add_work(built)
        if column == "mentor_ended":
            actions.do_end(mentorship, by=coordinator, outcome="completed", reason="", site_url=SITE)
        if column == "mentor_narrowed":
            actions.do_set_consent(
                mentorship, by=cast.coordinator, assessments=[], plans=[], evidence_files=False, partner_ratings=False
            )
        mentorship.refresh_from_db()
        built.mentorship = mentorship
        return built
    mentorship.refresh_from_db()
    return World(cast, mentorship, assessment, workspace, coordinator, mentor, member)


def user_in(w: World, column: str) -> User | None:
    return {
        "anonymous": None,
        "mentee_coordinator": w.cast.coordinator,
        "mentee_member": w.cast.contributor,
        "mentor_coordinator": w.mentor_coordinator,
        "mentor": w.mentor,
        "mentor_ended": w.mentor,
        "mentor_narrowed": w.mentor,
        "mentor_city_member": w.mentor_city_member,
        "other_city": w.cast.other,
        "admin": w.cast.admin,
    }[column]


def url(w: World, rest: str = "") -> str:
    return f"/mentoring/{w.mentorship.public_id}/{rest}"


def status_of(w: World) -> str:
    return Mentorship.objects.get(pk=w.mentorship.pk).status


# Each attempt makes the request and returns (response, whether the effect is visible afterwards).
def read_mentorship(client: Client, w: World):
    response = client.get(url(w))
    return response, response.status_code == 200 and "Mentorburg mentors Aville" in response.text


def withdraw_request(client: Client, w: World):
    response = client.post(url(w, "withdraw/"))
    return response, status_of(w) == Mentorship.Status.WITHDRAWN


def accept_request(client: Client, w: World):
    response = client.post(url(w, "accept/"), {"mentors": [w.mentor.pk]})
    return response, status_of(w) == Mentorship.Status.ACTIVE


def decline_request(client: Client, w: World):
    response = client.post(url(w, "decline/"), {"reason": "No capacity this year."})
    return response, status_of(w) == Mentorship.Status.DECLINED


def name_mentors(client: Client, w: World):
    response = client.post(url(w, "mentors/"), {"mentors": [w.mentor.pk, w.mentor_city_member.pk]})
    return response, w.mentorship.mentors.filter(pk=w.mentor_city_member.pk).exists()


def set_consent(client: Client, w: World):
    response = client.post(url(w, "consent/"), {"assessments": [w.assessment.pk], "evidence_files": "on"})
    return response, Mentorship.objects.get(pk=w.mentorship.pk).shares_evidence_files


def end_mentorship(client: Client, w: World):
    response = client.post(url(w, "end/"), {"outcome": "ended_early", "reason": "The team changed."})
    return response, Mentorship.objects.get(pk=w.mentorship.pk).outcome == "ended_early"


def read_shared_assessment(client: Client, w: World):
    response = client.get(url(w, f"assessments/{w.assessment.public_id}/"))
    return response, response.status_code == 200 and "Key factors and the city's rating" in response.text


def read_shared_key_factor(client: Client, w: World):
    factor = w.assessment.factors.select_related("key_factor").first()
    assert factor is not None
    response = client.get(url(w, f"assessments/{w.assessment.public_id}/factors/{factor.key_factor.slug}/"))
    return response, response.status_code == 200 and "Guide questions" in response.text


def edit_mentor_offer(client: Client, w: World):
    benchmark = w.assessment.benchmark_version.benchmark
    response = client.post(
        f"/mentoring/offers/{w.mentor_workspace.public_id}/",
        {"open": "on", "benchmarks": [benchmark.pk], "languages": ["en", "fr"], "capacity": "3", "note": ""},
    )
    return response, MentorOffer.objects.get(workspace=w.mentor_workspace).capacity == 3


def shared_factor_url(w: World, rest: str = "") -> str:
    assert w.factor is not None
    return url(w, f"assessments/{w.assessment.public_id}/factors/{w.factor.key_factor.slug}/{rest}")


def review_rating(client: Client, w: World):
    response = client.post(shared_factor_url(w, "review/"), {"review-verdict": "agree"})
    return response, RatingReview.objects.filter(mentorship=w.mentorship, verdict="agree").exists()


def answer_review(client: Client, w: World):
    assert w.review is not None and w.factor is not None
    response = client.post(
        f"/assessments/{w.assessment.public_id}/factors/{w.factor.key_factor.slug}/",
        {
            "mentoring_form": "answer",
            "review": str(w.review.public_id),
            f"answer-{w.review.public_id}-answer": "We agree: two desks.",
        },
    )
    return response, RatingReview.objects.get(pk=w.review.pk).answer == "We agree: two desks."


def comment_as_mentor(client: Client, w: World):
    response = client.post(
        shared_factor_url(w, "comments/"), {f"thread-{w.mentorship.public_id}-body": "How do you staff the desk?"}
    )
    return response, MentorComment.objects.filter(body="How do you staff the desk?").exists()


def comment_as_team(client: Client, w: World):
    assert w.factor is not None
    response = client.post(
        f"/assessments/{w.assessment.public_id}/factors/{w.factor.key_factor.slug}/",
        {
            "mentoring_form": "comment",
            "mentorship": str(w.mentorship.public_id),
            f"thread-{w.mentorship.public_id}-body": "With volunteers.",
        },
    )
    return response, MentorComment.objects.filter(body="With volunteers.").exists()


def read_activities(client: Client, w: World):
    response = client.get(url(w, "activities/"))
    return response, response.status_code == 200 and "<h1>" in response.text


def record_activity(client: Client, w: World):
    response = client.post(
        url(w, "activities/new/"),
        {
            "kind": "site_visit",
            "status": "planned",
            "title": "Visit of the welcome desk",
            "time_zone": "Europe/Brussels",
            "starts_at": "2027-04-01T10:00",
            "ends_at": "2027-04-01T12:00",
            "online": "on",
        },
    )
    return response, Activity.objects.filter(title="Visit of the welcome desk").exists()


def download_activity_file(client: Client, w: World):
    assert w.attachment is not None
    response = client.get(f"/mentoring/attachments/{w.attachment.public_id}/")
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return response, response.status_code == 200 and body == b"day,people\n1,12\n"


def sign_plan(client: Client, w: World):
    assert w.plan is not None
    response = client.post(url(w, f"plans/{w.plan.assessment.public_id}/sign/"))
    return response, PlanSignOff.objects.filter(plan=w.plan).exists()


def read_mentorship_report(client: Client, w: World):
    response = client.get(url(w, "report/"))
    return response, response.status_code == 200 and "Mentorburg" in response.text


def read_candidates(client: Client, w: World):
    response = client.get(f"/mentoring/assessments/{w.assessment.public_id}/candidates/")
    return response, response.status_code == 200 and "Mentor cities for" in response.text


def request_mentorship(client: Client, w: World):
    benchmark = w.assessment.benchmark_version.benchmark
    other, _coordinator = mentor_city("Guideburg", admin=w.cast.admin, benchmarks=[benchmark])
    response = client.post(
        f"/mentoring/assessments/{w.assessment.public_id}/request/", {"mentor": str(other.public_id), "message": "Hi"}
    )
    return response, Mentorship.objects.filter(mentor=other).exists()


def edit_scheme(client: Client, w: World):
    benchmark = w.assessment.benchmark_version.benchmark
    response = client.post(
        "/mentoring/schemes/new/",
        {
            "name": "Welcoming cities 2027",
            "benchmark": benchmark.slug,
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "mentors": [str(w.mentor_workspace.public_id)],
            "implementing": [str(w.cast.workspace.public_id)],
        },
    )
    return response, MentoringScheme.objects.filter(name="Welcoming cities 2027").exists()


def pair_cities(client: Client, w: World):
    benchmark = w.assessment.benchmark_version.benchmark
    response = client.post(
        "/mentoring/pair/",
        {
            "mentee": str(w.cast.other_workspace.public_id),
            "mentor": str(w.mentor_workspace.public_id),
            "benchmark": benchmark.slug,
        },
    )
    return response, Mentorship.objects.filter(mentee=w.cast.other_workspace).exists()


POSTS = {
    "request_mentorship",
    "edit_scheme",
    "pair_cities",
    "review_rating",
    "answer_review",
    "comment_as_mentor",
    "comment_as_team",
    "record_activity",
    "sign_plan",
    "withdraw_request",
    "accept_request",
    "decline_request",
    "name_mentors",
    "set_consent",
    "end_mentorship",
    "edit_mentor_offer",
}


def test_the_table_here_is_the_table_in_docs() -> None:
    assert documented_table("Mentoring") == TABLE


CELLS = [
    (row, column, expected)
    for row, outcomes in TABLE.items()
    for column, expected in zip(COLUMNS, outcomes, strict=True)
]


@pytest.mark.parametrize(("row", "column", "expected"), CELLS, ids=[f"{r}-{c}" for r, c, _ in CELLS])
def test_role_table_cell(cast: Cast, row: str, column: str, expected: str) -> None:
    w = world(cast, row, column)
    response, happened = globals()[row](client_for(user_in(w, column)), w)
    assert_cell(response, happened, expected, refusal_may_show=row.startswith("read"))


# Who may take each POST when its token is right (the cells above): without the token, nobody.
ALLOWED = {row: COLUMNS[TABLE[row].index(Y)] for row in POSTS}


@pytest.mark.parametrize("row", sorted(POSTS))
def test_every_post_needs_a_csrf_token(cast: Cast, row: str) -> None:
    w = world(cast, row, ALLOWED[row])
    response, happened = globals()[row](client_for(user_in(w, ALLOWED[row]), enforce_csrf_checks=True), w)
    assert response.status_code == 403
    assert not happened
