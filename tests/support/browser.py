"""The browser tests' machinery: the real app served by gunicorn from its own database, headless
Chromium, axe-core, and the setup scripts run in the server's database.

The server gets a fresh database (SQLite file, or a PostgreSQL database when DATABASE_URL points at
PostgreSQL): a copy of a template built once per test process with the same commands as `make run`
(migrate, then load_library, and load_demo for the demo's template)."""

import atexit
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def tab_until(page, predicate_js: str, limit: int = 250) -> None:
    """Press Tab until the focused element satisfies the JS predicate `el => ...`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({predicate_js})(document.activeElement)"):
            return
    raise AssertionError(f"keyboard focus never reached an element matching {predicate_js}")


VIEWPORT = {"width": 1280, "height": 900}


def new_page(browser: object, base_url: str) -> tuple[object, object]:
    """A fresh browser context and its page, which collects console errors in `page.console_errors`."""
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT)  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    return context, page


def signed_in_page(browser, workspace_server, who: str):
    url, people = workspace_server
    context, page = new_page(browser, url)
    context.add_cookies([{"name": people["cookie"], "value": people[who], "url": url}])  # type: ignore[attr-defined]
    return context, page


ROOT = Path(__file__).resolve().parents[2]


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The start of the setup script of the modules served from the demo workspace (`prepare_server(demo=True)`): its
# assessment, its coordinator with two-factor authentication set up, and `session(user)`, the value of
# a session cookie signed in as that user. Each module appends what it needs and prints its JSON.
DEMO_SETUP = """
import json, os
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from accounts.models import User
from assessments.models import Assessment
from tests.support.cast import set_up_mfa

assessment = Assessment.objects.get(workspace__city__slug="demoville")
coordinator = User.objects.get(email="coordinator@demoville.example")
set_up_mfa(coordinator)

def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value
"""


# Databases built once per test process and copied for every test server, since building one costs far
# more than copying it: "library" is migrated with the library loaded, as `make run` does; "demo" adds
# `load_demo` (the fictional Demoville workspace, which writes no files, so a copy of it is a whole demo).
_TEMPLATES: dict[tuple[str, str], str] = {}


def _postgres_admin(url: str) -> tuple[str, "object"]:
    import psycopg

    base, _, _ = url.rpartition("/")
    return base, psycopg.connect(f"{base}/postgres", autocommit=True)


def template(kind: str = "library") -> str:
    """The URL of this process's template database of that kind, built on first use."""
    key = (os.environ.get("PYTEST_XDIST_WORKER", "main"), kind)
    if key in _TEMPLATES:
        return _TEMPLATES[key]
    manage = [sys.executable, str(ROOT / "manage.py")]
    if kind == "library":
        url = _new_database(f"icb_browser_template_{key[0]}", "")
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_ENV": "test", "DEBUG": "false"}
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run([*manage, "load_library"], env=env, check=True, cwd=ROOT, capture_output=True)
    elif kind == "demo":
        url = _new_database(f"icb_browser_demo_{key[0]}", template("library"))
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_ENV": "test", "DEBUG": "false"}
        subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=ROOT, capture_output=True)
    else:
        raise ValueError(f"no template database {kind!r}")
    _TEMPLATES[key] = url
    return url


