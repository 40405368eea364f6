"""Cities: the places named in the toolkits' examples, with their Charter status."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CityQuerySet(models.QuerySet["City"]):
    def signatories(self) -> "CityQuerySet":
        return self.filter(charter_signed__isnull=False)


class City(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    country = models.CharField(_("country"), max_length=100)
    country_code = models.CharField(_("country code"), max_length=2)
    # The date a toolkit says the city signed the Integrating Cities Charter (day unknown: 1st).
    charter_signed = models.DateField(_("signed the Charter"), null=True, blank=True)
    charter_signed_source = models.TextField(_("source of the signature date"), blank=True)

    objects = CityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pages:city", args=[self.slug])

    @property
    def is_signatory(self) -> bool:
        return self.charter_signed is not None


class Workspace(models.Model):
    """A city's private space on the platform: its members, and (later) its assessments and plans."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    city = models.OneToOneField(City, on_delete=models.PROTECT, related_name="workspace")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")

    def __str__(self) -> str:
        return str(self.city)


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    CONTRIBUTOR = "contributor", _("Contributor")
    PARTNER = "partner", _("Partner organisation")
    VIEWER = "viewer", _("Viewer")


# The role groups of docs/roles.md, written once: every app's access.py asks these.
EDITORS = frozenset({Role.COORDINATOR, Role.CONTRIBUTOR})
"""The city's own staff, who change the city's answers, ratings, plans and evidence."""
PARTICIPANTS = EDITORS | {Role.PARTNER}
"""Every member but viewers: they add what is their own (comments, evidence, progress updates)."""


class Membership(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # For partners: the NGO, volunteer or migrant organisation the member speaks for.
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_workspace"),
            models.CheckConstraint(
                condition=~models.Q(role="partner") | ~models.Q(organisation=""),
                name="partner_names_its_organisation",
            ),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.workspace})"


class Invitation(models.Model):
    """An e-mailed invitation to join a workspace; only a hash of its token is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.workspace}"


class WorkspaceRequest(models.Model):
    """A request, by someone signed in, for a city's workspace; network admins approve or decline it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    city_name = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=100)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Why a request was declined, when the network admin says; it is mailed to the requester.
    decline_reason = models.TextField(_("reason"), blank=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.city_name} ({self.get_status_display()})"
