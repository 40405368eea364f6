"""Mentoring activities (site visits, staff exchanges, workshops, online meetings, trainings, action-planning
sessions): who may read and change them, their state changes, and the iCalendar feed of the planned ones.

Who may: the implementing city's coordinators and contributors, the mentor city's coordinators and the named
mentors record and change the activities of an ACTIVE mentorship; everyone who sees the mentorship reads them.
An attachment is the implementing city's as much as the mentors': once the mentorship ends, its files stay
readable by the implementing city's members (and network staff), no longer by the mentor city. Every check
runs on every request, so ending a mentorship closes the mentor city's downloads at once.

Times are stored in UTC; `time_zone` is the IANA zone the activity is held in, in which its pages show it.
The feed is at a secret address per person (a calendar app cannot sign in): only the SHA-256 hash of its token
is stored, a new token replaces the old one, revoking deletes it.
"""

import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from accounts.models import User
from actionplans.models import Action
from cities.actions import hash_token
from cities.models import Membership, Role, Workspace
from lib.actions import Conflict
from lib.uploads import CheckedUpload, UploadNotStored, store_upload, stored_name
from mentoring import access
from mentoring.actions import MentoringError, coordinators_of, locked_mentorship, record
from mentoring.models import Activity, ActivityAttachment, CalendarFeed, Mentorship, MentorshipEvent
from mentoring.notify import notify

# Stored attachments go to their own folder (lib.uploads.stored_name), apart from the evidence files.
FOLDER = "mentoring"


def live_activities(mentorship: Mentorship) -> QuerySet[Activity]:
    return Activity.objects.filter(mentorship=mentorship, deleted_at__isnull=True).order_by("starts_at", "pk")


def follow_up_choices(mentorship: Mentorship) -> QuerySet[Action]:
    """Follow-ups are actions of the action plans the implementing city shares in this mentorship's consent."""
    return (
        Action.objects.alive()
        .filter(plan__in=mentorship.shared_plans.filter(deleted_at__isnull=True))
        .select_related("plan__assessment")
        .order_by("plan__assessment__round", "position", "pk")
    )


def participant_choices(mentorship: Mentorship) -> QuerySet[Workspace]:
    """The cities that can take part: the two of the mentorship, and the cities of its scheme."""
    ids = {mentorship.mentee_id, mentorship.mentor_id}
    if mentorship.scheme_id:
        ids |= set(mentorship.scheme.mentors.values_list("pk", flat=True))  # type: ignore[union-attr]
        ids |= set(mentorship.scheme.implementing.values_list("pk", flat=True))  # type: ignore[union-attr]
    return Workspace.objects.filter(pk__in=ids).select_related("city").order_by("city__name")


# ---- Saving ----


@dataclass
class ActivityFields:
    """What a person types about an activity; `starts_at`/`ends_at` are aware (UTC or any zone)."""

    kind: str
    status: str
    title: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    online: bool = False
    place: str = ""
    organisations: str = ""
    participant_count: int | None = None
    agenda: str = ""
    notes: str = ""
    outcomes: str = ""
    participant_cities: list[Workspace] = field(default_factory=list)
    follow_ups: list[Action] = field(default_factory=list)


SCALARS = (
    "kind",
    "status",
    "title",
    "starts_at",
    "ends_at",
    "time_zone",
    "online",
    "place",
    "organisations",
    "participant_count",
    "agenda",
    "notes",
    "outcomes",
)


def state(activity: Activity) -> dict[str, Any]:
    """The stored activity as plain values, for the history and to show beside typed text in a conflict."""
    values: dict[str, Any] = {name: getattr(activity, name) for name in SCALARS}
    values["starts_at"] = activity.starts_at.isoformat()
    values["ends_at"] = activity.ends_at.isoformat()
    if activity.pk:
        values["participant_cities"] = sorted(str(w.city.name) for w in activity.participant_cities.all())
        values["follow_ups"] = sorted(str(a.title) for a in activity.follow_ups.all())
    return values


