"""Session timeouts, no-store for signed-in pages (docs/quality.md S3) and the MFA requirement (S2)."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from accounts import actions
from lib.errors import wants_json


class SessionTimeoutMiddleware:
    """Ends a signed-in session after SESSION_IDLE_SECONDS without a request or SESSION_ABSOLUTE_SECONDS
    after login, and marks every signed-in response `Cache-Control: no-store`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated
        if signed_in:
            expired = self.check(request)
            if expired is not None:
                add_never_cache_headers(expired)
                return expired
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            add_never_cache_headers(response)  # includes no-store and private
        return response

    def check(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        now = timezone.now().timestamp()
        started = session.get(actions.AUTH_STARTED)
        last_seen = session.get(actions.LAST_SEEN)
        if started is None or last_seen is None:
            # A session authenticated some other way (e.g. the admin's login): start the clocks now.
            session[actions.AUTH_STARTED] = started or now
            session[actions.LAST_SEEN] = now
            return None
        if now - started > settings.SESSION_ABSOLUTE_SECONDS:
            reason = "absolute"
            text = _(
                "You were signed out because you signed in more than %(hours)d hours ago. Please log in again."
            ) % {"hours": settings.SESSION_ABSOLUTE_SECONDS // 3600}
        elif now - last_seen > settings.SESSION_IDLE_SECONDS:
            reason = "idle"
            text = _("You were signed out after %(minutes)d minutes without activity. Please log in again.") % {
                "minutes": settings.SESSION_IDLE_SECONDS // 60
            }
        else:
            # Written at most once a minute: each write is a session save (a database UPDATE). The idle
            # clock may so start up to a minute early, never late; the page tells static/js/session.js
            # the seconds really left (accounts_tags.session_idle_seconds), and keep-alive always writes.
            if now - last_seen >= actions.LAST_SEEN_RESOLUTION:
                session[actions.LAST_SEEN] = now
            return None
        actions.do_logout(request, reason=reason)
        messages.info(request, text)
        if wants_json(request):
            # A script (autosave, keep-alive) cannot follow a redirect to the login page: it tells the user.
            return JsonResponse({"reason": "signed_out", "message": text}, status=401)
        login_url = reverse("accounts:login")
        if request.method == "GET":
            login_url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(login_url)


ALLOWED_BEFORE_MFA = {"mfa_setup", "logout", "keep_alive"}


class MFARequiredMiddleware:
    """Someone who must use MFA and has not set it up yet can reach only the setup page and log out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], args: object, kwargs: object
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.app_name == "accounts" and match.url_name in ALLOWED_BEFORE_MFA:
            return None
        if actions.has_mfa(user) or not actions.mfa_required(user):
            return None
        if wants_json(request):
            message = _("Set up two-factor authentication before you continue.")
            return JsonResponse({"reason": "mfa_required", "message": message}, status=403)
        return redirect("accounts:mfa_setup")
