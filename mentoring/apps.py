from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    """City-to-city mentoring: mentor offers, schemes, matching, mentorships and what mentors may read."""

    name = "mentoring"
    verbose_name = _("Mentoring")
