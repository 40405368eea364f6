"""How long the diagnostic report takes (run: `.venv/bin/python -m perf.reports`; `--quick` to try).

Not application code: a script anyone can run. For SQLite and, when reachable, PostgreSQL it builds a
fresh database (migrate + load_library), starts a self-assessment of the largest benchmark (the most
guide questions), answers every guide question with a comment, rates and justifies every key factor,
fills every context note, and attaches 50 evidence items of the city's library (statistics, policy
documents, project examples, links) to its key factors and questions. Then, signed in as the city's
coordinator through Django's test client (the whole stack: middleware, permission checks, queries,
rendering), it requests side by side, in one run and in turn:

- the results page (the baseline: the same data, rendered as HTML),
- the PDF diagnostic report (WeasyPrint) from an emptied cache, as its first download renders it,
- the same PDF downloaded again unchanged, from the PDF cache (lib/pdf.py),
- the XLSX workbook.

Targets (issue 4): the PDF under 3 s and the XLSX under 0.5 s. The table goes into
docs/performance.md between the `reports` markers.
"""

import argparse
import json
import os
import statistics
import time
from decimal import Decimal
from typing import Any

from perf.common import announce, child_result, databases, machine, markers, publish, timed, with_authenticator

START, END = markers("reports")
EVIDENCE_ITEMS = 50
TARGETS_MS = {"pdf": 3000.0, "xlsx": 500.0}


def set_up() -> dict[str, Any]:
    """Inside the child process: the assessment described in the module docstring."""
    from django.utils import timezone

    from accounts.models import User
    from assessments import actions
    from assessments.models import ContextNote, QuestionAnswer
    from benchmarks.models import Benchmark, GuideQuestion
    from cities import actions as city_actions
    from evidence import actions as evidence_actions
    from evidence.models import Evidence

    admin = User.objects.create_user(email="admin@perf.example", password=None, is_staff=True)
    coordinator = User.objects.create_user(
        email="coordinator@perf.example", password=None, email_verified=timezone.now()
    )
    request = city_actions.do_request_workspace(
        by=coordinator, city_name="Perfville", country="Testland", message="", site_url="http://testserver/"
    )
    workspace = city_actions.do_approve_workspace_request(request, by=admin, site_url="http://testserver/")
    versions = [b.current_version for b in Benchmark.objects.published().with_current() if b.current_version]
    version = max(versions, key=lambda v: GuideQuestion.objects.filter(key_factor__version=v).count())
    assessment = actions.do_start_assessment(workspace, version, "2026", by=coordinator)
    values = sorted(version.rating_scale.levels.values_list("value", flat=True))
    answers = list(QuestionAnswer.Answer.values)
    factors = list(assessment.factors.select_related("key_factor").prefetch_related("answers__question"))
    for n, factor in enumerate(factors):
        rows = list(factor.answers.all())
        actions.do_save_factor(
            factor,
            by=coordinator,
            expected_version=factor.lock_version,
            rating=values[n % len(values)],
            justification=f"What {workspace} does for {factor.key_factor.title.lower()}, and the evidence for it. " * 3,
            answers={row.question_id: answers[(n + i) % len(answers)] for i, row in enumerate(rows)},
            comments={row.question_id: f"How the city answers question {row.question.number}. " * 4 for row in rows},
        )
    notes = ContextNote.objects.filter(assessment=assessment).select_related("context_factor")
    effects, competences = ContextNote.Effect.values, ContextNote.Competence.values
    assessment.refresh_from_db()
    actions.do_save_context(
        assessment,
        by=coordinator,
        expected_version=assessment.lock_version,
        notes={
            note.context_factor_id: {
                "effect": effects[i % len(effects)],
                "competence": competences[i % len(competences)],
                "note": f"How {note.context_factor.title.lower()} shapes what the city can do. " * 3,
            }
            for i, note in enumerate(notes)
        },
    )
    kinds = [Evidence.Kind.STATISTIC, Evidence.Kind.POLICY, Evidence.Kind.PROJECT, Evidence.Kind.OTHER]
    questions = list(QuestionAnswer.objects.filter(factor__assessment=assessment).select_related("factor"))
    for n in range(EVIDENCE_ITEMS):
        kind = kinds[n % len(kinds)]
        statistic = kind == Evidence.Kind.STATISTIC
        fields = evidence_actions.Fields(
            kind=kind,
            title=f"Evidence item {n + 1} of Perfville",
            description="What this item shows about the key factor, in a few sentences. " * 2,
            url=f"https://perfville.example/evidence/{n + 1}",
            value=Decimal("12.5") + n if statistic else None,
            unit="per cent" if statistic else "",
            reference_year=2020 + n % 6 if statistic else None,
            source="Perfville statistics office" if statistic else "",
        )
        question = questions[(n * 7) % len(questions)]
        evidence_actions.do_add_evidence(
            workspace,
            fields,
            by=coordinator,
            attach_to=question.factor,
            question=question if n % 2 else None,
        )
    return {
        "assessment": str(assessment.public_id),
        "coordinator": coordinator.pk,
        "benchmark": version.title,
        "factors": len(factors),
        "questions": len(questions),
    }


