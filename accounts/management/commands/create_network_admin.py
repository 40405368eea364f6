"""`./manage.py create_network_admin EMAIL`: a network admin (staff and superuser), ready to sign in and set up
the second factor. The password is asked twice, or read from NETWORK_ADMIN_PASSWORD with `--no-input`."""

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.urls import reverse

from accounts.models import User


class Command(BaseCommand):
    help = "Creates a network admin who signs in with this e-mail address and sets up two-step verification."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument(
            "--no-input",
            action="store_true",
            help="Read the password from the environment variable NETWORK_ADMIN_PASSWORD instead of asking.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an e-mail address.") from None
        if User.objects.filter(email=email).exists():
            raise CommandError(f"{email} already has an account: give it staff rights in the admin instead.")
        password = self._password(options["no_input"])
        try:
            validate_password(password, User(email=email, username=email))
        except ValidationError as refused:
            raise CommandError("The password is refused: " + " ".join(refused.messages)) from None
        User.objects.create_superuser(email=email, password=password)
        self.stdout.write(
            f"Network admin {email} created. Sign in at {reverse('accounts:login')} with this address; "
            "two-step verification (an authenticator app) is set up at the first sign-in."
        )

    def _password(self, no_input: bool) -> str:
        if no_input:
            password = os.environ.get("NETWORK_ADMIN_PASSWORD", "")
            if not password:
                raise CommandError("Set NETWORK_ADMIN_PASSWORD, or leave out --no-input to be asked.")
            return password
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ; nothing was created.")
        return first
