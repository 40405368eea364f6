"""Full-text search of practices: SQLite FTS5 or PostgreSQL full-text search, ranked, highlighted, faceted.

One query finds every candidate with what ranking and facets need (score, benchmark, city, key
factors); facet filters and counts are then plain Python over those few integers, so a search
costs one full-text evaluation however many facets there are. Highlighting is computed only for
the page shown. User input never reaches a query language unquoted: FTS5 gets each word as a
quoted string, PostgreSQL gets `websearch_to_tsquery`, which accepts any text.
"""

import json
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from practices.models import Practice

FTS_TABLE = "practices_practice_fts"
PG_CONFIG = "english"
# Private-use characters mark highlighted words until the text is HTML-escaped.
MARK_START, MARK_END = "\ue000", "\ue001"
MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
PER_PAGE = 20
FACET_OPTIONS = 12


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def index_practices(practice_ids: Iterable[int]) -> None:
    """Bring the search index up to date for these practices (call inside the writing transaction).

    Call it whenever a practice's text, city, organisations, benchmark or key factors change.
    """
    ids = list(practice_ids)
    if not ids:
        return
    placeholders = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if is_sqlite():
            # Only the constant table name and "%s" placeholders are formatted in; ids are parameters.
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", ids)
            cursor.execute(
                f"""
                INSERT INTO {FTS_TABLE} (rowid, title, summary, context, benchmark_id, city_id, factor_ids)
                SELECT p.id, p.title, p.summary,
                       c.name || ' ' || c.country || ' ' || COALESCE((
                           SELECT group_concat(o.name, ' ')
                           FROM practices_practice_organisations po
                           JOIN practices_organisation o ON o.id = po.organisation_id
                           WHERE po.practice_id = p.id), ''),
                       p.benchmark_id, p.city_id,
                       COALESCE((SELECT group_concat(k.keyfactor_id, ' ')
                                 FROM practices_practice_key_factors k WHERE k.practice_id = p.id), '')
                FROM practices_practice p JOIN cities_city c ON c.id = p.city_id
                WHERE p.id IN ({placeholders})
                """,
                ids,
            )
        else:
            cursor.execute(
                """
                UPDATE practices_practice p SET search_vector =
                    setweight(to_tsvector(%s::regconfig, p.title), 'A')
                    || setweight(to_tsvector(%s::regconfig, p.summary), 'B')
                    || setweight(to_tsvector(%s::regconfig, c.name || ' ' || c.country || ' ' || COALESCE((
                           SELECT string_agg(o.name, ' ')
                           FROM practices_practice_organisations po
                           JOIN practices_organisation o ON o.id = po.organisation_id
                           WHERE po.practice_id = p.id), '')), 'C')
                FROM cities_city c
                WHERE c.id = p.city_id AND p.id = ANY(%s)
                """,
                [PG_CONFIG, PG_CONFIG, PG_CONFIG, ids],
            )


def words_of(query: str) -> list[str]:
    cleaned = query[:MAX_QUERY_LENGTH].replace(MARK_START, " ").replace(MARK_END, " ")
    return re.findall(r"\w+", cleaned)[:MAX_WORDS]


def fts5_expression(words: list[str]) -> str:
    """Every word quoted (so `#`, `"`, `NEAR`, `*` are plain text), all must match.

    No prefix matching: the porter stemmer already joins "volunteer", "volunteers" and
    "volunteering", as PostgreSQL's english configuration does, and prefixes are several times slower.
    """
    return " ".join(f'"{w}"' for w in words)


def marked_to_html(text: str) -> SafeString:
    html = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own markers become tags


@dataclass
class Filters:
    benchmark: str = ""
    factor: str = ""  # "<benchmark-slug>.<factor-slug>"
    programme: str = ""
    city: str = ""
    country: str = ""

    def items(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: Any
    options: list[FacetOption]
    hidden: int = 0  # options left out of the list (the least frequent)


@dataclass
class Hit:
    """What a result shows: plain values, read with one light query for the page."""

    url: str
    title_html: SafeString
    snippet_html: SafeString
    city: str
    country: str
    benchmark: str
    kind: str


@dataclass
class SearchResult:
    query: str
    filters: Filters
    total: int
    page: int
    pages: int
    hits: list[Hit] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)


