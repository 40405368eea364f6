from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The fictional demo (`./manage.py load_demo`): at the top of the apps, since it fills every one."""

    name = "demo"
    verbose_name = _("Demo")
