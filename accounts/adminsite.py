"""The admin site for network staff, with no door of its own (docs/quality.md S8).

Django's admin has its own login form, which checks the password alone: no second factor, no lockout,
nothing in the security log. Here every admin login door (GET or POST, with any `next`) leads to the
site's login instead, and the admin trusts only a session that has shown the second factor there.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import actions


def admin_next(request: HttpRequest) -> str:
    """Where to go after logging in: the admin page asked for, never another host or a page outside the admin."""
    index = reverse("admin:index")
    candidate = request.GET.get("next") or ""
    if (
        candidate.startswith(index)
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()})
        and "\\" not in candidate
    ):
        return candidate
    return index


class NetworkAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Integrating Cities Benchmark: network administration")
    site_title = gettext_lazy("Network administration")
    index_title = gettext_lazy("Network administration")

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff whose session passed the second factor at our login. A session made some other way
        (an old session, a login of a test or a script) is not enough, even for staff."""
        return super().has_permission(request) and request.session.get(actions.SECOND_FACTOR_PASSED) is True

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        """Never checks a password: sends everyone to the site's login, which comes back to the admin."""
        user = request.user
        if self.has_permission(request):
            return HttpResponseRedirect(admin_next(request))
        if user.is_authenticated and user.is_active and user.is_staff:
            # Staff signed in without the second factor: signed out, to sign in again with it.
            actions.do_logout(request, reason="admin_needs_second_factor")
            messages.info(request, _("Please log in again with your second factor to open the administration."))
        elif user.is_authenticated:
            # Signed in, but not network staff: there is nothing here for them (and the login page would
            # only send them back here).
            raise Http404
        login_url = reverse("accounts:login") + "?" + urlencode({"next": admin_next(request)})
        return HttpResponseRedirect(login_url)

    @method_decorator(never_cache)
    def logout(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:  # type: ignore[override]
        """The site's logout, so that it reaches the security log and ends the session server side."""
        return require_POST(logout_to_login)(request)

    # Redirects to the site's own pages, not admin pages (the stubs expect a TemplateResponse).
    def password_change(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:  # type: ignore[override]
        return HttpResponseRedirect(reverse("accounts:password_change"))

    def password_change_done(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:  # type: ignore[override]
        return HttpResponseRedirect(reverse("accounts:account"))


def logout_to_login(request: HttpRequest) -> HttpResponse:
    actions.do_logout(request)
    messages.info(request, _("You have logged out."))
    return HttpResponseRedirect(reverse("accounts:login"))
