"""Forms of the activity pages: an activity (its times typed in the zone it is held in) and an attachment."""

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from actionplans.models import Action
from cities.models import Workspace
from lib.forms import AccessibleFormMixin, FirstBoxCheckboxes
from lib.uploads import ALLOWED_EXTENSIONS, CheckedUpload, UploadFormMixin
from mentoring.activities import ActivityFields
from mentoring.models import Activity

LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


class LocalDateTimeField(forms.Field):
    """A date and time as typed in a `datetime-local` input: naive, read in the zone chosen beside it (the
    form's `time_zone`), never in the server's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {"invalid": _("Enter a date and a time, for example 2026-03-12 10:00.")}

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        for pattern in LOCAL_FORMATS:
            try:
                return datetime.strptime(str(value).strip(), pattern)
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def in_zone(local: datetime, zone_name: str) -> datetime | None:
    """`local` as an aware time in the zone, or None when that wall-clock time does not exist there (the hour
    skipped when the clocks go forward)."""
    zone = ZoneInfo(zone_name)
    aware = local.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        return None
    return aware


def local_value(value: datetime, zone_name: str) -> datetime:
    """A stored (UTC) time as the naive wall-clock time of the zone, for the form's initial values."""
    return value.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


class ActivityForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=[("", _("Choose a kind")), *Activity.Kind.choices])
    status = forms.ChoiceField(label=_("Status"), choices=Activity.Status.choices, initial=Activity.Status.PLANNED)
    title = forms.CharField(label=_("Title"), max_length=200)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("The zone of the place it is held in (or of the host, online); the times below are in it."),
    )
    starts_at = LocalDateTimeField(label=_("Starts"))
    ends_at = LocalDateTimeField(label=_("Ends"))
    online = forms.BooleanField(label=_("Held online"), required=False)
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=300,
        help_text=_("The address, or for an online meeting the tool it uses. Needed unless it is held online."),
    )
    participant_cities = forms.ModelMultipleChoiceField(
        label=_("Cities taking part"), queryset=Workspace.objects.none(), required=False, widget=FirstBoxCheckboxes
    )
    organisations = forms.CharField(
        label=_("Organisations taking part"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    participant_count = forms.IntegerField(
        label=_("How many people took part"), required=False, min_value=0, max_value=32767
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))
    outcomes = forms.CharField(
        label=_("Outcomes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_ups = forms.ModelMultipleChoiceField(
        label=_("Follow-ups in the action plan"),
        help_text=_("Actions of the action plans the city shares in this mentorship."),
        queryset=Action.objects.none(),
        required=False,
        widget=FirstBoxCheckboxes,
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, cities: Any, actions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in time_zone_names()]  # type: ignore[attr-defined]
        self.fields["participant_cities"].queryset = cities  # type: ignore[attr-defined]
        self.fields["participant_cities"].label_from_instance = lambda w: w.city.name  # type: ignore[attr-defined]
        self.fields["follow_ups"].queryset = actions  # type: ignore[attr-defined]
        follow_ups: Any = self.fields["follow_ups"]
        follow_ups.label_from_instance = lambda a: (
            _("%(action)s (round %(round)s)")
            % {
                "action": a.title,
                "round": a.plan.assessment.round,
            }
        )
        self.validate_again()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        zone = cleaned.get("time_zone")
        if not zone:
            return cleaned
        for name in ("starts_at", "ends_at"):
            local = cleaned.get(name)
            if local is None:
                continue
            aware = in_zone(local, zone)
            if aware is None:
                self.add_error(
                    name, _("This time does not exist in %(zone)s: the clocks go forward then.") % {"zone": zone}
                )
            else:
                cleaned[name] = aware
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        aware_both = isinstance(starts, datetime) and isinstance(ends, datetime) and starts.tzinfo and ends.tzinfo
        if aware_both and ends < starts:  # type: ignore[operator]
            self.add_error("ends_at", _("The end is before the start."))
        if not cleaned.get("online") and not (cleaned.get("place") or "").strip():
            self.add_error("place", _("Give the place, or tick “Held online”."))
        return cleaned

    def fields_value(self) -> ActivityFields:
        data = self.cleaned_data
        return ActivityFields(
            kind=data["kind"],
            status=data["status"],
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            time_zone=data["time_zone"],
            online=data["online"],
            place=data["place"],
            organisations=data["organisations"],
            participant_count=data["participant_count"],
            agenda=data["agenda"],
            notes=data["notes"],
            outcomes=data["outcomes"],
            participant_cities=list(data["participant_cities"]),
            follow_ups=list(data["follow_ups"]),
        )


def initial_of(activity: Activity) -> dict[str, Any]:
    zone = activity.time_zone
    return {
        "kind": activity.kind,
        "status": activity.status,
        "title": activity.title,
        "time_zone": zone,
        "starts_at": local_value(activity.starts_at, zone),
        "ends_at": local_value(activity.ends_at, zone),
        "online": activity.online,
        "place": activity.place,
        "participant_cities": list(activity.participant_cities.all()),
        "organisations": activity.organisations,
        "participant_count": activity.participant_count,
        "agenda": activity.agenda,
        "notes": activity.notes,
        "outcomes": activity.outcomes,
        "follow_ups": list(activity.follow_ups.all()),
        "lock_version": activity.lock_version,
    }


class AttachmentForm(AccessibleFormMixin, UploadFormMixin, forms.Form):
    title = forms.CharField(
        label=_("Title of the file"),
        required=False,
        max_length=200,
        help_text=_("Without a title, the file's name is shown."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT, ODS), CSV, PNG or JPEG, at most 20 MB."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)
        self.validate_again()

    def clean_file(self) -> tuple[Any, CheckedUpload] | None:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        return upload, self.checked_file(upload)
