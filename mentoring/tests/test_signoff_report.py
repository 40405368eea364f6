"""The joint sign-off of a shared action plan (both sides sign; a change after the first signature starts a new
sign-off; what changed since shows word by word), and the mentorship report, as a page and a tagged PDF,
through HTTP and the real actions, with its access checked on every request. Aville is mentored by Mentorburg,
a fictional mentor city whose coordinator is the named mentor."""

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from actionplans import actions as plan_actions
from actionplans.models import Action, ActionPlan
from assessments.models import Assessment
from mentoring import actions
from mentoring.activities import ActivityFields, do_save_activity
from mentoring.models import Activity, Mentorship, MentorshipEvent, PlanSignOff
from mentoring.reviews import do_review
from mentoring.signoff import changes_since, do_sign, plan_snapshot, word_diff
from outbox.models import Mail
from tests.support.assessments import submitted_assessment
from tests.support.cast import SITE, Cast, client_for
from tests.support.mentoring import active_mentorship, mentor_city
from tests.support.pdf import pdf_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(cast: Cast) -> dict:
    """Aville's submitted round with its plan, shared with Mentorburg's coordinator, its named mentor."""
    assessment = submitted_assessment(cast)
    plan = plan_actions.do_start_plan(assessment, by=cast.coordinator)
    workspace, mentor = mentor_city("Mentorburg", admin=cast.admin, benchmarks=[assessment.benchmark_version.benchmark])
    mentorship = active_mentorship(
        cast.workspace, cast.coordinator, workspace, mentor, assessment.benchmark_version.benchmark
    )
    actions.do_set_consent(
        mentorship,
        by=cast.coordinator,
        assessments=[assessment],
        plans=[plan],
        evidence_files=False,
        partner_ratings=False,
    )
    return {"assessment": assessment, "plan": plan, "mentorship": mentorship, "mentor": mentor}


def sign_url(s: dict) -> str:
    return f"/mentoring/{s['mentorship'].public_id}/plans/{s['assessment'].public_id}/sign/"


def page_url(s: dict) -> str:
    return f"/mentoring/{s['mentorship'].public_id}/plans/{s['assessment'].public_id}/sign-off/"


def first_action(plan: ActionPlan) -> Action:
    action = plan.actions.alive().order_by("position").first()
    assert action is not None
    return action


def retitle(action: Action, title: str, by) -> None:
    fields = plan_actions.stored_fields(action)
    fields.title = title
    plan_actions.do_save_action(action, fields, by=by, expected_version=action.lock_version)
    action.refresh_from_db()


# ---- the sign-off


def test_both_sides_sign_the_plan_as_it_is_and_each_tells_the_other(cast: Cast, setting: dict) -> None:
    s = setting
    Mail.objects.all().delete()
    coordinator, mentor = client_for(cast.coordinator), client_for(s["mentor"])
    assert coordinator.post(sign_url(s)).status_code == 302
    sign_off = PlanSignOff.objects.get()
    assert sign_off.coordinator == cast.coordinator and sign_off.mentor_at is None
    assert sign_off.snapshot == plan_snapshot(s["plan"])
    assert [m.to for m in Mail.objects.filter(kind="mentoring/email/signed")] == [s["mentor"].email]
    page = mentor.get(page_url(s)).content.decode()
    assert "waiting for a mentor" in page and "Sign the plan as mentor" in page
    # Signing again the same plan changes nothing.
    assert coordinator.post(sign_url(s)).status_code == 302
    assert PlanSignOff.objects.count() == 1
    assert mentor.post(sign_url(s)).status_code == 302
    sign_off.refresh_from_db()
    assert sign_off.is_complete and sign_off.mentor == s["mentor"]
    assert PlanSignOff.objects.count() == 1
    assert Mail.objects.filter(kind="mentoring/email/signed", to=cast.coordinator.email).count() == 1
    body = Mail.objects.get(kind="mentoring/email/signed", to=cast.coordinator.email).body
    assert "Both sides have now signed" in body and body.strip().endswith("/mentoring/notifications/")
    events = MentorshipEvent.objects.filter(mentorship=s["mentorship"], action=MentorshipEvent.Action.SIGNED)
    assert [e.changes["side"] for e in events.order_by("pk")] == ["coordinator", "mentor"]
    assert "Signed off by both sides" in coordinator.get(page_url(s)).content.decode()


