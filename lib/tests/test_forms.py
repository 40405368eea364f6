from typing import Any

from django import forms
from django.template.loader import render_to_string

from lib.forms import AccessibleFormMixin


class ExampleForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail", help_text="The address we write to.")
    note = forms.CharField(label="Note", required=False)


def test_invalid_field_is_marked_and_described_by_its_hint_and_error() -> None:
    form = ExampleForm(data={"email": "not an address"})
    assert not form.is_valid()
    attrs = form.fields["email"].widget.attrs
    assert attrs["aria-invalid"] == "true"
    assert attrs["aria-describedby"] == "id_email-hint id_email-error-1"
    html = render_to_string("_field.html", {"field": form["email"]})
    assert 'aria-invalid="true"' in html
    assert 'id="id_email-error-1"' in html
    assert 'id="id_email-hint"' in html
    assert 'value="not an address"' in html  # what was typed is kept


def test_error_summary_links_each_error_to_its_field() -> None:
    form = ExampleForm(data={})
    assert not form.is_valid()
    html = render_to_string("_error_summary.html", {"form": form})
    assert 'href="#id_email"' in html
    assert "There is a problem" in html
    assert "aria-invalid" not in str(form.fields["note"].widget.attrs)


def test_valid_form_has_no_error_markup() -> None:
    form = ExampleForm(data={"email": "a@example.org"})
    assert form.is_valid()
    assert "aria-invalid" not in form.fields["email"].widget.attrs
    assert render_to_string("_error_summary.html", {"form": form}).strip() == ""


class GrowingForm(AccessibleFormMixin, forms.Form):
    """Adds a field and sets choices after the mixin's __init__, as forms built from the database do."""

    size = forms.ChoiceField(label="Size")

    def __init__(self, *args: Any, validate_again: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["colour"] = forms.CharField(label="Colour", help_text="Any colour.")
        size = self.fields["size"]
        assert isinstance(size, forms.ChoiceField)
        size.choices = [("s", "Small"), ("l", "Large")]
        if validate_again:
            self.validate_again()


def test_validate_again_covers_fields_and_choices_added_after_the_mixin() -> None:
    form = GrowingForm(data={"size": "l"})
    assert not form.is_valid()
    assert list(form.errors) == ["colour"]  # "l" is a choice now; the added field is required
    attrs = form.fields["colour"].widget.attrs
    assert attrs["aria-invalid"] == "true"
    assert attrs["aria-describedby"] == "id_colour-hint id_colour-error-1"
    assert "aria-invalid" not in form.fields["size"].widget.attrs


def test_without_validate_again_the_first_validation_is_kept() -> None:
    # What validate_again is for: the errors of the mixin's first validation, made without those fields.
    form = GrowingForm(data={"size": "l"}, validate_again=False)
    assert list(form.errors) == ["size"]
    assert "aria-invalid" not in form.fields["colour"].widget.attrs
