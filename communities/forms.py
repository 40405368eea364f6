"""Forms of the communities' pages. Choices are named by public identifiers (workspaces by UUID, benchmarks
and topics by slug, people by e-mail for staff only); the rules are the actions' (communities/actions.py)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from actionplans.models import Action
from benchmarks.models import Benchmark, Topic
from cities.models import City, Workspace
from communities import activities
from communities.models import NOTE_MAX, Community, OrganisationMember
from lib.forms import AccessibleFormMixin, FirstBoxCheckboxes
from lib.uploads import ALLOWED_EXTENSIONS, CheckedUpload, UploadFormMixin
from mentoring.activities import ActivityFields
from mentoring.forms_activities import ActivityForm


class CommunityForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        required=False,
        help_text=_("The last part of the page's address (letters, digits and hyphens); made from the name if empty."),
    )
    benchmark = forms.ModelChoiceField(
        label=_("Benchmark"),
        queryset=Benchmark.objects.published().with_current(),
        to_field_name="slug",
        required=False,
        help_text=_("The community's theme: a benchmark, or a cross-cutting topic below (one of the two)."),
    )
    topic = forms.ModelChoiceField(
        label=_("Cross-cutting topic"), queryset=Topic.objects.all(), to_field_name="slug", required=False
    )
    description = forms.CharField(label=_("Description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    visibility = forms.ChoiceField(
        label=_("Who sees its page"), choices=Community.Visibility.choices, widget=forms.RadioSelect
    )
    coordinators = forms.ModelMultipleChoiceField(
        label=_("Coordinators"),
        queryset=User.objects.none(),
        to_field_name="email",
        required=False,
        widget=FirstBoxCheckboxes,
        help_text=_(
            "The people who invite and approve members and moderate the discussion: network staff, or the "
            "coordinators of member cities. Network staff can always do so."
        ),
    )

    def __init__(self, *args: Any, community: Community | None = None, staff: bool = True, **kwargs: Any) -> None:
        """`staff`: whether the person editing is network staff, who alone name the coordinators (the choices
        carry people's e-mail addresses, which only staff may read)."""
        super().__init__(*args, **kwargs)
        if staff:
            field: Any = self.fields["coordinators"]
            field.queryset = coordinator_choices(community)
            field.label_from_instance = lambda user: f"{user} ({user.email})" if user.get_full_name() else user.email
        else:
            del self.fields["coordinators"]
        self.validate_again()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("name") and not data.get("slug"):
            data["slug"] = slugify(data["name"])[:80]
            if not data["slug"]:  # a name without Latin letters or digits makes no address of its own
                self.add_error("slug", _("Give the page an address: letters (a to z), digits and hyphens."))
        if bool(data.get("benchmark")) == bool(data.get("topic")):
            self.add_error("benchmark", _("Choose a benchmark or a cross-cutting topic, not both."))
        return data

    @classmethod
    def initial_for(cls, community: Community) -> dict[str, Any]:
        return {
            "name": community.name,
            "slug": community.slug,
            "benchmark": community.benchmark,
            "topic": community.topic,
            "description": community.description,
            "visibility": community.visibility,
            "coordinators": list(community.coordinators.all()),
        }


def coordinator_choices(community: Community | None) -> QuerySet[User]:
    """Network staff, and the coordinators of the community's member cities."""
    staff = User.objects.filter(is_staff=True, is_active=True)
    if community is None:
        return staff.order_by("email")
    members = User.objects.filter(
        memberships__role="coordinator",
        memberships__workspace__communities__community=community,
        memberships__workspace__communities__status="active",
    )
    return (staff | members).distinct().order_by("email")


class AskToJoinForm(AccessibleFormMixin, forms.Form):
    workspace = forms.ModelChoiceField(
        label=_("For which city"), queryset=Workspace.objects.none(), to_field_name="public_id", empty_label=None
    )

    def __init__(self, *args: Any, workspaces: QuerySet[Workspace], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["workspace"]
        field.queryset = workspaces
        field.label_from_instance = lambda w: w.city.name
        self.validate_again()


class InviteCityForm(AskToJoinForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workspace"].label = _("City to invite")
        self.validate_again()


class InviteOrganisationForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=_("Organisation's name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationMember.Kind.choices)
    city = forms.ModelChoiceField(
        label=_("Based in"),
        queryset=City.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        help_text=_("Leave empty for an organisation that works across cities."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    email = forms.EmailField(
        label=_("E-mail of someone who speaks for it"),
        help_text=_(
            "The invitation goes to this address; whoever accepts it with this address speaks for the "
            "organisation here. It is never shown to anyone."
        ),
    )


class AskForOrganisationForm(AccessibleFormMixin, forms.Form):
    """An organisation asking to join: whoever sends it speaks for the organisation once it is approved. Its
    fields are prefixed: the coordinators' invitation form of the same page has the same names."""

    prefix = "join"

    name = forms.CharField(label=_("Your organisation's name"), max_length=200)
    kind = forms.ChoiceField(label=_("What kind of organisation it is"), choices=OrganisationMember.Kind.choices)
    city = forms.ModelChoiceField(
        label=_("Where it is based"),
        queryset=City.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        help_text=_("Leave empty for an organisation that works across cities."),
    )
    website = forms.URLField(label=_("Its website"), required=False, assume_scheme="https")


class ConsentForm(AccessibleFormMixin, forms.Form):
    shares_ratings = forms.BooleanField(
        label=_("Show our city's ratings, and the practices our action plans adapt, named, to the other members"),
        required=False,
        help_text=_(
            "The ratings of your latest submitted or finalised self-assessment on the community's key factors, and "
            "which library practices your action plans adapt (not the actions themselves). Without this, only a "
            "published assessment counts, and only in anonymous figures of at least 5 cities."
        ),
    )


class SpeakersForm(AccessibleFormMixin, forms.Form):
    """Who speaks for a member city: members of its workspace, named by their membership's public id."""

    speakers = forms.MultipleChoiceField(
        label=_("Who speaks for the city here"),
        widget=FirstBoxCheckboxes,
        help_text=_("They are named to the other members beside the city, and get what is addressed to it."),
        error_messages={
            "required": _("Choose at least one person to speak for the city."),
            "invalid_choice": _("Choose among the city's members only."),
        },
    )

    def __init__(self, *args: Any, memberships: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = {str(m.public_id): m for m in memberships}
        field: Any = self.fields["speakers"]
        field.choices = [(key, f"{m.user} ({m.get_role_display()})") for key, m in self.memberships.items()]
        self.validate_again()

    def people(self) -> list[Any]:
        return [self.memberships[key].user for key in self.cleaned_data["speakers"]]


class VoiceField(forms.ChoiceField):
    """For whom a person posts or adds: one of the members they speak for ("city:<uuid>", "org:<uuid>")."""


def voice_choices(voices: list[Any]) -> list[tuple[str, str]]:
    from communities.models import CityMember

    return [(f"city:{v.public_id}" if isinstance(v, CityMember) else f"org:{v.public_id}", str(v)) for v in voices]


class PostForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your post"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the post before sending it.")},
    )
    voice = VoiceField(label=_("Posting for"))
    addressed_to = forms.MultipleChoiceField(
        label=_("Address it to"),
        required=False,
        widget=FirstBoxCheckboxes,
        help_text=_("The people who speak for each member you choose get an e-mail with your post."),
        error_messages={"invalid_choice": _("Choose among the community's members only.")},
    )

    def __init__(self, *args: Any, voices: list[Any], members: list[Any], **kwargs: Any) -> None:
        """`voices`: the members the author speaks for; `members`: every active member one may address."""
        super().__init__(*args, **kwargs)
        self.voices, self.members = voices, members
        voice: Any = self.fields["voice"]
        voice.choices = voice_choices(voices)
        if len(voices) == 1:  # nothing to choose: the one member the person speaks for
            voice.widget, voice.required = forms.HiddenInput(), False
            self.initial.setdefault("voice", voice.choices[0][0])
        addressed: Any = self.fields["addressed_to"]
        addressed.choices = voice_choices(members)
        self.validate_again()

    def chosen_voice(self) -> Any:
        if len(self.voices) == 1:
            return self.voices[0]
        return _pick(self.voices, self.cleaned_data.get("voice"))

    def addressed_members(self) -> list[Any]:
        keys = set(self.cleaned_data.get("addressed_to") or [])
        return [m for m, (key, _label) in zip(self.members, voice_choices(self.members), strict=True) if key in keys]


def _pick(voices: list[Any], wanted: str | None) -> Any:
    for v, (key, _label) in zip(voices, voice_choices(voices), strict=True):
        if key == wanted:
            return v
    return None


class ModerateForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why it is hidden"),
        max_length=500,
        required=False,
        help_text=_("The members read this in the post's place; the post and the reason stay in the history."),
    )


class ResourceForm(AccessibleFormMixin, UploadFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    file = forms.FileField(
        label=_("Or a file"),
        required=False,
        help_text=_("PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT, ODS), CSV, PNG or JPEG, at most 20 MB."),
    )
    voice = VoiceField(label=_("Shared for"))

    def __init__(self, *args: Any, voices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)
        self.voices = voices
        voice: Any = self.fields["voice"]
        voice.choices = voice_choices(voices)
        if len(voices) <= 1:
            voice.required = False
            voice.widget = forms.HiddenInput()
            if voices:
                self.initial.setdefault("voice", voice.choices[0][0])
        self.validate_again()

    def clean_file(self) -> tuple[Any, CheckedUpload] | None:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        return upload, self.checked_file(upload)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("url")) == bool(data.get("file")) and "file" not in self.errors:
            self.add_error("url", _("Give either a link or a file."))
        elif data.get("url") and not data.get("title"):
            self.add_error("title", _("Give the link a title."))
        return data

    def chosen_voice(self) -> Any:
        return _pick(self.voices, self.cleaned_data.get("voice"))


class CommunityActivityForm(ActivityForm):
    """Mentoring's activity form, for a community: its member cities and organisations as the choices of who
    took part, no follow-ups (they are a mentorship's plan)."""

    # Declared again rather than changed after the parent's __init__, which has already bound its fields.
    participant_cities = forms.ModelMultipleChoiceField(
        label=_("Member cities taking part"),
        queryset=Workspace.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=FirstBoxCheckboxes,
        error_messages={"invalid_choice": _("Choose among the community's member cities only.")},
    )
    member_organisations = forms.ModelMultipleChoiceField(
        label=_("Member organisations taking part"),
        queryset=OrganisationMember.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=FirstBoxCheckboxes,
        error_messages={"invalid_choice": _("Choose among the community's member organisations only.")},
    )
    organisations = forms.CharField(
        label=_("Other organisations taking part"),
        help_text=_("Organisations that are not members of the community, if any."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, cities=activities.member_workspaces(community), actions=Action.objects.none(), **kwargs)
        del self.fields["follow_ups"]
        organisations: Any = self.fields["member_organisations"]
        organisations.queryset = activities.member_organisations(community)
        organisations.label_from_instance = lambda o: o.name
        self.order_fields(
            [
                "kind",
                "title",
                "status",
                "time_zone",
                "starts_at",
                "ends_at",
                "online",
                "place",
                "participant_cities",
                "member_organisations",
                "organisations",
            ]
        )
        self.validate_again()

    def fields_value(self) -> ActivityFields:
        self.cleaned_data["follow_ups"] = []
        return super().fields_value()

    def chosen_organisations(self) -> list[OrganisationMember]:
        return list(self.cleaned_data.get("member_organisations") or [])
