"""Communities of practice, as VALUES ran them: "city officials and volunteers from 16 cities learn from each
other in targeted workshops, site visits, staff exchanges, on-the-ground training and action planning" in
"four communities of practice or clusters", connecting "city authorities and volunteer organisations"
(seed 000).

A community works on one theme (`Community`: a benchmark, or a cross-cutting topic of the crosswalk). Its
members are cities (`CityMember`, a workspace) and organisations (`OrganisationMember`: volunteer, migrant and
civil-society organisations, which may belong to no single city), each with the people who speak for it.
Joining is by invitation or by request, decided by the coordinators; leaving is open at any time. Its
activities are mentoring's (`CommunityActivity` files a `mentoring.Activity` under the community: one log),
its resources are links and files, its discussion is a thread per key factor, moderated.

A member city's ratings are named to the other members only while its coordinators consent
(`CityMember.shares_ratings`); see `learning.py` for what the rest contributes, and how.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from benchmarks.models import Benchmark, KeyFactor, Topic
from cities.models import City, Workspace
from lib.models import HistoryEvent
from mentoring.models import Activity

NOTE_MAX = 2000


class Community(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: its name, theme, description and member cities")
        MEMBERS = "members", _("Members only")

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    benchmark = models.ForeignKey(
        Benchmark,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communities",
        verbose_name=_("benchmark"),
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="communities", verbose_name=_("topic")
    )
    description = models.TextField(_("description"), max_length=4000)
    visibility = models.CharField(
        _("who sees its page"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="communities_coordinated", verbose_name=_("coordinators")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(slug=""), name="community_has_an_address"),
            models.CheckConstraint(
                condition=models.Q(benchmark__isnull=False, topic__isnull=True)
                | models.Q(benchmark__isnull=True, topic__isnull=False),
                name="community_has_one_theme",
            ),
        ]
        verbose_name = _("community of practice")
        verbose_name_plural = _("communities of practice")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("communities:community", args=[self.slug])

    @property
    def theme(self) -> Benchmark | Topic:
        theme = self.benchmark or self.topic
        assert theme is not None  # noqa: S101 - the check constraint
        return theme

    def key_factors(self) -> "models.QuerySet[KeyFactor]":
        """The key factors it works on: its benchmark's current version, or every current key factor of the
        topic."""
        current = KeyFactor.objects.filter(version__benchmark__current_version=models.F("version"))
        if self.benchmark_id is not None:
            found = current.filter(version__benchmark_id=self.benchmark_id)
        else:
            found = current.filter(topics=self.topic_id)
        return found.select_related("version__benchmark").order_by("version__benchmark__slug", "kind", "number")


class MemberBase(models.Model):
    """What a city's and an organisation's membership share: how it began and where it stands."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        REQUESTED = "requested", _("Asked to join")
        ACTIVE = "active", _("Member")
        DECLINED = "declined", _("Declined")
        LEFT = "left", _("Left")

    OPEN = (Status.INVITED, Status.REQUESTED, Status.ACTIVE)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    speakers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("who speaks for it")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class CityMember(MemberBase):
    """A city in a community, through its workspace. `shares_ratings`: its coordinators' consent to show its
    ratings, and which library practices its action plans adapt, named, to the other members (given and
    withdrawn at any time, each change in the history)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="cities")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="communities")
    shares_ratings = models.BooleanField(
        _("share our ratings, and the practices our action plans adapt, named, with this community"), default=False
    )

    class Meta:
        ordering = ["workspace__city__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "workspace"],
                condition=models.Q(status__in=["invited", "requested", "active"]),
                name="one_open_membership_per_city",
            )
        ]
        verbose_name = _("member city")
        verbose_name_plural = _("member cities")

    def __str__(self) -> str:
        return str(self.workspace)


class OrganisationMember(MemberBase):
    """A volunteer, migrant or civil-society organisation in a community: often a workspace's partner
    organisation, but it may belong to no single city. It is invited by e-mail (only a hash of the address is
    kept, to match the invitation, and emptied once it is answered) and joins when someone who speaks for it
    accepts with that address."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("Volunteer organisation")
        MIGRANT = "migrant", _("Migrant organisation")
        CIVIL_SOCIETY = "civil_society", _("Civil-society organisation")
        OTHER = "other", _("Other organisation")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    city = models.ForeignKey(
        City, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("based in")
    )
    website = models.URLField(_("website"), blank=True)
    token_hash = models.CharField(max_length=64, blank=True)  # SHA-256 of the invitation's secret
    # SHA-256 of the invitation's address, lower-cased: matched when someone accepts, then emptied. The address
    # itself (personal data) is never stored: the mail that carries it is the outbox's.
    email_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("member organisation")
        verbose_name_plural = _("member organisations")

    def __str__(self) -> str:
        return self.name


class CommunityEvent(HistoryEvent):
    """The community's history: who joined, left, was approved, consented, was hidden, by whom and when."""

    class Action(models.TextChoices):
        CREATED = "created", _("Community created")
        CHANGED = "changed", _("Community changed")
        INVITED = "invited", _("Invited")
        REQUESTED = "requested", _("Asked to join")
        APPROVED = "approved", _("Approved")
        JOINED = "joined", _("Joined")
        DECLINED = "declined", _("Declined")
        LEFT = "left", _("Left")
        CONSENT = "consent", _("Consent to share ratings changed")
        SPEAKERS = "speakers", _("Who speaks for a member changed")
        POST_HIDDEN = "post_hidden", _("Post hidden")
        POST_SHOWN = "post_shown", _("Post shown again")
        RESOURCE_REMOVED = "resource_removed", _("Resource removed")
        ACTIVITY = "activity", _("Activity recorded or changed")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("community event")
        verbose_name_plural = _("community events")


class CommunityActivity(models.Model):
    """A mentoring activity held by a community (the same log as mentorships': `mentoring.Activity`, whose
    mentorship is then empty), with the member organisations that took part."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="activity_links")
    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="community_link")
    organisations = models.ManyToManyField(OrganisationMember, blank=True, related_name="activities")

    class Meta:
        verbose_name = _("community activity")
        verbose_name_plural = _("community activities")

    def __str__(self) -> str:
        return str(self.activity)


class Resource(models.Model):
    """A link or a file shared with the community (files checked and stored as evidence files are,
    lib.uploads), attributed to the person and the member they speak for, and dated."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=NOTE_MAX, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)
    file_type = models.CharField(_("file type"), max_length=100, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    for_city = models.ForeignKey(CityMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    for_organisation = models.ForeignKey(
        OrganisationMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(~models.Q(url="") & models.Q(file="")) | (models.Q(url="") & ~models.Q(file="")),
                name="resource_is_a_link_or_a_file",
            )
        ]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    """A post in the community's thread on one key factor, addressed to members (who get an e-mail). Its
    coordinators may hide it with a reason; the post and the reason stay in the history."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="posts")
    key_factor = models.ForeignKey(KeyFactor, on_delete=models.CASCADE, related_name="community_posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    for_city = models.ForeignKey(CityMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    for_organisation = models.ForeignKey(
        OrganisationMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("post"), max_length=NOTE_MAX)
    addressees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(_("why it is hidden"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["community", "key_factor", "created_at"], name="posts_of_thread")]
        verbose_name = _("community post")
        verbose_name_plural = _("community posts")

    def __str__(self) -> str:
        return self.text[:60]
