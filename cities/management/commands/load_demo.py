"""`./manage.py load_demo`: the fictional demo city, its workspace and four demo logins (never in production)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cities.models import City, Membership, Role, Workspace

# Documented in README.md; the city, the country and the addresses (RFC 2606 .example) are made up.
DEMO_PASSWORD = "demoville-welcomes-you"  # noqa: S105 - a published demo password, refused in production below
DEMO_CITY = {"slug": "demoville", "name": "Demoville", "country": "Fictional Republic", "country_code": "XF"}
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
        self.stdout.write(f"Demo city {city.name}: {created} created (password for all demo logins: {DEMO_PASSWORD})")
