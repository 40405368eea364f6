"""Mentoring activities through HTTP and the real actions: who records, reads and downloads them (and what an
ended mentorship closes), times in their own zone and the viewer's, the edit conflict that keeps the typed
text, upload rules, follow-ups limited to the shared plans, the mail when one is planned, the iCalendar feed
(its format, what it holds, its secret address) and query budgets that do not grow with the activities."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from actionplans.actions import do_start_plan
from assessments import actions as assessment_actions
from cities.models import Role
from mentoring import actions, activities
from mentoring.activities import ActivityFields
from mentoring.models import Activity, ActivityAttachment, CalendarFeed, Mentorship, MentorshipEvent
from outbox.models import Mail
from tests.support.assessments import a_version, rate
from tests.support.cast import SITE, Cast, client_for, join, make_user, set_up_mfa
from tests.support.evidence import PDF, upload
from tests.support.mentoring import mentor_city

pytestmark = pytest.mark.django_db

LISBON, BRUSSELS = "Europe/Lisbon", "Europe/Brussels"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def s(cast: Cast) -> dict[str, Any]:
    """Mentorburg (fictional) mentors Aville: its coordinator, a named mentor and a member not named."""
    draft = assessment_actions.do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)
    benchmark = draft.benchmark_version.benchmark
    workspace, coordinator = mentor_city("Mentorburg", admin=cast.admin, benchmarks=[benchmark])
    mentor = make_user("mentor@mentorburg.example")
    join(workspace, mentor, Role.CONTRIBUTOR, by=coordinator)
    set_up_mfa(mentor)
    bystander = make_user("member@mentorburg.example")
    join(workspace, bystander, Role.CONTRIBUTOR, by=coordinator)
    m = actions.do_request(
        cast.workspace, workspace, benchmark, by=cast.coordinator, message="", share=[draft], site_url=SITE
    )
    actions.do_accept(m, by=coordinator, mentors=[mentor], site_url=SITE)
    m.refresh_from_db()
    return {
        "m": m,
        "draft": draft,
        "workspace": workspace,
        "coordinator": coordinator,
        "mentor": mentor,
        "bystander": bystander,
    }


def fields(title: str = "Visit of the welcome desk", **extra: Any) -> ActivityFields:
    zone = ZoneInfo(extra.pop("time_zone", LISBON))
    values: dict[str, Any] = {
        "kind": Activity.Kind.SITE_VISIT,
        "status": Activity.Status.PLANNED,
        "title": title,
        "starts_at": datetime(2027, 1, 14, 10, 0, tzinfo=zone),
        "ends_at": datetime(2027, 1, 14, 12, 0, tzinfo=zone),
        "time_zone": str(zone.key),
        "place": "Rua do Acolhimento 1, Lisbon",
    }
    values.update(extra)
    return ActivityFields(**values)


def planned(m: Mentorship, by: User, title: str = "Visit of the welcome desk", **extra: Any) -> Activity:
    return activities.do_save_activity(m, None, fields(title, **extra), by=by, site_url=SITE)


def form_data(**extra: str) -> dict[str, str]:
    data = {
        "kind": "workshop",
        "status": "planned",
        "title": "Workshop on one-stop shops",
        "time_zone": LISBON,
        "starts_at": "2027-01-14T10:00",
        "ends_at": "2027-01-14T12:00",
        "place": "City hall, Lisbon",
        "lock_version": "0",
    }
    data.update(extra)
    return data


# ---- Who may ----


def test_who_records_reads_and_downloads_the_activities(cast: Cast, s: dict) -> None:
    m = s["m"]
    activity = planned(m, cast.coordinator)
    file = activities.do_add_attachment(
        activity, by=cast.coordinator, title="Agenda", file=upload("agenda.pdf", PDF), checked=_checked("agenda.pdf")
    )
    pages = {
        "list": f"/mentoring/{m.public_id}/activities/",
        "calendar": f"/mentoring/{m.public_id}/activities/calendar/?month=2027-01",
        "detail": f"/mentoring/activities/{activity.public_id}/",
        "download": f"/mentoring/attachments/{file.public_id}/",
    }
    writes = {
        "new": f"/mentoring/{m.public_id}/activities/new/",
        "edit": f"/mentoring/activities/{activity.public_id}/edit/",
    }
    # (reads the pages and downloads, records and changes)
    table = {
        "A's coordinator": (cast.coordinator, True, True),
        "A's contributor": (cast.contributor, True, True),
        "A's viewer": (cast.viewer, True, False),
        "mentor city's coordinator": (s["coordinator"], True, True),
        "named mentor": (s["mentor"], True, True),
        "mentor city's member": (s["bystander"], False, False),
        "another city": (cast.other, False, False),
    }
    for who, (user, reads, records) in table.items():
        client = client_for(user)
        for name, url in pages.items():
            assert client.get(url).status_code == (200 if reads else 404), (who, name)
        for name, url in writes.items():
            assert client.get(url).status_code == (200 if records else 404), (who, name)
        response = client.post(writes["new"], form_data(title=f"By {who}"))
        assert response.status_code == (302 if records else 404), (who, response.status_code)
    anonymous = client_for(None)
    for url in [*pages.values(), *writes.values()]:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    created = set(Activity.objects.filter(mentorship=m).values_list("title", flat=True))
    assert created == {"Visit of the welcome desk"} | {f"By {who}" for who, row in table.items() if row[2]}


def test_an_ended_mentorship_keeps_its_files_with_the_city_only_and_closes_writing(cast: Cast, s: dict) -> None:
    m = s["m"]
    activity = planned(m, s["mentor"])
    file = activities.do_add_attachment(
        activity, by=s["mentor"], title="Slides", file=upload("slides.pdf", PDF), checked=_checked("slides.pdf")
    )
    download = f"/mentoring/attachments/{file.public_id}/"
    assert client_for(s["mentor"]).get(download).status_code == 200
    actions.do_end(m, by=cast.coordinator, outcome=Mentorship.Outcome.COMPLETED, reason="", site_url=SITE)
    for user in (cast.coordinator, cast.viewer):
        response = client_for(user).get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    for user in (s["coordinator"], s["mentor"]):
        assert client_for(user).get(download).status_code == 404
        page = client_for(user).get(f"/mentoring/activities/{activity.public_id}/")
        assert page.status_code == 200 and download not in page.content.decode()
    assert client_for(cast.coordinator).get(f"/mentoring/{m.public_id}/activities/new/").status_code == 404
    with pytest.raises(actions.MentoringError):
        planned(m, cast.coordinator, "Too late")


def test_the_download_is_an_attachment_under_the_sandbox(cast: Cast, s: dict) -> None:
    activity = planned(s["m"], cast.coordinator)
    response = client_for(cast.coordinator).post(
        f"/mentoring/activities/{activity.public_id}/attachments/",
        {"title": "", "file": upload("Programme, day 1.pdf", PDF)},
    )
    assert response.status_code == 302
    file = ActivityAttachment.objects.get(activity=activity)
    assert file.title == "Programme, day 1.pdf" and file.file_type == "application/pdf"
    assert file.file.name.startswith("mentoring/") and "Programme" not in file.file.name
    got = client_for(s["mentor"]).get(f"/mentoring/attachments/{file.public_id}/")
    assert got["Content-Disposition"].startswith("attachment;")
    assert got["Content-Security-Policy"].startswith("sandbox")
    assert got["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in got["Cache-Control"]
    # Removed: no longer listed nor served.
    assert client_for(s["mentor"]).post(f"/mentoring/attachments/{file.public_id}/remove/").status_code == 302
    assert client_for(cast.coordinator).get(f"/mentoring/attachments/{file.public_id}/").status_code == 404


def test_a_fake_pdf_is_refused_with_a_clear_message(cast: Cast, s: dict, tmp_path: Path) -> None:
    activity = planned(s["m"], cast.coordinator)
    response = client_for(cast.coordinator).post(
        f"/mentoring/activities/{activity.public_id}/attachments/",
        {"title": "Report", "file": upload("report.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>\n")},
    )
    assert response.status_code == 400
    assert "not a valid PDF" in response.content.decode()
    assert not ActivityAttachment.objects.exists()
    assert not list((tmp_path / "media").rglob("*.*"))


# ---- Time zones ----


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [("2027-01-14", 10), ("2027-07-14", 9)],  # Lisbon is UTC+0 in winter, UTC+1 in summer; Brussels one more
)
def test_times_are_typed_in_the_activitys_zone_stored_in_utc_and_shown_in_both(
    cast: Cast, s: dict, day: str, utc_hour: int
) -> None:
    client = client_for(cast.coordinator)
    response = client.post(
        f"/mentoring/{s['m'].public_id}/activities/new/",
        form_data(starts_at=f"{day}T10:00", ends_at=f"{day}T12:00"),
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="Workshop on one-stop shops")
    assert activity.starts_at == datetime.fromisoformat(f"{day}T{utc_hour:02d}:00:00").replace(tzinfo=UTC)
    assert activity.time_zone == LISBON
    for url in (f"/mentoring/{s['m'].public_id}/activities/", f"/mentoring/activities/{activity.public_id}/"):
        page = client.get(url).content.decode()
        assert "10:00–12:00 (Europe/Lisbon)" in page, url
        assert "11:00–13:00 in your time zone (Europe/Brussels)" in page, url
    edit = client.get(f"/mentoring/activities/{activity.public_id}/edit/").content.decode()
    assert f'value="{day}T10:00"' in edit


def test_an_activity_in_the_viewers_zone_is_shown_once_and_a_skipped_hour_is_refused(cast: Cast, s: dict) -> None:
    client = client_for(cast.coordinator)
    url = f"/mentoring/{s['m'].public_id}/activities/new/"
    response = client.post(url, form_data(time_zone=BRUSSELS, starts_at="2027-03-28T02:30", ends_at="2027-03-28T04:00"))
    assert response.status_code == 400
    assert "does not exist in Europe/Brussels" in response.content.decode()
    assert client.post(url, form_data(time_zone=BRUSSELS)).status_code == 302
    page = client.get(f"/mentoring/{s['m'].public_id}/activities/").content.decode()
    assert "10:00–12:00 (Europe/Brussels)" in page and "in your time zone" not in page


def test_the_calendar_lists_each_activity_on_its_day_with_links_to_other_months(cast: Cast, s: dict) -> None:
    planned(
        s["m"],
        cast.coordinator,
        "Late call",
        starts_at=datetime(2027, 1, 31, 23, 30, tzinfo=ZoneInfo("Asia/Tokyo")),
        ends_at=datetime(2027, 2, 1, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo")),
        time_zone="Asia/Tokyo",
        online=True,
        place="",
    )
    page = client_for(s["mentor"]).get(f"/mentoring/{s['m'].public_id}/activities/calendar/?month=2027-01")
    html = page.content.decode()
    assert "<caption>January 2027</caption>" in html
    assert '<th scope="col">Monday</th>' in html
    assert "Late call" in html  # 31 January in Tokyo, although 31 January 14:30 UTC
    assert "?month=2026-12" in html and "?month=2027-02" in html
    assert (
        "Late call"
        not in client_for(s["mentor"])
        .get(f"/mentoring/{s['m'].public_id}/activities/calendar/?month=2027-02")
        .content.decode()
    )


# ---- Saving ----


def test_a_conflicting_edit_keeps_the_typed_text_and_a_second_save_replaces(cast: Cast, s: dict) -> None:
    activity = planned(s["m"], cast.coordinator)
    url = f"/mentoring/activities/{activity.public_id}/edit/"
    # The mentor saves first, from the same version.
    assert client_for(s["mentor"]).post(url, form_data(title="Mentor's title", lock_version="0")).status_code == 302
    typed = form_data(title="Coordinator's title", agenda="1. Welcome\n2. The desk", lock_version="0")
    response = client_for(cast.coordinator).post(url, typed)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this activity meanwhile" in html
    assert "Mentor&#x27;s title" in html  # the saved version, shown
    assert 'value="Coordinator&#x27;s title"' in html and "2. The desk" in html  # what was typed, kept
    assert 'name="lock_version" value="1"' in html
    activity.refresh_from_db()
    assert activity.title == "Mentor's title"
    assert client_for(cast.coordinator).post(url, typed | {"lock_version": "1"}).status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Coordinator's title" and activity.lock_version == 2
    events = MentorshipEvent.objects.filter(mentorship=s["m"], action=MentorshipEvent.Action.ACTIVITY)
    assert events.count() == 3


def test_planning_tells_the_other_side_and_the_mentors(cast: Cast, s: dict) -> None:
    Mail.objects.all().delete()
    activity = planned(s["m"], cast.coordinator)
    told = sorted(Mail.objects.filter(kind="mentoring/email/activity_planned").values_list("to", flat=True))
    assert told == ["coordinator@mentorburg.example", "mentor@mentorburg.example"]
    body = Mail.objects.filter(kind="mentoring/email/activity_planned").first().body
    assert "Visit of the welcome desk" in body and f"/mentoring/activities/{activity.public_id}/" in body
    assert body.strip().splitlines()[-1].endswith("/mentoring/notifications/")  # where mails are stopped
    Mail.objects.all().delete()
    planned(s["m"], s["mentor"], "Held already", status=Activity.Status.HELD)
    assert not Mail.objects.exists()
    planned(s["m"], s["mentor"], "Training")
    assert sorted(Mail.objects.values_list("to", flat=True)) == ["coordinator@aville.example"]
    Mail.objects.all().delete()
    planned(s["m"], s["coordinator"], "Staff exchange")
    assert sorted(Mail.objects.values_list("to", flat=True)) == [
        "coordinator@aville.example",
        "mentor@mentorburg.example",
    ]


def test_follow_ups_are_actions_of_the_plans_the_city_shares(cast: Cast, s: dict) -> None:
    m = s["m"]
    earlier = assessment_actions.do_start_assessment(cast.workspace, a_version(), "2025", by=cast.coordinator)
    for gap in earlier.factors.filter(answers__isnull=False).distinct().order_by("pk")[:2]:
        rate(gap, 0, by=cast.coordinator)
    plan = do_start_plan(assessment_actions.do_submit(earlier, by=cast.coordinator), by=cast.coordinator)
    action = plan.actions.order_by("position").first()
    assert action is not None
    with pytest.raises(actions.MentoringError, match="not shared"):
        planned(m, cast.coordinator, follow_ups=[action])
    actions.do_set_consent(
        m,
        by=cast.coordinator,
        assessments=[s["draft"], earlier],
        plans=[plan],
        evidence_files=False,
        partner_ratings=False,
    )
    activity = planned(m, cast.coordinator, follow_ups=[action])
    assert list(activity.follow_ups.all()) == [action]
    assert action.title in client_for(s["mentor"]).get(f"/mentoring/activities/{activity.public_id}/").content.decode()


def test_a_deleted_activity_disappears(cast: Cast, s: dict) -> None:
    activity = planned(s["m"], cast.coordinator)
    assert client_for(cast.viewer).post(f"/mentoring/activities/{activity.public_id}/delete/").status_code == 404
    assert client_for(s["mentor"]).post(f"/mentoring/activities/{activity.public_id}/delete/").status_code == 302
    activity.refresh_from_db()
    assert activity.deleted_at is not None
    assert client_for(cast.coordinator).get(f"/mentoring/activities/{activity.public_id}/").status_code == 404
    assert (
        activity.title
        not in client_for(cast.coordinator).get(f"/mentoring/{s['m'].public_id}/activities/").content.decode()
    )


# ---- The iCalendar feed ----


def unfolded(body: bytes) -> list[str]:
    """The content lines of an iCalendar body, checking CRLF ends and folding at 75 octets on the way."""
    assert body.endswith(b"\r\n")
    physical = body[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in physical)
    assert all(len(line) <= 75 for line in physical), max(len(line) for line in physical)
    lines: list[str] = []
    for line in physical:
        if line.startswith(b" "):
            lines[-1] += line[1:].decode()
        else:
            lines.append(line.decode())
    return lines


def unescape(value: str) -> str:
    out, chars = "", iter(value)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars)
            out += "\n" if nxt in "nN" else nxt
        else:
            out += ch
    return out


def events_of(lines: list[str]) -> list[dict[str, str]]:
    events: list[dict[str, str]] = []
    for line in lines:
        if line == "BEGIN:VEVENT":
            events.append({})
        elif events and line != "END:VEVENT" and ":" in line and line != "END:VCALENDAR":
            name, value = line.split(":", 1)
            events[-1].setdefault(name, value)
    return events


def test_the_feed_is_rfc_5545_with_only_planned_activities_of_mentorships_the_user_sees(cast: Cast, s: dict) -> None:
    m = s["m"]
    tricky = "Workshop: budgets, rules; C:\\share\nsecond line " + " ".join(["ünïcödé ✓"] * 12)
    planned(m, cast.coordinator, tricky, place="Praça do Comércio, Lisbon; room 2")
    planned(m, cast.coordinator, "Already held", status=Activity.Status.HELD)
    gone = planned(m, cast.coordinator, "Deleted meanwhile")
    activities.do_delete_activity(gone, by=cast.coordinator)
    # Bville's own mentorship (Mentorburg mentors it too): not Aville's to see.
    other = actions.do_request(
        cast.other_workspace, s["workspace"], m.benchmark, by=cast.other, message="", share=[], site_url=SITE
    )
    actions.do_accept(other, by=s["coordinator"], mentors=[s["coordinator"]], site_url=SITE)
    other.refresh_from_db()
    planned(other, cast.other, "Bville's visit")

    text = activities.ical(cast.viewer, site_url=SITE).encode()
    lines = unfolded(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events = events_of(lines)
    assert [unescape(e["SUMMARY"]) for e in events] == [tricky]
    event = events[0]
    assert event["SUMMARY"].startswith("Workshop: budgets\\, rules\\; C:\\\\share\\nsecond line")
    assert unescape(event["LOCATION"]) == "Praça do Comércio, Lisbon; room 2"
    assert event["DTSTART"] == "20270114T100000Z" and event["DTEND"] == "20270114T120000Z"
    assert event["DTSTAMP"].endswith("Z") and event["UID"].endswith("@mentoring.integrating-cities-benchmark")
    assert "Europe/Lisbon" in unescape(event["DESCRIPTION"])
    assert any(len(line) == 75 for line in text.split(b"\r\n"))  # the long summary was folded

    # Mentorburg's coordinator sees both mentorships; its member who is not named, none.
    assert {unescape(e["SUMMARY"]) for e in events_of(unfolded(activities.ical(s["coordinator"]).encode()))} == {
        tricky,
        "Bville's visit",
    }
    assert events_of(unfolded(activities.ical(s["bystander"]).encode())) == []
    # An ended mentorship leaves the feed.
    actions.do_end(other, by=cast.other, outcome=Mentorship.Outcome.COMPLETED, reason="", site_url=SITE)
    assert [unescape(e["SUMMARY"]) for e in events_of(unfolded(activities.ical(s["coordinator"]).encode()))] == [tricky]


def test_the_feed_address_is_secret_stored_as_a_hash_replaced_and_revoked(cast: Cast, s: dict) -> None:
    planned(s["m"], cast.coordinator)
    client = client_for(s["mentor"])
    assert client.get("/mentoring/calendar/").status_code == 200
    page = client.post("/mentoring/calendar/new/").content.decode()
    token = next(part.split(".ics")[0] for part in page.split("/mentoring/calendar/") if ".ics" in part[:60])
    feed = CalendarFeed.objects.get(user=s["mentor"])
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(CalendarFeed.objects.values()))
    # Shown once: the page, loaded again, does not show it.
    assert token not in client.get("/mentoring/calendar/").content.decode()

    anonymous = client_for(None)
    response = anonymous.get(f"/mentoring/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"SUMMARY:Visit of the welcome desk" in response.content

    newer = activities.new_feed_token(s["mentor"])
    assert anonymous.get(f"/mentoring/calendar/{token}.ics").status_code == 404
    assert anonymous.get(f"/mentoring/calendar/{newer}.ics").status_code == 200
    assert CalendarFeed.objects.filter(user=s["mentor"]).count() == 1
    assert client.post("/mentoring/calendar/revoke/").status_code == 302
    assert anonymous.get(f"/mentoring/calendar/{newer}.ics").status_code == 404
    assert anonymous.get("/mentoring/calendar/not-a-token.ics").status_code == 404
    assert not CalendarFeed.objects.filter(user=s["mentor"]).exists()


# ---- Query budgets ----


def budgets(s: dict) -> dict[str, int]:
    counts = {}
    for url in (
        f"/mentoring/{s['m'].public_id}/activities/",
        f"/mentoring/{s['m'].public_id}/activities/calendar/?month=2027-01",
    ):
        client = client_for(s["mentor"])
        client.get(url)  # the session's first request
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    return counts


def test_query_budgets_of_the_list_and_the_calendar_are_the_same_for_1_and_8_activities(cast: Cast, s: dict) -> None:
    def add(n: int) -> None:
        start = datetime(2027, 1, 1 + n, 10, tzinfo=UTC)
        planned(s["m"], cast.coordinator, f"Session {n}", starts_at=start, ends_at=start.replace(hour=11))

    add(0)
    one = budgets(s)
    for n in range(1, 8):
        add(n)
    eight = budgets(s)
    assert one == eight
    assert all(count <= 25 for count in one.values()), one


def _checked(name: str) -> Any:
    from lib.uploads import check_upload

    return check_upload(upload(name, PDF), name, len(PDF))
