"""The joint sign-off of a shared action plan (mentoring.signoff) and the mentorship report (mentoring.report),
as a page and as a tagged PDF. Every request checks the access again (mentoring.access.can_read_records)."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedRequest
from lib.pdf import html_to_pdf
from mentoring import access, signoff
from mentoring.actions import MentoringError
from mentoring.models import PlanSignOff
from mentoring.report import mentorship_report


def _site(request: AuthenticatedRequest) -> str:
    return request.build_absolute_uri("/")


@require_safe
@login_required
def sign_off(request: AuthenticatedRequest, mentorship_id: UUID, assessment_id: UUID) -> HttpResponse:
    mentorship, plan = access.get_plan_for_sign_off(request.user, mentorship_id, assessment_id)
    sign_offs = list(
        PlanSignOff.objects.filter(mentorship=mentorship, plan=plan)
        .select_related("coordinator", "mentor")
        .order_by("-created_at", "-pk")
    )
    latest = sign_offs[0] if sign_offs else None
    last_complete = next((s for s in sign_offs if s.is_complete), None)
    current = signoff.plan_snapshot(plan)
    side = signoff.side_of(request.user, mentorship) if mentorship.is_active else None
    pending = latest if latest is not None and not latest.is_complete else None
    already = latest is not None and side is not None and signoff.signed_by(latest, side) and latest.snapshot == current
    context = {
        "mentorship": mentorship,
        "plan": plan,
        "assessment": plan.assessment,
        "sign_offs": sign_offs,
        "last_complete": last_complete,
        "pending": pending,
        "pending_changed": pending is not None and pending.snapshot != current,
        "changes": signoff.compare(last_complete.snapshot, current) if last_complete else [],
        "side": side,
        "can_sign": side is not None and not already,
    }
    return render(request, "mentoring/sign_off.html", context)


@require_POST
@login_required
def sign(request: AuthenticatedRequest, mentorship_id: UUID, assessment_id: UUID) -> HttpResponse:
    mentorship, plan = access.get_plan_for_sign_off(request.user, mentorship_id, assessment_id)
    if signoff.side_of(request.user, mentorship) is None:
        raise Http404  # only the implementing city's coordinator and a named mentor sign
    url = signoff.sign_off_url(mentorship, plan)
    try:
        signed = signoff.do_sign(mentorship, plan, by=request.user, site_url=_site(request))
    except MentoringError as error:
        messages.error(request, error.message)
        return redirect(url)
    if signed.complete:
        messages.success(request, _("The action plan is signed off by both sides."))
    elif signed.restarted:
        messages.success(
            request,
            _(
                "The plan changed since the other side signed, so a new sign-off starts from the plan as it is "
                "now, with your signature. The other side is asked to sign it."
            ),
        )
    else:
        messages.success(request, _("You have signed the action plan. The other side is asked to sign it."))
    return redirect(url)


@require_safe
@login_required
def report(request: AuthenticatedRequest, mentorship_id: UUID) -> HttpResponse:
    mentorship = access.get_mentorship_records(request.user, mentorship_id)
    return render(request, "mentoring/report.html", {"mentorship": mentorship, "report": mentorship_report(mentorship)})


@require_safe
@login_required
def report_pdf(request: AuthenticatedRequest, mentorship_id: UUID) -> HttpResponse:
    mentorship = access.get_mentorship_records(request.user, mentorship_id)
    context = {"mentorship": mentorship, "report": mentorship_report(mentorship), "for_pdf": True}
    html = render_to_string("mentoring/report_print.html", context, request=request)
    response = HttpResponse(html_to_pdf(html, base_url=_site(request)), content_type="application/pdf")
    filename = f"mentorship-{mentorship.mentor.city.slug}-{mentorship.mentee.city.slug}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
