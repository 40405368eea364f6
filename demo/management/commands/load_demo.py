"""`./manage.py load_demo`: the fictional demo city, its workspace and four demo logins (never in production)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from actionplans import actions as plan_actions
from assessments import actions as assessment_actions
from assessments.models import Assessment, QuestionAnswer
from benchmarks.models import Benchmark
from cities.models import City, Membership, Role, Workspace
from demo.communities import demo_community

# Documented in README.md; the city, the country and the addresses (RFC 2606 .example) are made up.
DEMO_PASSWORD = "demoville-welcomes-you"  # noqa: S105 - a published demo password, refused in production below
DEMO_CITY = {"slug": "demoville", "name": "Demoville", "country": "Fictional Republic", "country_code": "XF"}
DEMO_ROUND = "2026"
DEMO_MEMBERS = [
    ("coordinator@demoville.example", "Dana", "Coordinator", Role.COORDINATOR, ""),
    ("contributor@demoville.example", "Carl", "Contributor", Role.CONTRIBUTOR, ""),
    ("partner@demoville.example", "Petra", "Partner", Role.PARTNER, "Demoville Welcome Volunteers"),
    ("viewer@demoville.example", "Vic", "Viewer", Role.VIEWER, ""),
]


class Command(BaseCommand):
    help = "Creates the fictional city Demoville, its workspace and four demo users. Refused in production."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--earlier-round",
            action="store_true",
            help="Also add a finalised earlier round (2024) of the draft's benchmark, for the progress over rounds.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("load_demo creates users with a published password; it never runs in production.")
        created = 0
        with transaction.atomic():
            city, new = City.objects.get_or_create(slug=DEMO_CITY["slug"], defaults=DEMO_CITY)
            created += new
            workspace, new = Workspace.objects.get_or_create(city=city)
            created += new
            for email, first, last, role, organisation in DEMO_MEMBERS:
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(
                        email=email,
                        password=DEMO_PASSWORD,
                        first_name=first,
                        last_name=last,
                        email_verified=timezone.now(),
                    )
                    created += 1
                _, new = Membership.objects.get_or_create(
                    workspace=workspace, user=user, defaults={"role": role, "organisation": organisation}
                )
                created += new
            assessment_note = self.half_finished_assessment(workspace)
            evidence_note = demo_evidence(workspace)
            partner_note = demo_partner_views(workspace)
            partner_note += "\n" + demo_mentoring(workspace)
            partner_note += "\n" + demo_community(workspace, password=DEMO_PASSWORD)
            if options.get("earlier_round"):
                partner_note += "\n" + demo_earlier_round(workspace)
        self.stdout.write(f"Demo city {city.name}: {created} created (password for all demo logins: {DEMO_PASSWORD})")
        self.stdout.write(assessment_note)
        self.stdout.write(evidence_note)
        self.stdout.write(partner_note)

    def half_finished_assessment(self, workspace: Workspace) -> str:
        """A draft self-assessment of the first benchmark, its first half of key factors answered and rated."""
        if Assessment.objects.filter(workspace=workspace).exists():
            return "Demo self-assessment: already there"
        benchmark = Benchmark.objects.published().order_by("slug").first()
        if benchmark is None or benchmark.current_version is None:
            return "Demo self-assessment: skipped (load the library first)"
        coordinator = User.objects.get(email=DEMO_MEMBERS[0][0])
        version = benchmark.current_version
        assessment = assessment_actions.do_start_assessment(workspace, version, DEMO_ROUND, by=coordinator)
        factors = list(assessment.factors.select_related("key_factor").prefetch_related("answers"))
        answers = [QuestionAnswer.Answer.YES, QuestionAnswer.Answer.PARTLY, QuestionAnswer.Answer.NO]
        for n, factor in enumerate(factors[: len(factors) // 2]):
            assessment_actions.do_save_factor(
                factor,
                by=coordinator,
                expected_version=factor.lock_version,
                rating=n % 4 + 1,
                justification=f"Demo: what Demoville does on “{factor.key_factor.title}”.",
                answers={a.question_id: answers[(n + i) % 3] for i, a in enumerate(factor.answers.all())},
                comments={},
            )
        return f"Demo self-assessment: {version.title}, round {DEMO_ROUND}, half filled in"


def demo_evidence(workspace: Workspace) -> str:
    """Three items in Demoville's evidence library: a statistic with a link, a policy document (a link) and a
    project example attached to the demo draft's first key factor. Made up, like the city."""
    from datetime import date
    from decimal import Decimal

    from evidence import actions as evidence_actions

    if workspace.evidence.exists():
        return "Demo evidence: already there"
    contributor = User.objects.get(email=DEMO_MEMBERS[1][0])
    Fields = evidence_actions.Fields
    evidence_actions.do_add_evidence(
        workspace,
        Fields(
            kind="statistic",
            title="Residents born abroad",
            value=Decimal("18.4"),
            unit="% of residents",
            reference_year=2024,
            source="Demoville statistics office, population register",
            url="https://statistics.demoville.example/population-2024",
        ),
        by=contributor,
    )
    evidence_actions.do_add_evidence(
        workspace,
        Fields(
            kind="policy",
            title="Demoville integration strategy 2024-2030",
            url="https://www.demoville.example/integration-strategy",
            dated=date(2024, 3, 1),
        ),
        by=contributor,
    )
    draft = Assessment.objects.filter(workspace=workspace, status=Assessment.Status.DRAFT).first()
    factor = draft.factors.select_related("key_factor").first() if draft else None
    evidence_actions.do_add_evidence(
        workspace,
        Fields(
            kind="project",
            title="Welcome desk pilot: evaluation",
            description="What the first year of the one-stop welcome desk achieved.",
            url="https://www.demoville.example/welcome-desk-evaluation",
            dated=date(2025, 9, 15),
        ),
        by=contributor,
        attach_to=factor,
    )
    return "Demo evidence: 3 items" + (", one attached to the draft's first key factor" if factor else "")


