"""How fast a community of practice's page and its ratings side by side are (run: `.venv/bin/python -m
perf.communities`; `--quick` to try).

Not application code: a script anyone can run. For SQLite and, when reachable, PostgreSQL it builds a fresh
database (migrate + load_library) and a community on the labour market benchmark with 50 fictional member
cities ("Peerville 1" ...), each with a workspace, its coordinator and a published, submitted assessment of
the benchmark (every key factor rated and justified, every guide question answered, every context note
filled), the event that published it (the feed reads those), one post per city in the first key factor's
thread and one resource per city; one city in two consents to show its ratings named. The rows are made with
`bulk_create`, through the models, as the actions would leave them; then ANALYZE gives the planner its
statistics.

Signed in as the coordinator of "Peerville 1" through Django's test client (the whole stack: middleware,
permission checks, queries, rendering), in a process tuned as the app server's is (config/wsgi.py), it
requests in turn the community's page, its ratings side by side and, as the baseline, the results page of
Peerville 1's assessment, N times after a warm-up, and counts each page's queries.

Target (issue: communities of practice): the community page's and the ratings page's p95 under 100 ms with 50
member cities. The table goes into docs/performance.md between the `communities` markers.
"""

import gc
import os
import statistics
import time
from typing import Any

from perf.common import (
    backend_name,
    city_script_main,
    machine,
    markers,
    percentile,
    signed_in_world,
    time_in_turn,
    warm_and_count,
)

START, END = markers("communities")
CITIES = 50
TARGET_MS = 100.0
BENCHMARK = "labour-market-partnerships"
PAGES = ("community", "ratings", "results")


