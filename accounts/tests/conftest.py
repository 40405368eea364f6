"""The cast of the account tests, made through the real sign-up and verification pages.

Only time and outbound mail are faked: `clock` moves Django's and the signer's clocks forward,
and mail lands in Django's locmem outbox. A fast password hasher keeps the suite quick.
"""

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.utils import timezone

from accounts.models import User
from tests.support.accounts import CommitClient, sign_up, verify


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


@pytest.fixture
def amira(make_client: Callable[..., CommitClient], db: None) -> Iterator[User]:
    """A verified user without MFA, made through the sign-up and verification pages."""
    helper = make_client()
    sign_up(helper, "amira@example.org")
    verify(helper)
    mail.outbox.clear()
    yield User.objects.get(email="amira@example.org")
