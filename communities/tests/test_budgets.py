"""Query budgets of the communities' pages: the same number of queries with a little and with more data
(member cities, organisations, posts, resources, activities held, published assessments in the feed)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.models import Benchmark
from communities import actions
from communities.activities import do_save_community_activity
from communities.models import CityMember, Community
from mentoring.activities import ActivityFields
from tests.support.cast import SITE, Cast, client_for, make_user, open_workspace, set_up_mfa

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def grow(community: Community, cast: Cast, ours: CityMember, n: int, start: int) -> None:
    """`n` more of everything: member cities, organisations, posts, resources, activities held."""
    factor = community.key_factors().first()
    assert factor is not None
    for k in range(start, start + n):
        coordinator = make_user(f"coordinator@city{k}.example")
        set_up_mfa(coordinator)
        workspace = open_workspace(f"City {k}", by=coordinator, admin=cast.admin)
        invited = actions.do_invite_city(community, workspace, by=cast.admin, site_url=SITE)
        actions.do_answer_invitation(invited, by=coordinator, accept=True, site_url=SITE)
        speaker = make_user(f"speaker@org{k}.example")
        organisation = actions.do_invite_organisation(
            community,
            by=cast.admin,
            name=f"Organisation {k}",
            kind="volunteer",
            city=None,
            website="",
            email=speaker.email,
            site_url=SITE,
        )
        actions.do_accept_organisation(organisation, by=speaker, site_url=SITE)
        actions.do_post(
            community, factor, by=cast.coordinator, voice=ours, text=f"Post {k}", addressees=[], site_url=SITE
        )
        actions.do_add_resource(
            community, by=cast.coordinator, voice=ours, title=f"Guide {k}", description="", url="https://x.example/"
        )
        start_at = datetime(2026, 3, 1, 9, tzinfo=UTC) + timedelta(days=k)
        do_save_community_activity(
            community,
            None,
            ActivityFields(
                kind="workshop",
                status="held",
                title=f"Workshop {k}",
                starts_at=start_at,
                ends_at=start_at + timedelta(hours=2),
                time_zone="Europe/Brussels",
                online=True,
                participant_cities=[cast.workspace, workspace],
            ),
            [organisation],
            by=cast.coordinator,
            site_url=SITE,
        )


def test_the_community_pages_do_not_grow_with_members_and_records(cast: Cast) -> None:
    benchmark = Benchmark.objects.published().with_current().order_by("slug").first()
    assert benchmark is not None
    community = actions.do_save_community(
        None,
        by=cast.admin,
        name="Welcoming cities",
        slug="welcoming-cities",
        benchmark=benchmark,
        topic=None,
        description="d",
        visibility="public",
        coordinators=[cast.admin],
    )
    invited = actions.do_invite_city(community, cast.workspace, by=cast.admin, site_url=SITE)
    ours = actions.do_answer_invitation(invited, by=cast.coordinator, accept=True, site_url=SITE)
    factor = community.key_factors().first()
    assert factor is not None
    slug = community.slug
    pages = {
        "list": "/communities/",
        "page": f"/communities/{slug}/",
        "threads": f"/communities/{slug}/discussion/",
        "thread": f"/communities/{slug}/discussion/{factor.pk}/",
        "history": f"/communities/{slug}/history/",
    }
    member, admin, anonymous = client_for(cast.coordinator), client_for(cast.admin), client_for(None)
    grow(community, cast, ours, 2, 0)
    small = {name: queries(admin if name == "history" else member, url) for name, url in pages.items()}
    small_public = queries(anonymous, pages["page"])
    small_coordinating = queries(admin, pages["page"])
    grow(community, cast, ours, 4, 2)
    large = {name: queries(admin if name == "history" else member, url) for name, url in pages.items()}
    assert large == small
    page = member.get(pages["page"]).content.decode()
    assert "City 5" in page and "Organisation 5" in page and "Workshop 5" in page  # the larger data is shown
    assert "Post 5" in member.get(pages["thread"]).content.decode()
    assert queries(anonymous, pages["page"]) == small_public
    assert queries(admin, pages["page"]) == small_coordinating
