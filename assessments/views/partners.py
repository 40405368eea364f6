"""Deleting a comment of a key factor's discussion (the discussion is assessments.partners)."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from assessments import access, actions
from assessments.partners import factor_url


@require_POST
@login_required
def delete_comment(request: AuthenticatedRequest, assessment_id: UUID, comment_id: UUID) -> HttpResponse:
    """Its author or a coordinator deletes a comment (soft delete: "Comment deleted" stays in its place)."""
    user = request.user
    comment, _role = access.get_comment_for_user(user, assessment_id, comment_id)
    factor = comment.factor
    try:
        actions.do_delete_comment(comment, by=user)
    except actions.AssessmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The comment is deleted."))
    return redirect(factor_url(factor.assessment, factor, "#discussion"))
