"""Forms of the evidence pages; each renders through `_field.html` with accessible error wiring."""

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import QuestionAnswer
from evidence.actions import Fields
from evidence.models import Evidence
from lib.forms import AccessibleFormMixin, LoadedMixin
from lib.uploads import (
    ALLOWED_EXTENSIONS,
    CheckedUpload,
    UploadFormMixin,
)

WHOLE_FACTOR = "factor"


class EvidenceForm(AccessibleFormMixin, UploadFormMixin, forms.Form):
    """An item's typed fields; with `with_file` also the file (only when adding: a file is not replaced)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Choose a kind")), *Evidence.Kind.choices])
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    url = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("A web address, for example https://www.example.org/report. Give a link or a file, not both."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT, ODS), CSV, PNG or JPEG, at most 20 MB."),
    )
    value = forms.DecimalField(label=_("Value"), required=False, max_digits=20, decimal_places=4)
    unit = forms.CharField(
        label=_("Unit"), required=False, max_length=50, help_text=_("For example %, people or euros.")
    )
    reference_year = forms.IntegerField(label=_("Reference year"), required=False, min_value=1900)
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=500,
        help_text=_("Who published the figure, and where; a citation is enough when there is no link."),
    )
    dated = forms.DateField(
        label=_("Date of the document or data"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Its age is counted from this date; without it, from the reference year or when it was added."),
    )

    def __init__(self, *args: Any, with_file: bool = True, has_file: bool = False, **kwargs: Any) -> None:
        self.has_file = has_file
        super().__init__(*args, **kwargs)
        if not with_file:
            del self.fields["file"]
        else:
            self.fields["file"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)
        self.validate_again()

    def clean_file(self) -> tuple[Any, CheckedUpload] | None:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        return upload, self.checked_file(upload)

    def clean_reference_year(self) -> int | None:
        year: int | None = self.cleaned_data.get("reference_year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("The reference year cannot be in the future."))
        return year

    def clean_dated(self) -> Any:
        dated = self.cleaned_data.get("dated")
        if dated and dated > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return dated

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind == Evidence.Kind.STATISTIC:
            required = {
                "value": _("Give the statistic's value."),
                "unit": _("Give the statistic's unit."),
                "reference_year": _("Give the year the statistic refers to."),
                "source": _("Name the statistic's source."),
            }
            for name, message in required.items():
                if cleaned.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, message)
        has_file = self.has_file or bool(cleaned.get("file")) or "file" in self.errors
        if cleaned.get("url") and has_file and "file" in self.fields:
            self.add_error("url", _("Give a link or a file, not both."))
        elif cleaned.get("url") and self.has_file:
            self.add_error("url", _("This item has a file; it cannot also have a link."))
        elif kind and kind != Evidence.Kind.STATISTIC and not cleaned.get("url") and not has_file:
            target = "file" if "file" in self.fields else "url"
            self.add_error(target, _("Give a link or choose a file."))
        return cleaned

    def fields_value(self) -> Fields:
        data = self.cleaned_data
        return Fields(
            kind=data["kind"],
            title=data["title"],
            description=data["description"],
            url=data["url"],
            value=data["value"],
            unit=data["unit"],
            reference_year=data["reference_year"],
            source=data["source"],
            dated=data["dated"],
        )


class EditEvidenceForm(LoadedMixin, EvidenceForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["with_file"] = False
        super().__init__(*args, **kwargs)


def attach_choices(answers: list[QuestionAnswer]) -> list[tuple[str, str]]:
    choices = [(WHOLE_FACTOR, str(_("The key factor as a whole")))]
    for answer in answers:
        text = answer.question.text
        short = text if len(text) <= 80 else f"{text[:77]}…"
        choices.append((str(answer.question.number), f"{_('Question')} {answer.question.number}: {short}"))
    return choices


def target_of(form: forms.Form, answers: list[QuestionAnswer]) -> QuestionAnswer | None:
    """The question chosen in `attach_to` (None: the key factor as a whole)."""
    value = form.cleaned_data["attach_to"]
    if value == WHOLE_FACTOR:
        return None
    return next(a for a in answers if str(a.question.number) == value)


class AttachForm(AccessibleFormMixin, forms.Form):
    """Attach an item of the library to the key factor or one of its questions."""

    evidence = forms.ChoiceField(label=_("Evidence from the library"))
    attach_to = forms.ChoiceField(label=_("Attach to"))

    def __init__(self, *args: Any, items: list[Evidence], answers: list[QuestionAnswer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        evidence = self.fields["evidence"]
        assert isinstance(evidence, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
        evidence.choices = [
            ("", _("Choose an item")),
            *((str(item.public_id), f"{item.title} ({item.get_kind_display()})") for item in items),
        ]
        attach_to = self.fields["attach_to"]
        assert isinstance(attach_to, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
        attach_to.choices = attach_choices(answers)
        self.validate_again()


class NewEvidenceForm(EvidenceForm):
    """Add new evidence to the library and attach it in one step."""

    attach_to = forms.ChoiceField(label=_("Attach to"))

    def __init__(self, *args: Any, answers: list[QuestionAnswer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attach_to = self.fields["attach_to"]
        assert isinstance(attach_to, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
        attach_to.choices = attach_choices(answers)
        self.validate_again()
