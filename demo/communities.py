"""The demo's community of practice: "Demo: Welcoming cities", on the demo draft's benchmark, with Demoville,
Mentorville and three more fictional cities (Samplestad, Exampleburg, Testhaven), a fictional volunteer
organisation, an activity held and a thread, made with the communities app's own actions. Every name is
made up; the addresses are RFC 2606 .example ones."""

from datetime import UTC, datetime

from django.utils import timezone

from accounts.models import User
from assessments import actions as assessment_actions
from assessments.models import Assessment, QuestionAnswer
from cities.models import City, Membership, Role, Workspace

SITE = "http://127.0.0.1:8000/"
MORE_CITIES = [
    ("samplestad", "Samplestad", "coordinator@samplestad.example", "Sam", "Coordinator"),
    ("exampleburg", "Exampleburg", "coordinator@exampleburg.example", "Emma", "Coordinator"),
    ("testhaven", "Testhaven", "coordinator@testhaven.example", "Theo", "Coordinator"),
]
ORGANISATION_SPEAKER = ("volunteers@welcome-network.example", "Vera", "Volunteer")


def _city(slug: str, name: str, email: str, first: str, last: str, password: str) -> tuple[Workspace, User]:
    city, _ = City.objects.get_or_create(
        slug=slug, defaults={"name": name, "country": "Fictional Republic", "country_code": "XF"}
    )
    workspace, _ = Workspace.objects.get_or_create(city=city)
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=password, first_name=first, last_name=last, email_verified=timezone.now()
    )
    Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": Role.COORDINATOR})
    return workspace, user


def _published_round(workspace: Workspace, coordinator: User, version: object, shift: int) -> None:
    """A published round 2025 of the benchmark, rated around the standard, so the community's ratings and its
    summary have something to show."""
    if Assessment.objects.filter(workspace=workspace).exists():
        return
    own = assessment_actions.do_start_assessment(workspace, version, "2025", by=coordinator)  # type: ignore[arg-type]
    levels = sorted(own.benchmark_version.rating_scale.levels.values_list("value", flat=True))
    for n, factor in enumerate(own.factors.select_related("key_factor").prefetch_related("answers")):
        assessment_actions.do_save_factor(
            factor,
            by=coordinator,
            expected_version=factor.lock_version,
            rating=levels[(n + shift) % len(levels)],
            justification=f"Demo: what {workspace.city.name} does on “{factor.key_factor.title}”.",
            answers={a.question_id: QuestionAnswer.Answer.PARTLY for a in factor.answers.all()},
            comments={},
        )
    assessment_actions.do_submit(own, by=coordinator)
    assessment_actions.do_set_visibility(own, Assessment.Visibility.PUBLISHED, by=coordinator)


def demo_community(workspace: Workspace, *, password: str) -> str:
    from communities import actions
    from communities.activities import do_save_community_activity
    from communities.models import Community
    from mentoring.activities import ActivityFields

    draft = Assessment.objects.filter(workspace=workspace).order_by("-round").first()
    mentor = Workspace.objects.filter(city__slug="mentorville").first()
    if draft is None or mentor is None:
        return "Demo community: skipped (no demo draft or mentor city)"
    if Community.objects.filter(slug="demo-welcoming-cities").exists():
        return "Demo community: already there"
    admin = User.objects.filter(is_staff=True).order_by("pk").first()
    dana = workspace.memberships.get(role=Role.COORDINATOR).user
    marta = mentor.memberships.get(role=Role.COORDINATOR).user
    version = draft.benchmark_version
    community = actions.do_save_community(
        None,
        by=admin or dana,
        name="Demo: Welcoming cities",
        slug="demo-welcoming-cities",
        benchmark=version.benchmark,
        topic=None,
        description=(
            "Demo: a fictional community of practice of five fictional cities and a volunteer organisation, "
            "learning from each other how to welcome newcomers, in site visits, workshops and staff exchanges."
        ),
        visibility=Community.Visibility.PUBLIC,
        coordinators=[marta],
    )
    members = []
    for workspace_, coordinator in [(workspace, dana), (mentor, marta)] + [
        _city(*spec, password=password) for spec in MORE_CITIES
    ]:
        invited = actions.do_invite_city(community, workspace_, by=marta, site_url=SITE)
        members.append(actions.do_answer_invitation(invited, by=coordinator, accept=True, site_url=SITE))
    for shift, (workspace_, coordinator) in enumerate(_city(*spec, password=password) for spec in MORE_CITIES):
        _published_round(workspace_, coordinator, version, shift)
    # Mentorville and Samplestad show their ratings named; the others count only as published, anonymously.
    for member in members[1:3]:
        coordinator = member.workspace.memberships.get(role=Role.COORDINATOR).user
        actions.do_set_consent(member, by=coordinator, shares=True)
    organisation = actions.do_invite_organisation(
        community,
        by=marta,
        name="Demo Welcome Network",
        kind="volunteer",
        city=None,
        website="",
        email=ORGANISATION_SPEAKER[0],
        site_url=SITE,
    )
    email, first, last = ORGANISATION_SPEAKER
    vera = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=password, first_name=first, last_name=last, email_verified=timezone.now()
    )
    organisation = actions.do_accept_organisation(organisation, by=vera, site_url=SITE)
    do_save_community_activity(
        community,
        None,
        ActivityFields(
            kind="workshop",
            status="held",
            title="Demo: workshop on volunteers at the welcome desk",
            starts_at=datetime(2026, 11, 12, 8, 0, tzinfo=UTC),
            ends_at=datetime(2026, 11, 12, 12, 0, tzinfo=UTC),
            time_zone="Europe/Brussels",
            place="Samplestad town hall",
            participant_count=14,
            outcomes="Demo: three cities will try volunteer hours at their desks; Samplestad shares its rota.",
            participant_cities=[workspace, mentor],
        ),
        [organisation],
        by=marta,
        expected_version=0,
        site_url=SITE,
    )
    factor = community.key_factors().first()
    if factor is not None:
        actions.do_post(
            community,
            factor,
            by=vera,
            voice=organisation,
            text="Demo: our volunteers can help at any welcome desk; who would like to try it first?",
            addressees=[dana],
            site_url=SITE,
        )
        actions.do_post(
            community,
            factor,
            by=dana,
            voice=members[0],
            text="Demo: Demoville would, from January.",
            addressees=[vera],
            site_url=SITE,
        )
    return (
        f"Demo community: “{community.name}” with {len(members)} cities, {organisation.name}, an activity and a "
        "thread (logins: coordinator@samplestad.example, volunteers@welcome-network.example, ...)"
    )
