"""lib/text.py and the forms' share of it (lib/forms.py): what is removed from typed text, what is kept,
and which inputs are written in the text's own direction."""

from django import forms
from django.http import QueryDict

from lib.forms import AccessibleFormMixin
from lib.tests.isolation import assert_isolated
from lib.text import direction, sentence, strip_overrides
from lib.uploads import display_name

RLO, LRO = "\u202e", "\u202d"


class ProfileForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=5)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    email = forms.EmailField(label="E-mail", required=False)
    since = forms.DateField(label="Since", required=False)
    password = forms.CharField(label="Password", required=False, strip=False, widget=forms.PasswordInput)
    new_password1 = forms.CharField(label="New password", required=False, strip=False)


def test_only_the_two_override_characters_are_removed() -> None:
    assert strip_overrides(f"invoice{RLO}fdp.exe {LRO}x") == "invoicefdp.exe x"
    # Embeddings (U+202A-U+202C) and isolates (U+2066-U+2069) are how right-to-left writers lay out
    # mixed text; letters of every script stay as they are.
    kept = "\u202a a \u202b ب \u202c \u2066 c \u2067 ש \u2068 d \u2069 ﻻ"
    assert strip_overrides(kept) == kept


def test_a_form_cleans_typed_text_before_validating_it_but_never_a_password() -> None:
    data = QueryDict(mutable=True)
    data.update({"name": f"Ab{RLO}cde", "note": f"{LRO}note", "password": f"pass{RLO}word"})
    data["new_password1"] = f"new{RLO}"
    form = ProfileForm(data)
    assert form.is_valid(), form.errors  # "Abcde" fits the 5 characters once the override is gone
    assert form.cleaned_data["name"] == "Abcde"
    assert form.cleaned_data["note"] == "note"
    assert form.cleaned_data["password"] == f"pass{RLO}word"
    assert form.cleaned_data["new_password1"] == f"new{RLO}"
    # Shown again, the form holds the cleaned text.
    assert RLO not in str(form["name"]) and "Abcde" in str(form["name"])


def test_a_form_built_from_a_plain_dict_is_cleaned_too() -> None:
    form = ProfileForm({"name": f"{RLO}Abc"})
    assert form.is_valid()
    assert form.cleaned_data["name"] == "Abc"


def test_text_inputs_and_text_areas_take_their_direction_from_the_text() -> None:
    form = ProfileForm()
    assert form.fields["name"].widget.attrs["dir"] == "auto"
    assert form.fields["note"].widget.attrs["dir"] == "auto"
    for name in ("email", "since", "password"):
        assert "dir" not in form.fields[name].widget.attrs, name


def test_a_sentence_escapes_itself_and_isolates_user_text() -> None:
    html = sentence("“%(title)s” & co: %(days)d days", title="<b>تقرير</b>", plain={"days": 30})
    assert html == "“<bdi>&lt;b&gt;تقرير&lt;/b&gt;</bdi>” &amp; co: 30 days"
    assert_isolated(html, "<b>تقرير</b>")


def test_a_file_name_shown_to_users_has_no_direction_controls() -> None:
    assert display_name(f"invoice{RLO}fdp.exe") == "invoicefdp.exe"


def test_a_direction_is_that_of_the_first_letter_with_a_strong_direction() -> None:
    assert direction("12 – تقرير") == "rtl"
    assert direction("(2024) דוח") == "rtl"
    assert direction("2024: report تقرير") == "ltr"
    assert direction("– 12 –") == "ltr"
