"""lib.postgres: a server that accepts and never answers is told apart from one that answers, at once."""

import socket
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection

from lib.postgres.base import PROBE_SECONDS, SSL_REQUEST, network_hosts, probe


@pytest.fixture
def hung_port() -> Iterator[int]:
    with socket.socket() as listener:  # the kernel completes connections; nobody reads or answers them
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield listener.getsockname()[1]


def answering_port(answer: bytes) -> tuple[socket.socket, list[bytes]]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    received: list[bytes] = []

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            received.append(connection.recv(8))
            connection.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    return listener, received


def test_a_server_that_never_answers_fails_within_the_probe_time(hung_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(psycopg.OperationalError, match=f"did not answer within {PROBE_SECONDS} s"):
        probe("127.0.0.1", hung_port)
    assert PROBE_SECONDS <= time.monotonic() - started < 1


def test_a_refused_connection_fails_at_once() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once the socket is closed
    started = time.monotonic()
    with pytest.raises(psycopg.OperationalError, match="cannot be reached"):
        probe("127.0.0.1", port)
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("answer", [b"N", b"S"])
def test_a_server_that_answers_the_ssl_request_passes(answer: bytes) -> None:
    listener, received = answering_port(answer)
    with listener:
        probe("127.0.0.1", listener.getsockname()[1])
    assert received == [SSL_REQUEST]


def test_something_that_is_not_postgresql_fails() -> None:
    listener, _ = answering_port(b"HTTP/1.1 400 Bad Request\r\n")
    with listener, pytest.raises(psycopg.OperationalError, match="did not answer as PostgreSQL does"):
        probe("127.0.0.1", listener.getsockname()[1])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL run probes its own server")
def test_the_test_database_server_answers_the_probe() -> None:
    addresses = network_hosts(connection.settings_dict)
    assert addresses, "the PostgreSQL run connects over TCP (DATABASE_URL names 127.0.0.1)"
    for host, port in addresses:
        probe(host, port)


def test_only_network_hosts_are_probed() -> None:
    assert network_hosts({"HOST": "", "PORT": ""}) == []
    assert network_hosts({"HOST": "/var/run/postgresql", "PORT": "5432"}) == []
    assert network_hosts({"HOST": "db.internal", "PORT": ""}) == [("db.internal", 5432)]
    assert network_hosts({"HOST": "a,b", "PORT": "5433,5434"}) == [("a", 5433), ("b", 5434)]
    assert network_hosts({"HOST": "a,/tmp", "PORT": "6000"}) == [("a", 6000)]
