"""The settings refuse a dangerous environment at start (HOUSE_STYLE: helpers that fail loudly). Each case
imports config/settings.py in a fresh interpreter, as a server start would."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "settings-test-only-a-long-random-enough-value-0123456789",
    "ALLOWED_HOSTS": "benchmark.example.org",
}


def start(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "TRUSTED_PROXIES"}}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.DEBUG, s.TRUSTED_PROXIES)"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_with_debug_on() -> None:
    started = start(**PRODUCTION, DEBUG="true")
    assert started.returncode != 0
    assert "ConfigurationError: DEBUG must be off when DJANGO_ENV=production" in started.stderr


def test_production_starts_with_debug_off_or_unset() -> None:
    assert start(**PRODUCTION).stdout.strip() == "False []"
    assert start(**PRODUCTION, DEBUG="false").stdout.strip() == "False []"


def test_debug_stays_available_in_development() -> None:
    assert start(DJANGO_ENV="development", DEBUG="true").stdout.strip() == "True []"


def test_trusted_proxies_are_read_as_networks() -> None:
    started = start(**PRODUCTION, TRUSTED_PROXIES="10.0.0.0/24,2001:db8::7")
    assert started.stdout.strip() == "False [IPv4Network('10.0.0.0/24'), IPv6Network('2001:db8::7/128')]"


def test_a_bad_trusted_proxy_stops_the_start_and_names_the_variable() -> None:
    started = start(**PRODUCTION, TRUSTED_PROXIES="10.0.0.0/24,lb.internal")
    assert started.returncode != 0
    assert "ConfigurationError: TRUSTED_PROXIES must list IP networks or addresses" in started.stderr
    assert "'lb.internal'" in started.stderr


def test_the_served_process_freezes_its_loaded_heap_and_collects_less_often() -> None:
    """What docs/deploy.md and docs/performance.md rely on: the app server's import of config/wsgi.py tunes the
    garbage collector (Python's defaults are 700 and no frozen objects)."""
    served = subprocess.run(
        [sys.executable, "-c", "import gc, config.wsgi; print(gc.get_threshold()[0], gc.get_freeze_count() > 10_000)"],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert served.stdout.strip() == "5000 True", served.stderr
