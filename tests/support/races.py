"""Races with real threads and commits (R4), for the transactional tests that run them on PostgreSQL."""

import threading
from collections.abc import Callable

from django.db import connections

from accounts.models import User
from assessments import actions
from assessments.models import Assessment
from cities.models import Role
from tests.support.assessments import a_version
from tests.support.cast import Cast, join, make_user


def race(*attempts: Callable[[], str]) -> list[str]:
    """Runs the attempts in threads released at the same moment; returns their outcomes."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []

    def run(attempt: Callable[[], str]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(attempt())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def a_team(cast: Cast) -> tuple[User, User, Assessment]:
    """City A's coordinator, a second coordinator, and a draft assessment of city A: two people who may race."""
    second = make_user("second@aville.example")
    join(cast.workspace, second, Role.COORDINATOR, by=cast.coordinator)
    return (
        cast.coordinator,
        second,
        actions.do_start_assessment(cast.workspace, a_version(), "2026", by=cast.coordinator),
    )
