from typing import Any

from django import template

from accounts import actions

register = template.Library()


@register.simple_tag(takes_context=True)
def session_idle_seconds(context: dict[str, Any]) -> int:
    """The seconds before the idle timeout as the server counts them (its last-seen time is written at most
    once a minute, so this can be up to a minute less than SESSION_IDLE_SECONDS)."""
    return actions.idle_seconds_left(context["request"])
