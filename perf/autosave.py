"""Load test of key-factor autosave (run: `.venv/bin/python -m perf.autosave`; `--quick` for a short try).

Not application code: a script anyone can run. For SQLite and, when reachable, PostgreSQL it builds a
fresh database (migrate + load_library, like the browser tests), makes one city with a coordinator and
N contributors (20 by default), starts the self-assessments of that city (as many benchmarks as it takes
for every editor to have a key factor of their own) and serves the app with gunicorn on 127.0.0.1.
Then N clients, one per editor and each with its own signed-in session, autosave their factor for D
seconds (30 by default) as the page's script does: the whole form after a pause of 1 to 2 s
(`static/js/autosave.js` saves 1 s after the last keystroke, one request at a time, so an editor who
types without pause sends nothing until they stop), text growing like typing, each save merged by
field (with the fingerprints the previous answer returned) and numbered within its open page, as
the page sends them; one save in ten is sent
twice, as a browser does when an answer is lost, and the second must be acknowledged without being
applied. Beside them, in the same run and on the same server, one more client reads a trivial page
(the accessibility statement: a template, no database query) at the same pace: the baseline.

Afterwards the database is read: a save is lost when a factor's stored text or lock_version is not
the last one its editor was told was saved, or when the number of acknowledged saves differs from
the lock_version (a save applied twice or not at all). Every answer other than 200 is a failure.
Only 127.0.0.1 is contacted, for a bounded time. The table goes into docs/performance.md between the
`autosave` markers.
"""

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from perf.common import ROOT, announce, databases, machine, markers, percentile, publish

START, END = markers("autosave")
TRIVIAL = "/accessibility/"
# Seconds between one editor's saves: the page's script waits 1 s after the last keystroke and keeps one
# request in flight, so a person typing steadily sends a save in each pause, not on every key.
PAUSE = (1.0, 2.0)
TARGET_P95_MS = 100.0
WORDS = [
    "the",
    "welcome",
    "office",
    "runs",
    "language",
    "courses",
    "in",
    "every",
    "district",
    "with",
    "volunteers",
    "and",
    "the",
    "job",
    "centre",
    "while",
    "the",
    "council",
    "funds",
    "mentoring",
    "for",
    "newcomers",
    "and",
    "reports",
    "on",
    "progress",
    "each",
    "year",
]


# ---- inside the server's database (child processes)


def django_setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def set_up(editors: int) -> dict[str, Any]:
    """A city with a coordinator and `editors` contributors, each given a key factor of their own and a session."""
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from assessments import actions
    from assessments.models import FactorAssessment
    from benchmarks.models import Benchmark
    from cities import actions as city_actions
    from cities.models import Role

    def user(email: str, **extra: Any) -> User:
        return User.objects.create_user(email=email, password=None, email_verified=timezone.now(), **extra)

    admin = user("admin@perf.example", is_staff=True)
    coordinator = user("coordinator@perf.example")
    request = city_actions.do_request_workspace(
        by=coordinator, city_name="Perfville", country="Testland", message="", site_url="http://testserver/"
    )
    workspace = city_actions.do_approve_workspace_request(request, by=admin, site_url="http://testserver/")
    versions = sorted(
        (b.current_version for b in Benchmark.objects.published().with_current() if b.current_version),
        key=lambda v: -v.factors.filter(guide_questions__isnull=False).distinct().count(),
    )
    factors: list[FactorAssessment] = []
    for version in versions:
        if len(factors) >= editors:
            break
        assessment = actions.do_start_assessment(workspace, version, "2026", by=coordinator)
        factors += list(
            assessment.factors.filter(answers__isnull=False).select_related("key_factor", "assessment").distinct()
        )
    if len(factors) < editors:
        raise SystemExit(
            f"the library has {len(factors)} key factors with guide questions; use --editors {len(factors)}"
        )
    people = []
    for n, factor in enumerate(factors[:editors]):
        contributor = user(f"editor{n}@perf.example")
        invitation, _token = city_actions.do_invite(
            workspace,
            by=coordinator,
            email=contributor.email,
            role=Role.CONTRIBUTOR,
            organisation="",
            site_url="http://127.0.0.1/",
        )
        city_actions.do_accept_invitation(invitation, user=contributor)
        client = Client()
        client.force_login(contributor)
        scale = factor.assessment.benchmark_version.rating_scale
        people.append(
            {
                "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "factor_id": factor.pk,
                "url": f"/assessments/{factor.assessment.public_id}/factors/{factor.key_factor.slug}/autosave/",
                "questions": sorted(factor.answers.values_list("question__number", flat=True)),
                "ratings": sorted(scale.levels.values_list("value", flat=True)),
            }
        )
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        version = cursor.fetchone()[0]
    backend = f"{'SQLite' if connection.vendor == 'sqlite' else 'PostgreSQL'} {version}"
    return {"cookie": settings.SESSION_COOKIE_NAME, "people": people, "backend": backend}


