"""Form helpers shared by every app: accessible error wiring (QUALITY.md A3)."""

from typing import Any

from django import forms


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
