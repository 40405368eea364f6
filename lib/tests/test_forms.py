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
