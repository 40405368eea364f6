"""Forms of the mentoring pages; each renders through `_field.html` (or a fieldset) with accessible error wiring."""

from typing import Any

from django import forms
from django.conf import global_settings
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from actionplans.models import ActionPlan
from assessments.models import Assessment
from benchmarks.models import Benchmark
from lib.forms import AccessibleFormMixin, FirstBoxCheckboxes, FirstChoiceRadios
from mentoring.models import NOTE_MAX, Mentorship

# ---- Matching ----

# Languages by their ISO 639-1 code: Django's list, without regional variants ("pt-br"); Django's own
# translations name them in the reader's language.
LANGUAGE_CHOICES = [(code, _(name)) for code, name in global_settings.LANGUAGES if "-" not in code]


class MatchingLanguagesForm(AccessibleFormMixin, forms.Form):
    """The working languages a city asks its mentor city to share (GET: the candidates page reads it). The page
    writes its options itself (mentoring/views/candidates.py): the widget's template per option costs more
    than the rest of the page."""

    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Candidates who work in one of these languages rank higher. Choose none to use the benchmark's language."
        ),
    )


class RequestMentorshipForm(AccessibleFormMixin, forms.Form):
    """An implementing city's request to one candidate mentor city."""

    mentor = forms.UUIDField(widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("Message to the mentor city"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you hope to learn from them, and when. Its coordinators read it with your request."),
    )
    share = forms.BooleanField(
        label=_("Share this assessment with the mentors once they accept"),
        required=False,
        initial=True,
        help_text=_("You can change what the mentors read at any time on the mentorship's page."),
    )


# ---- Offers and mentorships ----


class AssessmentChoices(forms.ModelMultipleChoiceField):
    """A city's self-assessments, each named by its benchmark, round and status."""

    def label_from_instance(self, obj: Any) -> str:
        return _("%(title)s, round %(round)s (%(status)s)") % {
            "title": obj.benchmark_version.title,
            "round": obj.round,
            "status": obj.get_status_display(),
        }


class PlanChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("The action plan of round %(round)s") % {"round": obj.assessment.round}


class OfferForm(AccessibleFormMixin, forms.Form):
    open = forms.BooleanField(label=_("Open to new mentorships"), required=False, initial=True)
    benchmarks = forms.ModelMultipleChoiceField(
        label=_("Benchmarks your city mentors on"),
        queryset=Benchmark.objects.published().with_current(),
        widget=FirstBoxCheckboxes,
        help_text=_("Implementing cities find you among their mentor candidates for these benchmarks."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages your staff work in"),
        choices=LANGUAGE_CHOICES,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    capacity = forms.IntegerField(
        label=_("Cities you can mentor at once"),
        min_value=1,
        max_value=20,
        initial=1,
        help_text=_("Once this many mentorships are active, your city is not offered to others until one ends."),
    )
    note = forms.CharField(
        label=_("A short note for implementing cities"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What your city has learned and can share, how your mentors like to work."),
    )
    shared_for_matching = AssessmentChoices(
        label=_("Unpublished assessments matching may read"),
        queryset=Assessment.objects.none(),
        required=False,
        widget=FirstBoxCheckboxes,
        help_text=_(
            "Published assessments count anyway. An assessment ticked here lets matching compare its ratings and "
            "context with the implementing city's, and the reasons shown to it say so; its answers, "
            "justifications and evidence are never shown."
        ),
    )

    def __init__(self, *args: Any, assessments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shared_for_matching"].queryset = assessments  # type: ignore[attr-defined]
        self.validate_again()


class AcceptForm(AccessibleFormMixin, forms.Form):
    mentors = forms.ModelMultipleChoiceField(
        label=_("Your mentors"),
        queryset=User.objects.none(),
        widget=FirstBoxCheckboxes,
        help_text=_(
            "Members of your workspace who mentor this city. Only they read what it shares, and they sign in "
            "with a second factor."
        ),
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentors"].queryset = members  # type: ignore[attr-defined]
        self.validate_again()


class DeclineForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent to the implementing city with the decision."),
    )


class EndForm(AccessibleFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("How it ended"), choices=Mentorship.Outcome.choices, widget=FirstChoiceRadios)
    reason = forms.CharField(
        label=_("Why it ends early"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when it ends early. An early end is recorded as such, not as a failure of either city."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == Mentorship.Outcome.ENDED_EARLY and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why the mentorship ends early."))
        return data


class ConsentForm(AccessibleFormMixin, forms.Form):
    assessments = AssessmentChoices(
        label=_("Self-assessments the mentors read"),
        queryset=Assessment.objects.none(),
        required=False,
        widget=FirstBoxCheckboxes,
        help_text=_("Answers, comments, ratings, justifications and context notes, in every state, drafts included."),
    )
    plans = PlanChoices(
        label=_("Action plans the mentors read"),
        queryset=ActionPlan.objects.none(),
        required=False,
        widget=FirstBoxCheckboxes,
        help_text=_("A plan is shared only with its assessment."),
    )
    evidence_files = forms.BooleanField(label=_("Also the evidence attached to the key factors"), required=False)
    partner_ratings = forms.BooleanField(
        label=_("Also the partner organisations' ratings and comments"), required=False
    )
    publish_reviews = forms.BooleanField(
        label=_("Show the mentors' reviews with the assessment once it is published"),
        required=False,
        help_text=_("Otherwise only your team and the mentors see them."),
    )

    def __init__(self, *args: Any, assessments: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessments"].queryset = assessments  # type: ignore[attr-defined]
        self.fields["plans"].queryset = plans  # type: ignore[attr-defined]
        self.validate_again()
