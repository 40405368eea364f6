"""Small, strict readers for settings taken from the environment.

A bad value stops the start with a message naming the variable, rather than running with a
silently wrong configuration.
"""

import ipaddress
import os
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

# Seconds to wait for PostgreSQL to accept a new connection (database_from_url).
CONNECT_TIMEOUT_SECONDS = 2


class ConfigurationError(Exception):
    pass


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated networks (`10.0.0.0/8`, `2001:db8::/32`) or single addresses (a /32 or /128).

    Strict: host bits set (`10.0.0.1/8`) are refused rather than silently widened, and so is a network
    that holds every address (`*`, `0.0.0.0/0`, `::/0`): trusting every peer would let any client
    choose the address it is counted under.
    """
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for item in env_list(name):
        try:
            network = ipaddress.ip_network(item, strict=True)
        except ValueError:
            raise ConfigurationError(
                f"{name} must list IP networks or addresses (e.g. 10.0.0.0/8, 2001:db8::/32), not {item!r}"
            ) from None
        if network.prefixlen == 0:
            raise ConfigurationError(f"{name} must not trust every address ({item!r}): name the proxies' networks")
        networks.append(network)
    return networks


def database_from_url(url: str) -> dict[str, Any]:
    """Turn `sqlite:///path` or `postgres://user:pass@host:port/name?opt=v` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///relative.db and sqlite:////absolute/path.db, as in most twelve-factor tools.
        name = path[1:] if path.startswith("/") else path
        if not name:
            raise ConfigurationError("DATABASE_URL for sqlite needs a file path")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigurationError("DATABASE_URL for postgres needs a database name")
        return {
            # Django's PostgreSQL backend, which first checks that the server answers at all (lib/postgres).
            "ENGINE": "lib.postgres",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            # Plan for SSD storage (PostgreSQL's default page costs assume spinning disks), so that
            # full-text searches for common words use the GIN index. A URL's own options win.
            "OPTIONS": {
                "options": "-c random_page_cost=1.1",
                # A database that accepts connections and never answers (hung, or behind a broken network
                # path) is caught by lib.postgres's probe in under a second; one that answers the probe and
                # then stalls during sign-in would hold each request for psycopg's default of 130 s, so
                # the page says 503 (lib.errors) after this many seconds. 2 is the least libpq accepts.
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                **dict(parse_qsl(parts.query)),
            },
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ConfigurationError(f"DATABASE_URL scheme {parts.scheme!r} is not supported (sqlite, postgres)")
