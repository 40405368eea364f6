"""The public library pages: what a reader sees, the headers every response carries, query budgets."""

import html
import re
import shutil
import subprocess

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.models import Benchmark, GuideQuestion, KeyFactor
from cities.models import City
from practices.models import Practice
from practices.search import forget_lookups, index_practices
from tests.support.pdf import pdf_objects

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page as a reader sees it: HTML entities decoded."""
    return html.unescape(response.content.decode())


def test_home_lists_every_benchmark_and_links_the_accessibility_statement(client: Client) -> None:
    page = text_of(client.get("/"))
    for benchmark in Benchmark.objects.published().with_current():
        assert benchmark.get_absolute_url() in page
        assert benchmark.current_version.title in page
    assert '<html lang="en">' in page
    assert 'href="#main"' in page.split("<header")[0]  # the skip link comes first
    assert 'href="/accessibility/"' in page


def test_benchmark_page_shows_standard_every_key_factor_question_and_source(client: Client) -> None:
    benchmark = Benchmark.objects.get(slug="labour-market-partnerships")
    version = benchmark.current_version
    page = text_of(client.get("/benchmarks/labour-market-partnerships/"))
    assert version.standard in page
    for factor in version.factors.all():
        assert factor.title in page
        for question in factor.guide_questions.all():
            assert question.text in page
    assert "Context factors" in page
    assert version.source_title in page
    assert "EUROCITIES asbl, Brussels" in page
    assert "Munich" in page  # the examples' cities


def test_values_benchmark_shows_its_common_factors(client: Client) -> None:
    page = text_of(client.get("/benchmarks/values-community-building/"))
    assert "Factors common to the four themes" in page
    assert "Appropriate framework for volunteering" in page


def test_key_factor_page_shows_related_factors_of_other_benchmarks(client: Client) -> None:
    factor = KeyFactor.objects.current().get(
        version__benchmark__slug="labour-market-partnerships", slug="feedback-monitoring-evaluation"
    )
    page = text_of(client.get(factor.get_absolute_url()))
    related = (
        KeyFactor.objects.current()
        .filter(topics__slug="monitoring-and-evaluation")
        .exclude(version__benchmark__slug="labour-market-partnerships")
    )
    assert related.count() >= 3
    for other in related:
        assert other.get_absolute_url() in page
    assert "Related factors in other benchmarks" in page


def test_practice_page_hides_contact_persons_without_consent(client: Client) -> None:
    practice = Practice.objects.filter(contacts__email__contains="@").distinct().first()
    assert practice is not None
    contact = practice.contacts.exclude(email="").first()
    page = text_of(client.get(practice.get_absolute_url()))
    assert contact.email not in page
    assert "not published without consent" in page
    contact.consent_to_publish = "2026-11-01T10:00:00Z"
    contact.save()
    assert contact.email in text_of(client.get(practice.get_absolute_url()))


def test_city_page_shows_its_practices_and_charter_status(client: Client) -> None:
    page = text_of(client.get("/cities/cesena/"))
    assert "Signatory since December 2020" in page
    for practice in Practice.objects.filter(city__slug="cesena"):
        assert practice.get_absolute_url() in page
    other = text_of(client.get("/cities/munich/"))
    assert "do not record whether this city has signed" in other


def test_charter_page_lists_commitments_under_the_four_roles(client: Client) -> None:
    page = text_of(client.get("/charter/"))
    for heading in ["As policymakers:", "As service providers:", "As employers:", "As buyers of goods and services:"]:
        assert heading in page
    assert "promote the development of a diverse supplier base." in page
    assert "/cities/cesena/" in page


def test_unknown_pages_answer_404_with_a_helpful_page(client: Client) -> None:
    for url in [
        "/benchmarks/nope/",
        "/benchmarks/public-perception/factors/nope/",
        "/practices/nope/",
        "/cities/x/",
        "/benchmarks/public-perception/versions/99/",
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert "Page not found" in text_of(response)


def test_pages_refuse_state_changing_methods(client: Client) -> None:
    assert client.post("/practices/", {"q": "x"}).status_code == 405
    assert client.post("/benchmarks/public-perception/").status_code == 405


def test_every_response_carries_the_security_headers(client: Client) -> None:
    response = client.get("/practices/?q=volunteer")
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]+'", csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert client.get("/nothing-here/")["X-Frame-Options"] == "DENY"


def test_printable_benchmark_cites_its_source(client: Client) -> None:
    page = text_of(client.get("/benchmarks/political-participation/print/"))
    version = Benchmark.objects.get(slug="political-participation").current_version
    assert version.standard in page
    assert f"<cite>{version.source_title}</cite>" in page
    assert page.count('class="factor"') == 8


def test_benchmark_pdf_is_tagged_has_a_language_and_contains_the_benchmark(client: Client, tmp_path) -> None:
    response = client.get("/benchmarks/migrant-entrepreneurs/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    objects = pdf_objects(pdf)
    assert b"/StructTreeRoot" in objects  # tagged
    assert re.search(rb"/Lang \(en\)", objects)  # with the document language
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian's poppler-utils) is needed; `make test` installs it")
    path = tmp_path / "benchmark.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    version = Benchmark.objects.get(slug="migrant-entrepreneurs").current_version
    assert " ".join(version.standard.split()) in flat
    assert "Services to promote and support migrant entrepreneurs" in flat
    assert "Eurocities" in flat or "EUROCITIES" in flat
    question = GuideQuestion.objects.filter(key_factor__version=version).first()
    assert " ".join(question.text.split()[:6]) in flat


# Query budgets (F1): the same number of queries however much data there is.


def grow_library(practices: int) -> None:
    """Add practices of a fictional city, each linked to factors, links and contacts."""
    city, _ = City.objects.get_or_create(slug="fictionalia", name="Fictionalia", country="Utopia", country_code="XU")
    benchmark = Benchmark.objects.get(slug="labour-market-partnerships")
    factors = list(benchmark.current_version.factors.all())
    ids = []
    start = Practice.objects.filter(city=city).count()
    for n in range(start, start + practices):
        practice = Practice.objects.create(
            slug=f"fictionalia-extra-{n}", city=city, benchmark=benchmark, title=f"Extra {n}", summary="Jobs " * 30
        )
        practice.key_factors.set(factors[:3])
        practice.links.create(url=f"https://example.org/{n}")
        practice.contacts.create(name="Person", email=f"p{n}@example.org")
        ids.append(practice.pk)
    index_practices(ids)


PAGES = [
    "/",
    "/programmes/",
    "/programmes/cities-grow/",
    "/benchmarks/labour-market-partnerships/",
    "/benchmarks/labour-market-partnerships/print/",
    "/benchmarks/labour-market-partnerships/factors/appropriate-framework/",
    "/topics/leadership/",
    "/charter/",
    "/cities/",
    "/cities/fictionalia/",
    "/practices/",
    "/practices/?q=jobs",
    "/practices/?q=jobs&benchmark=labour-market-partnerships&country=XU",
    "/practices/fictionalia-extra-1/",
]


def count_queries(client: Client, url: str) -> int:
    forget_lookups()  # count the worst case: a process that has not cached the search lookups yet
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_query_counts_do_not_grow_with_the_data(client: Client) -> None:
    grow_library(2)
    small = {url: count_queries(client, url) for url in PAGES}
    grow_library(40)
    large = {url: count_queries(client, url) for url in PAGES}
    assert large == small
    assert max(large.values()) <= 12
