"""Telling people about mentoring: every notice goes to the person's page of notifications and, unless they
chose not to get that kind, by e-mail through the task queue (outbox). Every mail ends with the address of
that page, where the choice is made."""

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from mentoring.models import MailChoice, Notification
from outbox.actions import queue_mail

# Each kind of notice, as the person chooses it on their page (templates/mentoring/email/<kind>.txt).
KINDS = {
    "requested": _("A city asks yours to mentor it"),
    "withdrawn": _("A request to your city is withdrawn"),
    "accepted": _("A mentor city accepts your request"),
    "declined": _("A mentor city declines your request"),
    "named_mentor": _("You are named a mentor"),
    "paired": _("The network team pairs your city"),
    "ended": _("A mentorship ends"),
    "reviewed": _("A mentor reviews a rating"),
    "answered": _("The team answers your review"),
    "comment": _("A post addressed to you in a key factor's thread"),
    "activity_planned": _("An activity is planned"),
    "signed": _("The action plan is signed"),
    # Communities of practice (the app above) tell people through the same page and choices.
    "community_requested": _("A city asks to join a community you coordinate"),
    "community_invited": _("Your city is invited to a community of practice"),
    "community_approved": _("Your city's request to join a community is approved"),
    "community_declined": _("A community membership is declined"),
    "community_joined": _("A city or organisation joins a community you coordinate"),
    "community_post": _("A post addressed to you in a community's discussion"),
    "community_activity": _("An activity is planned in your community"),
}


def notify(people: Iterable[User], kind: str, context: Mapping[str, object], *, site_url: str) -> None:
    """Tells each person (once each) about `kind`; `context["link"]` is where to look."""
    assert kind in KINDS, kind  # noqa: S101 - a kind without a choice on the page would be a mail nobody can stop
    chosen = {person.pk: person for person in people}
    if not chosen:
        return
    muted = set(MailChoice.objects.filter(user_id__in=chosen, kind=kind).values_list("user_id", flat=True))
    page = site_url.rstrip("/") + reverse("mentoring:notifications")
    full = {**context, "preferences_link": page}
    subject = " ".join(render_to_string(f"mentoring/email/{kind}_subject.txt", full).split())
    body = render_to_string(f"mentoring/email/{kind}.txt", full)
    with transaction.atomic():
        Notification.objects.bulk_create(
            Notification(
                user=person,
                kind=kind,
                subject=subject[:255],
                link=str(context.get("link", ""))[:500],
                mailed=person.pk not in muted,
            )
            for person in chosen.values()
        )
        for person in chosen.values():
            if person.pk not in muted:
                queue_mail(person.email, subject=subject, body=body, kind=f"mentoring/email/{kind}")
