"""The community's discussion: a thread per key factor, for members; moderation by the coordinators."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedRequest
from accounts.models import User
from benchmarks.models import KeyFactor
from communities import access, actions
from communities.actions import CommunityError
from communities.forms import ModerateForm, PostForm
from communities.models import CityMember, Community, OrganisationMember, Post


@require_safe
@login_required
def threads(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, person = access.get_community_for_member(request.user, slug)
    factors = community.key_factors().annotate(
        post_count=Count("community_posts", filter=Q(community_posts__community=community), distinct=True)
    )
    return render(request, "communities/threads.html", {"community": community, "person": person, "factors": factors})


def members_to_address(community: Community) -> list[CityMember | OrganisationMember]:
    cities: list[CityMember | OrganisationMember] = list(
        community.cities.filter(status=CityMember.Status.ACTIVE).select_related("workspace__city")
    )
    return cities + list(community.organisations.filter(status=OrganisationMember.Status.ACTIVE))


def _speakers(members: list[CityMember | OrganisationMember]) -> list[User]:
    """The people who speak for these members (one query per kind)."""
    cities = [m.pk for m in members if isinstance(m, CityMember)]
    organisations = [m.pk for m in members if isinstance(m, OrganisationMember)]
    found = User.objects.filter(
        Q(pk__in=CityMember.speakers.through.objects.filter(citymember_id__in=cities).values("user_id"))
        | Q(
            pk__in=OrganisationMember.speakers.through.objects.filter(organisationmember_id__in=organisations).values(
                "user_id"
            )
        )
    )
    return list(found.distinct())


def _key_factor(community: Community, key_factor_id: int) -> KeyFactor:
    factor = community.key_factors().filter(pk=key_factor_id).first()
    if factor is None:
        raise Http404
    return factor


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def thread(request: AuthenticatedRequest, slug: str, key_factor_id: int) -> HttpResponse:
    community, person = access.get_community_for_member(request.user, slug)
    factor = _key_factor(community, key_factor_id)
    voices, members = person.voices(), members_to_address(community)
    form: PostForm | None = PostForm(voices=voices, members=members) if voices else None
    status = 200
    if request.method == "POST":
        if not voices:
            raise Http404
        form = PostForm(request.POST, voices=voices, members=members)
        if form.is_valid() and form.chosen_voice() is not None:
            try:
                actions.do_post(
                    community,
                    factor,
                    by=request.user,
                    voice=form.chosen_voice(),
                    text=form.cleaned_data["text"],
                    addressees=_speakers(form.addressed_members()),
                    site_url=request.build_absolute_uri("/"),
                )
            except CommunityError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your post is in the thread."))
                return redirect("communities:thread", community.slug, factor.pk)
        status = 400
    posts = (
        Post.objects.filter(community=community, key_factor=factor)
        .select_related("author", "for_city__workspace__city", "for_organisation", "hidden_by")
        .order_by("created_at", "pk")
    )
    context = {
        "community": community,
        "person": person,
        "factor": factor,
        "posts": posts,
        "form": form,
        "moderate_form": ModerateForm() if person.coordinator else None,
    }
    return render(request, "communities/thread.html", context, status=status)


@require_POST
@login_required
def moderate(request: AuthenticatedRequest, slug: str, post_id: UUID) -> HttpResponse:
    community, _person = access.get_community_for_coordinator(request.user, slug)
    post = Post.objects.filter(community=community, public_id=post_id).select_related("key_factor").first()
    if post is None:
        raise Http404
    hide = request.POST.get("action") != "show"
    form = ModerateForm(request.POST)
    form.is_valid()
    try:
        actions.do_moderate(post, by=request.user, hide=hide, reason=form.cleaned_data.get("reason", ""))
    except CommunityError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The post is hidden; the reason shows in its place.") if hide else _("The post shows again.")
        )
    return redirect("communities:thread", community.slug, post.key_factor_id)
