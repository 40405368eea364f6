"""`{% load text %}`: user text inside a sentence of ours, isolated (lib/text.py).

`{{ member.organisation|bdi }}`, also in `{% blocktranslate with name=user|bdi %}`, so that a name in Arabic
or Hebrew keeps its own direction without reordering the sentence around it. Blocks of user text take
`dir="auto"` on their element instead; in the PDF reports `dir="{{ text|text_dir }}"`, as WeasyPrint does
not resolve `auto`."""

from django import template
from django.utils.safestring import SafeString

from lib.text import bdi as isolate
from lib.text import direction

register = template.Library()


@register.filter
def bdi(value: object) -> SafeString:
    return isolate(value)


@register.filter
def text_dir(value: object) -> str:
    return direction(str(value or ""))


@register.filter
def name_only(person: object) -> SafeString:
    """A person's name, isolated, for readers outside their own workspace (a community's members): their
    e-mail address is personal data and never stands in for a missing name."""
    from django.utils.translation import gettext

    full = getattr(person, "get_full_name", lambda: "")()
    return isolate(full or gettext("a member without a name on their account"))