def set_up(cities: int) -> dict[str, Any]:
    """Inside the child process: the data described in the module docstring."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from assessments.models import Assessment, AssessmentEvent, ContextNote, FactorAssessment, QuestionAnswer
    from benchmarks.models import Benchmark, GuideQuestion
    from cities.models import City, Membership, Role, Workspace
    from communities.models import CityMember, Community, Post, Resource

    now = timezone.now()
    benchmark = Benchmark.objects.get(slug=BENCHMARK)
    version = benchmark.current_version
    assert version is not None  # noqa: S101 - the library holds it
    key_factors = list(version.factors.order_by("kind", "number"))
    context_factors = list(version.context_factors.order_by("number"))
    questions = list(GuideQuestion.objects.filter(key_factor__version=version))
    admin = User.objects.create_user(email="admin@perf.example", password=None, is_staff=True)
    community = Community.objects.create(
        slug="peer-cities",
        name="Peer cities",
        benchmark=benchmark,
        description="Fifty fictional cities learning together.",
        created_by=admin,
    )
    community.coordinators.set([admin])
    password = make_password(None)
    made = City.objects.bulk_create(
        City(slug=f"peerville-{n}", name=f"Peerville {n}", country="Testland", country_code="TL")
        for n in range(1, cities + 1)
    )
    spaces = Workspace.objects.bulk_create(Workspace(city=city) for city in made)
    people = User.objects.bulk_create(
        User(email=f"coordinator@peerville-{n}.example", username=f"peer{n}", password=password, email_verified=now)
        for n in range(1, cities + 1)
    )
    Membership.objects.bulk_create(
        Membership(workspace=w, user=u, role=Role.COORDINATOR) for w, u in zip(spaces, people, strict=True)
    )
    members = CityMember.objects.bulk_create(
        CityMember(
            community=community,
            workspace=w,
            status=CityMember.Status.ACTIVE,
            shares_ratings=n % 2 == 0,
            created_by=admin,
            joined_at=now,
        )
        for n, w in enumerate(spaces)
    )
    CityMember.speakers.through.objects.bulk_create(
        CityMember.speakers.through(citymember_id=m.pk, user_id=u.pk) for m, u in zip(members, people, strict=True)
    )
    published = Assessment.objects.bulk_create(
        Assessment(
            workspace=w,
            benchmark_version=version,
            round="2025",
            status=Assessment.Status.SUBMITTED,
            visibility=Assessment.Visibility.PUBLISHED,
            created_by=u,
            lock_version=len(key_factors) + 3,
        )
        for w, u in zip(spaces, people, strict=True)
    )
    AssessmentEvent.objects.bulk_create(
        AssessmentEvent(
            assessment=a,
            by=a.created_by,
            action=AssessmentEvent.Action.VISIBILITY_CHANGED,
            changes={"visibility": {"from": "private", "to": "published"}},
        )
        for a in published
    )
    factors = FactorAssessment.objects.bulk_create(
        FactorAssessment(
            assessment=a,
            key_factor=kf,
            rating=(n + i) % 5,
            justification=f"How {a.workspace.city.name} does on {kf.title.lower()}. " * 2,
            lock_version=1,
            updated_by=a.created_by,
        )
        for n, a in enumerate(published)
        for i, kf in enumerate(key_factors)
    )
    by_key = {(f.assessment_id, f.key_factor_id): f for f in factors}
    answers = QuestionAnswer.Answer.values
    QuestionAnswer.objects.bulk_create(
        QuestionAnswer(factor=by_key[(a.pk, q.key_factor_id)], question=q, answer=answers[(n + q.pk) % 4])
        for n, a in enumerate(published)
        for q in questions
    )
    effects = ContextNote.Effect.values
    ContextNote.objects.bulk_create(
        ContextNote(
            assessment=a,
            context_factor=c,
            effect=effects[(n * 7 + i) % len(effects)],
            competence="national",
            note=f"How {c.title.lower()} shapes what the city can do.",
        )
        for n, a in enumerate(published)
        for i, c in enumerate(context_factors)
    )
    Post.objects.bulk_create(
        Post(community=community, key_factor=key_factors[0], author=u, for_city=m, text=f"What {m} learned.")
        for m, u in zip(members, people, strict=True)
    )
    Resource.objects.bulk_create(
        Resource(
            community=community,
            title=f"Guide of {m}",
            url="https://guides.example/",
            added_by=u,
            for_city=m,
        )
        for m, u in zip(members, people, strict=True)
    )
    return {
        "slug": community.slug,
        "assessment": str(published[0].public_id),
        "coordinator": people[0].pk,
        "benchmark": version.title,
        "cities": cities,
        "factors": len(key_factors),
    }


def measure(repeats: int, cities: int) -> dict[str, Any]:
    """Run inside a process whose DATABASE_URL names an empty database."""
    client, made = signed_in_world(set_up, cities)
    from django.urls import reverse

    urls = {
        "community": reverse("communities:community", args=[made["slug"]]),
        "ratings": reverse("communities:ratings", args=[made["slug"]]),
        "results": reverse("pages:results", args=[made["assessment"]]),
    }
    gc.collect()
    import config.wsgi  # noqa: F401 - the process tuned as the app server's is (config/wsgi.py)

    queries = warm_and_count(client, urls)
    load = os.getloadavg()[0]  # other work on the machine slows every column alike
    samples = time_in_turn(client, urls, repeats)
    return {
        "backend": backend_name(),
        "load": load,
        **made,
        "repeats": repeats,
        "median": {name: statistics.median(values) for name, values in samples.items()},
        "p95": {name: percentile(values, 0.95) for name, values in samples.items()},
        "queries": queries,
    }


def write_table(results: list[dict[str, Any]]) -> str:
    rows = [
        "| backend | member cities | community page p50 / p95 | ratings page p50 / p95 | results page p50 / p95 "
        "| community / results, p95 | ratings / results, p95 | queries: community, ratings, results |",
        "|---|---|---|---|---|---|---|---|",
    ]
    verdicts = []
    for r in results:
        median, p95, queries = r["median"], r["p95"], r["queries"]
        rows.append(
            f"| {r['backend']} | {r['cities']:,} "
            + "".join(f"| {median[name]:.1f} / {p95[name]:.1f} ms " for name in PAGES)
            + f"| {p95['community'] / p95['results']:.1f}× | {p95['ratings'] / p95['results']:.1f}× "
            f"| {queries['community']}, {queries['ratings']}, {queries['results']} |"
        )
        for name in ("community", "ratings"):
            ok = p95[name] < TARGET_MS
            verdicts.append(
                f"- {r['backend']}: the {name} page {'meets' if ok else 'MISSES'} its target (p95 under "
                f"{TARGET_MS:.0f} ms over {r['repeats']} requests: {p95[name]:.1f} ms)."
            )
        verdicts.append(
            f"- {r['backend']}: the machine's load average just before this run was {r['load']:.1f} on "
            f"{os.cpu_count()} cores (other work slows every page alike)."
        )
    first = results[0] if results else {}
    return "\n".join(
        [
            START,
            "## Communities of practice (`perf/communities.py`)",
            "",
            f"Measured {time.strftime('%Y-%m-%d')} on a {machine()}. A community on “{first.get('benchmark', '')}” "
            f"({first.get('factors', 0)} key factors) with {first.get('cities', 0):,} fictional member cities, "
            "each with a published assessment of the benchmark (every key factor rated and justified, every guide "
            "question answered, every context note filled) and the event that published it, a post in the first "
            "key factor's thread and a resource; one city in two consents to show its ratings named. The pages are "
            "requested through Django's test client as a member city's coordinator (the whole stack: middleware, "
            "permission checks, queries, rendering), in a process tuned as the app server's is (config/wsgi.py), "
            f"{first.get('repeats', 0)} times each after a warm-up, in turn: the community's page (members, the "
            "member cities' practices, the feed), its ratings side by side (named and anonymous parts per key "
            "factor) and, as the baseline, the results page of one member's assessment. The query counts are one "
            "request's; `communities/tests/` checks that they do not grow with the members.",
            "",
            *rows,
            "",
            *verdicts,
            END,
        ]
    )


def main() -> None:
    city_script_main(
        __doc__ or "",
        section="communities",
        module="perf.communities",
        measure=measure,
        write_table=write_table,
        cities=CITIES,
    )


if __name__ == "__main__":
    main()
