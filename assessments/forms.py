"""Forms of the self-assessment pages; each renders through `_field.html` with accessible error wiring."""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assessments.models import ContextNote, QuestionAnswer, answer_field, comment_field
from benchmarks.models import Benchmark, GuideQuestion, KeyFactor, RatingLevel
from cities.models import Membership, Role
from lib.forms import AccessibleFormMixin, FirstBoxCheckboxes, LoadedMixin
from lib.text import bdi

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class StartAssessmentForm(AccessibleFormMixin, forms.Form):
    benchmark = forms.ModelChoiceField(
        label=_("Benchmark"),
        queryset=Benchmark.objects.published().with_current(),
        to_field_name="slug",
        help_text=_("The assessment is made against the benchmark's current version."),
    )
    round = forms.RegexField(
        label=_("Round"),
        regex=r"^[0-9A-Za-z-]{1,20}$",
        max_length=20,
        help_text=_("Usually the year, for example 2026."),
        error_messages={"invalid": _("Use letters, digits and hyphens only, for example 2026.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"round": str(date.today().year)})
        super().__init__(*args, **kwargs)


def rating_choices(levels: Iterable[RatingLevel]) -> list[tuple[int | str, "StrOrPromise"]]:
    """A rating's choices: "Not rated yet", then each level of the scale by number and words ("3 – Established")."""
    return [("", _("Not rated yet")), *((level.value, level.number_and_words) for level in levels)]


class FactorForm(AccessibleFormMixin, LoadedMixin, forms.Form):
    """Answers with comments for each guide question, a rating on the scale, a justification."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    rating = forms.TypedChoiceField(label=_("Rating"), required=False, coerce=int, empty_value=None)
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why this rating: what the city does, and the evidence for it. Required with a rating."),
    )

    def __init__(self, *args: Any, questions: list[GuideQuestion], levels: list[RatingLevel], **kwargs: Any) -> None:
        self.questions = questions
        super().__init__(*args, **kwargs)
        rating = self.fields["rating"]
        assert isinstance(rating, forms.TypedChoiceField)  # noqa: S101 - narrows the type for mypy
        rating.choices = rating_choices(levels)
        for question in questions:
            self.fields[answer_field(question)] = forms.ChoiceField(
                label=_("Answer to question %(number)s") % {"number": question.number},
                choices=[("", _("Not answered yet")), *QuestionAnswer.Answer.choices],
                required=False,
            )
            self.fields[comment_field(question)] = forms.CharField(
                label=_("Comment on question %(number)s") % {"number": question.number},
                required=False,
                max_length=5_000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.validate_again()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("rating") is not None and not cleaned.get("justification", "").strip():
            self.add_error("justification", _("Explain the rating: a rating needs a justification."))
        return cleaned

    def values(self) -> dict[str, Any]:
        """What was sent, by field name: the unit of lib.merge."""
        names = ["rating", "justification"]
        for question in self.questions:
            names += [answer_field(question), comment_field(question)]
        return {name: self.cleaned_data[name] for name in names}

    def question_rows(self) -> list[tuple[GuideQuestion, forms.BoundField, forms.BoundField]]:
        return [(q, self[answer_field(q)], self[comment_field(q)]) for q in self.questions]

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data[answer_field(q)] for q in self.questions}

    def comments(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data[comment_field(q)] for q in self.questions}

    def whole_factor(self) -> dict[str, Any]:
        """The arguments of actions.do_save_factor that save the key factor as a whole, checked against the
        version the page loaded (a page loaded before fingerprints were kept, which cannot merge by field)."""
        data = self.cleaned_data
        return {
            "expected_version": data["lock_version"],
            "rating": data["rating"],
            "justification": data["justification"],
            "answers": self.answers(),
            "comments": self.comments(),
        }


class ContextForm(AccessibleFormMixin, LoadedMixin, forms.Form):
    """Effect, competence and a note for each context factor, and the key factors it bears on."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self, *args: Any, notes: list[ContextNote], key_factors: Sequence[KeyFactor] = (), **kwargs: Any
    ) -> None:
        self.notes = notes
        super().__init__(*args, **kwargs)
        factor_choices = [(str(kf.pk), f"{kf.number}. {kf.title}") for kf in key_factors]
        for note in notes:
            n = note.context_factor.number
            self.fields[f"c{n}-effect"] = forms.ChoiceField(
                label=_("Effect of context factor %(number)s") % {"number": n},
                choices=[("", _("Not assessed yet")), *ContextNote.Effect.choices],
                required=False,
            )
            self.fields[f"c{n}-competence"] = forms.ChoiceField(
                label=_("Level of government responsible for context factor %(number)s") % {"number": n},
                choices=[("", _("Not assessed yet")), *ContextNote.Competence.choices],
                required=False,
            )
            self.fields[f"c{n}-note"] = forms.CharField(
                label=_("Note on context factor %(number)s") % {"number": n},
                required=False,
                max_length=5_000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            if factor_choices:
                self.fields[f"c{n}-key_factors"] = forms.MultipleChoiceField(
                    label=_("Key factors context factor %(number)s bears on") % {"number": n},
                    choices=factor_choices,
                    required=False,
                    widget=FirstBoxCheckboxes,
                    help_text=_("The results show the note beside these key factors; with none, as a general note."),
                )
        self.validate_again()

    def rows(
        self, stored: dict[int, ContextNote] | None = None
    ) -> list[
        tuple[
            ContextNote,
            forms.BoundField,
            forms.BoundField,
            forms.BoundField,
            forms.BoundField | None,
            ContextNote | None,
        ]
    ]:
        """Each context factor's fields, with what is stored now when a conflict is shown."""
        out = []
        for note in self.notes:
            n = note.context_factor.number
            saved = (stored or {}).get(note.context_factor_id)
            bears_on = self[f"c{n}-key_factors"] if f"c{n}-key_factors" in self.fields else None
            out.append((note, self[f"c{n}-effect"], self[f"c{n}-competence"], self[f"c{n}-note"], bears_on, saved))
        return out

    def fields_sent(self) -> dict[str, Any]:
        """What was sent, by field name (the key factors a note bears on in a fixed order): the unit of lib.merge."""
        sent = {}
        for note in self.notes:
            n = note.context_factor.number
            for key in ("effect", "competence", "note"):
                sent[f"c{n}-{key}"] = self.cleaned_data[f"c{n}-{key}"]
            if f"c{n}-key_factors" in self.fields:
                sent[f"c{n}-key_factors"] = sorted(self.cleaned_data[f"c{n}-key_factors"])
        return sent

    def values(self) -> dict[int, dict[str, Any]]:
        data = self.cleaned_data
        out: dict[int, dict[str, Any]] = {}
        for note in self.notes:
            n = note.context_factor.number
            out[note.context_factor_id] = {key: data[f"c{n}-{key}"] for key in ("effect", "competence", "note")}
            if f"c{n}-key_factors" in self.fields:
                out[note.context_factor_id]["key_factors"] = [int(pk) for pk in data[f"c{n}-key_factors"]]
        return out


# ---- partner ratings and comments (prefixed: they share the key factor page with the city's own form)


class PartnerRatingForm(AccessibleFormMixin, LoadedMixin, forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    rating = forms.TypedChoiceField(label=_("Your organisation's rating"), required=False, coerce=int, empty_value=None)
    comment = forms.CharField(
        label=_("Your organisation's comment"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What your organisation sees on this key factor and why it rates it so. The whole team reads it."),
    )

    def __init__(self, *args: Any, levels: list[RatingLevel], **kwargs: Any) -> None:
        super().__init__(*args, prefix="partner", **kwargs)
        rating = self.fields["rating"]
        assert isinstance(rating, forms.TypedChoiceField)  # noqa: S101 - narrows the type for mypy
        rating.choices = rating_choices(levels)
        self.validate_again()


class CommentForm(AccessibleFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your comment.")},
    )
    addressed_to = forms.MultipleChoiceField(
        label=_("Address it to"),
        required=False,
        widget=FirstBoxCheckboxes,
        help_text=_("Each member you choose gets an e-mail with a link to this key factor."),
        error_messages={"invalid_choice": _("Choose members of this workspace only.")},
    )

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, prefix="comment", **kwargs)
        # Membership ids, not user ids: public identifiers are UUIDs, and only this workspace's members
        # are choices, so an id from anywhere else is refused as an invalid choice.
        self.members = {str(m.public_id): m for m in members}
        addressed = self.fields["addressed_to"]
        assert isinstance(addressed, forms.MultipleChoiceField)  # noqa: S101 - narrows the type for mypy
        addressed.choices = [(key, member_label(m, with_email=True)) for key, m in self.members.items()]
        self.validate_again()

    def addressees(self) -> list[User]:
        return [self.members[key].user for key in self.cleaned_data["addressed_to"]]


def member_label(member: Membership, *, with_email: bool = False) -> SafeString:
    """A member as the comment form and the discussion name them: who, then the role (and organisation).
    The name and the organisation are isolated (<bdi>): people write them in any script and direction."""
    user = member.user
    name = user.get_full_name()
    who = format_html("{} ({})", bdi(name), user.email) if name and with_email else bdi(name or user.email)
    role = member.get_role_display()
    if member.role == Role.PARTNER and member.organisation:
        return format_html("{} – {}, {}", who, role, bdi(member.organisation))
    return format_html("{} – {}", who, role)


class NextRoundForm(AccessibleFormMixin, forms.Form):
    round = forms.RegexField(
        label=_("Name of the new round"),
        regex=r"^[0-9A-Za-z-]{1,20}$",
        max_length=20,
        help_text=_("Usually the year, for example 2027."),
        error_messages={"invalid": _("Use letters, digits and hyphens only, for example 2027.")},
    )
