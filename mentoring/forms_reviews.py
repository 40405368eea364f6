"""Forms of the mentor's work on a key factor: the review of its rating, the team's answer, the thread."""

from typing import Any

from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from benchmarks.models import RatingLevel
from lib.forms import AccessibleFormMixin, FirstBoxCheckboxes, FirstChoiceRadios
from mentoring.models import NOTE_MAX, RatingReview


class ReviewForm(AccessibleFormMixin, forms.Form):
    """A mentor's review of the city's rating: agreed, or another level of the scale suggested with a reason."""

    verdict = forms.ChoiceField(
        label=_("Your review of the city's rating"),
        choices=RatingReview.Verdict.choices,
        widget=FirstChoiceRadios,
        error_messages={"required": _("Say whether you agree with the rating or suggest another level.")},
    )
    suggested_rating = forms.TypedChoiceField(
        label=_("The level you suggest"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Only when you suggest another level."),
        error_messages={"invalid_choice": _("Choose a level of this benchmark's rating scale.")},
    )
    reason = forms.CharField(
        label=_("Your reason"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you suggest another level."),
    )

    def __init__(self, *args: Any, levels: list[RatingLevel], **kwargs: Any) -> None:
        super().__init__(*args, prefix="review", **kwargs)
        suggested = self.fields["suggested_rating"]
        assert isinstance(suggested, forms.TypedChoiceField)  # noqa: S101 - narrows the type for mypy
        suggested.choices = [("", _("Choose a level")), *((level.value, level.number_and_words) for level in levels)]
        self.validate_again()


class AnswerForm(AccessibleFormMixin, forms.Form):
    """The team's answer to one review; its prefix names the review, so each review has its own form."""

    answer = forms.CharField(
        label=_("The team's answer"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the team's answer.")},
    )

    def __init__(self, *args: Any, review: RatingReview, **kwargs: Any) -> None:
        super().__init__(*args, prefix=f"answer-{review.public_id}", **kwargs)


class ThreadCommentForm(AccessibleFormMixin, forms.Form):
    """A post in the thread of a key factor between the mentors and the city's team."""

    body = forms.CharField(
        label=_("Your comment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your comment.")},
    )
    addressed_to = forms.MultipleChoiceField(
        label=_("Address it to"),
        required=False,
        widget=FirstBoxCheckboxes,
        help_text=_("Each person you choose gets an e-mail with a link to this key factor."),
        error_messages={"invalid_choice": _("Choose among the mentors and the city's members only.")},
    )

    def __init__(self, *args: Any, people: dict[str, tuple[User, SafeString]], prefix: str, **kwargs: Any) -> None:
        """`people`: the mentors and the city's members one may address, by their membership's public id."""
        super().__init__(*args, prefix=prefix, **kwargs)
        self.people = people
        addressed = self.fields["addressed_to"]
        assert isinstance(addressed, forms.MultipleChoiceField)  # noqa: S101 - narrows the type for mypy
        addressed.choices = [(key, label) for key, (_user, label) in people.items()]
        self.validate_again()

    def addressees(self) -> list[User]:
        return [self.people[key][0] for key in self.cleaned_data["addressed_to"]]
