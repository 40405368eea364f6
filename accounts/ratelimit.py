"""Database-backed rate limits (docs/quality.md S8), shared by every gunicorn worker.

Events are rows of `accounts.Attempt`, identified by a kind and a hashed key (never a raw e-mail or IP).
"""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Attempt

# Rows older than this are of no use to any limit and are pruned as new ones arrive.
KEEP = timedelta(days=1)
# The pruning runs with one record in this many (by the new row's id, so every worker shares the count)
# rather than with each: a DELETE per sign-up or failed login is a second statement on every one of them,
# and on PostgreSQL concurrent requests deleting the same expired rows wait on each other's row locks. The
# table then holds at most a day of events plus this many, and each DELETE removes a small batch.
PRUNE_EVERY = 50


def retry_after(kind: str, key: str, *, limit: int, window: int) -> int | None:
    """Seconds until another event is allowed, or None when fewer than `limit` happened within `window` seconds."""
    now = timezone.now()
    times = list(
        Attempt.objects.of(kind, key)
        .since(now - timedelta(seconds=window))
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    return wait_for(times, limit=limit, window=window, now=now)


def wait_for(newest_first: list[datetime], *, limit: int, window: int, now: datetime) -> int | None:
    """The same answer for events kept elsewhere (e.g. invitations counted by their own rows): given the
    times of the newest `limit` events within `window` seconds, newest first."""
    if len(newest_first) < limit:
        return None
    oldest_counted = newest_first[limit - 1]
    return max(1, int((oldest_counted + timedelta(seconds=window) - now).total_seconds()) + 1)


def record(kind: str, key: str) -> Attempt:
    """Count one event. One record in PRUNE_EVERY also deletes the rows older than KEEP."""
    now = timezone.now()
    attempt = Attempt.objects.create(kind=kind, key=key, created_at=now)
    if attempt.pk % PRUNE_EVERY == 0:
        prune(now)
    return attempt


def prune(now: datetime) -> int:
    """Delete the rows no limit needs any more, by the index on created_at (attempt_created)."""
    deleted, _by_model = Attempt.objects.filter(created_at__lt=now - KEEP).delete()
    return deleted


def lock(key: str) -> None:
    """Hold `key` until the current transaction ends, so that a check of its count and the write that
    follows are never interleaved with another request's (a lockout counted twice, or skipped).

    PostgreSQL: a transaction-level advisory lock on the key's first 60 bits (a collision only makes two
    keys wait for each other). SQLite: nothing to do, as settings open every transaction IMMEDIATE, which
    takes the database's write lock at the start of the atomic block."""
    if not connection.in_atomic_block:
        raise RuntimeError("ratelimit.lock needs a transaction (transaction.atomic)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])


def hit(kind: str, key: str, *, limit: int, window: int) -> int | None:
    """Count one event; when the limit is already reached, count nothing and return the seconds to wait.
    The count and the record are one step (`lock`): requests sent at once cannot all pass the limit."""
    with transaction.atomic():
        lock(key)
        wait = retry_after(kind, key, limit=limit, window=window)
        if wait is None:
            record(kind, key)
    return wait
