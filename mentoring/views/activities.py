"""A mentorship's activities: the list and the month calendar (each time in the activity's own zone, and in the
viewer's when it differs), the form, one activity with its files, the file download (access checked on every
request), and the person's calendar feed: its page and its secret `.ics` address."""

import calendar
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedRequest
from lib.actions import Conflict
from lib.text import sentence
from lib.uploads import SANDBOX, stored_file_response, upload_refused
from mentoring import access, activities
from mentoring.actions import MentoringError
from mentoring.forms_activities import ActivityForm, AttachmentForm, initial_of
from mentoring.models import Activity, CalendarFeed, Mentorship


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _listed(mentorship: Mentorship) -> Any:
    return activities.live_activities(mentorship).only(
        "public_id", "title", "kind", "status", "starts_at", "ends_at", "time_zone", "online", "place", "mentorship"
    )


# ---- The list and the calendar ----


@require_safe
@login_required
def activity_list(request: AuthenticatedRequest, mentorship_id: UUID) -> HttpResponse:
    mentorship = access.get_mentorship_for_user(request.user, mentorship_id)
    zone = activities.viewer_zone()
    rows = [activities.shown(a, zone) for a in _listed(mentorship)]
    context = {
        "mentorship": mentorship,
        "rows": rows,
        "can_write": access.can_record_activity(request.user, mentorship),
        "viewer_zone": zone.key,
    }
    return render(request, "mentoring/activity_list.html", context)


def _month(value: str) -> date:
    try:
        chosen = datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)
    return chosen if 1900 <= chosen.year <= 2999 else timezone.localdate().replace(day=1)


@require_safe
@login_required
def activity_calendar(request: AuthenticatedRequest, mentorship_id: UUID) -> HttpResponse:
    """A month as a table (a row per week, Monday first); each day lists the activities held on it, on the
    day of the zone they are held in."""
    mentorship = access.get_mentorship_for_user(request.user, mentorship_id)
    month = _month(request.GET.get("month", ""))
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    first, last = weeks[0][0], weeks[-1][-1]
    # A day of margin each side: an activity's own day may differ from its UTC day.
    since = datetime.combine(first - timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo("UTC"))
    until = datetime.combine(last + timedelta(days=2), datetime.min.time(), tzinfo=ZoneInfo("UTC"))
    zone = activities.viewer_zone()
    by_day: dict[date, list[activities.Shown]] = {}
    for activity in _listed(mentorship).filter(starts_at__gte=since, starts_at__lt=until):
        row = activities.shown(activity, zone)
        by_day.setdefault(row.local_start.date(), []).append(row)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    context = {
        "mentorship": mentorship,
        "month": month,
        "weekdays": weeks[0],
        "weeks": [[(day, day.month == month.month, by_day.get(day, [])) for day in week] for week in weeks],
        "previous": previous,
        "following": following,
        "can_write": access.can_record_activity(request.user, mentorship),
        "viewer_zone": zone.key,
    }
    return render(request, "mentoring/calendar_month.html", context)


# ---- The form ----


def _form(mentorship: Mentorship, data: Any = None, **kwargs: Any) -> ActivityForm:
    return ActivityForm(
        data,
        cities=activities.participant_choices(mentorship),
        actions=activities.follow_up_choices(mentorship),
        **kwargs,
    )


def _stored_view(stored: dict[str, Any]) -> dict[str, Any]:
    """The saved version of a conflict, with its times in its zone, to show beside the typed text."""
    zone = ZoneInfo(stored["time_zone"])
    start = datetime.fromisoformat(stored["starts_at"]).astimezone(zone).replace(tzinfo=None)
    end = datetime.fromisoformat(stored["ends_at"]).astimezone(zone).replace(tzinfo=None)
    return {
        **stored,
        "when": f"{activities.span(start, end)} ({stored['time_zone']})",
        "kind_label": dict(Activity.Kind.choices).get(stored["kind"], ""),
        "status_label": dict(Activity.Status.choices).get(stored["status"], ""),
    }


