"""The benchmark library: programmes, versioned benchmarks, key factors, guide questions, the Charter.

A benchmark's content lives in a BenchmarkVersion. Loading a changed benchmark file creates a new
version and keeps the old ones, because self-assessments point at the version they were made
against. Each version has a language; translations are versions with `translation_of` set.
"""

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    full_name = models.CharField(_("full name"), max_length=300, blank=True)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    end_year = models.PositiveSmallIntegerField(_("end year"))
    description = models.TextField(_("description"))

    class Meta:
        ordering = ["start_year", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("benchmarks:programme", args=[self.slug])

    @property
    def period(self) -> str:
        return f"{self.start_year}–{self.end_year}"


class Topic(models.Model):
    """A cross-cutting topic of the crosswalk between benchmarks."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class RatingScale(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    standard_level = models.PositiveSmallIntegerField(_("level that meets the standard"), null=True, blank=True)

    class Meta:
        verbose_name = _("rating scale")
        verbose_name_plural = _("rating scales")

    def __str__(self) -> str:
        return self.name


class RatingLevel(models.Model):
    scale = models.ForeignKey(RatingScale, on_delete=models.CASCADE, related_name="levels")
    value = models.PositiveSmallIntegerField(_("value"))
    label = models.CharField(_("label"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    colour = models.CharField(_("colour"), max_length=7)

    class Meta:
        ordering = ["scale", "value"]
        constraints = [models.UniqueConstraint(fields=["scale", "value"], name="unique_level_per_scale")]

    def __str__(self) -> str:
        return f"{self.value} {self.label}"

    @property
    def number_and_words(self) -> str:
        """How a level is written wherever it stands in text: "3 – Established" (with its colour beside it
        on pages and in charts; never the colour alone)."""
        return f"{self.value} – {self.label}"


class BenchmarkQuerySet(models.QuerySet["Benchmark"]):
    def published(self) -> "BenchmarkQuerySet":
        return self.filter(current_version__isnull=False)

    def with_current(self) -> "BenchmarkQuerySet":
        return self.select_related("programme", "current_version")


class Benchmark(models.Model):
    """A theme's benchmark: the stable identity that its versions share."""

    slug = models.SlugField(unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="benchmarks")
    current_version = models.OneToOneField(
        "BenchmarkVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = BenchmarkQuerySet.as_manager()

    class Meta:
        ordering = ["programme__start_year", "slug"]
        verbose_name = _("benchmark")
        verbose_name_plural = _("benchmarks")

    def __str__(self) -> str:
        return self.current_version.title if self.current_version else self.slug

    def get_absolute_url(self) -> str:
        return reverse("pages:benchmark", args=[self.slug])


class BenchmarkVersion(models.Model):
    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=10, default="en")
    translation_of = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="translations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    theme = models.CharField(_("theme"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=300)
    standard = models.TextField(_("standard"))
    introduction = models.TextField(_("introduction"))
    terms = models.TextField(_("note on terms"), blank=True)
    rating_scale = models.ForeignKey(RatingScale, on_delete=models.PROTECT, related_name="+")
    source_title = models.CharField(_("source title"), max_length=300)
    source_publisher = models.CharField(_("publisher"), max_length=200)
    source_year = models.PositiveSmallIntegerField(_("source year"))
    source_file = models.CharField(_("source file"), max_length=100)
    source_authors = models.TextField(_("authors"), blank=True)
    content_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["benchmark", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "number", "language"], name="unique_version_number_per_language"
            )
        ]
        verbose_name = _("benchmark version")
        verbose_name_plural = _("benchmark versions")

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    def get_absolute_url(self) -> str:
        if self.benchmark.current_version_id == self.pk:
            return self.benchmark.get_absolute_url()
        return reverse("pages:benchmark_version", args=[self.benchmark.slug, self.number])

    def rating_levels(self) -> list["RatingLevel"]:
        """The levels of the version's rating scale, lowest first, in one query."""
        return list(RatingLevel.objects.filter(scale_id=self.rating_scale_id).order_by("value"))

    def in_language(self, language: str) -> "BenchmarkVersion":
        """This version's translation into `language` when one is loaded, else this version."""
        if language == self.language:
            return self
        return self.translations.filter(language=language).first() or self

    @property
    def citation(self) -> str:
        return f"{self.source_title}. {self.source_publisher}, {self.source_year}."


class KeyFactorQuerySet(models.QuerySet["KeyFactor"]):
    def current(self) -> "KeyFactorQuerySet":
        return self.filter(version__benchmark__current_version=models.F("version"))


class KeyFactor(models.Model):
    class Kind(models.TextChoices):
        KEY = "key", _("Key factor")
        COMMON = "common", _("Common factor")

    version = models.ForeignKey(BenchmarkVersion, on_delete=models.CASCADE, related_name="factors")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.KEY)
    slug = models.SlugField(max_length=100)
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=400)
    description = models.TextField(_("what the city does"))
    rationale = models.TextField(_("rationale"), blank=True)
    topics = models.ManyToManyField(Topic, related_name="key_factors")

    objects = KeyFactorQuerySet.as_manager()

    class Meta:
        ordering = ["version", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "slug"], name="unique_factor_slug_per_version")]
        verbose_name = _("key factor")
        verbose_name_plural = _("key factors")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        version = self.version
        if version.benchmark.current_version_id == version.pk:
            return reverse("pages:key_factor", args=[version.benchmark.slug, self.slug])
        return reverse("pages:key_factor_version", args=[version.benchmark.slug, version.number, self.slug])


class GuideQuestion(models.Model):
    key_factor = models.ForeignKey(KeyFactor, on_delete=models.CASCADE, related_name="guide_questions")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("question"))
    # How the OCR'd toolkit printed the question, and what was repaired (empty elsewhere).
    printed: "models.JSONField[Any]" = models.JSONField(default=list, blank=True)
    repairs: "models.JSONField[Any]" = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["key_factor", "number"]
        constraints = [models.UniqueConstraint(fields=["key_factor", "number"], name="unique_question_number")]

    def __str__(self) -> str:
        return self.text


class ContextFactor(models.Model):
    version = models.ForeignKey(BenchmarkVersion, on_delete=models.CASCADE, related_name="context_factors")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    examples: "models.JSONField[Any]" = models.JSONField(_("examples"), default=list)

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="unique_context_factor_number")]

    def __str__(self) -> str:
        return self.title


class Charter(models.Model):
    """The Integrating Cities Charter (a single row, loaded from data/charter.yaml)."""

    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"))
    source_title = models.CharField(max_length=300)
    source_publisher = models.CharField(max_length=200)
    source_year = models.PositiveSmallIntegerField()
    source_file = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.title


class CharterCommitment(models.Model):
    class Role(models.TextChoices):
        POLICYMAKER = "policymaker", _("Policymaker")
        SERVICE_PROVIDER = "service-provider", _("Service provider")
        EMPLOYER = "employer", _("Employer")
        BUYER = "buyer", _("Buyer of goods and services")

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="commitments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    role_heading = models.CharField(max_length=100)
    number = models.PositiveSmallIntegerField()
    text = models.TextField(_("commitment"))

    class Meta:
        ordering = ["charter", "number"]

    def __str__(self) -> str:
        return self.text
