"""The answers of every autosave endpoint (docs/quality.md R5): the JSON that `static/js/autosave.js` reads,
written once as the TypedDicts below, which the functions build and `editing/tests/test_answers.py` checks
against real answers.

- 200 `State` to a GET; `Saved`: saved, a replay of the last save, or a late request whose content is exactly
  what is stored (nothing overwritten); `idle_seconds` is the session's time left as the server counts it,
  for `static/js/session.js` (a save is activity). A save merged by field (lib.merge) answers `Merged`.
- 409 `Conflicted` (someone else saved since; nothing applied) or `Refused` (`reason` "refused": the object
  cannot be changed now);
- 400 `Invalid`: invalid input, nothing saved;
- 401 `Refused` with `reason` "signed_out" (`json_login_required`), 404 with `reason` "not_found".
"""

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, Literal, NotRequired, TypedDict

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _

from accounts.actions import idle_seconds_left
from lib.actions import Conflict


class State(TypedDict):
    """The answer to a GET: where the page stands, and a fresh CSRF token (after a session timeout)."""

    lock_version: int
    editable: bool
    csrf_token: str


class Saved(TypedDict):
    lock_version: int
    idle_seconds: int


class Other(TypedDict):
    """Someone else who saved here in the last few minutes."""

    name: str
    at: str  # ISO 8601


class Merged(Saved):
    loaded: dict[str, str]  # the fingerprints of what is stored now
    theirs: dict[str, Any]  # fields someone else changed that this page did not: the page takes them in
    others: list[Other]


class Conflicted(TypedDict):
    reason: Literal["conflict"]
    lock_version: int
    message: str
    fields: NotRequired[list[str]]  # merged by field: the fields both changed


class Refused(TypedDict):
    reason: Literal["refused", "not_found", "signed_out"]
    message: str


class Invalid(TypedDict):
    reason: Literal["invalid"]
    errors: dict[str, list[str]]


def json_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like login_required, but a signed-out request gets 401 JSON, not a redirect the script cannot use."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            answer: Refused = {"reason": "signed_out", "message": _("You are signed out.")}
            return JsonResponse(answer, status=401)
        return view(request, *args, **kwargs)

    return wrapper


def state(request: HttpRequest, lock_version: int, *, editable: bool) -> JsonResponse:
    answer: State = {"lock_version": lock_version, "editable": editable, "csrf_token": get_token(request)}
    return JsonResponse(answer)


def saved(request: HttpRequest, lock_version: int) -> JsonResponse:
    answer: Saved = {"lock_version": lock_version, "idle_seconds": idle_seconds_left(request)}
    return JsonResponse(answer)


def merged(
    request: HttpRequest,
    lock_version: int,
    loaded: dict[str, str],
    theirs: dict[str, Any],
    others: list[tuple[Any, datetime]],
) -> JsonResponse:
    answer: Merged = {
        "lock_version": lock_version,
        "idle_seconds": idle_seconds_left(request),
        "loaded": loaded,
        "theirs": theirs,
        "others": [{"name": str(person), "at": at.isoformat()} for person, at in others],
    }
    return JsonResponse(answer)


def fields_conflicted(fields: list[str], stored_version: int, message: str) -> JsonResponse:
    answer: Conflicted = {"reason": "conflict", "fields": fields, "lock_version": stored_version, "message": message}
    return JsonResponse(answer, status=409)


def invalid(form: forms.Form) -> JsonResponse:
    errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    answer: Invalid = {"reason": "invalid", "errors": errors}
    return JsonResponse(answer, status=400)


def conflicted(request: HttpRequest, conflict: Conflict, message: str) -> JsonResponse:
    """A stale save. When what is stored is exactly what was sent (saved meanwhile by this person's other
    tab, which restored the same unsaved text from the browser's storage), nothing would be overwritten:
    it is acknowledged."""
    if conflict.stored == conflict.submitted:
        return saved(request, conflict.stored_version)
    answer: Conflicted = {"reason": "conflict", "lock_version": conflict.stored_version, "message": message}
    return JsonResponse(answer, status=409)


def refused(message: str) -> JsonResponse:
    answer: Refused = {"reason": "refused", "message": message}
    return JsonResponse(answer, status=409)


def not_found(message: str) -> JsonResponse:
    answer: Refused = {"reason": "not_found", "message": message}
    return JsonResponse(answer, status=404)
