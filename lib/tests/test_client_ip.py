"""Which address a request counts under (lib.clients.client_ip, docs/quality.md S8): the peer, or behind the
TRUSTED_PROXIES the right-most X-Forwarded-For entry that is not one of them."""

import ipaddress

import pytest
from django.http import HttpRequest
from django.test import RequestFactory

from lib.clients import client_ip

LOAD_BALANCERS = "10.0.0.0/24"
PROXY_V6 = "2001:db8:ffff::/48"


def request_from(remote: str, forwarded: str | None = None) -> HttpRequest:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


@pytest.fixture
def behind_proxies(settings) -> None:
    settings.TRUSTED_PROXIES = [ipaddress.ip_network(LOAD_BALANCERS), ipaddress.ip_network(PROXY_V6)]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings) -> None:
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("10.0.0.5", "203.0.113.7")) == "10.0.0.5"
    assert client_ip(request_from("192.0.2.1", "203.0.113.7, 198.51.100.2")) == "192.0.2.1"


def test_from_a_trusted_proxy_the_forwarded_client_counts(behind_proxies) -> None:
    assert client_ip(request_from("10.0.0.5", "203.0.113.7")) == "203.0.113.7"


def test_a_spoofed_left_most_entry_is_never_read(behind_proxies) -> None:
    # The client wrote 198.51.100.1 itself; the load balancer appended the address it saw.
    assert client_ip(request_from("10.0.0.5", "198.51.100.1, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.5", "10.0.0.9, 203.0.113.7")) == "203.0.113.7"


def test_a_peer_outside_the_trusted_proxies_counts_itself(behind_proxies) -> None:
    assert client_ip(request_from("203.0.113.50", "198.51.100.1")) == "203.0.113.50"


def test_several_trusted_hops_are_skipped_from_the_right(behind_proxies) -> None:
    chain = "198.51.100.9, 203.0.113.7, 2001:db8:ffff::3, 10.0.0.1"
    assert client_ip(request_from("10.0.0.2", chain)) == "203.0.113.7"


def test_ipv6_clients_are_normalised_with_or_without_brackets_and_ports(behind_proxies) -> None:
    assert client_ip(request_from("10.0.0.5", "2001:DB8:0:0::1")) == "2001:db8::1"
    assert client_ip(request_from("10.0.0.5", "[2001:db8::1]:4711")) == "2001:db8::1"
    assert client_ip(request_from("10.0.0.5", "[2001:db8::1]")) == "2001:db8::1"
    assert client_ip(request_from("2001:db8:ffff::10", "203.0.113.7")) == "203.0.113.7"


def test_ipv4_with_a_port_and_ipv4_mapped_ipv6_are_the_ipv4_address(behind_proxies) -> None:
    assert client_ip(request_from("10.0.0.5", "203.0.113.7:51000")) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.5", "::ffff:203.0.113.7")) == "203.0.113.7"
    # A dual-stack socket reports an IPv4 proxy as IPv4-mapped IPv6: it is still the trusted proxy.
    assert client_ip(request_from("::ffff:10.0.0.5", "203.0.113.7")) == "203.0.113.7"


@pytest.mark.parametrize(
    "forwarded",
    [
        "203.0.113.7, unknown",
        "203.0.113.7, _hidden",
        "203.0.113.7, 300.1.2.3",
        "203.0.113.7, 203.0.113.8:port",
        "203.0.113.7, [2001:db8::1",
        "203.0.113.7, ",
        "203.0.113.7,,",
    ],
)
def test_an_entry_that_is_no_address_stops_at_the_last_trusted_hop(behind_proxies, forwarded: str) -> None:
    """Nothing left of an unreadable entry is believed: the proxy that handed it over counts."""
    assert client_ip(request_from("10.0.0.5", forwarded)) == "10.0.0.5"
    assert client_ip(request_from("10.0.0.5", forwarded + ", 10.0.0.1")) == "10.0.0.1"


def test_an_empty_or_missing_header_from_a_proxy_counts_the_proxy(behind_proxies) -> None:
    assert client_ip(request_from("10.0.0.5")) == "10.0.0.5"
    assert client_ip(request_from("10.0.0.5", "")) == "10.0.0.5"


def test_when_every_entry_is_a_trusted_proxy_the_left_most_counts(behind_proxies) -> None:
    assert client_ip(request_from("10.0.0.5", "10.0.0.1, 10.0.0.2")) == "10.0.0.1"


def test_a_malformed_peer_address_is_kept_as_it_is(behind_proxies) -> None:
    assert client_ip(request_from("", "203.0.113.7")) == ""
