"""State changes of a community of practice: creating and editing it, members joining (by invitation or by
request), decisions, consent, leaving, posts and their moderation, resources.

Each action runs in one transaction with the member's row locked where its status decides, records the
history (`CommunityEvent`: who, when, what) and tells the people concerned through mentoring's notices
(their page of notifications, and e-mail through the task queue unless they chose not to get it)."""

import secrets
from collections.abc import Iterable
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from benchmarks.models import Benchmark, KeyFactor, Topic
from cities.actions import hash_token, invitation_limit
from cities.models import City, Membership, Role, Workspace
from communities.models import (
    CityMember,
    Community,
    CommunityEvent,
    OrganisationMember,
    Post,
    Resource,
)
from lib.actions import Refused
from lib.uploads import CheckedUpload, UploadNotStored, store_upload, stored_name
from mentoring.actions import coordinators_of
from mentoring.notify import notify
from outbox.actions import queue_mail

# Stored resource files go to their own folder (lib.uploads.stored_name), apart from the evidence files.
FOLDER = "communities"


class CommunityError(Refused):
    """A refused change to a community."""


def record(community: Community, action: str, by: User | None, **changes: object) -> None:
    CommunityEvent.objects.create(community=community, action=action, by=by, changes=changes)


def coordinators(community: Community) -> list[User]:
    """The people who coordinate it (network staff are not told of every request: they coordinate all)."""
    return list(community.coordinators.all())


def _tell(people: Iterable[User], kind: str, community: Community, site_url: str, **extra: object) -> None:
    link = site_url.rstrip("/") + community.get_absolute_url()
    notify(people, kind, {"community": community, "link": link, **extra}, site_url=site_url)


def _name(person: User) -> str:
    """How the history names a person: the history is read by coordinators of other cities, so never by the
    e-mail address."""
    return person.get_full_name() or _("a member without a name on their account")


def _locked(member: CityMember) -> CityMember:
    return CityMember.objects.select_for_update().select_related("workspace__city", "community").get(pk=member.pk)


# ---- The community ----


def do_save_community(
    community: Community | None,
    *,
    by: User,
    name: str,
    slug: str,
    benchmark: Benchmark | None,
    topic: Topic | None,
    description: str,
    visibility: str,
    coordinators: Iterable[User],
) -> Community:
    """Creates (`community` None) or edits a community; its theme is a benchmark or a topic, never both."""
    if (benchmark is None) == (topic is None):
        raise CommunityError(_("Choose the community's theme: a benchmark or a cross-cutting topic, not both."))
    chosen = list(coordinators)
    try:
        with transaction.atomic():
            if community is None:
                target = Community(created_by=by)
                before: dict[str, Any] = {}
            else:
                target = Community.objects.select_for_update().get(pk=community.pk)
                before = _state(target)
            target.name, target.slug, target.description = name.strip(), slug, description.strip()
            target.benchmark, target.topic, target.visibility = benchmark, topic, visibility
            target.save()
            target.coordinators.set(chosen)
            after = _state(target)
            if before:
                changes = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
                if changes:
                    record(target, CommunityEvent.Action.CHANGED, by, **changes)
            else:
                record(target, CommunityEvent.Action.CREATED, by, **after)
    except IntegrityError:
        raise CommunityError(_("Another community already has this address; choose another.")) from None
    return target


def _state(community: Community) -> dict[str, Any]:
    return {
        "name": community.name,
        "slug": community.slug,
        "theme": str(community.theme),
        "visibility": community.visibility,
        "description": community.description,
        "coordinators": sorted(_name(u) for u in community.coordinators.all()) if community.pk else [],
    }


# ---- Cities joining, deciding, leaving ----