def check_fields(fields: ActivityFields) -> None:
    """The rules of every activity, a mentorship's or a community's (communities.activities): kind and status,
    a title, aware times in order, a place unless it is online. Raises MentoringError."""
    if fields.kind not in Activity.Kind.values or fields.status not in Activity.Status.values:
        raise MentoringError(_("Choose the kind of activity and whether it is planned, held or cancelled."))
    if not fields.title.strip():
        raise MentoringError(_("Give the activity a title."))
    if timezone.is_naive(fields.starts_at) or timezone.is_naive(fields.ends_at):
        raise ValueError("activity times must be aware")
    if fields.ends_at < fields.starts_at:
        raise MentoringError(_("An activity cannot end before it starts."))
    if not fields.online and not fields.place.strip():
        raise MentoringError(_("Give the place of the activity, or say it is held online."))


def _check(mentorship: Mentorship, fields: ActivityFields) -> None:
    check_fields(fields)
    allowed_cities = set(participant_choices(mentorship).values_list("pk", flat=True))
    if any(w.pk not in allowed_cities for w in fields.participant_cities):
        raise MentoringError(_("Only the cities of this mentorship and of its scheme can be named as taking part."))
    allowed_actions = set(follow_up_choices(mentorship).values_list("pk", flat=True))
    if any(a.pk not in allowed_actions for a in fields.follow_ups):
        raise MentoringError(
            _("Follow-ups are actions of the action plans the city shares in this mentorship; this one is not shared.")
        )


def do_save_activity(
    mentorship: Mentorship,
    activity: Activity | None,
    fields: ActivityFields,
    *,
    by: User,
    expected_version: int = 0,
    site_url: str,
) -> Activity:
    """Creates (`activity` None) or edits an activity of an active mentorship. An edit raises
    lib.actions.Conflict when someone saved the activity since `expected_version` was read, so the page keeps
    what this person typed. When an activity becomes planned, the other side's coordinators and the named
    mentors are told by e-mail."""
    with transaction.atomic():
        row = locked_mentorship(mentorship)
        if not access.can_record_activity(by, row):
            raise MentoringError(_("Activities are recorded while the mentorship is active, by the people in it."))
        _check(row, fields)
        if activity is None:
            target = Activity(mentorship=row, created_by=by)
            before: dict[str, Any] = {}
            was_planned = False
        else:
            target = Activity.objects.select_for_update().get(pk=activity.pk, mentorship=row)
            if target.deleted_at is not None:
                raise MentoringError(_("This activity was deleted meanwhile."))
            before = state(target)
            if target.lock_version != expected_version:
                submitted = {k: v for k, v in asdict(fields).items() if k in SCALARS}
                raise Conflict(stored=before, submitted=submitted, stored_version=target.lock_version)
            was_planned = target.status == Activity.Status.PLANNED
            target.lock_version += 1
        for name in SCALARS:
            value = getattr(fields, name)
            setattr(target, name, value.strip() if isinstance(value, str) else value)
        target.save()
        target.participant_cities.set(fields.participant_cities)
        target.follow_ups.set(fields.follow_ups)
        after = state(target)
        if before:
            changes = {key: {"from": before[key], "to": after[key]} for key in after if before.get(key) != after[key]}
            record(row, MentorshipEvent.Action.ACTIVITY, by, activity=target.title, edited=changes)
        else:
            record(row, MentorshipEvent.Action.ACTIVITY, by, activity=target.title, created=after)
        if target.status == Activity.Status.PLANNED and not was_planned:
            _tell_planned(row, target, by=by, site_url=site_url)
    return target


def _other_side(mentorship: Mentorship, by: User) -> list[User]:
    """The other side's coordinators and the named mentors, without the person who planned it."""
    on_mentee_side = Membership.objects.filter(workspace=mentorship.mentee, user=by).exists()
    people = coordinators_of(mentorship.mentor if on_mentee_side else mentorship.mentee)
    people += list(mentorship.mentors.all())
    seen: set[int] = set()
    told = []
    for person in people:
        if person.pk != by.pk and person.pk not in seen:
            seen.add(person.pk)
            told.append(person)
    return told


def _tell_planned(mentorship: Mentorship, activity: Activity, *, by: User, site_url: str) -> None:
    link = site_url.rstrip("/") + reverse("mentoring:activity", args=[activity.public_id])
    context = {"mentorship": mentorship, "activity": activity, "link": link, "when": describe_time(activity)}
    notify(_other_side(mentorship, by), "activity_planned", context, site_url=site_url)


