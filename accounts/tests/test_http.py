"""The typed request: views read `request.user` as a User, and nothing takes an anonymous visitor for one."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from accounts.http import signed_in_user
from tests.support.cast import make_user

ROOT = Path(__file__).resolve().parents[2]


def test_an_anonymous_visitor_is_refused_not_cast() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in_user(request)


@pytest.mark.django_db
def test_a_signed_in_user_is_returned() -> None:
    request = RequestFactory().get("/")
    request.user = user = make_user("someone@aville.example")
    assert signed_in_user(request) == user


def test_no_view_casts_the_request_user() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in ROOT.glob("*/**/*.py")
        if not {".venv", "node_modules", "tests"} & set(path.relative_to(ROOT).parts)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"cast\(User, request\.user\)|= request\.user  # type: ignore", line)
    ]
    assert found == []
