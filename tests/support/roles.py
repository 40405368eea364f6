"""Role tables (docs/roles.md) tested cell by cell: the columns in the order of the document, and the
three outcomes a cell can have."""

import re
from pathlib import Path
from typing import Any

from accounts.models import User
from tests.support.cast import Cast

ROLES = ["anonymous", "viewer", "partner", "contributor", "coordinator", "other_city", "admin"]
Y, N, LOGIN = "yes", "404", "login"
WORDS = {Y: "yes", N: "no", LOGIN: "login"}
ROLES_MD = Path(__file__).resolve().parents[2] / "docs" / "roles.md"


def user_for(cast: Cast, role: str) -> User | None:
    return {
        "anonymous": None,
        "viewer": cast.viewer,
        "partner": cast.partner,
        "contributor": cast.contributor,
        "coordinator": cast.coordinator,
        "other_city": cast.other,
        "admin": cast.admin,
    }[role]


def assert_cell(response: Any, happened: bool, expected: str, *, refusal_may_show: bool = False) -> None:
    """One cell of a role table: the login wall, a 404 (the same as for a missing object), or the effect.
    A refused request leaves no effect, unless `refusal_may_show` (a read whose "effect" is only that the
    object exists and was read, e.g. a published one)."""
    if expected == LOGIN:
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        assert refusal_may_show or not happened
    elif expected == N:
        assert response.status_code == 404
        assert refusal_may_show or not happened
    else:
        assert response.status_code in (200, 302), response.content[:500]
        assert happened


def cells(table: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(action, role, expected outcome) for every cell of a role table, to parametrize a test with."""
    return [
        (action, role, expected) for action, row in table.items() for role, expected in zip(ROLES, row, strict=True)
    ]


def documented_table(section: str) -> dict[str, list[str]]:
    """The rows of docs/roles.md under `## {section}` whose action is written `like_this`, as outcomes."""
    body = ROLES_MD.read_text().split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` [^|]*\|(.*)\|$", body, flags=re.M)
    outcomes = {word: outcome for outcome, word in WORDS.items()}
    return {name: [outcomes[cell.strip()] for cell in row.split("|")] for name, row in rows}
