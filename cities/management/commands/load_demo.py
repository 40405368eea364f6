"""`./manage.py load_demo`: the fictional demo city, its workspace and four demo logins (never in production)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assessments import actions as assessment_actions
from assessments.models import Assessment, QuestionAnswer
from benchmarks.models import Benchmark
from cities.models import City, Membership, Role, Workspace

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
        self.stdout.write(f"Demo city {city.name}: {created} created (password for all demo logins: {DEMO_PASSWORD})")
        self.stdout.write(assessment_note)

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
