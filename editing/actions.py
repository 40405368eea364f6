"""The two things a save asks of `editing`: is this autosave new, and who else is working here."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.utils import timezone

from accounts.models import User
from editing.models import KEEP_FOR, EditingPage


@dataclass(frozen=True)
class PageSave:
    """An autosave's place in the order of its open page: the page's id and the request's number."""

    page: UUID
    seq: int

    @classmethod
    def sent(cls, cleaned_data: dict[str, Any]) -> "PageSave | None":
        """From an autosave form's `page` and `seq` (None when the page sent none: a page of before)."""
        page, seq = cleaned_data.get("page"), cleaned_data.get("seq")
        return cls(page, seq) if page is not None and seq is not None else None


def is_new_save(
    *, save_id: UUID | None, last_save_id: UUID | None, page: PageSave | None, subject: str, user: User
) -> bool:
    """False for a save already applied: the row's last save id again (a retry whose answer was lost), or
    an autosave numbered at or below one applied from the same open page (accept_autosave)."""
    if save_id is not None and last_save_id == save_id:
        return False
    return page is None or accept_autosave(page=page.page, seq=page.seq, subject=subject, user=user)


def accept_autosave(*, page: UUID, seq: int, subject: str, user: User) -> bool:
    """True when autosave number `seq` of this open page comes after every one applied before.

    Call it inside the transaction that saves, after locking the row it saves: two requests of one page
    are then serialised, and a save that fails (a conflict, a refusal) rolls its number back with it. A
    page id seen with another subject or person is not theirs to continue: refused, nothing applied."""
    now = timezone.now()
    row = EditingPage.objects.select_for_update().filter(page=page).first()
    if row is None:
        EditingPage.objects.filter(subject=subject, seen_at__lt=now - KEEP_FOR).delete()
        EditingPage.objects.create(page=page, subject=subject, user=user, seq=seq, seen_at=now)
        return True
    if row.subject != subject or row.user_id != user.pk or seq <= row.seq:
        return False
    row.seq = seq
    row.seen_at = now
    row.save(update_fields=["seq", "seen_at"])
    return True


def working_on(subject: str, *, besides: User) -> list[tuple[User, datetime]]:
    """The other people whose autosaves reached `subject` within the last few minutes, each with their
    latest one, most recent first (one query: a thing has a handful of open pages at most)."""
    seen: dict[int, tuple[User, datetime]] = {}
    for row in (
        EditingPage.objects.on(subject).recent().exclude(user=besides).select_related("user").order_by("-seen_at")
    ):
        seen.setdefault(row.user_id, (row.user, row.seen_at))
    return list(seen.values())
