"""Security headers on every URL, anonymous and signed in (docs/quality.md S7; S3 for no-store).

Every URL pattern of config.urls is requested (tests/url_cases.py finds them and fills their parameters
with the fixture's objects), so a page added later is checked without changing this file.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponseBase

from tests.support.cast import Cast, client_for
from tests.url_cases import all_urls, make_world, stub_pdf_rendering

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    stub_pdf_rendering(monkeypatch)


YEAR = 365 * 24 * 60 * 60


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def header_problems(response: HttpResponseBase, *, signed_in: bool) -> list[str]:
    problems = []
    csp = directives(response.get("Content-Security-Policy", ""))
    scripts = csp.get("script-src", csp.get("default-src"))
    if scripts is None:
        problems.append("no Content-Security-Policy with script-src or default-src")
    elif scripts != ["'none'"]:  # 'none' (a file download's sandbox) is stricter than a nonce
        if not any(source.startswith("'nonce-") and len(source) > len("'nonce-'") + 16 for source in scripts):
            problems.append(f"script-src without a nonce: {scripts}")
        for unsafe in ("'unsafe-inline'", "'unsafe-eval'"):
            if unsafe in scripts or unsafe in csp.get("script-src-elem", []) or unsafe in csp.get("default-src", []):
                problems.append(f"scripts allow {unsafe}")
    if csp.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is {csp.get('frame-ancestors')}, not 'none'")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if not response.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options is {response.get('X-Frame-Options')!r}, not DENY")
    policy = response.get("Permissions-Policy", "")
    if not all(f"{feature}=()" in policy for feature in ("camera", "microphone", "geolocation")):
        problems.append(f"Permissions-Policy does not turn off camera, microphone and geolocation: {policy!r}")
    if signed_in and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"signed in, but Cache-Control is {response.get('Cache-Control')!r}")
    return problems


def hsts_problem(response: HttpResponseBase) -> str | None:
    hsts = response.get("Strict-Transport-Security", "")
    max_age = int(hsts.split("max-age=")[1].split(";")[0]) if "max-age=" in hsts else 0
    if max_age < YEAR or "includeSubDomains" not in hsts:
        return f"Strict-Transport-Security is {hsts!r}"
    return None


def test_every_url_sends_the_security_headers_anonymous_and_signed_in(cast: Cast, settings) -> None:
    world = make_world(cast)
    paths, unbuilt = all_urls(world)
    assert unbuilt == []
    assert len(paths) > 40, "the enumeration found suspiciously few URL patterns"
    problems = []
    for signed_in, client in ((False, client_for(None)), (True, client_for(cast.coordinator))):
        for name, path in sorted(paths.items()):
            response = client.get(path)
            problems += [
                f"{name} {path} ({response.status_code}, {'signed in' if signed_in else 'anonymous'}): {problem}"
                for problem in header_problems(response, signed_in=signed_in)
            ]

    # Production: HTTPS behind the proxy, with the values DJANGO_ENV=production sets (read in
    # test_production_settings_turn_on_hsts_of_a_year below).
    settings.SECURE_HSTS_SECONDS = YEAR
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for client in (client_for(None), client_for(cast.coordinator)):
        for name, path in sorted(paths.items()):
            response = client.get(path, headers={"x-forwarded-proto": "https"})
            problem = hsts_problem(response)
            if problem:
                problems.append(f"{name} {path} over HTTPS: {problem}")
    assert problems == []


def test_each_response_has_its_own_nonce(cast: Cast) -> None:
    client = client_for(None)
    first = directives(client.get("/")["Content-Security-Policy"])["script-src"]
    second = directives(client.get("/")["Content-Security-Policy"])["script-src"]
    assert [s for s in first if s.startswith("'nonce-")] != [s for s in second if s.startswith("'nonce-")]


def production_settings() -> dict[str, object]:
    """The settings DJANGO_ENV=production gives, read in a fresh interpreter (settings are read at import)."""
    code = (
        "import json, config.settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "['SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SECURE_SSL_REDIRECT', "
        "'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE']}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_ENV"))}
    env |= {"DJANGO_ENV": "production", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "benchmark.example.org"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_turn_on_hsts_of_a_year() -> None:
    production = production_settings()
    assert isinstance(production["SECURE_HSTS_SECONDS"], int)
    assert production["SECURE_HSTS_SECONDS"] >= YEAR
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
