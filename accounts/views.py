"""Sign-up, verification, login (with a second factor), logout, password reset and change, MFA setup."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts import actions, ratelimit, totp
from accounts.forms import (
    CodeForm,
    DisableMFAForm,
    EmailForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    RecoveryCodesForm,
    SetPasswordForm,
    SetupCodeForm,
    SignupForm,
)
from accounts.http import AuthenticatedRequest
from accounts.models import User
from lib.clients import client_ip, hashed
from lib.securitylog import log_event

# Sign-up, password reset and verification mails: 5 per IP per hour (docs/quality.md S8).
MAIL_LIMIT = 5
MAIL_WINDOW = 60 * 60
# Wrong codes or passwords when replacing recovery codes or turning MFA off: 5 per user per 15 minutes,
# so a hijacked session cannot guess its way to a 6-digit code (1 in a million per try).
MFA_CONFIRM_LIMIT = 5
MFA_CONFIRM_WINDOW = 15 * 60


def safe_next(request: HttpRequest) -> str:
    """`next` from the form or query, only when it stays on this host (docs/quality.md S5)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def rate_limited(request: HttpRequest, kind: str, template: str, context: dict[str, Any]) -> HttpResponse | None:
    """A 429 page (the same form, with the error on top) when this IP has used up `kind`, else None."""
    wait = ratelimit.hit(kind, hashed(kind, client_ip(request)), limit=MAIL_LIMIT, window=MAIL_WINDOW)
    if wait is None:
        return None
    log_event("rate_limited", request, kind=kind)
    form = context["form"]
    form.add_error(None, too_many(wait))
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


def form_status(request: HttpRequest) -> int:
    """The status of a form page: 400 when a POST comes back to it (the form is invalid, or the submission was
    refused with the reason on the form), as in the other apps; 200 when the page is only shown."""
    return 400 if request.method == "POST" else 200


