"""A mentorship's course through HTTP and the real actions: request, accept naming mentors, what the mentors
read under the consent (and nothing more), ending, the history and the mail; the second factor for mentors;
the former "shared with mentors" visibility migrated."""

import importlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.actions import mfa_required
from accounts.models import User
from assessments import actions as assessment_actions
from assessments.models import Assessment, AssessmentEvent, FactorAssessment
from cities.models import Role, Workspace
from evidence import actions as evidence_actions
from mentoring import actions
from mentoring.models import Mentorship, MentorshipEvent
from outbox.models import Mail
from tests.support.assessments import a_version
from tests.support.cast import SITE, Cast, client_for, join, make_user, set_up_mfa
from tests.support.mentoring import mentor_city

pytestmark = pytest.mark.django_db


def answered(factor: FactorAssessment, by: User, *, comment: str, justification: str) -> None:
    answers = {a.question_id: "partly" for a in factor.answers.all()}
    comments = {a.question_id: comment for a in factor.answers.all()}
    assessment_actions.do_save_factor(
        factor,
        by=by,
        expected_version=factor.lock_version,
        rating=1,
        justification=justification,
        answers=answers,
        comments=comments,
    )


@pytest.fixture
def setting(cast: Cast) -> dict:
    """Aville's draft with one answered key factor; Mentorburg, a fictional mentor city, with a coordinator,
    a mentor-to-be and another member."""
    draft = assessment_actions.do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)
    factor = draft.factors.select_related("key_factor").prefetch_related("answers").first()
    assert factor is not None
    answered(factor, cast.coordinator, comment="Our welcome desk answers in 12 languages.", justification="Two desks.")
    workspace, coordinator = mentor_city("Mentorburg", admin=cast.admin, benchmarks=[draft.benchmark_version.benchmark])
    mentor = make_user("mentor@mentorburg.example")
    join(workspace, mentor, Role.CONTRIBUTOR, by=coordinator)
    return {"draft": draft, "factor": factor, "workspace": workspace, "coordinator": coordinator, "mentor": mentor}


def request(cast: Cast, s: dict, *, share: bool = True) -> Mentorship:
    return actions.do_request(
        cast.workspace,
        s["workspace"],
        s["draft"].benchmark_version.benchmark,
        by=cast.coordinator,
        message="We would like to learn from your one-stop shop.",
        share=[s["draft"]] if share else [],
        site_url=SITE,
    )


def reading_urls(m: Mentorship, s: dict) -> tuple[str, str]:
    base = f"/mentoring/{m.public_id}/assessments/{s['draft'].public_id}/"
    return base, f"{base}factors/{s['factor'].key_factor.slug}/"


