"""Full-text search of practices: SQLite FTS5 or PostgreSQL full-text search, ranked, highlighted, faceted.

One query finds every candidate with what ranking and facets need (score, benchmark, city, key
factors); facet filters and counts are then plain Python over those few integers, so a search
costs one full-text evaluation however many facets there are. Highlighting is computed only for
the page shown. User input never reaches a query language unquoted: FTS5 gets each word as a
quoted string, PostgreSQL gets `websearch_to_tsquery`, which accepts any text.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection
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
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", ids)  # noqa: S608
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
                """,  # noqa: S608 - as above
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
    """Every word quoted (so `#`, `"`, `NEAR`, `*` are plain text); all must match; the last may be a prefix."""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


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
    practice: Practice
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchResult:
    query: str
    filters: Filters
    total: int
    page: int
    pages: int
    hits: list[Hit] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    pk: int
    score: float  # lower is better
    benchmark_id: int
    city_id: int
    factor_ids: frozenset[int]


def _factor_ids(text: str | None) -> frozenset[int]:
    return frozenset(int(x) for x in (text or "").split())


def candidates(words: list[str]) -> list[Candidate]:
    """Every practice that matches the words (all practices when there are none), in one query."""
    with connection.cursor() as cursor:
        if not words:
            cursor.execute(
                "SELECT p.id, p.benchmark_id, p.city_id, k.keyfactor_id FROM practices_practice p "
                "LEFT JOIN practices_practice_key_factors k ON k.practice_id = p.id"
            )
            grouped: dict[int, tuple[int, int, set[int]]] = {}
            for pk, benchmark_id, city_id, factor_id in cursor.fetchall():
                entry = grouped.setdefault(pk, (benchmark_id, city_id, set()))
                if factor_id is not None:
                    entry[2].add(factor_id)
            return [Candidate(pk, 0.0, b, c, frozenset(f)) for pk, (b, c, f) in grouped.items()]
        if is_sqlite():
            cursor.execute(
                f"SELECT rowid, bm25({FTS_TABLE}, 8.0, 1.0, 2.0), benchmark_id, city_id, factor_ids "  # noqa: S608
                f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
                [fts5_expression(words)],
            )
        else:
            cursor.execute(
                """
                SELECT p.id, -ts_rank(p.search_vector, q), p.benchmark_id, p.city_id,
                       (SELECT string_agg(k.keyfactor_id::text, ' ')
                        FROM practices_practice_key_factors k WHERE k.practice_id = p.id)
                FROM practices_practice p, websearch_to_tsquery(%s::regconfig, %s) q
                WHERE p.search_vector @@ q
                """,
                [PG_CONFIG, " ".join(words)],
            )
        return [Candidate(row[0], row[1], row[2], row[3], _factor_ids(row[4])) for row in cursor.fetchall()]


@dataclass
class _Lookups:
    """The small tables that filters and facet labels resolve against, read once per search."""

    benchmarks: dict[int, tuple[str, str, str, str]]  # id -> slug, title, programme slug, programme name
    cities: dict[int, tuple[str, str, str, str]]  # id -> slug, name, country code, country
    factors: dict[int, tuple[str, str]]  # current key factor id -> "benchmark.factor", title

    def allowed(self, filters: Filters) -> tuple[set[int], set[int], set[int] | None]:
        """Ids of the benchmarks, cities and (when filtered) key factors that the filters let through."""
        country = filters.country.upper()
        benchmarks = {
            pk
            for pk, (slug, _t, programme, _n) in self.benchmarks.items()
            if filters.benchmark in ("", slug) and filters.programme in ("", programme)
        }
        cities = {
            pk
            for pk, (slug, _n, code, _c) in self.cities.items()
            if filters.city in ("", slug) and country in ("", code)
        }
        factors = None
        if filters.factor:
            factors = {pk for pk, (value, _t) in self.factors.items() if value == filters.factor}
        return benchmarks, cities, factors


