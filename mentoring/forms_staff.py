"""Forms of network staff's mentoring pages: a scheme, and pairing two cities by hand.

Every choice is named by its public identifier (workspaces, schemes and mentorships by UUID, benchmarks by
slug), never by a sequential id. The rules of a scheme and of a pairing are the actions'
(`do_save_scheme`, `do_pair`); the forms only check that what was sent names real rows."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from benchmarks.models import Benchmark
from cities.models import Workspace
from lib.forms import AccessibleFormMixin, FirstBoxCheckboxes
from mentoring.models import NOTE_MAX, MentoringScheme, Mentorship


class DateInput(forms.DateInput):
    """A browser's date picker, which sends and reads ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _workspaces() -> QuerySet[Workspace]:
    return Workspace.objects.select_related("city").order_by("city__name")


def _benchmarks() -> QuerySet[Benchmark]:
    return Benchmark.objects.published().with_current()


class SchemeForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    benchmark = forms.ModelChoiceField(
        label=_("Benchmark"),
        queryset=_benchmarks(),
        to_field_name="slug",
        help_text=_("The benchmark (or theme) the scheme's cities work on, as the project ran it."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    mentors = forms.ModelMultipleChoiceField(
        label=_("Mentor cities"),
        queryset=_workspaces(),
        to_field_name="public_id",
        required=False,
        widget=FirstBoxCheckboxes,
        help_text=_("The cities that mentor in this scheme."),
    )
    implementing = forms.ModelMultipleChoiceField(
        label=_("Implementing cities"),
        queryset=_workspaces(),
        to_field_name="public_id",
        required=False,
        widget=FirstBoxCheckboxes,
        help_text=_("The cities mentored in this scheme. A city is a mentor or an implementing city, not both."),
    )

    @classmethod
    def initial_for(cls, scheme: MentoringScheme) -> dict[str, Any]:
        return {
            "name": scheme.name,
            "benchmark": scheme.benchmark,
            "starts_on": scheme.starts_on,
            "ends_on": scheme.ends_on,
            "description": scheme.description,
            "mentors": list(scheme.mentors.all()),
            "implementing": list(scheme.implementing.all()),
        }


class PairForm(AccessibleFormMixin, forms.Form):
    mentee = forms.ModelChoiceField(label=_("Implementing city"), queryset=_workspaces(), to_field_name="public_id")
    mentor = forms.ModelChoiceField(label=_("Mentor city"), queryset=_workspaces(), to_field_name="public_id")
    benchmark = forms.ModelChoiceField(label=_("Benchmark"), queryset=_benchmarks(), to_field_name="slug")
    scheme = forms.ModelChoiceField(
        label=_("Scheme"),
        queryset=MentoringScheme.objects.select_related("benchmark__current_version"),
        to_field_name="public_id",
        required=False,
        empty_label=_("No scheme"),
    )
    replaces = forms.ModelChoiceField(
        label=_("Replaces"),
        queryset=Mentorship.objects.active().select_related(
            "mentor__city", "mentee__city", "benchmark__current_version"
        ),
        to_field_name="public_id",
        required=False,
        empty_label=_("Nothing: a new pairing"),
        help_text=_(
            "To re-pair a city, choose its active mentorship: it ends (ended early, re-paired by the network "
            "team) and stays in the history."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mentee, replaces = cleaned.get("mentee"), cleaned.get("replaces")
        if mentee is not None and replaces is not None and replaces.mentee_id != mentee.pk:
            self.add_error("replaces", _("Choose a mentorship of the same implementing city."))
        return cleaned
