"""Practices: the toolkits' examples and case studies, linked to cities, benchmarks and key factors."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from benchmarks.models import Benchmark, KeyFactor
from cities.models import City


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=300, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class PracticeQuerySet(models.QuerySet["Practice"]):
    def for_city(self, city: City) -> "PracticeQuerySet":
        return self.filter(city=city)

    def for_listing(self) -> "PracticeQuerySet":
        """With what a list of practices shows; the benchmark version's long texts are left out."""
        return self.select_related("city", "benchmark__current_version", "benchmark__programme").defer(
            "search_vector",
            "benchmark__current_version__introduction",
            "benchmark__current_version__terms",
            "benchmark__current_version__source_authors",
            "benchmark__current_version__standard",
        )


class Practice(models.Model):
    class Kind(models.TextChoices):
        EXAMPLE = "example", _("Example")
        CASE_STUDY = "case-study", _("Case study")

    slug = models.SlugField(max_length=120, unique=True)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="practices")
    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="practices")
    key_factors = models.ManyToManyField(KeyFactor, blank=True, related_name="practices")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.EXAMPLE)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="practices")
    # When a load of the library added it to a library that already held practices (a new toolkit's examples,
    # say); empty for those of the first load, which were in the toolkits from the start. Communities' feeds
    # show the dated ones of their member cities.
    added_at = models.DateTimeField(_("added to the library"), null=True, blank=True, editable=False)
    # Kept up to date by practices.search.index_practices; used on PostgreSQL only.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["city__name", "title"]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices:practice", args=[self.slug])


class PracticeLink(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="links")
    position = models.PositiveSmallIntegerField(default=0)
    url = models.URLField(_("address"), max_length=500)
    title = models.CharField(_("title"), max_length=300, blank=True)

    class Meta:
        ordering = ["practice", "position"]

    def __str__(self) -> str:
        return self.title or self.url


class ContactPerson(models.Model):
    """Personal data (docs/quality.md P1): never shown to the public unless consent is recorded."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="contacts")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    consent_to_publish = models.DateTimeField(_("consent to publish recorded"), null=True, blank=True)

    class Meta:
        ordering = ["practice", "position"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self) -> str:
        return self.name or self.email
