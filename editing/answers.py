"""The answers of every autosave endpoint (docs/quality.md R5), the JSON that `static/js/autosave.js` reads.

- 200 `{"lock_version", "idle_seconds"}`: saved, a replay of the last save, or a late request whose
  content is exactly what is stored (nothing overwritten); `idle_seconds` is the session's time left as
  the server counts it, for `static/js/session.js` (a save is activity);
  a save merged by field (lib.merge) also carries `loaded` (the fingerprints of what is stored now),
  `theirs` (fields someone else changed that this page did not: the page takes them in) and `others`
  (who else saved here in the last few minutes: `[{"name", "at"}]`);
- 409 `{"reason": "conflict", "lock_version", "message"}`: someone else saved since; nothing applied
  (merged by field: `fields` names the fields both changed);
  `{"reason": "refused", "message"}`: the object cannot be changed now;
- 400 `{"reason": "invalid", "errors"}`: invalid input, nothing saved;
- 401 `{"reason": "signed_out"}` (`json_login_required`), 404 `{"reason": "not_found"}`.
"""

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from accounts.actions import idle_seconds_left
from lib.actions import Conflict


def json_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like login_required, but a signed-out request gets 401 JSON, not a redirect the script cannot use."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"reason": "signed_out", "message": _("You are signed out.")}, status=401)
        return view(request, *args, **kwargs)

    return wrapper


def saved(request: HttpRequest, lock_version: int) -> JsonResponse:
    return JsonResponse({"lock_version": lock_version, "idle_seconds": idle_seconds_left(request)})


def merged(
    request: HttpRequest,
    lock_version: int,
    loaded: dict[str, str],
    theirs: dict[str, Any],
    others: list[tuple[Any, datetime]],
) -> JsonResponse:
    return JsonResponse(
        {
            "lock_version": lock_version,
            "idle_seconds": idle_seconds_left(request),
            "loaded": loaded,
            "theirs": theirs,
            "others": [{"name": str(person), "at": at.isoformat()} for person, at in others],
        }
    )


def fields_conflicted(fields: list[str], stored_version: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"reason": "conflict", "fields": fields, "lock_version": stored_version, "message": message}, status=409
    )


def invalid(form: forms.Form) -> JsonResponse:
    errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    return JsonResponse({"reason": "invalid", "errors": errors}, status=400)


def conflicted(request: HttpRequest, conflict: Conflict, message: str) -> JsonResponse:
    """A stale save. When what is stored is exactly what was sent (saved meanwhile by this person's other
    tab, which restored the same unsaved text from the browser's storage), nothing would be overwritten:
    it is acknowledged."""
    if conflict.stored == conflict.submitted:
        return saved(request, conflict.stored_version)
    return JsonResponse({"reason": "conflict", "lock_version": conflict.stored_version, "message": message}, status=409)


def refused(message: str) -> JsonResponse:
    return JsonResponse({"reason": "refused", "message": message}, status=409)


def not_found(message: str) -> JsonResponse:
    return JsonResponse({"reason": "not_found", "message": message}, status=404)