def _lookups() -> _Lookups:
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


def _facets(found: list[Candidate], lookups: _Lookups, filters: Filters) -> list[Facet]:
    by_benchmark = Counter(c.benchmark_id for c in found)
    by_city = Counter(c.city_id for c in found)
    by_factor = Counter(f for c in found for f in c.factor_ids)
    counters: dict[str, Counter[tuple[str, str]]] = {
        name: Counter() for name in ("programme", "benchmark", "factor", "country", "city")
    }
    for benchmark_id, n in by_benchmark.items():
        b_slug, b_title, p_slug, p_name = lookups.benchmarks[benchmark_id]
        counters["benchmark"][(b_slug, b_title)] += n
        counters["programme"][(p_slug, p_name)] += n
    for city_id, n in by_city.items():
        c_slug, c_name, c_code, c_country = lookups.cities[city_id]
        counters["city"][(c_slug, c_name)] += n
        counters["country"][(c_code, c_country)] += n
    for factor_id, n in by_factor.items():
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


def best_first(found: list[Candidate], offset: int, limit: int = PER_PAGE) -> list[int]:
    """One page of ids, best score first (ties by id, so pages are stable)."""
    return [c.pk for c in sorted(found, key=lambda c: (c.score, c.pk))[offset : offset + limit]]


def _marked(words: list[str], ids: list[int]) -> dict[int, tuple[str, str]]:
    """Highlighted title and snippet of a page of practices (computed for those rows only)."""
    if not ids:
        return {}
    if is_sqlite():
        placeholders = ",".join(["%s"] * len(ids))
        sql = f"""
            SELECT rowid, highlight({FTS_TABLE}, 0, %s, %s), snippet({FTS_TABLE}, 1, %s, %s, '…', 32)
            FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})
        """  # noqa: S608 - the constant table name and placeholders only; every value is a parameter
        with connection.cursor() as cursor:
            cursor.execute(sql, [MARK_START, MARK_END, MARK_START, MARK_END, fts5_expression(words), *ids])
            return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
    search = SearchQuery(" ".join(words), search_type="websearch", config=PG_CONFIG)
    marks = {"start_sel": MARK_START, "stop_sel": MARK_END, "config": PG_CONFIG}
    rows = (
        Practice.objects.filter(pk__in=ids)
        .annotate(
            title_marked=SearchHeadline("title", search, highlight_all=True, **marks),  # type: ignore[arg-type]
            summary_marked=SearchHeadline("summary", search, max_words=40, min_words=20, **marks),  # type: ignore[arg-type]
        )
        .values_list("pk", "title_marked", "summary_marked")
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def search_practices(query: str, filters: Filters, page: int = 1) -> SearchResult:
    words = words_of(query)
    lookups = _lookups()
    benchmarks, cities, factors = lookups.allowed(filters)
    found = [
        c
        for c in candidates(words)
        if c.benchmark_id in benchmarks
        and c.city_id in cities
        and (factors is None or not factors.isdisjoint(c.factor_ids))
    ]
    total = len(found)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    offset = (page - 1) * PER_PAGE
    if words:
        ids = best_first(found, offset)
        marked = _marked(words, ids)
        practices = Practice.objects.for_listing().in_bulk(ids)
        hits = [
            Hit(practices[pk], marked_to_html(marked[pk][0]), marked_to_html(marked[pk][1]))
            for pk in ids
            if pk in practices and pk in marked
        ]
    else:
        listing = Practice.objects.filter(benchmark_id__in=benchmarks, city_id__in=cities)
        if factors is not None:
            listing = listing.filter(key_factors__in=factors)
        page_rows = listing.for_listing().order_by("city__name", "title", "pk")[offset : offset + PER_PAGE]
        hits = [Hit(p, marked_to_html(p.title), marked_to_html(Truncator(p.summary).words(40))) for p in page_rows]
    return SearchResult(query, filters, total, page, pages, hits, _facets(found, lookups, filters))
