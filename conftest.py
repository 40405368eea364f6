"""Shared fixtures: the test database holds the real benchmark library, loaded once per session."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from practices.library import load_library


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """On SQLite, a session with transactional tests gets its test database in a file, like a real server's.

    Otherwise it lives in memory, shared between threads through SQLite's shared cache, which locks whole
    tables and fails at once ("database table is locked") where a file database waits for the writer
    before it (the `timeout` of config/settings.py): a race between threads could not be run there."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and any(
        item.get_closest_marker("transactional") for item in request.session.items
    ):
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        load_library(settings.LIBRARY_DATA_DIR)
    yield


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST="127.0.0.1")


@pytest.fixture(autouse=True)
def fast_hashing(settings: pytest.FixtureRequest) -> None:
    """Slow hashes protect stored secrets, not test data: every test hashes quickly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    settings.RECOVERY_CODE_ITERATIONS = 1_000  # type: ignore[attr-defined]


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks(settings: pytest.FixtureRequest) -> None:
    """Tasks (mail) run in place, as soon as they are queued after the commit, so a test reads its mail at
    once; the tests of the queue itself (outbox/tests) switch back to the database backend and its worker."""
    settings.TASKS = IMMEDIATE_TASKS  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A transactional test must say so with the `transactional` marker (see the Makefile's pytest target)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not item.get_closest_marker("transactional"):
            raise pytest.UsageError(f"{item.nodeid} uses a transactional database without @pytest.mark.transactional")
