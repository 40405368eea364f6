from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    """Communities of practice: cities and organisations learning together on one theme."""

    name = "communities"
    verbose_name = _("Communities of practice")
