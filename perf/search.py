"""Performance benchmark of practice search (run: `.venv/bin/python -m perf.search`).

Not application code: a script anyone can run. For SQLite and, when reachable, PostgreSQL it
builds a fresh database with the library plus generated practices (10,000 in all by default),
then measures side by side, in one run:

- the search page (full text, ranked, highlighted, with facet counts) through Django's test client,
- a trivial page on the same server stack (the accessibility statement: a template, no queries),
- the text-matching step of full-text search (count and first ranked page) against a naive
  `icontains` scan of title and summary doing the same work.

It writes its table into docs/performance.md between the `search` markers.
"""

import argparse
import json
import os
import random
import statistics
import time
from typing import Any

from perf.common import announce, child_result, databases, machine, markers, percentile, publish, timed

START, END = markers("search")
QUERIES = [
    "volunteers",
    "employment",
    "migrant entrepreneurs",
    "language courses",
    "mentoring",
    "housing",
    "municipality",
    "refugees labour market",
    "qualification recognition",
    "women",
    "youth",
    "network",
    "funding",
    "evaluation",
    "discrimination",
    "welcome",
    "business",
    "training",
    "city council",
    "partnership",
]


def generate(total: int, seed: int) -> None:
    """Fill the database up to `total` practices, each a variation on one of the library's own.

    A generated practice takes most sentences of one real practice (so each keeps its theme's
    vocabulary, as real practices do) and a few sentences of others, with its benchmark and a key
    factor of that benchmark, in a real or a fictional city.
    """
    from benchmarks.models import KeyFactor
    from cities.models import City
    from practices.models import Practice
    from practices.search import index_practices

    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    originals = list(Practice.objects.values_list("title", "summary", "benchmark_id"))
    sentences = [[x.strip() for x in text.replace("\n", " ").split(". ") if x.strip()] for _t, text, _b in originals]
    everything = [sentence for group in sentences for sentence in group]
    factors: dict[int, list[int]] = {}
    for factor_id, benchmark_id in KeyFactor.objects.current().values_list("pk", "version__benchmark_id"):
        factors.setdefault(benchmark_id, []).append(factor_id)
    cities = list(City.objects.all())
    cities += City.objects.bulk_create(
        City(slug=f"perfville-{n}", name=f"Perfville {n}", country="Fictional Republic", country_code="XF")
        for n in range(150)
    )
    missing = total - Practice.objects.count()
    through = Practice.key_factors.through
    for start in range(0, missing, 1000):
        batch, links = [], []
        for n in range(start, min(missing, start + 1000)):
            source = rng.randrange(len(originals))
            title, _summary, benchmark_id = originals[source]
            own = sentences[source] or everything
            body = rng.sample(own, k=max(1, min(len(own), rng.randint(2, 6))))
            body += rng.sample(everything, k=rng.randint(0, 2))
            rng.shuffle(body)
            batch.append(
                Practice(
                    slug=f"generated-{n}",
                    city=rng.choice(cities),
                    benchmark_id=benchmark_id,
                    title=f"{title} ({n})",
                    summary=". ".join(body) + ".",
                )
            )
        Practice.objects.bulk_create(batch)
        for practice in batch:
            links.append(through(practice_id=practice.pk, keyfactor_id=rng.choice(factors[practice.benchmark_id])))
        through.objects.bulk_create(links)
        index_practices(p.pk for p in batch)


