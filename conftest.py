"""Shared fixtures: the test database holds the real benchmark library, loaded once per session."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from benchmarks.library import load_library


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        load_library(settings.LIBRARY_DATA_DIR)
    yield


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST="127.0.0.1")