def test_request_accept_read_narrow_and_end_with_history_and_mail(cast: Cast, setting: dict) -> None:
    s = setting
    Mail.objects.all().delete()
    m = request(cast, s)
    assert [mail.to for mail in Mail.objects.filter(kind="mentoring/email/requested")] == [
        "coordinator@mentorburg.example"
    ]
    assessment_page, factor_page = reading_urls(m, s)

    mentor_city_coordinator = client_for(s["coordinator"])
    page = mentor_city_coordinator.get(f"/mentoring/{m.public_id}/")
    assert "Mentorburg mentors Aville" in page.text and "We would like to learn from your one-stop shop." in page.text
    assert "Accept and name these mentors" in page.text
    # Before accepting, nobody of the mentor city reads the draft.
    assert client_for(s["mentor"]).get(assessment_page).status_code == 404

    response = mentor_city_coordinator.post(f"/mentoring/{m.public_id}/accept/", {"mentors": [s["mentor"].pk]})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == Mentorship.Status.ACTIVE and list(m.mentors.all()) == [s["mentor"]]
    assert Mail.objects.filter(kind="mentoring/email/accepted", to=cast.coordinator.email).exists()
    assert Mail.objects.filter(kind="mentoring/email/named_mentor", to=s["mentor"].email).exists()

    # The named mentor must now use a second factor; with it, they read the draft and its answers.
    assert mfa_required(s["mentor"])
    set_up_mfa(s["mentor"])
    mentor = client_for(s["mentor"])
    overview = mentor.get(assessment_page)
    assert overview.status_code == 200 and s["factor"].key_factor.title in overview.text
    factor = mentor.get(factor_page)
    assert "Our welcome desk answers in 12 languages." in factor.text and "Two desks." in factor.text
    assert "Evidence" not in factor.text  # not in the consent
    # The mentor city's other members, and another city, read nothing.
    assert client_for(s["coordinator"]).get(factor_page).status_code == 404
    assert client_for(cast.other).get(f"/mentoring/{m.public_id}/").status_code == 404

    # The city narrows the consent: the pages close at once.
    city = client_for(cast.coordinator)
    assert city.post(f"/mentoring/{m.public_id}/consent/", {}).status_code == 302
    assert mentor.get(assessment_page).status_code == 404
    assert mentor.get(factor_page).status_code == 404
    # ...and widens it again, with evidence this time.
    evidence_actions.do_add_evidence(
        cast.workspace,
        evidence_actions.Fields(kind="project", title="Welcome desk statistics", url="https://aville.example/desk"),
        by=cast.coordinator,
        attach_to=s["factor"],
    )
    response = city.post(f"/mentoring/{m.public_id}/consent/", {"assessments": [s["draft"].pk], "evidence_files": "on"})
    assert response.status_code == 302
    assert "Welcome desk statistics" in mentor.get(factor_page).text

    # Ending early needs a reason; the typed outcome stays.
    refused = city.post(f"/mentoring/{m.public_id}/end/", {"outcome": "ended_early", "reason": ""})
    assert refused.status_code == 400 and "Say why the mentorship ends early." in refused.text
    assert re.search(r'<input[^>]*value="ended_early"[^>]*checked', refused.text), "the chosen outcome is kept"
    done = city.post(f"/mentoring/{m.public_id}/end/", {"outcome": "ended_early", "reason": "Our team changed."})
    assert done.status_code == 302
    m.refresh_from_db()
    assert m.status == Mentorship.Status.ENDED and m.outcome == "ended_early" and m.end_reason == "Our team changed."
    assert mentor.get(factor_page).status_code == 404
    assert not mfa_required(s["mentor"])  # no longer a mentor of an active mentorship
    assert Mail.objects.filter(kind="mentoring/email/ended", to=s["coordinator"].email).exists()

    # The history says who did what, in order; the page shows it to both sides, the mentor included.
    assert list(m.events.order_by("pk").values_list("action", "by__email")) == [
        (MentorshipEvent.Action.REQUESTED, cast.coordinator.email),
        (MentorshipEvent.Action.ACCEPTED, s["coordinator"].email),
        (MentorshipEvent.Action.CONSENT, cast.coordinator.email),
        (MentorshipEvent.Action.CONSENT, cast.coordinator.email),
        (MentorshipEvent.Action.ENDED, cast.coordinator.email),
    ]
    history = mentor.get(f"/mentoring/{m.public_id}/").text
    assert "Ended early" in history and "Our team changed." in history and "ended the mentorship" in history