def test_a_change_after_the_first_signature_starts_a_new_sign_off_from_the_current_plan(
    cast: Cast, setting: dict
) -> None:
    s = setting
    do_sign(s["mentorship"], s["plan"], by=s["mentor"], site_url=SITE)
    action = first_action(s["plan"])
    retitle(action, "A one-stop shop for newcomers", cast.contributor)
    page = client_for(cast.coordinator).get(page_url(s)).content.decode()
    assert "The plan changed since this signature." in page
    response = client_for(cast.coordinator).post(sign_url(s), follow=True)
    assert "a new sign-off starts from the plan as it is now" in response.content.decode()
    first, second = PlanSignOff.objects.order_by("pk")
    assert not first.is_complete and not second.is_complete
    assert second.coordinator == cast.coordinator and second.mentor is None
    assert second.snapshot["actions"][0]["title"] == "A one-stop shop for newcomers"
    assert first.snapshot["actions"][0]["title"] != "A one-stop shop for newcomers"  # what was signed is kept
    assert MentorshipEvent.objects.filter(action=MentorshipEvent.Action.SIGNED).latest("pk").changes["restarted"]
    signed = do_sign(s["mentorship"], s["plan"], by=s["mentor"], site_url=SITE)
    assert signed.complete and signed.sign_off == second


def test_changed_since_sign_off_lists_each_field_with_words_inserted_and_deleted(cast: Cast, setting: dict) -> None:
    s = setting
    do_sign(s["mentorship"], s["plan"], by=cast.coordinator, site_url=SITE)
    sign_off = do_sign(s["mentorship"], s["plan"], by=s["mentor"], site_url=SITE).sign_off
    first, second = s["plan"].actions.alive().order_by("position")
    before = first.title
    retitle(first, f"{before} with the libraries", cast.contributor)
    plan_actions.do_delete_action(second, by=cast.contributor)
    added = plan_actions.do_add_action(s["plan"], by=cast.contributor, title="Welcome guide")
    changes = changes_since(sign_off)
    assert [(c.kind, c.title) for c in changes] == [
        ("changed", f"{before} with the libraries"),
        ("added", added.title),
        ("removed", second.title),
    ]
    (title,) = [f for f in changes[0].fields if f.name == "title"]
    assert (title.before, title.after) == (before, f"{before} with the libraries")
    assert ("insert", " with the libraries") in [(op, text) for op, text in title.parts if op == "insert"] or any(
        op == "insert" and "libraries" in text for op, text in title.parts
    )
    parts = word_diff("one two three", "one three four")
    assert "".join(t for op, t in parts if op != "insert") == "one two three"
    assert "".join(t for op, t in parts if op != "delete") == "one three four"
    assert ("delete", "two") in parts and any(op == "insert" and "four" in t for op, t in parts)
    page = client_for(s["mentor"]).get(page_url(s)).content.decode()
    assert "Changed since sign-off" in page
    assert '<ins><span class="visually-hidden">[inserted: </span>' in page
    assert '<del><span class="visually-hidden">[deleted: </span>' in page
    assert "added since sign-off" in page and "removed since sign-off" in page


def test_who_may_sign_and_read_the_sign_off(cast: Cast, setting: dict) -> None:
    s = setting
    # Another city, a member who is no coordinator, and network staff do not sign.
    assert client_for(cast.other).get(page_url(s)).status_code == 404
    assert client_for(cast.other).post(sign_url(s)).status_code == 404
    assert client_for(cast.contributor).get(page_url(s)).status_code == 200
    client_for(cast.contributor).post(sign_url(s))
    client_for(cast.admin).post(sign_url(s))
    assert not PlanSignOff.objects.exists()
    # Narrowing the consent closes the page to the mentor at once; the city still reads it.
    actions.do_set_consent(
        s["mentorship"],
        by=cast.coordinator,
        assessments=[s["assessment"]],
        plans=[],
        evidence_files=False,
        partner_ratings=False,
    )
    assert client_for(s["mentor"]).get(page_url(s)).status_code == 404
    assert client_for(s["mentor"]).post(sign_url(s)).status_code == 404


# ---- the mentorship report


