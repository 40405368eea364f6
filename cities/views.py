from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedRequest
from cities import access, actions
from cities.forms import CreateWorkspaceForm, WorkspaceRequestForm
from cities.models import City, Invitation, Membership, Role, WorkspaceRequest
from lib.text import sentence, strip_overrides


@require_safe
def city_list(request: HttpRequest) -> HttpResponse:
    cities = City.objects.annotate(practice_count=Count("practices")).order_by("country", "name")
    return render(request, "cities/city_list.html", {"cities": cities})


# Workspaces ---------------------------------------------------------------------------------------------------------


def _render_workspaces(
    request: AuthenticatedRequest,
    *,
    request_form: WorkspaceRequestForm | None = None,
    create_form: CreateWorkspaceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    roles = dict(Membership.objects.filter(user=user).values_list("workspace_id", "role"))
    workspaces = list(access.workspaces_visible_to(user).select_related("city").order_by("city__name"))
    rows = [(workspace, Role(roles[workspace.pk]).label if workspace.pk in roles else None) for workspace in workspaces]
    context: dict[str, Any] = {
        "rows": rows,
        "own_requests": WorkspaceRequest.objects.filter(requested_by=user).order_by("-created_at"),
        "request_form": request_form or WorkspaceRequestForm(),
    }
    if user.is_staff:
        context["pending_requests"] = (
            WorkspaceRequest.objects.filter(status=WorkspaceRequest.Status.PENDING)
            .select_related("requested_by")
            .order_by("created_at")
        )
        context["create_form"] = create_form or CreateWorkspaceForm()
    return render(request, "cities/workspace_list.html", context, status=status)


@require_safe
@login_required
def workspace_list(request: AuthenticatedRequest) -> HttpResponse:
    return _render_workspaces(request)


@require_POST
@login_required
def request_workspace(request: AuthenticatedRequest) -> HttpResponse:
    form = WorkspaceRequestForm(request.POST)
    if not form.is_valid():
        return _render_workspaces(request, request_form=form, status=400)
    actions.do_request_workspace(by=request.user, site_url=request.build_absolute_uri("/"), **form.cleaned_data)
    messages.success(request, _("Your request has been sent to the network team."))
    return redirect("cities:workspaces")


@require_POST
@login_required
def create_workspace(request: AuthenticatedRequest) -> HttpResponse:
    access.require_admin(request.user)
    form = CreateWorkspaceForm(request.POST)
    if not form.is_valid():
        return _render_workspaces(request, create_form=form, status=400)
    try:
        workspace = actions.do_create_workspace(form.cleaned_data["city"], by=request.user)
    except actions.WorkspaceError as error:
        messages.error(request, error.message)
        return redirect("cities:workspaces")
    messages.success(request, _("The workspace is open. Invite its first coordinator."))
    return redirect("pages:workspace", workspace.public_id)


@require_POST
@login_required
def approve_request(request: AuthenticatedRequest, request_id: UUID) -> HttpResponse:
    workspace_request = access.get_workspace_request_for_admin(request.user, request_id)
    try:
        actions.do_approve_workspace_request(
            workspace_request, by=request.user, site_url=request.build_absolute_uri("/")
        )
    except actions.WorkspaceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, sentence(_("The workspace for %(city)s is open."), city=workspace_request.city_name))
    return redirect("cities:workspaces")


REASON_MAX_CHARS = 2000


@require_POST
@login_required
def decline_request(request: AuthenticatedRequest, request_id: UUID) -> HttpResponse:
    workspace_request = access.get_workspace_request_for_admin(request.user, request_id)
    # Optional free text, mailed to the requester; the field allows no more than REASON_MAX_CHARS.
    reason = strip_overrides(request.POST.get("reason", ""))[:REASON_MAX_CHARS]
    try:
        actions.do_decline_workspace_request(
            workspace_request, by=request.user, reason=reason, site_url=request.build_absolute_uri("/")
        )
    except actions.WorkspaceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, sentence(_("The request for %(city)s was declined."), city=workspace_request.city_name)
        )
    return redirect("cities:workspaces")


@require_POST
@login_required
def revoke_invitation(request: AuthenticatedRequest, workspace_id: UUID, invitation_id: UUID) -> HttpResponse:
    invitation = access.get_invitation_for_user(request.user, workspace_id, invitation_id)
    try:
        actions.do_revoke_invitation(invitation, by=request.user)
    except actions.WorkspaceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, sentence(_("The invitation to %(email)s was withdrawn."), email=invitation.email))
    return redirect("pages:workspace", workspace_id)


@require_POST
@login_required
def remove_member(request: AuthenticatedRequest, workspace_id: UUID, member_id: UUID) -> HttpResponse:
    member = access.get_member_for_user(request.user, workspace_id, member_id)
    try:
        actions.do_remove_member(member, by=request.user)
    except actions.WorkspaceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, sentence(_("%(member)s was removed from the workspace."), member=member.user))
    if member.user_id == request.user.pk and not access.can_manage_workspace(request.user, member.workspace):
        return redirect("cities:workspaces")
    return redirect("pages:workspace", workspace_id)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def invitation(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """The link of an invitation e-mail: shows the invitation and accepts it with a POST."""
    found = Invitation.objects.select_related("workspace__city").filter(token_hash=actions.hash_token(token)).first()
    if found is None:
        raise Http404
    user = request.user
    if request.method == "POST":
        try:
            actions.do_accept_invitation(found, user=user)
        except actions.WorkspaceError as error:
            return render(
                request, "cities/invitation.html", {"invitation": found, "problem": error.message}, status=400
            )
        messages.success(request, sentence(_("Welcome to the %(city)s workspace."), city=found.workspace.city.name))
        return redirect("pages:workspace", found.workspace.public_id)
    problem = actions.invitation_problem(found, user)
    return render(request, "cities/invitation.html", {"invitation": found, "problem": problem})
