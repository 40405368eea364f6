"""Forms of the action-plan pages; each renders through `_field.html` with accessible error wiring."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from actionplans.actions import ActionFields, IndicatorFields
from actionplans.models import Action, key_factor_field
from assessments.models import ContextNote
from benchmarks.models import KeyFactor
from lib.forms import AccessibleFormMixin, LoadedMixin
from practices.models import Practice


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class AddActionForm(AccessibleFormMixin, forms.Form):
    prefix = "new"

    title = forms.CharField(label=_("Title of the new action"), max_length=300)


class PlanVisibilityForm(AccessibleFormMixin, forms.Form):
    """Make the plan public, or private again: the button sends the choice; the action checks it (an unknown
    value, or public while the assessment is not published, is the form's error, shown in its summary)."""

    prefix = "plan"

    visibility = forms.CharField(widget=forms.HiddenInput, required=False)


class ActionForm(AccessibleFormMixin, LoadedMixin, forms.Form):
    """An action's fields, and one checkbox per key factor of the benchmark (each its own name, so the
    autosave script sends them as they are)."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the city will do. A drafted action lists the benchmark's prompts: replace them as you go."),
    )
    owner = forms.CharField(
        label=_("Owner"), required=False, max_length=300, help_text=_("The person or unit responsible.")
    )
    partners = forms.CharField(
        label=_("Partners"), required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 2})
    )
    start = forms.DateField(label=_("Start"), required=False, widget=DateInput())
    end = forms.DateField(label=_("End"), required=False, widget=DateInput())
    resources = forms.CharField(
        label=_("Resources"), required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 2})
    )
    budget = forms.DecimalField(
        label=_("Budget (EUR)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("In euros, for example 25000."),
    )
    funding_source = forms.CharField(label=_("Funding source"), required=False, max_length=300)
    competence = forms.ChoiceField(
        label=_("Competence level"),
        required=False,
        choices=[("", _("Not set")), *ContextNote.Competence.choices],
        help_text=_("The level of government that holds the competence for this action."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    # Learning from a practice (URBACT's "understand, adapt, re-use"); its choices are set in __init__.
    adapts_practice = forms.ChoiceField(
        label=_("Practice it adapts"),
        required=False,
        help_text=_(
            "A practice of the library this action learns from: of the mentor city or any other. "
            "The practices of this benchmark come first."
        ),
    )
    adaptation_kept = forms.CharField(
        label=_("What is kept"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the city takes over from the practice as it is."),
    )
    adaptation_changed = forms.CharField(
        label=_("What is changed"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the city does differently."),
    )
    adaptation_why = forms.CharField(
        label=_("Why it is changed"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the local context, the competences or the budget."),
    )

    def __init__(
        self, *args: Any, key_factors: list[KeyFactor], practices: list[tuple[str, Any]] | None = None, **kwargs: Any
    ) -> None:
        self.key_factors = key_factors
        super().__init__(*args, **kwargs)
        practice_field = self.fields["adapts_practice"]
        assert isinstance(practice_field, forms.ChoiceField)  # noqa: S101 - declared above
        practice_field.choices = [("", _("None")), *(practices if practices is not None else practice_choices(None))]
        for key_factor in key_factors:
            self.fields[key_factor_field(key_factor)] = forms.BooleanField(
                label=f"{key_factor.number}. {key_factor.title}", required=False
            )
        self.validate_again()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        return cleaned

    def key_factor_fields(self) -> list[forms.BoundField]:
        return [self[key_factor_field(kf)] for kf in self.key_factors]

    def values(self) -> ActionFields:
        data = self.cleaned_data
        return ActionFields(
            title=data["title"],
            description=data["description"],
            owner=data["owner"],
            partners=data["partners"],
            start=data["start"],
            end=data["end"],
            resources=data["resources"],
            budget=data["budget"],
            funding_source=data["funding_source"],
            competence=data["competence"],
            status=data["status"],
            key_factors=[kf.pk for kf in self.key_factors if data.get(key_factor_field(kf))],
            adapts_practice=data["adapts_practice"],
            adaptation_kept=data["adaptation_kept"],
            adaptation_changed=data["adaptation_changed"],
            adaptation_why=data["adaptation_why"],
        )

    @classmethod
    def initial_for(cls, action: Action, chosen: set[int]) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(action, name)
            for name in (
                "lock_version",
                "title",
                "description",
                "owner",
                "partners",
                "start",
                "end",
                "resources",
                "budget",
                "funding_source",
                "competence",
                "status",
                "adaptation_kept",
                "adaptation_changed",
                "adaptation_why",
            )
        }
        initial["adapts_practice"] = action.adapts_practice.slug if action.adapts_practice else ""
        return initial | {f"kf-{pk}": True for pk in chosen}


def practice_choices(benchmark_id: int | None) -> list[tuple[str, Any]]:
    """The library's practices for an action's "practice it adapts": those of the action's benchmark first,
    then the others, each group by city and title, labelled with its city (option groups of a select)."""
    this: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    for slug, title, city, benchmark in Practice.objects.order_by("city__name", "title").values_list(
        "slug", "title", "city__name", "benchmark_id"
    ):
        label = f"{title} ({city})"
        (this if benchmark_id is not None and benchmark == benchmark_id else others).append((slug, label))
    if not this:
        return [(str(_("Practices of the library")), others)] if others else []
    groups: list[tuple[str, Any]] = [(str(_("Practices of this benchmark")), this)]
    if others:
        groups.append((str(_("Practices of other benchmarks")), others))
    return groups


class IndicatorForm(AccessibleFormMixin, forms.Form):
    prefix = "indicator"

    name = forms.CharField(label=_("Indicator"), max_length=300, help_text=_("What is measured."))
    baseline = forms.DecimalField(label=_("Baseline"), required=False, max_digits=16, decimal_places=4)
    target = forms.DecimalField(label=_("Target"), required=False, max_digits=16, decimal_places=4)
    current = forms.DecimalField(label=_("Current value"), required=False, max_digits=16, decimal_places=4)
    unit = forms.CharField(
        label=_("Unit"), required=False, max_length=100, help_text=_("For example: people, %, events.")
    )
    due = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def values(self) -> IndicatorFields:
        data = self.cleaned_data
        return IndicatorFields(
            name=data["name"],
            baseline=data["baseline"],
            target=data["target"],
            current=data["current"],
            unit=data["unit"],
            due=data["due"],
        )


class EditIndicatorForm(LoadedMixin, IndicatorForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ProgressForm(AccessibleFormMixin, forms.Form):
    prefix = "progress"

    on = forms.DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(label=_("What happened"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": date.today()})
        super().__init__(*args, **kwargs)