def _new_database(name: str, source: str, folder: Path | None = None) -> str:
    """A new database of that name, empty or a copy of `source` (a URL), where DATABASE_URL points: a
    PostgreSQL database, or a SQLite file in `folder` (a new temporary folder if none is given)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, conn = _postgres_admin(url)
        with conn:  # type: ignore[attr-defined]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
            copy = f' TEMPLATE "{source.rpartition("/")[2]}"' if source else ""
            conn.execute(f'CREATE DATABASE "{name}"{copy}')  # type: ignore[attr-defined]
        return f"{base}/{name}"
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="icb-browser-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / f"{name}.sqlite3"
    if source:
        with sqlite3.connect(source.removeprefix("sqlite:///")) as source_db, sqlite3.connect(path) as copy_db:
            source_db.backup(copy_db)
    return f"sqlite:///{path}"


def server_database(tmp: Path, worker: str, *, library: bool, demo: bool = False) -> str:
    """A fresh database for one test server: a copy of the demo or library template, or empty."""
    source = template("demo") if demo else template("library") if library else ""
    return _new_database(f"icb_browser_{worker}", source, tmp)


def prepare_server(
    tmp: Path,
    worker: str,
    *,
    library: bool = True,
    demo: bool = False,
    setup: str = "",
    extra_env: dict[str, str] | None = None,
) -> tuple[dict[str, str], dict]:
    """A fresh database for a test server: migrated, with the library unless told otherwise, and the demo
    (`load_demo`) when asked, then a `manage.py shell` setup script whose last printed line is JSON (returned,
    e.g. session cookies)."""
    env = {
        **os.environ,
        "DATABASE_URL": server_database(tmp, worker, library=library, demo=demo),
        "DJANGO_ENV": "test",
        "DEBUG": "false",
        **(extra_env or {}),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    if not (library or demo):  # a copy of a template is migrated already
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    found: dict = {}
    if setup:
        done = subprocess.run(
            [*manage, "shell", "-c", setup], env=env, check=True, cwd=ROOT, capture_output=True, text=True
        )
        found = json.loads(done.stdout.strip().splitlines()[-1])
    return env, found


# The app is loaded once, before the two workers fork (--preload): Django is imported once per server, not per
# worker; no database connection is open at import, so none is shared between the workers.
GUNICORN_OPTIONS = ["--preload", "--timeout", "60"]


@contextmanager
def running_server(tmp: Path, env: dict[str, str]) -> Iterator[str]:
    """gunicorn serving the app on a free loopback port until the block ends; yields its base URL."""
    port = free_port()
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", *GUNICORN_OPTIONS],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"the test server did not start; see {tmp / 'server.log'}") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a loaded machine can keep a worker busy past the graceful stop
            server.kill()
            server.wait(timeout=10)
        log.close()


@contextmanager
def autosave_answered(page: object) -> Iterator[None]:
    """A block whose typing causes an autosave ends once the server has answered that save: a status that
    already read "Saved" from an earlier save cannot tell (`with autosave_answered(page): field.fill(...)`)."""
    with page.expect_response(  # type: ignore[attr-defined]
        lambda r: r.request.method == "POST" and r.url.endswith("/autosave/"), timeout=10_000
    ):
        yield


def axe_violations(page: object) -> list[str]:
    """Run axe-core in the page (CSP stays on: the script is evaluated through the DevTools protocol)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):  # type: ignore[attr-defined]
        page.evaluate(AXE.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


AUTOSAVE_SETUP = """
import json, os
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from accounts.models import User
from assessments.models import Assessment

assessment = Assessment.objects.get(workspace__city__slug="demoville")
contributor = User.objects.get(email="contributor@demoville.example")
factor = [f for f in assessment.factors.select_related("key_factor").filter(rating__isnull=True)
          if f.answers.exists()][0]
client = Client()
client.force_login(contributor)
print(json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "contributor": client.cookies[settings.SESSION_COOKIE_NAME].value,
    "assessment": str(assessment.public_id),
    "factor": factor.key_factor.slug,
    "factor_id": factor.pk,
    "question": factor.answers.select_related("question").order_by("question__number").first().question.number,
}))
"""


def server_shell(env: dict, code: str) -> object:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def stored_comment(env: dict, people: dict) -> str:
    code = (
        "import json; from assessments.models import QuestionAnswer; "
        f"a = QuestionAnswer.objects.get(factor_id={people['factor_id']}, question__number={people['question']}); "
        "print(json.dumps(a.comment))"
    )
    return str(server_shell(env, code))
