from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True  # this module holds a second AppConfig, NetworkAdminConfig
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(start_session_clocks, dispatch_uid="accounts.start_session_clocks")


def start_session_clocks(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Every login (ours, the admin's, a test client's force_login) starts the idle and absolute clocks of
    SessionTimeoutMiddleware, so the first request afterwards need not save the session to start them."""
    from accounts.actions import start_clocks

    if request is not None and hasattr(request, "session"):
        start_clocks(request)


class NetworkAdminConfig(admin_apps.AdminConfig):
    """Django's admin on NetworkAdminSite, whose only login is the site's own (password, second factor,
    lockout, security log). Named in INSTALLED_APPS in place of "django.contrib.admin"."""

    default = False
    default_site = "accounts.adminsite.NetworkAdminSite"
