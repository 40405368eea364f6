"""The request of a signed-in person, typed as such.

`AuthenticatedRequest` is what a view behind `login_required` receives: its `user` is a `User`, so views
read `request.user` without casting. Where a page is public but its writes are not (a published
assessment), `signed_in_user` checks at run time what the access check has already decided.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, who must be signed in: anyone else is refused (403), never taken for a User."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user
