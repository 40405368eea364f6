"""People who sign in. The e-mail address is the login; names and e-mails are personal data."""

from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountManager(UserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":  # type: ignore[override]
        email = self.normalize_email(email).lower()
        extra.setdefault("username", email)
        return super().create_user(email=email, password=password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":  # type: ignore[override]
        """A network admin made on the command line (`createsuperuser`, `create_network_admin`): whoever runs it
        vouches for the address, so it is verified at once and the admin can sign in and set up the second
        factor."""
        email = self.normalize_email(email).lower()
        extra.setdefault("username", email)
        extra.setdefault("email_verified", timezone.now())
        return super().create_superuser(email=email, password=password, **extra)


class User(AbstractUser):
    email = models.EmailField(_("e-mail address"), unique=True)
    email_verified = models.DateTimeField(_("e-mail verified"), null=True, blank=True)

    USERNAME_FIELD = "email"
    # Nothing but the e-mail address and a password: `createsuperuser` asks for no username (it is the address).
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = AccountManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class MFADevice(models.Model):
    """A confirmed TOTP authenticator (RFC 6238). It exists only once the user has confirmed a code."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mfa_device")
    # The shared secret must be readable to compute codes, so it cannot be hashed like a password.
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(default=timezone.now)
    # The last accepted 30-second step: a code of this step or an earlier one is refused (no replay).
    last_used_step = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return f"{self.user}"


class RecoveryCode(models.Model):
    """A single-use recovery code; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=256)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user} ({'used' if self.used_at else 'unused'})"


class AttemptQuerySet(models.QuerySet["Attempt"]):
    def of(self, kind: str, key: str) -> "AttemptQuerySet":
        return self.filter(kind=kind, key=key)

    def since(self, moment: datetime) -> "AttemptQuerySet":
        return self.filter(created_at__gt=moment)


class Attempt(models.Model):
    """One counted event for rate limits and login lockouts, kept in the database so that every
    gunicorn worker sees the same counts. `key` is a hash: no e-mail address or IP is stored."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "key", "created_at"], name="attempt_lookup"),
            # For the pruning of old rows (accounts.ratelimit.prune), which filters on created_at alone.
            models.Index(fields=["created_at"], name="attempt_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M:%S}"
