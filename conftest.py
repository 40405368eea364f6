"""Shared fixtures: the test database holds the real benchmark library and the named cast
(tests/support/cast.py), both made once per test database, where it is set up."""

from collections.abc import Generator, Iterator

import pytest
from django.conf import settings
from django.test import Client, override_settings

from assessments.models import Assessment
from practices.library import load_library
from tests.support.assessments import a_version
from tests.support.cast import Cast, build_cast, load_cast

FAST_HASHING = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "RECOVERY_CODE_ITERATIONS": 1_000,
}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# pytest-django's guard on database access, kept from the session's setup to restore what a
# transactional test empties (pytest_runtest_teardown below).
_blocker: list[object] = []


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


def fill_database() -> None:
    """The library as `make run` loads it, then the cast. The cast's mail (requests, approvals, invitations)
    is sent at once and its log emptied: no test starts with mail it did not cause."""
    from outbox.models import Mail

    load_library(settings.LIBRARY_DATA_DIR)
    with override_settings(TASKS=IMMEDIATE_TASKS, **FAST_HASHING):
        build_cast()
    Mail.objects.all().delete()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    _blocker.append(django_db_blocker)
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        fill_database()
    yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    """A transactional test empties every table when it ends (unless it was skipped): the tests after it get
    the library and the cast back, as every other test finds them."""
    outcome = yield
    if item.get_closest_marker("transactional") and nextitem is not None and _blocker:
        with _blocker[0].unblock():  # type: ignore[attr-defined]
            if load_cast() is None:
                fill_database()
    return outcome


@pytest.fixture
def cast(db: None) -> Cast:
    """The named cast, read afresh from the database: what a test changes in it is rolled back with the test."""
    found = load_cast()
    assert found is not None, "the cast is made where the test database is set up (django_db_setup)"
    return found


@pytest.fixture
def assessment(cast: Cast) -> Assessment:
    """A draft self-assessment of city A, started by its coordinator."""
    from assessments import actions

    return actions.do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator)


@pytest.fixture
def login_url() -> str:
    from django.urls import reverse

    return reverse("accounts:login")


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST="127.0.0.1")


@pytest.fixture(autouse=True)
def fast_hashing(settings: pytest.FixtureRequest) -> None:
    """Slow hashes protect stored secrets, not test data: every test hashes quickly."""
    for name, value in FAST_HASHING.items():
        setattr(settings, name, value)


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


def pytest_collection_finish(session: pytest.Session) -> None:
    """The test process tunes Python's collector as the served one does (config/wsgi.py, which importing
    applies): what is imported by now (Django, every app, the test modules) leaves the collector's scans, and
    the youngest generation is collected every 5,000 allocations rather than 700. The unit and HTTP tests run
    about 7% faster (51-56 s against 47 s on SQLite, this machine)."""
    import gc

    gc.collect()
    import config.wsgi  # noqa: F401 - imported for its effect
