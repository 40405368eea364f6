"""A community's activities (mentoring's log, communities/activities.py): the list for its members, with who
took part and when in the activity's own zone; the form for the people who take part, which keeps what was
typed on an error and shows the saved version beside it when someone saved meanwhile."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedRequest
from cities.models import Workspace
from communities import access, activities
from communities.actions import CommunityError
from communities.forms import CommunityActivityForm
from communities.models import Community, CommunityActivity, OrganisationMember
from lib.actions import Conflict
from lib.text import sentence
from mentoring.activities import describe_time, shown, viewer_zone
from mentoring.forms_activities import initial_of
from mentoring.models import Activity


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


# ---- The list ----


def _rows(community: Community) -> list[dict[str, Any]]:
    """Each activity with who took part and its time in its own zone (four queries, however many)."""
    zone = viewer_zone()
    found = activities.live_activities(community).prefetch_related(
        Prefetch("participant_cities", queryset=Workspace.objects.select_related("city").order_by("city__name")),
        Prefetch(
            "community_link",
            queryset=CommunityActivity.objects.prefetch_related(
                Prefetch("organisations", queryset=OrganisationMember.objects.order_by("name"))
            ),
        ),
    )
    return [
        {
            "activity": activity,
            "when": (times := shown(activity, zone)).when,
            "viewer_when": times.viewer_when,
            "cities": list(activity.participant_cities.all()),
            "organisations": list(activity.community_link.organisations.all()),
        }
        for activity in found
    ]


@require_safe
@login_required
def activity_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, person = access.get_community_for_member(request.user, slug)
    context = {"community": community, "person": person, "rows": _rows(community)}
    return render(request, "communities/activity_list.html", context)


# ---- The form ----


def _stored_view(stored: dict[str, Any]) -> dict[str, Any]:
    """The saved version of a conflict, its time in its zone, to show beside what was typed."""
    unsaved = Activity(
        starts_at=datetime.fromisoformat(stored["starts_at"]),
        ends_at=datetime.fromisoformat(stored["ends_at"]),
        time_zone=stored["time_zone"],
    )
    return {
        **stored,
        "when": describe_time(unsaved),
        "kind_label": dict(Activity.Kind.choices).get(stored["kind"], ""),
        "status_label": dict(Activity.Status.choices).get(stored["status"], ""),
    }


def _found(community: Community, activity_id: UUID) -> CommunityActivity:
    link = (
        CommunityActivity.objects.select_related("activity")
        .filter(
            community=community,
            activity__public_id=activity_id,
            activity__mentorship__isnull=True,
            activity__deleted_at__isnull=True,
        )
        .first()
    )
    if link is None:
        raise Http404
    return link


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def activity_edit(request: AuthenticatedRequest, slug: str, activity_id: UUID | None = None) -> HttpResponse:
    """Records (no `activity_id`) or changes an activity: for the people who take part, 404 for anyone else
    (a city's viewers read the list only)."""
    community, person = access.get_community_for_member(request.user, slug, take_part=True)
    link = _found(community, activity_id) if activity_id is not None else None
    activity = link.activity if link is not None else None
    status = 200
    stored: dict[str, Any] | None = None
    if request.method == "POST":
        form = CommunityActivityForm(request.POST, community=community)
        if form.is_valid():
            try:
                saved = activities.do_save_community_activity(
                    community,
                    activity,
                    form.fields_value(),
                    form.chosen_organisations(),
                    by=request.user,
                    expected_version=form.cleaned_data["lock_version"] or 0,
                    site_url=_site(request),
                )
            except Conflict as conflict:
                # Keep what was typed; the next save, made knowingly, replaces the stored version.
                data = request.POST.copy()
                data["lock_version"] = str(conflict.stored_version)
                form = CommunityActivityForm(data, community=community)
                form.is_valid()
                stored = _stored_view(conflict.stored)
                status = 409
            except CommunityError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, sentence(_("“%(title)s” is saved."), title=saved.title))
                return redirect("communities:activities", community.slug)
        else:
            status = 400
    elif link is not None and activity is not None:
        initial = initial_of(activity) | {"member_organisations": list(link.organisations.all())}
        form = CommunityActivityForm(community=community, initial=initial)
    else:
        initial = {"time_zone": timezone.get_current_timezone_name(), "lock_version": 0}
        form = CommunityActivityForm(community=community, initial=initial)
    context = {"community": community, "person": person, "activity": activity, "form": form, "stored": stored}
    return render(request, "communities/activity_form.html", context, status=status)


@require_POST
@login_required
def activity_delete(request: AuthenticatedRequest, slug: str, activity_id: UUID) -> HttpResponse:
    community, _person = access.get_community_for_member(request.user, slug, take_part=True)
    link = _found(community, activity_id)
    try:
        activities.do_delete_community_activity(community, link.activity, by=request.user)
    except CommunityError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, sentence(_("“%(title)s” is deleted."), title=link.activity.title))
    return redirect("communities:activities", community.slug)