def held_activity_and_review(cast: Cast, s: dict) -> None:
    do_save_activity(
        s["mentorship"],
        None,
        ActivityFields(
            kind=Activity.Kind.SITE_VISIT,
            status=Activity.Status.HELD,
            title="Visit of the welcome desk",
            starts_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
            ends_at=datetime(2026, 3, 2, 12, tzinfo=UTC),
            time_zone="Europe/Brussels",
            place="Aville town hall",
            outcomes="Desk hours to extend.",
        ),
        by=s["mentor"],
        site_url=SITE,
    )
    factor = s["assessment"].factors.filter(rating__isnull=False).select_related("key_factor").order_by("pk").first()
    assert factor is not None
    do_review(
        s["mentorship"],
        factor,
        by=s["mentor"],
        verdict="agree",
        suggested_rating=None,
        reason="Matches what we saw on the visit.",
        site_url=SITE,
    )


def test_the_report_pdf_names_both_cities_the_activities_held_and_the_reviews(
    cast: Cast, setting: dict, tmp_path: Path
) -> None:
    s = setting
    held_activity_and_review(cast, s)
    do_sign(s["mentorship"], s["plan"], by=cast.coordinator, site_url=SITE)
    do_sign(s["mentorship"], s["plan"], by=s["mentor"], site_url=SITE)
    url = f"/mentoring/{s['mentorship'].public_id}/report.pdf"
    response = client_for(s["mentor"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    objects = pdf_objects(response.content)
    assert b"/StructTreeRoot" in objects and b"/Lang (en)" in objects
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian's poppler-utils) is needed; `make test` installs it")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = " ".join(
        subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "Mentorship report: Mentorburg mentors Aville" in text
    assert "Visit of the welcome desk" in text and "Desk hours to extend." in text
    assert "Reviews of ratings" in text and "Agrees with the rating" in text
    assert "Matches what we saw on the visit." in text
    assert "Ratings of the key factors at the start" in text
    assert "was signed off by" in text
    assert first_action(s["plan"]).title in text


def test_the_report_shows_the_change_in_ratings_once_a_later_round_is_shared(cast: Cast, setting: dict) -> None:
    s = setting
    page = client_for(cast.coordinator).get(f"/mentoring/{s['mentorship'].public_id}/report/").content.decode()
    assert "Change in ratings" not in page
    later = submitted_assessment(cast, s["assessment"].benchmark_version, round="2027", gaps=1)
    actions.do_set_consent(
        s["mentorship"],
        by=cast.coordinator,
        assessments=[s["assessment"], later],
        plans=[s["plan"]],
        evidence_files=False,
        partner_ratings=False,
    )
    page = client_for(s["mentor"]).get(f"/mentoring/{s['mentorship'].public_id}/report/").content.decode()
    assert "Change in ratings" in page and "Ratings of round 2026 and of round 2027" in page
    # Each key factor rated in both rounds says how far it moved (the scale's values are consecutive).
    start = {f.key_factor_id: f.rating for f in s["assessment"].factors.all()}
    moved = [
        f.rating - start[f.key_factor_id] for f in later.factors.all() if None not in (f.rating, start[f.key_factor_id])
    ]
    assert any(change > 0 for change in moved)
    for change in moved:
        assert (f"up {change}" if change > 0 else f"down {-change}" if change < 0 else "unchanged") in page


def test_the_report_is_checked_on_every_request(cast: Cast, setting: dict) -> None:
    s = setting
    page, pdf = f"/mentoring/{s['mentorship'].public_id}/report/", f"/mentoring/{s['mentorship'].public_id}/report.pdf"
    mentor, city = client_for(s["mentor"]), client_for(cast.viewer)
    assert mentor.get(page).status_code == 200
    assert client_for(cast.other).get(page).status_code == 404
    assert client_for(cast.other).get(pdf).status_code == 404
    assert client_for(cast.admin).get(page).status_code == 200
    actions.do_end(s["mentorship"], by=cast.coordinator, outcome=Mentorship.Outcome.COMPLETED, reason="", site_url=SITE)
    # The mentor city reads it only while the mentorship is active; the city keeps it.
    assert mentor.get(page).status_code == 404
    assert mentor.get(pdf).status_code == 404
    assert city.get(page).status_code == 200
    assert Assessment.objects.filter(pk=s["assessment"].pk).exists()
