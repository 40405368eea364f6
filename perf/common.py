"""What the performance scripts of this folder share (search.py, autosave.py, reports.py).

Not application code: the scripts are run by hand (`.venv/bin/python -m perf.<name>`), import no test code, and each
rewrites its own marked section of docs/performance.md.
"""

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
POSTGRES = os.environ.get("PERF_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(samples: list[float], action: Callable[..., Any]) -> Any:
    """Runs `action`, appends its time in milliseconds to `samples` and returns its result."""
    started = time.perf_counter()
    result = action()
    samples.append((time.perf_counter() - started) * 1000)
    return result


def machine() -> str:
    """'2-core x86_64 machine, Python 3.11.7': where a table was measured."""
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()}-core {cpu} machine, Python {platform.python_version()}"


def postgres_url(name: str) -> str | None:
    """A fresh, empty PostgreSQL database of that name, or None (with a note) when none is reachable."""
    try:
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # any failure means "no PostgreSQL here"; the table then shows SQLite only
        print(f"PostgreSQL not measured: {exc}", file=sys.stderr)
        return None
    return f"{POSTGRES}/{name}"


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def databases(postgres_name: str, *, postgres: bool = True) -> Iterator[tuple[Path, list[str]]]:
    """A scratch folder and the databases to measure side by side: a SQLite file in it, and PostgreSQL when one
    is reachable (and `postgres`), dropped when the block ends. Each URL is announced as it is measured."""
    with tempfile.TemporaryDirectory() as tmp:
        urls = [f"sqlite:///{Path(tmp) / 'perf.sqlite3'}"]
        if postgres and (url := postgres_url(postgres_name)):
            urls.append(url)
        try:
            yield Path(tmp), urls
        finally:
            if len(urls) > 1:
                drop_postgres(postgres_name)


def announce(url: str) -> None:
    print(f"measuring {url.split(':')[0]} ...", file=sys.stderr)


def child_result(module: str, arguments: list[str], env: dict[str, str]) -> Any:
    """Runs `python -m <module> --child <arguments>` with `env` added (a fresh process per database, since the
    settings read DATABASE_URL at start) and returns the JSON its last line printed."""
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module, "--child", *arguments],
        env={**os.environ, "DJANGO_ENV": "test", **env},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def publish(section: str, table: str, *, write: bool = True) -> None:
    """Writes the table into its section of docs/performance.md (unless `write` is false) and prints it."""
    if write:
        write_section(section, table)
    print(table)


def markers(section: str) -> tuple[str, str]:
    return f"<!-- {section}:start -->", f"<!-- {section}:end -->"


def write_section(section: str, table: str) -> None:
    """Puts `table` (which starts and ends with the section's markers) in docs/performance.md, in place
    of the section's previous text, or at the end when the section is new."""
    start, end = markers(section)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n\n"
    if start in text:
        text = text[: text.index(start)] + table + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + table + "\n"
    DOC.write_text(text, encoding="utf-8")


def with_authenticator(user: Any) -> None:
    """Give `user` a confirmed authenticator, through the same action the MFA page calls: coordinators must
    have one before they reach any page (accounts' MFA rule). Needs Django set up."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from accounts import totp
    from accounts.actions import do_enable_mfa

    request = RequestFactory().post("/accounts/mfa/")
    request.session = SessionStore()
    request.user = user
    secret = totp.new_secret()
    if not do_enable_mfa(request, user, secret=secret, code=totp.totp(totp.secret_bytes(secret), time.time())):
        raise RuntimeError("the authenticator was not confirmed")


def city_script_main(
    doc: str,
    *,
    section: str,
    module: str,
    measure: Callable[[int, int], dict[str, Any]],
    write_table: Callable[[list[dict[str, Any]]], str],
    cities: int,
) -> None:
    """The command line of a script that measures pages over a number of fictional cities (mentoring.py,
    communities.py): `--repeats`, `--cities`, `--quick` (10 repeats, SQLite only, the table not written),
    `--no-postgres`; each database measured in a child process of its own (`--child`), the table published."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--cities", type=int, default=cities)
    parser.add_argument("--quick", action="store_true", help="10 repeats, SQLite only; the table is not written")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.repeats, args.cities)))
        return
    if args.quick:
        args.repeats, args.no_postgres = 10, True
    results = []
    with databases(f"icb_perf_{section}", postgres=not args.no_postgres) as (tmp, urls):
        for url in urls:
            announce(url)
            env = {"DATABASE_URL": url, "MEDIA_ROOT": str(tmp / "media")}
            results.append(child_result(module, ["--repeats", str(args.repeats), "--cities", str(args.cities)], env))
    publish(section, write_table(results), write=not args.quick)


def signed_in_world(set_up: Callable[[int], dict[str, Any]], cities: int) -> tuple[Any, dict[str, Any]]:
    """Inside a child process whose DATABASE_URL names an empty database: Django set up, the database migrated,
    the library loaded, `set_up(cities)`'s data made (it returns a dict naming its "coordinator" by pk), the
    planner's statistics gathered (ANALYZE, as a database in use has them), and a test client signed in as that
    coordinator, who has an authenticator (coordinators must use one, S2). Returns the client and the dict."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from practices.library import load_library

    call_command("migrate", verbosity=0)
    load_library(settings.LIBRARY_DATA_DIR)
    made = set_up(cities)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    coordinator = User.objects.get(pk=made["coordinator"])
    with_authenticator(coordinator)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(coordinator)
    return client, made


def _fetch(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)  # noqa: S101 - errors measure nothing


def warm_and_count(client: Any, urls: dict[str, str]) -> dict[str, int]:
    """Each page requested once to warm up (templates, connections), then once more with its queries counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = {}
    for name, url in urls.items():
        _fetch(client, url)
        with CaptureQueriesContext(connection) as captured:
            _fetch(client, url)
        queries[name] = len(captured)
    return queries


def time_in_turn(client: Any, urls: dict[str, str], repeats: int) -> dict[str, list[float]]:
    """Milliseconds per request of each page, the pages requested in turn `repeats` times (side by side: other
    work on the machine slows every page alike)."""
    samples: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(repeats):
        for name, url in urls.items():
            timed(samples[name], lambda u=url: _fetch(client, u))
    return samples


def backend_name() -> str:
    """'SQLite 3.40.1' or 'PostgreSQL 15.20 (...)': the database measured."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        version = cursor.fetchone()[0]
    return f"{'SQLite' if connection.vendor == 'sqlite' else 'PostgreSQL'} {version}"
