"""Open edit pages: the order of each page's autosaves, and who is working on what (docs/quality.md R4, R5).

A page that autosaves numbers its requests (1, 2, 3...) under a random id made when it was opened. A
request numbered at or below the last one applied from that page is a replay or arrived late: it is
acknowledged and changes nothing, so the person's newer text is never overwritten by their older one.
The same rows say who saved something in the last few minutes, which the page shows ("also working on
this: ..."), without websockets.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Someone whose autosave reached a thing within this time is shown as working on it.
PRESENT_FOR = timedelta(minutes=5)
# A page's row is of no use after this (no page autosaves for a day without being reloaded).
KEEP_FOR = timedelta(days=1)


class EditingPageQuerySet(models.QuerySet["EditingPage"]):
    def on(self, subject: str) -> "EditingPageQuerySet":
        return self.filter(subject=subject)

    def recent(self) -> "EditingPageQuerySet":
        return self.filter(seen_at__gte=timezone.now() - PRESENT_FOR)


class EditingPage(models.Model):
    page = models.UUIDField(primary_key=True, editable=False)
    # What the page edits, e.g. "factor:42": one kind of thing per app, named by the app that saves it.
    subject = models.CharField(max_length=80)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField(default=timezone.now)

    objects = EditingPageQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["subject", "seen_at"], name="editing_page_subject_seen")]
        verbose_name = _("open edit page")
        verbose_name_plural = _("open edit pages")

    def __str__(self) -> str:
        return f"{self.subject} #{self.seq}"
