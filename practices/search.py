"""Full-text search of practices: SQLite FTS5 or PostgreSQL full-text search, ranked and highlighted.

Both backends share the same shape: the text query narrows a QuerySet (so facet filters and facet
counts stay plain ORM), one ranked query fetches the ids of a page, and highlighting is computed
only for that page. User input never reaches a query language unquoted: FTS5 gets each word as
a quoted string, PostgreSQL gets `websearch_to_tsquery`, which accepts any text.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import RawSQL
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


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def index_practices(practice_ids: Iterable[int]) -> None:
    """Bring the search index up to date for these practices (call inside the writing transaction)."""
    ids = list(practice_ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        if is_sqlite():
            placeholders = ",".join(["%s"] * len(ids))
            # Only the constant table name and "%s" placeholders are formatted in; ids are parameters.
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", ids)  # noqa: S608
            cursor.execute(
                f"""
                INSERT INTO {FTS_TABLE} (rowid, title, summary, context)
                SELECT p.id, p.title, p.summary,
                       c.name || ' ' || c.country || ' ' || COALESCE((
                           SELECT group_concat(o.name, ' ')
                           FROM practices_practice_organisations po
                           JOIN practices_organisation o ON o.id = po.organisation_id
                           WHERE po.practice_id = p.id), '')
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

    def as_q(self) -> Q:
        q = Q()
        if self.benchmark:
            q &= Q(benchmark__slug=self.benchmark)
        if self.factor:
            benchmark_slug, _sep, factor_slug = self.factor.partition(".")
            q &= Q(
                key_factors__slug=factor_slug,
                key_factors__version__benchmark__slug=benchmark_slug,
                key_factors__version__benchmark__current_version=F("key_factors__version"),
            )
        if self.programme:
            q &= Q(benchmark__programme__slug=self.programme)
        if self.city:
            q &= Q(city__slug=self.city)
        if self.country:
            q &= Q(city__country_code=self.country.upper())
        return q

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


def matching(query: str) -> tuple[QuerySet[Practice], list[str]]:
    """Practices that match the text query (all practices when it has no words)."""
    words = words_of(query)
    queryset = Practice.objects.all()
    if not words:
        return queryset, words
    if is_sqlite():
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608 - constant table
        return queryset.filter(pk__in=RawSQL(sql, [fts5_expression(words)])), words  # noqa: S611 - parameterised
    return queryset.filter(search_vector=_pg_query(words)), words


def _pg_query(words: list[str]) -> SearchQuery:
    return SearchQuery(" ".join(words), search_type="websearch", config=PG_CONFIG)


def _ranked_page(queryset: QuerySet[Practice], words: list[str], offset: int) -> list[tuple[int, str, str]]:
    """(id, marked title, marked snippet) for one page, best first."""
    if is_sqlite():
        inner_sql, inner_params = queryset.values("pk").query.sql_with_params()
        sql = f"""
            SELECT f.rowid,
                   highlight({FTS_TABLE}, 0, %s, %s),
                   snippet({FTS_TABLE}, 1, %s, %s, '…', 32)
            FROM {FTS_TABLE} f
            WHERE {FTS_TABLE} MATCH %s AND f.rowid IN ({inner_sql})
            ORDER BY bm25({FTS_TABLE}, 8.0, 1.0, 2.0), f.rowid
            LIMIT %s OFFSET %s
        """  # noqa: S608 - table names are constants; every value is a parameter
        params = [MARK_START, MARK_END, MARK_START, MARK_END, fts5_expression(words), *inner_params]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, PER_PAGE, offset])
            return [(row[0], row[1], row[2]) for row in cursor.fetchall()]
    search = _pg_query(words)
    ids = list(
        queryset.annotate(rank=SearchRank(F("search_vector"), search))
        .order_by("-rank", "pk")
        .values_list("pk", flat=True)[offset : offset + PER_PAGE]
    )

    marks = {"start_sel": MARK_START, "stop_sel": MARK_END, "config": PG_CONFIG}
    rows = (
        Practice.objects.filter(pk__in=ids)
        .annotate(
            title_marked=SearchHeadline("title", search, highlight_all=True, **marks),  # type: ignore[arg-type]
            summary_marked=SearchHeadline("summary", search, max_words=40, min_words=20, **marks),  # type: ignore[arg-type]
        )
        .values_list("pk", "title_marked", "summary_marked")
    )
    by_id = {row[0]: (row[0], row[1], row[2]) for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def _facets(queryset: QuerySet[Practice], filters: Filters) -> list[Facet]:
    def options(selected: str, rows: Iterable[dict[str, Any]], value: str, label: str) -> list[FacetOption]:
        found = [
            FacetOption(str(r[value]), str(r[label]), r["n"], str(r[value]) == selected)
            for r in rows
            if r[value] is not None
        ]
        return sorted(found, key=lambda o: (-o.count, o.label))

    def grouped(*fields: str) -> Iterable[dict[str, Any]]:
        return queryset.order_by().values(*fields).annotate(n=Count("pk", distinct=True))

    factor_rows = [
        {"value": f"{r['benchmark__slug']}.{r['key_factors__slug']}", "label": r["key_factors__title"], "n": r["n"]}
        for r in queryset.filter(key_factors__version__benchmark__current_version=F("key_factors__version"))
        .order_by()
        .values("benchmark__slug", "key_factors__slug", "key_factors__title")
        .annotate(n=Count("pk", distinct=True))
    ]
    return [
        Facet(
            "programme",
            _("Programme"),
            options(
                filters.programme,
                grouped("benchmark__programme__slug", "benchmark__programme__name"),
                "benchmark__programme__slug",
                "benchmark__programme__name",
            ),
        ),
        Facet(
            "benchmark",
            _("Benchmark"),
            options(
                filters.benchmark,
                grouped("benchmark__slug", "benchmark__current_version__title"),
                "benchmark__slug",
                "benchmark__current_version__title",
            ),
        ),
        Facet("factor", _("Key factor"), options(filters.factor, factor_rows, "value", "label")),
        Facet(
            "country",
            _("Country"),
            options(
                filters.country.upper(),
                grouped("city__country_code", "city__country"),
                "city__country_code",
                "city__country",
            ),
        ),
        Facet(
            "city", _("City"), options(filters.city, grouped("city__slug", "city__name"), "city__slug", "city__name")
        ),
    ]


def search_practices(query: str, filters: Filters, page: int = 1) -> SearchResult:
    queryset, words = matching(query)
    queryset = queryset.filter(filters.as_q())
    total = queryset.count()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    offset = (page - 1) * PER_PAGE
    if words:
        rows = _ranked_page(queryset, words, offset)
    else:
        practices = queryset.order_by("city__name", "title", "pk")[offset : offset + PER_PAGE]
        rows = [(p.pk, p.title, Truncator(p.summary).words(40)) for p in practices]
    by_id = {p.pk: p for p in Practice.objects.for_listing().filter(pk__in=[r[0] for r in rows])}
    hits = [
        Hit(by_id[pk], marked_to_html(title), marked_to_html(snippet)) for pk, title, snippet in rows if pk in by_id
    ]
    return SearchResult(query, filters, total, page, pages, hits, _facets(queryset, filters))
