"""Every numbered quality target the code cites (S8, R4, ...) is written down in docs/quality.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A target's number, not part of a word, a colour (#A1), a cell ("A2", !A0) or a flag.
CITED = re.compile(r"(?<![\w#!\"'-])([SRAPF]\d{1,2})(?![\w-])")
SKIP = {".venv", "node_modules", ".git"}


def test_every_cited_target_resolves_in_the_repository() -> None:
    listed = set(re.findall(r"^- \*\*([SRAPF]\d{1,2})\*\*", (ROOT / "docs/quality.md").read_text(), re.M))
    missing = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in {".py", ".html", ".md", ".js"} or SKIP & set(path.relative_to(ROOT).parts):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            missing += [f"{path.relative_to(ROOT)}:{number} cites {t}" for t in CITED.findall(line) if t not in listed]
    assert listed, "docs/quality.md lists no target"
    assert not missing, "cited but not in docs/quality.md:\n" + "\n".join(missing)
