from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import MFADevice, User
from lib.admin import LoggedAdminMixin, is_network_staff


@admin.register(User)
class AccountAdmin(LoggedAdminMixin, UserAdmin):
    """Every network admin reads the accounts; changing one (staff status, deactivating, a new password)
    needs Django's change permission (superusers). Accounts are made by sign-up and invitations, and never
    deleted here: deleting would drop memberships around the rule that a workspace keeps a coordinator,
    and erasure of personal data has rules of its own."""

    list_display = ("email", "first_name", "last_name", "is_staff", "verified", "has_mfa", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", ("email_verified", admin.EmptyFieldListFilter))
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email_verified")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    # The address is the login and the username mirrors it; it is confirmed by mail, not typed in here.
    readonly_fields = ("email", "email_verified", "last_login", "date_joined")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Even masked, a password hash is nothing a reader needs to see.
            return [
                (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
                for name, options in fieldsets
            ]
        return fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).annotate(mfa=Exists(MFADevice.objects.filter(user=OuterRef("pk"))))

    @admin.display(boolean=True, description=_("e-mail verified"), ordering="email_verified")
    def verified(self, user: User) -> bool:
        return user.email_verified is not None

    @admin.display(boolean=True, description=_("two-step verification"), ordering="mfa")
    def has_mfa(self, user: Any) -> bool:
        return bool(user.mfa)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_network_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_network_staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Django's groups carry permissions, so their changes are logged too (superusers only, as Django has it).
admin.site.unregister(Group)


@admin.register(Group)
class LoggedGroupAdmin(LoggedAdminMixin, GroupAdmin):
    pass
