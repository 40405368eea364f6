import ipaddress

import pytest

from lib.env import ConfigurationError, database_from_url, env_bool, env_int, env_networks


def test_sqlite_url_gives_a_file_database() -> None:
    assert database_from_url("sqlite:////srv/icb/db.sqlite3") == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "/srv/icb/db.sqlite3",
    }


def test_postgres_url_gives_every_connection_part() -> None:
    db = database_from_url("postgres://icb:s%40cret@db.internal:6543/icb?sslmode=require")
    assert db["ENGINE"] == "lib.postgres"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "icb",
        "icb",
        "s@cret",
        "db.internal",
        "6543",
    )
    assert db["OPTIONS"] == {"sslmode": "require", "options": "-c random_page_cost=1.1", "connect_timeout": 2}


def test_postgres_connections_wait_two_seconds_at_most_unless_the_url_says_otherwise() -> None:
    # A database that accepts connections and never answers makes requests wait this long, then 503.
    assert database_from_url("postgres://db.internal/icb")["OPTIONS"]["connect_timeout"] == 2
    assert database_from_url("postgres://db.internal/icb?connect_timeout=10")["OPTIONS"]["connect_timeout"] == "10"


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/", "sqlite://"])
def test_unsupported_or_incomplete_database_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        database_from_url(url)


def test_boolean_setting_refuses_a_typo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ConfigurationError, match="DEBUG must be true or false"):
        env_bool("DEBUG")
    monkeypatch.setenv("DEBUG", "off")
    assert env_bool("DEBUG", default=True) is False


def test_integer_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECURE_HSTS_SECONDS", "a year")
    with pytest.raises(ConfigurationError, match="SECURE_HSTS_SECONDS"):
        env_int("SECURE_HSTS_SECONDS", 0)


def test_networks_setting_reads_ipv4_ipv6_networks_and_single_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,2001:db8:1::5")
    assert env_networks("TRUSTED_PROXIES") == [
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.0.2.7/32"),
        ipaddress.ip_network("2001:db8::/32"),
        ipaddress.ip_network("2001:db8:1::5/128"),
    ]
    monkeypatch.setenv("TRUSTED_PROXIES", "")
    assert env_networks("TRUSTED_PROXIES") == []


@pytest.mark.parametrize("value", ["10.0.0.0/33", "load-balancer", "10.0.0.1/8", "*", "0.0.0.0/0", "::/0", "10.0.0"])
def test_networks_setting_refuses_a_bad_value_and_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", f"192.0.2.1,{value}")
    with pytest.raises(ConfigurationError, match="TRUSTED_PROXIES"):
        env_networks("TRUSTED_PROXIES")
