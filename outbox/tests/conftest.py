"""The queue's own tests: tasks go to the database and the real `db_worker` runs them."""

import signal
import socket
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_queue(settings: object) -> None:
    settings.TASKS = DATABASE_TASKS  # type: ignore[attr-defined]


@pytest.fixture
def run_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """`manage.py db_worker --batch`: works through every task that is due, then returns."""
    from django.db import connection
    from django_tasks_db.management.commands import db_worker

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    real_close_old_connections = db_worker.close_old_connections

    def close_old_connections() -> None:
        # Inside a test's own transaction (not a transactional test) the worker must not close the
        # connection that holds it, as its between-tasks hygiene would (PostgreSQL would lose the test).
        if not connection.in_atomic_block:
            real_close_old_connections()

    monkeypatch.setattr(db_worker, "close_old_connections", close_old_connections)

    def run() -> None:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)

    yield run
    for sig, handler in handlers.items():  # the worker installs its own; pytest's Ctrl-C must keep working
        signal.signal(sig, handler)


class Clock:
    """Time that a test moves on: every `timezone.now()` (ours, the queue's and the worker's) reads it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = timedelta()
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real_now() + self.offset)

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def now(self) -> datetime:
        return timezone.now()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_at(settings: object) -> Callable[[int], None]:
    """Mail goes out by SMTP to 127.0.0.1 at the given port (the tests' mail outbox is set aside)."""

    def point(port: int) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
        settings.EMAIL_HOST = "127.0.0.1"  # type: ignore[attr-defined]
        settings.EMAIL_PORT = port  # type: ignore[attr-defined]
        settings.EMAIL_USE_TLS = False  # type: ignore[attr-defined]

    return point