def demo_partner_views(workspace: Workspace) -> str:
    """The demo partner's view of the draft's first rated key factor, two levels above the city's (so the
    divergence shows), and the coordinator's comment on it addressed to the contributor."""
    from assessments.models import FactorComment, PartnerRating

    draft = Assessment.objects.filter(workspace=workspace, status=Assessment.Status.DRAFT).first()
    factor = draft.factors.select_related("key_factor").filter(rating__isnull=False).first() if draft else None
    if draft is None or factor is None or factor.rating is None:
        return "Demo partner views: skipped (no rated key factor in the demo draft)"
    if PartnerRating.objects.filter(factor__assessment=draft).exists():
        return "Demo partner views: already there"
    if FactorComment.objects.filter(factor__assessment=draft).exists():
        return "Demo partner views: already there"
    partner = User.objects.get(email=DEMO_MEMBERS[2][0])
    coordinator = User.objects.get(email=DEMO_MEMBERS[0][0])
    contributor = User.objects.get(email=DEMO_MEMBERS[1][0])
    levels = sorted(draft.benchmark_version.rating_scale.levels.values_list("value", flat=True))
    rating = factor.rating + 2 if factor.rating + 2 <= levels[-1] else factor.rating - 2
    assessment_actions.do_rate_as_partner(
        factor,
        by=partner,
        expected_version=0,
        rating=rating,
        comment="Demo: our volunteers meet newcomers every week and see more than the city counts.",
    )
    assessment_actions.do_add_comment(
        factor,
        by=coordinator,
        body="Demo: the Welcome Volunteers rate this higher than we do. Could you check their figures?",
        addressees=[contributor],
        site_url="http://127.0.0.1:8000/",
    )
    return f"Demo partner views: {DEMO_MEMBERS[2][4]} rated “{factor.key_factor.title}”, one comment"


# The demo's mentor city, as fictional as Demoville; its logins share the demo password (README.md).
MENTOR_CITY = {"slug": "mentorville", "name": "Mentorville", "country": "Fictional Republic", "country_code": "XF"}
MENTOR_MEMBERS = [
    ("coordinator@mentorville.example", "Marta", "Coordinator", Role.COORDINATOR),
    ("mentor@mentorville.example", "Milo", "Mentor", Role.CONTRIBUTOR),
]
MENTOR_ROUND = "2025"