def describe_time(activity: Activity) -> str:
    """ "12 March 2026, 10:00–12:00 (Europe/Lisbon)", in the activity's own zone (for mail and the feed)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(activity.time_zone)
    start, end = activity.starts_at.astimezone(zone), activity.ends_at.astimezone(zone)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d}, {start:%H:%M}–{end:%H:%M} ({activity.time_zone})"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} ({activity.time_zone})"


def do_delete_activity(activity: Activity, *, by: User) -> None:
    """Soft: the activity disappears from the pages and the feed; the history keeps that it was deleted."""
    with transaction.atomic():
        row = locked_mentorship(access.mentorship_of(activity))
        if not access.can_record_activity(by, row):
            raise MentoringError(_("Activities are recorded while the mentorship is active, by the people in it."))
        target = Activity.objects.select_for_update().get(pk=activity.pk)
        if target.deleted_at is not None:
            return
        target.deleted_at = timezone.now()
        target.save(update_fields=["deleted_at", "updated_at"])
        record(row, MentorshipEvent.Action.ACTIVITY, by, activity=target.title, deleted=True)


def do_add_attachment(
    activity: Activity, *, by: User, title: str, file: "File[Any]", checked: CheckedUpload
) -> ActivityAttachment:
    """A file `checked` by lib.uploads (as evidence files are), stored under a random name inside the
    transaction that creates its row; a failed save leaves no file behind."""
    stored = ""
    try:
        with transaction.atomic():
            row = locked_mentorship(access.mentorship_of(activity))
            if not access.can_record_activity(by, row):
                raise MentoringError(_("Files are added while the mentorship is active, by the people in it."))
            if Activity.objects.filter(pk=activity.pk, deleted_at__isnull=True).select_for_update().first() is None:
                raise MentoringError(_("This activity was deleted meanwhile."))
            try:
                stored = store_upload(default_storage, stored_name(checked.extension, folder=FOLDER), file)
            except UploadNotStored as failed:
                raise MentoringError(failed.message) from None
            attachment = ActivityAttachment.objects.create(
                activity=activity,
                title=title.strip() or checked.display_name,
                file=stored,
                file_name=checked.display_name,
                file_size=checked.size,
                file_type=checked.content_type,
                added_by=by,
            )
            record(
                row,
                MentorshipEvent.Action.ACTIVITY,
                by,
                activity=activity.title,
                attached=attachment.file_name,
            )
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return attachment


def do_remove_attachment(attachment: ActivityAttachment, *, by: User) -> None:
    """Soft: the file is no longer listed nor served; the history says who removed it."""
    with transaction.atomic():
        row = locked_mentorship(access.mentorship_of(attachment.activity))
        if not access.can_record_activity(by, row):
            raise MentoringError(_("Files are removed while the mentorship is active, by the people in it."))
        target = ActivityAttachment.objects.select_for_update().get(pk=attachment.pk)
        if target.deleted_at is not None:
            return
        target.deleted_at = timezone.now()
        target.save(update_fields=["deleted_at"])
        record(
            row,
            MentorshipEvent.Action.ACTIVITY,
            by,
            activity=attachment.activity.title,
            removed=target.file_name,
        )


# ---- The calendar feed ----


def new_feed_token(user: User) -> str:
    """A new secret address for the user's feed; only its hash is stored and the old address ends."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": hash_token(token)})
    return token