def test_a_declined_request_says_why_and_the_city_may_ask_again(cast: Cast, setting: dict) -> None:
    m = request(cast, setting)
    response = client_for(setting["coordinator"]).post(
        f"/mentoring/{m.public_id}/decline/", {"reason": "Our mentors are all busy until spring."}
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == Mentorship.Status.DECLINED
    mail = Mail.objects.get(kind="mentoring/email/declined")
    assert mail.to == cast.coordinator.email and "Our mentors are all busy until spring." in mail.body
    assert "You get this e-mail because" in mail.body
    again = request(cast, setting)  # a decided request does not block a new one
    assert again.status == Mentorship.Status.REQUESTED


def test_one_open_mentorship_per_pair_and_benchmark(cast: Cast, setting: dict) -> None:
    request(cast, setting)
    with pytest.raises(actions.MentoringError, match="already have a mentorship"):
        request(cast, setting)


def test_mentors_are_members_of_the_mentor_city(cast: Cast, setting: dict) -> None:
    m = request(cast, setting)
    response = client_for(setting["coordinator"]).post(
        f"/mentoring/{m.public_id}/accept/", {"mentors": [cast.viewer.pk]}
    )
    assert response.status_code == 400
    assert Mentorship.objects.get(pk=m.pk).status == Mentorship.Status.REQUESTED
    with pytest.raises(actions.MentoringError, match="members of the mentor city"):
        actions.do_accept(m, by=setting["coordinator"], mentors=[cast.viewer], site_url=SITE)


def test_the_consent_shares_only_the_city_s_own_work(cast: Cast, setting: dict) -> None:
    m = request(cast, setting, share=False)
    theirs = assessment_actions.do_start_assessment(cast.other_workspace, a_version(), "2026", by=cast.other)
    actions.do_set_consent(
        m,
        by=cast.coordinator,
        assessments=[theirs, setting["draft"]],
        plans=[],
        evidence_files=False,
        partner_ratings=False,
    )
    assert list(m.shared_assessments.all()) == [setting["draft"]]
    # The form offers only the city's own assessments of the mentorship's benchmark.
    page = client_for(cast.coordinator).get(f"/mentoring/{m.public_id}/").text
    assert f'value="{theirs.pk}"' not in page and f'value="{setting["draft"].pk}"' in page


def test_partner_ratings_show_to_mentors_only_with_consent(cast: Cast, setting: dict) -> None:
    s = setting
    m = request(cast, s)
    actions.do_accept(m, by=s["coordinator"], mentors=[s["mentor"]], site_url=SITE)
    set_up_mfa(s["mentor"])
    factor = FactorAssessment.objects.get(pk=s["factor"].pk)
    assessment_actions.do_rate_as_partner(
        factor, by=cast.partner, expected_version=0, rating=2, comment="Waiting lists."
    )
    _overview, factor_page = reading_urls(m, s)
    mentor = client_for(s["mentor"])
    assert "Waiting lists." not in mentor.get(factor_page).text
    actions.do_set_consent(
        m, by=cast.coordinator, assessments=[s["draft"]], plans=[], evidence_files=False, partner_ratings=True
    )
    shown = mentor.get(factor_page).text
    assert "Aville Refugee Council" in shown and "Waiting lists." in shown


def test_a_city_s_offer_keeps_what_was_typed_when_refused(cast: Cast, setting: dict) -> None:
    client = client_for(setting["coordinator"])
    url = f"/mentoring/offers/{setting['workspace'].public_id}/"
    response = client.post(url, {"open": "on", "languages": ["en"], "capacity": "0", "note": "We run a one-stop shop."})
    assert response.status_code == 400
    assert "We run a one-stop shop." in response.text and 'aria-invalid="true"' in response.text
    benchmark = setting["draft"].benchmark_version.benchmark
    saved = client.post(url, {"benchmarks": [benchmark.pk], "languages": ["en", "pt"], "capacity": "2", "note": "Hi"})
    assert saved.status_code == 302
    offer = Workspace.objects.get(pk=setting["workspace"].pk).mentor_offer
    assert offer.capacity == 2 and offer.languages == ["en", "pt"] and not offer.open


@pytest.mark.parametrize("size", [1, 6])
def test_query_budgets_do_not_grow_with_events_mentors_and_shared_work(cast: Cast, setting: dict, size: int) -> None:
    s = setting
    m = request(cast, s)
    actions.do_accept(m, by=s["coordinator"], mentors=[s["mentor"]], site_url=SITE)
    set_up_mfa(s["mentor"])
    for n in range(size):
        extra = make_user(f"mentor{n}@mentorburg.example")
        join(s["workspace"], extra, Role.CONTRIBUTOR, by=s["coordinator"])
        actions.do_set_mentors(m, by=s["coordinator"], mentors=[s["mentor"], extra])
        actions.do_set_consent(
            m, by=cast.coordinator, assessments=[s["draft"]], plans=[], evidence_files=n % 2 == 0, partner_ratings=True
        )
    budgets = {f"/mentoring/{m.public_id}/": 40, **dict.fromkeys(reading_urls(m, s), 40)}
    for url, budget in budgets.items():
        for who in (cast.coordinator, s["mentor"], s["coordinator"]):
            with CaptureQueriesContext(connection) as queries:
                response = client_for(who).get(url)
            if response.status_code == 200:
                assert len(queries) <= budget, (url, who, len(queries))


def test_former_shared_assessments_become_private_with_the_change_in_their_history(cast: Cast) -> None:
    draft = assessment_actions.do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)
    Assessment.objects.filter(pk=draft.pk).update(visibility="shared")  # as stored before mentorships existed
    migration = importlib.import_module("assessments.migrations.0004_shared_becomes_mentoring_consent")
    migration.shared_to_private(apps, None)
    draft.refresh_from_db()
    assert draft.visibility == Assessment.Visibility.PRIVATE
    event = AssessmentEvent.objects.get(assessment=draft, action="visibility_changed")
    assert event.changes["visibility"] == {"from": "shared", "to": "private"}
