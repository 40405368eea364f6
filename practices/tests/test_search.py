"""Practice search: full text (FTS5 or PostgreSQL), ranked, highlighted, safe for any input, faceted."""

import html
import re

import pytest
from django.test import Client

from benchmarks.models import Benchmark
from cities.models import City
from practices.models import Practice
from practices.search import Filters, index_practices, search_practices

pytestmark = pytest.mark.django_db


def page_text(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def result_titles(page: str) -> list[str]:
    titles = re.findall(r'<li class="hit">\s*<h3><a href="[^"]+">(.*?)</a></h3>', page, flags=re.S)
    return [html.unescape(re.sub(r"</?mark>", "", t)) for t in titles]


def add_practice(slug: str, title: str, summary: str, city: str = "munich") -> Practice:
    practice = Practice.objects.create(
        slug=slug,
        city=City.objects.get(slug=city),
        benchmark=Benchmark.objects.get(slug="public-perception"),
        title=title,
        summary=summary,
    )
    index_practices([practice.pk])
    return practice


def test_search_finds_practices_by_words_in_their_summary(client: Client) -> None:
    expected = Practice.objects.get(slug__startswith="helsinki-job")
    titles = result_titles(page_text(client, "/practices/", q="hourly paid work"))
    assert expected.title in titles


def test_stemmed_words_match(client: Client) -> None:
    add_practice("munich-zebra-1", "Zebra crossings", "The city mentors newcomers.")
    assert "Zebra crossings" in result_titles(page_text(client, "/practices/", q="mentoring"))


def test_a_match_in_the_title_ranks_above_a_match_in_the_summary(client: Client) -> None:
    add_practice("munich-quokka-summary", "Neighbourhood festival", "Residents meet a quokka at the fair. " * 3)
    add_practice("munich-quokka-title", "Quokka lending scheme", "Residents borrow tools from each other.")
    titles = result_titles(page_text(client, "/practices/", q="quokka"))
    assert titles == ["Quokka lending scheme", "Neighbourhood festival"]


def test_matches_are_highlighted_and_text_is_escaped(client: Client) -> None:
    add_practice("munich-escaped", "Axolotl <b>club</b>", "An <script>alert(1)</script> axolotl workshop.")
    page = page_text(client, "/practices/", q="axolotl")
    assert "<mark>Axolotl</mark> &lt;b&gt;club&lt;/b&gt;" in page
    assert "<script>alert" not in page
    assert "<b>club</b>" not in page


@pytest.mark.parametrize(
    "hostile",
    ['"', "#", "NEAR(", "*", "'; DROP TABLE practices_practice; --", "a OR b AND", "-", "^x", "🙂", "\x00", "((("],
)
def test_any_input_is_safe(client: Client, hostile: str) -> None:
    response = client.get("/practices/", {"q": hostile})
    assert response.status_code == 200
    assert Practice.objects.count() > 100


def test_empty_and_overlong_queries_list_everything_or_nothing_without_error() -> None:
    everything = search_practices("", Filters())
    assert everything.total == Practice.objects.count()
    assert search_practices("zzqxv " * 500, Filters()).total == 0


def test_facets_count_and_filter_the_results(client: Client) -> None:
    result = search_practices("", Filters(country="DE"))
    assert result.total == Practice.objects.filter(city__country_code="DE").count()
    facets = {f.name: f for f in result.facets}
    assert [o.value for o in facets["country"].options] == ["DE"]
    assert facets["country"].options[0].selected
    by_city = {o.value: o.count for o in facets["city"].options}
    assert by_city["munich"] == Practice.objects.filter(city__slug="munich").count()
    assert sum(o.count for o in facets["benchmark"].options) == result.total


def test_key_factor_facet_selects_the_practices_of_that_factor(client: Client) -> None:
    value = "labour-market-partnerships.network-building"
    page = page_text(client, "/practices/", factor=value)
    expected = Practice.objects.filter(
        key_factors__slug="network-building", benchmark__slug="labour-market-partnerships"
    )
    assert sorted(result_titles(page)) == sorted(p.title for p in expected)
    assert "Remove Key factor:" in page


def test_the_query_and_filters_live_in_the_url(client: Client) -> None:
    page = page_text(client, "/practices/", q="volunteers", programme="values")
    assert 'value="volunteers"' in page
    # Facet links keep the query and the other filters; removing a filter keeps the query.
    assert "?q=volunteers&amp;programme=values&amp;country=" in page
    assert 'href="?q=volunteers"' in page
    titles = result_titles(page)
    assert titles
    assert all(Practice.objects.get(title=t, benchmark__programme__slug="values") for t in titles if "&" not in t)


def test_results_are_paged_and_pages_link_to_each_other(client: Client) -> None:
    first = page_text(client, "/practices/")
    assert "page 1 of" in first
    assert 'rel="next"' in first
    second = page_text(client, "/practices/", page="2")
    assert 'rel="prev"' in second
    assert set(result_titles(first)).isdisjoint(result_titles(second))
    assert page_text(client, "/practices/", page="nonsense")  # a bad page number is page 1
