"""Form helpers shared by every app: accessible error wiring (QUALITY.md A3)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AccessibleFormMixin:
    """Sets aria-invalid and aria-describedby (hint and errors) on each widget after validation.

    Use as the first base of a Form or ModelForm; templates render fields with `_field.html`.
    """

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.wire_aria()

    def wire_aria(self) -> None:
        form: forms.BaseForm = self  # type: ignore[assignment]
        for name, field in form.fields.items():
            bound = form[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.id_for_label}-hint")
            error_count = len(form.errors.get(name) or []) if form.is_bound else 0
            ids += [f"{bound.id_for_label}-error-{n}" for n in range(1, error_count + 1)]
            attrs: dict[str, Any] = field.widget.attrs
            if ids:
                attrs["aria-describedby"] = " ".join(ids)
            if error_count:
                attrs["aria-invalid"] = "true"
            else:
                attrs.pop("aria-invalid", None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wire_aria()

    def validate_again(self) -> None:
        """Call at the end of an `__init__` that adds fields or sets choices after the mixin's `__init__`.

        The mixin wired the form (and validated it, if bound) before those fields existed; this drops
        that validation, so the errors and the wiring cover every field.
        """
        self._errors = None
        self.wire_aria()


class LoadedMixin(forms.Form):
    """The hidden `loaded` field of a form whose saves merge by field (lib.merge): the fingerprints of the
    values the page was loaded with. A page without it (loaded before saves merged by field) gets the
    whole-row check of its lock_version."""

    loaded = forms.JSONField(widget=forms.HiddenInput, required=False)

    def clean_loaded(self) -> dict[str, str] | None:
        loaded = self.cleaned_data.get("loaded")
        if loaded in (None, ""):
            return None
        if (
            not isinstance(loaded, dict)
            or len(loaded) > len(self.fields)
            or not all(isinstance(k, str) and isinstance(v, str) and len(v) <= 64 for k, v in loaded.items())
        ):
            raise forms.ValidationError(_("This page is out of date: reload it and type your changes again."))
        return loaded