def stored_state(factor_ids: list[int]) -> dict[str, Any]:
    django_setup()
    from assessments.models import AssessmentEvent, FactorAssessment

    out = {}
    for factor in FactorAssessment.objects.filter(pk__in=factor_ids).prefetch_related("answers__question"):
        out[str(factor.pk)] = {
            "lock_version": factor.lock_version,
            "justification": factor.justification,
            "rating": factor.rating,
            "comments": {str(a.question.number): a.comment for a in factor.answers.all()},
        }
    events = AssessmentEvent.objects.filter(action=AssessmentEvent.Action.FACTOR_SAVED).count()
    return {"factors": out, "events": events}


# ---- the load (this process)


@dataclass
class Editor:
    person: dict[str, Any]
    cookie_name: str
    port: int
    rng: random.Random
    latencies: list[float] = field(default_factory=list)
    replay_latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    acknowledged: int = 0
    version: int = 0
    last_saved: dict[str, str] = field(default_factory=dict)
    # As the page does (static/js/autosave.js): saves merged by field, numbered within one open page.
    loaded: dict[str, str] = field(default_factory=dict)
    page: str = field(default_factory=lambda: str(uuid.uuid4()))

    def run(self, until: float) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        cookie = f"{self.cookie_name}={self.person['session']}"
        conn.request("GET", self.person["url"], headers={"Cookie": cookie, "Accept": "application/json"})
        response = conn.getresponse()
        body = json.loads(response.read())
        token = body["csrf_token"]
        csrf_cookie = next(
            part.split("=", 1)[1]
            for header in response.headers.get_all("Set-Cookie") or []
            for part in [header.split(";", 1)[0]]
            if part.startswith("csrftoken=")
        )
        self.version = body["lock_version"]
        headers = {
            "Cookie": f"{cookie}; csrftoken={csrf_cookie}",
            "Accept": "application/json",
            "X-CSRFToken": token,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        from lib.merge import fingerprints

        empty: dict[str, Any] = {"rating": None, "justification": ""}  # each editor's factor starts empty
        for number in self.person["questions"]:
            empty |= {f"q{number}-answer": "", f"q{number}-comment": ""}
        self.loaded = fingerprints(empty)
        typed: list[str] = []
        question = self.rng.choice(self.person["questions"])
        while time.monotonic() < until:
            time.sleep(self.rng.uniform(*PAUSE))
            typed.append(self.rng.choice(WORDS))
            if len(typed) > 60:  # a new paragraph in another answer, so texts stay realistic in size
                typed, question = [], self.rng.choice(self.person["questions"])
            fields = {"justification": " ".join(typed[:30]), "rating": str(self.rng.choice(self.person["ratings"]))}
            for number in self.person["questions"]:
                fields[f"q{number}-answer"] = "partly" if number <= question else ""
                fields[f"q{number}-comment"] = " ".join(typed) if number == question else ""
            payload = urlencode(
                {
                    **fields,
                    "lock_version": self.version,
                    "save_id": uuid.uuid4(),
                    "loaded": json.dumps(self.loaded),
                    "page": self.page,
                    "seq": self.acknowledged + 1,
                }
            )
            status, answer, took = self.post(conn, headers, payload)
            if status != 200:
                self.failures.append(f"{status} {answer}")
                break  # the chain is broken: any later save would be a conflict
            self.latencies.append(took)
            self.acknowledged += 1
            self.version = answer["lock_version"]
            self.loaded = answer["loaded"]
            self.last_saved = {
                "justification": fields["justification"],
                "comment": fields[f"q{question}-comment"],
                "question": str(question),
            }
            if self.rng.random() < 0.1:  # the answer "was lost": the browser sends the same request again
                status, replay, took = self.post(conn, headers, payload)
                self.replay_latencies.append(took)
                if status != 200 or replay.get("lock_version") != self.version:
                    self.failures.append(f"replay: {status} {replay}")
        conn.close()

    def post(self, conn: http.client.HTTPConnection, headers: dict[str, str], payload: str) -> tuple[int, Any, float]:
        started = time.perf_counter()
        conn.request("POST", self.person["url"], body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        took = (time.perf_counter() - started) * 1000
        try:
            return response.status, json.loads(raw), took
        except ValueError:
            return response.status, raw[:200].decode(errors="replace"), took


def baseline(port: int, until: float, samples: list[float], failures: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    rng = random.Random(7)  # noqa: S311 - pacing, not secrets
    while time.monotonic() < until:
        time.sleep(rng.uniform(*PAUSE))
        started = time.perf_counter()
        conn.request("GET", TRIVIAL)
        response = conn.getresponse()
        response.read()
        samples.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            failures.append(f"baseline {response.status}")
    conn.close()


@contextmanager
def server(env: dict[str, str], workers: int, threads: int, log: Path) -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-k", "gthread"]
    command += ["-w", str(workers), "--threads", str(threads), "--timeout", "60"]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError(f"gunicorn did not start; see {log}") from None
                    time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=15)


def child(env: dict[str, str], *args: str, stdin: str | None = None) -> Any:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "perf.autosave", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        input=stdin,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(url: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_ENV": "test", "DEBUG": "false"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    subprocess.run([*manage, "load_library"], env=env, check=True, cwd=ROOT, capture_output=True)  # noqa: S603
    setup = child(env, "--child", "setup", "--editors", str(args.editors))
    print(f"  {setup['backend']}: {args.editors} editors, {args.duration} s", file=sys.stderr)
    editors = [
        Editor(person, setup["cookie"], 0, random.Random(n))  # noqa: S311 - pacing and text, not secrets
        for n, person in enumerate(setup["people"])
    ]
    trivial: list[float] = []
    trivial_failures: list[str] = []
    log = Path(os.environ.get("PERF_LOG_DIR", tmp)) / f"gunicorn-{url.split(':')[0]}.log"
    with server(env, args.workers, args.threads, log) as port:
        # Warm up: every worker process imports the app and opens its connections before the clock starts.
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(4 * args.workers):
            warm.request("GET", TRIVIAL)
            warm.getresponse().read()
        warm.close()
        load_before = os.getloadavg()[0]
        until = time.monotonic() + args.duration
        threads = []
        for editor in editors:
            editor.port = port
            threads.append(threading.Thread(target=editor.run, args=(until,)))
        threads.append(threading.Thread(target=baseline, args=(port, until, trivial, trivial_failures)))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    state = child(env, "--child", "state", stdin=json.dumps([e.person["factor_id"] for e in editors]))
    lost = []
    for editor in editors:
        stored = state["factors"][str(editor.person["factor_id"])]
        last = editor.last_saved
        if stored["lock_version"] != editor.version or stored["lock_version"] != editor.acknowledged:
            factor = editor.person["factor_id"]
            lost.append(f"factor {factor}: version {stored['lock_version']}, acknowledged {editor.acknowledged}")
        elif last and (
            stored["justification"] != last["justification"] or stored["comments"][last["question"]] != last["comment"]
        ):
            lost.append(f"factor {editor.person['factor_id']}: the stored text is not the last one acknowledged")
    saves = [ms for e in editors for ms in e.latencies]
    replays = [ms for e in editors for ms in e.replay_latencies]
    failures = [f for e in editors for f in e.failures] + trivial_failures
    for problem in failures[:5] + lost[:5]:
        print(f"  problem: {problem}", file=sys.stderr)
    return {
        "backend": setup["backend"],
        "editors": args.editors,
        "duration": round(elapsed, 1),
        "saves": len(saves),
        "replays": len(replays),
        "saves_per_second": len(saves) / elapsed,
        "p50": statistics.median(saves),
        "p95": percentile(saves, 0.95),
        "max": max(saves),
        "replay_p95": percentile(replays, 0.95) if replays else 0.0,
        "trivial_p50": statistics.median(trivial),
        "trivial_p95": percentile(trivial, 0.95),
        "trivial_requests": len(trivial),
        "failures": len(failures),
        "lost": len(lost),
        "events": state["events"],
        "load_before": load_before,
    }


def write_table(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    rows = [
        "| backend | saves | saves/s | autosave p50 | autosave p95 | autosave max | replayed saves (p95) "
        "| trivial page p95 | autosave p95 / trivial p95 | failed | lost |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r['backend']} | {r['saves']:,} | {r['saves_per_second']:.0f} | {r['p50']:.1f} ms | {r['p95']:.1f} ms "
            f"| {r['max']:.0f} ms | {r['replays']} ({r['replay_p95']:.1f} ms) | {r['trivial_p95']:.1f} ms "
            f"| {r['p95'] / r['trivial_p95']:.1f}× | {r['failures']} | {r['lost']} |"
        )
    verdicts = []
    for r in results:
        ok = r["p95"] < TARGET_P95_MS and r["failures"] == 0 and r["lost"] == 0
        verdicts.append(
            f"- {r['backend']}: {'meets' if ok else 'MISSES'} the target (p95 under {TARGET_P95_MS:.0f} ms, "
            f"no failed and no lost save); {r['events']} history events for {r['saves']:,} saves "
            "(autosaves of one editing spell make one event). The machine's load average just before "
            f"this run was {r['load_before']:.1f} on {os.cpu_count()} cores (other work running at the time "
            "slows both columns)."
        )
    return "\n".join(
        [
            START,
            "## Autosave under load (`perf/autosave.py`)",
            "",
            f"Measured {time.strftime('%Y-%m-%d')} on a {machine()}, gunicorn on 127.0.0.1 "
            f"({args.workers} workers × {args.threads} threads, "
            f"gthread), the clients in one more process on the same machine. {args.editors} editors, each signed "
            f"in with a session of their own and autosaving a key factor of their own, for {args.duration} s: the "
            "whole form (guide-question answers and comments, rating, justification; text growing like typing) "
            f"after a pause of {PAUSE[0]:g}–{PAUSE[1]:g} s (the page's script saves 1 s after the last keystroke, one "
            "request at a time), each save merged by field (the fingerprints the previous answer returned) and "
            "numbered within its open page, as "
            "`static/js/autosave.js` does. One save in ten is sent twice (a lost answer): the replay must be "
            "acknowledged and not applied. The factors belong to the same city's assessments, so saves of one "
            "assessment queue on its row lock. Latency is measured by the client, request to answer. The "
            f"baseline is a trivial page (`{TRIVIAL}`: a template, no query) requested at the same pace on the "
            "same server during the same run. Afterwards the database is read: *lost* counts factors whose "
            "stored text or lock_version is not the last save its editor was told succeeded (or whose "
            "lock_version differs from the number of acknowledged saves); *failed* counts answers other "
            "than 200.",
            "",
            *rows,
            "",
            *verdicts,
            END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editors", type=int, default=20)
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per database")
    parser.add_argument("--quick", action="store_true", help="5 editors for 5 s; the table is not written")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=10)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", choices=["setup", "state"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "setup":
        print(json.dumps(set_up(args.editors)))
        return
    if args.child == "state":
        print(json.dumps(stored_state(json.loads(sys.stdin.read()))))
        return
    if args.quick:
        args.editors, args.duration = min(args.editors, 5), min(args.duration, 5)

    results = []
    with databases("icb_perf_autosave", postgres=not args.no_postgres) as (tmp, urls):
        for url in urls:
            announce(url)
            results.append(measure(url, args, tmp))
    publish("autosave", write_table(results, args), write=not args.quick)
    if any(r["failures"] or r["lost"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
