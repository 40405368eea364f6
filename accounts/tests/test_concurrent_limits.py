"""The login lockout and the mail limits count requests sent at the same moment exactly (docs/quality.md S8):
ten wrong passwords at once get five checked and counted and the others refused as locked without a
check; ten verification resends at once send five. Real threads and commits, on PostgreSQL and SQLite."""

import json
import logging
import threading
from collections.abc import Callable

import pytest
from django.db import connections
from django.test import Client

from accounts.models import Attempt, User
from tests.support.accounts import log_in

pytestmark = [pytest.mark.transactional, pytest.mark.django_db(transaction=True)]

AT_ONCE = 10


def at_once(send: Callable[[Client], int]) -> list[int]:
    """The status codes of AT_ONCE requests, each from its own client and thread, released together."""
    barrier = threading.Barrier(AT_ONCE)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            client = Client(HTTP_HOST="127.0.0.1")
            barrier.wait(timeout=10)
            statuses.append(send(client))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return sorted(statuses)


# One test for both races: each transactional test ends by emptying the database, and filling it again
# (the library and the cast) costs more than the races themselves.
def test_requests_sent_at_once_are_counted_exactly(amira: User, caplog) -> None:
    ten_wrong_passwords_at_once_are_five_failures_and_five_refusals(caplog)
    ten_resends_at_once_send_five()


def ten_wrong_passwords_at_once_are_five_failures_and_five_refusals(caplog) -> None:
    caplog.set_level(logging.INFO, logger="icb.security")
    statuses = at_once(lambda client: log_in(client, "amira@example.org", "not the password").status_code)
    assert Attempt.objects.filter(kind="login-failure").count() == 5
    assert Attempt.objects.filter(kind="lockout").count() == 1
    # Four wrong passwords answered as such; the fifth starts the lockout; five more are refused as locked.
    assert statuses == [400] * 4 + [429] * 6
    events = [json.loads(r.getMessage())["event"] for r in caplog.records if r.name == "icb.security"]
    assert events.count("login.failure") == 5
    assert events.count("login.lockout") == 1
    # The lockout holds for the right password too.
    assert log_in(Client(HTTP_HOST="127.0.0.1"), "amira@example.org").status_code == 429


def ten_resends_at_once_send_five() -> None:
    statuses = at_once(lambda client: client.post("/accounts/verify/resend/", {"email": "lea@example.org"}).status_code)
    assert statuses == [200] * 5 + [429] * 5
    assert Attempt.objects.filter(kind="resend").count() == 5
