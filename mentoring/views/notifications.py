"""A person's own page of notifications (everything mentoring told them, mailed or not) and their choice of
which mentoring e-mails they get. Each person sees and changes only their own."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedRequest
from lib.forms import AccessibleFormMixin, FirstBoxCheckboxes
from mentoring.models import MailChoice, Notification
from mentoring.notify import KINDS

# How many of the latest notifications the page lists.
SHOWN = 100


class MailChoicesForm(AccessibleFormMixin, forms.Form):
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("E-mails you get"),
        choices=list(KINDS.items()),
        required=False,
        widget=FirstBoxCheckboxes,
        help_text=gettext_lazy("Untick a kind to stop its e-mails; it still shows on this page."),
    )


def _page(request: AuthenticatedRequest, form: MailChoicesForm | None = None) -> HttpResponse:
    user = request.user
    muted = set(MailChoice.objects.filter(user=user).values_list("kind", flat=True))
    notices = list(Notification.objects.filter(user=user).order_by("-created_at", "-pk")[:SHOWN])
    context = {
        "notices": notices,
        "unread": sum(n.read_at is None for n in notices),
        "form": form or MailChoicesForm(initial={"kinds": [kind for kind in KINDS if kind not in muted]}),
    }
    return render(request, "mentoring/notifications.html", context)


@require_safe
@login_required
def notifications(request: AuthenticatedRequest) -> HttpResponse:
    return _page(request)


@require_POST
@login_required
def read_all(request: AuthenticatedRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("Every notification is marked as read."))
    return redirect("mentoring:notifications")


@require_POST
@login_required
def mail_choices(request: AuthenticatedRequest) -> HttpResponse:
    form = MailChoicesForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    wanted = set(form.cleaned_data["kinds"])
    MailChoice.objects.filter(user=request.user, kind__in=wanted).delete()
    MailChoice.objects.bulk_create(
        [MailChoice(user=request.user, kind=kind) for kind in KINDS if kind not in wanted], ignore_conflicts=True
    )
    messages.success(request, _("Your choice of e-mails is saved."))
    return redirect("mentoring:notifications")
