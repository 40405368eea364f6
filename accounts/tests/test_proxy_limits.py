"""Behind a load balancer, limits count each client, not the whole site (docs/quality.md S8): with
TRUSTED_PROXIES set, the client is the right-most X-Forwarded-For entry outside them; without it,
X-Forwarded-For is ignored, as anyone can write it."""

import ipaddress
import json
import logging
from collections.abc import Callable

import pytest

from tests.support.accounts import CommitClient, log_in

pytestmark = pytest.mark.django_db

LOAD_BALANCER = "10.0.0.2"

# The three mail-sending forms limited per client: (path, the form's data for the n-th post, the answer to a good post).
LIMITED_FORMS = {
    "signup": (
        "/accounts/signup/",
        lambda n: {"name": "Lea Novak", "email": f"lea{n}@example.org", "password": "a long enough passphrase"},
        302,
    ),
    "reset": ("/accounts/password/reset/", lambda n: {"email": f"someone{n}@example.org"}, 302),
    "resend": ("/accounts/verify/resend/", lambda n: {"email": f"someone{n}@example.org"}, 200),
}


@pytest.fixture
def behind_load_balancer(settings) -> None:
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/24")]


@pytest.fixture
def via_proxy(make_client: Callable[..., CommitClient]) -> Callable[[str], CommitClient]:
    """A browser at `forwarded` reaching the app through the load balancer, which appends its address."""

    def make(forwarded: str) -> CommitClient:
        return make_client(REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR=forwarded)

    return make


@pytest.mark.parametrize("form", LIMITED_FORMS)
def test_behind_a_trusted_proxy_each_client_has_its_own_limit(behind_load_balancer, via_proxy, form: str) -> None:
    path, data, ok = LIMITED_FORMS[form]
    first = via_proxy("203.0.113.7")
    for n in range(5):
        assert first.post(path, data(n)).status_code == ok
    limited = first.post(path, data(5))
    assert limited.status_code == 429
    assert "Too many attempts" in limited.text
    # Another client behind the same load balancer is not held back by the first one's posts.
    second = via_proxy("198.51.100.20")
    assert second.post(path, data(6)).status_code == ok
    assert via_proxy("2001:db8::20").post(path, data(7)).status_code == ok


@pytest.mark.parametrize("form", LIMITED_FORMS)
def test_a_spoofed_left_most_entry_does_not_change_the_client(behind_load_balancer, via_proxy, form: str) -> None:
    path, data, ok = LIMITED_FORMS[form]
    for n in range(5):
        assert via_proxy(f"192.0.2.{n}, 203.0.113.7").post(path, data(n)).status_code == ok
    assert via_proxy("192.0.2.99, 203.0.113.7").post(path, data(5)).status_code == 429
    assert via_proxy("203.0.113.7").post(path, data(6)).status_code == 429


@pytest.mark.parametrize("form", LIMITED_FORMS)
def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings, make_client, form: str) -> None:
    settings.TRUSTED_PROXIES = []
    path, data, ok = LIMITED_FORMS[form]
    for n in range(5):
        client = make_client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert client.post(path, data(n)).status_code == ok
    client = make_client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert client.post(path, data(5)).status_code == 429


def test_behind_a_trusted_proxy_a_lockout_holds_one_client_only(behind_load_balancer, via_proxy, amira, caplog) -> None:
    caplog.set_level(logging.INFO, logger="icb.security")
    attacker = via_proxy("203.0.113.66")
    for _ in range(5):
        log_in(attacker, "amira@example.org", "wrong password!")
    assert log_in(attacker, "amira@example.org").status_code == 429
    assert log_in(via_proxy("192.0.2.1, 203.0.113.66"), "amira@example.org").status_code == 429
    # Amira, behind the same load balancer at her own address, still logs in.
    assert log_in(via_proxy("198.51.100.8"), "amira@example.org").status_code == 302
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "icb.security"]
    assert {e["ip"] for e in events if e["event"] in {"login.failure", "login.lockout"}} == {"203.0.113.66"}
    assert [e["ip"] for e in events if e["event"] == "login"] == ["198.51.100.8"]
