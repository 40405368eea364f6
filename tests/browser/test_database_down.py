"""The database goes away and comes back while the app runs (docs/quality.md R3, R5).

The app is served by gunicorn (two workers, as in the other browser tests) from databases these tests own,
whatever DATABASE_URL says:

- a PostgreSQL cluster started on a free port of its own with the server binaries (initdb, pg_ctl; run as
  the `postgres` user when the tests run as root, since initdb refuses root), stopped and started again
  while the same server runs, then removed;
- a TCP port that accepts connections and never answers (a hung database): lib.postgres's probe gives up
  after PROBE_SECONDS, and the request answers 503 within a second.

A SQLite file that cannot be opened answers the same 503 (lib/tests/test_errors.py). These tests run once,
not once per database: `-m database_restart` selects them, `-m "not database_restart"` leaves them out of
a second pass.
"""

import contextlib
import glob
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    AUTOSAVE_SETUP,
    ROOT,
    axe_violations,
    free_port,
    running_server,
    signed_in_page,
    stored_comment,
)

pytestmark = pytest.mark.database_restart

SAVED = re.compile(r"^Saved \d{1,2}:\d{2}")
UNAVAILABLE_JSON = {
    "reason": "unavailable",
    "message": "The service is unavailable for a moment. Please try again shortly.",
}


# The database as `make run` builds it (migrate, load_library, load_demo), in the process that then runs
# test_autosave.py's AUTOSAVE_SETUP (one start of Django instead of four).
BUILD = """
import os
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_library", stdout=open(os.devnull, "w"))
call_command("load_demo", stdout=open(os.devnull, "w"))
"""


def postgres_binaries() -> Path | None:
    """The newest folder holding PostgreSQL's initdb and pg_ctl (Debian keeps them off the PATH)."""
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda f: int(re.sub(r"\D", "", f) or 0))
    on_path = shutil.which("pg_ctl")
    for folder in [*(Path(f) for f in reversed(folders)), *([Path(on_path).parent] if on_path else [])]:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


@dataclass
class Cluster:
    """A PostgreSQL cluster of the tests' own, listening on 127.0.0.1 only, trusting local connections."""

    binaries: Path
    folder: Path
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/icb"

    def run(self, *command: str) -> None:
        as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*as_owner, *command], capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            log = self.folder / "postgres.log"
            raise RuntimeError(f"{command[0]} failed: {done.stderr}\n{log.read_text() if log.exists() else ''}")

    def start(self) -> None:
        # fsync off: the data are thrown away afterwards, and a clean stop writes them out anyway.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self.run(str(self.binaries / "pg_ctl"), "start", "-w", "-t", "30", "-D", str(self.folder / "data"),
                 "-l", str(self.folder / "postgres.log"), "-o", options)  # fmt: skip

    def stop(self) -> None:
        self.run(str(self.binaries / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.folder / "data"))


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    binaries = postgres_binaries()
    if binaries is None:
        pytest.skip("needs PostgreSQL's server programs (initdb, pg_ctl) to start a cluster of its own")
    if os.geteuid() == 0 and (shutil.which("runuser") is None or not _has_user("postgres")):
        pytest.skip("runs as root: needs runuser and a postgres user to start a cluster (initdb refuses root)")
    folder = Path(tempfile.mkdtemp(prefix="icb-database-down-"))  # not under pytest's root-only tmp folder
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(binaries, folder)
    try:
        cluster.run(str(binaries / "initdb"), "-D", str(folder / "data"), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        cluster.start()
        with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres") as admin:
            admin.autocommit = True
            admin.execute("CREATE DATABASE icb")
        yield cluster
    finally:
        with contextlib.suppress(RuntimeError):
            cluster.run(str(binaries / "pg_ctl"), "stop", "-m", "immediate", "-D", str(folder / "data"))
        shutil.rmtree(folder, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return done.stdout


def server_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "DJANGO_ENV": "test", "DEBUG": "false"}


@pytest.fixture(scope="module")
def demo_server(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict, dict, Path]]:
    """The demo workspace (`load_demo`) served from the cluster: URL, people (session cookies, the assessment
    and a factor, as in test_autosave.py), the server's environment and its folder (server.log)."""
    tmp = tmp_path_factory.mktemp("database-down-server")
    env = server_env(cluster.url)
    people = json.loads(manage(env, "shell", "-c", BUILD + AUTOSAVE_SETUP).strip().splitlines()[-1])
    with running_server(tmp, env) as url:
        yield url, people, env, tmp


