"""A panel's form that was refused: what a page needs to show the panel again.

A page that gathers several apps' panels (pages/) hands a POST to the app that owns the form. The app either
answers (a redirect after a save) or returns a Redisplay: its panel's context with the bound form, and the
status to answer with. The page renders itself around it, the other panels as usual.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Redisplay:
    panel: dict[str, Any]
    status: int
    headers: dict[str, str] = field(default_factory=dict)
