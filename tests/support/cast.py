"""The named cast of the workspace tests, built with the real actions: two cities, each role of city A, an admin.

It is built once per test database, where the database is set up (the root conftest.py), and each test
gets it fresh from the database through the `cast` fixture: what a test changes is rolled back with it.
"""

import time
from dataclasses import dataclass

from django.test import Client
from django.utils import timezone

from accounts.models import User
from cities import actions
from cities.models import Membership, Role, Workspace

PASSWORD = "a-test-password-long-enough"
SITE = "http://testserver/"

# Who is who, by e-mail, and the two cities: what `load_cast` looks up.
ADMIN = "admin@network.example"
COORDINATOR = "coordinator@aville.example"
CONTRIBUTOR = "contributor@aville.example"
PARTNER = "partner@aville.example"
VIEWER = "viewer@aville.example"
OTHER = "coordinator@bville.example"
CITY, OTHER_CITY = "Aville", "Bville"


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
        workspace, by=by, email=user.email, role=role, organisation=organisation, site_url=SITE
    )
    return actions.do_accept_invitation(invitation, user=user)


def open_workspace(city_name: str, *, by: User, admin: User, country: str = "Testland") -> Workspace:
    """A workspace requested by `by` and approved by `admin`, the way a city gets one."""
    request = actions.do_request_workspace(by=by, city_name=city_name, country=country, message="", site_url=SITE)
    return actions.do_approve_workspace_request(request, by=admin, site_url=SITE)


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


def build_cast() -> None:
    """Makes the cast in the database, through the actions a real city's people go through."""
    admin = make_user(ADMIN, staff=True)
    coordinator = make_user(COORDINATOR)
    other = make_user(OTHER)
    workspace = open_workspace(CITY, by=coordinator, admin=admin)
    open_workspace(OTHER_CITY, by=other, admin=admin)
    join(workspace, make_user(CONTRIBUTOR), Role.CONTRIBUTOR, by=coordinator)
    join(workspace, make_user(PARTNER), Role.PARTNER, by=coordinator, organisation="Aville Refugee Council")
    join(workspace, make_user(VIEWER), Role.VIEWER, by=coordinator)
    for user in (admin, coordinator, other):
        set_up_mfa(user)


def load_cast() -> Cast | None:
    """The cast as stored now (two queries), or None where it is not there (a transactional test emptied it)."""
    users = {
        u.email: u for u in User.objects.filter(email__in=[ADMIN, COORDINATOR, CONTRIBUTOR, PARTNER, VIEWER, OTHER])
    }
    workspaces = {
        w.city.name: w for w in Workspace.objects.select_related("city").filter(city__name__in=[CITY, OTHER_CITY])
    }
    if len(users) < 6 or len(workspaces) < 2:
        return None
    return Cast(
        admin=users[ADMIN],
        coordinator=users[COORDINATOR],
        contributor=users[CONTRIBUTOR],
        partner=users[PARTNER],
        viewer=users[VIEWER],
        other=users[OTHER],
        workspace=workspaces[CITY],
        other_workspace=workspaces[OTHER_CITY],
    )


def client_for(user: User | None, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=enforce_csrf_checks)
    if user is not None:
        client.force_login(user)
    return client


def signed_in_admin(user: User) -> Client:
    """A client signed in through the site's login, with the password and then a code (the admin's only door)."""
    from accounts import totp
    from accounts.models import MFADevice

    client = Client(HTTP_HOST="127.0.0.1")
    response = client.post("/accounts/login/", {"email": user.email, "password": PASSWORD, "next": "/admin/"})
    assert response["Location"] == "/accounts/login/code/"
    secret = MFADevice.objects.get(user=user).secret
    code = totp.hotp(totp.secret_bytes(secret), totp.step_at(time.time()) + 1)
    response = client.post("/accounts/login/code/", {"code": code})
    assert response["Location"] == "/admin/"
    return client