def do_ask_to_join(community: Community, workspace: Workspace, *, by: User, site_url: str) -> CityMember:
    """A city's coordinator asks for their city to join; the community's coordinators decide."""
    if not Membership.objects.filter(workspace=workspace, user=by, role=Role.COORDINATOR).exists():
        raise CommunityError(_("Only the city's coordinators can ask for it to join."))
    member = _open(community, workspace, status=CityMember.Status.REQUESTED, by=by)
    record(community, CommunityEvent.Action.REQUESTED, by, city=workspace.city.name)
    _tell(coordinators(community), "community_requested", community, site_url, city=workspace.city.name)
    return member


def do_invite_city(community: Community, workspace: Workspace, *, by: User, site_url: str) -> CityMember:
    """The coordinators invite a city; its coordinators accept or decline."""
    member = _open(community, workspace, status=CityMember.Status.INVITED, by=by)
    record(community, CommunityEvent.Action.INVITED, by, city=workspace.city.name)
    _tell(coordinators_of(workspace), "community_invited", community, site_url, city=workspace.city.name)
    return member


def _open(community: Community, workspace: Workspace, *, status: str, by: User) -> CityMember:
    try:
        with transaction.atomic():
            return CityMember.objects.create(community=community, workspace=workspace, status=status, created_by=by)
    except IntegrityError:
        raise CommunityError(
            _("%(city)s is already a member, invited, or asking to join.") % {"city": workspace.city.name}
        ) from None


def do_decide(member: CityMember, *, by: User, approve: bool, site_url: str) -> CityMember:
    """The coordinators approve or decline a city's request to join."""
    with transaction.atomic():
        row = _locked(member)
        if row.status != CityMember.Status.REQUESTED:
            raise CommunityError(_("This request was answered or withdrawn meanwhile."))
        _settle(row, approve=approve, by=by)
        action = CommunityEvent.Action.APPROVED if approve else CommunityEvent.Action.DECLINED
        record(row.community, action, by, city=row.workspace.city.name)
    kind = "community_approved" if approve else "community_declined"
    _tell(coordinators_of(row.workspace), kind, row.community, site_url, city=row.workspace.city.name)
    return row


def do_answer_invitation(member: CityMember, *, by: User, accept: bool, site_url: str) -> CityMember:
    """The invited city's coordinators accept or decline."""
    with transaction.atomic():
        row = _locked(member)
        if row.status != CityMember.Status.INVITED:
            raise CommunityError(_("This invitation was answered or withdrawn meanwhile."))
        if not Membership.objects.filter(workspace=row.workspace, user=by, role=Role.COORDINATOR).exists():
            raise CommunityError(_("Only the city's coordinators answer for it."))
        _settle(row, approve=accept, by=by)
        action = CommunityEvent.Action.JOINED if accept else CommunityEvent.Action.DECLINED
        record(row.community, action, by, city=row.workspace.city.name)
    kind = "community_joined" if accept else "community_declined"
    _tell(coordinators(row.community), kind, row.community, site_url, city=row.workspace.city.name)
    return row


def _settle(row: CityMember, *, approve: bool, by: User) -> None:
    now = timezone.now()
    if approve:
        row.status, row.joined_at = CityMember.Status.ACTIVE, now
        row.save(update_fields=["status", "joined_at"])
        if not row.speakers.exists():
            row.speakers.set(coordinators_of(row.workspace)[:1])
    else:
        row.status, row.ended_at = CityMember.Status.DECLINED, now
        row.save(update_fields=["status", "ended_at"])


def do_leave_city(member: CityMember, *, by: User) -> CityMember:
    """A city leaves at any time (its coordinators, or the community's coordinators ending a membership); a
    request or an invitation withdrawn leaves the same way. Its consent ends with it."""
    with transaction.atomic():
        row = _locked(member)
        if row.status not in CityMember.OPEN:
            raise CommunityError(_("This city is no longer a member."))
        row.status, row.ended_at, row.shares_ratings = CityMember.Status.LEFT, timezone.now(), False
        row.save(update_fields=["status", "ended_at", "shares_ratings"])
        record(row.community, CommunityEvent.Action.LEFT, by, city=row.workspace.city.name)
    return row