def measure(repeats: int) -> dict[str, Any]:
    """Run inside a process whose DATABASE_URL names an empty database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from practices.library import load_library

    call_command("migrate", verbosity=0)
    load_library(settings.LIBRARY_DATA_DIR)
    made = set_up()
    coordinator = User.objects.get(pk=made["coordinator"])
    with_authenticator(coordinator)  # coordinators must use MFA (S2); without it every page redirects to the setup
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(coordinator)
    urls = {
        "results": reverse("pages:results", args=[made["assessment"]]),
        "pdf": reverse("pages:report_pdf", args=[made["assessment"]]),
        "pdf_again": reverse("pages:report_pdf", args=[made["assessment"]]),
        "xlsx": reverse("assessments:workbook", args=[made["assessment"]]),
    }
    sizes: dict[str, int] = {}

    def fetch(name: str) -> None:
        if name == "pdf":
            cache.clear()  # a first download: rendered, not taken from the PDF cache
        response = client.get(urls[name])
        assert response.status_code == 200, (name, response.status_code)  # noqa: S101 - errors measure nothing
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        sizes[name] = len(body)

    for name in urls:  # warm up: templates, fonts, connections
        fetch(name)
    samples: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(repeats):
        for name in urls:
            timed(samples[name], lambda n=name: fetch(n))
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        version = cursor.fetchone()[0]
    return {
        "backend": f"{'SQLite' if connection.vendor == 'sqlite' else 'PostgreSQL'} {version}",
        **made,
        "repeats": repeats,
        "median": {name: statistics.median(values) for name, values in samples.items()},
        "max": {name: max(values) for name, values in samples.items()},
        "bytes": sizes,
    }


def write_table(results: list[dict[str, Any]]) -> str:
    rows = [
        "| backend | results page (median) | PDF (median) | PDF max | PDF / results page "
        "| PDF again, cached (median) | XLSX (median) | XLSX max | XLSX / results page | PDF size | XLSX size |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    verdicts = []
    for r in results:
        median, worst, size = r["median"], r["max"], r["bytes"]
        rows.append(
            f"| {r['backend']} | {median['results']:.0f} ms | {median['pdf']:.0f} ms | {worst['pdf']:.0f} ms "
            f"| {median['pdf'] / median['results']:.1f}× | {median['pdf_again']:.1f} ms "
            f"| {median['xlsx']:.0f} ms | {worst['xlsx']:.0f} ms "
            f"| {median['xlsx'] / median['results']:.1f}× | {size['pdf'] / 1024:.0f} KiB "
            f"| {size['xlsx'] / 1024:.0f} KiB |"
        )
        for name, label in (("pdf", "PDF"), ("xlsx", "XLSX")):
            ok = worst[name] < TARGETS_MS[name]
            verdicts.append(
                f"- {r['backend']}: the {label} {'meets' if ok else 'MISSES'} its target "
                f"(every one of the {r['repeats']} requests under {TARGETS_MS[name] / 1000:g} s; slowest "
                f"{worst[name]:.0f} ms)."
            )
    first = results[0] if results else {}
    return "\n".join(
        [
            START,
            "## Diagnostic report and workbook (`perf/reports.py`)",
            "",
            f"Measured {time.strftime('%Y-%m-%d')} on a {machine()}. The largest benchmark "
            f"(“{first.get('benchmark', '')}”: {first.get('factors', 0)} key factors, {first.get('questions', 0)} "
            "guide questions) fully answered: every question answered with a comment, every key factor rated "
            f"and justified, every context note filled, and {EVIDENCE_ITEMS} evidence items attached to key "
            "factors and questions. Each download is requested through Django's test client as the city's "
            "coordinator (the whole stack: middleware, permission checks, queries, rendering), "
            f"{first.get('repeats', 0)} times after a warm-up, in turn with the results page of the same "
            "assessment, which is the baseline: the same data rendered as HTML. The PDF is rendered from an "
            "emptied cache each time, as on its first download; “PDF again” downloads it unchanged, from the "
            "PDF cache (lib/pdf.py).",
            "",
            *rows,
            "",
            *verdicts,
            END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="3 repeats, SQLite only; the table is not written")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.repeats)))
        return
    if args.quick:
        args.repeats, args.no_postgres = 3, True
    results = []
    with databases("icb_perf_reports", postgres=not args.no_postgres) as (tmp, urls):
        for url in urls:
            announce(url)
            env = {"DATABASE_URL": url, "MEDIA_ROOT": str(tmp / "media")}
            results.append(child_result("perf.reports", ["--repeats", str(args.repeats)], env))
    publish("reports", write_table(results), write=not args.quick)


if __name__ == "__main__":
    main()
