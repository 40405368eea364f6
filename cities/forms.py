"""Forms of the workspace pages; each renders through `_field.html` with accessible error wiring."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cities.models import City, Role
from lib.forms import AccessibleFormMixin

PARTNER_HINT = _("Required for a partner: the NGO, volunteer or migrant organisation they speak for.")


def _require_organisation_for_partner(form: forms.Form) -> None:
    if form.cleaned_data.get("role") == Role.PARTNER and not form.cleaned_data.get("organisation", "").strip():
        form.add_error("organisation", _("Name the organisation a partner speaks for."))


class WorkspaceRequestForm(AccessibleFormMixin, forms.Form):
    city_name = forms.CharField(label=_("City"), max_length=100)
    country = forms.CharField(label=_("Country"), max_length=100)
    message = forms.CharField(
        label=_("Message to the network team"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who you are in the city administration, and what you would like to use the workspace for."),
    )


class CreateWorkspaceForm(AccessibleFormMixin, forms.Form):
    city = forms.ModelChoiceField(
        label=_("City from the library"),
        queryset=City.objects.filter(workspace__isnull=True).order_by("name"),
        to_field_name="slug",
        help_text=_("Only cities without a workspace are listed. Invite the first coordinator on the new workspace."),
    )


class InviteForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    # Contributor by default: a coordinator is chosen on purpose (it must use a second factor and decides for the
    # city).
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CONTRIBUTOR)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False, help_text=PARTNER_HINT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _require_organisation_for_partner(self)
        return cleaned


class ChangeRoleForm(AccessibleFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False, help_text=PARTNER_HINT)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _require_organisation_for_partner(self)
        return cleaned