def do_set_consent(member: CityMember, *, by: User, shares: bool) -> CityMember:
    """The member city's coordinators give or withdraw their consent to show its ratings, named, to the other
    members."""
    with transaction.atomic():
        row = _locked(member)
        if row.status != CityMember.Status.ACTIVE:
            raise CommunityError(_("Only a member city shares its ratings with a community."))
        if not Membership.objects.filter(workspace=row.workspace, user=by, role=Role.COORDINATOR).exists():
            raise CommunityError(_("Only the city's coordinators decide what it shares."))
        if row.shares_ratings != shares:
            row.shares_ratings = shares
            row.save(update_fields=["shares_ratings"])
            record(row.community, CommunityEvent.Action.CONSENT, by, city=row.workspace.city.name, shares=shares)
    return row


def do_set_speakers(member: CityMember, *, by: User, people: Iterable[User]) -> CityMember:
    """The member city's coordinators choose who speaks for it in the community (members of its workspace): the
    people its posts and activities are addressed to, named to the other members."""
    chosen = list(people)
    if not chosen:
        raise CommunityError(_("Choose at least one person to speak for the city."))
    with transaction.atomic():
        row = _locked(member)
        if row.status != CityMember.Status.ACTIVE:
            raise CommunityError(_("Only a member city has people who speak for it here."))
        if not Membership.objects.filter(workspace=row.workspace, user=by, role=Role.COORDINATOR).exists():
            raise CommunityError(_("Only the city's coordinators decide who speaks for it."))
        members = set(Membership.objects.filter(workspace=row.workspace).values_list("user_id", flat=True))
        if any(person.pk not in members for person in chosen):
            raise CommunityError(_("Only members of the city's workspace can speak for it."))
        before = sorted(_name(person) for person in row.speakers.all())
        row.speakers.set(chosen)
        after = sorted(_name(person) for person in chosen)
        if before != after:
            record(
                row.community,
                CommunityEvent.Action.SPEAKERS,
                by,
                city=row.workspace.city.name,
                speakers={"from": before, "to": after},
            )
    return row


# ---- Organisations ----


def do_invite_organisation(
    community: Community,
    *,
    by: User,
    name: str,
    kind: str,
    city: City | None,
    website: str,
    email: str,
    site_url: str,
) -> OrganisationMember:
    """Invites an organisation through someone who speaks for it: a mail with a secret link (only its hash is
    stored). Whoever opens it signed in, with that address, joins as the organisation's voice."""
    _check_invitation_limits(community, by)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        organisation = OrganisationMember.objects.create(
            community=community,
            name=name.strip(),
            kind=kind,
            city=city,
            website=website,
            status=OrganisationMember.Status.INVITED,
            token_hash=hash_token(token),
            email_hash=hash_token(email.strip().lower()),
            created_by=by,
        )
        record(community, CommunityEvent.Action.INVITED, by, organisation=organisation.name)
        link = site_url.rstrip("/") + reverse("communities:organisation_join", args=[token])
        context = {"community": community, "organisation": organisation, "link": link, "by": by}
        subject = " ".join(render_to_string("communities/email/organisation_invited_subject.txt", context).split())
        body = render_to_string("communities/email/organisation_invited.txt", context)
        queue_mail(email.strip(), subject=subject, body=body, kind="communities/email/organisation_invited")
    return organisation


def _check_invitation_limits(community: Community, by: User) -> None:
    """The limits of workspace invitations, for the mail sent to organisations: per person per hour, per
    community per 24 hours, counting every invitation row (withdrawn ones too)."""
    limited = invitation_limit(
        OrganisationMember.objects.filter(created_by=by),
        OrganisationMember.objects.filter(community=community),
        group_text=_(
            "This community has sent %(limit)d invitations in the last 24 hours, the most allowed. "
            "Please try again in %(minutes)d minutes."
        ),
    )
    if limited is not None:
        raise CommunityError(limited.message)