def matching_ids(words: list[str]) -> list[int]:
    """Ids of every practice that matches all the words: the index lookup alone, unranked."""
    with connection.cursor() as cursor:
        if is_sqlite():
            sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
            cursor.execute(sql, [fts5_expression(words)])
        else:
            cursor.execute(
                "SELECT id FROM practices_practice WHERE search_vector @@ websearch_to_tsquery(%s::regconfig, %s)",
                [PG_CONFIG, " ".join(words)],
            )
        return [row[0] for row in cursor.fetchall()]


@dataclass
class _Found:
    total: int
    by_benchmark: dict[int, int]  # benchmark id -> number of matches
    by_city: dict[int, int]
    by_factor: dict[int, int]
    page_ids: list[int]  # best first (empty without words: the caller lists those in title order)


def _in_list(column: str, ids: set[int] | None, params: list[Any]) -> str:
    if ids is None:
        return ""
    if not ids:
        return " AND 1 = 0"
    params.extend(sorted(ids))
    return f" AND {column} IN ({','.join(['%s'] * len(ids))})"


def _json(value: Any) -> list[Any]:
    """SQLite returns JSON aggregates as text, psycopg as parsed values; no rows give NULL."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


def _find(
    words: list[str], benchmarks: set[int] | None, cities: set[int] | None, factors: set[int] | None, offset: int
) -> _Found:
    """Count, facet counts and one ranked page of matches, in one statement that matches the text once."""
    params: list[Any] = []
    sqlite = is_sqlite()
    if not words:
        matches = "SELECT p.id, p.benchmark_id, p.city_id, 0 AS score FROM practices_practice p WHERE 1 = 1"
    elif sqlite:
        matches = (
            f"SELECT p.id, p.benchmark_id, p.city_id, bm25({FTS_TABLE}, 8.0, 1.0, 2.0) AS score "
            f"FROM {FTS_TABLE} JOIN practices_practice p ON p.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s"
        )
        params.append(fts5_expression(words))
    else:
        matches = (
            "SELECT p.id, p.benchmark_id, p.city_id, -ts_rank(p.search_vector, q) AS score "
            "FROM practices_practice p, websearch_to_tsquery(%s::regconfig, %s) q WHERE p.search_vector @@ q"
        )
        params += [PG_CONFIG, " ".join(words)]
    matches += _in_list("p.benchmark_id", benchmarks, params)
    matches += _in_list("p.city_id", cities, params)
    if factors is not None:
        factor_params: list[Any] = []
        condition = _in_list("k2.keyfactor_id", factors, factor_params)
        matches += (
            f" AND EXISTS (SELECT 1 FROM practices_practice_key_factors k2 WHERE k2.practice_id = p.id{condition})"
        )
        params += factor_params
    array, aggregate = ("json_array", "json_group_array") if sqlite else ("json_build_array", "json_agg")
    limit = PER_PAGE if words else 0
    sql = f"""
        WITH m AS MATERIALIZED ({matches})
        SELECT
          (SELECT {aggregate}({array}(benchmark_id, n)) FROM
             (SELECT benchmark_id, count(*) AS n FROM m GROUP BY benchmark_id) b),
          (SELECT {aggregate}({array}(city_id, n)) FROM
             (SELECT city_id, count(*) AS n FROM m GROUP BY city_id) c),
          (SELECT {aggregate}({array}(keyfactor_id, n)) FROM
             (SELECT k.keyfactor_id, count(*) AS n FROM practices_practice_key_factors k
              JOIN m ON m.id = k.practice_id GROUP BY k.keyfactor_id) f),
          (SELECT {aggregate}({array}(id, score)) FROM
             (SELECT id, score FROM m ORDER BY score, id LIMIT %s OFFSET %s) t)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        by_benchmark, by_city, by_factor, page = cursor.fetchone()
    benchmark_counts = {row[0]: row[1] for row in _json(by_benchmark)}
    ranked = sorted(_json(page), key=lambda row: (row[1], row[0]))
    return _Found(
        total=sum(benchmark_counts.values()),
        by_benchmark=benchmark_counts,
        by_city={row[0]: row[1] for row in _json(by_city)},
        by_factor={row[0]: row[1] for row in _json(by_factor)},
        page_ids=[row[0] for row in ranked],
    )


