"""Query budgets of the mentoring pages that list a mentorship's records: the same number of queries with a
little and with more data (activities held, reviews, plan actions, sign-offs, notifications, schemes)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import actions as plan_actions
from cities.models import Role
from mentoring import actions, activities, reviews, signoff
from mentoring.models import Mentorship
from tests.support.assessments import submitted_assessment
from tests.support.cast import SITE, Cast, client_for, join, make_user
from tests.support.mentoring import active_mentorship, mentor_city

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def add_records(m: Mentorship, plan, mentor, cast: Cast, n: int, start: int) -> None:
    """`n` more of everything: activities held, plan actions, reviews of rated key factors, sign-offs."""
    for k in range(start, start + n):
        activities.do_save_activity(
            m,
            None,
            activities.ActivityFields(
                kind="workshop",
                status="held",
                title=f"Workshop {k}",
                starts_at=datetime(2026, 3, 1, 9, tzinfo=UTC) + timedelta(days=k),
                ends_at=datetime(2026, 3, 1, 11, tzinfo=UTC) + timedelta(days=k),
                time_zone="Europe/Brussels",
                online=True,
                outcomes=f"Outcome {k}",
            ),
            by=mentor,
            site_url=SITE,
        )
        plan_actions.do_add_action(plan, by=cast.coordinator, title=f"Action {k}")
        signoff.do_sign(m, plan, by=cast.coordinator, site_url=SITE)
    for factor in plan.assessment.factors.filter(rating__isnull=False).order_by("pk")[: start + n]:
        reviews.do_review(m, factor, by=mentor, verdict="agree", suggested_rating=None, reason="Seen.", site_url=SITE)


def test_report_sign_off_notifications_and_schemes_do_not_grow_with_the_records(cast: Cast) -> None:
    assessment = submitted_assessment(cast, gaps=3)
    plan = plan_actions.do_start_plan(assessment, by=cast.coordinator)
    workspace, mentor = mentor_city("Mentorburg", admin=cast.admin, benchmarks=[assessment.benchmark_version.benchmark])
    m = active_mentorship(cast.workspace, cast.coordinator, workspace, mentor, assessment.benchmark_version.benchmark)
    actions.do_set_consent(
        m, by=cast.coordinator, assessments=[assessment], plans=[plan], evidence_files=False, partner_ratings=False
    )
    pages = {
        f"/mentoring/{m.public_id}/report/": (mentor, cast.coordinator),
        f"/mentoring/{m.public_id}/plans/{assessment.public_id}/sign-off/": (mentor, cast.coordinator),
        "/mentoring/notifications/": (mentor, cast.coordinator),
        f"/mentoring/{m.public_id}/": (mentor, cast.coordinator),
        "/mentoring/": (mentor, cast.coordinator),
        "/mentoring/schemes/": (cast.admin,),
    }
    add_records(m, plan, mentor, cast, 1, 0)
    small = {(url, who.pk): queries(client_for(who), url) for url, people in pages.items() for who in people}
    add_records(m, plan, mentor, cast, 4, 1)
    extra = make_user("member@mentorburg.example")
    join(workspace, extra, Role.CONTRIBUTOR, by=mentor)
    actions.do_set_mentors(m, by=mentor, mentors=[mentor, extra])
    big = {(url, who.pk): queries(client_for(who), url) for url, people in pages.items() for who in people}
    assert big == small
    assert max(big.values()) <= 45
