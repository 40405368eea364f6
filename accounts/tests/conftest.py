"""The cast of the account tests, made through the real sign-up and verification pages.

Only time and outbound mail are faked: `clock` moves Django's and the signer's clocks forward,
and mail lands in Django's locmem outbox. A fast password hasher keeps the suite quick.
"""

import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "violet kettle under the bridge"


class CommitClient(Client):
    """A test client that runs the on-commit callbacks (the mail) of each request, as a real commit would."""

    capture: Callable[..., Any]

    def request(self, **request: Any) -> Any:
        with self.capture(execute=True):
            return super().request(**request)


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_client(django_capture_on_commit_callbacks: Any) -> Callable[..., CommitClient]:
    def make(**kwargs: Any) -> CommitClient:
        client = CommitClient(HTTP_HOST="127.0.0.1", **kwargs)
        client.capture = django_capture_on_commit_callbacks
        return client

    return make


@pytest.fixture
def client(make_client: Callable[..., CommitClient], db: None) -> CommitClient:
    return make_client()


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        real_now = timezone.now
        real_time = time.time
        monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=self.offset))
        monkeypatch.setattr(time, "time", lambda: real_time() + self.offset)
        # Django's reset tokens read a naive local clock of their own.
        monkeypatch.setattr(
            PasswordResetTokenGenerator, "_now", lambda _self: datetime.now() + timedelta(seconds=self.offset)
        )

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


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


@pytest.fixture
def amira(make_client: Callable[..., CommitClient], db: None) -> Iterator[User]:
    """A verified user without MFA, made through the sign-up and verification pages."""
    helper = make_client()
    sign_up(helper, "amira@example.org")
    verify(helper)
    mail.outbox.clear()
    yield User.objects.get(email="amira@example.org")
