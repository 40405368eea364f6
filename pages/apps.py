from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The site's pages that gather several features (a city, a workspace, a key factor being assessed):
    each feature app builds its own panel and handles its own form; a page here puts the panels together.
    Nothing below imports this app (docs/architecture.md)."""

    name = "pages"
    verbose_name = _("Pages")
