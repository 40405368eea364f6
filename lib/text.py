"""User text that cannot disguise itself (audit issue 9, part 4).

The bidirectional override characters LEFT-TO-RIGHT OVERRIDE (U+202D) and RIGHT-TO-LEFT OVERRIDE (U+202E)
force every character after them into one direction, whatever the characters are: "report", U+202E,
"fdp.exe" reads as "reportexe.pdf". Nobody needs them to write Arabic, Farsi or Hebrew, whose letters carry
their own direction, so they are removed from everything a user types (forms, autosaves, workbook cells);
never from passwords, which must stay exactly as typed, and never from an uploaded file's content.

The embedding and isolate controls (U+202A-U+202C, U+2066-U+2069) are kept: right-to-left writers and their
editors use them to lay out mixed-direction sentences, they do not reorder the letters of a word, and pages
show user text isolated (`dir="auto"` or `<bdi>`), which ends any embedding a value leaves open at its edge.
File names shown to users are cleaned separately, of every control and format character
(lib.uploads.display_name).
"""

import unicodedata

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

OVERRIDES = ("\u202d", "\u202e")
_WITHOUT_OVERRIDES = str.maketrans(dict.fromkeys(OVERRIDES))


def strip_overrides(text: str) -> str:
    """The text without U+202D and U+202E; everything else, other direction controls included, as it is."""
    return text.translate(_WITHOUT_OVERRIDES)


def has_overrides(text: str) -> bool:
    return any(override in text for override in OVERRIDES)


def direction(text: str) -> str:
    """The text's direction, "rtl" or "ltr", from its first letter of a strong direction, as a browser's
    `dir="auto"` finds it: for WeasyPrint, which lays out `dir="rtl"` and `dir="ltr"` but not `auto`
    (the PDF reports)."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def bdi(value: object) -> SafeString:
    """User text inside a sentence of ours, escaped and isolated, for messages built in Python."""
    return format_html("<bdi>{}</bdi>", value)


def sentence(template: str, *, plain: dict[str, object] | None = None, **user_text: object) -> SafeString:
    """A sentence of ours with `%(name)s` places for user text (a translated message, a label): the
    sentence escaped, each value of `user_text` escaped and isolated, so that a name written right to left
    keeps its own direction and the sentence keeps its order. `plain` values (numbers, our own words) are
    escaped only."""
    values = {key: v if isinstance(v, int) else conditional_escape(str(v)) for key, v in (plain or {}).items()}
    values |= {key: bdi(value) for key, value in user_text.items()}
    return mark_safe(conditional_escape(template) % values)  # noqa: S308 - the template and every value are escaped
