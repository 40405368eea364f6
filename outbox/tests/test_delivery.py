"""Mail never breaks a request: it is stored with the change, sent by the queue's worker, retried with
back-off while the mail server fails, and finally recorded as failed and logged (issue 9, part 2)."""

import json
import logging
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import get_connection
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from outbox.models import Mail
from outbox.tasks import RETRY_DELAYS, deliver

SIGNUP = {"name": "Amira Haddad", "email": "amira@example.org", "password": "a-test-password-long-enough"}


def sign_up(client) -> None:
    response = client.post("/accounts/signup/", SIGNUP, follow=True)
    assert response.status_code == 200
    assert "Check your e-mail" in response.text


@pytest.mark.django_db
def test_signup_with_the_mail_server_refusing_succeeds_and_the_mail_fails_after_retries_with_back_off(
    client, database_queue, run_worker, clock, closed_port, smtp_at, caplog
) -> None:
    caplog.set_level(logging.INFO)
    smtp_at(closed_port)

    sign_up(client)

    assert User.objects.filter(email="amira@example.org").exists()
    queued = Mail.objects.get()
    assert (queued.status, queued.to, queued.kind) == (Mail.Status.QUEUED, "amira@example.org", "accounts/email/verify")
    assert "/accounts/verify/" in queued.body

    waits = []
    for _attempt in range(len(RETRY_DELAYS)):
        run_worker()
        queued.refresh_from_db()
        assert queued.status == Mail.Status.QUEUED
        assert queued.next_attempt_at is not None and queued.last_attempt_at is not None
        waits.append(queued.next_attempt_at - queued.last_attempt_at)
        assert "ConnectionRefusedError" in queued.last_error
        # Not due yet: a worker passing by now leaves it waiting.
        run_worker()
        assert Mail.objects.get().attempts == queued.attempts
        clock.advance(queued.next_attempt_at - clock.now() + timedelta(seconds=1))
    run_worker()

    failed = Mail.objects.get()
    assert waits == list(RETRY_DELAYS)
    assert waits == sorted(waits) and waits[0] < waits[-1]
    assert (failed.status, failed.attempts) == (Mail.Status.FAILED, len(RETRY_DELAYS) + 1)
    assert failed.next_attempt_at is None
    assert failed.body == ""  # its one-time link is not kept
    assert not DBTaskResult.objects.ready().exists()
    assert mail.outbox == []

    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "icb.mail"]
    assert [r["event"] for r in records] == ["mail.retry"] * len(RETRY_DELAYS) + ["mail.failed"]
    assert records[-1]["error"] == "ConnectionRefusedError"
    assert records[-1]["mail"] == str(failed.public_id)
    assert [r.levelno for r in caplog.records if r.name == "icb.mail"][-1] == logging.ERROR
    assert "amira@example.org" not in caplog.text  # the address stays out of every log line


@pytest.mark.django_db
def test_a_mail_server_back_before_the_last_attempt_gets_the_mail(
    client, database_queue, run_worker, clock, closed_port, smtp_at, settings
) -> None:
    smtp_at(closed_port)
    sign_up(client)
    run_worker()
    assert Mail.objects.get().attempts == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    clock.advance(RETRY_DELAYS[0] + timedelta(seconds=1))
    run_worker()

    sent = Mail.objects.get()
    assert (sent.status, sent.attempts, sent.body) == (Mail.Status.SENT, 2, "")
    assert [m.to for m in mail.outbox] == [["amira@example.org"]]
    assert "/accounts/verify/" in mail.outbox[0].body


@pytest.mark.django_db
def test_nothing_is_sent_before_a_worker_runs_and_a_repeated_task_sends_once(
    client, database_queue, run_worker
) -> None:
    sign_up(client)
    assert mail.outbox == []
    assert DBTaskResult.objects.ready().count() == 1

    run_worker()
    deliver.enqueue(Mail.objects.get().pk)  # the same mail queued twice (e.g. by hand)
    run_worker()

    assert len(mail.outbox) == 1
    assert Mail.objects.get().status == Mail.Status.SENT


@pytest.mark.django_db
def test_a_mail_whose_change_rolls_back_is_neither_stored_nor_queued(database_queue) -> None:
    from django.db import transaction

    from outbox.actions import queue_mail

    with pytest.raises(RuntimeError), transaction.atomic():
        queue_mail("amira@example.org", subject="Hello", body="Hi", kind="test")
        raise RuntimeError("the change fails")

    assert not Mail.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.transactional
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_sends_a_mail_queued_by_a_committed_signup(client, database_queue, run_worker) -> None:
    sign_up(client)  # committed for real: the worker reads what another process would
    assert mail.outbox == []

    run_worker()

    assert [m.to for m in mail.outbox] == [["amira@example.org"]]
    assert "/accounts/verify/" in mail.outbox[0].body
    assert Mail.objects.get().status == Mail.Status.SENT
    assert [r.status for r in DBTaskResult.objects.all()] == ["SUCCESSFUL"]


def test_the_smtp_connection_gives_up_after_ten_seconds(settings) -> None:
    connection = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert connection.timeout == 10


@pytest.mark.django_db
def test_a_mail_server_that_never_answers_fails_the_attempt_within_the_timeout(
    database_queue, smtp_at, settings
) -> None:
    """A server that accepts the connection and then says nothing (no greeting) holds the worker only
    for EMAIL_TIMEOUT, then the attempt counts as failed and waits for its retry."""
    from outbox.actions import queue_mail

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True).start()
    smtp_at(silent.getsockname()[1])
    settings.EMAIL_TIMEOUT = 1
    try:
        queued = queue_mail("amira@example.org", subject="Hello", body="Hi", kind="test")
        started = time.monotonic()
        deliver.call(queued.pk)
        took = time.monotonic() - started
    finally:
        for sock in (*accepted, silent):
            sock.close()

    queued.refresh_from_db()
    assert took < 5
    assert accepted, "the mail server was never reached"
    assert (queued.status, queued.attempts) == (Mail.Status.QUEUED, 1)
    assert "timed out" in queued.last_error.lower() or "TimeoutError" in queued.last_error
