"""Mentoring built with the real actions: mentor cities with their offers, and mentorships along their course."""

from collections.abc import Iterable

from accounts.models import User
from assessments.models import Assessment
from benchmarks.models import Benchmark
from cities.models import Workspace
from mentoring import actions
from mentoring.models import Mentorship
from tests.support.cast import SITE, make_user, open_workspace, set_up_mfa


def mentor_city(
    name: str,
    *,
    admin: User,
    benchmarks: Iterable[Benchmark],
    capacity: int = 1,
    languages: Iterable[str] = ("en",),
    open: bool = True,
    country: str = "Testland",
) -> tuple[Workspace, User]:
    """A city's workspace with a mentor offer on `benchmarks`, and its coordinator (with MFA)."""
    slug = "".join(c for c in name.lower() if c.isalnum())
    coordinator = make_user(f"coordinator@{slug}.example")
    workspace = open_workspace(name, by=coordinator, admin=admin, country=country)
    set_up_mfa(coordinator)
    actions.do_save_offer(
        workspace,
        by=coordinator,
        benchmarks=list(benchmarks),
        languages=list(languages),
        capacity=capacity,
        note="",
        open=open,
    )
    return workspace, coordinator


def share_for_matching(workspace: Workspace, by: User, assessments: Iterable[Assessment]) -> None:
    """Keeps the workspace's offer as it is, sharing these assessments for matching."""
    offer = workspace.mentor_offer
    actions.do_save_offer(
        workspace,
        by=by,
        benchmarks=list(offer.benchmarks.all()),
        languages=list(offer.languages),
        capacity=offer.capacity,
        note=offer.note,
        open=offer.open,
        shared_for_matching=list(assessments),
    )


def active_mentorship(
    mentee: Workspace, mentee_coordinator: User, mentor: Workspace, mentor_coordinator: User, benchmark: Benchmark
) -> Mentorship:
    """A request accepted by the mentor city, its coordinator the mentor."""
    mentorship = actions.do_request(
        mentee, mentor, benchmark, by=mentee_coordinator, message="", share=[], site_url=SITE
    )
    actions.do_accept(mentorship, by=mentor_coordinator, mentors=[mentor_coordinator], site_url=SITE)
    mentorship.refresh_from_db()
    return mentorship


def completed_mentorship(
    mentee: Workspace, mentee_coordinator: User, mentor: Workspace, mentor_coordinator: User, benchmark: Benchmark
) -> Mentorship:
    """A mentorship accepted and then ended as agreed."""
    mentorship = active_mentorship(mentee, mentee_coordinator, mentor, mentor_coordinator, benchmark)
    actions.do_end(mentorship, by=mentor_coordinator, outcome=Mentorship.Outcome.COMPLETED, reason="", site_url=SITE)
    mentorship.refresh_from_db()
    return mentorship