def revoke_feed(user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def feed_user(token: str) -> User | None:
    """The person whose feed this token opens (a unique lookup of its hash), or None."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.filter(token_hash=hash_token(token)).select_related("user").first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def feed_mentorships(user: User) -> QuerySet[Mentorship]:
    """The active mentorships the user takes part in: the implementing city's members, the mentor city's
    coordinators, the named mentors (network staff get their own, not the whole network's)."""
    member_of = Membership.objects.filter(user=user).values("workspace")
    coordinator_of = Membership.objects.filter(user=user, role=Role.COORDINATOR).values("workspace")
    return (
        Mentorship.objects.active()
        .filter(Q(mentee__in=member_of) | Q(mentor__in=coordinator_of) | Q(mentors=user))
        .distinct()
    )


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value (3.3.11): backslash, semicolon and comma escaped, line breaks as \\n, other
    control characters left out."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if ch in "\n\t" or (ord(ch) >= 0x20 and ord(ch) != 0x7F))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character, with CRLF."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        width = len(ch.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # a continuation line starts with one space
        current += ch
        size += width
    parts.append(current)
    return "\r\n ".join(parts) + "\r\n"


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(activity: Activity, site_url: str) -> Iterator[str]:
    mentorship = access.mentorship_of(activity)
    place = _("Online") if activity.online and not activity.place else activity.place
    if activity.online and activity.place:
        place = f"{_('Online')}: {activity.place}"
    description = [
        f"{activity.get_kind_display()} · {mentorship.mentor.city.name} → {mentorship.mentee.city.name}",
        _("Time zone: %(zone)s") % {"zone": activity.time_zone},
    ]
    if activity.agenda:
        description += ["", _("Agenda:"), activity.agenda]
    link = ""
    if site_url:
        link = site_url.rstrip("/") + reverse("mentoring:activity", args=[activity.public_id])
        description += ["", link]
    yield "BEGIN:VEVENT"
    yield f"UID:{activity.public_id}@mentoring.integrating-cities-benchmark"
    yield f"DTSTAMP:{_utc(activity.updated_at)}"
    yield f"DTSTART:{_utc(activity.starts_at)}"
    yield f"DTEND:{_utc(activity.ends_at)}"
    yield f"SUMMARY:{escape_text(activity.title)}"
    if place:
        yield f"LOCATION:{escape_text(place)}"
    yield f"DESCRIPTION:{escape_text(chr(10).join(description))}"
    if link:
        yield f"URL:{link}"
    yield "STATUS:CONFIRMED"
    yield "END:VEVENT"


def ical(user: User, *, site_url: str = "") -> str:
    """The user's planned activities as an RFC 5545 calendar: UTC times, escaped text, folded CRLF lines."""
    activities = (
        Activity.objects.filter(
            mentorship__in=feed_mentorships(user), status=Activity.Status.PLANNED, deleted_at__isnull=True
        )
        .select_related("mentorship__mentee__city", "mentorship__mentor__city")
        .order_by("starts_at", "pk")
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Integrating Cities Benchmark//Mentoring activities//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(_('Mentoring activities'))}",
    ]
    for activity in activities:
        lines += list(_event_lines(activity, site_url))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)


# ---- Times shown in two zones ----


@dataclass
class Shown:
    """An activity with its times as words: in its own zone, and in the viewer's when the clock there differs."""

    activity: Activity
    local_start: datetime
    when: str
    viewer_when: str


def span(start: datetime, end: datetime) -> str:
    """ "12 March 2026, 10:00–12:00", or both dates and times when it spans days (in the zone they are in)."""
    if start.date() == end.date():
        return _("%(day)s, %(start)s–%(end)s") % {
            "day": date_format(start, "j F Y"),
            "start": time_format(start, "H:i"),
            "end": time_format(end, "H:i"),
        }
    return f"{date_format(start, 'j F Y, H:i')} – {date_format(end, 'j F Y, H:i')}"


def shown(activity: Activity, viewer_zone: ZoneInfo) -> Shown:
    zone = ZoneInfo(activity.time_zone)
    start, end = activity.starts_at.astimezone(zone), activity.ends_at.astimezone(zone)
    when = _("%(span)s (%(zone)s)") % {
        "span": span(start.replace(tzinfo=None), end.replace(tzinfo=None)),
        "zone": activity.time_zone,
    }
    viewer_when = ""
    mine_start, mine_end = activity.starts_at.astimezone(viewer_zone), activity.ends_at.astimezone(viewer_zone)
    if mine_start.utcoffset() != start.utcoffset():
        viewer_when = _("%(span)s in your time zone (%(zone)s)") % {
            "span": span(mine_start.replace(tzinfo=None), mine_end.replace(tzinfo=None)),
            "zone": str(viewer_zone.key),
        }
    return Shown(activity, start.replace(tzinfo=None), when, viewer_when)


def viewer_zone() -> ZoneInfo:
    """The zone of the person reading (the request's active zone)."""
    return ZoneInfo(timezone.get_current_timezone_name())
