"""A community's resources: links and files its members share, each attributed to the person and the member
they shared it for, and dated. Members read them; the people who take part add them; the person who added one,
or a coordinator, removes it. Files are served as attachments, who may is checked on every request."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedRequest
from communities import access, actions
from communities.access import Standing
from communities.actions import CommunityError
from communities.forms import ResourceForm
from communities.models import Community, Resource
from lib.text import sentence
from lib.uploads import stored_file_response, upload_refused


def _live(community: Community) -> list[Resource]:
    return list(
        Resource.objects.filter(community=community, deleted_at__isnull=True).select_related(
            "added_by", "for_city__workspace__city", "for_organisation"
        )
    )


def _found(community: Community, resource_id: UUID) -> Resource:
    resource = Resource.objects.filter(community=community, public_id=resource_id, deleted_at__isnull=True).first()
    if resource is None:
        raise Http404
    return resource


def may_remove(person: Standing, resource: Resource) -> bool:
    """The person who added it, or a coordinator of the community (network staff among them)."""
    return person.coordinator or (resource.added_by_id is not None and resource.added_by_id == person.user.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def resource_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The list for members; its form, and the POST that adds, for the people who take part (404 otherwise)."""
    community, person = access.get_community_for_member(request.user, slug, take_part=request.method == "POST")
    form: ResourceForm | None = None
    status = 200
    if request.method == "POST":
        form = ResourceForm(request.POST, request.FILES, voices=person.voices())
        if upload_refused(request):
            form.refuse_skipped_file(request)
        if form.is_valid():
            data = form.cleaned_data
            upload, checked = data["file"] if data.get("file") else (None, None)
            try:
                added = actions.do_add_resource(
                    community,
                    by=request.user,
                    voice=form.chosen_voice(),
                    title=data["title"],
                    description=data["description"],
                    url=data["url"],
                    file=upload,
                    checked=checked,
                )
            except CommunityError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, sentence(_("“%(title)s” is shared with the community."), title=added.title))
                return redirect("communities:resources", community.slug)
        status = 400
    elif person.takes_part:
        form = ResourceForm(voices=person.voices())
    rows = [(resource, may_remove(person, resource)) for resource in _live(community)]
    context = {
        "community": community,
        "person": person,
        "rows": rows,
        "removing": any(removable for _resource, removable in rows),
        "form": form,
    }
    return render(request, "communities/resources.html", context, status=status)


@require_safe
@login_required
def download(request: AuthenticatedRequest, slug: str, resource_id: UUID) -> FileResponse:
    """The file, as an attachment the browser neither renders nor sniffs; membership is checked on every
    request, so a city that leaves no longer downloads."""
    community, _person = access.get_community_for_member(request.user, slug)
    resource = _found(community, resource_id)
    if not resource.file or resource.file_size is None:
        raise Http404
    return stored_file_response(
        resource.file.name,
        file_name=resource.file_name,
        file_type=resource.file_type,
        file_size=resource.file_size,
    )


@require_POST
@login_required
def remove(request: AuthenticatedRequest, slug: str, resource_id: UUID) -> HttpResponse:
    community, person = access.get_community_for_member(request.user, slug)
    resource = _found(community, resource_id)
    if not may_remove(person, resource):
        raise Http404
    actions.do_remove_resource(resource, by=request.user)
    messages.success(request, sentence(_("“%(title)s” is removed."), title=resource.title))
    return redirect("communities:resources", community.slug)
