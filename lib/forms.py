"""Form helpers shared by every app: accessible error wiring (docs/quality.md A3), and typed text that cannot
disguise itself and is written in its own direction (lib/text.py)."""

from typing import Any

from django import forms
from django.forms.widgets import DateTimeBaseInput
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from lib.text import has_overrides, strip_overrides


def is_password(name: str, field: forms.Field) -> bool:
    """A password is kept exactly as typed: its characters are the secret, whatever they are."""
    return isinstance(field.widget, forms.PasswordInput) or "password" in name


def takes_free_text(widget: forms.Widget) -> bool:
    """A text area or a plain text input (not a date, e-mail, URL, number or password input)."""
    if isinstance(widget, forms.Textarea):
        return True
    plain = isinstance(widget, forms.TextInput) and not isinstance(widget, DateTimeBaseInput)
    return plain and getattr(widget, "input_type", "") == "text"


class AccessibleFormMixin:
    """Sets aria-invalid and aria-describedby (hint and errors) on each widget after validation.

    Also, for every field but passwords: removes the override characters U+202D and U+202E from what was
    submitted before any validation (so lengths, the stored value and a form shown again all see the text
    without them), and gives text inputs and text areas `dir="auto"`, so right-to-left text is typed and
    shown in its own direction. Uploaded files (`form.files`) are never touched.

    Use as the first base of a Form or ModelForm; templates render fields with `_field.html`.
    """

    _submitted_data: Any = None

    def full_clean(self) -> None:
        self.strip_overrides()
        super().full_clean()  # type: ignore[misc]
        self.wire_aria()

    def strip_overrides(self) -> None:
        """Replaces the form's data with the submitted data less U+202D and U+202E, outside password fields.

        It starts again from the submitted data each time, as a form may add a password field after the
        first validation (see `validate_again`)."""
        form: forms.BaseForm = self  # type: ignore[assignment]
        if not form.is_bound:
            return
        submitted = self._submitted_data
        if submitted is None:
            submitted = self._submitted_data = form.data
        kept = {form.add_prefix(name) for name, field in form.fields.items() if is_password(name, field)}

        def clean(key: str, value: Any) -> Any:
            return strip_overrides(value) if isinstance(value, str) and key not in kept else value

        if isinstance(submitted, MultiValueDict):
            if not any(has_overrides(v) for _key, values in submitted.lists() for v in values if isinstance(v, str)):
                form.data = submitted
                return
            form.data = MultiValueDict({key: [clean(key, v) for v in values] for key, values in submitted.lists()})
        else:
            form.data = {key: clean(key, value) for key, value in submitted.items()}

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
            if takes_free_text(field.widget):
                attrs.setdefault("dir", "auto")
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


class FirstBoxCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose group id is the first box's, so the error summary's link lands on a real control."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return f"{id_}_{index or 0}" if id_ else id_


class FirstChoiceRadios(forms.RadioSelect):
    """Radio buttons whose group id is the first button's, as FirstBoxCheckboxes does for checkboxes."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return f"{id_}_{index or 0}" if id_ else id_
