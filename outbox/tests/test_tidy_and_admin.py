"""Old mails and old task results are pruned; network admins see the mail log, read-only, without bodies."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from outbox.actions import queue_mail
from outbox.models import Mail
from outbox.tasks import deliver
from tests.support.cast import Cast, client_for, signed_in_admin


@pytest.mark.django_db
def test_tidy_mail_removes_old_sent_mails_and_old_task_results_and_keeps_the_rest(
    database_queue, run_worker, clock, settings
) -> None:
    clock.advance(-timedelta(days=20))
    old_sent = queue_mail("old@example.org", subject="Old", body="b", kind="test")
    run_worker()
    # As the last of its retries leaves it (test_delivery.py follows the retries themselves).
    old_failed = Mail.objects.create(
        to="failed@example.org",
        subject="Failed",
        kind="test",
        status=Mail.Status.FAILED,
        attempts=5,
        last_attempt_at=clock.now(),
    )
    clock.advance(timedelta(days=20))
    new_sent = queue_mail("new@example.org", subject="New", body="b", kind="test")
    run_worker()
    waiting = queue_mail("waiting@example.org", subject="Waiting", body="b", kind="test")
    assert DBTaskResult.objects.count() == 3  # old_sent, new_sent, waiting

    call_command("tidy_mail", verbosity=0)

    assert set(Mail.objects.values_list("pk", flat=True)) == {old_failed.pk, new_sent.pk, waiting.pk}
    assert old_sent.pk not in Mail.objects.values_list("pk", flat=True)
    # Task results: the old one is gone; the recent one and the one still waiting stay.
    assert sorted(r.args_kwargs["args"][0] for r in DBTaskResult.objects.all()) == [new_sent.pk, waiting.pk]

    call_command("tidy_mail", failed_days=10, verbosity=0)
    assert not Mail.objects.filter(pk=old_failed.pk).exists()


def test_network_admins_see_failed_mails_in_the_admin_without_their_bodies(cast: Cast, settings) -> None:
    failed = queue_mail("amira@example.org", subject="Confirm your e-mail address", body="SECRET-LINK", kind="t")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on the discard port
    deliver.call(failed.pk)  # the test backend cannot wait: the first failure is final
    failed.refresh_from_db()
    assert failed.status == Mail.Status.FAILED

    client = signed_in_admin(cast.admin)
    listing = client.get("/admin/outbox/mail/?status__exact=failed")
    assert listing.status_code == 200
    assert "Confirm your e-mail address" in listing.text
    assert "amira@example.org" in listing.text
    detail = client.get(f"/admin/outbox/mail/{failed.pk}/change/")
    assert detail.status_code == 200
    assert "ConnectionRefusedError" in detail.text
    assert "SECRET-LINK" not in detail.text
    assert client.post("/admin/outbox/mail/add/").status_code == 403
    assert client.post(f"/admin/outbox/mail/{failed.pk}/delete/").status_code == 403


def test_members_who_are_not_staff_do_not_reach_the_mail_log(cast: Cast) -> None:
    response = client_for(cast.viewer).get("/admin/outbox/mail/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_tidy_mail_queues_again_a_mail_whose_worker_was_killed_mid_attempt(
    database_queue, run_worker, clock, settings
) -> None:
    from django.core import mail as sent_mail

    lost = queue_mail("amira@example.org", subject="Hello", body="Hi", kind="test")
    waiting = queue_mail("later@example.org", subject="Later", body="Hi", kind="test")
    # A worker claimed the first task and was then killed (SIGKILL): the task stays "running" for ever.
    DBTaskResult.objects.get(id=lost.task_id).claim("killed-worker")

    clock.advance(timedelta(minutes=5))
    call_command("tidy_mail", verbosity=0)
    assert DBTaskResult.objects.ready().count() == 1  # too early to call it lost: nothing is queued again

    clock.advance(timedelta(minutes=15))
    call_command("tidy_mail", verbosity=0)
    run_worker()

    assert sorted(m.to[0] for m in sent_mail.outbox) == ["amira@example.org", "later@example.org"]
    assert Mail.objects.get(pk=lost.pk).status == Mail.Status.SENT
    assert Mail.objects.get(pk=waiting.pk).status == Mail.Status.SENT
    assert not DBTaskResult.objects.running().exists()