@dataclass
class Answer:
    status: int
    headers: Message
    body: str
    seconds: float

    def json(self) -> object:
        return json.loads(self.body)


def fetch(url: str, *, cookies: dict[str, str], data: dict | None = None, json_answer: bool = False) -> Answer:
    """One request as a browser (a page) or our scripts (`json_answer`) make it; cookies set are kept."""
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if json_answer:
        headers["Accept"] = "application/json"
    if data is not None:
        headers["X-CSRFToken"] = cookies.get("csrftoken", "")
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    method = "POST" if data is not None else "GET"
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - loopback http
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the request above
            status, answer_headers, text = response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        status, answer_headers, text = error.code, error.headers, error.read().decode()
    seconds = time.monotonic() - started
    for header in answer_headers.get_all("Set-Cookie") or []:
        cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
    return Answer(status, answer_headers, text, seconds)


def assert_unavailable_page(answer: Answer, *, within: float) -> None:
    assert answer.status == 503, answer.body[:300]
    assert answer.headers["Retry-After"] == "5"
    assert answer.headers["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in answer.body
    assert "<h1>The service is temporarily unavailable</h1>" in answer.body
    assert answer.seconds < within, f"answered after {answer.seconds:.2f} s"


def assert_unavailable_json(answer: Answer, *, within: float) -> None:
    assert answer.status == 503, answer.body[:300]
    assert answer.headers["Retry-After"] == "5"
    assert answer.json() == UNAVAILABLE_JSON
    assert answer.seconds < within, f"answered after {answer.seconds:.2f} s"


def autosave_form(people: dict, lock_version: int, comment: str) -> dict:
    return {
        "lock_version": lock_version,
        "rating": "",
        "justification": "",
        f"q{people['question']}-comment": comment,
        "save_id": str(uuid.uuid4()),
    }


def test_a_stopped_database_answers_503_at_once_and_the_same_server_recovers_when_it_returns(
    demo_server: tuple[str, dict, dict, Path], cluster: Cluster
) -> None:
    url, people, env, tmp = demo_server
    cookies = {people["cookie"]: people["contributor"]}
    factor_page = f"{url}/assessments/{people['assessment']}/factors/{people['factor']}/"
    autosave = factor_page + "autosave/"
    keep_alive = f"{url}/accounts/session/keep-alive/"

    assert fetch(f"{url}/", cookies={}).status == 200
    assert fetch(factor_page, cookies=cookies).status == 200
    probe = fetch(autosave, cookies=cookies, json_answer=True)
    assert probe.status == 200
    version = probe.json()["lock_version"]  # type: ignore[index]
    assert (
        fetch(autosave, cookies=cookies, data=autosave_form(people, version, "Before."), json_answer=True).status == 200
    )

    cluster.stop()
    try:
        # Several requests each, so that both workers meet the stopped database.
        for _ in range(3):
            assert_unavailable_page(fetch(f"{url}/", cookies={}), within=1)
            assert_unavailable_page(fetch(factor_page, cookies=cookies), within=1)
            typed = autosave_form(people, version + 1, "While the database is down.")
            assert_unavailable_json(fetch(autosave, cookies=cookies, data=typed, json_answer=True), within=1)
            assert_unavailable_json(fetch(keep_alive, cookies=cookies, data={}, json_answer=True), within=1)
    finally:
        cluster.start()
    back = time.monotonic()
    first = fetch(f"{url}/", cookies={})
    assert first.status == 200
    assert time.monotonic() - back < 1
    for _ in range(3):
        assert fetch(f"{url}/", cookies={}).status == 200
        assert fetch(factor_page, cookies=cookies).status == 200  # still signed in: the session was kept
        assert fetch(keep_alive, cookies=cookies, data={}, json_answer=True).status == 200
    saved = fetch(autosave, cookies=cookies, data=autosave_form(people, version + 1, "After."), json_answer=True)
    assert saved.status == 200, saved.body
    assert stored_comment(env, people) == "After."

    log = (tmp / "server.log").read_text()
    warnings = re.findall(r"WARNING icb\.errors database unavailable error_id=[0-9a-f]{12} ", log)
    assert len(warnings) == 12  # one line for each request while the database was down
    assert "Traceback" not in log
    assert "Service Unavailable" not in log  # Django's own log line, with its traceback, is not written


def test_a_database_that_never_answers_gives_503_within_a_second(tmp_path: Path) -> None:
    with socket.socket() as hung:
        # The kernel completes the connections in the backlog; nobody ever reads or answers them.
        hung.bind(("127.0.0.1", 0))
        hung.listen(16)
        port = hung.getsockname()[1]
        env = server_env(f"postgres://postgres@127.0.0.1:{port}/icb")
        with running_server(tmp_path, env) as url:
            # A missing page needs no database: the workers load the views before the clock matters.
            for _ in range(4):
                assert fetch(f"{url}/no-such-page/", cookies={}).status == 404
            within = 1
            assert_unavailable_page(fetch(f"{url}/", cookies={}), within=within)
            signed_in = {"sessionid": "a" * 32}  # the server cannot tell without the database
            keep_alive = f"{url}/accounts/session/keep-alive/"
            assert_unavailable_json(fetch(keep_alive, cookies=signed_in, data={}, json_answer=True), within=within)


@pytest.mark.browser
def test_autosave_says_not_saved_retrying_while_the_database_is_down_then_saves(
    browser, demo_server: tuple[str, dict, dict, Path], cluster: Cluster
) -> None:
    url, people, env, _tmp = demo_server
    factor_page = f"/assessments/{people['assessment']}/factors/{people['factor']}/"
    comment = f"#id_q{people['question']}-comment"
    context, page = signed_in_page(browser, (url, people), "contributor")
    status = page.locator("[data-autosave-status]")
    try:
        page.goto(factor_page)
        page.locator(comment).fill("Typed with the database up.")
        expect(status).to_have_text(SAVED, timeout=10_000)

        cluster.stop()
        try:
            page.locator(comment).fill("Typed while the database is down.")
            expect(status).to_have_text(re.compile(r"^Not saved, retrying"), timeout=10_000)
            assert axe_violations(page) == []

            # "Stay signed in" (its form, as the warning shows it) keeps the page and says what is wrong; a
            # reload would replace the page, and the typed text on it, by the error page.
            page.evaluate("window.stillThisPage = true")
            page.evaluate("document.querySelector('[data-session-keepalive]').requestSubmit()")
            expect(page.locator("[data-session-message]")).to_have_text(UNAVAILABLE_JSON["message"])
            assert page.evaluate("window.stillThisPage === true")

            other = context.new_page()
            answer = other.goto("/")
            assert answer is not None and answer.status == 503
            assert other.locator("h1").inner_text() == "The service is temporarily unavailable"
            assert axe_violations(other) == []
            other.close()
        finally:
            cluster.start()
        # The script tries again on its own (2 s, then 4 s, ...): the text typed meanwhile is saved.
        expect(status).to_have_text(SAVED, timeout=15_000)
        assert stored_comment(env, people) == "Typed while the database is down."
        # The browser reports each refused save as a failed resource; nothing else went wrong in the page.
        assert all("status of 503" in error for error in page.console_errors), page.console_errors
    finally:
        context.close()
