"""Network staff's mentoring schemes, as the projects ran them, and pairing cities by hand (docs/roles.md,
"Mentoring"): everyone else gets the same 404 as for a page that does not exist."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import AuthenticatedRequest
from cities.access import require_admin
from lib.text import sentence
from mentoring.actions import MentoringError, do_pair, do_save_scheme
from mentoring.forms_staff import PairForm, SchemeForm
from mentoring.models import MentoringScheme, Mentorship


@require_safe
@login_required
def scheme_list(request: AuthenticatedRequest) -> HttpResponse:
    require_admin(request.user)
    schemes = MentoringScheme.objects.select_related("benchmark__current_version").annotate(
        mentor_count=Count("mentors", distinct=True),
        implementing_count=Count("implementing", distinct=True),
        mentorship_count=Count("mentorships", distinct=True),
    )
    return render(request, "mentoring/scheme_list.html", {"schemes": schemes})


def _scheme_mentorships(scheme: MentoringScheme | None) -> list[Mentorship]:
    if scheme is None:
        return []
    return list(
        scheme.mentorships.select_related(
            "mentee__city", "mentor__city", "benchmark__current_version", "replaces__mentor__city"
        )
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def scheme_edit(request: AuthenticatedRequest, scheme_id: UUID | None = None) -> HttpResponse:
    require_admin(request.user)
    scheme: MentoringScheme | None = None
    if scheme_id is not None:
        scheme = MentoringScheme.objects.select_related("benchmark").filter(public_id=scheme_id).first()
        if scheme is None:
            raise Http404
    status = 200
    if request.method == "POST":
        form = SchemeForm(request.POST)
        if form.is_valid():
            try:
                saved = do_save_scheme(scheme, by=request.user, **form.cleaned_data)
            except MentoringError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, sentence(_("The scheme %(name)s is saved."), name=saved.name))
                return redirect(saved.get_absolute_url())
        status = 400
    else:
        form = SchemeForm(initial=SchemeForm.initial_for(scheme) if scheme else None)
    context = {"scheme": scheme, "form": form, "mentorships": _scheme_mentorships(scheme)}
    return render(request, "mentoring/scheme_edit.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def pair(request: AuthenticatedRequest) -> HttpResponse:
    require_admin(request.user)
    if request.method != "POST":
        # A scheme's page links here with its scheme chosen.
        scheme_id = _uuid_or_none(request.GET.get("scheme"))
        scheme = MentoringScheme.objects.filter(public_id=scheme_id).first() if scheme_id else None
        initial = {"scheme": scheme, "benchmark": scheme.benchmark} if scheme else None
        return render(request, "mentoring/pair.html", {"form": PairForm(initial=initial)})
    form = PairForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            mentorship = do_pair(
                data["mentee"],
                data["mentor"],
                data["benchmark"],
                by=request.user,
                scheme=data["scheme"],
                replaces=data["replaces"],
                site_url=request.build_absolute_uri("/"),
            )
        except MentoringError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                sentence(
                    _("%(mentor)s now mentors %(mentee)s."),
                    mentor=mentorship.mentor.city.name,
                    mentee=mentorship.mentee.city.name,
                ),
            )
            return redirect(mentorship.get_absolute_url())
    return render(request, "mentoring/pair.html", {"form": form}, status=400)


def _uuid_or_none(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