@dataclass
class _Lookups:
    """The small tables that filters and facet labels resolve against, read once per search."""

    benchmarks: dict[int, tuple[str, str, str, str]]  # id -> slug, title, programme slug, programme name
    cities: dict[int, tuple[str, str, str, str]]  # id -> slug, name, country code, country
    factors: dict[int, tuple[str, str]]  # current key factor id -> "benchmark.factor", title

    def knows(self, found: "_Found") -> bool:
        return found.by_benchmark.keys() <= self.benchmarks.keys() and found.by_city.keys() <= self.cities.keys()

    def allowed(self, filters: Filters) -> tuple[set[int] | None, set[int] | None, set[int] | None]:
        """Ids of the benchmarks, cities and key factors the filters let through (None: not filtered)."""
        country = filters.country.upper()
        benchmarks = cities = factors = None
        if filters.benchmark or filters.programme:
            benchmarks = {
                pk
                for pk, (slug, _t, programme, _n) in self.benchmarks.items()
                if filters.benchmark in ("", slug) and filters.programme in ("", programme)
            }
        if filters.city or country:
            cities = {
                pk
                for pk, (slug, _n, code, _c) in self.cities.items()
                if filters.city in ("", slug) and country in ("", code)
            }
        if filters.factor:
            factors = {pk for pk, (value, _t) in self.factors.items() if value == filters.factor}
        return benchmarks, cities, factors


_cached_lookups: tuple[float, _Lookups] | None = None
LOOKUPS_TTL = 60.0


def _lookups(*, fresh: bool = False) -> _Lookups:
    """Benchmarks, cities and current key factors, kept for a minute in the process.

    They change only when the library is loaded; a search that meets an id they do not know
    (a city added since) reads them again at once, so the worst case is a label a minute old.
    """
    global _cached_lookups
    now = time.monotonic()
    if not fresh and _cached_lookups and now - _cached_lookups[0] < LOOKUPS_TTL:
        return _cached_lookups[1]
    lookups = _read_lookups()
    _cached_lookups = (now, lookups)
    return lookups


def forget_lookups() -> None:
    """Drop this process's copy of the lookups (after loading the library, and in tests)."""
    global _cached_lookups
    _cached_lookups = None


def _read_lookups() -> _Lookups:
    from benchmarks.models import Benchmark, KeyFactor
    from cities.models import City

    return _Lookups(
        benchmarks={
            row[0]: (row[1], row[2] or row[1], row[3], row[4])
            for row in Benchmark.objects.values_list(
                "pk", "slug", "current_version__title", "programme__slug", "programme__name"
            )
        },
        cities={row[0]: row[1:] for row in City.objects.values_list("pk", "slug", "name", "country_code", "country")},
        factors={
            row[0]: (f"{row[1]}.{row[2]}", row[3])
            for row in KeyFactor.objects.current().values_list("pk", "version__benchmark__slug", "slug", "title")
        },
    )


def _facets(found: _Found, lookups: _Lookups, filters: Filters) -> list[Facet]:
    counters: dict[str, Counter[tuple[str, str]]] = {
        name: Counter() for name in ("programme", "benchmark", "factor", "country", "city")
    }
    for benchmark_id, n in found.by_benchmark.items():
        b_slug, b_title, p_slug, p_name = lookups.benchmarks[benchmark_id]
        counters["benchmark"][(b_slug, b_title)] += n
        counters["programme"][(p_slug, p_name)] += n
    for city_id, n in found.by_city.items():
        c_slug, c_name, c_code, c_country = lookups.cities[city_id]
        counters["city"][(c_slug, c_name)] += n
        counters["country"][(c_code, c_country)] += n
    for factor_id, n in found.by_factor.items():
        if factor_id in lookups.factors:
            counters["factor"][lookups.factors[factor_id]] += n
    selected = {**vars(filters), "country": filters.country.upper()}
    labels = {
        "programme": _("Programme"),
        "benchmark": _("Benchmark"),
        "factor": _("Key factor"),
        "country": _("Country"),
        "city": _("City"),
    }
    facets = []
    for name, label in labels.items():
        options = sorted(
            (FacetOption(value, text, n, value == selected[name]) for (value, text), n in counters[name].items()),
            key=lambda o: (-o.count, o.label),
        )
        # Long lists help nobody: the most frequent options, and the selected one wherever it ranks.
        shown = options[:FACET_OPTIONS] + [o for o in options[FACET_OPTIONS:] if o.selected]
        facets.append(Facet(name, label, shown, hidden=len(options) - len(shown)))
    return facets