def too_many(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return _("Too many attempts from your network. Please try again in %(minutes)d minutes.") % {"minutes": minutes}


# ---- sign-up and verification


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST":
        limited = rate_limited(request, "signup", "accounts/signup.html", context)
        if limited is not None:
            return limited
        if form.is_valid():
            actions.do_signup(
                request,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
            return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", context, status=form_status(request))


@require_http_methods(["GET"])
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/check_inbox.html", {"title": _("Check your e-mail")})


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: a GET never changes anything, so mail scanners that open
    links cannot confirm an address on their own."""
    user = actions.user_for_verification_token(token)
    if user is None:
        return render(request, "accounts/verify.html", {"valid": False}, status=400)
    if request.method == "POST":
        actions.do_verify_email(request, user)
        messages.success(request, _("Your e-mail address is confirmed. You can log in now."))
        return redirect("accounts:login")
    return render(request, "accounts/verify.html", {"valid": True, "email": user.email})


@require_http_methods(["GET", "POST"])
def resend_verification(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    context = {"form": form}
    if request.method == "POST":
        limited = rate_limited(request, "resend", "accounts/resend.html", context)
        if limited is not None:
            return limited
        if form.is_valid():
            actions.do_resend_verification(request, form.cleaned_data["email"])
            return render(request, "accounts/check_inbox.html", {"title": _("Check your e-mail")})
    return render(request, "accounts/resend.html", context, status=form_status(request))


# ---- login and logout


def after_login(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    if not actions.has_mfa(user) and actions.mfa_required(user):
        messages.info(request, _("Your role needs two-step verification. Please set it up to continue."))
        return redirect("accounts:mfa_setup")
    return redirect(next_url or landing())


def landing() -> str:
    """Where a sign-in without `next` lands: the person's workspaces (settings.LOGIN_REDIRECT_URL, named there
    so that accounts, below cities, does not name cities' page itself)."""
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def locked_response(request: HttpRequest, form: Any, template: str, context: dict[str, Any], wait: int) -> HttpResponse:
    minutes = max(1, (wait + 59) // 60)
    form.add_error(
        None,
        _("Too many failed attempts. For your security, logging in is paused for %(minutes)d minutes.")
        % {"minutes": minutes},
    )
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or landing())
    form = LoginForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "next": next_url}
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()

        def check_password() -> User | None:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if not isinstance(user, User):
                return None
            if user.email_verified is None:
                # An unconfirmed address is answered and counted as a wrong password: a different answer, or
                # one that never locks, would tell whoever tries that the password is right.
                actions.do_refuse_unverified_login(request, user)
                return None
            return user

        # A locked address never reaches authenticate(); a wrong password counts towards the lockout.
        user, wait = actions.check_under_lockout(email, request, check_password)
        if wait is not None:
            return locked_response(request, form, "accounts/login.html", context, wait)
        if user is None:
            # One message for an unknown address, a wrong password and an unconfirmed address (docs/quality.md S2).
            form.add_error(None, _("The e-mail address or the password is not right."))
        elif actions.has_mfa(user):
            actions.start_mfa_login(request, user, next_url=next_url)
            return redirect("accounts:login_code")
        else:
            actions.do_login(request, user)
            return after_login(request, user, next_url)
    # A failed login answers 400 whatever the reason, the same for an unknown address and a wrong password.
    return render(request, "accounts/login.html", context, status=form_status(request))


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    pending = actions.pending_mfa_user(request)
    if pending is None:
        messages.info(request, _("Please log in again."))
        return redirect("accounts:login")
    user, backend, next_url = pending
    form = CodeForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        method, wait = actions.check_under_lockout(
            user.email, request, lambda: actions.check_second_factor(request, user, form.cleaned_data["code"])
        )
        if wait is not None:
            return locked_response(request, form, "accounts/login_code.html", context, wait)
        if method is None:
            form.add_error("code", _("This code is not right, or it has been used already."))
        else:
            actions.do_login(request, user, backend=backend, method=method)
            if method == "recovery":
                left = user.recovery_codes.filter(used_at__isnull=True).count()
                messages.warning(
                    request, _("You used a recovery code. %(count)d are left for later.") % {"count": left}
                )
            return after_login(request, user, next_url)
    return render(request, "accounts/login_code.html", context, status=form_status(request))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    actions.do_logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("accounts:login")


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """Activity on a page without a request (reading, typing): restarts the idle clock."""
    if request.user.is_authenticated:
        # The middleware writes the last-seen time at most once a minute; here it is always written, so
        # the full idle time that static/js/session.js counts down from now is the server's too.
        request.session[actions.LAST_SEEN] = timezone.now().timestamp()
    if "application/json" in request.headers.get("Accept", ""):
        if not request.user.is_authenticated:
            return JsonResponse({"signed_in": False}, status=401)
        return JsonResponse({"signed_in": True, "idle_seconds": actions.idle_seconds_left(request)})
    return redirect(safe_next(request) or reverse("accounts:account"))


# ---- the account page, password change and MFA setup


def render_account(
    request: AuthenticatedRequest,
    *,
    recovery_form: RecoveryCodesForm | None = None,
    disable_form: DisableMFAForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    has_mfa = actions.has_mfa(user)
    required = actions.mfa_required(user)
    context: dict[str, Any] = {
        "has_mfa": has_mfa,
        "mfa_required": required,
        "recovery_left": user.recovery_codes.filter(used_at__isnull=True).count(),
    }
    if has_mfa:
        context["recovery_form"] = recovery_form or RecoveryCodesForm(prefix="recovery")
        if not required:
            context["disable_form"] = disable_form or DisableMFAForm(prefix="off")
    return render(request, "accounts/account.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def account(request: AuthenticatedRequest) -> HttpResponse:
    return render_account(request)


def mfa_confirm_key(user: User) -> str:
    return hashed("mfa-confirm", str(user.pk))


def mfa_confirm_wait(request: HttpRequest, user: User) -> int | None:
    """Seconds until this user may try another code, when the last MFA_CONFIRM_LIMIT were wrong."""
    return ratelimit.retry_after(
        "mfa-confirm", mfa_confirm_key(user), limit=MFA_CONFIRM_LIMIT, window=MFA_CONFIRM_WINDOW
    )


def mfa_confirm_refused(
    request: AuthenticatedRequest, user: User, form: RecoveryCodesForm | DisableMFAForm
) -> HttpResponse:
    """The account page with the form and a 429 when too many codes were wrong, else the same with a 400."""
    wait = mfa_confirm_wait(request, user)
    if wait is not None:
        log_event("rate_limited", request, kind="mfa-confirm", user=user.pk)
        minutes = max(1, (wait + 59) // 60)
        form.add_error(
            None,
            _("Too many wrong codes. For your security, please wait %(minutes)d minutes and try again.")
            % {"minutes": minutes},
        )
    kwargs: dict[str, Any] = {"recovery_form": form} if isinstance(form, RecoveryCodesForm) else {"disable_form": form}
    response = render_account(request, status=429 if wait is not None else 400, **kwargs)
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


@login_required
@require_POST
def mfa_recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """Replace the recovery codes, confirmed with a current authenticator code; the new ones are shown once."""
    user = request.user
    if not actions.has_mfa(user):
        return redirect("accounts:mfa_setup")
    form = RecoveryCodesForm(request.POST, prefix="recovery")
    if mfa_confirm_wait(request, user) is not None:
        return mfa_confirm_refused(request, user, form)
    if form.is_valid():
        codes = actions.do_replace_recovery_codes(request, user, code=form.cleaned_data["code"])
        if codes is not None:
            # Shown once, in this response only (no-store); only their hashes are kept.
            return render(request, "accounts/mfa_codes.html", {"codes": codes, "replaced": True})
        ratelimit.record("mfa-confirm", mfa_confirm_key(user))
        log_event("mfa.confirm_failure", request, user=user.pk, action="recovery_codes")
        form.add_error("code", _("This code is not right, or it has been used already. Try the newest code."))
    return mfa_confirm_refused(request, user, form)


@sensitive_post_parameters("off-password", "off-code")
@login_required
@require_POST
def mfa_disable(request: AuthenticatedRequest) -> HttpResponse:
    """Turn two-step verification off, with the password and a code; never for roles that need it."""
    user = request.user
    if not actions.has_mfa(user):
        return redirect("accounts:account")
    form = DisableMFAForm(request.POST, prefix="off")
    try:
        # Checked before the form too, so that a coordinator gets the reason rather than field errors.
        actions.refuse_if_mfa_required(user)
        if mfa_confirm_wait(request, user) is not None:
            return mfa_confirm_refused(request, user, form)
        if not form.is_valid():
            return mfa_confirm_refused(request, user, form)
        done = actions.do_disable_mfa(
            request, user, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
        )
    except actions.MFAChangeRefused as refused:
        log_event("mfa.disable_refused", request, user=user.pk)
        messages.error(request, refused.message)
        return render_account(request, status=403)
    if done:
        messages.success(request, _("Two-step verification is off. You can turn it on again at any time."))
        return redirect("accounts:account")
    ratelimit.record("mfa-confirm", mfa_confirm_key(user))
    log_event("mfa.confirm_failure", request, user=user.pk, action="disable")
    form.add_error(None, _("The password or the code is not right."))
    return mfa_confirm_refused(request, user, form)


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Keeps this session; every other session of the user ends, its auth hash no longer matching.
        update_session_auth_hash(request, user)
        log_event("password.changed", request, user=user.pk)
        messages.success(request, _("Your password is changed. You are signed out everywhere else."))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form}, status=form_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if actions.has_mfa(user):
        return render(request, "accounts/mfa_setup.html", {"enabled": True})
    secret = request.session.get(actions.MFA_SETUP_SECRET)
    if not secret:
        secret = totp.new_secret()
        request.session[actions.MFA_SETUP_SECRET] = secret
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = actions.do_enable_mfa(request, user, secret=secret, code=form.cleaned_data["code"])
        if codes is not None:
            # Shown once, in this response only (no-store); only their hashes are kept.
            return render(request, "accounts/mfa_codes.html", {"codes": codes})
        form.add_error("code", _("This code is not right. Check the time on your phone and try the newest code."))
    context = {
        "form": form,
        "secret": totp.grouped(secret),
        "uri": totp.provisioning_uri(secret, account=user.email, issuer=_("Integrating Cities Benchmark")),
    }
    return render(request, "accounts/mfa_setup.html", context, status=form_status(request))


# ---- password reset: Django's views with our forms and templates


class ResetConfirmForm(SetPasswordForm):
    def save(self, commit: bool = True) -> Any:
        user = super().save(commit)
        # The link arrived by mail, which proves the address as well as a verification link does.
        if user.email_verified is None:
            actions.do_verify_email(self.request, user)  # type: ignore[attr-defined]
        log_event("password.reset", self.request, user=user.pk)  # type: ignore[attr-defined]
        return user


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetConfirmForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        if request.method == "POST" and not self.validlink and response.status_code == 200:
            # A new password sent to a link that is no longer valid: the "not valid" page, refused.
            response.status_code = 400
        return response

    def get_form(self, form_class: Any = None) -> DjangoSetPasswordForm:
        form = super().get_form(form_class)
        form.request = self.request
        return form

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetView(auth_views.PasswordResetView):
    def form_invalid(self, form: Any) -> HttpResponse:
        # Only a malformed address is invalid; a well-formed unknown one is sent on to the same "check your
        # e-mail" page as a known one (docs/quality.md S2), so the 400 reveals nothing about who has an account.
        return self.render_to_response(self.get_context_data(form=form), status=400)


reset_request_view: Callable[..., HttpResponseBase] = PasswordResetView.as_view(
    form_class=PasswordResetForm,
    template_name="accounts/password_reset_form.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponseBase:
    if request.method == "POST":
        form = PasswordResetForm(request.POST)
        limited = rate_limited(request, "reset", "accounts/password_reset_form.html", {"form": form})
        if limited is not None:
            return limited
    return reset_request_view(request)


password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_confirm = sensitive_post_parameters()(PasswordResetConfirmView.as_view())
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
