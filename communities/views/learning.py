"""Learning from each other (communities/learning.py): the members' ratings side by side, who is strong where
one's city is weak, and the community's summary. Members' pages: 404 for anyone else."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.http import AuthenticatedRequest
from assessments.models import Assessment
from assessments.results import build_results
from communities import access, learning
from communities.models import CityMember
from mentoring.access import can_request


def _uuid(request: HttpRequest, name: str) -> UUID | None:
    """A UUID from the query string; None when absent; 404 when it is not one (as for a missing object)."""
    value = request.GET.get(name, "")
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise Http404 from None


@require_safe
@login_required
def ratings(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, person = access.get_community_for_member(request.user, slug)
    context = {
        "community": community,
        "person": person,
        "themes": learning.ratings(community),
        "minimum": learning.MINIMUM,
    }
    return render(request, "communities/ratings.html", context)


@require_safe
@login_required
def summary(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, person = access.get_community_for_member(request.user, slug)
    context = {
        "community": community,
        "person": person,
        "summary": learning.summary(community),
        "minimum": learning.MINIMUM,
    }
    return render(request, "communities/summary.html", context)


@require_safe
@login_required
def strengths(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """For one of the viewer's member cities (`?city=<workspace id>`, the first by default) and one of its
    assessments of the benchmark (`?assessment=<id>`, its latest by default, any status), the other member
    cities ranked; a topic community first chooses one of its benchmarks (`?benchmark=<slug>`)."""
    user = request.user
    community, person = access.get_community_for_member(user, slug)
    themes = learning.themes_of(community)
    wanted = request.GET.get("benchmark", "")
    theme = next((t for t in themes if t.benchmark.slug == wanted), None) if wanted else None
    if wanted and theme is None:
        raise Http404
    theme = theme or (themes[0] if themes else None)

    city_id = _uuid(request, "city")
    member: CityMember | None = None
    if city_id is not None:
        member = next((c for c in person.cities if c.workspace.public_id == city_id), None)
        if member is None:
            raise Http404
    elif person.cities:
        member = person.cities[0]

    assessment: Assessment | None = None
    assessments: list[Assessment] = []
    if member is not None and theme is not None:
        assessments = list(
            Assessment.objects.alive()
            .filter(workspace_id=member.workspace_id, benchmark_version__benchmark_id=theme.benchmark.pk)
            .select_related("benchmark_version__rating_scale", "benchmark_version__benchmark", "workspace__city")
            .order_by("-round", "-created_at", "-pk")
        )
        assessment_id = _uuid(request, "assessment")
        if assessment_id is not None:
            assessment = next((a for a in assessments if a.public_id == assessment_id), None)
            if assessment is None:
                raise Http404
        elif assessments:
            assessment = assessments[0]

    found = None
    if member is not None and theme is not None and assessment is not None:
        found = learning.strengths(community, theme, member, build_results(assessment))
    context = {
        "community": community,
        "person": person,
        "themes": themes,
        "theme": theme,
        "member": member,
        "assessment": assessment,
        "assessments": assessments,
        "strengths": found,
        "may_request": member is not None and assessment is not None and can_request(user, member.workspace),
    }
    return render(request, "communities/strengths.html", context)