def demo_mentoring(workspace: Workspace) -> str:
    """Mentorville, a fictional mentor city: its coordinator and its mentor, its offer on the demo draft's
    benchmark, its own published round 2025 (rated higher, so matching has reasons to show), and an active
    mentorship with Demoville, which shares its draft with the mentor (the mentoring app's own actions)."""
    from mentoring import actions as mentoring_actions
    from mentoring.models import Mentorship

    draft = Assessment.objects.filter(workspace=workspace, round=DEMO_ROUND).exclude(status="finalised").first()
    if draft is None:
        return "Demo mentoring: skipped (no demo draft)"
    city, _ = City.objects.get_or_create(slug=MENTOR_CITY["slug"], defaults=MENTOR_CITY)
    mentor_workspace, _ = Workspace.objects.get_or_create(city=city)
    if Mentorship.objects.filter(mentee=workspace, mentor=mentor_workspace).exists():
        return "Demo mentoring: already there"
    people = []
    for email, first, last, role in MENTOR_MEMBERS:
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=DEMO_PASSWORD, first_name=first, last_name=last, email_verified=timezone.now()
        )
        Membership.objects.get_or_create(workspace=mentor_workspace, user=user, defaults={"role": role})
        people.append(user)
    coordinator, mentor = people
    version = draft.benchmark_version
    site = "http://127.0.0.1:8000/"
    mentoring_actions.do_save_offer(
        mentor_workspace,
        by=coordinator,
        benchmarks=[version.benchmark],
        languages=["en", "fr"],
        capacity=2,
        note="Demo: Mentorville opened a one-stop welcome centre in 2019 and likes to work in short site visits.",
        open=True,
    )
    own = assessment_actions.do_start_assessment(mentor_workspace, version, MENTOR_ROUND, by=coordinator)
    levels = sorted(version.rating_scale.levels.values_list("value", flat=True))
    for n, factor in enumerate(own.factors.select_related("key_factor").prefetch_related("answers")):
        assessment_actions.do_save_factor(
            factor,
            by=coordinator,
            expected_version=factor.lock_version,
            rating=levels[-1 - n % 2],
            justification=f"Demo: what Mentorville does on “{factor.key_factor.title}”.",
            answers={a.question_id: QuestionAnswer.Answer.YES for a in factor.answers.all()},
            comments={},
        )
    assessment_actions.do_submit(own, by=coordinator)
    assessment_actions.do_finalise(own, by=coordinator)
    assessment_actions.do_set_visibility(own, Assessment.Visibility.PUBLISHED, by=coordinator)
    dana = User.objects.get(email=DEMO_MEMBERS[0][0])
    mentorship = mentoring_actions.do_request(
        workspace,
        mentor_workspace,
        version.benchmark,
        by=dana,
        message="Demo: we would like to learn how your welcome centre works with volunteers.",
        share=[draft],
        site_url=site,
    )
    mentoring_actions.do_accept(mentorship, by=coordinator, mentors=[mentor], site_url=site)
    mentorship.refresh_from_db()
    work = demo_mentors_work(mentorship, dana=dana, marta=coordinator, milo=mentor, site=site)
    return f"Demo mentoring: {city.name} mentors {workspace.city.name} on “{version.title}”, sharing its draft; {work}"


