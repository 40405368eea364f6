"""The account tests' helpers: sign-up, verification and login through the real pages, with mail in
Django's locmem outbox, and a test client that runs each request's on-commit callbacks (the mail)."""

import re
from collections.abc import Callable
from typing import Any

from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts import totp
from accounts.models import User
from cities.models import City, Membership, Role, Workspace

PASSWORD = "correct horse battery staple"


NEW_PASSWORD = "violet kettle under the bridge"


class CommitClient(Client):
    """A test client that runs the on-commit callbacks (the mail) of each request, as a real commit would."""

    capture: Callable[..., Any]

    def request(self, **request: Any) -> Any:
        with self.capture(execute=True):
            return super().request(**request)


def last_link(pattern: str = r"http://127\.0\.0\.1\S+") -> str:
    return re.findall(pattern, str(mail.outbox[-1].body))[-1].replace("http://127.0.0.1", "")


def sign_up(client: Client, email: str, *, name: str = "Amira Haddad", password: str = PASSWORD) -> Any:
    return client.post("/accounts/signup/", {"name": name, "email": email, "password": password})


def verify(client: Client) -> None:
    link = last_link()
    response = client.post(link)
    assert response.status_code == 302


def log_in(client: Client, email: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post("/accounts/login/", {"email": email, "password": password, **extra})


def code_now(secret: str, shift_steps: int = 0) -> str:
    return totp.hotp(totp.secret_bytes(secret), totp.step_at(timezone.now().timestamp()) + shift_steps)


def set_up_mfa(client) -> tuple[str, list[str]]:
    page = client.get("/accounts/mfa/").text
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = client.post("/accounts/mfa/", {"code": code_now(secret)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.text)
    return secret, codes


def make_coordinator(user: User) -> None:
    # The workspace actions are another issue's work in progress; a membership row is all this needs.
    city = City.objects.order_by("pk").first()
    workspace = Workspace.objects.create(city=city)
    Membership.objects.create(workspace=workspace, user=user, role=Role.COORDINATOR)


def normalise(text: str, email: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text).replace(email, "EMAIL")
