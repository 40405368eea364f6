"""The cast of the workspace tests, built with the real actions: two cities, each role of city A, an admin."""

import time
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from cities import actions
from cities.models import Membership, Role, Workspace

PASSWORD = "a-test-password-long-enough"


def make_user(email: str, *, staff: bool = False) -> User:
    return User.objects.create_user(email=email, password=PASSWORD, email_verified=timezone.now(), is_staff=staff)


def set_up_mfa(user: User) -> None:
    """Coordinators and admins must have an authenticator before they reach any page (accounts' MFA rule)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from accounts import totp
    from accounts.actions import do_enable_mfa

    request = RequestFactory().post("/accounts/mfa/")
    request.session = SessionStore()
    request.user = user
    secret = totp.new_secret()
    codes = do_enable_mfa(request, user, secret=secret, code=totp.totp(totp.secret_bytes(secret), time.time()))
    assert codes, "the authenticator was not confirmed"


def join(workspace: Workspace, user: User, role: str, *, by: User, organisation: str = "") -> Membership:
    invitation, _token = actions.do_invite(
        workspace, by=by, email=user.email, role=role, organisation=organisation, site_url="http://testserver/"
    )
    return actions.do_accept_invitation(invitation, user=user)


@dataclass
class Cast:
    admin: User
    coordinator: User
    contributor: User
    partner: User
    viewer: User
    other: User  # coordinator of city B
    workspace: Workspace
    other_workspace: Workspace

    def member(self, user: User) -> Membership:
        return Membership.objects.get(workspace=self.workspace, user=user)


@pytest.fixture
def cast(db: None) -> Cast:
    admin = make_user("admin@network.example", staff=True)
    coordinator = make_user("coordinator@aville.example")
    other = make_user("coordinator@bville.example")
    request_a = actions.do_request_workspace(
        by=coordinator, city_name="Aville", country="Testland", message="", site_url="http://testserver/"
    )
    workspace = actions.do_approve_workspace_request(request_a, by=admin, site_url="http://testserver/")
    request_b = actions.do_request_workspace(
        by=other, city_name="Bville", country="Testland", message="", site_url="http://testserver/"
    )
    other_workspace = actions.do_approve_workspace_request(request_b, by=admin, site_url="http://testserver/")
    contributor = make_user("contributor@aville.example")
    partner = make_user("partner@aville.example")
    viewer = make_user("viewer@aville.example")
    join(workspace, contributor, Role.CONTRIBUTOR, by=coordinator)
    join(workspace, partner, Role.PARTNER, by=coordinator, organisation="Aville Refugee Council")
    join(workspace, viewer, Role.VIEWER, by=coordinator)
    for user in (admin, coordinator, other):
        set_up_mfa(user)
    return Cast(admin, coordinator, contributor, partner, viewer, other, workspace, other_workspace)


# Role tables (docs/roles.md) are tested cell by cell: the columns in the order of the document, and
# the three outcomes a cell can have.
ROLES = ["anonymous", "viewer", "partner", "contributor", "coordinator", "other_city", "admin"]
Y, N, LOGIN = "yes", "404", "login"
WORDS = {Y: "yes", N: "no", LOGIN: "login"}


def user_for(cast: Cast, role: str) -> User | None:
    return {
        "anonymous": None,
        "viewer": cast.viewer,
        "partner": cast.partner,
        "contributor": cast.contributor,
        "coordinator": cast.coordinator,
        "other_city": cast.other,
        "admin": cast.admin,
    }[role]


def assert_cell(response: Any, happened: bool, expected: str, *, refusal_may_show: bool = False) -> None:
    """One cell of a role table: the login wall, a 404 (the same as for a missing object), or the effect.
    A refused request leaves no effect, unless `refusal_may_show` (a read whose "effect" is only that the
    object exists and was read, e.g. a published one)."""
    if expected == LOGIN:
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        assert refusal_may_show or not happened
    elif expected == N:
        assert response.status_code == 404
        assert refusal_may_show or not happened
    else:
        assert response.status_code in (200, 302), response.content[:500]
        assert happened


def cells(table: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(action, role, expected outcome) for every cell of a role table, to parametrize a test with."""
    return [
        (action, role, expected) for action, row in table.items() for role, expected in zip(ROLES, row, strict=True)
    ]


def documented_table(section: str) -> dict[str, list[str]]:
    """The rows of docs/roles.md under `## {section}` whose action is written `like_this`, as outcomes."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "roles.md").read_text()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` [^|]*\|(.*)\|$", body, flags=re.M)
    outcomes = {word: outcome for outcome, word in WORDS.items()}
    return {name: [outcomes[cell.strip()] for cell in row.split("|")] for name, row in rows}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: object) -> None:
    """The cast has many users; a slow hasher protects stored passwords, not these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def login_url(settings: object) -> str:
    """The login wall redirects to accounts:login; until that page exists, to its planned path."""
    try:
        return reverse("accounts:login")
    except NoReverseMatch:
        settings.LOGIN_URL = "/accounts/login/"  # type: ignore[attr-defined]
        return "/accounts/login/"


def client_for(user: User | None, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=enforce_csrf_checks)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def reload_library(django_db_blocker: object) -> object:
    """A transactional test empties every table when it ends; the other tests of the session need the library back."""
    from django.conf import settings

    from practices.library import load_library

    yield None
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        load_library(settings.LIBRARY_DATA_DIR)


def signed_in_admin(user: User) -> Client:
    """A client signed in through the site's login, with the password and then a code (the admin's only door)."""
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.post("/accounts/login/", {"email": user.email, "password": PASSWORD, "next": "/admin/"})
    assert response["Location"] == "/accounts/login/code/"
    from accounts import totp
    from accounts.models import MFADevice

    secret = MFADevice.objects.get(user=user).secret
    code = totp.hotp(totp.secret_bytes(secret), totp.step_at(time.time()) + 1)
    response = client.post("/accounts/login/code/", {"code": code})
    assert response["Location"] == "/admin/"
    return client
