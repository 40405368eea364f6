"""State changes of accounts: sign-up, verification, login and its lockout, MFA, passwords.

Each runs in a transaction; mail leaves only once the transaction has committed.
"""

import math
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts import ratelimit, totp
from accounts.models import Attempt, MFADevice, RecoveryCode, User
from lib.clients import client_ip, hashed
from lib.securitylog import email_ref, log_event
from outbox.actions import queue_template_mail

VERIFY_SALT = "accounts.verify-email"
VERIFY_MAX_AGE = timedelta(days=3)
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
LOCKOUT_DURATION = timedelta(minutes=15)
MFA_PENDING_SECONDS = 5 * 60
RECOVERY_CODE_COUNT = 10

T = TypeVar("T")

# Session keys
AUTH_STARTED = "icb_auth_started"
LAST_SEEN = "icb_last_seen"
LAST_SEEN_RESOLUTION = 60  # seconds between two writes of LAST_SEEN (see SessionTimeoutMiddleware)
MFA_PENDING = "icb_mfa_pending"
MFA_SETUP_SECRET = "icb_mfa_setup_secret"  # noqa: S105 - a session key name, not a secret
# Set once this session has shown the second factor (at login, or confirming a new authenticator): the
# admin site trusts only such sessions (accounts.adminsite), whatever else authenticated them.
SECOND_FACTOR_PASSED = "icb_second_factor"


class RecoveryCodeHasher(PBKDF2PasswordHasher):
    """Recovery codes carry 50 random bits, so far fewer iterations than a password needs keep them safe."""

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        return super().encode(password, salt, iterations or int(settings.RECOVERY_CODE_ITERATIONS))


# ---- sign-up and e-mail verification


def verification_token(user: User) -> str:
    return signing.TimestampSigner(salt=VERIFY_SALT).sign_object({"u": user.pk, "e": user.email})


