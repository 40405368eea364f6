"""GET and HEAD never write (docs/quality.md S5), on every URL pattern, anonymous and signed in as a coordinator.

Each request is watched twice: no INSERT, UPDATE or DELETE statement reaches an application table, and
the row count of every table stays the same. Two tables may change, for reasons of their own:
- the sessions table: a signed-in request notes the time of activity in the session (at most once a
  minute, see accounts/middleware.py), and the CSRF and message machinery keep state there;
- the rate-limit table (accounts.Attempt): it counts requests, including safe ones, and prunes old rows.
The security log is a logger, not a table, so it needs no exception.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Attempt
from tests.support.cast import Cast, client_for
from tests.url_cases import all_urls, make_world, stub_pdf_rendering

pytestmark = pytest.mark.django_db

MAY_CHANGE = {Session._meta.db_table, Attempt._meta.db_table}
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    stub_pdf_rendering(monkeypatch)


def row_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table not in MAY_CHANGE and model._meta.managed
    }


def writes_of(queries: list[dict[str, str]]) -> list[str]:
    found = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and match.group(2) not in MAY_CHANGE:
            found.append(query["sql"][:160])
    return found


def test_get_and_head_never_write_anonymous_or_signed_in(cast: Cast) -> None:
    world = make_world(cast)
    paths, unbuilt = all_urls(world)
    assert unbuilt == []
    assert len(paths) > 40, "the enumeration found suspiciously few URL patterns"
    problems = []
    for who, client in (("anonymous", client_for(None)), ("coordinator", client_for(cast.coordinator))):
        # Statements are watched per request; row counts (slower) over all the requests of one visitor.
        before = row_counts()
        for name, path in sorted(paths.items()):
            for method in ("get", "head"):
                with CaptureQueriesContext(connection) as queries:
                    response = getattr(client, method)(path)
                label = f"{method.upper()} {name} {path} as {who} ({response.status_code})"
                problems += [f"{label} wrote: {sql}" for sql in writes_of(queries.captured_queries)]
        after = row_counts()
        changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
        if changed:
            problems.append(f"GET and HEAD of every URL as {who} changed row counts: {changed}")
    assert problems == []


def test_the_write_detector_sees_writes(cast: Cast) -> None:
    """The check above can fail: a write of an application table is reported, one of the sessions table not."""
    with CaptureQueriesContext(connection) as queries:
        cast.workspace.save()
        Session.objects.all().delete()
    assert [sql.split()[0] for sql in writes_of(queries.captured_queries)] == ["UPDATE"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "http:evil.example"])
def test_next_to_another_host_is_ignored_after_logout(cast: Cast, target: str) -> None:
    """Logout never follows `next` at all; neither to another host (login is tested in accounts/tests)."""
    client = client_for(cast.contributor)
    response = client.post(f"/accounts/logout/?next={target}", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "http:evil.example"])
def test_next_to_another_host_is_ignored_by_the_login_page_and_keep_alive(cast: Cast, target: str) -> None:
    signed_in = client_for(cast.contributor)
    # The login page of someone already signed in redirects: to `next` only when it stays on this host.
    assert signed_in.get("/accounts/login/", {"next": target})["Location"] == "/workspaces/"
    assert signed_in.post("/accounts/session/keep-alive/", {"next": target})["Location"] == "/accounts/"
    assert signed_in.get("/accounts/login/", {"next": "/practices/"})["Location"] == "/practices/"