def _edit(request: AuthenticatedRequest, mentorship: Mentorship, activity: Activity | None) -> HttpResponse:
    status = 200
    stored: dict[str, Any] | None = None
    if request.method == "POST":
        form = _form(mentorship, request.POST)
        if form.is_valid():
            try:
                saved = activities.do_save_activity(
                    mentorship,
                    activity,
                    form.fields_value(),
                    by=request.user,
                    expected_version=form.cleaned_data["lock_version"] or 0,
                    site_url=_site(request),
                )
            except Conflict as conflict:
                # Keep what was typed; the next save, made knowingly, replaces the stored version.
                data = request.POST.copy()
                data["lock_version"] = str(conflict.stored_version)
                form = _form(mentorship, data)
                form.is_valid()
                stored = _stored_view(conflict.stored)
                status = 409
            except MentoringError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, sentence(_("“%(title)s” is saved."), title=saved.title))
                return redirect("mentoring:activity", saved.public_id)
        else:
            status = 400
    elif activity is not None:
        form = _form(mentorship, initial=initial_of(activity))
    else:
        form = _form(mentorship, initial={"time_zone": timezone.get_current_timezone_name(), "lock_version": 0})
    context = {"mentorship": mentorship, "activity": activity, "form": form, "stored": stored}
    return render(request, "mentoring/activity_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def activity_new(request: AuthenticatedRequest, mentorship_id: UUID) -> HttpResponse:
    mentorship = access.get_mentorship_for_user(request.user, mentorship_id)
    if not access.can_record_activity(request.user, mentorship):
        raise Http404
    return _edit(request, mentorship, None)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def activity_edit(request: AuthenticatedRequest, activity_id: UUID) -> HttpResponse:
    activity = access.get_activity_for_user(request.user, activity_id, write=True)
    return _edit(request, access.mentorship_of(activity), activity)


# ---- One activity and its files ----


def _detail(
    request: AuthenticatedRequest, activity: Activity, *, form: AttachmentForm | None = None, status: int = 200
) -> HttpResponse:
    mentorship = access.mentorship_of(activity)
    can_write = access.can_record_activity(request.user, mentorship)
    can_download = access.can_read_records(request.user, mentorship)
    context = {
        "mentorship": mentorship,
        "activity": activity,
        "row": activities.shown(activity, activities.viewer_zone()),
        "cities": list(activity.participant_cities.select_related("city").order_by("city__name")),
        "follow_ups": list(activity.follow_ups.select_related("plan__assessment").filter(deleted_at__isnull=True)),
        "attachments": list(activity.attachments.filter(deleted_at__isnull=True)) if can_download else [],
        "can_write": can_write,
        "can_download": can_download,
        "form": (form or AttachmentForm()) if can_write else None,
    }
    return render(request, "mentoring/activity_detail.html", context, status=status)


@require_safe
@login_required
def activity(request: AuthenticatedRequest, activity_id: UUID) -> HttpResponse:
    return _detail(request, access.get_activity_for_user(request.user, activity_id))


@require_POST
@login_required
def activity_delete(request: AuthenticatedRequest, activity_id: UUID) -> HttpResponse:
    found = access.get_activity_for_user(request.user, activity_id, write=True)
    try:
        activities.do_delete_activity(found, by=request.user)
    except MentoringError as error:
        messages.error(request, error.message)
        return _detail(request, found, status=400)
    messages.success(request, sentence(_("“%(title)s” is deleted."), title=found.title))
    return redirect("mentoring:activities", access.mentorship_of(found).public_id)


@require_POST
@login_required
def attachment_add(request: AuthenticatedRequest, activity_id: UUID) -> HttpResponse:
    found = access.get_activity_for_user(request.user, activity_id, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if upload_refused(request):
        form.refuse_skipped_file(request)
    if not form.is_valid():
        return _detail(request, found, form=form, status=400)
    upload, checked = form.cleaned_data["file"]
    try:
        added = activities.do_add_attachment(
            found, by=request.user, title=form.cleaned_data["title"], file=upload, checked=checked
        )
    except MentoringError as error:
        form.add_error(None, error.message)
        return _detail(request, found, form=form, status=400)
    messages.success(request, sentence(_("“%(title)s” is added."), title=added.title))
    return redirect("mentoring:activity", found.public_id)


@require_POST
@login_required
def attachment_remove(request: AuthenticatedRequest, attachment_id: UUID) -> HttpResponse:
    found = access.get_attachment_for_user(request.user, attachment_id, write=True)
    try:
        activities.do_remove_attachment(found, by=request.user)
    except MentoringError as error:
        messages.error(request, error.message)
        return _detail(request, found.activity, status=400)
    messages.success(request, sentence(_("“%(title)s” is removed."), title=found.title))
    return redirect("mentoring:activity", found.activity.public_id)


@require_safe
@login_required
def attachment_download(request: AuthenticatedRequest, attachment_id: UUID) -> FileResponse:
    """The file, as an attachment the browser neither renders nor sniffs (docs/quality.md S6); who may read it
    is checked on every request (an ended mentorship closes the mentor city's downloads)."""
    attachment = access.get_attachment_for_user(request.user, attachment_id)
    return stored_file_response(
        attachment.file.name,
        file_name=attachment.file_name,
        file_type=attachment.file_type,
        file_size=attachment.file_size,
    )


# ---- The calendar feed ----


def _feed_page(request: AuthenticatedRequest, *, address: str = "") -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    context = {
        "feed": feed,
        "address": address,
        "count": activities.feed_mentorships(request.user).count(),
    }
    return render(request, "mentoring/calendar_feed.html", context)


@require_safe
@login_required
def feed(request: AuthenticatedRequest) -> HttpResponse:
    """The person's feed: whether it exists, and buttons to make a new address or end it. The address itself
    is shown once, when it is made: only its hash is stored."""
    return _feed_page(request)


@require_POST
@login_required
def feed_new(request: AuthenticatedRequest) -> HttpResponse:
    token = activities.new_feed_token(request.user)
    address = request.build_absolute_uri(reverse("mentoring:calendar_feed", args=[token]))
    return _feed_page(request, address=address)


@require_POST
@login_required
def feed_revoke(request: AuthenticatedRequest) -> HttpResponse:
    activities.revoke_feed(request.user)
    messages.success(request, _("Your calendar address is ended: calendar apps get nothing from it any more."))
    return redirect("mentoring:feed")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The public `.ics` of a person's planned activities, found by the hash of its secret token."""
    user = activities.feed_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(activities.ical(user, site_url=_site(request)), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mentoring.ics"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    return response