def user_for_verification_token(token: str) -> User | None:
    try:
        data = signing.TimestampSigner(salt=VERIFY_SALT).unsign_object(token, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email != data.get("e"):
        return None
    return user


def _mail(template: str, to: str, context: dict[str, object]) -> None:
    queue_template_mail(f"accounts/email/{template}", to, context)


def _send_verification(request: HttpRequest, user: User) -> None:
    url = request.build_absolute_uri(reverse("accounts:verify", args=[verification_token(user)]))
    _mail("verify", user.email, {"user": user, "url": url, "days": VERIFY_MAX_AGE.days})


def do_signup(request: HttpRequest, *, name: str, email: str, password: str) -> User | None:
    """Create an unverified account and mail its verification link.

    For an address that already has an account, nothing is created: its owner gets a mail saying
    so (or a fresh link if still unverified), and the page answers the same, so sign-up cannot be
    used to find out who has an account.
    """
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        existing = User.objects.filter(email=email).first()
        if existing is not None:
            if existing.email_verified is None:
                _send_verification(request, existing)
            else:
                url = request.build_absolute_uri(reverse("accounts:password_reset"))
                _mail("account_exists", existing.email, {"user": existing, "reset_url": url})
            return None
        user = User.objects.create_user(email=email, password=password, first_name=name)
        _send_verification(request, user)
    log_event("signup", request, user=user.pk)
    return user


def do_resend_verification(request: HttpRequest, email: str) -> None:
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        user = User.objects.filter(email=email, is_active=True, email_verified__isnull=True).first()
        if user is not None:
            _send_verification(request, user)


# A right password on an unconfirmed address sends a fresh link, at most this often per account: the mail
# goes only to the account's own address, but a login form must not become a way to flood a mailbox.
UNVERIFIED_LOGIN_MAILS = 1
UNVERIFIED_LOGIN_WINDOW = 60 * 60


def do_refuse_unverified_login(request: HttpRequest, user: User) -> None:
    """The right password for an address not yet confirmed: refused like a wrong password (the caller answers
    and counts it as one, so the login form tells nobody which password is right), and the owner gets a
    fresh verification link so that they are not left stuck."""
    key = hashed("verify-on-login", str(user.pk))
    with transaction.atomic():
        mailed = ratelimit.hit("verify-on-login", key, limit=UNVERIFIED_LOGIN_MAILS, window=UNVERIFIED_LOGIN_WINDOW)
        if mailed is None:
            _send_verification(request, user)
    log_event("login.unverified", request, user=user.pk, mailed=int(mailed is None))


def do_verify_email(request: HttpRequest, user: User) -> None:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.email_verified is None:
            user.email_verified = timezone.now()
            user.save(update_fields=["email_verified"])
            log_event("email.verified", request, user=user.pk)


# ---- login, lockout, logout


def lockout_key(email: str, request: HttpRequest) -> str:
    return hashed("login", email.strip().lower(), client_ip(request))


def seconds_left(lockout: Attempt, now: datetime) -> int:
    return max(1, int((lockout.created_at + LOCKOUT_DURATION - now).total_seconds()) + 1)


def check_under_lockout(email: str, request: HttpRequest, check: Callable[[], T | None]) -> tuple[T | None, int | None]:
    """Run one password or second-factor `check` for `email` from this client, under the login lockout (S8).

    Returns (result, wait). While this address is locked out from this client's IP, `check` never runs and
    the answer is (None, seconds left). Otherwise `check` runs: its result when it passes, (None, None) for
    a failure, and (None, seconds) for the failure that starts a lockout (the 5th within 15 minutes, not
    counting failures from before the end of an earlier lockout, so that a lockout never becomes permanent).

    Concurrent attempts are counted exactly: the "locked?" check and the counting happen under one lock
    of the key (accounts.ratelimit.lock). So that the lock is not held while a password is hashed, each attempt
    is counted as a failure (and the 5th starts the lockout) before `check` runs, and taken back when it
    passes; attempts racing an undecided 5th are refused as locked. An attempt that crashes stays counted.
    """
    key = lockout_key(email, request)
    with transaction.atomic():
        ratelimit.lock(key)
        now = timezone.now()
        last_lockout = Attempt.objects.of("lockout", key).order_by("-created_at").first()
        if last_lockout is not None and last_lockout.created_at > now - LOCKOUT_DURATION:
            return None, seconds_left(last_lockout, now)
        failure = ratelimit.record("login-failure", key)
        since = now - LOCKOUT_WINDOW
        if last_lockout is not None:
            since = max(since, last_lockout.created_at + LOCKOUT_DURATION)
        failures = Attempt.objects.of("login-failure", key).filter(created_at__gte=since).count()
        lockout = None
        if failures >= LOCKOUT_FAILURES:
            lockout = Attempt.objects.create(kind="lockout", key=key, created_at=now)
    result = check()
    if result is not None:
        Attempt.objects.filter(pk__in=[failure.pk] + ([lockout.pk] if lockout else [])).delete()
        return result, None
    log_event("login.failure", request, email_ref=email_ref(email))
    if lockout is None:
        return None, None
    log_event("login.lockout", request, email_ref=email_ref(email), seconds=int(LOCKOUT_DURATION.total_seconds()))
    return None, seconds_left(lockout, timezone.now())


def mfa_required(user: User) -> bool:
    """Staff and superusers must use a second factor (docs/quality.md S2), and whoever the apps above say
    (settings.MFA_REQUIRED_FOR: coordinators of any workspace and the mentors of an active mentorship,
    mentoring.access.must_use_second_factor)."""
    if user.is_staff or user.is_superuser:
        return True
    return any(import_string(path)(user) for path in settings.MFA_REQUIRED_FOR)


def has_mfa(user: User) -> bool:
    return MFADevice.objects.filter(user=user).exists()


def start_mfa_login(request: HttpRequest, user: User, *, next_url: str) -> None:
    """Remember that the password was right; the session is not authenticated until the second step."""
    request.session.cycle_key()
    request.session[MFA_PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "at": timezone.now().timestamp(),
        "next": next_url,
    }


def pending_mfa_user(request: HttpRequest) -> tuple[User, str, str] | None:
    pending = request.session.get(MFA_PENDING)
    if not pending or timezone.now().timestamp() - pending["at"] > MFA_PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return None
    return user, pending["backend"], pending["next"]


def do_login(request: HttpRequest, user: User, *, backend: str | None = None, method: str = "password") -> None:
    """Authenticate the session; Django's login() gives it a new id (docs/quality.md S3)."""
    login(request, user, backend=backend)  # its user_logged_in signal starts the session clocks (start_clocks)
    request.session.pop(MFA_PENDING, None)
    if method in ("totp", "recovery"):
        request.session[SECOND_FACTOR_PASSED] = True
    log_event("login", request, user=user.pk, method=method)


def start_clocks(request: HttpRequest) -> None:
    now = timezone.now().timestamp()
    request.session[AUTH_STARTED] = now
    request.session[LAST_SEEN] = now


def idle_seconds_left(request: HttpRequest) -> int:
    """Seconds before the idle timeout ends this session, as SessionTimeoutMiddleware will count them."""
    last_seen = request.session.get(LAST_SEEN)
    if last_seen is None:
        return int(settings.SESSION_IDLE_SECONDS)
    left = settings.SESSION_IDLE_SECONDS - (timezone.now().timestamp() - last_seen)
    # Rounded up: the page's countdown then ends at or just after the server's, never before it.
    return max(0, math.ceil(left))


def do_logout(request: HttpRequest, *, reason: str = "user") -> None:
    user_id = request.user.pk if request.user.is_authenticated else None
    logout(request)  # flushes the session server side
    log_event("logout", request, user=user_id, reason=reason)


# ---- MFA


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; the plain codes are returned once and never stored."""
    hasher = RecoveryCodeHasher()
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _n in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _i in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    user.recovery_codes.all().delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=hasher.encode(_normalise_recovery(code), hasher.salt())) for code in codes
    )
    return codes


def do_enable_mfa(request: HttpRequest, user: User, *, secret: str, code: str) -> list[str] | None:
    """Confirm a new authenticator with a code from it; returns the recovery codes, or None for a wrong code."""
    step = totp.matching_step(secret, code, timezone.now().timestamp(), last_step=None)
    if step is None:
        return None
    codes = add_authenticator(user, secret=secret, last_used_step=step)
    request.session.pop(MFA_SETUP_SECRET, None)
    # A code from the new authenticator is the second factor, shown in this session.
    request.session[SECOND_FACTOR_PASSED] = True
    log_event("mfa.enabled", request, user=user.pk)
    return codes


def add_authenticator(user: User, *, secret: str, last_used_step: int | None = None) -> list[str]:
    """Store a confirmed authenticator and fresh recovery codes (also how tests give a user MFA)."""
    with transaction.atomic():
        MFADevice.objects.filter(user=user).delete()
        MFADevice.objects.create(user=user, secret=secret, last_used_step=last_used_step)
        return new_recovery_codes(user)


def check_second_factor(request: HttpRequest, user: User, code: str) -> str | None:
    """'totp' or 'recovery' when the code is right (and is then used up), else None."""
    with transaction.atomic():
        device = MFADevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            return None
        if _use_totp(device, code):
            log_event("mfa.used", request, user=user.pk)
            return "totp"
        if _use_recovery_code(user, code):
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            log_event("mfa.recovery_used", request, user=user.pk, remaining=left)
            return "recovery"
    return None


class MFAChangeRefused(Exception):
    """A change of the second factor that the user's roles do not allow, with a message for them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def refuse_if_mfa_required(user: User) -> None:
    if mfa_required(user):
        raise MFAChangeRefused(
            _("Your role needs two-step verification (coordinators and network staff), so it cannot be turned off.")
        )


def _use_totp(device: MFADevice, code: str) -> bool:
    """True when `code` is a current code of the (locked) device; its step is then used up, so it cannot be replayed."""
    step = totp.matching_step(device.secret, code, timezone.now().timestamp(), last_step=device.last_used_step)
    if step is None:
        return False
    device.last_used_step = step
    device.save(update_fields=["last_used_step"])
    return True


def do_replace_recovery_codes(request: HttpRequest, user: User, *, code: str) -> list[str] | None:
    """New recovery codes for a current code from the authenticator; every old code stops working.

    Only an authenticator code confirms this, not a recovery code or the password: new codes are a
    fresh way past the second factor, so whoever asks must hold the factor itself (a session left
    open on a shared computer, or a leaked list of old codes, is not enough).
    Returns the plain codes (shown once), or None for a wrong code.
    """
    with transaction.atomic():
        device = MFADevice.objects.select_for_update().filter(user=user).first()
        if device is None or not _use_totp(device, code):
            return None
        codes = new_recovery_codes(user)
    log_event("mfa.recovery_codes_replaced", request, user=user.pk, count=len(codes))
    return codes


def do_disable_mfa(request: HttpRequest, user: User, *, password: str, code: str) -> bool:
    """Turn the second factor off, confirmed with the password and a current code (or an unused recovery
    code, so that someone who lost their phone can still leave MFA). False when either is wrong.

    Refused (MFAChangeRefused) for anyone whose roles need MFA, whatever they type. Other sessions stay
    signed in: they passed both factors, and turning MFA off gives them nothing they did not have.
    """
    with transaction.atomic():
        # The user row is the lock: a coordinator role granted meanwhile is seen before the device goes.
        locked = User.objects.select_for_update().get(pk=user.pk)
        refuse_if_mfa_required(locked)
        device = MFADevice.objects.select_for_update().filter(user=locked).first()
        if device is None:
            return True
        if not locked.check_password(password):
            return False
        if not _use_totp(device, code) and not _use_recovery_code(locked, code):
            return False
        device.delete()
        RecoveryCode.objects.filter(user=locked).delete()
    log_event("mfa.disabled", request, user=user.pk)
    return True


def _use_recovery_code(user: User, code: str) -> bool:
    candidate = _normalise_recovery(code)
    if len(candidate) != 10:
        return False
    hasher = RecoveryCodeHasher()
    for recovery in RecoveryCode.objects.select_for_update().filter(user=user, used_at__isnull=True):
        if hasher.verify(candidate, recovery.code_hash):
            recovery.used_at = timezone.now()
            recovery.save(update_fields=["used_at"])
            return True
    return False
