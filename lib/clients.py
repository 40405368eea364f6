"""Who a request comes from, as rate limits, lockouts and the security log count it (docs/quality.md S8)."""

import hashlib
import ipaddress

from django.conf import settings
from django.http import HttpRequest


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
    """The address rate limits, lockouts and the security log count a request under (docs/quality.md S8).

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