def demo_mentors_work(mentorship: Any, *, dana: User, marta: User, milo: User, site: str) -> str:
    """Two activities (a site visit held, an online workshop planned), Milo's reviews of the draft's first two
    rated key factors (one agreed, one with another level suggested) and a short thread with Dana."""
    from datetime import UTC, datetime

    from mentoring import activities, reviews

    activities.do_save_activity(
        mentorship,
        None,
        activities.ActivityFields(
            kind="site_visit",
            status="held",
            title="Demo: site visit to the Mentorville welcome centre",
            starts_at=datetime(2026, 10, 6, 7, 30, tzinfo=UTC),
            ends_at=datetime(2026, 10, 6, 15, 0, tzinfo=UTC),
            time_zone="Europe/Brussels",
            place="Mentorville welcome centre",
            organisations="Demoville Welcome Volunteers",
            participant_count=8,
            outcomes="Demo: Demoville will try volunteer hours at its own welcome desk.",
            participant_cities=[mentorship.mentee, mentorship.mentor],
        ),
        by=marta,
        site_url=site,
    )
    activities.do_save_activity(
        mentorship,
        None,
        activities.ActivityFields(
            kind="workshop",
            status="planned",
            title="Demo: workshop on the action plan",
            starts_at=datetime(2027, 2, 3, 9, 0, tzinfo=UTC),
            ends_at=datetime(2027, 2, 3, 11, 0, tzinfo=UTC),
            time_zone="Europe/Brussels",
            online=True,
            agenda="Demo: the draft's priority gaps, and what Mentorville's welcome centre learned.",
        ),
        by=milo,
        site_url=site,
    )
    draft = mentorship.shared_assessments.get()
    rated = list(draft.factors.select_related("key_factor").filter(rating__isnull=False).order_by("pk")[:2])
    levels = sorted(draft.benchmark_version.rating_scale.levels.values_list("value", flat=True))
    for n, factor in enumerate(rated):
        other = next((v for v in levels if v != factor.rating and abs(v - (factor.rating or 0)) == 1), None)
        reviews.do_review(
            mentorship,
            factor,
            by=milo,
            verdict="agree" if n == 0 or other is None else "suggest",
            suggested_rating=None if n == 0 or other is None else other,
            reason="Demo: it matches what we saw on the visit."
            if n == 0
            else "Demo: your volunteers' figures suggest another level.",
            site_url=site,
        )
    if rated:
        reviews.do_comment(
            mentorship,
            rated[0],
            by=milo,
            body="Demo: how many volunteers does the welcome desk have each week?",
            addressees=[dana],
            site_url=site,
        )
        reviews.do_comment(
            mentorship,
            rated[0],
            by=dana,
            body="Demo: twelve, from the Welcome Volunteers.",
            addressees=[milo],
            site_url=site,
        )
    return f"2 activities, {len(rated)} reviews and a thread"


DEMO_EARLIER_ROUND = "2024"


def demo_earlier_round(workspace: Workspace) -> str:
    """With `--earlier-round`: a finalised round 2024 of the demo draft's benchmark, every key factor rated
    (mostly lower than in the draft), set as the draft's previous round, so the progress over rounds has two
    rounds to show, and its action plan drafted from its gaps. Opt-in (`make run` asks for it): the default
    demo, which the tests load, keeps its single assessment."""
    draft = Assessment.objects.filter(workspace=workspace, round=DEMO_ROUND).exclude(status="finalised").first()
    if draft is None:
        return "Demo earlier round: skipped (no demo draft)"
    if Assessment.objects.alive().filter(workspace=workspace, round=DEMO_EARLIER_ROUND).exists():
        return "Demo earlier round: already there"
    coordinator = User.objects.get(email=DEMO_MEMBERS[0][0])
    version = draft.benchmark_version
    levels = sorted(version.rating_scale.levels.values_list("value", flat=True))
    earlier = assessment_actions.do_start_assessment(workspace, version, DEMO_EARLIER_ROUND, by=coordinator)
    answers = [QuestionAnswer.Answer.NO, QuestionAnswer.Answer.PARTLY, QuestionAnswer.Answer.YES]
    factors = list(earlier.factors.select_related("key_factor").prefetch_related("answers"))
    for n, factor in enumerate(factors):
        assessment_actions.do_save_factor(
            factor,
            by=coordinator,
            expected_version=factor.lock_version,
            rating=levels[n % 3],
            justification=f"Demo {DEMO_EARLIER_ROUND}: where Demoville stood on “{factor.key_factor.title}”.",
            answers={a.question_id: answers[(n + i) % 3] for i, a in enumerate(factor.answers.all())},
            comments={},
        )
    assessment_actions.do_submit(earlier, by=coordinator)
    assessment_actions.do_finalise(earlier, by=coordinator)
    Assessment.objects.filter(pk=draft.pk).update(previous_round=earlier)
    plan = plan_actions.do_start_plan(earlier, by=coordinator)
    return (
        f"Demo earlier round: {version.title}, round {DEMO_EARLIER_ROUND}, finalised, before round {DEMO_ROUND}, "
        f"with its action plan drafted from its gaps ({plan.actions.count()} actions)"
    )