def measure_backend(rounds: int) -> dict[str, Any]:
    """Run inside a process whose DATABASE_URL names an empty database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q
    from django.test import Client

    from practices.library import load_library
    from practices.models import Practice
    from practices.search import matching_ids, words_of

    call_command("migrate", verbosity=0)
    load_library(settings.LIBRARY_DATA_DIR)
    generate(int(os.environ["PERF_PRACTICES"]), seed=20261122)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client(HTTP_HOST="127.0.0.1")

    def page(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, url  # noqa: S101 - a benchmark that measured errors is worthless

    for query in QUERIES[:5]:  # warm caches and connections
        page(f"/practices/?q={query}")
        page("/accessibility/")

    search_page: list[float] = []
    facet_page: list[float] = []
    trivial: list[float] = []
    fts: list[float] = []
    naive: list[float] = []
    for _ in range(rounds):
        for query in QUERIES:
            timed(search_page, lambda q=query: page(f"/practices/?q={q}"))
            timed(facet_page, lambda q=query: page(f"/practices/?q={q}&programme=cities-grow"))
            timed(trivial, lambda: page("/accessibility/"))

            def full_text(q: str = query) -> None:
                matching_ids(words_of(q))

            def naive_scan(q: str = query) -> None:
                condition = Q()
                for word in q.split():
                    condition &= Q(title__icontains=word) | Q(summary__icontains=word)
                list(Practice.objects.filter(condition).values_list("pk", flat=True))

            timed(fts, full_text)
            timed(naive, naive_scan)

    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        version = cursor.fetchone()[0]
    return {
        "backend": f"{'SQLite' if connection.vendor == 'sqlite' else 'PostgreSQL'} {version}",
        "practices": Practice.objects.count(),
        "samples": len(search_page),
        "search_p50": statistics.median(search_page),
        "search_p95": percentile(search_page, 0.95),
        "facet_p95": percentile(facet_page, 0.95),
        "trivial_p50": statistics.median(trivial),
        "trivial_p95": percentile(trivial, 0.95),
        "fts_mean": statistics.fmean(fts),
        "naive_mean": statistics.fmean(naive),
    }


def write_table(results: list[dict[str, Any]], practices: int) -> str:
    rows = [
        "| backend | practices | search page p50 | search page p95 | with a facet, p95 | trivial page p95 "
        "| search p95 / trivial p95 | full-text match (mean) | naive icontains scan (mean) | naive / full text |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r['backend']} | {r['practices']:,} | {r['search_p50']:.1f} ms | {r['search_p95']:.1f} ms "
            f"| {r['facet_p95']:.1f} ms | {r['trivial_p95']:.1f} ms | {r['search_p95'] / r['trivial_p95']:.1f}× "
            f"| {r['fts_mean']:.2f} ms | {r['naive_mean']:.2f} ms | {r['naive_mean'] / r['fts_mean']:.0f}× |"
        )
    verdicts = []
    for r in results:
        p95_ok = r["search_p95"] < 50
        ratio_ok = r["naive_mean"] / r["fts_mean"] >= 10
        verdicts.append(
            f"- {r['backend']}: search page p95 {'meets' if p95_ok else 'MISSES'} the 50 ms target; "
            f"full text is {r['naive_mean'] / r['fts_mean']:.0f}× faster than the naive scan "
            f"({'meets' if ratio_ok else 'MISSES'} the 10× target)."
        )
    samples = results[0]["samples"] if results else 0
    return "\n".join(
        [
            START,
            "## Practice search (`perf/search.py`)",
            "",
            f"Measured {time.strftime('%Y-%m-%d')} on a {machine()}, {practices:,} practices "
            "(the library's own and generated "
            f"variations on them), {samples} requests per column: "
            f"{len(QUERIES)} queries × {samples // len(QUERIES)} rounds. Pages are requested through Django's "
            "test client, in process, "
            "so the times are the whole Django stack (middleware, view, queries, template) without a network. "
            "The trivial page is the accessibility statement (a template, no database query). The match "
            "columns time the text-matching step alone, the same work both ways: the ids of every practice "
            "whose text contains all the words (full text: `practices.search.matching_ids`, the FTS5 or GIN "
            "index lookup; naive: `icontains` on title or summary for each word, a scan of every row). "
            "Queries are common words of the library, so many match a fifth to a third of all practices: "
            "a hard case for the page, whose count and facets cover every match.",
            "",
            *rows,
            "",
            *verdicts,
            END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_backend(args.rounds)))
        return

    results = []
    with databases("icb_perf_search", postgres=not args.no_postgres) as (_tmp, urls):
        for url in urls:
            announce(url)
            env = {"DATABASE_URL": url, "PERF_PRACTICES": str(args.practices)}
            results.append(child_result("perf.search", ["--rounds", str(args.rounds)], env))
    publish("search", write_table(results, args.practices))


if __name__ == "__main__":
    main()
