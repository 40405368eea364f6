"""Database-backed rate limits (QUALITY.md S8), shared by every gunicorn worker.

Events are rows of `accounts.Attempt`, identified by a kind and a hashed key (never a raw e-mail or IP).
"""

import hashlib
from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Attempt

# Rows older than this are of no use to any limit and are pruned as new ones arrive.
KEEP = timedelta(days=1)


def hashed(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def client_ip(request: HttpRequest) -> str:
    """The peer address. Behind a proxy, the proxy must set REMOTE_ADDR (gunicorn's forwarded_allow_ips)."""
    return str(request.META.get("REMOTE_ADDR", ""))


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


def record(kind: str, key: str) -> None:
    now = timezone.now()
    Attempt.objects.filter(created_at__lt=now - KEEP).delete()
    Attempt.objects.create(kind=kind, key=key, created_at=now)


def hit(kind: str, key: str, *, limit: int, window: int) -> int | None:
    """Count one event; when the limit is already reached, count nothing and return the seconds to wait."""
    wait = retry_after(kind, key, limit=limit, window=window)
    if wait is None:
        record(kind, key)
    return wait
