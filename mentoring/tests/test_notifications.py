"""Every mentoring notice goes to the person's page of notifications and, unless they chose otherwise, by
e-mail; every mentoring e-mail ends with the address of that page, where the choice is made."""

import pytest

from assessments import actions as assessment_actions
from mentoring import actions
from mentoring.models import MailChoice, Notification
from mentoring.notify import KINDS
from outbox.models import Mail
from tests.support.assessments import a_version
from tests.support.cast import SITE, Cast, client_for
from tests.support.mentoring import mentor_city

pytestmark = pytest.mark.django_db


def request_from_aville(cast: Cast):
    draft = assessment_actions.do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)
    workspace, coordinator = mentor_city("Mentorburg", admin=cast.admin, benchmarks=[draft.benchmark_version.benchmark])
    mentorship = actions.do_request(
        cast.workspace, workspace, draft.benchmark_version.benchmark, by=cast.coordinator, message="", site_url=SITE
    )
    return mentorship, coordinator


def test_a_notice_is_mailed_with_the_page_s_address_and_listed_there(cast: Cast) -> None:
    Mail.objects.all().delete()
    _mentorship, coordinator = request_from_aville(cast)
    mail = Mail.objects.get(kind="mentoring/email/requested")
    assert mail.to == coordinator.email
    assert mail.body.rstrip().splitlines()[-1] == "http://testserver/mentoring/notifications/"
    notice = Notification.objects.get(user=coordinator)
    assert notice.kind == "requested" and notice.mailed and notice.subject == mail.subject
    page = client_for(coordinator).get("/mentoring/notifications/").text
    assert mail.subject in page and f'href="{notice.link}"' in page and "1 unread notification." in page
    # Nobody else's notices show on one's page.
    assert mail.subject not in client_for(cast.coordinator).get("/mentoring/notifications/").text


def test_a_person_who_stops_a_kind_gets_no_mail_but_still_the_notice(cast: Cast) -> None:
    Mail.objects.all().delete()
    draft = assessment_actions.do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)
    workspace, coordinator = mentor_city("Mentorburg", admin=cast.admin, benchmarks=[draft.benchmark_version.benchmark])
    client = client_for(coordinator)
    kept = [kind for kind in KINDS if kind != "requested"]
    assert client.post("/mentoring/notifications/mail/", {"kinds": kept}).status_code == 302
    assert list(MailChoice.objects.filter(user=coordinator).values_list("kind", flat=True)) == ["requested"]
    actions.do_request(
        cast.workspace, workspace, draft.benchmark_version.benchmark, by=cast.coordinator, message="", site_url=SITE
    )
    assert not Mail.objects.filter(to=coordinator.email, kind__startswith="mentoring/").exists()
    notice = Notification.objects.get(user=coordinator)
    assert not notice.mailed
    page = client.get("/mentoring/notifications/").text
    assert "not sent by e-mail (your choice)" in page
    assert 'value="requested"' in page and 'value="requested" checked' not in page.replace('" id="id_kinds_0"', '"')
    # Ticking it again brings the mail back.
    client.post("/mentoring/notifications/mail/", {"kinds": list(KINDS)})
    assert not MailChoice.objects.filter(user=coordinator).exists()


def test_mark_all_as_read(cast: Cast) -> None:
    _mentorship, coordinator = request_from_aville(cast)
    client = client_for(coordinator)
    assert client.post("/mentoring/notifications/read/").status_code == 302
    assert not Notification.objects.filter(user=coordinator, read_at__isnull=True).exists()
    assert "0 unread notifications." in client.get("/mentoring/notifications/").text


def test_the_notifications_page_needs_a_sign_in() -> None:
    response = client_for(None).get("/mentoring/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
