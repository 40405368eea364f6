from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def session_idle_seconds() -> int:
    return int(settings.SESSION_IDLE_SECONDS)
