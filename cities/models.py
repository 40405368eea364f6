"""Cities: the places named in the toolkits' examples, with their Charter status."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class CityQuerySet(models.QuerySet["City"]):
    def signatories(self) -> "CityQuerySet":
        return self.filter(charter_signed__isnull=False)

    def in_country(self, country_code: str) -> "CityQuerySet":
        return self.filter(country_code=country_code)


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
        return reverse("cities:city", args=[self.slug])

    @property
    def is_signatory(self) -> bool:
        return self.charter_signed is not None
