"""Small, strict readers for settings taken from the environment.

A bad value stops the start with a message naming the variable, rather than running with a
silently wrong configuration.
"""

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
            "ENGINE": "django.db.backends.postgresql",
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
                # path) would hold each request for psycopg's default of 130 s; the page then says 503
                # (lib.errors) after this many seconds. 2 is the least libpq and psycopg accept (a 1 is
                # read as 2); a refused connection fails at once whatever this says.
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                **dict(parse_qsl(parts.query)),
            },
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ConfigurationError(f"DATABASE_URL scheme {parts.scheme!r} is not supported (sqlite, postgres)")
