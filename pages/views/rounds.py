"""Starting the next round of a self-assessment: the team's work carried over by assessments, the evidence
links by evidence (`carry_also`), in one transaction."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from assessments import access, actions, rounds
from assessments.forms import NextRoundForm
from assessments.models import Assessment
from benchmarks.models import Benchmark
from evidence.rounds import carry_evidence


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def start_next_round(request: AuthenticatedRequest, assessment_id: UUID) -> HttpResponse:
    """Coordinators: the form (what will be carried over, the round's name) and starting the round."""
    user = request.user
    assessment, _role = access.get_assessment_for_user(user, assessment_id, manage=True)
    benchmark = Benchmark.objects.select_related("current_version").get(pk=assessment.benchmark_version.benchmark_id)
    status = 200
    if request.method == "POST":
        form = NextRoundForm(request.POST)
        if form.is_valid():
            try:
                new = rounds.do_start_next_round(
                    assessment, form.cleaned_data["round"], by=user, carry_also=[carry_evidence]
                )
            except actions.AssessmentError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Round %(round)s has started from round %(previous)s. Review each key factor carried over.")
                    % {"round": new.round, "previous": assessment.round},
                )
                return redirect(new)
        status = 400
    else:
        form = NextRoundForm(initial={"round": rounds.suggested_round(assessment)})
    context: dict[str, Any] = {
        "assessment": assessment,
        "benchmark": benchmark,
        "form": form,
        "startable": assessment.status in Assessment.NEXT_ROUND_FROM,
        "new_version": benchmark.current_version,
        "not_in_new_version": rounds.not_in_new_version(assessment, benchmark),
        "team": True,
    }
    return render(request, "assessments/rounds_start.html", context, status=status)
