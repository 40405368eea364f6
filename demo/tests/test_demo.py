"""`./manage.py load_demo`: the fictional city and its four logins, idempotent, never in production."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import User
from cities.models import City, Membership, Role, Workspace
from demo.management.commands.load_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def snapshot() -> list[object]:
    return [
        list(City.objects.filter(slug="demoville").values()),
        list(Workspace.objects.filter(city__slug="demoville").values()),
        list(Membership.objects.filter(workspace__city__slug="demoville").order_by("pk").values()),
        list(User.objects.filter(email__endswith="@demoville.example").order_by("pk").values()),
    ]


def test_load_demo_creates_the_fictional_city_and_four_members_once() -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "10 created" in out.getvalue()  # the city, its workspace, 4 users, 4 memberships
    city = City.objects.get(slug="demoville")
    assert (city.name, city.country, city.country_code) == ("Demoville", "Fictional Republic", "XF")
    roles = dict(Membership.objects.filter(workspace__city=city).values_list("user__email", "role"))
    assert roles == {
        "coordinator@demoville.example": Role.COORDINATOR,
        "contributor@demoville.example": Role.CONTRIBUTOR,
        "partner@demoville.example": Role.PARTNER,
        "viewer@demoville.example": Role.VIEWER,
    }
    partner = Membership.objects.get(user__email="partner@demoville.example")
    assert partner.organisation == "Demoville Welcome Volunteers"
    assert len(DEMO_PASSWORD) >= 12
    for email in roles:
        user = authenticate(username=email, password=DEMO_PASSWORD)
        assert user is not None
        assert user.email_verified is not None

    before = snapshot()
    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "0 created" in again.getvalue()
    assert snapshot() == before


def test_load_demo_refuses_to_run_in_production(settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never runs in production"):
        call_command("load_demo", stdout=StringIO())
    assert not City.objects.filter(slug="demoville").exists()


def test_load_demo_adds_one_half_finished_draft_assessment_once() -> None:
    from assessments.models import Assessment

    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assessment = Assessment.objects.get(workspace__city__slug="demoville")
    assert assessment.status == Assessment.Status.DRAFT
    rated = assessment.factors.filter(rating__isnull=False).count()
    assert 0 < rated < assessment.factors.count()


def test_load_demo_adds_a_fictional_mentor_city_mentoring_demoville_on_its_draft_once() -> None:
    from assessments.models import Assessment
    from mentoring.models import Mentorship

    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Demo mentoring: Mentorville mentors Demoville" in out.getvalue()
    mentorship = Mentorship.objects.select_related("mentor__city", "mentee__city").get()
    assert (mentorship.mentor.city.name, mentorship.mentee.city.name) == ("Mentorville", "Demoville")
    assert mentorship.status == Mentorship.Status.ACTIVE
    assert list(mentorship.mentors.values_list("email", flat=True)) == ["mentor@mentorville.example"]
    draft = Assessment.objects.get(workspace__city__slug="demoville", round="2026")
    assert list(mentorship.shared_assessments.all()) == [draft]
    # Mentorville's own round is published, so matching can read it; its logins use the demo password.
    own = Assessment.objects.get(workspace=mentorship.mentor)
    assert (own.status, own.visibility) == (Assessment.Status.FINALISED, Assessment.Visibility.PUBLISHED)
    for email in ("coordinator@mentorville.example", "mentor@mentorville.example"):
        assert authenticate(username=email, password=DEMO_PASSWORD) is not None
    # The mentor's work: a site visit held and a workshop planned, two reviews, a thread of two posts.
    assert sorted(mentorship.activities.values_list("kind", "status")) == [
        ("site_visit", "held"),
        ("workshop", "planned"),
    ]
    assert sorted(mentorship.reviews.values_list("verdict", flat=True)) == ["agree", "suggest"]
    assert list(mentorship.comments.order_by("pk").values_list("author__email", flat=True)) == [
        "mentor@mentorville.example",
        "coordinator@demoville.example",
    ]
    call_command("load_demo", stdout=StringIO())
    assert Mentorship.objects.count() == 1 and Assessment.objects.filter(workspace=mentorship.mentor).count() == 1
    assert mentorship.activities.count() == 2 and mentorship.reviews.count() == 2


def test_load_demo_adds_a_fictional_community_of_practice_once() -> None:
    from communities.models import CityMember, Community

    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Demo community: “Demo: Welcoming cities” with 5 cities" in out.getvalue()
    community = Community.objects.get(slug="demo-welcoming-cities")
    assert community.name.startswith("Demo:") and community.visibility == Community.Visibility.PUBLIC
    cities = dict(community.cities.values_list("workspace__city__name", "shares_ratings"))
    assert cities == {
        "Demoville": False,
        "Mentorville": True,
        "Samplestad": True,
        "Exampleburg": False,
        "Testhaven": False,
    }
    assert set(community.cities.values_list("status", flat=True)) == {CityMember.Status.ACTIVE}
    # Every city of the demo is fictional: its country is the demo's made-up one.
    assert set(community.cities.values_list("workspace__city__country_code", flat=True)) == {"XF"}
    organisation = community.organisations.get()
    assert organisation.name == "Demo Welcome Network" and organisation.is_active
    assert list(organisation.speakers.values_list("email", flat=True)) == ["volunteers@welcome-network.example"]
    assert community.activity_links.get().activity.status == "held"
    assert community.posts.count() == 2
    for email in ("coordinator@samplestad.example", "volunteers@welcome-network.example"):
        assert authenticate(username=email, password=DEMO_PASSWORD) is not None
    call_command("load_demo", stdout=StringIO())
    assert Community.objects.count() == 1 and community.posts.count() == 2
