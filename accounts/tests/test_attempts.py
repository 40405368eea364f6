"""The table of counted attempts stays small and cheap to prune (docs/quality.md S8): rows older than a day
go, by an index, with one record in PRUNE_EVERY."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import ratelimit
from accounts.models import Attempt
from lib.clients import hashed

pytestmark = pytest.mark.django_db


def the_prune_query() -> str:
    """The DELETE that the clean-up really sends, as the database received it."""
    with CaptureQueriesContext(connection) as queries:
        ratelimit.prune(timezone.now())
    deletes = [query["sql"] for query in queries if query["sql"].upper().startswith("DELETE")]
    assert len(deletes) == 1, queries.captured_queries
    return deletes[0]


def plan(sql: str) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table this small is always cheaper to read whole; the question is whether an index can
            # serve the DELETE at all, as it must once the table holds a day of sign-ups and failures.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(" ".join(str(column) for column in row) for row in cursor.fetchall())


def test_the_clean_up_of_old_attempts_uses_the_created_at_index() -> None:
    for n in range(20):
        ratelimit.record("signup", hashed("signup", f"192.0.2.{n}"))
    explained = plan(the_prune_query())
    # By name: without attempt_created, PostgreSQL (made to avoid a sequential scan) reads the whole of
    # attempt_lookup instead, whose first column is kind, which is no cheaper.
    assert "attempt_created" in explained, explained
    assert "Seq Scan" not in explained
    assert "SCAN accounts_attempt" not in explained


def test_old_attempts_are_pruned_within_prune_every_records(clock) -> None:
    for n in range(5):
        ratelimit.record("signup", hashed("signup", f"192.0.2.{n}"))
    old = set(Attempt.objects.values_list("pk", flat=True))
    clock.advance(ratelimit.KEEP.total_seconds() + 1)
    for n in range(ratelimit.PRUNE_EVERY):
        ratelimit.record("reset", hashed("reset", f"198.51.100.{n}"))
    assert not Attempt.objects.filter(pk__in=old).exists()
    assert Attempt.objects.filter(kind="reset").count() == ratelimit.PRUNE_EVERY


def test_pruning_keeps_every_row_younger_than_a_day(clock) -> None:
    for n in range(ratelimit.PRUNE_EVERY):
        ratelimit.record("signup", hashed("signup", f"192.0.2.{n}"))
    clock.advance(ratelimit.KEEP.total_seconds() - 60)
    for n in range(ratelimit.PRUNE_EVERY):
        ratelimit.record("reset", hashed("reset", f"198.51.100.{n}"))
    assert Attempt.objects.count() == 2 * ratelimit.PRUNE_EVERY
