"""Cities, workspaces, memberships, invitations and workspace requests for network staff.

All read-only: each change has a rule that only `cities.actions` keeps (a workspace keeps a coordinator,
an invitation is used once, approving creates the city, the workspace and its coordinator), so changes
are admin actions calling those functions.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities import actions
from cities.models import City, Invitation, Membership, Role, Workspace, WorkspaceRequest
from lib.admin import ReadOnlyAdmin, ReadOnlyInline


@admin.register(City)
class CityAdmin(ReadOnlyAdmin):
    """Library cities come from `data/` (load_library would undo an edit, and the practice search index
    holds their names); cities of approved requests are named by the request."""

    list_display = ("name", "country", "country_code", "charter_signed", "has_workspace")
    list_filter = (("charter_signed", admin.EmptyFieldListFilter), ("workspace", admin.EmptyFieldListFilter), "country")
    search_fields = ("name", "country", "slug")
    actions = ("open_workspace",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[City]:
        return super().get_queryset(request).select_related("workspace")

    @admin.display(boolean=True, description=gettext_lazy("workspace"))
    def has_workspace(self, city: City) -> bool:
        return hasattr(city, "workspace")

    @admin.action(description=gettext_lazy("Open a workspace for the selected cities"))
    def open_workspace(self, request: HttpRequest, queryset: QuerySet[City]) -> None:
        self.run_action(request, queryset, actions.do_create_workspace, done=_("workspace opened"))


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ("user", "role", "organisation", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user")


@admin.register(Workspace)
class WorkspaceAdmin(ReadOnlyAdmin):
    list_display = ("city", "country", "members", "created_at")
    list_filter = ("city__country", "created_at")
    search_fields = ("city__name", "city__country", "public_id")
    inlines = (MembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Workspace]:
        return super().get_queryset(request).select_related("city").annotate(member_count=Count("memberships"))

    @admin.display(description=gettext_lazy("country"), ordering="city__country")
    def country(self, workspace: Workspace) -> str:
        return workspace.city.country

    @admin.display(description=gettext_lazy("members"), ordering="member_count")
    def members(self, workspace: Any) -> int:
        return int(workspace.member_count)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Roles change and members leave only through cities.actions, which keep a coordinator in each
    workspace (and the MFA rule then applies to a new coordinator at their next request)."""

    list_display = ("user", "workspace", "role", "organisation", "created_at")
    list_filter = ("role", "workspace__city__country")
    search_fields = ("user__email", "user__first_name", "user__last_name", "workspace__city__name", "organisation")
    list_select_related = ("user", "workspace__city")
    actions = ("make_coordinator", "make_contributor", "make_viewer", "remove_member")

    def change_role(self, request: HttpRequest, queryset: QuerySet[Membership], role: Role) -> None:
        # A partner keeps the organisation they speak for: do_change_role refuses a partner without one.
        self.run_action(
            request,
            queryset.select_related("user", "workspace__city"),
            actions.do_change_role,
            done=_("role changed to %(role)s") % {"role": role.label},
            role=role.value,
        )

    @admin.action(description=gettext_lazy("Make the selected members coordinators"))
    def make_coordinator(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self.change_role(request, queryset, Role.COORDINATOR)

    @admin.action(description=gettext_lazy("Make the selected members contributors"))
    def make_contributor(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self.change_role(request, queryset, Role.CONTRIBUTOR)

    @admin.action(description=gettext_lazy("Make the selected members viewers"))
    def make_viewer(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self.change_role(request, queryset, Role.VIEWER)

    @admin.action(description=gettext_lazy("Remove the selected members from their workspace"))
    def remove_member(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self.run_action(
            request, queryset.select_related("user", "workspace__city"), actions.do_remove_member, done=_("removed")
        )


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "workspace", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = (
        "role",
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
        "expires_at",
    )
    search_fields = ("email", "workspace__city__name", "organisation")
    list_select_related = ("workspace__city", "invited_by")
    # Only a hash of the token is stored; even that stays off the screen.
    exclude = ("token_hash",)
    actions = ("withdraw",)

    @admin.action(description=gettext_lazy("Withdraw the selected invitations"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        self.run_action(
            request, queryset.select_related("workspace__city"), actions.do_revoke_invitation, done=_("withdrawn")
        )


@admin.register(WorkspaceRequest)
class WorkspaceRequestAdmin(ReadOnlyAdmin):
    list_display = ("city_name", "country", "requested_by", "status", "created_at", "decided_by", "decided_at")
    list_filter = ("status", "country", "created_at")
    search_fields = ("city_name", "country", "requested_by__email", "message")
    list_select_related = ("requested_by", "decided_by")
    actions = ("approve", "decline")

    @admin.action(description=gettext_lazy("Approve the selected requests (opens the workspace)"))
    def approve(self, request: HttpRequest, queryset: QuerySet[WorkspaceRequest]) -> None:
        self.run_action(
            request,
            queryset,
            actions.do_approve_workspace_request,
            done=_("approved"),
            site_url=request.build_absolute_uri("/"),
        )

    @admin.action(description=gettext_lazy("Decline the selected requests"))
    def decline(self, request: HttpRequest, queryset: QuerySet[WorkspaceRequest]) -> None:
        self.run_action(
            request,
            queryset,
            actions.do_decline_workspace_request,
            done=_("declined"),
            site_url=request.build_absolute_uri("/"),
        )