HIT_FIELDS = ("pk", "slug", "kind", "city__name", "city__country", "benchmark__current_version__title")


def _hit(row: tuple[Any, ...], title: str, snippet: str) -> Hit:
    _pk, slug, kind, city, country, benchmark = row[:6]
    return Hit(
        url=reverse("practices:practice", args=[slug]),
        title_html=marked_to_html(title),
        snippet_html=marked_to_html(snippet),
        city=city,
        country=country,
        benchmark=benchmark,
        kind=str(Practice.Kind(kind).label),
    )


def _hits(words: list[str], ids: list[int]) -> list[Hit]:
    """The page's results with highlighted title and snippet, computed for those rows only."""
    if not ids:
        return []
    listing = Practice.objects.filter(pk__in=ids)
    if is_sqlite():
        placeholders = ",".join(["%s"] * len(ids))
        sql = f"""
            SELECT rowid, highlight({FTS_TABLE}, 0, %s, %s), snippet({FTS_TABLE}, 1, %s, %s, '…', 32)
            FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [MARK_START, MARK_END, MARK_START, MARK_END, fts5_expression(words), *ids])
            marked = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
        rows = {row[0]: row for row in listing.values_list(*HIT_FIELDS)}
    else:
        # One query: the rows with PostgreSQL's headlines of them.
        search = SearchQuery(" ".join(words), search_type="websearch", config=PG_CONFIG)
        annotated = listing.annotate(
            title_marked=SearchHeadline(
                "title", search, config=PG_CONFIG, start_sel=MARK_START, stop_sel=MARK_END, highlight_all=True
            ),
            summary_marked=SearchHeadline(
                "summary",
                search,
                config=PG_CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_END,
                max_fragments=2,
                max_words=20,
                min_words=8,
                fragment_delimiter=" … ",
            ),
        )
        rows = {row[0]: row for row in annotated.values_list(*HIT_FIELDS, "title_marked", "summary_marked")}
        marked = {pk: (row[6], row[7]) for pk, row in rows.items()}
    return [_hit(rows[pk], *marked[pk]) for pk in ids if pk in rows and pk in marked]


def search_practices(query: str, filters: Filters, page: int = 1) -> SearchResult:
    words = words_of(query)
    lookups = _lookups()
    benchmarks, cities, factors = lookups.allowed(filters)
    found = _find(words, benchmarks, cities, factors, offset=(max(1, page) - 1) * PER_PAGE)
    if not lookups.knows(found):
        lookups = _lookups(fresh=True)
        benchmarks, cities, factors = lookups.allowed(filters)
        found = _find(words, benchmarks, cities, factors, offset=(max(1, page) - 1) * PER_PAGE)
    pages = max(1, -(-found.total // PER_PAGE))
    if page > pages:  # past the end: show the last page
        page = pages
        found = _find(words, benchmarks, cities, factors, offset=(page - 1) * PER_PAGE)
    page = max(1, page)
    if words:
        hits = _hits(words, found.page_ids)
    else:
        listing = Practice.objects.all()
        if benchmarks is not None:
            listing = listing.filter(benchmark_id__in=benchmarks)
        if cities is not None:
            listing = listing.filter(city_id__in=cities)
        if factors is not None:
            listing = listing.filter(key_factors__in=factors)
        offset = (page - 1) * PER_PAGE
        page_rows = listing.order_by("city__name", "title", "pk").values_list(*HIT_FIELDS, "title", "summary")
        hits = [_hit(row, row[6], Truncator(row[7]).words(40)) for row in page_rows[offset : offset + PER_PAGE]]
    return SearchResult(query, filters, found.total, page, pages, hits, _facets(found, lookups, filters))
