"""Database-backed rate limits (QUALITY.md S8), shared by every gunicorn worker.

Events are rows of `accounts.Attempt`, identified by a kind and a hashed key (never a raw e-mail or IP).
"""

import hashlib
import ipaddress
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Attempt

# Rows older than this are of no use to any limit and are pruned as new ones arrive.
KEEP = timedelta(days=1)
# The pruning runs with one record in this many (by the new row's id, so every worker shares the count)
# rather than with each: a DELETE per sign-up or failed login is a second statement on every one of them,
# and on PostgreSQL concurrent requests deleting the same expired rows wait on each other's row locks. The
# table then holds at most a day of events plus this many, and each DELETE removes a small batch.
PRUNE_EVERY = 50


def hashed(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(text: str) -> IPAddress | None:
    """An address as proxies write it in X-Forwarded-For: `192.0.2.1`, `2001:db8::1`, and the same with a
    port (`192.0.2.1:5000`, `[2001:db8::1]:5000`) or in brackets. IPv4-mapped IPv6 (`::ffff:192.0.2.1`,
    what a dual-stack socket reports) is the IPv4 address, so both spellings count as one. None when the
    text is no address (`unknown`, an obfuscated RFC 7239 name, garbage)."""
    text = text.strip()
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
            return None
        text = host
    elif text.count(":") == 1:
        host, _colon, port = text.partition(":")
        if not port.isdigit():
            return None
        text = host
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(address: IPAddress) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str:
    """The address rate limits, lockouts and the security log count a request under (QUALITY.md S8).

    Without TRUSTED_PROXIES it is REMOTE_ADDR, the peer of the connection, and X-Forwarded-For is
    ignored: anyone can write that header. When the peer is one of the TRUSTED_PROXIES, X-Forwarded-For
    is read from the right, where each proxy appends the address it was reached from, skipping the
    entries of trusted proxies: the first entry outside them is the client. Everything to its left was
    written by the client itself and is never read, so a client cannot choose its key.

    An entry that is no address stops the walk and the last trusted hop counts: a trusted proxy wrote
    something unreadable (a misconfiguration), and counting that proxy keeps the limits tight (everyone
    behind it shares one key) instead of trusting what lies further left. When every entry is a trusted
    proxy (e.g. a health check from inside), the left-most one counts. Addresses read behind a proxy
    are normalised (`2001:DB8::1` and `2001:db8:0::1` are one client)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if not settings.TRUSTED_PROXIES:
        return remote
    peer = parse_ip(remote)
    if peer is None or not is_trusted_proxy(peer):
        return remote
    client = peer
    # Several X-Forwarded-For headers arrive joined by commas (gunicorn joins them in order), so one split
    # reads them all. An empty entry is no address either.
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).strip()
    for entry in reversed(forwarded.split(",") if forwarded else []):
        hop = parse_ip(entry)
        if hop is None:
            break
        client = hop
        if not is_trusted_proxy(hop):
            break
    return str(client)


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