def do_ask_for_organisation(
    community: Community, *, by: User, name: str, kind: str, city: City | None, website: str, site_url: str
) -> OrganisationMember:
    """Someone asks for their organisation to join (they will speak for it); the coordinators decide. Limited
    as invitations are: each request tells the coordinators by e-mail."""
    limited = invitation_limit(
        OrganisationMember.objects.filter(created_by=by),
        OrganisationMember.objects.filter(community=community, status=OrganisationMember.Status.REQUESTED),
        group_text=_(
            "This community has had %(limit)d requests to join in the last 24 hours, the most allowed. "
            "Please try again in %(minutes)d minutes."
        ),
    )
    if limited is not None:
        raise CommunityError(limited.message)
    with transaction.atomic():
        organisation = OrganisationMember.objects.create(
            community=community,
            name=name.strip(),
            kind=kind,
            city=city,
            website=website,
            status=OrganisationMember.Status.REQUESTED,
            created_by=by,
        )
        organisation.speakers.set([by])
        record(community, CommunityEvent.Action.REQUESTED, by, organisation=organisation.name)
    _tell(coordinators(community), "community_requested", community, site_url, city=organisation.name)
    return organisation


def do_decide_organisation(
    organisation: OrganisationMember, *, by: User, approve: bool, site_url: str
) -> OrganisationMember:
    """The coordinators approve or decline an organisation's request to join; whoever asked is told."""
    with transaction.atomic():
        row = OrganisationMember.objects.select_for_update().select_related("community").get(pk=organisation.pk)
        if row.status != OrganisationMember.Status.REQUESTED:
            raise CommunityError(_("This request was answered or withdrawn meanwhile."))
        now = timezone.now()
        if approve:
            row.status, row.joined_at = OrganisationMember.Status.ACTIVE, now
            row.save(update_fields=["status", "joined_at"])
        else:
            row.status, row.ended_at = OrganisationMember.Status.DECLINED, now
            row.save(update_fields=["status", "ended_at"])
        action = CommunityEvent.Action.APPROVED if approve else CommunityEvent.Action.DECLINED
        record(row.community, action, by, organisation=row.name)
    kind = "community_approved" if approve else "community_declined"
    _tell(list(row.speakers.all()), kind, row.community, site_url, city=row.name)
    return row


def organisation_invitation(token: str) -> OrganisationMember | None:
    return (
        OrganisationMember.objects.select_related("community")
        .filter(token_hash=hash_token(token), status=OrganisationMember.Status.INVITED)
        .first()
    )


def do_accept_organisation(organisation: OrganisationMember, *, by: User, site_url: str) -> OrganisationMember:
    """The invitation's addressee, signed in with the address it was sent to, accepts for the organisation."""
    with transaction.atomic():
        row = OrganisationMember.objects.select_for_update().select_related("community").get(pk=organisation.pk)
        if row.status != OrganisationMember.Status.INVITED:
            raise CommunityError(_("This invitation was answered or withdrawn meanwhile."))
        if hash_token(by.email.strip().lower()) != row.email_hash:
            raise CommunityError(
                _("This invitation was sent to another address: sign in with the address it was sent to.")
            )
        row.status, row.joined_at = OrganisationMember.Status.ACTIVE, timezone.now()
        row.token_hash = row.email_hash = ""
        row.save(update_fields=["status", "joined_at", "token_hash", "email_hash"])
        row.speakers.add(by)
        record(row.community, CommunityEvent.Action.JOINED, by, organisation=row.name)
    _tell(coordinators(row.community), "community_joined", row.community, site_url, city=row.name)
    return row


def do_leave_organisation(organisation: OrganisationMember, *, by: User) -> OrganisationMember:
    with transaction.atomic():
        row = OrganisationMember.objects.select_for_update().select_related("community").get(pk=organisation.pk)
        if row.status not in OrganisationMember.OPEN:
            raise CommunityError(_("This organisation is no longer a member."))
        row.status, row.ended_at = OrganisationMember.Status.LEFT, timezone.now()
        row.token_hash = row.email_hash = ""
        row.save(update_fields=["status", "ended_at", "token_hash", "email_hash"])
        record(row.community, CommunityEvent.Action.LEFT, by, organisation=row.name)
    return row


