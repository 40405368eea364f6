"""PostgreSQL, with a quick look at the server before each new connection (docs/quality.md R5).

libpq's `connect_timeout` cannot be less than 2 seconds, so a server that accepts connections and never
answers (hung, or behind a broken network path) would hold a request that long before the page says 503.
Before psycopg connects, this backend opens a TCP connection to the server itself and sends the
protocol's SSLRequest, which every PostgreSQL server (and pgbouncer) answers with one byte at once,
before authentication. No answer within `PROBE_SECONDS` raises the same OperationalError a refused
connection does, which lib.errors turns into the 503 page. A server that answers goes on to psycopg's
usual connection, so nothing else changes: TLS, authentication and options are libpq's, as before.

The look costs one round trip, only when a connection is opened (CONN_MAX_AGE keeps them). Closing after
an "N" leaves nothing in PostgreSQL's log; after an "S" (a server with TLS on) it may log that the TLS
handshake did not happen. Unix sockets are not probed: a local server that hangs is not a network fault.
"""

import socket
import struct
import time
from typing import Any

import psycopg
from django.db.backends.postgresql import base

PROBE_SECONDS = 0.8
SSL_REQUEST = struct.pack("!ii", 8, 80877103)
ANSWERS = {b"S", b"N", b"E"}  # TLS yes, TLS no, or an error message from a server too old to know TLS


def probe(host: str, port: int, seconds: float = PROBE_SECONDS) -> None:
    """Raise psycopg.OperationalError unless the server at host:port answers within `seconds`."""
    deadline = time.monotonic() + seconds
    try:
        with socket.create_connection((host, port), timeout=seconds) as connection:
            connection.settimeout(max(deadline - time.monotonic(), 0.01))
            connection.sendall(SSL_REQUEST)
            answer = connection.recv(1)
    except TimeoutError:
        raise psycopg.OperationalError(f"the database at {host}:{port} did not answer within {seconds} s") from None
    except OSError as error:
        raise psycopg.OperationalError(f"the database at {host}:{port} cannot be reached: {error}") from None
    if answer not in ANSWERS:
        raise psycopg.OperationalError(f"the database at {host}:{port} did not answer as PostgreSQL does")


def network_hosts(settings: dict[str, Any]) -> list[tuple[str, int]]:
    """The TCP addresses libpq will try, from HOST and PORT (comma-separated lists, as libpq takes)."""
    hosts = [host.strip() for host in str(settings.get("HOST") or "").split(",")]
    ports = [port.strip() for port in str(settings.get("PORT") or "").split(",")]
    addresses = []
    for index, host in enumerate(hosts):
        if not host or host.startswith("/"):  # the default or a Unix socket's folder
            continue
        port = ports[index] if index < len(ports) else ports[-1]
        addresses.append((host, int(port or 5432)))
    return addresses


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        addresses = network_hosts(self.settings_dict)
        failures: list[psycopg.OperationalError] = []
        for host, port in addresses:
            try:
                probe(host, port)
                break
            except psycopg.OperationalError as error:
                failures.append(error)
        else:
            if failures:
                raise failures[-1]
        return super().get_new_connection(conn_params)
