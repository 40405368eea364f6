"""Read, validate and load the practices of data/practices/*.yaml, and the whole library with them.

`read_library` reads the benchmark content (benchmarks.library) and the practices, whose references
to benchmarks, key factors and cities it checks. `load_library` writes it all in one transaction:
nothing is written when any file is invalid; idempotent and version-aware as benchmarks.library
describes, with practices following their benchmark's current version; and it keeps the practice
search index up to date.
"""

from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from benchmarks.library import (
    Library,
    LibraryError,
    LoadReport,
    normalise_paragraphs,
    normalise_space,
    read_file,
    write_library,
)
from benchmarks.library import read_library as read_library_content
from benchmarks.models import Benchmark
from cities.models import City
from practices.models import ContactPerson, Organisation, Practice, PracticeLink
from practices.search import forget_lookups, index_practices


@dataclass
class WholeLibrary(Library):
    """The benchmark content and the practices."""

    practices: list[dict[str, Any]]  # each with "benchmark" set from its file name


def read_practices(data_dir: Path, content: Library) -> list[dict[str, Any]]:
    """Parse and validate the practices, checked against the benchmark content; raise LibraryError at the first
    problem."""
    cities = {c["slug"] for c in content.cities}
    factor_slugs = {
        b["slug"]: {f["slug"] for f in b.get("common_factors", []) + b["key_factors"]} for b in content.benchmarks
    }
    practices = []
    practice_files: dict[str, str] = {}
    for path in sorted((data_dir / "practices").glob("*.yaml")):
        name = str(path.relative_to(data_dir))
        if path.stem not in factor_slugs:
            raise LibraryError(name, "", f"no benchmark {path.stem!r} for this practices file")
        for index, practice in enumerate(read_file(data_dir, path, "practices")):
            if practice["slug"] in practice_files:
                raise LibraryError(
                    name, f"/{index}/slug", f"{practice['slug']!r} is also used in {practice_files[practice['slug']]}"
                )
            practice_files[practice["slug"]] = name
            if practice["city"] not in cities:
                raise LibraryError(name, f"/{index}/city", f"unknown city {practice['city']!r}")
            for factor in practice.get("key_factors", []):
                if factor not in factor_slugs[path.stem]:
                    raise LibraryError(name, f"/{index}/key_factors", f"{path.stem!r} has no key factor {factor!r}")
            practices.append({**practice, "benchmark": path.stem})
    return practices


def read_library(data_dir: Path) -> WholeLibrary:
    """Parse and validate the whole library; raise LibraryError at the first problem."""
    content = read_library_content(data_dir)
    parts = {f.name: getattr(content, f.name) for f in fields(content)}
    return WholeLibrary(**parts, practices=read_practices(data_dir, content))


def _load_practice(
    report: LoadReport, item: dict[str, Any], benchmark: Benchmark, *, added_at: datetime | None
) -> Practice | None:
    """Create or update one practice with its relations; return it when anything changed. A practice created
    gets `added_at` (None on the first load: see Practice.added_at)."""
    city = City.objects.get(slug=item["city"])
    values = {
        "city": city,
        "benchmark": benchmark,
        "kind": item["kind"],
        "title": normalise_space(item["title"]),
        "summary": normalise_paragraphs(item["summary"]),
    }
    practice = Practice.objects.filter(slug=item["slug"]).first()
    created = practice is None
    changed = False
    if practice is None:
        practice = Practice.objects.create(slug=item["slug"], added_at=added_at, **values)
    else:
        fields = [k for k, v in values.items() if getattr(practice, k) != v]
        if fields:
            for key in fields:
                setattr(practice, key, values[key])
            practice.save(update_fields=fields)
            changed = True

    if benchmark.current_version is None:
        raise LibraryError(item["benchmark"], "", "the benchmark has no version to link practices to")
    factors = list(benchmark.current_version.factors.filter(slug__in=item.get("key_factors", [])))
    if {f.pk for f in factors} != set(practice.key_factors.values_list("pk", flat=True)):
        practice.key_factors.set(factors)
        changed = True

    names = [normalise_space(n) for n in item.get("organisations", [])]
    organisations = []
    for name in names:
        organisation, made = Organisation.objects.get_or_create(name=name)
        if made:
            report.created["organisations"] += 1
        organisations.append(organisation)
    if {o.pk for o in organisations} != set(practice.organisations.values_list("pk", flat=True)):
        practice.organisations.set(organisations)
        changed = True

    links = [(link["url"], link.get("title", "")) for link in item.get("links", [])]
    if links != list(practice.links.values_list("url", "title")):
        practice.links.all().delete()
        PracticeLink.objects.bulk_create(
            PracticeLink(practice=practice, position=i, url=u, title=t) for i, (u, t) in enumerate(links)
        )
        changed = True

    contacts = [(c.get("name", ""), c.get("email", ""), c.get("role", "")) for c in item.get("contacts", [])]
    stored = list(practice.contacts.values_list("name", "email", "role"))
    if contacts != stored:
        # Keep recorded consent of people who are still listed.
        consent = {(c.name, c.email): c.consent_to_publish for c in practice.contacts.all()}
        practice.contacts.all().delete()
        ContactPerson.objects.bulk_create(
            ContactPerson(
                practice=practice, position=i, name=n, email=e, role=r, consent_to_publish=consent.get((n, e))
            )
            for i, (n, e, r) in enumerate(contacts)
        )
        changed = True

    if created:
        report.created["practices"] += 1
        return practice
    if changed:
        report.updated["practices"] += 1
        return practice
    return None


@transaction.atomic
def load_library(data_dir: Path) -> LoadReport:
    """Load the whole library in one transaction; nothing is written when any file is invalid."""
    library = read_library(data_dir)
    report = LoadReport()
    write_library(library, report)
    benchmarks = {b.slug: b for b in Benchmark.objects.select_related("current_version")}
    touched = []
    added_at = timezone.now() if Practice.objects.exists() else None  # the first load's were there from the start
    for item in library.practices:
        practice = _load_practice(report, item, benchmarks[item["benchmark"]], added_at=added_at)
        if practice is not None:
            touched.append(practice.pk)
    index_practices(touched)
    transaction.on_commit(forget_lookups)
    return report