# ---- The discussion ----


def do_post(
    community: Community,
    key_factor: KeyFactor,
    *,
    by: User,
    voice: CityMember | OrganisationMember,
    text: str,
    addressees: Iterable[User],
    site_url: str,
) -> Post:
    """A post in the key factor's thread, for the member the author speaks for; the addressees (members) are
    told by e-mail."""
    if not text.strip():
        raise CommunityError(_("Write the post before sending it."))
    people = [person for person in addressees if person.pk != by.pk]
    with transaction.atomic():
        post = Post.objects.create(
            community=community,
            key_factor=key_factor,
            author=by,
            for_city=voice if isinstance(voice, CityMember) else None,
            for_organisation=voice if isinstance(voice, OrganisationMember) else None,
            text=text.strip(),
        )
        post.addressees.set(people)
        link = site_url.rstrip("/") + reverse("communities:thread", args=[community.slug, key_factor.pk])
        context = {"community": community, "key_factor": key_factor, "post": post, "link": link, "voice": str(voice)}
        notify(people, "community_post", context, site_url=site_url)
    return post


def do_moderate(post: Post, *, by: User, hide: bool, reason: str = "") -> Post:
    """The coordinators hide a post with a reason (readers see that it was hidden, and why), or show it again.
    The text stays in the database and the history records both."""
    if hide and not reason.strip():
        raise CommunityError(_("Say why the post is hidden: the members read the reason in its place."))
    with transaction.atomic():
        row = Post.objects.select_for_update().select_related("community", "key_factor").get(pk=post.pk)
        if hide:
            row.hidden_at, row.hidden_by, row.hidden_reason = timezone.now(), by, reason.strip()
            action = CommunityEvent.Action.POST_HIDDEN
        else:
            row.hidden_at, row.hidden_by, row.hidden_reason = None, None, ""
            action = CommunityEvent.Action.POST_SHOWN
        row.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        record(
            row.community,
            action,
            by,
            post=str(row.public_id),
            key_factor=row.key_factor.title,
            reason=reason.strip(),
            text=row.text,
        )
    return row


# ---- Resources ----


def do_add_resource(
    community: Community,
    *,
    by: User,
    voice: CityMember | OrganisationMember | None,
    title: str,
    description: str,
    url: str = "",
    file: "File[Any] | None" = None,
    checked: CheckedUpload | None = None,
) -> Resource:
    """A link, or a file `checked` by lib.uploads (as evidence files are) stored under a random name inside the
    transaction that creates its row: a failed save leaves no file behind."""
    if bool(url) == (file is not None):
        raise CommunityError(_("Give either a link or a file."))
    stored = ""
    try:
        with transaction.atomic():
            resource = Resource(
                community=community,
                title=title.strip(),
                description=description.strip(),
                url=url,
                added_by=by,
                for_city=voice if isinstance(voice, CityMember) else None,
                for_organisation=voice if isinstance(voice, OrganisationMember) else None,
            )
            if file is not None and checked is not None:
                try:
                    stored = store_upload(default_storage, stored_name(checked.extension, folder=FOLDER), file)
                except UploadNotStored as failed:
                    raise CommunityError(failed.message) from None
                resource.file = stored
                resource.file_name = checked.display_name
                resource.file_size = checked.size
                resource.file_type = checked.content_type
                resource.title = resource.title or checked.display_name
            resource.save()
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return resource


def do_remove_resource(resource: Resource, *, by: User) -> None:
    """Soft: no longer listed nor served; the history says who removed it."""
    with transaction.atomic():
        row = Resource.objects.select_for_update().select_related("community").get(pk=resource.pk)
        if row.deleted_at is not None:
            return
        row.deleted_at = timezone.now()
        row.save(update_fields=["deleted_at"])
        record(row.community, CommunityEvent.Action.RESOURCE_REMOVED, by, resource=row.title)
