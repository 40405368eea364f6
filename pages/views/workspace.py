"""A workspace's page: its self-assessments (assessments) and its members (cities). Each panel's form is
handled by the app that owns it; when it is refused, the page shows again with that panel's bound form."""

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedRequest
from assessments import panels as assessment_panels
from cities import access as city_access
from cities import panels as city_panels
from cities.models import Workspace
from lib.panels import Redisplay


def _page(
    request: AuthenticatedRequest,
    workspace: Workspace,
    *,
    members: dict[str, Any] | None = None,
    assessments: dict[str, Any] | None = None,
    refused: Redisplay | None = None,
) -> HttpResponse:
    user = request.user
    context = {
        "workspace": workspace,
        "members": members or city_panels.members_panel(user, workspace),
        "assessments": assessments or assessment_panels.workspace_assessments_panel(user, workspace),
    }
    response = render(request, "pages/workspace.html", context, status=refused.status if refused else 200)
    for name, value in (refused.headers if refused else {}).items():
        response[name] = value
    return response


@require_safe
@login_required
def workspace(request: AuthenticatedRequest, workspace_id: UUID) -> HttpResponse:
    return _page(request, city_access.get_workspace_for_user(request.user, workspace_id))


@require_POST
@login_required
def invite(request: AuthenticatedRequest, workspace_id: UUID) -> HttpResponse:
    workspace = city_access.get_workspace_for_user(request.user, workspace_id, manage=True)
    answer = city_panels.invite(request, request.user, workspace)
    if isinstance(answer, Redisplay):
        return _page(request, workspace, members=answer.panel, refused=answer)
    return answer


@require_POST
@login_required
def change_role(request: AuthenticatedRequest, workspace_id: UUID, member_id: UUID) -> HttpResponse:
    member = city_access.get_member_for_user(request.user, workspace_id, member_id)
    answer = city_panels.change_role(request, request.user, member)
    if isinstance(answer, Redisplay):
        return _page(request, member.workspace, members=answer.panel, refused=answer)
    return answer


@require_POST
@login_required
def start_assessment(request: AuthenticatedRequest, workspace_id: UUID) -> HttpResponse:
    workspace = city_access.get_workspace_for_user(request.user, workspace_id)
    answer = assessment_panels.start_assessment(request, request.user, workspace)
    if isinstance(answer, Redisplay):
        return _page(request, workspace, assessments=answer.panel, refused=answer)
    return answer
